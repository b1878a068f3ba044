/** Pure time helpers shared by core, CLI and renderer. Instants are UTC epoch ms; offsets are minutes east of UTC. */

const pad = (n: number, w = 2): string => String(Math.trunc(n)).padStart(w, '0');

/** Formats an offset in minutes as `±HH:MM`. */
export function formatOffset(offsetMin: number): string {
  const sign = offsetMin < 0 ? '-' : '+';
  const a = Math.abs(offsetMin);
  return `${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/** Formats an instant as `YYYY-MM-DDTHH:mm:ss.SSS±HH:MM` in the given offset. */
export function formatInstant(ms: number, offsetMin: number): string {
  const d = new Date(ms + offsetMin * 60_000);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}` +
    formatOffset(offsetMin)
  );
}

/** Formats an instant as UTC with a `Z`. */
export function formatUtc(ms: number): string {
  return new Date(ms).toISOString();
}

/** Minute of the day (0..1439) of an instant in the given offset. */
export function localMinuteOfDay(ms: number, offsetMin: number): number {
  const local = ms + offsetMin * 60_000;
  return Math.floor((((local % 86_400_000) + 86_400_000) % 86_400_000) / 60_000);
}

/** Days since 1970-01-01 of the local date of an instant in the given offset. */
export function localDayNumber(ms: number, offsetMin: number): number {
  return Math.floor((ms + offsetMin * 60_000) / 86_400_000);
}

/** `YYYY-MM-DD` of a local day number. */
export function dayNumberToDate(day: number): string {
  const d = new Date(day * 86_400_000);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** Rounds milliseconds to seconds with millisecond precision. */
export function msToSeconds(ms: number): number {
  return Math.round(ms) / 1000;
}

/**
 * Parses an ISO-8601 timestamp with `Z` or `±HH:MM` and 0-9 fractional digits.
 * Returns the UTC instant in ms and the offset in minutes, or null.
 * (App Privacy Report reference §5: every timestamp carries its own offset.)
 */
export function parseIsoWithOffset(text: string): { ms: number; offsetMin: number } | null {
  const fast = parseReleaseTimestamp(text);
  if (fast) return fast;
  const m =
    /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|([+-])(\d{2}):?(\d{2}))$/.exec(
      text,
    );
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone, sign, oh, om] = m;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    return null;
  }
  const fracMs = frac ? Math.floor(Number(`0.${frac}`) * 1000 + 1e-9) : 0;
  const base = utcMs(Number(y), month, day, hour, minute, second, fracMs);
  if (base === null) return null;
  let offsetMin = 0;
  if (zone !== 'Z') {
    const oH = Number(oh);
    const oM = Number(om);
    if (!offsetInRange(oH, oM)) return null;
    offsetMin = (sign === '-' ? -1 : 1) * (oH * 60 + oM);
  }
  return { ms: base - offsetMin * 60_000, offsetMin };
}

/**
 * UTC epoch ms of a calendar date and time, or null when the day does not exist in its month
 * (02-30). Years 0-99 stay years 0-99: `Date.UTC` would read them as 1900-1999.
 */
function utcMs(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  sec: number,
  ms: number,
): number | null {
  // Callers pass every field in range but the day: from year 100 on, the day is checked against
  // its month and Date.UTC gives the instant without building a Date.
  if (y >= 100) return d <= daysInMonth(y, mo) ? Date.UTC(y, mo - 1, d, h, mi, sec, ms) : null;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, sec, ms);
  return date.getUTCFullYear() === y && date.getUTCDate() === d ? date.getTime() : null;
}

/** The days of a month (1-12) of a proleptic Gregorian year. */
function daysInMonth(y: number, mo: number): number {
  if (mo === 2) return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28;
  return mo === 4 || mo === 6 || mo === 9 || mo === 11 ? 30 : 31;
}

/** Offsets run from -14:00 to +14:00 (ISO 8601 allows more; no zone has ever used more). */
const offsetInRange = (hours: number, minutes: number): boolean =>
  minutes <= 59 && (hours < 14 || (hours === 14 && minutes === 0));

const digit = (text: string, i: number): number => {
  const c = text.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : NaN;
};
const num = (text: string, i: number, n: number): number => {
  let v = 0;
  for (let k = 0; k < n; k += 1) v = v * 10 + digit(text, i + k);
  return v;
};

/**
 * The release format's own layout, `YYYY-MM-DDTHH:MM:SS.mmm±HH:MM` (every timestamp of 31 real
 * exports, App Privacy Report reference §5), read by position; anything else returns null.
 */
function parseReleaseTimestamp(text: string): { ms: number; offsetMin: number } | null {
  if (text.length !== 29) return null;
  if (
    text[4] !== '-' ||
    text[7] !== '-' ||
    text[10] !== 'T' ||
    text[13] !== ':' ||
    text[16] !== ':' ||
    text[19] !== '.' ||
    text[26] !== ':'
  )
    return null;
  const sign = text[23] === '+' ? 1 : text[23] === '-' ? -1 : 0;
  const y = num(text, 0, 4);
  const mo = num(text, 5, 2);
  const d = num(text, 8, 2);
  const h = num(text, 11, 2);
  const mi = num(text, 14, 2);
  const sec = num(text, 17, 2);
  const frac = num(text, 20, 3);
  const oh = num(text, 24, 2);
  const om = num(text, 27, 2);
  if (sign === 0 || Number.isNaN(y + mo + d + h + mi + sec + frac + oh + om)) return null;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59) return null;
  if (!offsetInRange(oh, om)) return null;
  const base = utcMs(y, mo, d, h, mi, sec, frac);
  if (base === null) return null;
  const offsetMin = sign * (oh * 60 + om);
  return { ms: base - offsetMin * 60_000, offsetMin };
}

/** The UTC offset in minutes of an IANA zone at an instant, or null when the zone is unknown. */
export function zoneOffsetMinutes(timeZone: string, ms: number): number | null {
  try {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      timeZoneName: 'longOffset',
    }).formatToParts(new Date(ms));
    const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? '';
    if (name === 'GMT' || name === 'UTC') return 0;
    const m = /^(?:GMT|UTC)([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(name);
    if (!m) return null;
    const minutes = Number(m[2]) * 60 + Number(m[3] ?? '0');
    return m[1] === '-' ? -minutes : minutes;
  } catch {
    return null;
  }
}

const zoneChecks = new Map<string, boolean>();

/**
 * True when `zone` is an IANA time-zone name the runtime knows (`Europe/Lisbon`, `UTC`). Offset
 * strings such as `+01:00` are refused even where `Intl` takes them: they carry no DST rules.
 */
export function isIanaTimeZone(zone: string): boolean {
  const known = zoneChecks.get(zone);
  if (known !== undefined) return known;
  let ok = /^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone);
  if (ok) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
    } catch {
      ok = false;
    }
  }
  // Importers ask once a record: the answers for the few zones of a case are kept.
  if (zoneChecks.size >= 256) zoneChecks.clear();
  zoneChecks.set(zone, ok);
  return ok;
}
