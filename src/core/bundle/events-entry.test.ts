import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { holdWrites } from '../db/write-hold';
import { CaseSession } from '../services/case-service';
import { workerEventsHelper } from '../services/worker-call';
import { fillFindingsCase } from '../testing/findings-case';
import { zipEntries } from '../testing/zip-entries';
import { installationKey } from './signing-key';
import { exportBundle } from './export-bundle';
import {
  beginSnapshot,
  EventsSplit,
  writeEventsEntry,
  type EventsEntry,
  type EventsEntryRequest,
  type EventsHelper,
} from './events-entry';

let dir: string;
let session: CaseSession;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'snoopscope-events-entry-'));
  session = CaseSession.create(join(dir, 'case.snoopcase'));
  fillFindingsCase(session.db, 3);
});
afterEach(() => {
  session.close();
  rmSync(dir, { recursive: true, force: true });
});

const sessionCount = (db: Database.Database | CaseSession['db']): number =>
  (db.prepare('SELECT COUNT(*) AS n FROM access_sessions').get() as { n: number }).n;

/** A write another program could make: one session fewer. */
const writeElsewhere = (path: string): void => {
  const other = new Database(path);
  try {
    other.pragma('busy_timeout = 0');
    other.exec('DELETE FROM access_sessions WHERE id = (SELECT MAX(id) FROM access_sessions)');
  } finally {
    other.close();
  }
};

/** A helper on this thread with a connection of its own, which can be told to fail or wait. */
function localHelper(o: { failHeld?: boolean; onHeld?: () => void } = {}): EventsHelper & {
  stopped: number;
  sessions: number | null;
} {
  const h = {
    stopped: 0,
    sessions: null as number | null,
    start(request: EventsEntryRequest) {
      const own = CaseSession.open(session.path, { readonly: true });
      own.db.exec('BEGIN');
      h.sessions = sessionCount(own.db);
      o.onHeld?.();
      const held = o.failHeld ? Promise.reject(new Error('no worker')) : Promise.resolve();
      const done: Promise<EventsEntry> = o.failHeld
        ? Promise.reject(new Error('no worker'))
        : writeEventsEntry(own, request).finally(() => {
            own.db.exec('COMMIT');
            own.close();
          });
      if (o.failHeld) own.close();
      return { held, done };
    },
    stop: async () => {
      h.stopped += 1;
    },
  };
  return h;
}

