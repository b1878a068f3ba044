import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accessPair, generateExportLines, intervalId, seededRandom } from '../testing/apr-fixture';
import { tempCase, type TempCase } from '../testing/temp-case';
import { importFile } from '../services/import-run';
import { BULK_DROPPED_INDEXES, BULK_LOAD } from './bulk-indexes';
import type { Db } from './open';

const T0 = Date.UTC(2024, 4, 1, 0, 10);
const DEFAULTS = { ...BULK_LOAD };
const cases: TempCase[] = [];

beforeEach(() => {
  // Small thresholds, so a few hundred sessions make a bulk load.
  BULK_LOAD.minRows = 10;
  BULK_LOAD.ratio = 1;
});
afterEach(() => {
  Object.assign(BULK_LOAD, DEFAULTS);
  for (const c of cases.splice(0)) c.cleanup();
});

function newCase(): TempCase {
  const c = tempCase();
  cases.push(c);
  return c;
}

const APPS = ['com.example.a', 'com.example.b', 'com.example.c'];

/** An export whose intervals start anywhere in a month, in no order (each begin beside its end). */
function exportLines(intervals: number, seed = 1): string[] {
  const rnd = seededRandom(seed);
  const lines: string[] = [];
  for (let i = 0; i < intervals; i += 1)
    lines.push(
      ...accessPair({
        app: APPS[i % APPS.length]!,
        category: i % 2 ? 'camera' : 'location',
        id: intervalId(i, seed),
        ms: T0 + Math.floor(rnd() * 30 * 86_400_000),
        durationMs: Math.floor(rnd() * 60_000),
        offsetMin: 120,
      }),
    );
  return lines;
}

/** The indexes of the sessions table as the case defines them. */
const indexes = (db: Db): { name: string; sql: string | null }[] =>
  db
    .prepare(
      `SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'access_sessions'
       ORDER BY name`,
    )
    .all() as { name: string; sql: string | null }[];

const ALL_DROPPED = [...BULK_DROPPED_INDEXES.unordered, ...BULK_DROPPED_INDEXES.byStart];

/** Whether none of `names` (default: every index a bulk load may drop) is in the case. */
const hasDropped = (db: Db, names: readonly string[] = ALL_DROPPED): boolean => {
  const present = new Set(indexes(db).map((i) => i.name));
  return names.every((n) => !present.has(n));
};

/** Whether every one of `names` (default: every index a bulk load may drop) is in the case. */
const hasAll = (db: Db, names: readonly string[] = ALL_DROPPED): boolean => {
  const present = new Set(indexes(db).map((i) => i.name));
  return names.every((n) => present.has(n));
};

const integrity = (db: Db): string => db.pragma('integrity_check', { simple: true }) as string;

/** Everything an import writes that a bulk load could change, in a fixed order. */
function contents(db: Db): unknown {
  const all = (sql: string): unknown[] => db.prepare(sql).all();
  return {
    sessions: all('SELECT * FROM access_sessions ORDER BY id'),
    rollup: all('SELECT * FROM session_rollup ORDER BY level, device_id, app_id, category, bucket'),
    stats: all('SELECT * FROM session_stats ORDER BY level, device_id, bucket'),
    days: all('SELECT * FROM session_day_hours ORDER BY device_id, day'),
    blocks: all('SELECT source_id, first_line, last_line, lines, body FROM source_line_blocks'),
  };
}

