import { formatInstant, formatOffset, formatUtc } from '../../contract/time';

/** How instants are shown: the device's own wall clock, or UTC. */
/**
 * How instants are written: device-local with the offset, UTC, or (on a timeline folded onto one
 * day, where instants are ms since device-local midnight) the time of day alone.
 */
export type TimeMode = 'local' | 'utc' | 'time-of-day';

/** A duration for people: `850 ms`, `12.5 s`, `4 min 05 s`, `2 h 03 min`, `3 d 04 h`. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  const abs = Math.abs(ms);
  const sign = ms < 0 ? '-' : '';
  if (abs < 1000) return `${sign}${Math.round(abs)} ms`;
  if (abs < 60_000) {
    const s = abs / 1000;
    return `${sign}${s < 10 ? s.toFixed(1) : Math.round(s).toString()} s`;
  }
  const totalSeconds = Math.round(abs / 1000);
  if (totalSeconds < 3600) {
    const m = Math.floor(totalSeconds / 60);
    const s = totalSeconds % 60;
    return `${sign}${m} min ${String(s).padStart(2, '0')} s`;
  }
  const totalMinutes = Math.round(abs / 60_000);
  if (totalMinutes < 24 * 60) {
    const h = Math.floor(totalMinutes / 60);
    const m = totalMinutes % 60;
    return `${sign}${h} h ${String(m).padStart(2, '0')} min`;
  }
  const totalHours = Math.round(abs / 3_600_000);
  const d = Math.floor(totalHours / 24);
  const h = totalHours % 24;
  return `${sign}${d} d ${String(h).padStart(2, '0')} h`;
}

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

/** Thousands separators, independent of the machine's locale. */
export function formatCount(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '—';
  const [int, frac] = String(Math.abs(Math.round(n * 100) / 100)).split('.');
  const grouped = (int ?? '0').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${n < 0 ? '-' : ''}${grouped}${frac ? `.${frac}` : ''}`;
}

/** File sizes: `512 B`, `12.3 KB`, `4.0 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i += 1;
  }
  return `${value.toFixed(1)} ${units[i] ?? 'TB'}`;
}

/** First and last characters of a hash, for compact display (the full value goes in a title). */
export function shortHash(hash: string, keep = 10): string {
  return hash.length <= keep * 2 + 1 ? hash : `${hash.slice(0, keep)}…${hash.slice(-4)}`;
}

/** Plural helper: `1 session`, `2 sessions`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}
