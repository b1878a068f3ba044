import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillSessionCase, spreadSessions } from '../bundle/testing/session-rows';
import { CaseSession } from './case-service';
import { beginAccessEvents, planSlices, type AccessEventsRun } from './events-parallel';
import { accessEventBytes } from './access-events';

const DAY_MS = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);
const SESSIONS = 3_000;

let dir: string;
let path: string;
let c: CaseSession;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'snoopscope-events-parallel-'));
  path = join(dir, 'case.snoopcase');
  c = CaseSession.create(path);
  c.db.pragma('foreign_keys = OFF');
  fillSessionCase(c.db, {
    labels: ['phone', 'tablet', 'watch'],
    apps: [0, 1, 2, 3].map((i) => ({ id: `com.example.app${i}`, name: `App ${i}` })),
    shas: ['a', 'b', 'c', 'd'],
    // Three sessions a minute: ties of instants on every slice bound below.
    sessions: spreadSessions(SESSIONS, 20_000, T0).map((s, i) => ({
      ...s,
      anchor: T0 + Math.floor(i / 3) * 60_000,
    })),
  });
});
afterAll(() => {
  c.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Slice bounds every `minutes` minutes over the case's sessions. */
const everyMinutes = (minutes: number): number[] =>
  Array.from(
    { length: Math.floor(SESSIONS / 3 / minutes) },
    (_, i) => T0 + (i + 1) * minutes * 60_000,
  );

/**
 * Everything a run writes, checked to be written on one thread; the run is closed and the read
 * transaction the test began is ended, whatever happens.
 */
async function writtenOnOneThread(run: AccessEventsRun | null): Promise<Buffer[]> {
  const pieces: Buffer[] = [];
  try {
    expect(run?.threads).toBe(1);
    await run!.write(async (b) => {
      pieces.push(b);
    });
  } finally {
    await run?.close();
    c.db.exec('COMMIT');
  }
  return pieces;
}

const expected = (): string =>
  Buffer.concat([...accessEventBytes(c, {}, { format: 'jsonl' })]).toString('utf8');

describe('two threads reading one state of the case', () => {
  it('write the state of the moment the command began, whatever commits meanwhile', async () => {
    const before = expected();
    const writer = new Database(path);
    writer.pragma('busy_timeout = 0');
    const change = (): void => {
      writer.prepare("UPDATE access_sessions SET raw_category = raw_category || '!'").run();
    };
    let early: unknown = null;
    const run = await beginAccessEvents(
      c,
      {},
      { format: 'jsonl' },
      {
        bounds: everyMinutes(20),
        minRows: 0,
        onSnapshot: () => {
          // Between the command's snapshot and the worker's: the write lock is held.
          try {
            change();
          } catch (e) {
            early = e;
          }
        },
      },
    );
    const pieces: Buffer[] = [];
    try {
      expect(run?.threads).toBe(2);
      expect((early as { code?: string } | null)?.code).toBe('SQLITE_BUSY');
      await run!.write(async (b) => {
        // Once both snapshots are taken, a commit lands at once, in the middle of the output.
        if (pieces.length === 0) change();
        pieces.push(b);
        await new Promise((r) => setImmediate(r));
      });
    } finally {
      await run?.close();
      c.db.exec('COMMIT');
      writer.close();
    }
    expect(Buffer.concat(pieces).toString('utf8')).toBe(before);
    // The commit did land: the next run sees it.
    expect(expected()).not.toBe(before);
  }, 30_000);
});

describe('a cancelled run', () => {
  it('stops writing and ends the worker, even while the worker waits for room', async () => {
    const controller = new AbortController();
    let worker: Worker | null = null;
    let exited = false;
    const run = await beginAccessEvents(
      c,
      {},
      { format: 'jsonl' },
      {
        bounds: everyMinutes(5),
        minRows: 0,
        maxChunks: 1,
        workerChunkBytes: 1_000,
        chunkBytes: 1_000,
        onWorker: (w) => {
          worker = w;
          w.on('exit', () => (exited = true));
        },
      },
    );
    let pieces = 0;
    try {
      expect(run?.threads).toBe(2);
      await expect(
        run!.write(async () => {
          pieces += 1;
          if (pieces === 3) controller.abort();
          await new Promise((r) => setTimeout(r, 5));
        }, controller.signal),
      ).rejects.toMatchObject({ code: 'CANCELLED' });
    } finally {
      await run?.close();
      c.db.exec('COMMIT');
    }
    expect(worker).not.toBeNull();
    expect(exited).toBe(true);
    expect(pieces).toBeLessThan(6);
  }, 30_000);

  it('ends the worker when the output fails', async () => {
    let exited = false;
    const run = await beginAccessEvents(
      c,
      {},
      { format: 'csv', columns: [{ name: 'id', kind: 'text' }] },
      {
        bounds: everyMinutes(5),
        minRows: 0,
        maxChunks: 1,
        onWorker: (w) => w.on('exit', () => (exited = true)),
      },
    );
    try {
      await expect(
        run!.write(() =>
          Promise.reject(Object.assign(new Error('The output was closed.'), { code: 'EPIPE' })),
        ),
      ).rejects.toMatchObject({ code: 'EPIPE' });
    } finally {
      await run?.close();
      c.db.exec('COMMIT');
    }
    expect(exited).toBe(true);
  }, 30_000);
});

describe('the choice of threads and slices', () => {
  it('writes a case below the threshold on one thread, without a worker', async () => {
    let started = false;
    const run = await beginAccessEvents(
      c,
      {},
      { format: 'jsonl' },
      {
        onWorker: () => (started = true),
      },
    );
    const pieces = await writtenOnOneThread(run);
    expect(started).toBe(false);
    expect(Buffer.concat(pieces).toString('utf8')).toBe(expected());
  });

  it('writes on one thread when the worker cannot start', async () => {
    const run = await beginAccessEvents(
      c,
      {},
      { format: 'jsonl' },
      {
        bounds: everyMinutes(20),
        minRows: 0,
        workerUrl: new URL('./no-such-worker.js', import.meta.url),
      },
    );
    const pieces = await writtenOnOneThread(run);
    expect(Buffer.concat(pieces).toString('utf8')).toBe(expected());
  }, 30_000);

  it('cuts the rollup weeks into ascending bounds of about the slice size', () => {
    const db = c.db;
    const week = Math.floor(T0 / DAY_MS / 7);
    db.exec('DELETE FROM session_rollup');
    const insert = db.prepare(
      `INSERT INTO session_rollup (level, device_id, app_id, category, bucket, sessions, busy_ms)
       VALUES (7, ?, 1, ?, ?, ?, 0)`,
    );
    insert.run(1, 'photos', week, 90);
    insert.run(2, 'photos', week, 30);
    insert.run(1, 'camera', week + 1, 10);
    insert.run(1, 'photos', week + 3, 250);
    // Another level is not read.
    db.prepare(
      "INSERT INTO session_rollup (level, device_id, app_id, category, bucket, sessions, busy_ms) VALUES (1, 1, 1, 'photos', 5, 999, 0)",
    ).run();
    const all = planSlices(c, {}, 100);
    expect(all.rows).toBe(380);
    expect(all.bounds.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < all.bounds.length; i += 1)
      expect(all.bounds[i]!).toBeGreaterThan(all.bounds[i - 1]!);
    // Week 0 holds 120 (one slice), week 3 holds 250 (two): its end is no bound.
    expect(all.bounds).toEqual([(week + 1) * 7 * DAY_MS, (week + 3) * 7 * DAY_MS + 3.5 * DAY_MS]);
    expect(planSlices(c, { devices: [2] }, 100).rows).toBe(30);
    expect(planSlices(c, { categories: ['camera'] }, 100).rows).toBe(10);
    db.exec('DELETE FROM session_rollup');
  });
});
