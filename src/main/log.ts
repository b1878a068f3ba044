import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import type { Logger } from '../core/bridge/dispatch';

/** Size at which the log is rotated to `<name>.1` (one old generation is kept). */
export const MAX_LOG_BYTES = 5 * 1024 * 1024;

function describe(error: unknown): string {
  if (error === undefined) return '';
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return inspect(error, { depth: 4, breakLength: Infinity });
}

/** Formats one log entry: ISO time, message, and the error's stack on the following lines. */
export function formatLogEntry(at: Date, message: string, error?: unknown): string {
  const detail = describe(error);
  return `${at.toISOString()} ${message}${detail ? `\n${detail}` : ''}\n`;
}

/**
 * A logger appending to `filePath` (synchronously, so the last entry survives a crash) and
 * echoing to stderr. Writing never throws: a failing log must not break a bridge call.
 */
export function createFileLogger(filePath: string, now: () => Date = () => new Date()): Logger {
  try {
    mkdirSync(path.dirname(filePath), { recursive: true });
  } catch {
    // The directory may be unwritable; each write below handles that on its own.
  }
  return (message, error) => {
    const entry = formatLogEntry(now(), message, error);
    process.stderr.write(entry);
    try {
      if (statSafe(filePath) > MAX_LOG_BYTES) renameSync(filePath, `${filePath}.1`);
      appendFileSync(filePath, entry, { encoding: 'utf8', mode: 0o600 });
    } catch {
      // Nowhere left to report to; stderr already has the entry.
    }
  };
}

function statSafe(filePath: string): number {
  try {
    return statSync(filePath).size;
  } catch {
    return 0;
  }
}
