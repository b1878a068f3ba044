import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { patchWalHeader } from '../../formats/ios-backup-crypto/decrypt';
import { readMbFile } from '../../formats/plist/keyed-archive';
import { describeFileHead } from '../describe-file';
import { EvidenceFileError, EvidenceFolder } from '../evidence-file';

/** The file index of a backup (iOS ≥ 10), opened from memory: nothing is written beside the backup. */
export interface BackupManifest {
  db: Database.Database;
  /** Problems found while opening, in plain words (e.g. a -wal file that is not applied). */
  problems: string[];
  close(): void;
}

export interface ManifestRow {
  fileId: string;
  domain: string;
  relativePath: string;
  flags: number;
  file: Uint8Array | null;
}

/** `Manifest.db` cannot serve as the backup's index; the message names the file and the reason. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

/** The fileID of a backed-up file: sha1 of `domain-relativePath` (reference §2). */
export function fileIdFor(domain: string, relativePath: string): string {
  return createHash('sha1').update(`${domain}-${relativePath}`).digest('hex');
}

const SQLITE_HEADER = 'SQLite format 3\0';

/** The refusal of an index file that could not be read from the backup folder. */
export function indexUnreadable(e: EvidenceFileError): ManifestError {
  const access =
    e.errno === 'EACCES' || e.errno === 'EPERM'
      ? ' On macOS, backups are protected: give Snoopscope Full Disk Access in System Settings › Privacy & Security, or copy the backup folder elsewhere.'
      : '';
  return new ManifestError(
    `${e.message} Manifest.db is the backup's index, so no backed-up file can be found.${access}`,
  );
}
const FILES_COLUMNS = ['fileID', 'domain', 'relativePath', 'flags', 'file'] as const;
// Rows whose identifying columns are not text cannot name a file: they are left out everywhere.
const TEXT_ROWS =
  "typeof(fileID) = 'text' AND typeof(domain) = 'text' AND typeof(relativePath) = 'text'";

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Opens `Manifest.db` from a copy in memory (decrypted bytes may be passed for encrypted backups).
 * A `Manifest.db-wal` beside it holds committed pages not in the main file: it is reported.
 * An index that cannot be used at all throws ManifestError; a damaged one whose rows can partly
 * be read is used with a problem saying so.
 */
export async function openManifest(
  backupDir: string,
  decrypted?: Uint8Array,
): Promise<BackupManifest> {
  const problems: string[] = [];
  let bytes: Uint8Array;
  if (decrypted) {
    bytes = decrypted;
  } else {
    try {
      bytes = (await (await EvidenceFolder.at(backupDir)).read('Manifest.db')).bytes;
    } catch (e) {
      if (e instanceof EvidenceFileError) throw indexUnreadable(e);
      throw e;
    }
  }
  const wal = await lstat(join(backupDir, 'Manifest.db-wal')).catch(() => null);
  if (wal) {
    problems.push(
      'Manifest.db-wal is present: changes it holds that were not checkpointed into Manifest.db are not read.',
    );
  }
  const index = openManifestBytes(bytes, decrypted ? 'The decrypted Manifest.db' : 'Manifest.db');
  return { ...index, problems: [...problems, ...index.problems] };
}

/** Opens index bytes already in memory; see {@link openManifest}. */
export function openManifestBytes(bytes: Uint8Array, name = 'Manifest.db'): BackupManifest {
  if (bytes.length === 0)
    throw new ManifestError(`${name} is empty (0 bytes), so the backup's files cannot be found.`);
  if (Buffer.from(bytes.subarray(0, 16)).toString('latin1') !== SQLITE_HEADER) {
    throw new ManifestError(
      `${name} is not a SQLite database (it looks like ${describeFileHead(bytes.subarray(0, 512))}), so the backup's files cannot be found.`,
    );
  }
  let db: Database.Database;
  try {
    // A WAL-mode header (common on iOS) will not open from memory; the copy is set to rollback mode.
    db = new Database(Buffer.from(patchWalHeader(bytes)));
  } catch (e) {
    throw new ManifestError(`${name} cannot be opened as a SQLite database (${message(e)}).`);
  }
  try {
    return checkIndex(db, name);
  } catch (e) {
    db.close();
    throw e;
  }
}

