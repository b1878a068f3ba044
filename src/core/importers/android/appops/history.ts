// Aggregated `--history` counts (reference android-sources.md §1.5): `[bg-s] = access=3, …`.
import { skipSpaces, splitKey } from './event-line';
import { parseAndroidDuration } from './times';

/** `[bg-s] = access=3, reject=1, duration=+1m3s8ms`. */
export function parseHistoryCounts(t: string):
  | {
      uidState: string | null;
      flag: string | null;
      accessCount: number | null;
      rejectCount: number | null;
      durationMs: number | null;
    }
  | string {
  const close = t.indexOf(']');
  if (close < 0) return 'unterminated [state-flag] key';
  const { uidState, flag } = splitKey(t.slice(1, close));
  let i = skipSpaces(t, close + 1);
  if (t[i] !== '=') return 'no "=" after the key';
  i = skipSpaces(t, i + 1);
  let accessCount: number | null = null;
  let rejectCount: number | null = null;
  let durationMs: number | null = null;
  for (const raw of t.slice(i).split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) return `unreadable field ${part}`;
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (key === 'access' || key === 'reject') {
      if (!/^\d+$/.test(value)) return `unreadable ${key} count`;
      if (key === 'access') accessCount = Number(value);
      else rejectCount = Number(value);
    } else if (key === 'duration') {
      durationMs = parseAndroidDuration(value);
      if (durationMs === null) return 'unreadable duration';
    }
  }
  if (accessCount === null && rejectCount === null && durationMs === null) return 'no counts';
  return { uidState, flag, accessCount, rejectCount, durationMs };
}
