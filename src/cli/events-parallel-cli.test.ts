import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseSession } from '../core/services/case-service';
import { fillSessionCase, spreadSessions } from '../core/bundle/testing/session-rows';
import { startCli } from './child-process';
import { tempDir } from './test-support';

const STACK = /^\s+at .+[:(]/m;
const T0 = Date.UTC(2024, 0, 1);
const WEEK_MS = 7 * 86_400_000;

let tmp: ReturnType<typeof tempDir>;
let casePath: string;

/**
 * A case of 160,000 sessions (about 100 MB of JSON lines) over two weeks whose rollup claims
 * 600,000: `events` takes it for a large case and writes it on two threads, in slices of about
 * 10,000 claimed sessions; the worker has more to write than it may send ahead, so it waits.
 */
beforeAll(() => {
  tmp = tempDir();
  casePath = join(tmp.dir, 'large.snoopcase');
  const c = CaseSession.create(casePath);
  try {
    c.db.pragma('foreign_keys = OFF');
    const count = 160_000;
    const step = Math.floor((2 * WEEK_MS) / count);
    fillSessionCase(c.db, {
      labels: ['phone', 'tablet', 'watch'],
      apps: [0, 1, 2, 3].map((i) => ({ id: `com.example.app${i}`, name: `App ${i}` })),
      shas: ['a', 'b', 'c', 'd'],
      sessions: spreadSessions(count, step, T0),
    });
    const week = Math.floor(T0 / WEEK_MS);
    const insert = c.db.prepare(
      `INSERT INTO session_rollup (level, device_id, app_id, category, bucket, sessions, busy_ms)
       VALUES (7, (SELECT MIN(id) FROM devices), (SELECT MIN(id) FROM apps), 'photos', ?, 200000, 0)`,
    );
    for (const w of [week, week + 1, week + 2]) insert.run(w);
  } finally {
    c.close();
  }
});
afterAll(() => tmp.cleanup());

describe('events on two threads, stopped early', () => {
  it('ends quietly when its reader goes away (`events ... | head`)', async () => {
    const child = startCli(['events', casePath, '--kind', 'access']);
    const first = new Promise<void>((resolve) =>
      child.process.stdout.once('data', () => resolve()),
    );
    await first;
    // The reader closes the pipe: every later write fails with EPIPE.
    child.process.stdout.destroy();
    const started = Date.now();
    const { code } = await child.exited;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(code).toBe(0);
    expect(child.stderr()).not.toMatch(STACK);
    expect(child.stderr()).not.toMatch(/failed/);
  }, 60_000);

  it('ends at once on Ctrl-C, without a message', async () => {
    const child = startCli(['events', casePath, '--kind', 'access', '--format', 'csv']);
    await new Promise<void>((resolve) => child.process.stdout.once('data', () => resolve()));
    const started = Date.now();
    child.process.kill('SIGINT');
    const { code, signal } = await child.exited;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(signal === 'SIGINT' || code === 130).toBe(true);
    expect(child.stderr()).toBe('');
  }, 60_000);
});
