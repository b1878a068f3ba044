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

// The calling thread's CPU time, where the runtime tells it (Node 22.19 and later), else none.
const threadCpu = (since?: NodeJS.CpuUsage): NodeJS.CpuUsage =>
  typeof process.threadCpuUsage === 'function'
    ? process.threadCpuUsage(since)
    : { user: 0, system: 0 };

/**
 * A stage clock that writes `export: <stage> <seconds> s (cpu <seconds> s, thread <seconds> s,
 * rss <MB> MB)` lines through `write` (stderr by default) when `wanted`, and does nothing
 * otherwise. `cpu` is the whole process's, other threads and compression included: under load it
 * tells work from waiting; `thread` is the calling thread's own, so a stage's wall time less it is
 * the time that thread waited (for compression, the disk, another thread or a core).
 */
export function exportTimings(
  write: (line: string) => void = (line) => process.stderr.write(line),
  wanted = exportTimingsWanted(),
): ExportTimings {
  if (!wanted)
    return { mark: () => undefined, stage: (_name, run) => run(), total: () => undefined };
  const began = performance.now();
  const now = (): { at: number; cpu: NodeJS.CpuUsage; thread: NodeJS.CpuUsage } => ({
    at: performance.now(),
    cpu: process.cpuUsage(),
    thread: threadCpu(),
  });
  const used = (u: NodeJS.CpuUsage): string => seconds((u.user + u.system) / 1000);
  let last = now();
  const print = (name: string, since: typeof last): void => {
    write(
      `export: ${name} ${seconds(performance.now() - since.at)} s ` +
        `(cpu ${used(process.cpuUsage(since.cpu))} s, thread ${used(threadCpu(since.thread))} s, ` +
        `rss ${megabytes(process.memoryUsage.rss())} MB)\n`,
    );
    last = now();
  };
  const mark = (name: string): void => print(name, last);
  const stage = <T>(name: string, run: () => T): T => {
    const since = now();
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
