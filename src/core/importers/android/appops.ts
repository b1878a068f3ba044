// Parser for `dumpsys appops` text, every layout from Android 7/8 to 16 (reference
// android-sources.md §1). Pure: text in, records out, each with the line it came from. Times stay
// device-local wall-clock time; the importer applies the device's zone.

import type { AppOpEvent, AppOpHistoryEntry, LocalTime, ParseResult } from './types';

/** The layouts `parseAppOps` recognises, in the order they are reported. */
export const APP_OPS_LAYOUTS = [
  'android-8',
  'android-9',
  'android-10',
  'android-11+',
  'discrete',
  'discrete-table',
  'history',
  'android-16',
] as const;

export type AppOpsLayout = (typeof APP_OPS_LAYOUTS)[number];

/** What `parseAppOps` returns: last-access and discrete events, aggregated history, the layouts seen. */
export type AppOpsParseResult = ParseResult<AppOpEvent> & {
  history: AppOpHistoryEntry[];
  layout: string[];
};

type Section = 'state' | 'history' | 'discrete' | 'other';
type Problems = AppOpsParseResult['problems'];

interface State {
  section: Section;
  uid: string | null;
  pkg: string | null;
  op: string | null;
  mode: string | null;
  tag: string | null;
  inTag: boolean;
  /** Events since the last op header or tag block: `Running start at:` and A9 `duration=` apply here. */
  block: AppOpEvent[];
  /** Android 9: the kind of the last `Access:`/`Reject:` line, for its continuation lines. */
  pieKind: AppOpEvent['kind'] | null;
  begin: LocalTime | null;
  end: LocalTime | null;
  /** Android 16 discrete table: the header row was seen. */
  table: boolean;
}

const CODE_0 = 48;
const CODE_9 = 57;

