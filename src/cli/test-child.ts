/**
 * Runs the command line as a real process for tests that need one (signals, another user,
 * two processes at once): `node --import tsx src/cli/test-child.ts <argv…>`. Progress lines are
 * on (as on a terminal) and both streams are written synchronously, so a test can act at a
 * known point of an import without sleeping:
 * - SNOOPSCOPE_TEST_GO=1: writes `READY` on stderr, then waits for one byte on stdin before running;
 * - SNOOPSCOPE_TEST_PAUSE=<text>: the first time stdout or stderr receives text containing it,
 *   writes `PAUSED` on stderr and waits for one byte on stdin before going on.
 */
import { readSync, writeSync } from 'node:fs';
import { Writable } from 'node:stream';
import { main } from './main';

const nap = new Int32Array(new SharedArrayBuffer(4));

/** Whether `e` says only that the pipe cannot take or give anything yet (then: wait, try again). */
function notYet(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  if (code !== 'EAGAIN' && code !== 'EINTR') return false;
  Atomics.wait(nap, 0, 0, 5);
  return true;
}

/** Blocks until one byte arrives on stdin (retrying while the pipe has none yet). */
function waitForByte(): void {
  const buf = Buffer.alloc(1);
  for (;;) {
    try {
      readSync(0, buf, 0, 1, null);
      return;
    } catch (e) {
      if (!notYet(e)) throw e;
    }
  }
}

/**
 * Writes all of `bytes` to `fd`, waiting while a full pipe takes nothing (the test's end of it
 * is non-blocking): a reader that is slow is waited for; one that has gone away fails the write.
 */
function writeAll(fd: number, bytes: Buffer): void {
  for (let at = 0; at < bytes.length;) {
    try {
      at += writeSync(fd, bytes, at, bytes.length - at);
    } catch (e) {
      if (!notYet(e)) throw e;
    }
  }
}

let pauseAt = process.env.SNOOPSCOPE_TEST_PAUSE ?? null;

/** A stream that writes straight to a file descriptor, pausing once at the awaited text. */
class SyncOut extends Writable {
  constructor(private readonly fd: number) {
    super();
  }

  override _write(
    chunk: Buffer | string,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    writeAll(this.fd, typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    const text = chunk.toString();
    if (pauseAt !== null && text.includes(pauseAt)) {
      pauseAt = null;
      writeSync(2, '\nPAUSED\n');
      waitForByte();
    }
    callback();
  }
}

if (process.env.SNOOPSCOPE_TEST_GO) {
  writeSync(2, 'READY\n');
  waitForByte();
}
process.exitCode = await main(process.argv.slice(2), {
  stdout: new SyncOut(1),
  stderr: new SyncOut(2),
  stderrIsTTY: true,
  lockstepImports: true,
});
