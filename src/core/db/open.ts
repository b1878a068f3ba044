import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import {
  closeSync,
  constants as fsConstants,
  copyFileSync,
  existsSync,
  linkSync,
  openSync,
  readSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { AppError } from '../model/errors';
import { MIGRATIONS } from './migrations';
import type { DerivedTable, Migration } from './migrations/types';
import { rebuildDerived } from './derived';

export type Db = Database.Database;

/** `application_id` stamped into every case file ("SNOP"), so other SQLite files are refused. */
export const CASE_APPLICATION_ID = 0x534e4f50;
export const BUSY_TIMEOUT_MS = 5000;

/** Applies the connection pragmas every case connection uses. */
function applyPragmas(db: Db): void {
  // The busy timeout first: switching to WAL takes a lock that another process may hold.
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('journal_mode = WAL');
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

/** One step of a case upgrade, as its progress reports it. */
export interface UpgradeStep {
  /** 1 for the first step. */
  index: number;
  count: number;
  /** `migrations`: a schema change; `rebuilding`: the summary tables rebuilt after them. */
  phase: 'migrations' | 'rebuilding';
  /** What the step does, in plain words ("adding half-hour columns to the timeline summary"). */
  name: string;
}

/** Hooks of a migration run: a step announced before it starts, and a cancel seen between steps. */
export interface MigrateProgress {
  onStep?: (step: UpgradeStep) => void;
  /** Checked after each step is announced, before it runs: true stops the upgrade there. */
  isCancelled?: () => boolean;
}

/** What opening a case written by an earlier version of Snoopscope does before it is usable. */
export interface UpgradePlan {
  /** The migrations not applied yet, in order. */
  migrations: Migration[];
  /** The derived tables rebuilt after them (also those an interrupted upgrade left pending). */
  rebuilds: DerivedTable[];
  /** Every step: each migration, then one rebuild of the derived tables when any. */
  steps: number;
}

const hasTable = (db: Db, name: string): boolean =>
  db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(name) !==
  undefined;

const newerCase = (newest: number, known: number): AppError =>
  new AppError(
    'CASE_INVALID',
    `This case was written by a newer version of Snoopscope (schema ${newest}; this version knows ${known}). Update Snoopscope to open it.`,
  );

/**
 * Reads what an upgrade of this case would do, without writing (a read-only connection is
 * enough): the rows of `schema_migrations` and `derived_pending`. A case written by a newer
 * version is refused with CASE_INVALID.
 */
export function upgradePlan(db: Db, migrations: readonly Migration[] = MIGRATIONS): UpgradePlan {
  const applied = new Set(
    hasTable(db, 'schema_migrations')
      ? (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(
          (r) => r.version,
        )
      : [],
  );
  const known = Math.max(0, ...migrations.map((m) => m.version));
  const newest = Math.max(0, ...applied);
  if (newest > known) throw newerCase(newest, known);
  const pending = migrations.filter((m) => !applied.has(m.version));
  const rebuilds = new Set<DerivedTable>(
    hasTable(db, 'derived_pending')
      ? (db.prepare('SELECT name FROM derived_pending').all() as { name: DerivedTable }[]).map(
          (r) => r.name,
        )
      : [],
  );
  for (const m of pending) for (const t of m.rebuilds ?? []) rebuilds.add(t);
  // Only this code's own schema has its derived tables rebuilt (see `migrate`).
  const rebuilt = known === MIGRATIONS.at(-1)?.version ? [...rebuilds] : [];
  return {
    migrations: pending,
    rebuilds: rebuilt,
    steps: pending.length + (rebuilt.length > 0 ? 1 : 0),
  };
}

/** A migration's step in plain words: its description, else its name. */
export function migrationStepName(m: Migration): string {
  return m.description ?? m.name.replace(/-/g, ' ');
}

/** The rebuild of derived tables in plain words. */
export function rebuildStepName(tables: readonly DerivedTable[]): string {
  const parts: string[] = [];
  if (tables.some((t) => t !== 'app-names')) parts.push('rebuilding the timeline summary');
  if (tables.includes('app-names')) parts.push('refreshing the app names');
  return parts.join(' and ');
}

const cancelledAt = (step: number, count: number): AppError =>
  new AppError(
    'CANCELLED',
    `The upgrade was stopped before step ${step} of ${count}; the steps before it are kept, and the upgrade continues the next time the case is opened.`,
  );

/**
 * Applies pending migrations, each in its own transaction; a failure stops with a clear error.
 * Whether a migration is still pending is checked again inside its write transaction (BEGIN
 * IMMEDIATE), so when two processes open the case at once the second waits for the first and
 * then finds the migration applied instead of applying it twice. `progress` hears each step
 * before it runs and may stop the upgrade between steps (CANCELLED).
 */
export function migrate(
  db: Db,
  migrations: readonly Migration[] = MIGRATIONS,
  progress: MigrateProgress = {},
): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`);
  // Derived tables a migration asked to rebuild; kept until rebuilt, so an interrupted upgrade
  // rebuilds them the next time the case is opened.
  db.exec('CREATE TABLE IF NOT EXISTS derived_pending (name TEXT PRIMARY KEY) STRICT');
  // A hint read without a lock: a version listed here stays applied; one missing is checked again.
  const plan = upgradePlan(db, migrations);
  const isApplied = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?');
  const markPending = db.prepare('INSERT OR IGNORE INTO derived_pending (name) VALUES (?)');
  const known = Math.max(0, ...migrations.map((m) => m.version));
  const announce = (index: number, phase: UpgradeStep['phase'], name: string): void => {
    progress.onStep?.({ index, count: plan.steps, phase, name });
    if (progress.isCancelled?.()) throw cancelledAt(index, plan.steps);
  };
  for (const [i, m] of plan.migrations.entries()) {
    announce(i + 1, 'migrations', migrationStepName(m));
    const run = db.transaction(() => {
      if (isApplied.get(m.version) !== undefined) return;
      db.exec(m.up);
      for (const t of m.rebuilds ?? []) markPending.run(t);
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
  // Only once the schema is the one this code knows are derived tables rebuilt by this code.
  if (known === MIGRATIONS.at(-1)?.version) {
    // Announced inside the rebuild's transaction: a stop from then on rolls the rebuild back.
    rebuildPending(db, (names) => announce(plan.steps, 'rebuilding', rebuildStepName(names)));
  }
  return known;
}

/**
 * Rebuilds the derived tables migrations asked for, in one transaction; `begin` is told which,
 * once that transaction holds the write lock.
 */
function rebuildPending(db: Db, begin?: (names: DerivedTable[]) => void): void {
  const rebuild = db.transaction(() => {
    const names = (db.prepare('SELECT name FROM derived_pending').all() as { name: string }[]).map(
      (r) => r.name as DerivedTable,
    );
    if (names.length === 0) return;
    begin?.(names);
    rebuildDerived(db, names);
    db.exec('DELETE FROM derived_pending');
  });
  try {
    rebuild.immediate();
  } catch (e) {
    if (e instanceof AppError && e.code === 'CANCELLED') throw e;
    throw new AppError(
      'MIGRATION_FAILED',
      `Rebuilding the case's summary tables after its upgrade failed and was rolled back; they are rebuilt the next time the case is opened. ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
  }
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

const alreadyExists = (path: string): AppError =>
  new AppError('CONFLICT', `A file already exists at ${path}; choose another name or open it.`);

/**
 * Makes an open connection a case: stamps the application id (unless another process already
 * did), applies every migration, and, once per file, records its name and creation time and runs
 * `seed` in the same transaction (e.g. the audit entry of its creation). Returns whether this
 * connection was the one that seeded it.
 */
function initialiseCase(db: Db, name: string, seed?: (db: Db) => void): boolean {
  applyPragmas(db);
  db.transaction(() => {
    const appId = db.pragma('application_id', { simple: true }) as number;
    if (appId === CASE_APPLICATION_ID) return;
    const tables = db.prepare('SELECT COUNT(*) AS n FROM sqlite_schema').get() as { n: number };
    if (appId !== 0 || tables.n > 0)
      throw new AppError('CASE_INVALID', `${db.name} is an SQLite database but not a case file.`);
    db.pragma(`application_id = ${CASE_APPLICATION_ID}`);
  }).immediate();
  migrate(db);
  return db
    .transaction(() => {
      if (db.prepare("SELECT 1 FROM case_meta WHERE key = 'created_at'").get()) return false;
      const put = db.prepare('INSERT INTO case_meta (key, value) VALUES (?, ?)');
      put.run('name', name);
      put.run('created_at', String(Date.now()));
      seed?.(db);
      return true;
    })
    .immediate();
}

/** A private, not yet used path beside `path` where a case is built before it appears there. */
export function pendingCasePath(path: string): string {
  return join(
    dirname(path),
    `.${basename(path)}.${process.pid}-${randomUUID().slice(0, 8)}.creating`,
  );
}

/** Removes a case file built at a pending path, with its write-ahead log and shared memory. */
export function removePendingCase(tempPath: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    try {
      rmSync(tempPath + suffix, { force: true });
    } catch {
      // Best effort: a file still open on Windows stays; it is hidden and never opened as a case.
    }
  }
}

/**
 * Builds a complete case file (every migration applied, `seed` run) at `tempPath`, which must
 * not exist yet, and returns the open connection to it.
 */
export function buildCaseFile(tempPath: string, name: string, seed?: (db: Db) => void): Db {
  let db: Db;
  try {
    // Exclusive creation: a path that exists is never reused.
    closeSync(openSync(tempPath, 'wx', 0o666));
    db = new Database(tempPath);
  } catch (e) {
    throw new AppError(
      'IO_ERROR',
      `Cannot create the case file in ${dirname(tempPath)}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  try {
    initialiseCase(db, name, seed);
    return db;
  } catch (e) {
    db.close();
    removePendingCase(tempPath);
    throw describeSqliteError(e) ?? e;
  }
}

/**
 * Makes the closed case at `tempPath` appear at `path` in one step, only if nothing is there yet
 * (a hard link, which fails when the name is taken), then removes the pending name. Throws
 * CONFLICT when a file appeared at `path` meanwhile; the pending case is left for the caller.
 */
export function publishCaseFile(tempPath: string, path: string): void {
  try {
    linkSync(tempPath, path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'EEXIST') throw alreadyExists(path);
    // File systems without hard links (FAT, exFAT, some shares): an exclusive copy.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') {
      try {
        copyFileSync(tempPath, path, fsConstants.COPYFILE_EXCL);
      } catch (c) {
        if ((c as { code?: string }).code === 'EEXIST') throw alreadyExists(path);
        throw new AppError(
          'IO_ERROR',
          `Cannot create the case file at ${path}: ${(c as Error).message}`,
          { cause: c },
        );
      }
    } else {
      throw new AppError(
        'IO_ERROR',
        `Cannot create the case file at ${path}: ${(e as Error).message}`,
        { cause: e },
      );
    }
  }
  removePendingCase(tempPath);
}

/**
 * Creates a new case file and applies all migrations. Refuses to overwrite an existing file. The
 * case is built under a private name and appears at `path` complete, so another process never
 * opens a half-made case; when two create the same path at once, one gets CONFLICT. An existing
 * empty file (a placeholder) is made a case in place.
 */
export function createCaseDatabase(path: string, name: string, seed?: (db: Db) => void): Db {
  if (existsSync(path)) {
    if (statSync(path).size > 0 || !statSync(path).isFile()) throw alreadyExists(path);
    return createInPlace(path, name, seed);
  }
  const temp = pendingCasePath(path);
  try {
    buildCaseFile(temp, name, seed).close();
    publishCaseFile(temp, path);
  } finally {
    removePendingCase(temp);
  }
  return openCaseDatabase(path);
}

function createInPlace(path: string, name: string, seed?: (db: Db) => void): Db {
  let db: Db;
  try {
    db = new Database(path, { fileMustExist: true });
  } catch (e) {
    throw new AppError(
      'IO_ERROR',
      `Cannot create the case file at ${path}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  try {
    initialiseCase(db, name, seed);
    return db;
  } catch (e) {
    db.close();
    throw describeSqliteError(e) ?? e;
  }
}

/** How `openCaseDatabase` opens a case. */
export interface OpenCaseOptions {
  readonly?: boolean;
  /**
   * `apply` (the default: the command line, tests): pending migrations are applied here.
   * `refuse` (workers): a case that needs an upgrade is refused with CONFLICT, unchanged; only
   * the app's own upgrade runs it.
   */
  upgrade?: 'apply' | 'refuse';
  /** Hears each step of an upgrade and may stop it between steps. */
  progress?: MigrateProgress;
}

/** Opens an existing case file, checks that it is one, and applies pending migrations. */
export function openCaseDatabase(path: string, options: OpenCaseOptions = {}): Db {
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
      if (options.upgrade === 'refuse') {
        if (upgradePlan(db).steps > 0) throw needsUpgrade(path);
      } else {
        migrate(db, MIGRATIONS, options.progress);
      }
    }
    return db;
  } catch (e) {
    db.close();
    throw describeSqliteError(e) ?? e;
  }
}

const needsUpgrade = (path: string): AppError =>
  new AppError(
    'CONFLICT',
    `${path} was written by an earlier version of Snoopscope and must be upgraded first; open it in the app or with a snoopscope command, which upgrade it.`,
  );

/** Current schema version of an open case. */
export function schemaVersion(db: Db): number {
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as {
    v: number | null;
  };
  return row.v ?? 0;
}
