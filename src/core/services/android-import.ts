// The Android import as the CLI, the capture service and the import batch call it: one run of the
// import pipeline over the path (the android-capture and android-dumpsys importers read it; the
// one writer stores it), with the figures those callers show.
import { basename, resolve } from 'node:path';
import type { Device, ImportOutcome } from '../../contract/records';
import type { Db } from '../db/open';
import { AppError } from '../model/errors';
import type { CaseSession } from './case-service';
import { importPath } from './import-pipeline';

export { appliedClock, withoutRelativeTime, type Clock } from '../importers/android/clock';
export { parseLocalTime } from '../importers/android/local-time';

export interface AndroidImportOptions {
  /** The device label to bind the phone to (created when new). */
  label?: string;
  /** An existing device to import into (the app's device choice). */
  deviceId?: number;
  /** The phone's IANA time zone, when the capture does not say or to override it. */
  timeZone?: string;
  signal?: AbortSignal;
  onProgress?: (p: { phase: string; fraction: number; detail?: string }) => void;
}

export interface AndroidImportResult {
  device: Device;
  outcomes: ImportOutcome[];
  problems: string[];
  added: { access: number; reject: number; usage: number; permission: number; history: number };
}

/**
 * Imports an Android capture (bugreport zip, AndroidQF folder or zip, dumpsys folder or file, or
 * a Snoopscope adb capture) into a device: app-op accesses become access sessions with their
 * reported state, rejects, usage events and package permissions their own records. Times are
 * device-local without a zone: the zone comes from the examiner, then `persist.sys.timezone`,
 * then capture.json, then the offset derived from the capture time; otherwise the import is
 * refused, never guessed. Each evidence file is one source in its own transaction.
 */
export async function importAndroid(
  session: CaseSession,
  path: string,
  options: AndroidImportOptions = {},
): Promise<AndroidImportResult> {
  const r = await importAndroidInto(session.db, path, options);
  return {
    device: session.device(r.deviceId),
    outcomes: r.outcomes,
    problems: r.problems,
    added: r.added,
  };
}

/** `importAndroid` on a bare connection (the import worker's). */
export async function importAndroidInto(
  db: Db,
  path: string,
  options: AndroidImportOptions = {},
): Promise<Omit<AndroidImportResult, 'device'> & { deviceId: number }> {
  try {
    return await importThroughPipeline(db, resolve(path), options);
  } catch (e) {
    if (e instanceof AppError) throw e;
    // A defect, not the input: the import is refused by name, and the cause keeps the stack.
    throw new AppError(
      'INTERNAL',
      `${resolve(path)} could not be imported because of an unexpected error (${e instanceof Error ? e.message : String(e)}); nothing was imported from it.`,
      { cause: e },
    );
  }
}

async function importThroughPipeline(
  db: Db,
  full: string,
  options: AndroidImportOptions,
): Promise<Omit<AndroidImportResult, 'device'> & { deviceId: number }> {
  options.onProgress?.({ phase: 'reading', fraction: 0, detail: basename(full) });
  const r = await importPath(db, full, {
    choice: { deviceId: options.deviceId, label: options.label },
    timeZone: options.timeZone,
    signal: options.signal,
    onProgress: (p) =>
      options.onProgress?.({
        phase: p.phase === 'reading' ? 'reading' : 'storing',
        fraction: p.totalBytes > 0 ? Math.min(1, p.bytes / p.totalBytes) : 0,
        detail: p.name,
      }),
  });
  if (r.deviceId === null) {
    // Nothing was stored and no phone was bound: the input itself was refused.
    const why = r.outcomes.find((o) => o.error !== null)?.error;
    throw new AppError('IMPORT_REFUSED', why ?? `Nothing to import was found in ${full}.`);
  }
  return {
    deviceId: r.deviceId,
    outcomes: r.outcomes,
    problems: r.notes.map((n) => n.message),
    added: addedBy(db, r.outcomes),
  };
}

const ADDED_TABLES = {
  reject: 'reject_records',
  usage: 'usage_records',
  permission: 'permission_records',
  history: 'op_history_records',
} as const;

/** What the sources just imported added: their accesses, and the records first stored by them. */
function addedBy(db: Db, outcomes: readonly ImportOutcome[]): AndroidImportResult['added'] {
  const added = { access: 0, reject: 0, usage: 0, permission: 0, history: 0 };
  for (const o of outcomes) {
    if (o.status !== 'imported' || o.sourceId === null) continue;
    added.access += o.counts.access;
    for (const [key, table] of Object.entries(ADDED_TABLES) as [
      keyof typeof ADDED_TABLES,
      string,
    ][]) {
      const row = db
        .prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE source_id = ?`)
        .get(o.sourceId) as { n: number };
      added[key] += row.n;
    }
  }
  return added;
}
