// Discrete accesses (`--include-discrete`, Android 12+; reference android-sources.md §1.4): the
// `Access [state-flag] at … for N milliseconds` lines and the Android 16 pipe table rows.
import { nullable, skipSpaces, splitKey, type EventCore } from './event-line';
import { MAX_DURATION_MS, TIME_LENGTH, isDigit, parseLocalTime, parseLocalTimeAt } from './times';

/** `Access [top-s] at 2026-07-23 18:26:00.000 for 60000 milliseconds  attribution flags=… with chainId=…`. */
export function parseDiscreteAccess(t: string): EventCore | string {
  const close = t.indexOf(']');
  if (close < 0) return 'unterminated [state-flag] key';
  const { uidState, flag } = splitKey(t.slice('Access ['.length, close));
  let i = skipSpaces(t, close + 1);
  if (!t.startsWith('at ', i)) return 'no "at" before the time';
  i = skipSpaces(t, i + 3);
  const time = parseLocalTimeAt(t, i);
  if (!time) return 'no yyyy-MM-dd HH:mm:ss.SSS time';
  i = skipSpaces(t, i + TIME_LENGTH);
  let durationMs: number | null = null;
  if (t.startsWith('for ', i)) {
    i = skipSpaces(t, i + 4);
    const start = i;
    while (i < t.length && isDigit(t.charCodeAt(i))) i++;
    if (i === start) return 'no number after "for"';
    durationMs = Number(t.slice(start, i));
  }
  return { uidState, flag, time, relativeMs: null, durationMs, proxy: null };
}

/**
 * Android 16 table row:
 * `UID|PACKAGE_NAME|DEVICE_ID|OP_NAME|ATTRIBUTION_TAG|UID_STATE|OP_FLAGS|ATTR_FLAGS|CHAIN_ID|ACCESS_TIME|DURATION`.
 */
export function parseDiscreteRow(
  t: string,
): { uid: string; pkg: string; op: string; tag: string | null; core: EventCore } | string {
  const f = t.split('|');
  if (f.length !== 11) return `${f.length} fields instead of 11`;
  const [uid, pkg, , op, tag, uidState, flags, , , accessTime, duration] = f as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const time = parseLocalTime(accessTime);
  if (!time) return 'no yyyy-MM-dd HH:mm:ss.SSS access time';
  if (pkg.trim() === '' || op.trim() === '') return 'no package or op';
  const dur = duration.trim();
  let durationMs: number | null = null;
  if (/^-?\d+$/.test(dur)) {
    const n = Number(dur);
    if (n > MAX_DURATION_MS) return 'unreadable duration';
    durationMs = n < 0 ? null : n;
  } else if (dur !== '') {
    return 'unreadable duration';
  }
  return {
    uid: uid.trim(),
    pkg: pkg.trim(),
    op: op.trim(),
    tag: nullable(tag.trim()),
    core: {
      uidState: uidState.trim() || null,
      flag: flags.trim() || null,
      time,
      relativeMs: null,
      durationMs,
      proxy: null,
    },
  };
}