function checkIndex(db: Database.Database, name: string): BackupManifest {
  const problems: string[] = [];
  let tables: string[];
  try {
    tables = (
      db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as { name: string }[]
    ).map((t) => String(t.name));
  } catch (e) {
    throw new ManifestError(
      `${name} is damaged: its list of tables cannot be read (${message(e)}), so the backup's files cannot be found.`,
    );
  }
  if (!tables.includes('Files')) {
    const shown = tables.slice(0, 8).join(', ');
    throw new ManifestError(
      `${name} has no Files table (${shown ? `its tables: ${shown}${tables.length > 8 ? ', …' : ''}` : 'it holds no tables'}); it is not a backup index.`,
    );
  }
  let columns: string[];
  try {
    columns = (db.prepare('PRAGMA table_info(Files)').all() as { name: string }[]).map((c) =>
      String(c.name),
    );
  } catch (e) {
    throw new ManifestError(`${name} is damaged: its Files table cannot be read (${message(e)}).`);
  }
  const missing = FILES_COLUMNS.filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    throw new ManifestError(
      `${name}'s Files table has no ${missing.join(', ')} column${missing.length > 1 ? 's' : ''} (it has ${columns.join(', ') || 'none'}); it is not a backup index.`,
    );
  }
  let verdict: string;
  try {
    const rows = db.pragma('quick_check(3)') as { quick_check: string }[];
    // SQLite's report spans lines (`*** in database main ***`); a message is one line.
    verdict = rows.map((r) => r.quick_check.replace(/\s+/g, ' ').trim()).join('; ');
  } catch (e) {
    verdict = message(e);
  }
  if (verdict !== 'ok') {
    const salvaged = salvage(db);
    db.close();
    if (salvaged.rows === 0) {
      salvaged.db.close();
      throw new ManifestError(
        `${name} is damaged (${verdict}) and none of its Files rows can be read, so the backup's files cannot be found.`,
      );
    }
    problems.push(
      `${name} is damaged (${verdict}): ${salvaged.rows} rows of its Files table could be read and are used; files listed in the damaged part are not read.`,
    );
    db = salvaged.db;
  }
  const odd = countOddRows(db);
  if (odd > 0)
    problems.push(
      `${odd} row${odd === 1 ? '' : 's'} of ${name}'s Files table ${odd === 1 ? 'has' : 'have'} a fileID, domain or relativePath that is not text; ${odd === 1 ? 'it is' : 'they are'} skipped.`,
    );
  const open = db;
  return { db: open, problems, close: () => open.close() };
}

function countOddRows(db: Database.Database): number {
  try {
    return Number(
      (
        db.prepare(`SELECT count(*) AS n FROM Files WHERE NOT (${TEXT_ROWS})`).get() as {
          n: number;
        }
      ).n,
    );
  } catch {
    return 0;
  }
}

/**
 * Copies the Files rows that can still be read out of a damaged index: a forward scan until the
 * first unreadable page, then a backward scan from the end, so rows on both sides of the damage
 * are kept.
 */
function salvage(damaged: Database.Database): { db: Database.Database; rows: number } {
  const db = new Database(':memory:');
  db.exec(
    'CREATE TABLE Files (fileID TEXT, domain TEXT, relativePath TEXT, flags INTEGER, file BLOB)',
  );
  const insert = db.prepare('INSERT INTO Files VALUES (?, ?, ?, ?, ?)');
  const seen = new Set<number>();
  const copy = (sql: string): void => {
    try {
      for (const r of damaged.prepare(sql).iterate() as IterableIterator<{
        id: number | bigint | null;
        fileID: unknown;
        domain: unknown;
        relativePath: unknown;
        flags: unknown;
        file: unknown;
      }>) {
        const id = r.id === null ? null : Number(r.id);
        if (id !== null) {
          if (seen.has(id)) return;
          seen.add(id);
        }
        insert.run(
          cell(r.fileID),
          cell(r.domain),
          cell(r.relativePath),
          cell(r.flags),
          r.file instanceof Uint8Array ? r.file : null,
        );
      }
    } catch {
      // The scan stops at the first page that cannot be read.
    }
  };
  const columns = 'fileID, domain, relativePath, flags, file';
  let hasRowid = true;
  try {
    damaged.prepare('SELECT rowid FROM Files LIMIT 0');
  } catch {
    hasRowid = false;
  }
  if (hasRowid) {
    copy(`SELECT rowid AS id, ${columns} FROM Files ORDER BY rowid`);
    copy(`SELECT rowid AS id, ${columns} FROM Files ORDER BY rowid DESC`);
  } else {
    copy(`SELECT NULL AS id, ${columns} FROM Files`);
  }
  const rows = Number((db.prepare('SELECT count(*) AS n FROM Files').get() as { n: number }).n);
  db.exec('CREATE INDEX FilesDomainIdx ON Files (domain, relativePath)');
  return { db, rows };
}

