import { lstat, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { maskIdentifier } from '../../../contract/mask';
import type { BackupSummary } from '../../../contract/records';
import { asBool, asData, asDate, asDict, asString, parsePlist } from '../../formats/plist';
import type { PlistDict, PlistValue } from '../../formats/plist/types';
import { EvidenceFileError, EvidenceFolder } from '../evidence-file';
import { marketingName } from './product-types';

/** What the three root plists and the index say about one backup folder. */
export interface BackupInfo {
  path: string;
  udid: string | null;
  serial: string | null;
  imei: string | null;
  phoneNumber: string | null;
  deviceName: string | null;
  productType: string | null;
  iosVersion: string | null;
  buildVersion: string | null;
  lastBackup: Date | null;
  encrypted: boolean | null;
  snapshotState: string | null;
  format: BackupSummary['format'];
  /** Problems reading the folder, in plain words; the rest of the information is still given. */
  problems: string[];
}

const MARKERS = ['Manifest.db', 'Manifest.mbdb', 'Manifest.plist', 'Info.plist'];

// lstat: a link is there even when its target is not (opening it then says why it is not read).
async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** True when the folder looks like one backup (it holds an index or the root plists). */
export async function isBackupFolder(dir: string): Promise<boolean> {
  for (const m of MARKERS) if (await exists(join(dir, m))) return true;
  return false;
}

function explain(e: unknown, what: string): string {
  const code = (e as { code?: string }).code ?? (e instanceof EvidenceFileError ? e.errno : null);
  if (code === 'EPERM' || code === 'EACCES') {
    return (
      `${what} cannot be read (permission denied). On macOS, backups are protected: give Snoopscope ` +
      'Full Disk Access in System Settings › Privacy & Security, or copy the backup folder elsewhere.'
    );
  }
  if (e instanceof EvidenceFileError) return e.message;
  if (code === 'ENOENT') return `${what} is missing.`;
  return `${what} cannot be read: ${(e as Error).message}`;
}

async function readPlistFile(
  folder: EvidenceFolder,
  name: string,
  problems: string[],
): Promise<Record<string, PlistValue> | null> {
  let bytes: Uint8Array;
  try {
    bytes = (await folder.read(name)).bytes;
  } catch (e) {
    if (!(e instanceof EvidenceFileError)) throw e;
    if (e.reason !== 'missing') problems.push(explain(e, name));
    return null;
  }
  try {
    const dict = asDict(parsePlist(bytes));
    if (!dict) problems.push(`${name} is not a dictionary.`);
    return dict;
  } catch (e) {
    problems.push(`${name} is not a readable property list: ${(e as Error).message}`);
    return null;
  }
}

/**
 * Whether Manifest.db starts with the SQLite header: true, false (16 bytes or more that are not
 * the header), or null when it is shorter or cannot be read (opening the index says why).
 */
async function startsWithSqlite(folder: EvidenceFolder): Promise<boolean | null> {
  let opened;
  try {
    opened = await folder.open('Manifest.db');
  } catch (e) {
    if (e instanceof EvidenceFileError) return null;
    throw e;
  }
  try {
    const buf = Buffer.alloc(16);
    const { bytesRead } = await opened.handle.read(buf, 0, 16, 0);
    return bytesRead === 16 ? buf.toString('latin1') === 'SQLite format 3\0' : null;
  } catch {
    return null;
  } finally {
    await opened.handle.close();
  }
}

/** The three root plists of a backup folder (null when missing or unreadable; problems say why). */
export async function readRootPlists(
  path: string,
  problems: string[],
): Promise<{ info: PlistDict | null; manifest: PlistDict | null; status: PlistDict | null }> {
  const folder = await EvidenceFolder.at(path);
  return {
    info: await readPlistFile(folder, 'Info.plist', problems),
    manifest: await readPlistFile(folder, 'Manifest.plist', problems),
    status: await readPlistFile(folder, 'Status.plist', problems),
  };
}

/** Reads a backup folder's identity, device, dates and state. Never throws for a bad folder. */
export async function readBackupInfo(dir: string): Promise<BackupInfo> {
  const path = resolve(dir);
  const problems: string[] = [];
  const { info, manifest, status } = await readRootPlists(path, problems);
  const lockdown = manifest ? asDict(manifest.Lockdown ?? null) : null;
  const pick = (...values: (PlistValue | undefined)[]): string | null => {
    for (const v of values) {
      const s = v === undefined ? null : asString(v);
      if (s) return s;
    }
    return null;
  };

  let format: BackupSummary['format'] = 'unknown';
  const flag = manifest ? asBool(manifest.IsEncrypted ?? null) : null;
  let encrypted: boolean | null = flag;
  if (await exists(join(path, 'Manifest.db'))) {
    format = 'manifest-db';
    // An encrypted index does not start with the SQLite header (reference §2).
    const plain = await startsWithSqlite(await EvidenceFolder.at(path));
    const hasKeys =
      asData(manifest?.BackupKeyBag) !== null && asData(manifest?.ManifestKey) !== null;
    if (flag === true && plain === true) {
      // The bytes decide: a plain index is read as it is, and each file is checked as it is read.
      encrypted = false;
      problems.push(
        'Manifest.plist says the backup is encrypted (IsEncrypted), but Manifest.db is a plain SQLite database: the backup is read as unencrypted.',
      );
    } else if (flag === false && plain === false && hasKeys) {
      encrypted = true;
      problems.push(
        'Manifest.plist says the backup is not encrypted (IsEncrypted), but Manifest.db is not a plain SQLite database and Manifest.plist holds the backup keys: the backup is read as encrypted.',
      );
    } else if (flag === null && plain !== null) {
      // Without the flag, an index that is not plain SQLite is taken as encrypted only when
      // Manifest.plist holds the keys to decrypt it; otherwise it is simply unreadable.
      encrypted = plain ? false : hasKeys ? true : null;
    }
  } else if (await exists(join(path, 'Manifest.mbdb'))) {
    format = 'manifest-mbdb';
  } else {
    problems.push('The folder has no Manifest.db or Manifest.mbdb index.');
  }

  const snapshotState = status ? asString(status.SnapshotState ?? null) : null;
  if (snapshotState !== null && snapshotState !== 'finished') {
    problems.push(`The backup is unfinished (Status.plist SnapshotState is "${snapshotState}").`);
  }
  return {
    path,
    udid:
      pick(
        info?.['Unique Identifier'],
        info?.['Target Identifier'],
        lockdown?.UniqueDeviceID,
      )?.toUpperCase() ?? null,
    serial: pick(info?.['Serial Number'], lockdown?.SerialNumber),
    imei: pick(info?.IMEI),
    phoneNumber: pick(info?.['Phone Number']),
    deviceName: pick(info?.['Device Name'], info?.['Display Name'], lockdown?.DeviceName),
    productType: pick(info?.['Product Type'], lockdown?.ProductType),
    iosVersion: pick(info?.['Product Version'], lockdown?.ProductVersion),
    buildVersion: pick(info?.['Build Version'], lockdown?.BuildVersion),
    lastBackup:
      (info ? asDate(info['Last Backup Date'] ?? null) : null) ??
      (manifest ? asDate(manifest.Date ?? null) : null),
    encrypted,
    snapshotState,
    format,
    problems,
  };
}

function unreadable(path: string, problem: string): BackupInfo {
  return {
    path,
    udid: null,
    serial: null,
    imei: null,
    phoneNumber: null,
    deviceName: null,
    productType: null,
    iosVersion: null,
    buildVersion: null,
    lastBackup: null,
    encrypted: null,
    snapshotState: null,
    format: 'unknown',
    problems: [problem],
  };
}

/** Total size of the files under a folder (links are not followed). */
export async function folderSize(dir: string): Promise<number | null> {
  let total = 0;
  const stack = [dir];
  try {
    while (stack.length > 0) {
      const d = stack.pop()!;
      for (const e of await readdir(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) stack.push(p);
        else if (e.isFile()) total += (await stat(p)).size;
      }
    }
    return total;
  } catch {
    return null;
  }
}

/** The public summary of a backup; identifiers are masked unless `unmask`. */
export function summarize(b: BackupInfo, sizeBytes: number | null, unmask: boolean): BackupSummary {
  const show = (v: string | null) => (unmask ? v : maskIdentifier(v));
  return {
    path: b.path,
    udid: show(b.udid),
    serial: show(b.serial),
    deviceName: b.deviceName,
    productType: b.productType,
    model: marketingName(b.productType),
    iosVersion: b.iosVersion,
    buildVersion: b.buildVersion,
    lastBackup: b.lastBackup ? b.lastBackup.toISOString() : null,
    encrypted: b.encrypted,
    snapshotState: b.snapshotState,
    complete: b.snapshotState === null ? null : b.snapshotState === 'finished',
    format: b.format,
    sizeBytes,
    error: b.problems.length > 0 ? b.problems.join(' ') : null,
  };
}

/**
 * Lists the backups under the given folders: each folder is either one backup or a folder of
 * backups (one per device UDID, as Finder and iTunes keep them). Unreadable folders are reported,
 * not skipped.
 */
export async function listBackups(
  paths: string[],
  options: { unmask?: boolean; sizes?: boolean } = {},
): Promise<BackupSummary[]> {
  const out: BackupSummary[] = [];
  for (const p of paths) {
    const root = resolve(p);
    let candidates: string[];
    if (await isBackupFolder(root)) {
      candidates = [root];
    } else {
      try {
        candidates = (await readdir(root, { withFileTypes: true }))
          .filter((e) => e.isDirectory())
          .map((e) => join(root, e.name))
          .sort();
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'ENOENT') continue;
        out.push(summarize(unreadable(root, explain(e, root)), null, false));
        continue;
      }
    }
    for (const dir of candidates) {
      if (!(await isBackupFolder(dir))) continue;
      const info = await readBackupInfo(dir);
      out.push(
        summarize(
          info,
          options.sizes === false ? null : await folderSize(dir),
          options.unmask ?? false,
        ),
      );
    }
  }
  return out;
}
