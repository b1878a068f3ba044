import type { Device, ImportOutcome } from '../../contract/records';
import type { ImportWarning } from '../../contract/warnings';
import { AppError } from '../model/errors';
import type { ImportProgress } from '../../contract/events';
import type { ImportCache } from '../importers/importer';
import { unreadOutcome } from './import-run';
import type { CaseSession } from './case-service';
import { importPath } from './import-pipeline';
import { ARTIFACTS } from '../importers/ios-backup/artifact-read';
import { importableUdid, NO_ZONE_NOTE } from '../importers/ios-backup/backup-importer';
import { readBackupInfo, type BackupInfo } from '../importers/ios-backup/discover';
import type { BackupKeyCache } from '../importers/ios-backup/key-cache';

export interface BackupDeviceOptions {
  /** Binds the backup's phone to this device label (created when new). */
  label?: string;
  /** The IANA time zone to record when the backup does not say (or to override it). */
  timeZone?: string;
  /** The backup password, for encrypted backups; never stored or logged. */
  password?: string;
  /** Keys unlocked earlier in the session; newly unlocked keys are added to it. */
  keyCache?: BackupKeyCache;
  /** The same as an import cache (the import worker's, which reports new keys to the app). */
  cache?: ImportCache;
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
    cache: options.cache ?? options.keyCache?.asImportCache(),
    onProgress: (p) => {
      if (p.phase === 'unlocking' && p.fraction !== undefined) options.onProgress?.(p.fraction);
      else if (p.phase === 'reading' && !seen.has(p.path)) {
        seen.add(p.path);
        options.onArtifact?.(
          p.importer ?? p.name,
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

/**
 * The outcomes of a backup import: the phone (identity, apps, notes), then each artifact file.
 * The phone and each stored artifact name the time zone their times were placed in: the one
 * given at import (`givenZone`), else the backup's own.
 */
export function backupOutcomes(
  path: string,
  r: BackupDeviceResult,
  givenZone?: string,
): ImportOutcome[] {
  const clock: Pick<ImportOutcome, 'timeZone'> =
    r.timeZone === null
      ? {}
      : {
          timeZone: {
            zone: r.timeZone,
            offsets: [],
            source: givenZone !== undefined && givenZone === r.timeZone ? 'examiner' : 'device',
          },
        };
  return [
    {
      ...unreadOutcome(path, r.device.id, 'imported'),
      importer: 'ios-backup',
      warnings: r.problems.map((message) => ({
        line: null,
        locator: 'backup',
        code: 'BACKUP_NOTE' as const,
        message,
      })),
      ...clock,
    },
    ...r.artifacts.map((a) => (a.status === 'imported' ? { ...a, ...clock } : a)),
  ];
}

/** A failed backup import as its one outcome (nothing was stored). */
export function failedBackupOutcome(path: string, e: unknown): ImportOutcome {
  if (e instanceof AppError)
    return unreadOutcome(path, null, e.code === 'CANCELLED' ? 'cancelled' : 'refused', e.message);
  throw e;
}

/** What a backup import to run is given. */
export interface BackupRunInput {
  importId: string;
  path: string;
  label?: string;
  timeZone?: string;
  password?: string;
}

/**
 * Runs one backup import with its progress reported as the app shows it (key derivation with
 * an estimate of the time left, then each artifact), and its outcomes as the app lists them.
 */
export async function runBackupImport(
  session: CaseSession,
  input: BackupRunInput,
  cache: ImportCache,
  signal: AbortSignal,
  emit: (p: ImportProgress) => void,
  log: (message: string, error: unknown) => void,
): Promise<{ outcomes: ImportOutcome[]; cancelled: boolean }> {
  const { importId, path } = input;
  const progress = (
    phase: ImportProgress['phase'],
    percent: number,
    extra: Partial<ImportProgress> = {},
  ): void =>
    emit({
      importId,
      path,
      fileIndex: 0,
      fileCount: 1,
      phase,
      lines: 0,
      bytes: 0,
      totalBytes: 0,
      percent,
      linesPerSecond: 0,
      ...extra,
    });
  const startedUnlock = Date.now();
  let lastEmit = 0;
  progress('hashing', 0, { detail: 'Reading the backup folder' });
  try {
    const r = await importBackupDevice(session, path, {
      label: input.label,
      timeZone: input.timeZone,
      password: input.password,
      cache,
      signal,
      onProgress: (f) => {
        const now = Date.now();
        if (now - lastEmit < 100 && f < 1) return;
        lastEmit = now;
        const elapsed = (now - startedUnlock) / 1000;
        progress('unlocking', Math.round(f * 80), {
          detail: 'Deriving the backup keys from the password',
          etaSeconds: f > 0.02 && f < 1 ? Math.ceil((elapsed * (1 - f)) / f) : null,
        });
      },
      onArtifact: (name, index, count) =>
        progress('artifacts', 80 + Math.round((index / count) * 15), { detail: name }),
    });
    // The caller reports the end, after the findings of the device are computed.
    return { outcomes: backupOutcomes(path, r, input.timeZone), cancelled: false };
  } catch (e) {
    if (!(e instanceof AppError)) log('Backup import failed', e);
    else if (e.code === 'INTERNAL') log('Backup import failed', e.cause ?? e);
    const outcome =
      e instanceof AppError
        ? failedBackupOutcome(path, e)
        : unreadOutcome(
            path,
            null,
            'refused',
            'The backup import failed unexpectedly; see the log for details.',
          );
    return { outcomes: [outcome], cancelled: outcome.status === 'cancelled' };
  }
}
