import type { TimeRange } from '../timeline/time-window';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The timeline span of a heatmap cell: the device-local hour `hour` of day `day` (days since the
 * epoch, device-local) at the UTC offset `offsetMin`, with a quarter hour either side.
 */
export function cellSpan(day: number, hour: number, offsetMin: number): TimeRange {
  const fromMs = day * DAY + hour * HOUR - offsetMin * 60_000;
  return { fromMs: fromMs - HOUR / 4, toMs: fromMs + HOUR + HOUR / 4 };
}
