import type { ObservedDays } from '../../contract/api';
import type { Filter } from '../../contract/filter';
import { localDayNumber } from '../../contract/time';
import { latestOffset } from '../db/queries/device-offset';
import type { Db } from '../db/open';
import type { CaseMemo } from './case-memo';
import { parseRangeBound } from './filter-sql';

/**
 * True (in SQL, over `sources`) for a source that records app access: an App Privacy Report, an
 * Android capture holding an appops dump, or any source that stored access rows. A backup's
 * artifacts (permissions, data usage, profiles) and an Android capture's usagestats, package or
 * getprop files carry dates too, but no access could have been recorded in them: counting their
 * dates would turn days without any access log into quiet days.
 */
export const ACCESS_SOURCE_SQL = `(access_rows > 0 OR importer_id = 'ios-app-privacy-report' OR
  CASE WHEN importer_id = 'android-dumpsys' AND json_valid(details) THEN EXISTS (
    SELECT 1 FROM json_each(details, '$.sections') WHERE json_extract(value, '$.service') = 'appops'
  ) ELSE 0 END)`;

/** The most days one source may span (a hundred years): a wild clock cannot make the lists huge. */
const MAX_SPAN_DAYS = 36_600;

/**
 * The device-local days a device's access logs cover, as ascending disjoint inclusive ranges of
 * day numbers: each access source's data range mapped to local days with the device's latest
 * offset, touching ranges merged. A day outside them is "no data", never "no activity".
 */
export function observedRanges(db: Db, deviceId: number, offsetMin?: number): [number, number][] {
  const offset = offsetMin ?? latestOffset(db, deviceId) ?? 0;
  const ranges = (
    db
      .prepare(
        `SELECT data_from AS a, data_to AS b FROM sources
         WHERE device_id = ? AND data_from IS NOT NULL AND data_to IS NOT NULL AND ${ACCESS_SOURCE_SQL}`,
      )
      .all(deviceId) as { a: number; b: number }[]
  )
    .map((r): [number, number] => {
      const first = localDayNumber(r.a, offset);
      return [first, Math.min(localDayNumber(r.b, offset), first + MAX_SPAN_DAYS - 1)];
    })
    .filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b) && a <= b)
    .sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const [a, b] of ranges) {
    const last = merged.at(-1);
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  return merged;
}

/** Ranges cut to the local days [fromDay, toDay] (inclusive; null: unbounded). */
export function clipRanges(
  ranges: readonly [number, number][],
  fromDay: number | null,
  toDay: number | null,
): [number, number][] {
  const out: [number, number][] = [];
  for (const [a, b] of ranges) {
    const lo = fromDay === null ? a : Math.max(a, fromDay);
    const hi = toDay === null ? b : Math.min(b, toDay);
    if (hi >= lo) out.push([lo, hi]);
  }
  return out;
}

/** How many days the ranges hold. */
export function rangeDays(ranges: readonly [number, number][]): number {
  return ranges.reduce((n, [a, b]) => n + b - a + 1, 0);
}

/**
 * The filter's date range as inclusive device-local days at an offset: a date bound is that local
 * day, an instant the local day it falls in (the end is exclusive, so an end at midnight stops the
 * day before).
 */
export function filterDays(
  filter: Pick<Filter, 'from' | 'to'>,
  offsetMin: number,
): { fromDay: number | null; toDay: number | null } {
  const day = (text: string, end: boolean): number => {
    const b = parseRangeBound(text);
    if (b.kind === 'local') return Math.floor(b.localMs / 86_400_000) - (end ? 1 : 0);
    return localDayNumber(end ? b.ms - 1 : b.ms, offsetMin);
  };
  return {
    fromDay: filter.from ? day(filter.from, false) : null,
    toDay: filter.to ? day(filter.to, true) : null,
  };
}

/** A device's observed days before a filter cuts them: what `observedDevices` reads of the case. */
interface DeviceObserved {
  deviceId: number;
  label: string;
  offsetMin: number;
  ranges: [number, number][];
}

/** Every device's observed days, in device order. */
function devicesObserved(db: Db): DeviceObserved[] {
  const rows = db.prepare('SELECT id, label FROM devices ORDER BY id').all() as {
    id: number;
    label: string;
  }[];
  return rows.map((d) => {
    const offsetMin = latestOffset(db, d.id) ?? 0;
    return {
      deviceId: d.id,
      label: d.label,
      offsetMin,
      ranges: observedRanges(db, d.id, offsetMin),
    };
  });
}

/**
 * The observed days of the filter's devices (every device when it names none), each cut to the
 * filter's date range, in device order. The other filter fields do not narrow them: a day an app
 * was quiet on is still observed. With `memo`, what is read of the case is kept until it changes
 * (three statements a device, asked for by every timeline and heatmap answer).
 */
export function observedDevices(
  db: Db,
  filter: Pick<Filter, 'devices' | 'from' | 'to'>,
  memo?: CaseMemo,
): ObservedDays[] {
  const all = memo ? memo.get('devicesObserved', () => devicesObserved(db)) : devicesObserved(db);
  const wanted = filter.devices && filter.devices.length > 0 ? new Set(filter.devices) : null;
  return all
    .filter((d) => wanted === null || wanted.has(d.deviceId))
    .map((d): ObservedDays => {
      const { fromDay, toDay } = filterDays(filter, d.offsetMin);
      return {
        deviceId: d.deviceId,
        label: d.label,
        offsetMin: d.offsetMin,
        ranges: clipRanges(d.ranges, fromDay, toDay),
      };
    });
}