function isDigit(code: number): boolean {
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
const TIME_LENGTH = 23;

/**
 * Reads a `yyyy-MM-dd HH:mm:ss.SSS` wall-clock time at `start` of `text` (the format of every
 * absolute time in `dumpsys appops`); null when the text there is not a valid time.
 */
export function parseLocalTimeAt(text: string, start: number): LocalTime | null {
  if (text.length < start + TIME_LENGTH) return null;
  const sep = (offset: number, ch: string) => text[start + offset] === ch;
  if (!sep(4, '-') || !sep(7, '-') || !sep(10, ' ') || !sep(13, ':') || !sep(16, ':')) return null;
  if (!sep(19, '.')) return null;
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
  const wallMs = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Reject 31 April and the like: the day must survive the round trip.
  if (new Date(wallMs).getUTCDate() !== day) return null;
  return { text: text.slice(start, start + TIME_LENGTH), wallMs };
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

function skipSpaces(text: string, i: number): number {
  while (i < text.length && text[i] === ' ') i++;
  return i;
}

function nullable(value: string): string | null {
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
function opNameLength(t: string): number {
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
function isBareOpName(t: string): boolean {
  const n = opNameLength(t);
  return n > 0 && (n === t.length || (n === t.length - 1 && t[n] === ':'));
}

/** `[bg-s]` → state `bg`, flag `s` (flags may be joined with `|`). */
function splitKey(key: string): { uidState: string | null; flag: string | null } {
  const dash = key.indexOf('-');
  if (dash < 0) return { uidState: key === '' ? null : key, flag: null };
  const uidState = key.slice(0, dash);
  const flag = key.slice(dash + 1);
  return { uidState: uidState === '' ? null : uidState, flag: flag === '' ? null : flag };
}

/** `uid=10187, pkg=com.x, attributionTag=null` → proxy fields. */
function parseProxy(inner: string): NonNullable<AppOpEvent['proxy']> {
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

interface EventCore {
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
function parseBracketEvent(t: string, start: number): EventCore | string {
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
function parsePieEvent(t: string, start: number): EventCore | string {
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
function isPieContinuation(t: string): boolean {
  let i = 0;
  while (i < t.length && t.charCodeAt(i) >= 97 && t.charCodeAt(i) <= 122) i++;
  if (i === 0) return false;
  i = skipSpaces(t, i);
  if (t[i] !== '=') return false;
  i = skipSpaces(t, i + 1);
  return isDigit(t.charCodeAt(i));
}

/** True when a line starts like an access or reject line but was not read as one. */
function looksLikeEventLine(t: string): boolean {
  if (!t.startsWith('Access') && !t.startsWith('Reject')) return false;
  const next = t[6];
  return next === undefined || next === ':' || next === ' ' || next === '[';
}

/** The access in `block` nearest the dump (smallest relative time; else the last one printed). */
function latestAccess(block: AppOpEvent[]): AppOpEvent | null {
  let best: AppOpEvent | null = null;
  for (const ev of block) {
    if (ev.kind !== 'access') continue;
    if (best === null) {
      best = ev;
    } else if (
      ev.relativeMs !== null &&
      (best.relativeMs === null || ev.relativeMs <= best.relativeMs)
    ) {
      best = ev;
    } else if (ev.relativeMs === null && best.relativeMs === null) {
      best = ev;
    }
  }
  return best;
}

interface OpHeader {
  op: string;
  mode: string | null;
  /** Android ≤ 8.1 fields on the same line (`; time=+39s500ms ago; duration=+59ms`), or null. */
  oldFields: string | null;
}

/**
 * An op header: `CAMERA (allow):`, `MONITOR_LOCATION (allow / switch COARSE_LOCATION=allow):`,
 * `VENDOROP(10001) (allow):`, or Android ≤ 8.1 `VIBRATE: mode=0; time=+39s500ms ago`.
 */
function parseOpHeader(t: string): OpHeader | null {
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

interface OldFields {
  accessAgoMs: number | null;
  rejectAgoMs: number | null;
  durationMs: number | null;
  running: boolean;
  present: boolean;
}

/** `; time=+39s500ms ago; rejectTime=+1h ago; duration=+59ms` and a trailing ` (running)`. */
function parseOldFields(fields: string): OldFields | string {
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

function resetContext(s: State): void {
  s.uid = null;
  s.pkg = null;
  s.op = null;
  s.mode = null;
  s.tag = null;
  s.inTag = false;
  s.block = [];
  s.pieKind = null;
  s.begin = null;
  s.end = null;
  s.table = false;
}

/** The name in `Uid u0a103:` / `Package com.x:` / `Attribution tag:`, or null when not that shape. */
function headerName(t: string, prefix: string): string | null {
  if (!t.startsWith(prefix) || !t.endsWith(':')) return null;
  const name = t.slice(prefix.length, -1).trim();
  return name === '' || name.includes(' ') ? null : name;
}

/**
 * Parses `dumpsys appops` text (also with `--history` and `--include-discrete`, and a whole
 * `dumpsys` or bugreport where only the appops service is read). Never stops at blank lines.
 *
 * - Last-access events (`origin: 'last'`) from every layout: Android ≤ 8.1 one-line ops with relative
 *   times, Android 9 multi-line uid-state lists, Android 10 `[state-flag]` keys, Android 11+
 *   attribution-tag blocks.
 * - Discrete events (`origin: 'discrete'`, Android 12+), including the Android 16 pipe table.
 * - Aggregated `--history` snapshots in `history`.
 * - `layout` lists the layouts seen, in the order of {@link APP_OPS_LAYOUTS}.
 *
 * Problems are reported only for lines that look like an access or reject line but cannot be read.
 */
export function parseAppOps(text: string): AppOpsParseResult {
  const records: AppOpEvent[] = [];
  const history: AppOpHistoryEntry[] = [];
  const problems: Problems = [];
  const seen = new Set<AppOpsLayout>();
  const s: State = {
    section: 'state',
    uid: null,
    pkg: null,
    op: null,
    mode: null,
    tag: null,
    inTag: false,
    block: [],
    pieKind: null,
    begin: null,
    end: null,
    table: false,
  };

  const emit = (
    kind: AppOpEvent['kind'],
    origin: AppOpEvent['origin'],
    core: EventCore,
    lineNo: number,
    rawLine: string,
  ): AppOpEvent => {
    const ev: AppOpEvent = {
      kind,
      origin,
      uid: s.uid,
      // Callers guarantee a package before emitting.
      packageName: s.pkg ?? '',
      op: s.op ?? '',
      mode: origin === 'last' ? s.mode : null,
      attributionTag: s.tag,
      uidState: core.uidState,
      flag: core.flag,
      time: core.time,
      relativeMs: core.relativeMs,
      durationMs: core.durationMs,
      running: false,
      proxy: core.proxy,
      line: lineNo,
      rawLine,
    };
    records.push(ev);
    if (origin === 'last') s.block.push(ev);
    return ev;
  };

  const stateLine = (t: string, indent: number, lineNo: number, rawLine: string): void => {
    const uid = headerName(t, 'Uid ');
    if (uid !== null) {
      resetContext(s);
      s.uid = uid;
      return;
    }
    const pkg = headerName(t, 'Package ');
    if (pkg !== null) {
      s.pkg = pkg;
      s.op = null;
      s.mode = null;
      s.tag = null;
      s.inTag = false;
      s.block = [];
      s.pieKind = null;
      return;
    }
    if (indent <= 2) {
      // A section of its own (`Settings:`, `Op mode watchers:`, `Profile owners:`, …).
      resetContext(s);
      return;
    }
    const isAccess = t.startsWith('Access:');
    if (isAccess || t.startsWith('Reject:')) {
      s.pieKind = null;
      const kind = isAccess ? 'access' : 'reject';
      if (s.pkg === null || s.op === null) {
        problems.push({
          line: lineNo,
          message: `${isAccess ? 'Access' : 'Reject'} line outside a package's op: ${t}`,
        });
        return;
      }
      const after = skipSpaces(t, 7);
      if (t[after] === '[') {
        const core = parseBracketEvent(t, 7);
        if (typeof core === 'string') {
          problems.push({ line: lineNo, message: `Unreadable ${kind} line (${core}): ${t}` });
          return;
        }
        seen.add(s.inTag ? 'android-11+' : 'android-10');
        emit(kind, 'last', core, lineNo, rawLine);
        return;
      }
      const core = parsePieEvent(t, 7);
      if (typeof core === 'string') {
        problems.push({ line: lineNo, message: `Unreadable ${kind} line (${core}): ${t}` });
        return;
      }
      seen.add('android-9');
      emit(kind, 'last', core, lineNo, rawLine);
      s.pieKind = kind;
      return;
    }
    if (s.pieKind !== null && isPieContinuation(t)) {
      const core = parsePieEvent(t, 0);
      if (typeof core === 'string') {
        problems.push({ line: lineNo, message: `Unreadable ${s.pieKind} line (${core}): ${t}` });
        return;
      }
      emit(s.pieKind, 'last', core, lineNo, rawLine);
      return;
    }
    s.pieKind = null;
    if (s.pkg === null) return;
    if (t.endsWith('=[') && s.op !== null) {
      s.tag = nullable(t.slice(0, -2));
      s.inTag = true;
      s.block = [];
      return;
    }
    if (t === ']') {
      s.tag = null;
      s.inTag = false;
      s.block = [];
      return;
    }
    if (t.startsWith('Running start at:')) {
      const ev = latestAccess(s.block);
      if (ev) ev.running = true;
      return;
    }
    if (t.startsWith('startNesting=')) return;
    if (t.startsWith('duration=')) {
      // Android 9 prints the op's last duration on a line of its own.
      const ms = parseAndroidDuration(t.slice(9));
      const ev = latestAccess(s.block);
      if (ms !== null && ev && ev.durationMs === null) ev.durationMs = ms;
      return;
    }
    const header = parseOpHeader(t);
    if (header) {
      s.op = header.op;
      s.mode = header.mode;
      s.tag = null;
      s.inTag = false;
      s.block = [];
      if (header.oldFields !== null) oldStyleLine(header.oldFields, lineNo, rawLine);
      return;
    }
    if (looksLikeEventLine(t)) {
      problems.push({ line: lineNo, message: `Unreadable access or reject line: ${t}` });
    }
  };

  const oldStyleLine = (fields: string, lineNo: number, rawLine: string): void => {
    const parsed = parseOldFields(fields);
    if (typeof parsed === 'string') {
      problems.push({ line: lineNo, message: `Unreadable op line (${parsed}): ${rawLine.trim()}` });
      return;
    }
    if (!parsed.present) return;
    seen.add('android-8');
    const base = { uidState: null, flag: null, time: null, proxy: null };
    if (parsed.accessAgoMs !== null || parsed.running) {
      const ev = emit(
        'access',
        'last',
        { ...base, relativeMs: parsed.accessAgoMs, durationMs: parsed.durationMs },
        lineNo,
        rawLine,
      );
      ev.running = parsed.running;
    }
    if (parsed.rejectAgoMs !== null) {
      emit(
        'reject',
        'last',
        { ...base, relativeMs: parsed.rejectAgoMs, durationMs: null },
        lineNo,
        rawLine,
      );
    }
  };

  const discreteLine = (t: string, lineNo: number, rawLine: string): void => {
    if (t.startsWith('Largest chain id:')) return;
    if (t.startsWith('UID|PACKAGE_NAME|')) {
      s.table = true;
      seen.add('discrete-table');
      return;
    }
    if (t.startsWith('Uid: ')) {
      resetContext(s);
      s.uid = t.slice(5).trim() || null;
      return;
    }
    if (t.startsWith('Package: ')) {
      s.pkg = t.slice(9).trim() || null;
      s.op = null;
      s.tag = null;
      return;
    }
    if (t.startsWith('Attribution: ')) {
      s.tag = nullable(t.slice(13).trim());
      return;
    }
    if (t.startsWith('Access [')) {
      if (s.pkg === null || s.op === null) {
        problems.push({ line: lineNo, message: `Discrete access outside a package's op: ${t}` });
        return;
      }
      const core = parseDiscreteAccess(t);
      if (typeof core === 'string') {
        problems.push({ line: lineNo, message: `Unreadable discrete access (${core}): ${t}` });
        return;
      }
      emit('access', 'discrete', core, lineNo, rawLine);
      return;
    }
    if (s.table && t.includes('|')) {
      const row = parseDiscreteRow(t);
      if (typeof row === 'string') {
        problems.push({ line: lineNo, message: `Unreadable discrete row (${row}): ${t}` });
        return;
      }
      s.uid = row.uid;
      s.pkg = row.pkg;
      s.op = row.op;
      s.tag = row.tag;
      emit('access', 'discrete', row.core, lineNo, rawLine);
      return;
    }
    if (isBareOpName(t)) {
      s.op = t.endsWith(':') ? t.slice(0, -1) : t;
      s.tag = null;
      return;
    }
    if (looksLikeEventLine(t)) {
      problems.push({ line: lineNo, message: `Unreadable discrete access: ${t}` });
    }
  };

  const historyLine = (t: string, lineNo: number, rawLine: string): void => {
    if (t === 'snapshot:') {
      resetContext(s);
      return;
    }
    if (t.startsWith('begin = ') || t.startsWith('end = ')) {
      const isBegin = t.startsWith('begin');
      const time = parseLocalTimeAt(t, isBegin ? 8 : 6);
      if (!time) {
        problems.push({
          line: lineNo,
          message: `Unreadable snapshot ${isBegin ? 'begin' : 'end'}: ${t}`,
        });
      }
      if (isBegin) s.begin = time;
      else s.end = time;
      return;
    }
    const uid = headerName(t, 'Uid ');
    if (uid !== null) {
      s.uid = uid;
      s.pkg = null;
      s.tag = null;
      s.op = null;
      return;
    }
    const pkg = headerName(t, 'Package ');
    if (pkg !== null) {
      s.pkg = pkg;
      s.tag = null;
      s.op = null;
      return;
    }
    const tag = headerName(t, 'Attribution ');
    if (tag !== null) {
      s.tag = nullable(tag);
      s.op = null;
      return;
    }
    if (t.startsWith('[')) {
      if (s.op === null) {
        problems.push({ line: lineNo, message: `History counts outside an op: ${t}` });
        return;
      }
      const entry = parseHistoryCounts(t);
      if (typeof entry === 'string') {
        problems.push({ line: lineNo, message: `Unreadable history counts (${entry}): ${t}` });
        return;
      }
      history.push({
        uid: s.uid,
        packageName: s.pkg,
        attributionTag: s.tag,
        op: s.op,
        uidState: entry.uidState,
        flag: entry.flag,
        begin: s.begin,
        end: s.end,
        accessCount: entry.accessCount,
        rejectCount: entry.rejectCount,
        durationMs: entry.durationMs,
        line: lineNo,
        rawLine,
      });
      return;
    }
    if (t.endsWith(':') && isBareOpName(t)) {
      s.op = t.slice(0, -1);
    }
  };

  let lineNo = 0;
  let pos = 0;
  const length = text.length;
  while (pos <= length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = length;
    let line = text.slice(pos, nl);
    pos = nl + 1;
    lineNo++;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (nl === length && line === '') break;
    const rawLine = line.trimEnd();
    const t = rawLine.trimStart();
    if (t === '') continue;
    const indent = rawLine.length - t.length;

    if (t.startsWith('DUMP OF SERVICE ')) {
      const name = t.slice(16).replace(/:$/, '').trim();
      resetContext(s);
      s.section = name === 'appops' ? 'state' : 'other';
      continue;
    }
    if (t === 'Current AppOps Service state:') {
      resetContext(s);
      s.section = 'state';
      continue;
    }
    if (s.section === 'other') continue;
    if (t.startsWith('---')) {
      resetContext(s);
      if (t.includes('Discrete App Ops')) {
        s.section = 'discrete';
        seen.add('discrete');
        seen.add('android-16');
      } else if (t.includes('Aggregated App Ops')) {
        s.section = 'history';
        seen.add('history');
        seen.add('android-16');
      }
      continue;
    }
    if (t.startsWith('History:') || (t === 'snapshot:' && s.section !== 'history')) {
      resetContext(s);
      s.section = 'history';
      seen.add('history');
      continue;
    }
    if (t.startsWith('Discrete accesses:')) {
      resetContext(s);
      s.section = 'discrete';
      seen.add('discrete');
      continue;
    }

    switch (s.section) {
      case 'state':
        stateLine(t, indent, lineNo, rawLine);
        break;
      case 'discrete':
        discreteLine(t, lineNo, rawLine);
        break;
      case 'history':
        historyLine(t, lineNo, rawLine);
        break;
      default: {
        const never: never = s.section;
        throw new Error(`unexpected section ${String(never)}`);
      }
    }
  }

  const layout = APP_OPS_LAYOUTS.filter((name) => seen.has(name));
  return { records, problems, history, layout };
}

/** `Access [top-s] at 2026-07-23 18:26:00.000 for 60000 milliseconds  attribution flags=… with chainId=…`. */
function parseDiscreteAccess(t: string): EventCore | string {
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
function parseDiscreteRow(
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

/** `[bg-s] = access=3, reject=1, duration=+1m3s8ms`. */
function parseHistoryCounts(t: string):
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

/**
 * Dump-time estimates: for every event with both an absolute and a relative time, absolute +
 * relative (the dump instant, in device wall-clock ms), truncated to the whole second; grouped and
 * counted, most frequent first (ties: earliest first).
 *
 * Every line of one capture gives the same dump time (reference android-sources.md §1.3). Two groups
 * exactly one hour apart point to a DST change between events; other groups point to a clock change
 * or to a file spliced from several captures.
 */
export function dumpTimeEstimates(
  events: readonly AppOpEvent[],
): { wallMs: number; count: number }[] {
  const counts = new Map<number, number>();
  for (const ev of events) {
    if (ev.time === null || ev.relativeMs === null) continue;
    const dump = Math.floor((ev.time.wallMs + ev.relativeMs) / 1000) * 1000;
    counts.set(dump, (counts.get(dump) ?? 0) + 1);
  }
  return [...counts.entries()]
    .map(([wallMs, count]) => ({ wallMs, count }))
    .sort((a, b) => b.count - a.count || a.wallMs - b.wallMs);
}
