import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../core/bridge/dispatch';
import { logLine } from '../core/log-line';

/** Size at which the log is rotated to `<name>.1` (one old generation is kept). */
export const MAX_LOG_BYTES = 5 * 1024 * 1024;

/**
 * Formats one log entry: ISO time, message, and what went wrong (see `logLine`: an unexpected
 * error's stack on the following lines, an expected one's sentence on the same line).
 */
export function formatLogEntry(at: Date, message: string, error?: unknown): string {
  return `${at.toISOString()} ${logLine(message, error)}\n`;
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