describe('bulk loading the sessions of a large source', () => {
  it('drops the read-free indexes while a large source is stored into a case holding few, and leaves the same schema and rows as a load that keeps them', async () => {
    const lines = exportLines(400);
    const bulk = newCase();
    const kept = newCase();
    const before = indexes(bulk.session.db);
    let droppedDuring = false;
    const o = await importFile({
      db: bulk.session.db,
      path: bulk.write('a.ndjson', lines),
      deviceId: bulk.deviceId,
      onProgress: (p) => {
        if (p.phase === 'pairing') droppedDuring = hasDropped(bulk.session.db);
      },
    });
    expect(o.status).toBe('imported');
    expect(droppedDuring).toBe(true);
    BULK_LOAD.minRows = Number.POSITIVE_INFINITY;
    let keptDuring = true;
    const o2 = await importFile({
      db: kept.session.db,
      path: kept.write('a.ndjson', lines),
      deviceId: kept.deviceId,
      onProgress: (p) => {
        if (p.phase === 'pairing') keptDuring = hasAll(kept.session.db);
      },
    });
    expect(keptDuring).toBe(true);
    expect(o2.counts).toEqual(o.counts);
    expect(indexes(bulk.session.db)).toEqual(before);
    // The smaller page cache the indexes were built with is the connection's no longer.
    expect(bulk.session.db.pragma('cache_size', { simple: true })).toBe(
      kept.session.db.pragma('cache_size', { simple: true }),
    );
    expect(integrity(bulk.session.db)).toBe('ok');
    expect(contents(bulk.session.db)).toEqual(contents(kept.session.db));
  });

  it('lets another connection read the case with its indexes and without the source until the commit', async () => {
    const c = newCase();
    const reader = new Database(c.session.db.name, { readonly: true });
    const seen: { sessions: number; indexes: number; byEvents: number }[] = [];
    try {
      await importFile({
        db: c.session.db,
        path: c.write('a.ndjson', exportLines(400)),
        deviceId: c.deviceId,
        onProgress: (p) => {
          if (p.phase !== 'pairing') return;
          expect(hasDropped(c.session.db)).toBe(true);
          seen.push({
            sessions: (
              reader.prepare('SELECT COUNT(*) AS n FROM access_sessions').get() as {
                n: number;
              }
            ).n,
            indexes: indexes(reader).length,
            byEvents: (
              reader
                .prepare(
                  'SELECT COUNT(*) AS n FROM access_sessions INDEXED BY access_sessions_events WHERE anchor_ms > 0',
                )
                .get() as { n: number }
            ).n,
          });
        },
      });
      expect(seen).toEqual([{ sessions: 0, indexes: indexes(c.session.db).length, byEvents: 0 }]);
      expect(
        (reader.prepare('SELECT COUNT(*) AS n FROM access_sessions').get() as { n: number }).n,
      ).toBe(400);
    } finally {
      reader.close();
    }
  });

  it('restores the dropped indexes when the import is cancelled after dropping them', async () => {
    const c = newCase();
    const before = indexes(c.session.db);
    let dropped = false;
    const o = await importFile({
      db: c.session.db,
      path: c.write('a.ndjson', exportLines(400)),
      deviceId: c.deviceId,
      isCancelled: () => dropped,
      onProgress: () => {
        dropped ||= hasDropped(c.session.db);
      },
    });
    expect(dropped).toBe(true);
    expect(o.status).toBe('cancelled');
    expect(indexes(c.session.db)).toEqual(before);
    expect(integrity(c.session.db)).toBe('ok');
    expect(
      (c.session.db.prepare('SELECT COUNT(*) AS n FROM access_sessions').get() as { n: number }).n,
    ).toBe(0);
  });

  it('restores the dropped indexes when the source turns out to be stored already', async () => {
    const c = newCase();
    const path = c.write('a.ndjson', exportLines(400));
    await importFile({ db: c.session.db, path, deviceId: c.deviceId });
    const before = indexes(c.session.db);
    const other = c.session.createDevice({ label: 'Phone B', platform: 'ios' }).id;
    let dropped = false;
    const o = await importFile({
      db: c.session.db,
      path,
      deviceId: other,
      onProgress: (p) => {
        if (p.phase === 'pairing') dropped = hasDropped(c.session.db);
      },
    });
    // As many new rows as the case held: the indexes went, and came back with the rollback.
    expect(dropped).toBe(true);
    expect(o.status).toBe('already-imported');
    expect(indexes(c.session.db)).toEqual(before);
    expect(integrity(c.session.db)).toBe('ok');
  });

  it('keeps every index while a source small beside the case is stored', async () => {
    const c = newCase();
    await importFile({
      db: c.session.db,
      path: c.write('big.ndjson', exportLines(400)),
      deviceId: c.deviceId,
    });
    let keptDuring = false;
    const o = await importFile({
      db: c.session.db,
      path: c.write('small.ndjson', exportLines(100, 1 << 20)),
      deviceId: c.deviceId,
      onProgress: (p) => {
        if (p.phase === 'pairing') keptDuring = hasAll(c.session.db);
      },
    });
    expect(o.counts.sessions).toBe(100);
    expect(keptDuring).toBe(true);
  });

  it('keeps the indexes on the start, and drops the others, while a large source whose sessions arrive in time order is stored', async () => {
    const c = newCase();
    let keptDuring = false;
    let droppedDuring = false;
    const o = await importFile({
      db: c.session.db,
      path: c.write('sorted.ndjson', [
        ...generateExportLines({ intervals: 400, startMs: T0, offsetMin: 120 }),
      ]),
      deviceId: c.deviceId,
      onProgress: (p) => {
        if (p.phase !== 'pairing') return;
        keptDuring = hasAll(c.session.db, BULK_DROPPED_INDEXES.byStart);
        droppedDuring = hasDropped(c.session.db, BULK_DROPPED_INDEXES.unordered);
      },
    });
    expect(o.counts.sessions).toBe(400);
    expect(keptDuring).toBe(true);
    expect(droppedDuring).toBe(true);
    expect(integrity(c.session.db)).toBe('ok');
  });

  it('drops the indexes on the start when a source goes back in time once and then reads on in order', async () => {
    const c = newCase();
    // Two weeks in time order, the second written first: the rows of the first week then fall
    // among those already held, not at the end of the index.
    const week = (from: number, seed: number) => [
      ...generateExportLines({ intervals: 200, startMs: from, offsetMin: 120, seed }),
    ];
    let dropped = false;
    await importFile({
      db: c.session.db,
      path: c.write('weeks.ndjson', [...week(T0 + 14 * 86_400_000, 1), ...week(T0, 1 << 20)]),
      deviceId: c.deviceId,
      onProgress: (p) => {
        if (p.phase === 'pairing') dropped = hasDropped(c.session.db);
      },
    });
    expect(dropped).toBe(true);
    expect(integrity(c.session.db)).toBe('ok');
  });

  it('creates the indexes again as the case defines them', async () => {
    const c = newCase();
    const db = c.session.db;
    // A definition no migration wrote: only one read from the case itself comes back as it was.
    db.exec(`DROP INDEX access_sessions_anchor;
      CREATE INDEX access_sessions_anchor ON access_sessions(anchor_ms DESC, device_id)`);
    const before = indexes(db);
    let dropped = false;
    await importFile({
      db,
      path: c.write('a.ndjson', exportLines(400)),
      deviceId: c.deviceId,
      onProgress: (p) => {
        if (p.phase === 'pairing') dropped = hasDropped(db);
      },
    });
    expect(dropped).toBe(true);
    expect(indexes(db)).toEqual(before);
    expect(integrity(db)).toBe('ok');
  });
});
