// Device-local wall-clock times of Android dumps (reference android-sources.md §2, §5): dumpsys
// prints `yyyy-MM-dd HH:mm:ss[.SSS]` in the device's zone with no offset, so a time only becomes an
// instant once the zone (`persist.sys.timezone`) is known. Zone rules come from the runtime's ICU
// data through `Intl.DateTimeFormat`; no zone is ever guessed here.
import { isIanaTimeZone } from '../../../contract/time';
import type { LocalTime } from './types';

const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month === 2 && isLeapYear(year)) return 29;
  return MONTH_DAYS[month - 1] ?? 0;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Milliseconds of the given fields read as UTC; years 0–99 are kept as such (no 1900 shift). */
function utcFields(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number) {
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  return date.getTime();
}

/**
 * Reads a dumpsys wall-clock time `yyyy-MM-dd HH:mm:ss[.SSS]`.
 *
 * Every field is range-checked (month 1–12, the day against the month and leap years, 24-hour
 * clock, seconds 0–59); a fraction of one to three digits is a fraction of a second (`.4` is
 * 400 ms). Returns null for anything else, including locale-formatted times such as `4/4/2017 22:46`.
 */
export function parseLocalTime(text: string): LocalTime | null {
  const m = LOCAL_TIME.exec(text);
  if (!m) return null;
  const [, ys, mos, ds, hs, mis, ss, frac] = m;
  const year = Number(ys);
  const month = Number(mos);
  const day = Number(ds);
  const hour = Number(hs);
  const minute = Number(mis);
  const second = Number(ss);
  if (month < 1 || month > 12) return null;
  if (day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const ms = frac === undefined ? 0 : Number(frac.padEnd(3, '0'));
  return { text, wallMs: utcFields(year, month, day, hour, minute, second, ms) };
}

/** Formats a wall-clock `wallMs` back to `yyyy-MM-dd HH:mm:ss` (plus `.SSS` when not whole). */
export function formatWallMs(wallMs: number): string {
  const iso = new Date(wallMs).toISOString();
  const base = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  return wallMs % 1000 === 0 ? base : `${base}.${iso.slice(20, 23)}`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The wall clock of `zone` at the instant `ms`, as milliseconds read as UTC (second precision). */
function wallAt(ms: number, zone: string): number {
  const seconds = Math.floor(ms / 1000) * 1000;
  const parts = formatterFor(zone).formatToParts(seconds);
  const get = (type: Intl.DateTimeFormatPartTypes): number => {
    const part = parts.find((p) => p.type === type);
    return part ? Number(part.value) : Number.NaN;
  };
  const era = parts.find((p) => p.type === 'era')?.value ?? 'AD';
  let year = get('year');
  if (era === 'BC' || era === 'B') year = 1 - year;
  // Some runtimes print midnight as 24 even with a 23-hour cycle.
  const hour = get('hour') % 24;
  return utcFields(year, get('month'), get('day'), hour, get('minute'), get('second'), 0);
}

/** Offset of `zone` from UTC at the instant `ms`, in milliseconds (east positive). */
function offsetAt(ms: number, zone: string): number {
  return wallAt(ms, zone) - Math.floor(ms / 1000) * 1000;
}

/** Where a device-local wall-clock time falls on the UTC time line. */
export interface ZonedInstant {
  /** UTC epoch milliseconds. */
  ms: number;
  /**
   * The zone's UTC offset at that instant, in minutes east of UTC. Whole minutes for any modern
   * rule; historic local mean times can give a fraction (e.g. −44.5 for Africa/Monrovia in 1970).
   */
  offsetMin: number;
  /** The wall time occurred twice (clocks went back); `ms` is the earlier of the two. */
  ambiguous: boolean;
  /** The wall time never occurred (clocks went forward); `ms` is shifted forward by the gap. */
  skipped: boolean;
}

/**
 * Converts a device-local wall-clock time (`LocalTime.wallMs`) in the IANA `zone` to a UTC instant.
 *
 * In an overlap (autumn, clocks back) the earlier instant is taken and `ambiguous` is set. In a gap
 * (spring, clocks forward) the time is read with the offset in force before the gap, which moves it
 * forward by the gap's length (02:30 in New York on the spring-forward day becomes 03:30 EDT), and
 * `skipped` is set. Throws a RangeError for a zone the runtime does not know.
 */
export function zonedInstant(wallMs: number, zone: string): ZonedInstant {
  if (!isIanaTimeZone(zone)) throw new RangeError(`Unknown time zone: ${zone}`);
  if (!Number.isFinite(wallMs)) throw new RangeError(`Not a wall-clock time: ${wallMs}`);
  // The offsets a day either side bracket any single transition near the wall time.
  const before = offsetAt(wallMs - DAY_MS, zone);
  const after = offsetAt(wallMs + DAY_MS, zone);
  const candidates = new Set([before, offsetAt(wallMs, zone), after]);
  const instants: { ms: number; offset: number }[] = [];
  for (const offset of candidates) {
    const ms = wallMs - offset;
    if (offsetAt(ms, zone) === offset && !instants.some((i) => i.ms === ms)) {
      instants.push({ ms, offset });
    }
  }
  instants.sort((a, b) => a.ms - b.ms);
  const first = instants[0];
  if (first) {
    return {
      ms: first.ms,
      offsetMin: first.offset / MINUTE_MS,
      ambiguous: instants.length > 1,
      skipped: false,
    };
  }
  const ms = wallMs - before;
  return { ms, offsetMin: offsetAt(ms, zone) / MINUTE_MS, ambiguous: false, skipped: true };
}

let epochZeroWalls: Set<number> | null = null;

/** Wall-clock readings of the UTC epoch in every zone the runtime knows (computed once). */
function epochZeroInAnyZone(): Set<number> {
  if (!epochZeroWalls) {
    epochZeroWalls = new Set([0]);
    for (const zone of Intl.supportedValuesOf('timeZone')) epochZeroWalls.add(wallAt(0, zone));
  }
  return epochZeroWalls;
}

/**
 * True when `t` is the UTC epoch (1970-01-01T00:00:00Z) printed in the device's zone, which
 * dumpsys uses for "never" (reference §2: `1970-01-01 01:00:00` in Europe/Lisbon, then UTC+1).
 *
 * With a null or unknown zone the time is compared with the epoch's reading in every zone the
 * runtime knows: no Android device records real events at 1970-01-01, so this cannot hide one.
 */
export function isEpochZeroInZone(t: LocalTime, zone: string | null): boolean {
  if (zone !== null && isIanaTimeZone(zone)) return wallAt(0, zone) === t.wallMs;
  return epochZeroInAnyZone().has(t.wallMs);
}