describe('events.csv written by a helper', () => {
  it('reads the state the export reads: no commit lands between the two snapshots', async () => {
    const before = sessionCount(session.db);
    const helper = localHelper({
      // While the helper takes its snapshot, another program cannot commit.
      onHeld: () => expect(() => writeElsewhere(session.path)).toThrow(/locked|busy/i),
    });
    const snap = await beginSnapshot(session, helper, {
      filter: {},
      redact: { contexts: false, apps: [] },
      unmask: false,
      path: join(dir, 'events.part'),
    });
    try {
      expect(snap.events).not.toBeNull();
      // Once both have begun, writers go on; neither snapshot sees their change.
      writeElsewhere(session.path);
      expect(sessionCount(session.db)).toBe(before);
      expect(helper.sessions).toBe(before);
      const entry = await snap.events!;
      expect(entry.rows).toBe(before);
    } finally {
      session.db.exec('COMMIT');
    }
    expect(sessionCount(session.db)).toBe(before - 1);
  });

  it('falls back to this thread when the helper cannot start, or another program is writing', async () => {
    const request = {
      filter: {},
      redact: { contexts: false, apps: [] },
      unmask: false,
      path: join(dir, 'events.part'),
    };
    const failing = localHelper({ failHeld: true });
    const a = await beginSnapshot(session, failing, request);
    session.db.exec('COMMIT');
    expect(a.events).toBeNull();
    expect(failing.stopped).toBe(1);

    const release = holdWrites(session.path, 0)!;
    try {
      const idle = localHelper();
      const b = await beginSnapshot(session, idle, request);
      session.db.exec('COMMIT');
      expect(b.events).toBeNull();
      expect(idle.sessions).toBeNull();
    } finally {
      release();
    }
  });

  it("writes events.csv in the export's own thread when the helper fails after its snapshot", async () => {
    const key = installationKey(join(dir, 'user'));
    const serial = join(dir, 'serial.zip');
    const rescued = join(dir, 'rescued.zip');
    const a = await exportBundle(session, { out: serial, filter: {}, version: '1', key });
    const failures: unknown[] = [];
    let stopped = 0;
    const dying: EventsHelper = {
      start: () => ({
        held: Promise.resolve(),
        done: Promise.reject(new Error('the worker ran out of memory')),
      }),
      stop: async () => {
        stopped += 1;
      },
    };
    const b = await exportBundle(session, {
      out: rescued,
      filter: {},
      version: '1',
      key,
      events: dying,
      onHelperFailed: (e) => failures.push(e),
    });
    expect(failures).toHaveLength(1);
    expect(stopped).toBeGreaterThan(0);
    expect(b.events).toBe(a.events);
    expect(b.files[0]).toEqual(a.files[0]);
    const one = await zipEntries(serial);
    const two = await zipEntries(rescued);
    expect(two.get('events.csv')!.equals(one.get('events.csv')!)).toBe(true);
  });

  it('gives the bundle the same events.csv as one written in the same thread', async () => {
    const key = installationKey(join(dir, 'user'));
    const serial = join(dir, 'serial.zip');
    const parallel = join(dir, 'parallel.zip');
    const a = await exportBundle(session, { out: serial, filter: {}, version: '1', key });
    const helper = workerEventsHelper(session.path);
    const b = await exportBundle(session, {
      out: parallel,
      filter: {},
      version: '1',
      key,
      events: helper,
    });
    const one = await zipEntries(serial);
    const two = await zipEntries(parallel);
    expect([...one.keys()][0]).toBe('events.csv');
    // Copied in last, after the files this thread wrote meanwhile.
    expect([...two.keys()].indexOf('events.csv')).toBeGreaterThan(
      [...two.keys()].indexOf('network.csv'),
    );
    expect(two.get('events.csv')!.equals(one.get('events.csv')!)).toBe(true);
    expect(b.events).toBe(a.events);
    expect(b.files[0]).toEqual(a.files[0]);
    expect(b.files.map((f) => f.name)).toEqual(a.files.map((f) => f.name));
  });

  it('is split with this thread when asked: the worker stops exactly where the tail begins', async () => {
    const key = installationKey(join(dir, 'user'));
    const serial = join(dir, 'serial.zip');
    const split = join(dir, 'split.zip');
    const a = await exportBundle(session, { out: serial, filter: {}, version: '1', key });
    // A helper that begins writing only once the split is set, so that the tail is asked for.
    const entries: EventsEntry[] = [];
    const waiting: EventsHelper = {
      start: (request) => {
        const own = CaseSession.open(session.path, { readonly: true });
        own.db.exec('BEGIN');
        const claim = new Int32Array(request.split!.shared, 0, 1);
        const done = (async () => {
          while (Atomics.load(claim, 0) === 0) await new Promise((r) => setTimeout(r, 5));
          try {
            const e = await writeEventsEntry(own, request);
            entries.push(e);
            return e;
          } finally {
            own.db.exec('COMMIT');
            own.close();
          }
        })();
        return { held: Promise.resolve(), done };
      },
      stop: async () => undefined,
    };
    const failures: unknown[] = [];
    const b = await exportBundle(session, {
      out: split,
      filter: {},
      version: '1',
      key,
      events: waiting,
      onHelperFailed: (e) => failures.push(e),
    });
    // Joined, not written again by this thread.
    expect(failures).toEqual([]);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.split).toBe(true);
    expect(entries[0]!.rows).toBeGreaterThan(0);
    expect(entries[0]!.rows).toBeLessThan(a.events);
    const one = await zipEntries(serial);
    const two = await zipEntries(split);
    expect(two.get('events.csv')!.equals(one.get('events.csv')!)).toBe(true);
    expect(b.events).toBe(a.events);
    expect(b.files[0]).toEqual(a.files[0]);
  });
});

