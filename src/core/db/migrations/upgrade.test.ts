import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '../../services/import-run';
import { accessPair, generateExportLines, networkLine } from '../../testing/apr-fixture';
import { LineReader } from '../line-store';
import { migrate, type Db } from '../open';
import { decodeStatsCells } from '../session-stats-cells';
import { MIGRATIONS } from '.';

// Each earlier schema version is given the data a current import stores, projected onto the
// columns that version had (what a case written then would hold), and upgraded; the upgraded case
// must equal the freshly built one, row for row, in every table both have.

const T0 = Date.UTC(2025, 2, 1, 8);
/** Bookkeeping that differs by design between two cases built at different times. */
const SKIP_TABLES = new Set(['schema_migrations', 'derived_pending', 'sqlite_sequence']);

/**
 * Columns an upgraded case keeps as the older version wrote them, by design, with the reason: they
 * are not compared for cases written before the version named.
 */
const KEPT_AS_WRITTEN: { before: number; column: string; why: string }[] = [
  {
    before: 9,
    column: 'audit_log.scheme',
    why: 'entries written before 0009 keep their scheme-1 hash over the payload text',
  },
  { before: 9, column: 'audit_log.salt', why: 'scheme-1 entries have no salt' },
  { before: 9, column: 'audit_log.hash', why: 'a scheme-1 hash covers the payload text' },
  {
    before: 19,
    column: 'access_sessions.b_raw_line',
    why: 'rows written before 0019 hold their raw lines; compared below as the lines they read as',
  },
  { before: 19, column: 'access_sessions.e_raw_line', why: 'as b_raw_line' },
  { before: 19, column: 'source_line_blocks.*', why: 'no blocks: the rows hold their lines' },
];

function compared(version: number, table: string, column: string): boolean {
  return !KEPT_AS_WRITTEN.some(
    (k) => version < k.before && (k.column === `${table}.${column}` || k.column === `${table}.*`),
  );
}

/** Every session's two raw lines as they read, whether its row or its source's blocks hold them. */
function rawLines(db: Db): unknown[] {
  const lines = new LineReader(db);
  const read = (column: string | null, source: number | null, line: number | null) =>
    column ?? (source === null || line === null ? null : lines.get(source, line));
  return (
    db
      .prepare(
        'SELECT interval_key, b_raw_line, b_source_id, b_line, e_raw_line, e_source_id, e_line FROM access_sessions ORDER BY interval_key',
      )
      .raw()
      .all() as [
      string,
      string | null,
      number | null,
      number | null,
      string | null,
      number | null,
      number | null,
    ][]
  ).map(([key, b, bs, bl, e, es, el]) => [key, read(b, bs, bl), read(e, es, el)]);
}

/**
 * A session stats blob as versions before 31 wrote it: no checkpoint spacing after the count of
 * durations, and each cell's durations as the first and the differences alone (no sum, no
 * checkpoints).
 */
function statsBlobBefore31(blob: Uint8Array): Buffer {
  const out: number[] = [];
  const uint = (v: number): void => {
    let x = v;
    while (x >= 128) {
      out.push((x % 128) | 128);
      x = Math.floor(x / 128);
    }
    out.push(x);
  };
  const cells: {
    appId: number;
    category: string;
    hours: number[];
    background: number;
    known: number;
    durations: number[];
  }[] = [];
  decodeStatsCells(blob, (v) =>
    cells.push({ ...v, hours: [...v.hours], durations: [...v.durations] }),
  );
  const categories = [...new Set(cells.map((c) => c.category))].sort();
  uint(categories.length);
  for (const c of categories) {
    const bytes = new TextEncoder().encode(c);
    uint(bytes.length);
    out.push(...bytes);
  }
  uint(cells.reduce((n, c) => n + c.durations.length, 0));
  uint(cells.length);
  for (const c of cells) {
    uint(c.appId);
    uint(categories.indexOf(c.category));
    let mask = 0;
    for (let h = 0; h < 24; h += 1) if (c.hours[h] !== 0) mask |= 1 << h;
    uint(mask);
    for (let h = 0; h < 24; h += 1) if (c.hours[h] !== 0) uint(c.hours[h]!);
    uint(c.background);
    uint(c.known);
    uint(c.durations.length);
    const section: number[] = [];
    const d = c.durations;
    if (d.length > 0) {
      const at = out.length;
      uint(d[0]! >= 0 ? d[0]! * 2 : -d[0]! * 2 - 1);
      for (let i = 1; i < d.length; i += 1) {
        const diff = d[i]! - d[i - 1]!;
        if (diff < 0xffff) out.push(diff & 255, diff >>> 8);
        else {
          out.push(255, 255);
          uint(diff);
        }
      }
      section.push(...out.splice(at));
    }
    uint(section.length);
    out.push(...section);
  }
  return Buffer.from(out);
}

/**
 * What a column held at an older version when its meaning changed since: the value an older case
 * stored, given the fresh case's row. Before version 11 an app's `display_name` held only the
 * name from the device's own backup (no catalog, no examiner names); before version 31 the
 * session stats' cells had no checkpoints.
 */
