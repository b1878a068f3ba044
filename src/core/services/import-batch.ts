import type { ImportProgress } from '../../contract/events';
import type { ImportOutcome } from '../../contract/records';
import type { Db } from '../db/open';
import { AppError } from '../model/errors';
import type { ImportCache } from '../importers/importer';
import { importPath } from './import-pipeline';
import { failedOutcome, pollingSignal, unreadOutcome } from './import-run';

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
  /** A backup password. */
  password?: string;
  /** Survives between imports of one process (a backup's unlocked keys). */
  cache?: ImportCache;
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
    let these: ImportOutcome[];
    try {
      these = await importOne(options, path, index);
    } catch (e) {
      options.onError?.(path, e);
      these = [failedOutcome(path, options.deviceId, e)];
    }
    outcomes.push(...these);
    options.onProgress({
      importId: options.importId,
      path,
      fileIndex: index,
      fileCount: options.paths.length,
      phase: 'done',
      lines: these.reduce((n, o) => n + o.counts.lines, 0),
      bytes: 0,
      totalBytes: 0,
      percent: 100,
      linesPerSecond: 0,
    });
  }
  return { outcomes, cancelled: options.isCancelled() };
}

/** Imports what one path holds through the pipeline, reporting its progress. */
async function importOne(
  options: BatchOptions,
  path: string,
  index: number,
): Promise<ImportOutcome[]> {
  const every = options.progressEveryMs ?? 100;
  const started = Date.now();
  let last = 0;
  const { signal, stop } = pollingSignal(options.isCancelled);
  try {
    const r = await importPath(options.db, path, {
      device: options.deviceId,
      choice: { deviceId: options.deviceId },
      timeZone: options.timeZone,
      password: options.password,
      signal,
      isCancelled: options.isCancelled,
      cache: options.cache,
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
          percent:
            p.fraction !== undefined
              ? Math.round(p.fraction * 100)
              : p.totalBytes > 0
                ? Math.min(100, (100 * p.bytes) / p.totalBytes)
                : 100,
          linesPerSecond: Math.round(p.lines / seconds),
          detail: p.detail ?? (p.name !== path ? p.name : undefined),
        });
      },
    });
    return r.outcomes;
  } catch (e) {
    if (e instanceof AppError && e.code !== 'INTERNAL')
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
    stop();
  }
}
