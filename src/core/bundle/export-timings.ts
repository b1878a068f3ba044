/** Stage times of a bundle export, printed to stderr when `SNOOPSCOPE_EXPORT_TIMINGS=1`. */

/** A clock of the export's stages. */
export interface ExportTimings {
  /** Ends the stage running since the last stage or mark under `name`. */
  mark: (name: string) => void;
  /** Times one (possibly asynchronous) stage under `name`. */
  stage: <T>(name: string, run: () => T) => T;
  /** Prints the time since the clock was made and the process's peak memory. */
  total: () => void;
}

/** True when the environment asks for the export's stage times (any value but empty or `0`). */
export function exportTimingsWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.SNOOPSCOPE_EXPORT_TIMINGS;
  return v !== undefined && v !== '' && v !== '0';
}

const seconds = (ms: number): string => (ms / 1000).toFixed(2);
const megabytes = (bytes: number): string => (bytes / (1 << 20)).toFixed(0);

/**
 * A stage clock that writes `export: <stage> <seconds> s (cpu <seconds> s, rss <MB> MB)` lines
 * through `write` (stderr by default) when `wanted`, and does nothing otherwise. The CPU time is
 * the whole process's, compression threads included: under load it tells work from waiting.
 */
export function exportTimings(
  write: (line: string) => void = (line) => process.stderr.write(line),
  wanted = exportTimingsWanted(),
): ExportTimings {
  if (!wanted)
    return { mark: () => undefined, stage: (_name, run) => run(), total: () => undefined };
  const began = performance.now();
  let last = { at: began, cpu: process.cpuUsage() };
  const print = (name: string, since: typeof last): void => {
    const cpu = process.cpuUsage(since.cpu);
    write(
      `export: ${name} ${seconds(performance.now() - since.at)} s ` +
        `(cpu ${seconds((cpu.user + cpu.system) / 1000)} s, rss ${megabytes(process.memoryUsage.rss())} MB)\n`,
    );
    last = { at: performance.now(), cpu: process.cpuUsage() };
  };
  const mark = (name: string): void => print(name, last);
  const stage = <T>(name: string, run: () => T): T => {
    const since = { at: performance.now(), cpu: process.cpuUsage() };
    const result = run();
    if (result instanceof Promise) return result.finally(() => print(name, since)) as T;
    print(name, since);
    return result;
  };
  const total = (): void => {
    const peak = process.resourceUsage().maxRSS * 1024;
    write(
      `export: total ${seconds(performance.now() - began)} s (peak rss ${megabytes(peak)} MB)\n`,
    );
  };
  return { mark, stage, total };
}
