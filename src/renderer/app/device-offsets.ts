import type { SummaryItem } from '../../contract/api';

/** The UTC offset most recently seen for each device, from summary rows. */
export function deviceOffsetsFrom(items: readonly SummaryItem[]): Map<number, number> {
  const latest = new Map<number, { ms: number; offsetMin: number }>();
  for (const item of items) {
    const seen = item.last ?? item.first;
    if (!seen) continue;
    const prev = latest.get(item.deviceId);
    if (!prev || seen.ms > prev.ms) latest.set(item.deviceId, seen);
  }
  return new Map([...latest].map(([id, v]) => [id, v.offsetMin]));
}
