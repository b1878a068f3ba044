import type { ImportProgress } from '../../contract/events';
import type { ImportOutcome } from '../../contract/records';
import type { Db } from '../db/open';
import { importAndroidInto } from '../importers/android/import';
import { isAndroidInput } from '../importers/android/detect';
import { AppError } from '../model/errors';
import { describeFsError, failedOutcome, importFile, unreadOutcome } from './import-run';

export interface BatchOptions {
  db: Db;
  importId: string;
  paths: string[];
  deviceId: number;
  /** The phone's IANA zone for Android captures that do not record it. */
  timeZone?: string;
  isCancelled: () => boolean;
  onProgress: (p: ImportProgress) => void;
  /** Minimum interval between progress reports. */
  progressEveryMs?: number;
  /** Receives an unexpected error (with its stack) that refused one path; the others go on. */
  onError?: (path: string, error: unknown) => void;
}

/**
 * Imports several files one after the other, each its own transaction. After a cancel, the
 * file being read is rolled back and the remaining files are reported as cancelled. A path that
 * cannot be read or fails is refused with its reason; the others still import.
 */
export async function importBatch(
  options: BatchOptions,
): Promise<{ outcomes: ImportOutcome[]; cancelled: boolean }> {
  const outcomes: ImportOutcome[] = [];
  for (const [index, path] of options.paths.entries()) {
    if (options.isCancelled()) {
      outcomes.push(
        unreadOutcome(
          path,
          options.deviceId,
          'cancelled',
          'The import was cancelled before this file was read.',
        ),
      );
      continue;
    }
    let android: boolean;
    try {
      android = await isAndroidInput(path);
    } catch (e) {
      outcomes.push(
        unreadOutcome(
          path,
          options.deviceId,
          'refused',
          `Cannot read ${path}: ${describeFsError(e)}.`,
        ),
      );
      continue;
    }
    let outcome: ImportOutcome;
    try {
      if (android) {
        outcomes.push(...(await importAndroidPath(options, path, index)));
        continue;
      }
      outcome = await importOne(options, path, index);
    } catch (e) {
      options.onError?.(path, e);
      outcome = failedOutcome(path, options.deviceId, e);
    }
    outcomes.push(outcome);
    options.onProgress({
      importId: options.importId,
      path,
      fileIndex: index,
      fileCount: options.paths.length,
      phase: 'done',
      lines: outcome.counts.lines,
      bytes: 0,
      totalBytes: 0,
      percent: 100,
      linesPerSecond: 0,
    });
  }
  return { outcomes, cancelled: options.isCancelled() };
}

/** Imports one export file, reporting its progress. */
function importOne(options: BatchOptions, path: string, index: number): Promise<ImportOutcome> {
  const every = options.progressEveryMs ?? 100;
  const started = Date.now();
  let last = 0;
  return importFile({
    db: options.db,
    path,
    deviceId: options.deviceId,
    isCancelled: options.isCancelled,
    onProgress: (p) => {
      const now = Date.now();
      if (p.phase === 'reading' && now - last < every) return;
      last = now;
      const seconds = Math.max(0.001, (now - started) / 1000);
      options.onProgress({
        importId: options.importId,
        path,
        fileIndex: index,
        fileCount: options.paths.length,
        phase: p.phase,
        lines: p.lines,
        bytes: p.bytes,
        totalBytes: p.totalBytes,
        percent: p.totalBytes > 0 ? Math.min(100, (100 * p.bytes) / p.totalBytes) : 100,
        linesPerSecond: Math.round(p.lines / seconds),
      });
    },
  });
}

/** Imports one Android capture (each evidence file its own outcome); a refusal is one outcome. */
async function importAndroidPath(
  options: BatchOptions,
  path: string,
  index: number,
): Promise<ImportOutcome[]> {
  const controller = new AbortController();
  const poll = setInterval(() => {
    if (options.isCancelled()) controller.abort();
  }, 50);
  const report = (phase: ImportProgress['phase'], percent: number, detail?: string): void =>
    options.onProgress({
      importId: options.importId,
      path,
      fileIndex: index,
      fileCount: options.paths.length,
      phase,
      lines: 0,
      bytes: 0,
      totalBytes: 0,
      percent,
      linesPerSecond: 0,
      detail,
    });
  try {
    const r = await importAndroidInto(options.db, path, {
      deviceId: options.deviceId,
      timeZone: options.timeZone,
      signal: controller.signal,
      onProgress: (p) =>
        report(
          p.phase === 'reading' ? 'reading' : 'committing',
          Math.round(p.fraction * 100),
          p.detail,
        ),
    });
    report('done', 100);
    return r.outcomes;
  } catch (e) {
    if (e instanceof AppError)
      return [
        unreadOutcome(
          path,
          options.deviceId,
          e.code === 'CANCELLED' ? 'cancelled' : 'refused',
          e.message,
        ),
      ];
    throw e;
  } finally {
    clearInterval(poll);
  }
}
