import { DEFAULT_NIGHT, type DayWindow } from '../../contract/filter';
import type { CompareRequest, CompareRow } from '../../contract/records';
import { dayNumberToDate, formatOffset } from '../../contract/time';
import { compareResult } from '../services/compare-request';
import { dayOf } from '../services/compare';
import type { CaseSession } from '../services/case-service';
import { csvColumns, csvTable } from '../services/csv';
import type { Redactor } from './redaction';

/** The bundle's comparison matrix: one row per app × category × compared column. */
export const COMPARISON_CSV = 'comparison.csv';
/** What each compared column covers: its device, period and observed days. */
export const COMPARISON_COLUMNS_CSV = 'comparison-columns.csv';

/** Columns of `comparison.csv`; an empty cell is a value the data cannot give. */
export const COMPARISON_CSV_COLUMNS = [
  'app',
  'app_name',
  'paired_apps',
  'category',
  'column',
  'device',
  'period_from',
  'period_to_exclusive',
  'observed_days',
  'sessions',
  'sessions_per_day',
  'night_sessions',
  'median_seconds',
  'longest_seconds',
  'background_share',
] as const;

/** Both tables hold text up to the period and values from `period_from` on. */
function valuesFromPeriod<N extends string>(names: readonly (N | 'period_from')[]) {
  return csvTable(csvColumns(names, names.slice(names.indexOf('period_from'))));
}

const COMPARISON_TABLE = valuesFromPeriod(COMPARISON_CSV_COLUMNS);

/** Columns of `comparison-columns.csv`. */
export const COMPARISON_COLUMNS_CSV_COLUMNS = [
  'column',
  'device',
  'period_from',
  'period_to_exclusive',
  'observed_days',
  'first_observed_day',
  'last_observed_day',
  'no_data_days',
  'no_data_ranges',
  'local_day_offset',
  'night_window',
] as const;

const COMPARISON_COLUMNS_TABLE = valuesFromPeriod(COMPARISON_COLUMNS_CSV_COLUMNS);

/** A run of consecutive days, both ends included, as `YYYY-MM-DD`. */
export interface DayRange {
  first: string;
  last: string;
}

/** One compared column as the bundle shows it. */
export interface ComparisonColumn {
  label: string;
  deviceId: number;
  /** The device's label in the case. */
  device: string;
  /** The period as asked (`YYYY-MM-DD`, `to` excluded); null for an open end. */
  from: string | null;
  to: string | null;
  observedDays: number;
  firstObserved: string | null;
  lastObserved: string | null;
  /**
   * Days inside the period's span without data: the span is the period where it is bounded and
   * the first or last observed day where it is open.
   */
  noData: DayRange[];
  noDataDays: number;
  /** The UTC offset (minutes) the device-local days were counted in. */
  offsetMin: number;
}

/** A comparison as written into a bundle: redaction and identifier masking already applied. */
export interface BundleComparison {
  night: DayWindow;
  columns: ComparisonColumn[];
  rows: CompareRow[];
  /** The case's app pairings, which decide which identifiers count as one app. */
  pairings: { a: string; b: string }[];
}

export interface ComparisonPrivacy {
  /**
   * The bundle's rewriting of free text: redacted apps become their alias (also among paired
   * identifiers) and, unless unmasked, a device identifier a column label quotes is masked.
   */
  redactor: Redactor;
}

/** The runs of day numbers in [from, to] (both included) that are not in `days` (ascending). */
export function missingRanges(
  days: readonly number[],
  from: number,
  to: number,
): { first: number; last: number }[] {
  const out: { first: number; last: number }[] = [];
  let next = from;
  for (const d of days) {
    if (d < from) continue;
    if (d > to) break;
    if (d > next) out.push({ first: next, last: d - 1 });
    next = d + 1;
  }
  if (to >= next) out.push({ first: next, last: to });
  return out;
}

/** The case's app pairings (they decide which identifiers count as one app), aliased. */
function pairingsOf(
  session: CaseSession,
  app: (text: string) => string,
): { a: string; b: string }[] {
  return (
    session.db.prepare('SELECT a, b FROM app_pairings ORDER BY a, b').all() as {
      a: string;
      b: string;
    }[]
  ).map((p) => ({ a: app(p.a), b: app(p.b) }));
}

/**
 * Runs a comparison for a bundle: the rows with redacted apps replaced by their aliases (in the
 * app, its name and its paired identifiers, as everywhere else in the bundle), column labels with
 * quoted device identifiers masked unless unmasked, and each column's observed and missing days.
 */
