// Importing one file through the pipeline, for callers that name one export file and one device
// (the CLI's file arguments, tests, benchmarks).
import { resolve } from 'node:path';
import type { ImportOutcome } from '../../contract/records';
import { emptyOutcome } from '../db/import-writer';
import type { Db } from '../db/open';
import { AppError } from '../model/errors';
import { describeFsError, describeNonFile, importPath } from './import-pipeline';

export { fileClock } from '../db/import-writer';
export { describeFsError, describeNonFile };

export interface ImportFileProgress {
  phase: 'reading' | 'pairing' | 'committing';
  lines: number;
  bytes: number;
  totalBytes: number;
}

export interface ImportFileOptions {
  db: Db;
  path: string;
  /**
   * The device the file goes into: its id, or a function that returns it, called inside the
   * file's transaction (it may create the device there, so a refused file leaves none behind).
   */
  deviceId: number | (() => number);
  isCancelled?: () => boolean;
  onProgress?: (p: ImportFileProgress) => void;
  /** Warnings kept in the outcome (all are counted and stored in the case). */
  maxOutcomeWarnings?: number;
}

/** The outcome of a file that was not imported (nothing of it was kept). */
export function unreadOutcome(
  path: string,
  deviceId: number | null,
  status: ImportOutcome['status'] = 'refused',
  error: string | null = null,
): ImportOutcome {
  return emptyOutcome(path, deviceId, status, error);
}

/**
 * The outcome of a file whose import failed with an unexpected error (after its transaction was
 * rolled back): refused, with a sentence naming the file and the reason.
 */
export function failedOutcome(path: string, deviceId: number | null, e: unknown): ImportOutcome {
  const reason = describeFsError(e);
  const message =
    e instanceof AppError ? reason : `Cannot import ${path}: ${reason.replace(/\.?$/, '.')}`;
  return unreadOutcome(path, deviceId, 'refused', `${message} Nothing of this file was kept.`);
}

/** An abort signal that follows a polled "is cancelled" question. */
export function pollingSignal(isCancelled: (() => boolean) | undefined): {
  signal: AbortSignal | undefined;
  stop: () => void;
} {
  if (!isCancelled) return { signal: undefined, stop: () => undefined };
  const controller = new AbortController();
  const check = (): void => {
    if (isCancelled()) controller.abort();
  };
  check();
  const timer = setInterval(check, 20);
  return {
    signal: controller.signal,
    stop: () => clearInterval(timer),
  };
}

/**
 * Imports one file into one device as one transaction (through the import pipeline): hashes it
 * while reading, stores every record with its line, pairs access edges into sessions, records the
 * import in the audit log. A refusal, a cancel or an error rolls everything back. The source file
 * is only read.
 */
export async function importFile(options: ImportFileOptions): Promise<ImportOutcome> {
  const path = resolve(options.path);
  const { signal, stop } = pollingSignal(options.isCancelled);
  try {
    const r = await importPath(options.db, path, {
      device: options.deviceId,
      signal,
      isCancelled: options.isCancelled,
      maxOutcomeWarnings: options.maxOutcomeWarnings,
      onProgress: (p) => {
        if (p.phase === 'unlocking') return;
        options.onProgress?.({
          phase: p.phase,
          lines: p.lines,
          bytes: p.bytes,
          totalBytes: p.totalBytes,
        });
      },
    });
    return (
      r.outcomes[0] ??
      unreadOutcome(
        path,
        typeof options.deviceId === 'number' ? options.deviceId : null,
        'refused',
        `Nothing to import was found in ${path}.`,
      )
    );
  } finally {
    stop();
  }
}
