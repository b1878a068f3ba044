export {
  formatBoth,
  formatUtcShort,
  formatWallClock,
  formatWhen,
  formatWhenCompact,
  offsetLabel,
  type TimeMode,
} from './time-format';

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
