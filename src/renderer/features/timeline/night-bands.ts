import { DEFAULT_NIGHT, minutesOfDay, type DayWindow } from '../../../contract/filter';
import type { TimeRange } from './time-window';

const DAY = 86_400_000;

/**
 * The night windows (device-local, at a fixed offset) intersecting a range, as UTC instants.
 * Returns nothing for ranges wider than `maxDays`, where the bands would only add noise.
 */
export function nightBands(
  range: TimeRange,
  offsetMin: number,
  window: DayWindow = DEFAULT_NIGHT,
  maxDays = 45,
): TimeRange[] {
  if (range.toMs <= range.fromMs || range.toMs - range.fromMs > maxDays * DAY) return [];
  const off = offsetMin * 60_000;
  const a = minutesOfDay(window.from) * 60_000;
  let b = minutesOfDay(window.to) * 60_000;
  if (b <= a) b += DAY;
  const firstDay = Math.floor((range.fromMs + off) / DAY) - 1;
  const lastDay = Math.floor((range.toMs + off) / DAY);
  const out: TimeRange[] = [];
  for (let d = firstDay; d <= lastDay; d += 1) {
    const fromMs = d * DAY + a - off;
    const toMs = d * DAY + b - off;
    if (toMs > range.fromMs && fromMs < range.toMs) {
      out.push({ fromMs: Math.max(fromMs, range.fromMs), toMs: Math.min(toMs, range.toMs) });
    }
  }
  return out;
}