function olderValue(
  version: number,
  table: string,
  column: string,
  row: Record<string, unknown>,
): unknown {
  if (version < 11 && table === 'apps' && column === 'display_name') return row.backup_name ?? null;
  if (version < 31 && table === 'session_stats' && column === 'cells')
    return statsBlobBefore31(row.cells as Buffer);
  if (version < 19 && table === 'access_sessions' && /^[be]_raw_line$/.test(column)) {
    // A case written then held each raw line in its row.
    const p = column[0]!;
    const source = row[`${p}_source_id`] as number | null;
    const line = row[`${p}_line`] as number | null;
    return row[column] ?? (source === null || line === null ? null : freshLines.get(source, line));
  }
  return row[column];
}

let dir: string;
let fresh: Db;
let freshLines: LineReader;

function columns(db: Db, table: string): string[] {
  return (db.prepare(`PRAGMA table_info("${table}")`).all() as { name: string }[]).map(
    (c) => c.name,
  );
}

function tables(db: Db): string[] {
  return (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[]
  )
    .map((r) => r.name)
    .filter((n) => !SKIP_TABLES.has(n));
}

/** Every index of the case, with the SQL that made it (none for a constraint's own index). */
function indexes(db: Db): unknown[] {
  return db
    .prepare("SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
    .raw()
    .all();
}

function rows(db: Db, table: string, cols: string[]): unknown[] {
  const list = cols.map((c) => `"${c}"`).join(', ');
  return db.prepare(`SELECT ${list} FROM "${table}" ORDER BY ${list}`).raw().all();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'snoopscope-upgrade-'));
  fresh = new Database(join(dir, 'fresh.db'));
  migrate(fresh);
  const device = Number(
    fresh
      .prepare("INSERT INTO devices (label, platform, created_at) VALUES ('Phone', 'unknown', 1)")
      .run().lastInsertRowid,
  );
  const lines = [
    ...generateExportLines({
      intervals: 400,
      startMs: T0,
      offsetMin: 480,
      seed: 7,
      networkRows: 40,
    }),
    // A catalog app, an open session and a network row of its own.
    accessPair({
      app: 'com.tencent.xin',
      category: 'photos',
      id: 'W1',
      ms: T0,
      durationMs: 45_000,
    })[0],
    ...accessPair({
      app: 'com.tencent.xin',
      category: 'contacts',
      id: 'W2',
      ms: T0 + 9e6,
      durationMs: 44_000,
      offsetMin: 480,
    }),
    networkLine({
      app: 'com.tencent.xin',
      domain: 'weixin.qq.com',
      hits: 3,
      firstMs: T0,
      lastMs: T0 + 60_000,
      offsetMin: 480,
    }),
  ];
  const path = join(dir, 'export.ndjson');
  writeFileSync(path, `${lines.join('\n')}\n`);
  const o = await importFile({ db: fresh, path, deviceId: device });
  expect(o.status).toBe('imported');
  freshLines = new LineReader(fresh);
  // The fresh case leaves its access lines to blocks: the comparison of lines below means something.
  expect(
    (
      fresh.prepare('SELECT COUNT(*) AS n FROM access_sessions WHERE b_raw_line IS NULL').get() as {
        n: number;
      }
    ).n,
  ).toBeGreaterThan(0);
});

afterAll(() => {
  fresh.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('upgrading a case written by every earlier schema version', () => {
  it('covers every migration', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('leaves no index of the sessions by key with their places (0030): the key finds the row', () => {
    const names = (indexes(fresh) as [string, string, string | null][]).map((i) => i[1]);
    expect(names).not.toContain('access_sessions_places');
    expect(names).toContain('sqlite_autoindex_access_sessions_1');
  });

  for (const m of MIGRATIONS.slice(0, -1)) {
    it(`from version ${m.version} (${m.name}) equals a freshly built case`, () => {
      const old = new Database(':memory:');
      migrate(old, MIGRATIONS.slice(0, m.version));
      old.pragma('foreign_keys = OFF');
      const copy = old.transaction(() => {
        // The version that wrote the case filled its summary tables itself: nothing is pending.
        old.exec('DELETE FROM derived_pending');
        for (const t of tables(old)) {
          if (!tables(fresh).includes(t)) continue;
          const cols = columns(old, t).filter((c) => columns(fresh, t).includes(c));
          const data = fresh.prepare(`SELECT * FROM "${t}"`).all() as Record<string, unknown>[];
          old.prepare(`DELETE FROM "${t}"`).run();
          const insert = old.prepare(
            `INSERT INTO "${t}" (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
          );
          for (const r of data) insert.run(...cols.map((c) => olderValue(m.version, t, c, r)));
        }
      });
      copy();
      old.pragma('foreign_keys = ON');
      migrate(old);
      expect(tables(old)).toEqual(tables(fresh));
      expect(indexes(old), 'indexes').toEqual(indexes(fresh));
      for (const t of tables(fresh)) {
        const cols = columns(fresh, t);
        expect(columns(old, t), `columns of ${t}`).toEqual(cols);
        const same = cols.filter((c) => compared(m.version, t, c));
        if (same.length === 0) continue;
        expect(rows(old, t, same), `rows of ${t}`).toEqual(rows(fresh, t, same));
      }
      expect(rawLines(old), 'raw lines').toEqual(rawLines(fresh));
      expect((rawLines(fresh) as unknown[][]).every((r) => r[1] !== null || r[2] !== null)).toBe(
        true,
      );
      old.close();
    });
  }
});
