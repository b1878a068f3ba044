import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs `fn` with a fresh private folder (mode 0700) under the system temp folder and removes
 * it afterwards, also when `fn` throws. Never beside the evidence. Prefer in-memory reads: this
 * exists for the rare consumer that can only take a file path.
 */
export async function withPrivateTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'snoopscope-'));
  try {
    // mkdtemp already creates 0700 on POSIX; the chmod keeps that true under a loose umask.
    await chmod(dir, 0o700);
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
