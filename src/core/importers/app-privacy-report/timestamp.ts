/**
 * Strict reading of App Privacy Report timestamps, with a reason for every refusal.
 *
 * Plausible window: an App Privacy Report cannot hold an instant before 2021-01-01T00:00:00Z (the
 * report first appeared in the iOS 15 betas of June 2021), nor one more than a day after the
 * import time (a device clock slightly ahead of the examiner's is tolerated; a day covers every
 * zone difference). Anything outside is refused with a warning rather than stored.
 */

import { parseIsoWithOffset } from '../../../contract/time';

/** The earliest instant a report can hold: the start of the year iOS 15 (and the report) appeared. */
export const EARLIEST_REPORT_MS = Date.UTC(2021, 0, 1);
/** How far past the import time a timestamp may lie. */
export const FUTURE_SLACK_MS = 24 * 60 * 60 * 1000;
/** The largest UTC offset any zone uses (Kiribati, +14:00; the lowest is -12:00). */
const MAX_OFFSET_MIN = 14 * 60;

export type TimestampReading =
  { ok: true; ms: number; offsetMin: number } | { ok: false; reason: string };

// YYYY-MM-DDTHH:MM:SS, 0-9 fractional digits, then Z or ±HH:MM (reference §5; ±HHMM tolerated).
const PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):?(\d{2}))$/;

const daysInMonth = (year: number, month: number): number =>
  month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : [4, 6, 9, 11].includes(month)
      ? 30
      : 31;

const fail = (reason: string): TimestampReading => ({ ok: false, reason });

/**
 * Reads one timestamp of a report: its UTC instant and the offset it was written with, or the
 * reason it cannot be an instant the device recorded (a field out of range, an offset past
 * ±14:00, an instant outside the plausible window). Never rolls a field over into the next.
 */
export function readReportTimestamp(text: string, nowMs: number): TimestampReading {
  // Fast path for the release layout every real export uses (reference §5): the shared parser,
  // plus the checks it does not make (second 60, offsets past ±14:00, the window; a year below
  // 100 lands before the window). Anything it does not take gets a reason below.
  if (text.length === 29 && text[17] !== '6') {
    const fast = parseIsoWithOffset(text);
    if (
      fast &&
      Math.abs(fast.offsetMin) <= MAX_OFFSET_MIN &&
      fast.ms >= EARLIEST_REPORT_MS &&
      fast.ms <= nowMs + FUTURE_SLACK_MS
    )
      return { ok: true, ms: fast.ms, offsetMin: fast.offsetMin };
  }
  const m = PATTERN.exec(text);
  if (!m) return fail('is not an ISO 8601 date and time with a UTC offset');
  const [, ys, mos, ds, hs, mis, ss, frac, z, sign, ohs, oms] = m;
  const year = Number(ys);
  const month = Number(mos);
  const day = Number(ds);
  const hour = Number(hs);
  const minute = Number(mis);
  const second = Number(ss);
  if (month < 1 || month > 12) return fail(`has month ${mos}, which does not exist`);
  if (day < 1 || day > daysInMonth(year, month))
    return fail(`has day ${ds}, which ${ys}-${mos} does not have`);
  if (hour > 23) return fail(`has hour ${hs} (hours run from 00 to 23)`);
  if (minute > 59) return fail(`has minute ${mis} (minutes run from 00 to 59)`);
  // iOS never writes a leap second; taking 60 as the next minute would move the event.
  if (second > 59) return fail(`has second ${ss} (seconds run from 00 to 59)`);
  let offsetMin = 0;
  if (z === undefined) {
    const oh = Number(ohs);
    const om = Number(oms);
    if (om > 59) return fail(`has a UTC offset with minute ${oms}`);
    offsetMin = (sign === '-' ? -1 : 1) * (oh * 60 + om);
    if (Math.abs(offsetMin) > MAX_OFFSET_MIN)
      return fail(`has the UTC offset ${sign}${ohs}:${oms}, beyond the ±14:00 any zone uses`);
  }
  const fracMs = frac ? Math.floor(Number(`0.${frac}`) * 1000 + 1e-9) : 0;
  // setUTCFullYear keeps years 0-99 as written (Date.UTC would read them as 1900-1999).
  const local = new Date(0);
  local.setUTCFullYear(year, month - 1, day);
  local.setUTCHours(hour, minute, second, fracMs);
  const ms = local.getTime() - offsetMin * 60_000;
  if (ms < EARLIEST_REPORT_MS)
    return fail('is before 2021, when the App Privacy Report first appeared (iOS 15)');
  if (ms > nowMs + FUTURE_SLACK_MS) return fail('is more than a day after the time of this import');
  return { ok: true, ms, offsetMin };
}