function cell(v: unknown): string | number | bigint | Buffer | null {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint') return v;
  if (v instanceof Uint8Array) return Buffer.from(v);
  return null;
}

interface RawRow {
  fileID: unknown;
  domain: unknown;
  relativePath: unknown;
  flags: unknown;
  file: unknown;
}

/** One index row with the types the backup format gives it, or null when a column is not. */
export function manifestRowOf(r: RawRow): ManifestRow | null {
  if (
    typeof r.fileID !== 'string' ||
    typeof r.domain !== 'string' ||
    typeof r.relativePath !== 'string'
  )
    return null;
  const flags = typeof r.flags === 'bigint' ? Number(r.flags) : r.flags;
  return {
    fileId: r.fileID,
    domain: r.domain,
    relativePath: r.relativePath,
    flags: typeof flags === 'number' ? flags : Number.NaN,
    file: r.file instanceof Uint8Array ? r.file : null,
  };
}

/** Every row of the index, streamed (rows whose names are not text are left out). */
export function* manifestRows(m: BackupManifest): Generator<ManifestRow> {
  const stmt = m.db.prepare(
    `SELECT fileID, domain, relativePath, flags, file FROM Files WHERE ${TEXT_ROWS}`,
  );
  for (const r of stmt.iterate() as IterableIterator<RawRow>) {
    const row = manifestRowOf(r);
    if (row) yield row;
  }
}

/** The rows of regular files (flags 1) in a domain whose path starts with a prefix, by path. */
export function listManifestRows(
  m: BackupManifest,
  domain: string,
  pathPrefix: string,
): ManifestRow[] {
  const rows = m.db
    .prepare(
      `SELECT fileID, domain, relativePath, flags, file FROM Files
       WHERE ${TEXT_ROWS} AND domain = ? AND flags = 1 AND substr(relativePath, 1, length(?)) = ?
       ORDER BY relativePath`,
    )
    .all(domain, pathPrefix, pathPrefix) as RawRow[];
  return rows.map(manifestRowOf).filter((r): r is ManifestRow => r !== null);
}

/** The row of one file by domain and path, or null. */
export function findManifestRow(
  m: BackupManifest,
  domain: string,
  relativePath: string,
): ManifestRow | null {
  const r = m.db
    .prepare(
      `SELECT fileID, domain, relativePath, flags, file FROM Files
       WHERE ${TEXT_ROWS} AND domain = ? AND relativePath = ?`,
    )
    .get(domain, relativePath) as RawRow | undefined;
  return r ? manifestRowOf(r) : null;
}

/**
 * The device's IANA time zone at backup time: the target of the `timezone/localtime` symlink
 * recorded in DatabaseDomain (reference §10), e.g. `/var/db/timezone/zoneinfo/America/Vancouver`.
 * An entry that cannot be decoded is reported in `problems` and gives no zone.
 */
export function timeZoneFromManifest(m: BackupManifest, problems: string[] = []): string | null {
  const row = findManifestRow(m, 'DatabaseDomain', 'timezone/localtime');
  if (!row?.file) return null;
  let target: string | null;
  try {
    target = readMbFile(row.file).target;
  } catch (e) {
    problems.push(
      `Manifest.db's entry for DatabaseDomain timezone/localtime cannot be decoded (${message(e)}); the time zone is not taken from the backup.`,
    );
    return null;
  }
  const at = target?.indexOf('zoneinfo/') ?? -1;
  if (!target || at < 0) return null;
  const zone = target.slice(at + 'zoneinfo/'.length);
  return /^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/.test(zone) ? zone : null;
}

/** Bundle ids known from `AppDomain-*` domains (includes apps not from the App Store). */
export function appsFromDomains(m: BackupManifest): string[] {
  return (
    m.db
      .prepare(
        `SELECT DISTINCT domain FROM Files WHERE ${TEXT_ROWS} AND domain LIKE 'AppDomain-%' ORDER BY domain`,
      )
      .all() as { domain: string }[]
  )
    .map((r) => r.domain.slice('AppDomain-'.length))
    .filter((id) => id !== '');
}
