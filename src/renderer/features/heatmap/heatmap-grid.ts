import type { HeatmapResult } from '../../../contract/api';
import { CATEGORY_LABELS } from '../../../contract/categories';
import type { Filter } from '../../../contract/filter';

export type HeatMetric = 'sessions' | 'busyMs';

export interface HeatGrid {
  fromDay: number;
  days: number;
  sessions: Float64Array;
  busyMs: Float64Array;
  max: Record<HeatMetric, number>;
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
  return { fromDay, days, sessions, busyMs, max };
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
