import type { CompareColumn, CompareRow } from '../../contract/records';

/** A comparison row placed in the report's matrix. */
export interface RankedRow {
  row: CompareRow;
  /**
   * The largest difference of sessions per observed day between the columns (highest minus
   * lowest), over the columns with data; null when fewer than two columns have data.
   */
  change: number | null;
  /** One of the largest changes: drawn with a marker. */
  marked: boolean;
  /** Indexes of the columns with the highest and the lowest rate (ties all included). */
  highest: number[];
  lowest: number[];
}

/** At most this many rows are marked as the largest changes. */
export const MARKED_MAX = 10;

/** How many rows to mark: the top quarter of the rows that changed, at least one, at most 10. */
export function markedCount(changed: number): number {
  return changed === 0 ? 0 : Math.min(MARKED_MAX, Math.max(1, Math.ceil(changed / 4)));
}

/**
 * Orders comparison rows by their largest change of sessions per day, largest first; rows whose
 * change cannot be measured (data in fewer than two columns) come last, by app and category.
 * Rates are rounded to hundredths already, so the difference is rounded the same way.
 */
export function rankComparisonRows(rows: readonly CompareRow[]): RankedRow[] {
  const ranked = rows.map((row): RankedRow => {
    const rates = row.columns
      .map((c, i) => ({ i, v: c.sessionsPerDay }))
      .filter((x): x is { i: number; v: number } => x.v !== null);
    if (rates.length < 2) return { row, change: null, marked: false, highest: [], lowest: [] };
    const max = Math.max(...rates.map((x) => x.v));
    const min = Math.min(...rates.map((x) => x.v));
    return {
      row,
      change: Math.round((max - min) * 100) / 100,
      marked: false,
      highest: max > min ? rates.filter((x) => x.v === max).map((x) => x.i) : [],
      lowest: max > min ? rates.filter((x) => x.v === min).map((x) => x.i) : [],
    };
  });
  ranked.sort(
    (a, b) =>
      (b.change ?? -1) - (a.change ?? -1) ||
      a.row.app.localeCompare(b.row.app) ||
      a.row.category.localeCompare(b.row.category),
  );
  const changed = ranked.filter((r) => r.change !== null && r.change > 0).length;
  const marks = markedCount(changed);
  ranked.forEach((r, i) => {
    r.marked = i < marks;
  });
  return ranked;
}

/**
 * Splits `n` compared columns into page-wide slices of at most `perSlice`, as even as possible
 * (7 columns at 3 a slice give 3, 2, 2), each slice as a list of column indexes.
 */
export function columnSlices(n: number, perSlice: number): number[][] {
  const per = Math.max(1, perSlice);
  const count = Math.max(1, Math.ceil(n / per));
  const out: number[][] = [];
  let start = 0;
  for (let s = 0; s < count; s += 1) {
    const size = Math.ceil((n - start) / (count - s));
    out.push(Array.from({ length: size }, (_, k) => start + k));
    start += size;
  }
  return out;
}

/** The five values of one compared column as the matrix shows them. */
export interface ComparisonCells {
  perDay: string;
  night: string;
  median: string;
  longest: string;
  background: string;
}

/**
 * A column's values in words: "no data" when the column has no observed day (every value), "–"
 * for a duration or share when there was no session, "n/a" when there were sessions but the data
 * cannot give the value (only open sessions, or no app state recorded).
 */
export function comparisonCells(c: CompareColumn): ComparisonCells | 'no data' {
  if (c.observedDays === 0 || c.sessionsPerDay === null) return 'no data';
  const missing = c.sessions === 0 ? '–' : 'n/a';
  const number = (v: number | null): string => (v === null ? missing : formatNumber(v));
  return {
    perDay: formatNumber(c.sessionsPerDay),
    night: String(c.nightSessions),
    median: number(c.medianSeconds),
    longest: number(c.longestSeconds),
    background: c.backgroundShare === null ? missing : `${Math.round(c.backgroundShare * 100)}%`,
  };
}

/** Up to two decimals, without trailing zeros (3, 2.5, 0.33). */
export function formatNumber(v: number): string {
  return String(Math.round(v * 100) / 100);
}
