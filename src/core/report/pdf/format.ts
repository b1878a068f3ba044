/** Words and numbers as the report prints them: times, offsets, durations, app and category names. */
import { CATEGORY_LABELS, type Category } from '../../../contract/categories';

/** Whether a string is plain ASCII (so the monospace font can set it). */
export function isAscii(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7e]*$/.test(s);
}

/** Cuts a string to `n` characters, ending in "..." when cut. */
export function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 3)}...`;
}

/** An app's display name, or its identifier when it has none. */
export function appLabel(appName: string | null, app: string): string {
  return appName && appName.trim() ? appName : app;
}

/** An app's display name over its identifier, or the identifier alone. */
export function appCell(appName: string | null, app: string): string {
  return appName && appName.trim() && appName !== app ? `${appName}\n${app}` : app;
}

/** A category in words. */
export function categoryWord(c: Category): string {
  return CATEGORY_LABELS[c] ?? c;
}

/** A UTC offset in minutes as `+08:00`. */
export function formatOffset(offsetMin: number): string {
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** `2024-03-05 01:12 +08:00` from an instant and the device's offset at that instant. */
export function formatLocal(t: { ms: number; offsetMin: number } | null): string {
  if (!t) return '–';
  const local = new Date(t.ms + t.offsetMin * 60_000).toISOString();
  return `${local.slice(0, 10)} ${local.slice(11, 16)} ${formatOffset(t.offsetMin)}`;
}

/** An ISO-8601 string with offset, shown as `2024-03-05 01:12:09 +08:00`. */
export function formatIso(s: string | null): string {
  if (!s) return '–';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.exec(s);
  if (!m) return s;
  const zone = m[3] === undefined ? '' : m[3] === 'Z' ? ' UTC' : ` UTC${m[3]}`;
  return `${m[1]} ${m[2]}${zone}`;
}

// Formatters by zone: making one takes far longer than formatting (a report formats hundreds).
const instantFormats = new Map<string, Intl.DateTimeFormat>();

/** The formatter of `formatInstant` for one zone; throws for a zone the runtime does not know. */
function instantFormat(zone: string): Intl.DateTimeFormat {
  let f = instantFormats.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    if (instantFormats.size < 1000) instantFormats.set(zone, f);
  }
  return f;
}

/** An instant in an IANA zone, with the offset and the zone's name. */
export function formatInstant(d: Date, timeZone?: string): string {
  // A source's wild clock can store a time no Date can hold; say so rather than fail the report.
  if (!Number.isFinite(d.getTime())) return 'not a valid time';
  const zone = timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = instantFormat(zone).formatToParts(d);
  } catch {
    return `${d.toISOString().replace('T', ' ').slice(0, 19)} UTC`;
  }
  const get = (t: Intl.DateTimeFormatPartTypes): string =>
    parts.find((p) => p.type === t)?.value ?? '';
  const offset = get('timeZoneName').replace('GMT', 'UTC');
  const shownOffset = offset === 'UTC' ? 'UTC+00:00' : offset;
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')} ${shownOffset} (${zone})`;
}

/** A duration as `45 s`, `3 min 05 s` or `2 h 10 min`. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '–';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** A day number (days since 1970-01-01) as `2024-03-05 Tue`. */
export function dayLabel(day: number): string {
  const d = new Date(day * 86_400_000);
  if (!Number.isFinite(d.getTime())) return `day ${day}`;
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()]!;
  return `${d.toISOString().slice(0, 10)} ${weekday}`;
}

const ACCESS_VERB = /\b(?:read|reads|accessed|accesses|used|uses|touched|touches|opened)\b/i;
const DURATION =
  /\bfor\s+(more than|longer than|over|about|at least|up to)?\s*(\d[\d.,]*\s*(?:s|secs?|seconds?|min|mins|minutes?|h|hrs?|hours?))(?![\w])/gi;

/**
 * A sentence about accesses with any "for N seconds" turned into the interval it is: an access
 * interval is a privacy-accounting window, not how long data was read, so "read the photos for
 * 45 s" becomes "accessed the photos in an interval of 45 s".
 */
export function intervalWording(text: string): string {
  return text
    .split(/(?<=[.;!?])\s+/)
    .map((sentence) => {
      if (!ACCESS_VERB.test(sentence)) return sentence;
      DURATION.lastIndex = 0;
      if (!DURATION.test(sentence)) return sentence;
      return sentence
        .replace(/\b(read|reads)\b/gi, (w) =>
          w.toLowerCase() === 'read' ? 'accessed' : 'accesses',
        )
        .replace(DURATION, (_m, bound: string | undefined, amount: string) =>
          intervalPhrase(bound?.toLowerCase(), amount),
        );
    })
    .join(' ');
}

function intervalPhrase(bound: string | undefined, amount: string): string {
  if (bound === undefined) return `in an interval of ${amount}`;
  if (bound === 'about') return `in an interval of about ${amount}`;
  if (bound === 'up to') return `in intervals of up to ${amount}`;
  if (bound === 'at least') return `in intervals of at least ${amount}`;
  return `in intervals longer than ${amount}`;
}
