// Times and durations as `dumpsys appops` prints them (reference android-sources.md §1): absolute
// device-local `yyyy-MM-dd HH:mm:ss.SSS` times and `TimeUtils.formatDuration` durations.
import type { LocalTime } from '../types';

const CODE_0 = 48;
const CODE_9 = 57;

/** True for the char code of an ASCII digit. */
export function isDigit(code: number): boolean {
  return code >= CODE_0 && code <= CODE_9;
}

function readInt(text: string, start: number, length: number): number {
  let value = 0;
  for (let i = start; i < start + length; i++) {
    const c = text.charCodeAt(i);
    if (!isDigit(c)) return -1;
    value = value * 10 + (c - CODE_0);
  }
  return value;
}

/** Length of `yyyy-MM-dd HH:mm:ss.SSS`. */
export const TIME_LENGTH = 23;

/**
 * Reads a `yyyy-MM-dd HH:mm:ss.SSS` wall-clock time at `start` of `text` (the format of every
 * absolute time in `dumpsys appops`); null when the text there is not a valid time.
 */
export function parseLocalTimeAt(text: string, start: number): LocalTime | null {
  if (text.length < start + TIME_LENGTH) return null;
  // Char codes rather than one-character strings or a Date: one call a line of a capture.
  if (
    text.charCodeAt(start + 4) !== DASH ||
    text.charCodeAt(start + 7) !== DASH ||
    text.charCodeAt(start + 10) !== SPACE ||
    text.charCodeAt(start + 13) !== COLON ||
    text.charCodeAt(start + 16) !== COLON ||
    text.charCodeAt(start + 19) !== DOT
  )
    return null;
  const year = readInt(text, start, 4);
  const month = readInt(text, start + 5, 2);
  const day = readInt(text, start + 8, 2);
  const hour = readInt(text, start + 11, 2);
  const minute = readInt(text, start + 14, 2);
  const second = readInt(text, start + 17, 2);
  const ms = readInt(text, start + 20, 3);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31) return null;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || ms < 0) {
    return null;
  }
  // Reject 31 April and the like. `Date.UTC` reads years 0-99 as 1900-1999, so their leap
  // years are those of that century.
  if (day > daysInMonth(year < 100 ? 1900 + year : year, month)) return null;
  const wallMs = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  return { text: text.slice(start, start + TIME_LENGTH), wallMs };
}

const DASH = 45;
const SPACE = 32;
const COLON = 58;
const DOT = 46;

/** Days of a month (1-12) of a Gregorian year. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Reads a whole string as a `yyyy-MM-dd HH:mm:ss.SSS` wall-clock time, or null. */
export function parseLocalTime(text: string): LocalTime | null {
  const trimmed = text.trim();
  return trimmed.length === TIME_LENGTH ? parseLocalTimeAt(trimmed, 0) : null;
}

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
/**
 * A century: no phone prints a duration or a time before the dump that long, and a crafted line
 * of hundreds of digits would otherwise give a number no date can be added to (or Infinity).
 */
export const MAX_DURATION_MS = 100 * 365.25 * 86_400_000;
const UNIT_ORDER = ['d', 'h', 'm', 's', 'ms'] as const;

/**
 * Parses an Android duration as `TimeUtils.formatDuration` prints it (`-22d4h22m19s762ms`, `+3s254ms`,
 * `+59ms`, `+1m3s8ms`, `0`) into signed milliseconds; null when the text is not such a duration.
 * Units must appear at most once each, largest first; more than a century is not a duration.
 */
export function parseAndroidDuration(text: string): number | null {
  const ms = readAndroidDuration(text);
  return ms === null || Math.abs(ms) > MAX_DURATION_MS ? null : ms;
}

function readAndroidDuration(text: string): number | null {
  const s = text.trim();
  let i = 0;
  let sign = 1;
  if (s[0] === '+' || s[0] === '-') {
    sign = s[0] === '-' ? -1 : 1;
    i = 1;
  }
  if (i >= s.length) return null;
  let total = 0;
  let nextUnit = 0;
  let fields = 0;
  while (i < s.length) {
    const digitsStart = i;
    let value = 0;
    while (i < s.length && isDigit(s.charCodeAt(i))) {
      value = value * 10 + (s.charCodeAt(i) - CODE_0);
      i++;
    }
    if (i === digitsStart) return null;
    if (i === s.length) {
      // A bare number is only valid as the whole text (`0`, or a plain millisecond count).
      if (fields > 0) return null;
      return sign * value;
    }
    let unit: (typeof UNIT_ORDER)[number];
    const c = s[i];
    if (c === 'm' && s[i + 1] === 's') {
      unit = 'ms';
      i += 2;
    } else if (c === 'd' || c === 'h' || c === 'm' || c === 's') {
      unit = c;
      i += 1;
    } else {
      return null;
    }
    const order = UNIT_ORDER.indexOf(unit);
    if (order < nextUnit) return null;
    nextUnit = order + 1;
    total += value * UNIT_MS[unit];
    fields++;
  }
  return sign * total;
}
