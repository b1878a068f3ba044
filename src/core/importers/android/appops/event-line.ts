// The pieces of `dumpsys appops` lines (reference android-sources.md §1): op headers, `[state-flag]`
// keys, Android 10+ bracket events, Android 9 uid-state lines, Android ≤ 8.1 one-line fields and
// proxy details. Pure functions of one line.
import type { AppOpEvent, LocalTime } from '../types';
import { TIME_LENGTH, isDigit, parseAndroidDuration, parseLocalTimeAt } from './times';

/** The index of the first non-space at or after `i`. */
export function skipSpaces(text: string, i: number): number {
  while (i < text.length && text[i] === ' ') i++;
  return i;
}

/** The printed `null` as null, anything else as is. */
export function nullable(value: string): string | null {
  return value === 'null' ? null : value;
}

function isOpNameChar(code: number): boolean {
  return (
    (code >= 65 && code <= 90) || // A-Z
    (code >= 97 && code <= 122) || // a-z
    isDigit(code) ||
    code === 95 // _
  );
}

/** Length of the op name at the start of `t` (`CAMERA`, OEM `VENDOROP(10001)`), 0 when none. */
export function opNameLength(t: string): number {
  let i = 0;
  while (i < t.length && isOpNameChar(t.charCodeAt(i))) i++;
  if (i === 0) return 0;
  if (t[i] === '(') {
    let j = i + 1;
    while (j < t.length && isDigit(t.charCodeAt(j))) j++;
    if (j > i + 1 && t[j] === ')') i = j + 1;
  }
  return i;
}

/** True when the whole text is an op name, optionally followed by a colon. */
export function isBareOpName(t: string): boolean {
  const n = opNameLength(t);
  return n > 0 && (n === t.length || (n === t.length - 1 && t[n] === ':'));
}

/** `[bg-s]` → state `bg`, flag `s` (flags may be joined with `|`). */
export function splitKey(key: string): { uidState: string | null; flag: string | null } {
  const dash = key.indexOf('-');
  if (dash < 0) return { uidState: key === '' ? null : key, flag: null };
  const uidState = key.slice(0, dash);
  const flag = key.slice(dash + 1);
  return { uidState: uidState === '' ? null : uidState, flag: flag === '' ? null : flag };
}

/** `uid=10187, pkg=com.x, attributionTag=null` → proxy fields. */
export function parseProxy(inner: string): NonNullable<AppOpEvent['proxy']> {
  const proxy: NonNullable<AppOpEvent['proxy']> = {
    uid: null,
    packageName: null,
    attributionTag: null,
  };
  for (const part of inner.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 'uid') {
      proxy.uid = /^-?\d+$/.test(value) ? Number(value) : null;
    } else if (key === 'pkg' || key === 'packageName') {
      proxy.packageName = nullable(value);
    } else if (key === 'attributionTag') {
      proxy.attributionTag = nullable(value);
    }
  }
  return proxy;
}

/** What an access or reject line says, before the context (uid, package, op, tag) is added. */
export interface EventCore {
  uidState: string | null;
  flag: string | null;
  time: LocalTime | null;
  relativeMs: number | null;
  durationMs: number | null;
  proxy: AppOpEvent['proxy'];
}

/**
 * The part of an Android 10+ line after `Access: ` / `Reject:`:
 * `[bg-s] 2022-03-29 23:03:03.763 (-24m50s324ms)[ duration=+33ms][ proxy[uid=0, pkg=null]]`.
 */
export function parseBracketEvent(t: string, start: number): EventCore | string {
  let i = skipSpaces(t, start);
  if (t[i] !== '[') return 'no [state-flag] key';
  const close = t.indexOf(']', i);
  if (close < 0) return 'unterminated [state-flag] key';
  const { uidState, flag } = splitKey(t.slice(i + 1, close));
  i = skipSpaces(t, close + 1);
  const time = parseLocalTimeAt(t, i);
  if (!time) return 'no yyyy-MM-dd HH:mm:ss.SSS time after the key';
  i = skipSpaces(t, i + TIME_LENGTH);
  let relativeMs: number | null = null;
  if (t[i] === '(') {
    const end = t.indexOf(')', i);
    const rel = end < 0 ? null : parseAndroidDuration(t.slice(i + 1, end));
    if (rel === null) return 'unreadable relative time in parentheses';
    relativeMs = rel === 0 ? 0 : -rel;
    i = end + 1;
  }
  let durationMs: number | null = null;
  let proxy: AppOpEvent['proxy'] = null;
  const rest = t.slice(i);
  const p = rest.indexOf('proxy[');
  // Only look for the duration before the proxy, whose package or tag could contain anything.
  const d = rest.lastIndexOf('duration=', p < 0 ? rest.length : p);
  if (d >= 0) {
    let e = d + 9;
    while (e < rest.length && rest[e] !== ' ') e++;
    durationMs = parseAndroidDuration(rest.slice(d + 9, e));
    if (durationMs === null) return 'unreadable duration';
  }
  if (p >= 0) {
    const end = rest.lastIndexOf(']');
    if (end < p) return 'unterminated proxy[…]';
    proxy = parseProxy(rest.slice(p + 6, end));
  }
  return { uidState, flag, time, relativeMs, durationMs, proxy };
}

