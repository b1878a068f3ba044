import { join } from 'node:path';
import type { Device, ImportOutcome } from '../../../contract/records';
import { isIanaTimeZone } from '../../../contract/time';
import { recordBackupApp } from '../../catalog/app-names';
import { appendAudit } from '../../db/audit';
import { bindPhoneDevice } from '../../db/queries/bind-device';
import { AppError } from '../../model/errors';
import type { CaseSession } from '../../services/case-service';
import { writeTx } from '../../services/case-service';
import { readArtifacts } from './artifact-read';
import { storeArtifacts } from './artifact-store';
import { BackupFiles } from './backup-files';
import { collectApps, openIndex, type OpenedIndex } from './backup-index';
import { readBackupInfo, readRootPlists, type BackupInfo } from './discover';
import type { BackupKeyCache } from './key-cache';
import { appsFromDomains, ManifestError, timeZoneFromManifest } from './manifest';
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
    opened = await openIndex(info.path, info, manifestPlist, {
      password: options.password,
      cached: (keybag) => options.keyCache?.get(keybag) ?? null,
      remember: (keybag, keys) => options.keyCache?.set(keybag, keys),
      onProgress: options.onProgress,
      signal: options.signal,
    });
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
