import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackupCryptoError, type ClassKeys, decryptFile } from '../../formats/ios-backup-crypto';
import { patchWalHeader } from '../../formats/ios-backup-crypto/decrypt';
import { keyProtectionClass, readMbFile } from '../../formats/plist/keyed-archive';
import { describeFileHead } from '../describe-file';
import { EvidenceFileError, EvidenceFolder } from '../evidence-file';
import { listManifestRows, type BackupManifest, type ManifestRow } from './manifest';

/** One backed-up file as read from the backup folder (decrypted when the backup is encrypted). */
export interface BackupFile {
  domain: string;
  relativePath: string;
  fileId: string;
  /** Where the payload lies in the backup folder (`<fileId[0:2]>/<fileId>`). */
  diskPath: string;
  /** Bytes on disk and their sha256: the evidence as it is stored. */
  diskSize: number;
  sha256: string;
  encrypted: boolean;
  /** The sha256 of the decrypted content (encrypted backups only). */
  plainSha256: string | null;
  /** The content, decrypted. */
  bytes: Uint8Array;
  /** Where the bytes were read from when the file is a link inside the backup folder, else null. */
  linkTarget: string | null;
}

/** What the index says about a file that could not be read, in words. */
export class BackupFileError extends Error {}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/**
 * Reads files of a backup through its index (`Manifest.db`), decrypting them with the class keys
 * of an encrypted backup. Nothing is ever written into the backup folder.
 */
export class BackupFiles {
  private folder: Promise<EvidenceFolder> | null = null;

  constructor(
    readonly dir: string,
    private readonly index: BackupManifest,
    private readonly classKeys: ClassKeys | null,
  ) {}

  /** Index rows of regular files (flags 1) in a domain whose path starts with a prefix. */
  list(domain: string, pathPrefix: string): ManifestRow[] {
    return listManifestRows(this.index, domain, pathPrefix);
  }

  /** The index row of one file, or null when the backup does not hold it. */
  row(domain: string, relativePath: string): ManifestRow | null {
    return this.list(domain, relativePath).find((r) => r.relativePath === relativePath) ?? null;
  }

  /** Reads (and decrypts) one file named by its index row; throws BackupFileError when it cannot. */
  async read(row: ManifestRow): Promise<BackupFile> {
    const where = `${row.domain} ${row.relativePath}`;
    if (!/^[0-9a-f]{40}$/i.test(row.fileId))
      throw new BackupFileError(`${where}: the index gives an invalid file id "${row.fileId}".`);
    const relative = `${row.fileId.slice(0, 2)}/${row.fileId}`;
    const diskPath = join(this.dir, row.fileId.slice(0, 2), row.fileId);
    let onDisk: Buffer;
    let linkTarget: string | null;
    try {
      this.folder ??= EvidenceFolder.at(this.dir);
      ({ bytes: onDisk, linkTarget } = await (await this.folder).read(relative));
    } catch (e) {
      if (!(e instanceof EvidenceFileError)) throw e;
      throw new BackupFileError(
        e.reason === 'missing' && !e.message.includes('symbolic link')
          ? `${where} is listed in the index but its file ${relative} is missing from the backup folder.`
          : `${where}: ${e.message}`,
      );
    }
    const base = {
      linkTarget,
      domain: row.domain,
      relativePath: row.relativePath,
      fileId: row.fileId,
      diskPath,
      diskSize: onDisk.length,
      sha256: sha256(onDisk),
    };
    if (!this.classKeys) return { ...base, encrypted: false, plainSha256: null, bytes: onDisk };
    let meta;
    try {
      meta = row.file ? readMbFile(row.file) : null;
    } catch (e) {
      throw new BackupFileError(
        `${where}: its index entry cannot be read (${(e as Error).message}).`,
      );
    }
    if (!meta?.encryptionKey)
      throw new BackupFileError(`${where}: the index holds no encryption key for this file.`);
    try {
      const bytes = decryptFile(
        onDisk,
        meta.encryptionKey,
        meta.protectionClass ?? keyProtectionClass(meta.encryptionKey),
        this.classKeys,
        meta.size,
      );
      return { ...base, encrypted: true, plainSha256: sha256(bytes), bytes };
    } catch (e) {
      if (e instanceof BackupCryptoError)
        throw new BackupFileError(`${where} cannot be decrypted: ${e.message}`);
      throw e;
    }
  }

