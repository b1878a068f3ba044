import { formatInstant, formatOffset, formatUtc } from '../../contract/time';

/**
 * Every time the app writes, in one place and on a 24-hour clock: instants (device-local with
 * their offset, or UTC), times of day, hours, axis ticks and the `HH:MM` fields people type.
 * Nothing here asks the browser's locale, which would print "2 PM" or "02:15" for 14:15 on some
 * machines.
 */

/**
 * How instants are written: device-local with the offset, UTC, or (on a timeline folded onto one
 * day, where instants are ms since device-local midnight) the time of day alone.
 */
export type TimeMode = 'local' | 'utc' | 'time-of-day';

const DAY_MS = 86_400_000;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** `YYYY-MM-DD HH:mm:ss` wall-clock time at the given offset (no offset suffix). */
export function formatWallClock(ms: number, offsetMin: number): string {
  return formatInstant(ms, offsetMin).slice(0, 19).replace('T', ' ');
}

/** An instant in the chosen mode: device-local with its offset, or UTC with `Z`. */
export function formatWhen(ms: number | null, offsetMin: number | null, mode: TimeMode): string {
  if (ms === null) return '—';
  if (mode === 'time-of-day') return `${formatWallClock(ms, 0).slice(11)} device-local`;
  if (mode === 'utc' || offsetMin === null) return `${formatWallClock(ms, 0)} UTC`;
  return `${formatWallClock(ms, offsetMin)} (UTC${formatOffset(offsetMin)})`;
}

/** `YYYY-MM-DD HH:mm` in UTC, for compact tables. */
export function formatUtcShort(ms: number): string {
  return formatWallClock(ms, 0).slice(0, 16);
}

/** A compact instant for tables: `2024-05-01 02:17:11 +02:00` or `2024-05-01 00:17:11 Z`. */
export function formatWhenCompact(
  ms: number | null,
  offsetMin: number | null,
  mode: TimeMode,
): string {
  if (ms === null) return '—';
  if (mode === 'time-of-day') return formatWallClock(ms, 0).slice(11);
  if (mode === 'utc' || offsetMin === null) return `${formatWallClock(ms, 0)} Z`;
  return `${formatWallClock(ms, offsetMin)} ${formatOffset(offsetMin)}`;
}

/** Both renderings of an instant, for details panels where nothing may be hidden. */
export function formatBoth(
  ms: number | null,
  offsetMin: number | null,
): { local: string; utc: string } {
  if (ms === null) return { local: '—', utc: '—' };
  return {
    local: offsetMin === null ? '— (offset unknown)' : formatInstant(ms, offsetMin),
    utc: formatUtc(ms),
  };
}

/** `UTC+02:00` style label of an offset. */
export function offsetLabel(offsetMin: number): string {
  return `UTC${formatOffset(offsetMin)}`;
}

/** `HH:MM` of minutes since midnight (0..1440; the end of the day reads `24:00`). */
export function formatClock(minutes: number): string {
  const m = Math.max(0, Math.min(1440, Math.round(minutes)));
  return `${pad2(Math.floor(m / 60))}:${pad2(m % 60)}`;
}

/**
 * Minutes since midnight of a typed 24-hour time, or null: `14:15`, `9:05`, `0915`, `24:00` (the
 * end of the day, allowed only with `endOfDay`). No AM/PM: `2:15` is 02:15.
 */
export function parseClock(text: string, endOfDay = false): number | null {
  const m = /^(\d{1,2}):?(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59) return null;
  if (h === 24 && min === 0) return endOfDay ? 1440 : null;
  return h <= 23 ? h * 60 + min : null;
}

/** True when a clock field's text is acceptable: `HH:MM` on a 24-hour clock, or empty if allowed. */
export function clockTextValid(text: string, endOfDay = false, allowEmpty = false): boolean {
  if (text.trim() === '') return allowEmpty;
  return parseClock(text, endOfDay) !== null;
}

/** The two-digit hour of day (`00`..`23`), for narrow columns. */
export function formatHourNumber(hour: number): string {
  return pad2(hour);
}

/** `14:00–15:00`: one hour of the day (the last one ends at `24:00`). */
export function formatHourRange(hour: number): string {
  return `${formatClock(hour * 60)}–${formatClock((hour + 1) * 60)}`;
}

/** `Tue 2024-05-14`: a device-local day number (days since 1970-01-01). */
export function formatDayNumber(day: number): string {
  const d = new Date(day * DAY_MS);
  return `${WEEKDAYS[d.getUTCDay()]} ${d.toISOString().slice(0, 10)}`;
}

/** Milliseconds since device-local midnight as `HH:MM` (or `HH:MM:SS` off the minute). */
export function formatTimeOfDay(ms: number): string {
  const total = Math.max(0, Math.min(DAY_MS, Math.round(ms)));
  const s = Math.floor(total / 1000) % 60;
  const clock = formatClock(Math.floor(total / 60_000));
  return s === 0 ? clock : `${clock}:${pad2(s)}`;
}

/**
 * One tick label of a wall-clock axis. `d` is a UTC date whose fields read as the wall clock
 * (the axis shifts instants by the offset); `stepMs` is the distance between ticks. Times of day
 * are `HH:MM` (with seconds and milliseconds when the step is that fine); a midnight tick names
 * its day (with `00:00` when the step is under a day); month and year steps name the month or
 * the year. Never a 12-hour clock.
 */
export function formatAxisTick(d: Date, stepMs: number): string {
  const ms = d.getUTCMilliseconds();
  const s = d.getUTCSeconds();
  const min = d.getUTCMinutes();
  const h = d.getUTCHours();
  const clock = `${pad2(h)}:${pad2(min)}`;
  if (ms !== 0) return `${clock}:${pad2(s)}.${String(ms).padStart(3, '0')}`;
  if (s !== 0 || stepMs < 60_000) return `${clock}:${pad2(s)}`;
  if (min !== 0 || h !== 0) return clock;
  const dayLabel = `${WEEKDAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
  if (stepMs < DAY_MS) return `${dayLabel} 00:00`;
  if (stepMs < 28 * DAY_MS) return dayLabel;
  if (stepMs < 365 * DAY_MS) return `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  return String(d.getUTCFullYear());
}

/** The formatter of one set of axis ticks: the step is the smallest gap between them. */
export function axisTickFormat(ticks: readonly Date[]): (d: Date) => string {
  let step = Infinity;
  for (let i = 1; i < ticks.length; i += 1)
    step = Math.min(step, ticks[i]!.getTime() - ticks[i - 1]!.getTime());
  const stepMs = Number.isFinite(step) && step > 0 ? step : DAY_MS;
  return (d) => formatAxisTick(d, stepMs);
}

/** A typed `YYYY-MM-DD` that names a real day, trimmed, or null. */
export function parseIsoDate(text: string): string | null {
  const t = text.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(ms).toISOString().slice(0, 10) === t ? t : null;
}
