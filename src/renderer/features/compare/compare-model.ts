import type { Device, SourceInfo } from '../../../contract/api';
import {
  columnChange,
  type ColumnChange,
  type CompareKind,
} from '../../../contract/compare-change';
import type { Filter } from '../../../contract/filter';
import type {
  CompareColumn,
  CompareColumnInfo,
  CompareRow,
  CompareSpecInput,
} from '../../../contract/records';
import { dayRanges, noDataStretches } from '../timeline/no-data';
import { formatCount } from '../../shared/format';
import type { TimeRange } from '../timeline/time-window';

export const DAY_MS = 86_400_000;

/** Devices side by side, or periods of one device. */
export type CompareMode = 'devices' | 'periods';
/** Bands on the real time axis, or every day overlaid on one device-local day. */
export type Alignment = 'absolute' | 'time-of-day';

export interface PeriodDraft {
  deviceId: number;
  from: string;
  to: string;
}

/** The label of a period column, as the CLI writes it: `DEVICE:FROM..TO`. */
export function periodLabel(deviceLabel: string, p: { from: string; to: string }): string {
  return `${deviceLabel}:${p.from}..${p.to}`;
}

/** The columns the view asks for, or a reason it cannot ask yet. */
export function buildColumns(
  mode: CompareMode,
  devices: readonly Device[],
  picked: readonly number[],
  periods: readonly PeriodDraft[],
): { columns: CompareSpecInput[] } | { problem: string } {
  const byId = new Map(devices.map((d) => [d.id, d]));
  if (mode === 'devices') {
    const chosen = picked.map((id) => byId.get(id)).filter((d): d is Device => d !== undefined);
    if (chosen.length < 2) return { problem: 'Pick two devices or more to compare.' };
    return { columns: chosen.map((d) => ({ label: d.label, deviceId: d.id })) };
  }
  if (periods.length < 2) return { problem: 'Add two periods or more to compare.' };
  const columns: CompareSpecInput[] = [];
  for (const [i, p] of periods.entries()) {
    const device = byId.get(p.deviceId);
    if (!device) return { problem: `Period ${i + 1}: pick a device.` };
    if (p.from && p.to && p.to <= p.from)
      return { problem: `Period ${i + 1} ends before it starts.` };
    columns.push({
      label: periodLabel(device.label, p),
      deviceId: p.deviceId,
      ...(p.from ? { from: p.from } : {}),
      ...(p.to ? { to: p.to } : {}),
    });
  }
  const labels = new Set(columns.map((c) => c.label));
  if (labels.size < columns.length) return { problem: 'Two periods are the same.' };
  return { columns };
}

/** Two periods split at a date: everything before it, and everything from it on. */
export function splitAt(deviceId: number, date: string): PeriodDraft[] {
  return [
    { deviceId, from: '', to: date },
    { deviceId, from: date, to: '' },
  ];
}

/**
 * The filter of one band: the sidebar's filter on the column's device and period, narrowed to a
 * drilled app. Built from the columns of the result on screen, which may lag the columns being
 * asked for while a new comparison loads.
 */
export function bandFilter(
  base: Filter,
  column: { label?: string; deviceId: number; from?: string | null; to?: string | null },
  focus: { apps: string[]; category: CompareRow['category'] } | null,
): Filter {
  const f: Filter = { ...base, devices: [column.deviceId] };
  delete f.from;
  delete f.to;
  if (column.from) f.from = column.from;
  if (column.to) f.to = column.to;
  if (focus) {
    f.apps = focus.apps;
    f.categories = [focus.category];
  }
  return f;
}

/** Keeps the rows the sidebar's app and category filters name (the columns replace its devices and dates). */
export function narrowRows(rows: readonly CompareRow[], filter: Filter): CompareRow[] {
  const apps = filter.apps && filter.apps.length > 0 ? new Set(filter.apps) : null;
  const cats =
    filter.categories && filter.categories.length > 0 ? new Set(filter.categories) : null;
  return rows.filter(
    (r) =>
      (!apps || r.apps.some((a) => apps.has(a)) || (r.appName !== null && apps.has(r.appName))) &&
      (!cats || cats.has(r.category)),
  );
}

/** Night share of a column: night sessions over sessions; null without sessions. */
export function nightShare(c: CompareColumn): number | null {
  return c.sessions > 0 ? c.nightSessions / c.sessions : null;
}

export type Metric = 'perDay' | 'night' | 'median' | 'longest' | 'background' | 'locked';

export const METRICS: { id: Metric; label: string; title: string }[] = [
  { id: 'perDay', label: 'Sessions/day', title: 'Sessions per observed day' },
  { id: 'night', label: 'Night share', title: 'Share of sessions in the night window' },
  { id: 'median', label: 'Median duration', title: 'Median duration of closed sessions' },
  { id: 'longest', label: 'Longest', title: 'Longest closed session' },
  {
    id: 'background',
    label: 'Background share',
    title: 'Share of sessions with a known state that ran in the background',
  },
  {
    id: 'locked',
    label: 'Locked share',
    title:
      "Share of sessions starting while the device's own logs (PowerLog, usagestats) recorded it locked, over those whose lock state is known",
  },
];

/** Metrics that are shares (0..1), shown as percentages. */
export const isShare = (m: Metric): boolean =>
  m === 'night' || m === 'background' || m === 'locked';

