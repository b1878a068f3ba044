// The storage bound: the least time an import can take on one thread while it keeps what the
// views read. It is measured after an import, from the case that import wrote: the rows the views
// read (every access session, and the day, week and four-week cells of the rollup and of the
// sessions by app state) are read out beforehand, so nothing is paired, counted, checked or looked
// up; they are then inserted into a fresh copy of those tables holding only their keys, and every
// other index is built once, by one sort, at the end. Before that, the caller's reading is timed:
// the reading the floor also does (the stream, its hash, the parse of each line), with the raw
// lines kept in compressed blocks, as the line store keeps them. An import that also pairs edges,
// validates records and keeps its summaries cannot take less than the sum.
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';

/** The tables the views read that an import fills, largest first. */
const TABLES = ['access_sessions', 'session_rollup', 'session_state_rollup'] as const;

/** The tables the sessions' foreign keys name, and the columns that name them. */
const PARENTS = [
  ['devices', ['device_id']],
  ['apps', ['app_id']],
  ['sources', ['b_source_id', 'e_source_id']],
] as const;
const FOREIGN_KEYS = PARENTS.flatMap(([, columns]) => columns);

/** The raw lines of a source, kept as the line store keeps them: 64 KiB blocks, deflated at level 1. */
class LineBlocks {
  private lines: string[] = [];
  private bytes = 0;
  readonly blocks: Buffer[] = [];

  add(line: string): void {
    this.lines.push(line);
    this.bytes += line.length + 1;
    if (this.bytes >= 64 * 1024) this.flush();
  }

  flush(): void {
    if (this.lines.length === 0) return;
    this.blocks.push(deflateRawSync(this.lines.join('\n'), { level: 1 }));
    this.lines = [];
    this.bytes = 0;
  }
}

interface TableRows {
  name: string;
  /** CREATE TABLE, with its primary key and UNIQUE constraints. */
  create: string;
  /** CREATE INDEX of every other index. */
  indexes: string[];
  /** The column lists rows are inserted with: each row names only the values off its default. */
  shapes: string[][];
  /** Each row's shape and its values in that shape's order. */
  rows: { shape: number; values: unknown[] }[];
  /** The largest id each foreign-key column names. */
  maxIds: Record<string, number>;
}

/** A column's default as the value a row holds when it is left out (`DEFAULT 0`, `'unknown'`, none). */
function defaultValue(sql: string | null): unknown {
  if (sql === null) return null;
  const quoted = /^'(.*)'$/s.exec(sql);
  return quoted ? quoted[1]!.replaceAll("''", "'") : Number(sql);
}

/**
 * The rows the views read, read out of a case an import wrote. Each row keeps only its values
 * that differ from the column's default, as the import binds only those (a summary cell binds
 * the few hours it counts, not all of its 125 sums).
 */
function readViewRows(casePath: string): TableRows[] {
  const db = new Database(casePath, { readonly: true });
  try {
    return TABLES.map((name) => {
      const create = db
        .prepare(`SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?`)
        .pluck()
        .get(name) as string;
      const indexes = db
        .prepare(
          `SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`,
        )
        .pluck()
        .all(name) as string[];
      const info = db.pragma(`table_info(${name})`) as {
        name: string;
        dflt_value: string | null;
      }[];
      const names = info.map((c) => c.name);
      const defaults = info.map((c) => defaultValue(c.dflt_value));
      const shapes: string[][] = [];
      const shapeIds = new Map<string, number>();
      const rows: TableRows['rows'] = [];
      const maxIds: Record<string, number> = {};
      const fk = FOREIGN_KEYS.map((c) => names.indexOf(c));
      for (const r of db.prepare(`SELECT * FROM ${name}`).raw().iterate() as Iterable<unknown[]>) {
        const at: number[] = [];
        for (let i = 0; i < r.length; i += 1)
          if (names[i] !== 'id' && r[i] !== defaults[i]) at.push(i);
        const key = at.join(',');
        let shape = shapeIds.get(key);
        if (shape === undefined) {
          shape = shapes.length;
          shapes.push(at.map((i) => names[i]!));
          shapeIds.set(key, shape);
        }
        rows.push({ shape, values: at.map((i) => r[i]) });
        fk.forEach((i, k) => {
          if (i >= 0)
            maxIds[FOREIGN_KEYS[k]!] = Math.max(maxIds[FOREIGN_KEYS[k]!] ?? 0, Number(r[i] ?? 0));
        });
      }
      return { name, create, indexes, shapes, rows, maxIds };
    });
  } finally {
    db.close();
  }
}