export function buildComparison(
  session: CaseSession,
  request: CompareRequest,
  privacy: ComparisonPrivacy,
): BundleComparison {
  const result = compareResult(session.db, request);
  const deviceLabel = new Map(session.devices().map((d) => [d.id, d.label]));
  const label = privacy.redactor.text;
  const app = privacy.redactor.text;
  const columns = result.columns.map((c): ComparisonColumn => {
    const first = c.days[0];
    const last = c.days[c.days.length - 1];
    const spanFrom = c.from !== null ? dayOf(c.from) : first;
    const spanTo = c.to !== null ? dayOf(c.to) - 1 : last;
    const gaps =
      spanFrom === undefined || spanTo === undefined ? [] : missingRanges(c.days, spanFrom, spanTo);
    return {
      label: label(c.label),
      deviceId: c.deviceId,
      device: label(deviceLabel.get(c.deviceId) ?? `#${c.deviceId}`),
      from: c.from,
      to: c.to,
      observedDays: c.days.length,
      firstObserved: first === undefined ? null : dayNumberToDate(first),
      lastObserved: last === undefined ? null : dayNumberToDate(last),
      noData: gaps.map((g) => ({ first: dayNumberToDate(g.first), last: dayNumberToDate(g.last) })),
      noDataDays: gaps.reduce((n, g) => n + g.last - g.first + 1, 0),
      offsetMin: c.offsetMin,
    };
  });
  const rows = result.rows.map((r): CompareRow => ({
    ...r,
    app: app(r.app),
    appName: r.appName === null ? null : app(r.appName),
    apps: r.apps.map(app),
    columns: r.columns.map((c, i) => ({ ...c, label: columns[i]?.label ?? label(c.label) })),
  }));
  return {
    night: result.night,
    columns,
    rows,
    pairings: pairingsOf(session, app),
  };
}

/** `comparison.csv`: one line per app × category × column, empty cells where the value is null. */
export function* comparisonCsvLines(c: BundleComparison): Generator<string> {
  yield COMPARISON_TABLE.header();
  for (const row of c.rows)
    for (const [i, cell] of row.columns.entries()) {
      const column = c.columns[i]!;
      yield COMPARISON_TABLE.row([
        row.app,
        row.appName,
        row.apps.join(';'),
        row.category,
        column.label,
        column.device,
        column.from,
        column.to,
        cell.observedDays,
        cell.sessions,
        cell.sessionsPerDay,
        cell.nightSessions,
        cell.medianSeconds,
        cell.longestSeconds,
        cell.backgroundShare,
      ]);
    }
}

/** `comparison-columns.csv`: each column's device, period, observed days and no-data ranges. */
export function* comparisonColumnsCsvLines(c: BundleComparison): Generator<string> {
  yield COMPARISON_COLUMNS_TABLE.header();
  for (const col of c.columns)
    yield COMPARISON_COLUMNS_TABLE.row([
      col.label,
      col.device,
      col.from,
      col.to,
      col.observedDays,
      col.firstObserved,
      col.lastObserved,
      col.noDataDays,
      col.noData.map((r) => (r.first === r.last ? r.first : `${r.first} to ${r.last}`)).join(';'),
      formatOffset(col.offsetMin),
      `${c.night.from}-${c.night.to}`,
    ]);
}

/** The two comparison files, in the order the bundle lists them. */
export function comparisonFiles(
  c: BundleComparison,
): { name: string; content: Iterable<string> }[] {
  return [
    { name: COMPARISON_CSV, content: comparisonCsvLines(c) },
    { name: COMPARISON_COLUMNS_CSV, content: comparisonColumnsCsvLines(c) },
  ];
}

/** What a bundle's manifest records of a comparison. */
export interface ComparisonManifest {
  /** The request with the night window filled in: `queryCompare` runs it again on the case. */
  request: CompareRequest & { night: DayWindow };
  devices: { column: string; deviceId: number; device: string }[];
  pairings: { a: string; b: string }[];
  files: string[];
}

/**
 * What the manifest records of a comparison, enough to run it again on the same case: the
 * request, each column's device and the app pairings. It does not run the comparison, so it is
 * cheap beside files computed elsewhere from the same request.
 */
export function comparisonManifest(
  session: CaseSession,
  request: CompareRequest,
  privacy: ComparisonPrivacy,
): ComparisonManifest {
  const label = privacy.redactor.text;
  const deviceLabel = new Map(session.devices().map((d) => [d.id, d.label]));
  const columns = request.columns.map((c) => ({ ...c, label: label(c.label) }));
  return {
    request: { columns, night: request.night ?? DEFAULT_NIGHT },
    devices: columns.map((c) => ({
      column: c.label,
      deviceId: c.deviceId,
      device: label(deviceLabel.get(c.deviceId) ?? `#${c.deviceId}`),
    })),
    pairings: pairingsOf(session, label),
    files: [COMPARISON_CSV, COMPARISON_COLUMNS_CSV],
  };
}