  /** Reads a file by domain and path: null when the index does not list it. */
  async readPath(domain: string, relativePath: string): Promise<BackupFile | null> {
    const row = this.row(domain, relativePath);
    return row ? this.read(row) : null;
  }
}

/** A SQLite artifact opened for reading, and how its write-ahead log was handled. */
export interface OpenedSqlite {
  db: Database.Database;
  /** `applied` when the backup held a non-empty -wal that was replayed, else `none`. */
  wal: 'applied' | 'none';
  close(): Promise<void>;
}

/** A SQLite artifact that is not a database, or whose database cannot be read at all. */
export class SqliteArtifactError extends Error {
  override readonly name = 'SqliteArtifactError';
}

/**
 * Refuses bytes that are not a SQLite database, before SQLite is asked to open them, so that every
 * SQLite artifact is refused the same way, with what the bytes look like instead.
 */
function checkSqliteHeader(file: BackupFile): void {
  const where = `${file.domain} ${file.relativePath}`;
  if (file.bytes.length === 0)
    throw new SqliteArtifactError(`${where} is empty (0 bytes), not a SQLite database.`);
  if (Buffer.from(file.bytes.subarray(0, 16)).toString('latin1') !== 'SQLite format 3\0') {
    throw new SqliteArtifactError(
      `${where} is not a SQLite database (it looks like ${describeFileHead(file.bytes.subarray(0, 512))}).`,
    );
  }
}

/**
 * Checks that an opened artifact can be read: its schema must be readable (else the artifact is
 * refused); a failed integrity check is returned as a problem, and the rows that can be read are.
 */
function checkDatabase(db: Database.Database, file: BackupFile): string[] {
  const where = `${file.domain} ${file.relativePath}`;
  try {
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
  } catch (e) {
    throw new SqliteArtifactError(
      `${where} cannot be read as a SQLite database (${(e as Error).message}).`,
    );
  }
  let verdict: string;
  try {
    verdict = (db.pragma('quick_check(3)') as { quick_check: string }[])
      .map((r) => r.quick_check.replace(/\s+/g, ' ').trim())
      .join('; ');
  } catch (e) {
    verdict = (e as Error).message;
  }
  return verdict === 'ok'
    ? []
    : [`${where} fails SQLite's integrity check (${verdict}); what could be read was read.`];
}

/**
 * Opens a SQLite artifact without touching the backup: from memory when there is no write-ahead
 * log; when the backup holds a non-empty `-wal`, both files are copied into a private temporary
 * folder (owner-only), opened there so SQLite replays the log, and the folder is removed on close.
 * Bytes that are not a readable SQLite database throw SqliteArtifactError.
 */
export async function openSqliteArtifact(
  main: BackupFile,
  wal: BackupFile | null,
  tempRoot: string = tmpdir(),
): Promise<OpenedSqlite & { problems: string[] }> {
  checkSqliteHeader(main);
  const where = `${main.domain} ${main.relativePath}`;
  if (!wal || wal.bytes.length === 0) {
    let db: Database.Database;
    try {
      db = new Database(Buffer.from(patchWalHeader(main.bytes)));
    } catch (e) {
      throw new SqliteArtifactError(
        `${where} cannot be opened as a SQLite database (${(e as Error).message}).`,
      );
    }
    try {
      const problems = checkDatabase(db, main);
      return {
        db,
        wal: 'none',
        problems,
        close: async () => {
          db.close();
        },
      };
    } catch (e) {
      db.close();
      throw e;
    }
  }
  const folder = await mkdtemp(join(tempRoot, 'snoopscope-artifact-'));
  // A fixed name: the index's path must never choose where the copy is written.
  const name = join(folder, 'artifact.db');
  let db: Database.Database | null = null;
  try {
    await writeFile(name, main.bytes, { mode: 0o600 });
    await writeFile(`${name}-wal`, wal.bytes, { mode: 0o600 });
    try {
      db = new Database(name);
    } catch (e) {
      throw new SqliteArtifactError(
        `${where} cannot be opened as a SQLite database with its -wal (${(e as Error).message}).`,
      );
    }
    const problems = checkDatabase(db, main);
    const opened = db;
    return {
      db: opened,
      wal: 'applied',
      problems,
      close: async () => {
        opened.close();
        await rm(folder, { recursive: true, force: true });
      },
    };
  } catch (e) {
    db?.close();
    await rm(folder, { recursive: true, force: true });
    throw e;
  }
}