/**
 * Writes the rows into a fresh case of the same tables (the parents their foreign keys name hold
 * one row each, or every app id) in one transaction: the lines' blocks, then every row with its
 * keys only, then every other index by one sort. Returns the seconds of the insert and of the
 * indexes with the commit.
 */
function storeViewRows(
  tables: TableRows[],
  blocks: readonly Buffer[],
  path: string,
): { insertSeconds: number; indexSeconds: number } {
  // Wall time: the part runs on this thread alone (its CPU time is the same within noise).
  for (const s of ['', '-wal', '-shm']) rmSync(path + s, { force: true });
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // A page cache that holds the whole sort, so the bound never waits on temporary files.
    db.pragma('cache_size = -1048576');
    db.exec('CREATE TABLE blocks (id INTEGER PRIMARY KEY, body BLOB NOT NULL)');
    // The parents the sessions' foreign keys name: every id up to the largest one used.
    const sessions = tables.find((t) => t.name === 'access_sessions');
    for (const [parent, columns] of PARENTS) {
      db.exec(`CREATE TABLE ${parent} (id INTEGER PRIMARY KEY)`);
      let max = 0;
      for (const c of columns) max = Math.max(max, sessions?.maxIds[c] ?? 0);
      const add = db.prepare(`INSERT INTO ${parent} VALUES (?)`);
      for (let id = 1; id <= max; id += 1) add.run(id);
    }
    for (const t of tables) db.exec(t.create);
    const inserts = tables.map((t) =>
      t.shapes.map((columns) =>
        db.prepare(
          `INSERT INTO ${t.name} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
        ),
      ),
    );
    const t0 = performance.now();
    db.exec('BEGIN');
    const block = db.prepare('INSERT INTO blocks (body) VALUES (?)');
    for (const b of blocks) block.run(b);
    tables.forEach((t, k) => {
      const insert = inserts[k]!;
      for (const r of t.rows) insert[r.shape]!.run(...r.values);
    });
    const t1 = performance.now();
    for (const t of tables) for (const sql of t.indexes) db.exec(sql);
    db.exec('COMMIT');
    db.pragma('wal_checkpoint(TRUNCATE)');
    return { insertSeconds: (t1 - t0) / 1000, indexSeconds: (performance.now() - t1) / 1000 };
  } finally {
    db.close();
    for (const s of ['', '-wal', '-shm']) rmSync(path + s, { force: true });
  }
}

/** What a bound measured: its seconds and their parts, the lines read, the rows stored per table. */
export interface BoundFigures {
  seconds: number;
  readSeconds: number;
  insertSeconds: number;
  indexSeconds: number;
  lines: number;
  tables: Record<string, number>;
}

/**
 * The storage bound of the import that wrote `casePath`, stored into a scratch file at `dbPath`.
 * `read` does the floor's reading of the input, handing each raw line to `keep`, and returns the
 * lines it counted; it is timed with the lines' blocks, then the rows are stored.
 */
export async function measureBound(
  casePath: string,
  dbPath: string,
  read: (keep: (line: string) => void) => Promise<number>,
): Promise<BoundFigures> {
  const tables = readViewRows(casePath);
  const t0 = performance.now();
  const blocks = new LineBlocks();
  const lines = await read((line) => blocks.add(line));
  blocks.flush();
  const readSeconds = (performance.now() - t0) / 1000;
  const stored = storeViewRows(tables, blocks.blocks, dbPath);
  return {
    seconds: readSeconds + stored.insertSeconds + stored.indexSeconds,
    readSeconds,
    ...stored,
    lines,
    tables: Object.fromEntries(tables.map((t) => [t.name, t.rows.length])),
  };
}

/** What the bench prints of a bound after its seconds, beside the floor's and the import's. */
export function boundText(b: BoundFigures, floorSeconds: number, importSeconds: number): string {
  const sessions = b.tables.access_sessions ?? 0;
  const cells = (b.tables.session_rollup ?? 0) + (b.tables.session_state_rollup ?? 0);
  return (
    `${(b.seconds / floorSeconds).toFixed(2)}x the floor: the least this storage takes on one thread ` +
    `(the floor's reading, the lines kept compressed, then the ${sessions.toLocaleString('en-US')} ` +
    `sessions and ${cells.toLocaleString('en-US')} summary cells the views read stored with their ` +
    `keys and indexed by one sort each: reading ${b.readSeconds.toFixed(2)} s, inserts ` +
    `${b.insertSeconds.toFixed(2)} s, indexes and commit ${b.indexSeconds.toFixed(2)} s); the ` +
    `import is ${(importSeconds / b.seconds).toFixed(2)}x it`
  );
}
