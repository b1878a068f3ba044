import Database from 'better-sqlite3';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createTestBackupKeys,
  encryptTestFile,
  encryptTestManifestDb,
} from '../formats/ios-backup-crypto/test-backup';
import { PlistUid, type PlistValue } from '../formats/plist/types';
import { writeBinaryPlist, writeXmlPlist } from '../formats/plist/writer';
import { fileIdFor } from '../importers/ios-backup/manifest';

/** Where a backed-up file's payload lies in a backup folder: `<fileId[0:2]>/<fileId>`. */
export function payloadPath(dir: string, domain: string, relativePath: string): string {
  const fileId = fileIdFor(domain, relativePath);
  return join(dir, fileId.slice(0, 2), fileId);
}

/** An MBFile as NSKeyedArchiver writes it into Manifest.db's `file` column. */
export function mbFileBlob(
  relativePath: string,
  fields: {
    target?: string;
    size?: number;
    mode?: number;
    encryptionKey?: Uint8Array;
    protectionClass?: number;
  } = {},
): Uint8Array {
  const objects: PlistValue[] = ['$null'];
  const add = (v: PlistValue): number => objects.push(v) - 1;
  const root: { [k: string]: PlistValue } = {
    Size: fields.size ?? 0,
    Mode: fields.mode ?? 33188,
    Birth: 1_600_000_000,
  };
  const rootIndex = add(root);
  root.RelativePath = new PlistUid(add(relativePath));
  if (fields.target) root.Target = new PlistUid(add(fields.target));
  if (fields.protectionClass !== undefined) root.ProtectionClass = fields.protectionClass;
  if (fields.encryptionKey) {
    // NSKeyedArchiver wraps the key in an NSMutableData object.
    root.EncryptionKey = new PlistUid(
      add({
        'NS.data': fields.encryptionKey,
        $class: new PlistUid(
          add({ $classname: 'NSMutableData', $classes: ['NSMutableData', 'NSData', 'NSObject'] }),
        ),
      }),
    );
  }
  root.$class = new PlistUid(add({ $classname: 'MBFile', $classes: ['MBFile', 'NSObject'] }));
  return writeBinaryPlist({
    $version: 100000,
    $archiver: 'NSKeyedArchiver',
    $top: { root: new PlistUid(rootIndex) },
    $objects: objects,
  });
}

export interface SyntheticBackupOptions {
  udid?: string;
  deviceName?: string;
  serial?: string;
  /** Status.plist SnapshotState (default `finished`). */
  snapshotState?: string;
  productType?: string;
  iosVersion?: string;
  timeZone?: string | null;
  /** App Store apps: bundle id → display name and version (written as iTunesMetadata). */
  storeApps?: Record<string, { name: string; version: string }>;
  /** Bundle ids that appear only as AppDomain-* domains. */
  domainApps?: string[];
  /** Encrypts Manifest.db and every file with this password (low iteration counts). */
  password?: string;
  /** Backed-up files: written at `<fileId[0:2]>/<fileId>` with a Manifest.db row each. */
  files?: BackupFile[];
  /** Extra directory rows in Manifest.db (no payload), to size the index like a real backup. */
  fillerRows?: number;
}

/** One file of a synthetic backup. */
export interface BackupFile {
  domain: string;
  relativePath: string;
  data: Uint8Array;
  /** Protection class of an encrypted file (default 3). */
  protectionClass?: number;
}

