import { join } from 'node:path';
import type { Device, ImportOutcome } from '../../../contract/records';
import { isIanaTimeZone } from '../../../contract/time';
import { recordBackupApp } from '../../catalog/app-names';
import { appendAudit } from '../../db/audit';
import { bindPhoneDevice } from '../../db/queries/bind-device';
import {
  BackupCryptoError,
  type ClassKeys,
  decryptManifestDb,
  deriveKek,
  parseKeybag,
  unlockClassKeys,
} from '../../formats/ios-backup-crypto';
import { asArray, asData, asDict, asString, parsePlist } from '../../formats/plist';
import type { PlistDict } from '../../formats/plist/types';
import { AppError } from '../../model/errors';
import type { CaseSession } from '../../services/case-service';
import { writeTx } from '../../services/case-service';
import { EvidenceFileError, EvidenceFolder } from '../evidence-file';
import { readArtifacts } from './artifact-read';
import { storeArtifacts } from './artifact-store';
import { BackupFiles } from './backup-files';
import { readBackupInfo, readRootPlists, type BackupInfo } from './discover';
import type { BackupKeyCache } from './key-cache';
import {
  appsFromDomains,
  indexUnreadable,
  ManifestError,
  openManifest,
  timeZoneFromManifest,
  type BackupManifest,
} from './manifest';
import { marketingName } from './product-types';

export interface BackupDeviceOptions {
  /** Binds the backup's phone to this device label (created when new). */
  label?: string;
  /** The IANA time zone to record when the backup does not say (or to override it). */
  timeZone?: string;
  /** The backup password, for encrypted backups; never stored or logged. */
  password?: string;
  /** Keys unlocked earlier in the session; newly unlocked keys are added to it. */
  keyCache?: BackupKeyCache;
  /** Reads and stores the artifacts (TCC, data usage, …) too; default true. */
  artifacts?: boolean;
  /** Key derivation progress, 0–1. */
  onProgress?: (fraction: number) => void;
  /** Where private temporary copies go (default: the system's temporary folder). */
  tempRoot?: string;
  /** Called as each artifact is read. */
  onArtifact?: (name: string, index: number, count: number) => void;
  signal?: AbortSignal;
}

export interface BackupDeviceResult {
  device: Device;
  info: BackupInfo;
  timeZone: string | null;
  apps: number;
  namedApps: number;
  problems: string[];
  /** One outcome per artifact file read (imported, already in the case, or unreadable). */
  artifacts: ImportOutcome[];
}

interface AppFacts {
  name: string | null;
  version: string | null;
}

/** App names and versions from Info.plist (App Store metadata), Manifest.plist and the app domains. */
function collectApps(
  info: PlistDict | null,
  manifest: PlistDict | null,
  domains: string[],
): Map<string, AppFacts> {
  const apps = new Map<string, AppFacts>();
  const get = (id: string): AppFacts => {
    let a = apps.get(id);
    if (!a) {
      a = { name: null, version: null };
      apps.set(id, a);
    }
    return a;
  };
  for (const [id, value] of Object.entries(asDict(info?.Applications) ?? {})) {
    const a = get(id);
    const meta = asData(asDict(value)?.iTunesMetadata);
    if (!meta) continue;
    try {
      const m = asDict(parsePlist(meta));
      a.name = asString(m?.itemName) ?? a.name;
      a.version = asString(m?.bundleShortVersionString) ?? a.version;
    } catch {
      // Metadata that does not parse leaves the app known by its identifier only.
    }
  }
  for (const v of asArray(info?.['Installed Applications']) ?? []) {
    const id = asString(v);
    if (id) get(id);
  }
  for (const [id, value] of Object.entries(asDict(manifest?.Applications) ?? {})) {
    const a = get(id);
    a.version ??=
      asString(asDict(value)?.CFBundleShortVersionString) ??
      asString(asDict(value)?.CFBundleVersion);
  }
  for (const id of domains) get(id);
  return apps;
}

/** The refusal of a backup's index, as an outcome of its own beside the phone's. */
function indexOutcome(path: string, deviceId: number, message: string): ImportOutcome {
  return {
    path,
    sha256: null,
    importer: 'ios-backup',
    status: 'refused',
    counts: { lines: 0, access: 0, network: 0, sessions: 0, openSessions: 0, records: 0 },
    duplicateLines: 0,
    alreadyStored: 0,
    warnings: [],
    error: `${message} No artifact of the backup was read; the phone and its apps were recorded from Info.plist and Manifest.plist.`,
    sourceId: null,
    deviceId,
    locator: 'Manifest.db',
  };
}

