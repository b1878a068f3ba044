import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { patchWalHeader } from '../../formats/ios-backup-crypto/decrypt';
import { readMbFile } from '../../formats/plist/keyed-archive';

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

/** The fileID of a backed-up file: sha1 of `domain-relativePath` (reference §2). */
export function fileIdFor(domain: string, relativePath: string): string {
  return createHash('sha1').update(`${domain}-${relativePath}`).digest('hex');
}

/**
 * Opens `Manifest.db` from a copy in memory (decrypted bytes may be passed for encrypted backups).
 * A `Manifest.db-wal` beside it holds committed pages not in the main file: it is reported.
 */
export async function openManifest(
  backupDir: string,
  decrypted?: Uint8Array,
): Promise<BackupManifest> {
  const problems: string[] = [];
  const bytes = decrypted ?? (await readFile(join(backupDir, 'Manifest.db')));
  if (existsSync(join(backupDir, 'Manifest.db-wal'))) {
    problems.push(
      'Manifest.db-wal is present: changes it holds that were not checkpointed into Manifest.db are not read.',
    );
  }
  // A WAL-mode header (common on iOS) will not open from memory; the copy is set to rollback mode.
  const db = new Database(Buffer.from(patchWalHeader(bytes)));
  const tables = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name = 'Files'")
    .get();
  if (!tables) {
    db.close();
    throw new Error('Manifest.db has no Files table; it is not a backup index.');
  }
  return { db, problems, close: () => db.close() };
}

/** Every row of the index, streamed. */
export function* manifestRows(m: BackupManifest): Generator<ManifestRow> {
  const stmt = m.db.prepare('SELECT fileID, domain, relativePath, flags, file FROM Files');
  for (const r of stmt.iterate() as IterableIterator<{
    fileID: string;
    domain: string;
    relativePath: string;
    flags: number;
    file: Buffer | null;
  }>) {
    yield {
      fileId: r.fileID,
      domain: r.domain,
      relativePath: r.relativePath,
      flags: r.flags,
      file: r.file,
    };
  }
}

/** The row of one file by domain and path, or null. */
export function findManifestRow(
  m: BackupManifest,
  domain: string,
  relativePath: string,
): ManifestRow | null {
  const r = m.db
    .prepare(
      'SELECT fileID, domain, relativePath, flags, file FROM Files WHERE domain = ? AND relativePath = ?',
    )
    .get(domain, relativePath) as
    | { fileID: string; domain: string; relativePath: string; flags: number; file: Buffer | null }
    | undefined;
  return r
    ? {
        fileId: r.fileID,
        domain: r.domain,
        relativePath: r.relativePath,
        flags: r.flags,
        file: r.file,
      }
    : null;
}

/**
 * The device's IANA time zone at backup time: the target of the `timezone/localtime` symlink
 * recorded in DatabaseDomain (reference §10), e.g. `/var/db/timezone/zoneinfo/America/Vancouver`.
 */
export function timeZoneFromManifest(m: BackupManifest): string | null {
  const row = findManifestRow(m, 'DatabaseDomain', 'timezone/localtime');
  if (!row?.file) return null;
  const target = readMbFile(row.file).target;
  const at = target?.indexOf('zoneinfo/') ?? -1;
  if (!target || at < 0) return null;
  const zone = target.slice(at + 'zoneinfo/'.length);
  return /^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/.test(zone) ? zone : null;
}

/** Bundle ids known from `AppDomain-*` domains (includes apps not from the App Store). */
export function appsFromDomains(m: BackupManifest): string[] {
  return (
    m.db
      .prepare("SELECT DISTINCT domain FROM Files WHERE domain LIKE 'AppDomain-%' ORDER BY domain")
      .all() as { domain: string }[]
  ).map((r) => r.domain.slice('AppDomain-'.length));
}