/** Writes a small but complete backup folder (Info, Manifest, Status plists and a Manifest.db). */
export function writeSyntheticBackup(dir: string, o: SyntheticBackupOptions = {}): void {
  mkdirSync(dir, { recursive: true });
  const udid = o.udid ?? '00008110-001A2B3C4D5E6F70';
  const store = o.storeApps ?? {};
  const applications: { [k: string]: PlistValue } = {};
  for (const [id, app] of Object.entries(store)) {
    applications[id] = {
      iTunesMetadata: writeBinaryPlist({
        itemName: app.name,
        bundleShortVersionString: app.version,
      }),
    };
  }
  writeFileSync(
    join(dir, 'Info.plist'),
    writeXmlPlist({
      'Device Name': o.deviceName ?? "Source's iPhone",
      'Product Type': o.productType ?? 'iPhone14,5',
      'Product Version': o.iosVersion ?? '17.5.1',
      'Build Version': '21F90',
      'Last Backup Date': new Date(Date.UTC(2024, 5, 1, 8, 30)),
      'Unique Identifier': udid,
      'Serial Number': o.serial ?? 'F2LTX0ABHG7F',
      IMEI: '356938035643809',
      Applications: applications,
      'Installed Applications': Object.keys(store),
    }),
  );
  const db = new Database(':memory:');
  db.exec(
    'CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags INTEGER, file BLOB)',
  );
  const ins = db.prepare('INSERT INTO Files VALUES (?, ?, ?, ?, ?)');
  const zone = o.timeZone === undefined ? 'Europe/Zurich' : o.timeZone;
  if (zone) {
    ins.run(
      fileIdFor('DatabaseDomain', 'timezone/localtime'),
      'DatabaseDomain',
      'timezone/localtime',
      4,
      mbFileBlob('timezone/localtime', {
        target: `/var/db/timezone/zoneinfo/${zone}`,
        mode: 41453,
      }),
    );
  }
  for (const id of [...Object.keys(store), ...(o.domainApps ?? [])]) {
    ins.run(
      fileIdFor(`AppDomain-${id}`, ''),
      `AppDomain-${id}`,
      '',
      2,
      mbFileBlob('', { mode: 16877 }),
    );
  }
  for (let i = 0; i < (o.fillerRows ?? 0); i += 1) {
    const path = `Library/Filler/${i}`;
    ins.run(
      fileIdFor('HomeDomain', path),
      'HomeDomain',
      path,
      2,
      mbFileBlob(path, { mode: 16877 }),
    );
  }
  const keys =
    o.password !== undefined
      ? createTestBackupKeys({ password: o.password, iterations: 10, dpic: 10 })
      : null;
  for (const f of o.files ?? []) {
    const fileId = fileIdFor(f.domain, f.relativePath);
    const folder = join(dir, fileId.slice(0, 2));
    mkdirSync(folder, { recursive: true });
    if (keys) {
      const enc = encryptTestFile(f.data, keys, f.protectionClass ?? 3);
      writeFileSync(join(folder, fileId), enc.ciphertext);
      ins.run(
        fileId,
        f.domain,
        f.relativePath,
        1,
        mbFileBlob(f.relativePath, {
          size: enc.size,
          encryptionKey: enc.encryptionKey,
          protectionClass: enc.protectionClass,
        }),
      );
    } else {
      writeFileSync(join(folder, fileId), f.data);
      ins.run(
        fileId,
        f.domain,
        f.relativePath,
        1,
        mbFileBlob(f.relativePath, { size: f.data.length }),
      );
    }
  }
  const plainDb = db.serialize();
  db.close();
  const manifest: { [k: string]: PlistValue } = {
    IsEncrypted: o.password !== undefined,
    Lockdown: { UniqueDeviceID: udid, ProductType: o.productType ?? 'iPhone14,5' },
  };
  if (keys) {
    manifest.BackupKeyBag = keys.keybagBytes;
    manifest.ManifestKey = keys.manifestKey;
    writeFileSync(join(dir, 'Manifest.db'), encryptTestManifestDb(plainDb, keys));
  } else {
    writeFileSync(join(dir, 'Manifest.db'), plainDb);
  }
  writeFileSync(join(dir, 'Manifest.plist'), writeBinaryPlist(manifest));
  writeFileSync(
    join(dir, 'Status.plist'),
    writeBinaryPlist({ SnapshotState: o.snapshotState ?? 'finished', IsFullBackup: true }),
  );
}