interface OpenedIndex {
  index: BackupManifest;
  classKeys: ClassKeys | null;
}

/**
 * Opens the backup's index, decrypting it when the backup is encrypted. An index that cannot be
 * used throws ManifestError (the rest of the backup is still read); a missing or wrong password,
 * or a cancel, throws AppError (nothing is imported).
 */
async function openIndex(
  dir: string,
  info: BackupInfo,
  manifestPlist: PlistDict | null,
  options: BackupDeviceOptions,
): Promise<OpenedIndex | null> {
  if (info.format !== 'manifest-db') return null;
  if (!info.encrypted) return { index: await openManifest(dir), classKeys: null };
  const keybagBytes = asData(manifestPlist?.BackupKeyBag);
  const manifestKey = asData(manifestPlist?.ManifestKey);
  if (!keybagBytes || !manifestKey) {
    throw new ManifestError(
      'The backup is encrypted but Manifest.plist has no BackupKeyBag or ManifestKey, so Manifest.db cannot be decrypted.',
    );
  }
  const cached = options.keyCache?.get(keybagBytes) ?? null;
  if (!cached && options.password === undefined) {
    throw new AppError(
      'PASSWORD_REQUIRED',
      'The backup is encrypted: its password is needed to read it; nothing was imported.',
    );
  }
  let classKeys = cached;
  try {
    if (!classKeys) {
      const keybag = parseKeybag(keybagBytes);
      const kek = await deriveKek(
        options.password ?? '',
        keybag,
        options.onProgress,
        options.signal,
      );
      classKeys = unlockClassKeys(keybag, kek);
      kek.fill(0);
      options.keyCache?.set(keybagBytes, classKeys);
    } else {
      options.onProgress?.(1);
    }
  } catch (e) {
    if (e instanceof BackupCryptoError) {
      if (e.code === 'WRONG_PASSWORD')
        throw new AppError('WRONG_PASSWORD', 'The backup password is wrong; nothing was imported.');
      if (e.code === 'CANCELLED')
        throw new AppError('CANCELLED', 'Cancelled; nothing was imported.');
      throw new ManifestError(
        `The backup's keys (Manifest.plist BackupKeyBag) cannot be unlocked: ${e.message}`,
      );
    }
    throw e;
  }
  let encrypted: Uint8Array;
  try {
    encrypted = (await (await EvidenceFolder.at(dir)).read('Manifest.db')).bytes;
  } catch (e) {
    if (e instanceof EvidenceFileError) throw indexUnreadable(e);
    throw e;
  }
  let plain: Uint8Array;
  try {
    plain = decryptManifestDb(encrypted, manifestKey, classKeys);
  } catch (e) {
    if (e instanceof BackupCryptoError)
      throw new ManifestError(`Manifest.db cannot be decrypted: ${e.message}`);
    throw e;
  }
  return { index: await openManifest(dir, plain), classKeys };
}

/**
 * Binds a backup's phone to a device of the case and records what the backup says about it:
 * model, iOS version, identifiers (UDID, serial, IMEI, phone number), time zone, and installed apps
 * with their names and versions (which then show for every source of that device). A label already
 * bound to another phone, or a phone already bound to another label, is refused.
 */
export async function importBackupDevice(
  session: CaseSession,
  dir: string,
  options: BackupDeviceOptions = {},
): Promise<BackupDeviceResult> {
  try {
    return await importBackupDeviceUnguarded(session, dir, options);
  } catch (e) {
    if (e instanceof AppError) throw e;
    // A defect, not the input: the import is refused by name, and the cause keeps the stack.
    throw new AppError(
      'INTERNAL',
      `${dir} could not be imported because of an unexpected error (${e instanceof Error ? e.message : String(e)}); nothing was imported from it.`,
      { cause: e },
    );
  }
}