describe('a split events.csv joined by the export', () => {
  /**
   * A helper that begins writing only once the split is set (so that the tail is asked for), and
   * whose answer, once its part and the tail's hash are done, goes through `answer`.
   */
  const splitHelper = (answer: (e: EventsEntry) => Promise<EventsEntry>): EventsHelper => ({
    start: (request) => {
      const own = CaseSession.open(session.path, { readonly: true });
      own.db.exec('BEGIN');
      const claim = new Int32Array(request.split!.shared, 0, 1);
      const done = (async () => {
        while (Atomics.load(claim, 0) === 0) await new Promise((r) => setTimeout(r, 5));
        try {
          return await answer(await writeEventsEntry(own, request));
        } finally {
          own.db.exec('COMMIT');
          own.close();
        }
      })();
      return { held: Promise.resolve(), done };
    },
    stop: async () => undefined,
  });

  it("copies the worker's part while the worker is still hashing the tail", async () => {
    const key = installationKey(join(dir, 'user'));
    const serial = join(dir, 'serial.zip');
    const split = join(dir, 'split.zip');
    const a = await exportBundle(session, { out: serial, filter: {}, version: '1', key });
    let copyingBeforeAnswer = false;
    const helper = splitHelper(async (e) => {
      // The answer waits (at most 5 s) for the export to begin the entry without it.
      // The bundle is written under a temporary name until complete.
      const began = (): boolean =>
        existsSync(`${split}.partial`) &&
        readFileSync(`${split}.partial`).includes(Buffer.from('events.csv'));
      for (let i = 0; i < 500 && !began(); i += 1) await new Promise((r) => setTimeout(r, 10));
      copyingBeforeAnswer = began();
      return e;
    });
    const failures: unknown[] = [];
    const b = await exportBundle(session, {
      out: split,
      filter: {},
      version: '1',
      key,
      events: helper,
      onHelperFailed: (f) => failures.push(f),
    });
    expect(failures).toEqual([]);
    expect(copyingBeforeAnswer).toBe(true);
    const one = await zipEntries(serial);
    const two = await zipEntries(split);
    expect(two.get('events.csv')!.equals(one.get('events.csv')!)).toBe(true);
    expect(b.events).toBe(a.events);
    expect(b.files[0]).toEqual(a.files[0]);
  });

  it('hashes both parts itself when the worker fails after writing its part', async () => {
    const key = installationKey(join(dir, 'user'));
    const serial = join(dir, 'serial.zip');
    const split = join(dir, 'split.zip');
    const a = await exportBundle(session, { out: serial, filter: {}, version: '1', key });
    const helper = splitHelper(async () => {
      throw new Error('the worker ran out of memory while hashing the tail');
    });
    const failures: unknown[] = [];
    const b = await exportBundle(session, {
      out: split,
      filter: {},
      version: '1',
      key,
      events: helper,
      onHelperFailed: (f) => failures.push(f),
    });
    expect(failures).toHaveLength(1);
    const one = await zipEntries(serial);
    const two = await zipEntries(split);
    expect(two.get('events.csv')!.equals(one.get('events.csv')!)).toBe(true);
    expect(b.events).toBe(a.events);
    // The sha256 in the manifest is that of the whole file.
    expect(b.files[0]).toEqual(a.files[0]);
  });
});

describe('a split of events.csv agreed through shared memory', () => {
  /** The head's writer over `instants`, asking whether to stop before each, as the CSV does. */
  const head = (split: EventsSplit, instants: number[], from = 0): number[] => {
    const stop = split.headStop();
    const written: number[] = [];
    for (const t of instants.slice(from)) {
      if (stop(t)) break;
      written.push(t);
    }
    return written;
  };

  it('stops the head before the split, which is after any instant it has begun', () => {
    const instants = [1, 2, 2, 5, 8, 8, 9, 12, 20, 21];
    const split = new EventsSplit();
    const stop = split.headStop();
    const written: number[] = [];
    for (const t of instants) {
      if (written.length === 4) {
        // The export's thread asks for a split at the instant the head has begun, then after.
        expect(split.request((at) => at)).toBeNull();
        expect(split.request((at) => at + 4)).toBe(9);
        // Asked once only.
        expect(split.request((at) => at + 1)).toBeNull();
      }
      if (stop(t)) break;
      written.push(t);
    }
    expect(written).toEqual([1, 2, 2, 5, 8, 8]);
    expect(split.headDone()).toBe(true);
  });

  it('gives no split once the head has ended, nor one the chooser declines', () => {
    const split = new EventsSplit();
    expect(split.request(() => null)).toBeNull();
    expect(head(split, [1, 2, 3])).toEqual([1, 2, 3]);
    expect(split.headDone()).toBe(false);
    expect(split.request((at) => at + 1)).toBeNull();
  });

  it('lets the head go on once the tail is written or abandoned, saying which', async () => {
    const ready = new EventsSplit();
    const waiting = ready.tailReady();
    ready.tailDone(true);
    expect(await waiting).toBe(true);
    const abandoned = new EventsSplit();
    abandoned.tailDone(false);
    expect(await abandoned.tailReady()).toBe(false);
  });

  it('before the head has begun, lets the chooser place the split anywhere', () => {
    const split = new EventsSplit();
    expect(split.request((at) => (at === -Infinity ? 5 : null))).toBe(5);
    expect(head(split, [1, 4, 5, 6])).toEqual([1, 4]);
    expect(split.headDone()).toBe(true);
  });
});
