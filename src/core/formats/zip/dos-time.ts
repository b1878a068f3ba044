// ZIP entries carry their modification time as MS-DOS date and time fields: two-second
// resolution, years 1980–2107, and no time zone (APPNOTE 4.4.6).

/** The DOS date and time fields of one entry. */
export interface DosStamp {
  time: number;
  date: number;
}

const EARLIEST_MS = Date.UTC(1980, 0, 1);
const LATEST_MS = Date.UTC(2107, 11, 31, 23, 59, 58);

/**
 * The DOS fields for an instant, read in UTC (so an archive written anywhere carries the same
 * bytes); instants outside what the fields can hold are clamped to the nearest end, and an
 * instant that is not a number is the earliest.
 */
export function dosStamp(at: Date): DosStamp {
  const t = at.getTime();
  const ms = Number.isNaN(t) ? EARLIEST_MS : Math.min(LATEST_MS, Math.max(EARLIEST_MS, t));
  const d = new Date(ms);
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
    date: ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

/** DOS fields as `YYYY-MM-DD HH:MM:SS`, or null when they name no valid date and time. */
export function dosStampText(date: number, time: number): string | null {
  if (date === 0) return null;
  const y = 1980 + (date >> 9);
  const mo = (date >> 5) & 0x0f;
  const d = date & 0x1f;
  const h = time >> 11;
  const mi = (time >> 5) & 0x3f;
  const s = (time & 0x1f) * 2;
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 59) return null;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${y}-${two(mo)}-${two(d)} ${two(h)}:${two(mi)}:${two(s)}`;
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
