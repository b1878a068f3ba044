import type { Device, ImportOutcome } from '../../../contract/records';
import type { ImportWarning } from '../../../contract/warnings';
import { AppError } from '../../model/errors';
import type { CaseSession } from '../../services/case-service';
import { importPath } from '../../services/import-pipeline';
import { ARTIFACTS } from './artifact-read';
import { importableUdid, NO_ZONE_NOTE } from './backup-importer';
import { readBackupInfo, type BackupInfo } from './discover';
import type { BackupKeyCache } from './key-cache';

export interface BackupDeviceOptions {
  /** Binds the backup's phone to this device label (created when new). */
  label?: string;
  /** The IANA time zone to record when the backup does not say (or to override it). */
  timeZone?: string;
  /** The backup password, for encrypted backups; never stored or logged. */
  password?: string;
  /** Keys unlocked earlier in the session; newly unlocked keys are added to it. */
  keyCache?: BackupKeyCache;
  /** Key derivation progress, 0–1. */
  onProgress?: (fraction: number) => void;
  /** Called as each artifact is read. */
  onArtifact?: (name: string, index: number, count: number) => void;
  signal?: AbortSignal;
}

export interface BackupDeviceResult {
  device: Device;
  info: BackupInfo;
  timeZone: string | null;
  /** Apps the case lists as installed on the phone, and how many of them have a name. */
  apps: number;
  namedApps: number;
  problems: string[];
  /** One outcome per artifact file read (imported, already in the case, or unreadable). */
  artifacts: ImportOutcome[];
}

/**
 * Binds a backup's phone to a device of the case and records what the backup says about it:
 * model, iOS version, identifiers (UDID, serial, IMEI, phone number), time zone, and installed apps
 * with their names and versions (which then show for every source of that device), then stores
 * each artifact as a source of its own — all through the one import pipeline. A label already
 * bound to another phone, or a phone already bound to another label, is refused.
 */
export async function importBackupDevice(
  session: CaseSession,
  dir: string,
  options: BackupDeviceOptions = {},
): Promise<BackupDeviceResult> {
  try {
    return await importThroughPipeline(session, dir, options);
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

/**
 * The outcomes of the artifacts: without the copy of the container's notes the pipeline puts on
 * the first one, and with a note on each artifact already in the case, naming it.
 */
function artifactOutcomes(
  outcomes: ImportOutcome[],
  notes: readonly ImportWarning[],
): ImportOutcome[] {
  return outcomes.map((o, i) => {
    const own =
      i === 0 &&
      notes.length > 0 &&
      o.warnings.slice(0, notes.length).every((w, j) => w === notes[j]);
    const warnings = o.warnings.slice(own ? notes.length : 0);
    if (o.status === 'already-imported' && o.locator !== null)
      warnings.push({
        line: null,
        locator: o.locator,
        code: 'BACKUP_NOTE',
        message: `${o.locator} is already in the case (same sha256); not stored again.`,
      });
    return { ...o, warnings };
  });
}

async function importThroughPipeline(
  session: CaseSession,
  dir: string,
  options: BackupDeviceOptions,
): Promise<BackupDeviceResult> {
  // Only a backup goes to the pipeline: a folder that does not name its phone is refused as such
  // here, rather than recognised as some other kind of folder.
  const info = await readBackupInfo(dir);
  importableUdid(info);
  const seen = new Set<string>();
  const r = await importPath(session.db, dir, {
    choice: options.label === undefined ? {} : { label: options.label },
    timeZone: options.timeZone,
    password: options.password,
    signal: options.signal,
    cache: options.keyCache?.asImportCache(),
    onProgress: (p) => {
      if (p.phase === 'unlocking' && p.fraction !== undefined) options.onProgress?.(p.fraction);
      else if (p.phase === 'reading' && !seen.has(p.path)) {
        seen.add(p.path);
        options.onArtifact?.(
          p.name,
          Math.min(seen.size - 1, ARTIFACTS.length - 1),
          ARTIFACTS.length,
        );
      }
    },
  });
  if (r.deviceId === null) {
    // The pipeline did not take the folder for a backup (or could not read it): its refusal.
    const refusal = r.outcomes.find((o) => o.error !== null)?.error;
    throw new AppError('IMPORT_REFUSED', refusal ?? `${dir} is not an iPhone backup folder.`);
  }
  const problems = r.notes.map((n) => n.message);
  const device = session.device(r.deviceId);
  const apps = session.db
    .prepare(
      `SELECT count(*) AS apps, count(backup_name) AS named FROM apps
       WHERE device_id = ? AND inventory = 1`,
    )
    .get(r.deviceId) as { apps: number; named: number };
  return {
    device,
    info,
    timeZone: options.timeZone ?? (problems.includes(NO_ZONE_NOTE) ? null : device.timeZone),
    apps: apps.apps,
    namedApps: apps.named,
    problems,
    artifacts: artifactOutcomes(r.outcomes, r.notes),
  };
}
