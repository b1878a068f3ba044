import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { BackupCryptoError, type ClassKeys, decryptFile } from '../../formats/ios-backup-crypto';
import { patchWalHeader } from '../../formats/ios-backup-crypto/decrypt';
import { keyProtectionClass, readMbFile } from '../../formats/plist/keyed-archive';
import type { BackupManifest, ManifestRow } from './manifest';

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
}

/** What the index says about a file that could not be read, in words. */
export class BackupFileError extends Error {}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/**
 * Reads files of a backup through its index (`Manifest.db`), decrypting them with the class keys
 * of an encrypted backup. Nothing is ever written into the backup folder.
 */
export class BackupFiles {
  constructor(
    readonly dir: string,
    private readonly index: BackupManifest,
    private readonly classKeys: ClassKeys | null,
    /** Where private temporary copies go (a SQLite artifact with a write-ahead log). */
    readonly tempRoot: string = tmpdir(),
  ) {}

  /** Index rows of regular files (flags 1) in a domain whose path starts with a prefix. */
  list(domain: string, pathPrefix: string): ManifestRow[] {
    const rows = this.index.db
      .prepare(
        'SELECT fileID, domain, relativePath, flags, file FROM Files WHERE domain = ? AND flags = 1 AND substr(relativePath, 1, length(?)) = ? ORDER BY relativePath',
      )
      .all(domain, pathPrefix, pathPrefix) as {
      fileID: string;
      domain: string;
      relativePath: string;
      flags: number;
      file: Buffer | null;
    }[];
    return rows.map((r) => ({
      fileId: r.fileID,
      domain: r.domain,
      relativePath: r.relativePath,
      flags: r.flags,
      file: r.file,
    }));
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
    const diskPath = join(this.dir, row.fileId.slice(0, 2), row.fileId);
    let onDisk: Buffer;
    try {
      onDisk = await readFile(diskPath);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new BackupFileError(
        code === 'ENOENT'
          ? `${where} is listed in the index but its file ${row.fileId.slice(0, 2)}/${row.fileId} is missing from the backup folder.`
          : `${where}: cannot read ${diskPath} (${code ?? (e as Error).message}).`,
      );
    }
    const base = {
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

/**
 * Opens a SQLite artifact without touching the backup: from memory when there is no write-ahead
 * log; when the backup holds a non-empty `-wal`, both files are copied into a private temporary
 * folder (owner-only), opened there so SQLite replays the log, and the folder is removed on close.
 */
export async function openSqliteArtifact(
  main: BackupFile,
  wal: BackupFile | null,
  tempRoot: string = tmpdir(),
): Promise<OpenedSqlite> {
  if (!wal || wal.bytes.length === 0) {
    const db = new Database(Buffer.from(patchWalHeader(main.bytes)));
    return {
      db,
      wal: 'none',
      close: async () => {
        db.close();
      },
    };
  }
  const folder = await mkdtemp(join(tempRoot, 'snoopscope-artifact-'));
  const name = join(folder, basename(main.relativePath) || 'artifact.db');
  try {
    await writeFile(name, main.bytes, { mode: 0o600 });
    await writeFile(`${name}-wal`, wal.bytes, { mode: 0o600 });
    const db = new Database(name);
    return {
      db,
      wal: 'applied',
      close: async () => {
        db.close();
        await rm(folder, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await rm(folder, { recursive: true, force: true });
    throw e;
  }
}
