import type { ImportWarning } from '../../contract/warnings';

/** Rows a warnings table shows before "Show all". */
export const WARNING_ROWS = 50;

/**
 * Where a warning points, in one text: its locator, with its line number added when the locator
 * does not already name it (a backup part's path, a file's name).
 */
export function warningWhere(w: Pick<ImportWarning, 'line' | 'locator'>): string {
  const locator = w.locator.trim();
  if (w.line === null) return locator === '' ? 'the whole file' : locator;
  if (locator === '') return `line ${w.line}`;
  return new RegExp(`\\bline ${w.line}\\b`).test(locator) ? locator : `${locator}, line ${w.line}`;
}

/** The warnings a table shows: the first `limit`, or every one once the user asked for all. */
export function shownWarnings<T>(
  warnings: readonly T[],
  limit: number,
  all: boolean,
): { rows: readonly T[]; hidden: number } {
  const n = Math.max(0, Math.floor(limit));
  if (all || warnings.length <= n) return { rows: warnings, hidden: 0 };
  return { rows: warnings.slice(0, n), hidden: warnings.length - n };
}