/** Android 9: `pers  = 2026-08-03 14:29:54.943 (-2h22m52s52ms)` (after `Access: ` or alone). */
export function parsePieEvent(t: string, start: number): EventCore | string {
  let i = skipSpaces(t, start);
  const stateStart = i;
  while (i < t.length && t[i] !== ' ' && t[i] !== '=') i++;
  if (i === stateStart) return 'no uid state';
  const uidState = t.slice(stateStart, i);
  i = skipSpaces(t, i);
  if (t[i] !== '=') return 'no "=" after the uid state';
  i = skipSpaces(t, i + 1);
  const time = parseLocalTimeAt(t, i);
  if (!time) return 'no yyyy-MM-dd HH:mm:ss.SSS time';
  i = skipSpaces(t, i + TIME_LENGTH);
  let relativeMs: number | null = null;
  if (t[i] === '(') {
    const end = t.indexOf(')', i);
    const rel = end < 0 ? null : parseAndroidDuration(t.slice(i + 1, end));
    if (rel === null) return 'unreadable relative time in parentheses';
    relativeMs = rel === 0 ? 0 : -rel;
  }
  return { uidState, flag: null, time, relativeMs, durationMs: null, proxy: null };
}

/** True for a line in the Android 9 continuation shape `fg    = yyyy-…`. */
export function isPieContinuation(t: string): boolean {
  let i = 0;
  while (i < t.length && t.charCodeAt(i) >= 97 && t.charCodeAt(i) <= 122) i++;
  if (i === 0) return false;
  i = skipSpaces(t, i);
  if (t[i] !== '=') return false;
  i = skipSpaces(t, i + 1);
  return isDigit(t.charCodeAt(i));
}

/** True when a line starts like an access or reject line but was not read as one. */
export function looksLikeEventLine(t: string): boolean {
  if (!t.startsWith('Access') && !t.startsWith('Reject')) return false;
  const next = t[6];
  return next === undefined || next === ':' || next === ' ' || next === '[';
}

export interface OpHeader {
  op: string;
  mode: string | null;
  /** Android ≤ 8.1 fields on the same line (`; time=+39s500ms ago; duration=+59ms`), or null. */
  oldFields: string | null;
}

/**
 * An op header: `CAMERA (allow):`, `MONITOR_LOCATION (allow / switch COARSE_LOCATION=allow):`,
 * `VENDOROP(10001) (allow):`, or Android ≤ 8.1 `VIBRATE: mode=0; time=+39s500ms ago`.
 */
export function parseOpHeader(t: string): OpHeader | null {
  const n = opNameLength(t);
  if (n === 0) return null;
  const op = t.slice(0, n);
  const rest = t.slice(n);
  if (rest.startsWith(': mode=')) {
    const semi = rest.indexOf(';');
    const modeText = (semi < 0 ? rest.slice(7) : rest.slice(7, semi)).trim();
    return {
      op,
      mode: modeText === '' ? null : modeText,
      oldFields: semi < 0 ? null : rest.slice(semi),
    };
  }
  if (!rest.startsWith(' (')) return null;
  const close = rest.indexOf(')');
  if (close < 0) return null;
  const inner = rest.slice(2, close);
  const slash = inner.indexOf(' / ');
  const mode = (slash < 0 ? inner : inner.slice(0, slash)).trim();
  const after = rest.slice(close + 1).trim();
  if (after === ':') return { op, mode: mode === '' ? null : mode, oldFields: null };
  if (after.startsWith(';') || after.startsWith(':')) {
    return { op, mode: mode === '' ? null : mode, oldFields: after.slice(1) };
  }
  return null;
}

export interface OldFields {
  accessAgoMs: number | null;
  rejectAgoMs: number | null;
  durationMs: number | null;
  running: boolean;
  present: boolean;
}

/** `; time=+39s500ms ago; rejectTime=+1h ago; duration=+59ms` and a trailing ` (running)`. */
export function parseOldFields(fields: string): OldFields | string {
  let text = fields.trim();
  let running = false;
  if (text.endsWith('(running)')) {
    running = true;
    text = text.slice(0, -'(running)'.length).trim();
  }
  const out: OldFields = {
    accessAgoMs: null,
    rejectAgoMs: null,
    durationMs: null,
    running,
    present: running,
  };
  for (const raw of text.split(';')) {
    const part = raw.trim();
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq);
    let value = part.slice(eq + 1).trim();
    if (value.endsWith(' ago')) value = value.slice(0, -4).trim();
    if (key === 'time' || key === 'rejectTime' || key === 'duration') {
      const ms = parseAndroidDuration(value);
      if (ms === null) return `unreadable ${key}=${value}`;
      out.present = true;
      if (key === 'time') out.accessAgoMs = ms;
      else if (key === 'rejectTime') out.rejectAgoMs = ms;
      else out.durationMs = ms;
    }
  }
  return out;
}

/** The name in `Uid u0a103:` / `Package com.x:` / `Attribution tag:`, or null when not that shape. */
export function headerName(t: string, prefix: string): string | null {
  if (!t.startsWith(prefix) || !t.endsWith(':')) return null;
  const name = t.slice(prefix.length, -1).trim();
  return name === '' || name.includes(' ') ? null : name;
}
