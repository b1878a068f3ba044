import type { ObservedDays } from '../../../contract/api';
import type { TimeRange } from './time-window';

const DAY_MS = 86_400_000;

/** Ascending day numbers as inclusive ranges of consecutive days. */
export function dayRanges(days: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const d of days) {
    const last = out.at(-1);
    if (last && d === last[1] + 1) last[1] = d;
    else if (!last || d > last[1]) out.push([d, d]);
  }
  return out;
}

/**
 * The stretches of a view outside observed days: each device-local day range is placed on the
 * axis at the device's offset (local midnight to local midnight), and everything of the view not
 * covered is "no data". `period` (local days, `to` exclusive) limits what counts as observed.
 */
export function noDataStretches(
  ranges: readonly [number, number][],
  offsetMin: number,
  view: TimeRange,
  period: { fromDay: number | null; toDay: number | null } = { fromDay: null, toDay: null },
): TimeRange[] {
  if (!(view.toMs > view.fromMs)) return [];
  const offsetMs = offsetMin * 60_000;
  const startOf = (day: number): number => day * DAY_MS - offsetMs;
  const out: TimeRange[] = [];
  let cursor = view.fromMs;
  for (const [a, b] of ranges) {
    const lo = period.fromDay === null ? a : Math.max(a, period.fromDay);
    const hi = period.toDay === null ? b : Math.min(b, period.toDay - 1);
    if (hi < lo) continue;
    const from = startOf(lo);
    const to = startOf(hi + 1);
    if (to <= cursor) continue;
    if (from >= view.toMs) break;
    if (from > cursor) out.push({ fromMs: cursor, toMs: from });
    cursor = Math.max(cursor, to);
    if (cursor >= view.toMs) break;
  }
  if (cursor < view.toMs) out.push({ fromMs: cursor, toMs: view.toMs });
  return out;
}

/** Each observed device's no-data stretches in a view, by device id. */
export function noDataByDevice(
  observed: readonly ObservedDays[] | undefined,
  view: TimeRange,
): Map<number, TimeRange[]> {
  const out = new Map<number, TimeRange[]>();
  for (const o of observed ?? []) out.set(o.deviceId, noDataStretches(o.ranges, o.offsetMin, view));
  return out;
}

/**
 * The stretches of a view that no device observed (each device's days at its own offset): where
 * the whole case holds no access log.
 */
export function noDataForAll(
  observed: readonly ObservedDays[] | undefined,
  view: TimeRange,
): TimeRange[] {
  if (!observed || observed.length === 0) return [];
  const covered: TimeRange[] = [];
  for (const o of observed) {
    const offsetMs = o.offsetMin * 60_000;
    for (const [a, b] of o.ranges)
      covered.push({ fromMs: a * DAY_MS - offsetMs, toMs: (b + 1) * DAY_MS - offsetMs });
  }
  covered.sort((x, y) => x.fromMs - y.fromMs);
  const out: TimeRange[] = [];
  let cursor = view.fromMs;
  for (const c of covered) {
    if (c.toMs <= cursor) continue;
    if (c.fromMs >= view.toMs) break;
    if (c.fromMs > cursor) out.push({ fromMs: cursor, toMs: c.fromMs });
    cursor = Math.max(cursor, c.toMs);
  }
  if (cursor < view.toMs) out.push({ fromMs: cursor, toMs: view.toMs });
  return out;
}

/** How many whole or partial stretches a map of them holds. */
export function countStretches(byDevice: ReadonlyMap<number, readonly TimeRange[]>): number {
  let n = 0;
  for (const list of byDevice.values()) n += list.length;
  return n;
}
