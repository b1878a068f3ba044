import { zoneOffsetMinutes } from '../../../contract/time';
import type { PlacedInstant } from '../../model/import-records';

/** The largest distance from the epoch a Date can hold (ECMAScript's time range), in ms. */
export const MAX_DATE_MS = 8.64e15;

/**
 * The UTC offset of a zone at an instant, looked up once per hour of UTC time (a lookup is slow,
 * and an artifact may hold a hundred thousand rows): when both ends of the hour have the same
 * offset, no rule change falls inside it, since zone rules never change twice within an hour.
 */
export function zoneOffsets(timeZone: string | null): (ms: number | null) => number | null {
  const hours = new Map<number, [number | null, number | null]>();
  return (ms) => {
    if (ms === null || timeZone === null || !Number.isFinite(ms)) return null;
    const hour = Math.floor(ms / 3_600_000);
    let ends = hours.get(hour);
    if (!ends) {
      ends = [
        zoneOffsetMinutes(timeZone, hour * 3_600_000),
        zoneOffsetMinutes(timeZone, hour * 3_600_000 + 3_599_999),
      ];
      if (hours.size > 100_000) hours.clear();
      hours.set(hour, ends);
    }
    return ends[0] === ends[1] ? ends[0] : zoneOffsetMinutes(timeZone, ms);
  };
}

export type { PlacedInstant };

/**
 * Places times read from an artifact: a finite time within the range of dates becomes an instant
 * with the zone's offset; one no date can be (1e308 seconds, NaN) becomes null with a problem.
 */
export function timePlacer(
  timeZone: string | null,
  onProblem: (message: string) => void,
): (ms: number | null, where: string) => PlacedInstant | null {
  const offset = zoneOffsets(timeZone);
  return (ms, where) => {
    if (ms === null) return null;
    if (!Number.isFinite(ms) || Math.abs(ms) > MAX_DATE_MS) {
      onProblem(
        `${where}: the time is outside the range of dates (${String(ms)} ms from 1970); it is stored as unknown.`,
      );
      return null;
    }
    const rounded = Math.round(ms);
    return { ms: rounded, offsetMin: offset(rounded) };
  };
}