async function importBackupDeviceUnguarded(
  session: CaseSession,
  dir: string,
  options: BackupDeviceOptions,
): Promise<BackupDeviceResult> {
  const info = await readBackupInfo(dir);
  const problems = [...info.problems];
  if (info.format === 'manifest-mbdb') {
    throw new AppError(
      'UNSUPPORTED',
      'This backup was made by iOS 9 or earlier (Manifest.mbdb index); such backups are recognised but not imported.',
    );
  }
  if (!info.udid) {
    throw new AppError(
      'IMPORT_REFUSED',
      `${info.path} does not name its phone (no UDID in Info.plist or Manifest.plist).`,
    );
  }
  if (options.timeZone !== undefined && !isIanaTimeZone(options.timeZone)) {
    throw new AppError(
      'INVALID_INPUT',
      `Unknown time zone "${options.timeZone}"; use an IANA name such as Europe/Zurich.`,
    );
  }
  const { info: infoPlist, manifest: manifestPlist } = await readRootPlists(info.path, []);
  let opened: OpenedIndex | null = null;
  // When the index cannot be used, the phone, its apps and the notes are still recorded, and the
  // index is refused on its own with the reason.
  let indexRefusal: string | null = null;
  try {
    opened = await openIndex(info.path, info, manifestPlist, options);
  } catch (e) {
    if (!(e instanceof ManifestError)) throw e;
    indexRefusal = e.message;
  }
  let timeZone: string | null = options.timeZone ?? null;
  let domains: string[] = [];
  let artifactResults: Awaited<ReturnType<typeof readArtifacts>> = [];
  try {
    if (opened) {
      const { index } = opened;
      problems.push(...index.problems);
      try {
        timeZone ??= timeZoneFromManifest(index, problems);
        domains = appsFromDomains(index);
      } catch (e) {
        problems.push(
          `Manifest.db could not be searched for the time zone and the app domains (${(e as Error).message}).`,
        );
      }
      if (options.artifacts !== false) {
        const files = new BackupFiles(info.path, index, opened.classKeys, options.tempRoot);
        artifactResults = await readArtifacts(files, options.onArtifact, options.signal);
      }
    }
  } finally {
    opened?.index.close();
  }
  if (options.signal?.aborted) throw new AppError('CANCELLED', 'Cancelled; nothing was imported.');
  if (!timeZone)
    problems.push(
      'The backup does not record the time zone; give it (the time-zone field of the import, or --timezone IANA on the command line) to place its times.',
    );
  const apps = collectApps(infoPlist, manifestPlist, domains);
  const udid = info.udid;

  let artifactOutcomes: ImportOutcome[] = [];
  const deviceId = writeTx(session.db, () => {
    const db = session.db;
    const id = bindPhoneDevice(db, {
      platform: 'ios',
      column: 'udid',
      value: udid,
      label: options.label,
      defaultLabel: info.deviceName ?? `iPhone ${udid.slice(-4)}`,
    });
    db.prepare(
      `UPDATE devices SET platform = 'ios', udid = ?, serial = COALESCE(?, serial), imei = COALESCE(?, imei),
         phone_number = COALESCE(?, phone_number), product_type = COALESCE(?, product_type),
         model = COALESCE(?, model), os_version = COALESCE(?, os_version), build_version = COALESCE(?, build_version),
         time_zone = COALESCE(?, time_zone)
       WHERE id = ?`,
    ).run(
      udid,
      info.serial,
      info.imei,
      info.phoneNumber,
      info.productType,
      marketingName(info.productType),
      info.iosVersion,
      info.buildVersion,
      timeZone,
      id,
    );
    for (const [bundle, facts] of apps) recordBackupApp(db, id, bundle, facts.name, facts.version);
    appendAudit(db, 'backup-device', {
      deviceId: id,
      path: info.path,
      udid,
      productType: info.productType,
      iosVersion: info.iosVersion,
      lastBackup: info.lastBackup?.toISOString() ?? null,
      encrypted: info.encrypted,
      timeZone,
      apps: apps.size,
    });
    const stored = storeArtifacts(db, id, info.path, artifactResults, timeZone);
    artifactOutcomes = stored.outcomes;
    if (indexRefusal !== null)
      artifactOutcomes.unshift(indexOutcome(join(info.path, 'Manifest.db'), id, indexRefusal));
    problems.push(...stored.notes);
    return id;
  });
  return {
    device: session.device(deviceId),
    info,
    timeZone,
    apps: apps.size,
    namedApps: [...apps.values()].filter((a) => a.name !== null).length,
    problems,
    artifacts: artifactOutcomes,
  };
}
