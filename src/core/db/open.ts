import Database from 'better-sqlite3';
import { existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { AppError } from '../model/errors';
import { MIGRATIONS } from './migrations';
import type { Migration } from './migrations/types';

export type Db = Database.Database;

/** `application_id` stamped into every case file ("SNOP"), so other SQLite files are refused. */
export const CASE_APPLICATION_ID = 0x534e4f50;
export const BUSY_TIMEOUT_MS = 5000;

/** Applies the connection pragmas every case connection uses. */
function applyPragmas(db: Db): void {
  db.pragma('journal_mode = WAL');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  // A larger page cache keeps the interval-key indexes in memory while a large export is written.
  db.pragma('cache_size = -32768');
}

function readHead(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(100);
    const n = readSync(fd, buf, 0, 100, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** Applies pending migrations, each in its own transaction; a failure stops with a clear error. */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`);
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(
      (r) => r.version,
    ),
  );
  const known = Math.max(0, ...migrations.map((m) => m.version));
  const newest = Math.max(0, ...applied);
  if (newest > known) {
    throw new AppError(
      'CASE_INVALID',
      `This case was written by a newer version of Snoopscope (schema ${newest}; this version knows ${known}). Update Snoopscope to open it.`,
    );
  }
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    const run = db.transaction(() => {
      db.exec(m.up);
      m.fill?.(db);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        Date.now(),
      );
    });
    try {
      run.immediate();
    } catch (e) {
      throw new AppError(
        'MIGRATION_FAILED',
        `Migration ${String(m.version).padStart(4, '0')}-${m.name} failed and was rolled back; the case file was not changed by it. ${e instanceof Error ? e.message : String(e)}`,
        { cause: e },
      );
    }
  }
  return known;
}

/** Translates SQLite's busy/locked errors into a clear message. */
export function describeSqliteError(e: unknown): AppError | null {
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code === 'SQLITE_BUSY_SNAPSHOT') {
    return new AppError(
      'CASE_BUSY',
      'The case file is busy: another program (the app or the CLI) is writing to it. Try again when it has finished.',
      { cause: e },
    );
  }
  return null;
}

/** Creates a new case file and applies all migrations. Refuses to overwrite an existing file. */
export function createCaseDatabase(path: string, name: string): Db {
  if (existsSync(path) && statSync(path).size > 0) {
    throw new AppError(
      'CONFLICT',
      `A file already exists at ${path}; choose another name or open it.`,
    );
  }
  let db: Db;
  try {
    db = new Database(path);
  } catch (e) {
    throw new AppError(
      'IO_ERROR',
      `Cannot create the case file at ${path}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  try {
    applyPragmas(db);
    db.pragma(`application_id = ${CASE_APPLICATION_ID}`);
    migrate(db);
    const put = db.prepare('INSERT OR REPLACE INTO case_meta (key, value) VALUES (?, ?)');
    put.run('name', name);
    put.run('created_at', String(Date.now()));
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/** Opens an existing case file, checks that it is one, and applies pending migrations. */
export function openCaseDatabase(path: string, options: { readonly?: boolean } = {}): Db {
  if (!existsSync(path)) throw new AppError('NOT_FOUND', `No case file at ${path}.`);
  const head = readHead(path);
  if (head.length > 0 && !head.subarray(0, 16).equals(Buffer.from('SQLite format 3\0', 'latin1'))) {
    throw new AppError(
      'CASE_INVALID',
      `${path} is not a Snoopscope case file (it is not an SQLite database).`,
    );
  }
  let db: Db;
  try {
    db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: true });
  } catch (e) {
    throw new AppError('IO_ERROR', `Cannot open ${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    const appId = db.pragma('application_id', { simple: true }) as number;
    if (appId !== CASE_APPLICATION_ID) {
      throw new AppError(
        'CASE_INVALID',
        `${path} is an SQLite database but not a Snoopscope case file.`,
      );
    }
    if (options.readonly) {
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    } else {
      applyPragmas(db);
      migrate(db);
    }
    return db;
  } catch (e) {
    db.close();
    throw describeSqliteError(e) ?? e;
  }
}

/** Current schema version of an open case. */
export function schemaVersion(db: Db): number {
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as {
    v: number | null;
  };
  return row.v ?? 0;
}