/** A metric's value in a column; null where the data cannot give it. */
export function metricValue(c: CompareColumn, m: Metric): number | null {
  switch (m) {
    case 'perDay':
      return c.sessionsPerDay;
    case 'night':
      return c.observedDays > 0 ? nightShare(c) : null;
    case 'median':
      return c.medianSeconds;
    case 'longest':
      return c.longestSeconds;
    case 'background':
      return c.backgroundShare;
    case 'locked':
      return c.lockedShare ?? null;
  }
}

/**
 * The change of a metric across the columns, as the contract defines it for the comparison's kind:
 * for devices the spread (highest minus lowest, naming both, whatever the column order); for
 * periods the last minus the first. Null when the data cannot give it.
 */
export function change(row: CompareRow, m: Metric, kind: CompareKind): ColumnChange | null {
  return columnChange(
    row.columns.map((c) => metricValue(c, m)),
    kind,
  );
}

/**
 * The sample a column's value rests on, in words beside it: sessions for a per-day rate, all
 * sessions for the night share, sessions with a known state for the background share, closed
 * sessions for durations. Null where the column has no observed day.
 */
export function sampleOf(c: CompareColumn, m: Metric): string | null {
  if (c.observedDays === 0) return null;
  switch (m) {
    case 'perDay':
      return `${formatCount(c.sessions)} in ${formatCount(c.observedDays)} d`;
    case 'night':
      return `${formatCount(c.nightSessions)} of ${formatCount(c.sessions)}`;
    case 'background':
      return c.knownStateSessions === undefined ? null : `of ${formatCount(c.knownStateSessions)}`;
    case 'locked':
      return c.knownLockSessions === undefined ? null : `of ${formatCount(c.knownLockSessions)}`;
    case 'median':
    case 'longest':
      return c.closedSessions === undefined ? null : `n=${formatCount(c.closedSessions)}`;
  }
}

/** Access sessions per device, from the case's sources. */
export function sessionsByDevice(
  sources: readonly Pick<SourceInfo, 'deviceId' | 'counts'>[],
): Map<number, number> {
  const out = new Map<number, number>();
  for (const s of sources) out.set(s.deviceId, (out.get(s.deviceId) ?? 0) + s.counts.sessions);
  return out;
}

/** Devices whose every source is an artifact of a backup (permissions, usage, profiles). */
export function backupOnlyDevices(
  sources: readonly Pick<SourceInfo, 'deviceId' | 'importer'>[],
): Set<number> {
  const other = new Set<number>();
  const backup = new Set<number>();
  for (const s of sources) (s.importer.startsWith('ios-backup') ? backup : other).add(s.deviceId);
  return new Set([...backup].filter((id) => !other.has(id)));
}

/**
 * The devices compared by default: up to four with access sessions. A device without any (a
 * backup alone) would read "no data" as a column; it stays available, unticked. Before the
 * session counts are known every device counts.
 */
export function defaultPicked(
  devices: readonly Device[],
  sessions: ReadonlyMap<number, number> | null,
): number[] {
  return devices
    .filter((d) => sessions === null || (sessions.get(d.id) ?? 0) > 0)
    .slice(0, 4)
    .map((d) => d.id);
}

/** How a cell stands against the row's other columns: the highest or lowest of a clear spread. */
export function cellMark(row: CompareRow, index: number, m: Metric): 'high' | 'low' | null {
  const values = row.columns.map((c) => metricValue(c, m));
  const present = values.filter((v): v is number => v !== null);
  const v = values[index];
  if (v === null || v === undefined || present.length < 2) return null;
  const max = Math.max(...present);
  const min = Math.min(...present);
  // A spread worth pointing at: the larger at least half again the smaller, and not a rounding step.
  const floor = isShare(m) ? 0.1 : m === 'perDay' ? 0.5 : 1;
  if (max - min < floor || max < min * 1.5) return null;
  if (v === max) return 'high';
  if (v === min) return 'low';
  return null;
}

/**
 * The stretches of a time range outside a column's observed days or its period: each
 * device-local day is placed on the axis with the device's offset (the timeline's rule).
 */
export function noDataRanges(info: CompareColumnInfo, range: TimeRange): TimeRange[] {
  const dayOf = (date: string | null): number | null =>
    date ? Date.parse(`${date}T00:00:00Z`) / DAY_MS : null;
  return noDataStretches(dayRanges(info.days), info.offsetMin, range, {
    fromDay: dayOf(info.from),
    toDay: dayOf(info.to),
  });
}

/** Observed days as `2024-05-01…2024-05-09, 2024-06-01` stretches, for headers and tooltips. */
export function dayStretches(days: readonly number[]): string {
  const iso = (d: number): string => new Date(d * DAY_MS).toISOString().slice(0, 10);
  const parts: string[] = [];
  let start: number | null = null;
  let prev: number | null = null;
  const flush = (): void => {
    if (start === null || prev === null) return;
    parts.push(start === prev ? iso(start) : `${iso(start)}…${iso(prev)}`);
  };
  for (const d of days) {
    if (prev !== null && d === prev + 1) {
      prev = d;
      continue;
    }
    flush();
    start = d;
    prev = d;
  }
  flush();
  return parts.join(', ');
}

/** The span of days of all columns on the absolute axis, padded a little; null with none. */
export function daysExtent(columns: readonly CompareColumnInfo[]): TimeRange | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of columns) {
    const first = c.days[0];
    const last = c.days.at(-1);
    if (first === undefined || last === undefined) continue;
    lo = Math.min(lo, first * DAY_MS - c.offsetMin * 60_000);
    hi = Math.max(hi, (last + 1) * DAY_MS - c.offsetMin * 60_000);
  }
  return Number.isFinite(lo) && Number.isFinite(hi) ? { fromMs: lo, toMs: hi } : null;
}
