import type { HeatmapResult, ObservedDays } from '../../../contract/api';
import { CATEGORY_LABELS } from '../../../contract/categories';
import type { Filter } from '../../../contract/filter';

export type HeatMetric = 'sessions' | 'busyMs';

/**
 * Whether a day was observed: by every device that has access logs in the period, by some of
 * them (`partial`), or by none (`none`: drawn as "no data", never as a quiet day).
 */
export type DayCoverage = 'observed' | 'partial' | 'none';

export interface HeatGrid {
  fromDay: number;
  days: number;
  sessions: Float64Array;
  busyMs: Float64Array;
  max: Record<HeatMetric, number>;
  /** Per row: whether its day was observed. */
  coverage: DayCoverage[];
  /** Per row: the devices without data that day (empty when observed by all). */
  missing: string[][];
  /** Devices with no access log in the period at all: they cannot appear in the grid. */
  unobserved: string[];
}

/** The most days drawn; longer spans keep their most recent days. */
export const MAX_DAYS = 3660;

/** A dense day × hour grid (row-major, 24 columns) from the sparse cells of a heatmap query. */
export function buildGrid(result: HeatmapResult): HeatGrid | null {
  if (result.fromDay === null || result.toDay === null || result.toDay < result.fromDay)
    return null;
  const fromDay = Math.max(result.fromDay, result.toDay - MAX_DAYS + 1);
  const days = result.toDay - fromDay + 1;
  const sessions = new Float64Array(days * 24);
  const busyMs = new Float64Array(days * 24);
  const max = { sessions: 0, busyMs: 0 };
  for (const c of result.cells) {
    const row = c.day - fromDay;
    if (row < 0 || row >= days || c.hour < 0 || c.hour > 23) continue;
    const i = row * 24 + c.hour;
    sessions[i] = (sessions[i] ?? 0) + c.sessions;
    busyMs[i] = (busyMs[i] ?? 0) + c.busyMs;
    max.sessions = Math.max(max.sessions, sessions[i] ?? 0);
    max.busyMs = Math.max(max.busyMs, busyMs[i] ?? 0);
  }
  const { coverage, missing, unobserved } = dayCoverage(result.observed, fromDay, days);
  return { fromDay, days, sessions, busyMs, max, coverage, missing, unobserved };
}

/**
 * Each day's coverage by the devices' observed days. Devices with no observed day in the period
 * are left out of `partial` (they hold no access log at all) and listed apart; without any
 * observed days (an older answer) every day counts as observed.
 */
export function dayCoverage(
  observed: readonly ObservedDays[] | undefined,
  fromDay: number,
  days: number,
): { coverage: DayCoverage[]; missing: string[][]; unobserved: string[] } {
  const coverage: DayCoverage[] = new Array<DayCoverage>(days).fill('observed');
  const missing: string[][] = Array.from({ length: days }, () => []);
  if (!observed || observed.length === 0) return { coverage, missing, unobserved: [] };
  const withData = observed.filter((o) => o.ranges.length > 0);
  const unobserved = observed.filter((o) => o.ranges.length === 0).map((o) => o.label);
  const seen = new Uint16Array(days);
  for (const o of withData) {
    const covered = new Uint8Array(days);
    for (const [a, b] of o.ranges)
      for (let d = Math.max(a, fromDay); d <= Math.min(b, fromDay + days - 1); d += 1)
        covered[d - fromDay] = 1;
    for (let r = 0; r < days; r += 1) {
      if (covered[r]) seen[r] = (seen[r] ?? 0) + 1;
      else missing[r]!.push(o.label);
    }
  }
  for (let r = 0; r < days; r += 1) {
    const n = seen[r] ?? 0;
    coverage[r] = n === 0 ? 'none' : n < withData.length ? 'partial' : 'observed';
  }
  return { coverage, missing, unobserved };
}

/** The value of one cell. */
export function cellValue(grid: HeatGrid, metric: HeatMetric, row: number, hour: number): number {
  const arr = metric === 'sessions' ? grid.sessions : grid.busyMs;
  return arr[row * 24 + hour] ?? 0;
}

/** The cell under a point, given the plot's geometry, or null. */
export function cellAt(
  x: number,
  y: number,
  geometry: { left: number; top: number; cellW: number; rowH: number; days: number },
): { row: number; hour: number } | null {
  const hour = Math.floor((x - geometry.left) / geometry.cellW);
  const row = Math.floor((y - geometry.top) / geometry.rowH);
  if (hour < 0 || hour > 23 || row < 0 || row >= geometry.days) return null;
  return { row, hour };
}

/** The heatmap title in words: "When does Instagram access Camera?" */
export function heatmapTitle(filter: Filter, appName: (identifier: string) => string): string {
  const apps = filter.apps ?? [];
  const cats = filter.categories ?? [];
  const subject =
    apps.length === 1 ? appName(apps[0] ?? '') : apps.length > 1 ? 'the selected apps' : 'apps';
  const verb = apps.length === 1 ? 'does' : 'do';
  const object =
    cats.length === 0
      ? 'anything'
      : cats.length <= 3
        ? cats
            .map((c) => CATEGORY_LABELS[c])
            .join(cats.length === 2 ? ' or ' : ', ')
            .replace(/, ([^,]*)$/, ', or $1')
        : `${cats.length} categories`;
  return `When ${verb} ${subject} access ${object}?`;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Weekday of a local day number (day 0 = Thursday 1970-01-01). */
export function weekday(day: number): string {
  return WEEKDAYS[(((day + 4) % 7) + 7) % 7] ?? '';
}

/** Row label spacing so labels do not overlap: label every n-th row. */
export function labelEvery(rowH: number, minGap = 13): number {
  return Math.max(1, Math.ceil(minGap / Math.max(0.1, rowH)));
}
