import type { ImportProgress } from '../../contract/events';
import type { ImportOutcome } from '../../contract/records';
import type { Db } from '../db/open';
import { importFile, unreadOutcome } from './import-run';

export interface BatchOptions {
  db: Db;
  importId: string;
  paths: string[];
  deviceId: number;
  isCancelled: () => boolean;
  onProgress: (p: ImportProgress) => void;
  /** Minimum interval between progress reports. */
  progressEveryMs?: number;
}

/**
 * Imports several files one after the other, each its own transaction. After a cancel, the
 * file being read is rolled back and the remaining files are reported as cancelled.
 */
export async function importBatch(
  options: BatchOptions,
): Promise<{ outcomes: ImportOutcome[]; cancelled: boolean }> {
  const outcomes: ImportOutcome[] = [];
  const every = options.progressEveryMs ?? 100;
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
    const started = Date.now();
    let last = 0;
    const outcome = await importFile({
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
