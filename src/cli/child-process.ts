import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHILD = fileURLToPath(new URL('./test-child.ts', import.meta.url));

/** A command line running in its own process (see test-child.ts), with what it has written. */
export interface CliChild {
  process: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr contains `text`. */
  waitForStderr(text: string): Promise<void>;
  /** Writes one byte on its stdin (to go on from SNOOPSCOPE_TEST_GO or a pause). */
  proceed(): void;
  /** Resolves with the exit code (or the signal that ended it). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `snoopscope <argv…>` in a child process under this Node, for tests. */
export function startCli(
  argv: string[],
  options: { env?: Record<string, string>; uid?: number; gid?: number } = {},
): CliChild {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...argv], {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: 'pipe',
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.gid } : {}),
  });
  let out = '';
  let err = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
    for (const w of [...waiters]) {
      if (err.includes(w.text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return {
    process: child,
    stdout: () => out,
    stderr: () => err,
    waitForStderr: (text) =>
      err.includes(text)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            waiters.push({ text, resolve });
            void exited.then(() =>
              reject(new Error(`the child exited before writing "${text}"; stderr:\n${err}`)),
            );
          }),
    proceed: () => {
      child.stdin.write('x');
    },
    exited,
  };
}
