// `dumpsys usagestats` (reference android-sources.md §2). Reads the per-user `Last 24 hour events`
// block and the `In-memory daily stats` package lines; times stay device-local (`LocalTime`).
// Events inside the daily block are used only for a user without a 24-hour block (older releases),
// as Perfetto's importer does, so the same event is never read twice. Weekly, monthly and yearly
// blocks repeat the daily data at a coarser grain and are not read.
import { parseLocalTime } from './local-time';
import type { LocalTime, ParseResult } from './types';

/** One event line, e.g. `time="2025-06-18 12:58:31" type=ACTIVITY_RESUMED package=… class=…`. */
export interface UsageEvent {
  /** The `user=N` header the event sits under, or null when there is none. */
  user: number | null;
  time: LocalTime;
  /** The type as printed: `ACTIVITY_RESUMED`, `MOVE_TO_FOREGROUND`, `UNKNOWN_TYPE_…`. */
  type: string;
  /** `package=`; null when absent or printed as `null`. */
  packageName: string | null;
  className: string | null;
  /** `instanceId=` (activity events, Android 10+). */
  instanceId: string | null;
  taskRootPackage: string | null;
  /** Every other `key=value` pair as printed (`taskRootClass`, `flags`, `shortcutId`, …). */
  extra: Record<string, string>;
  /** 1-based line number in the text parsed, and the line without its trailing spaces. */
  line: number;
  rawLine: string;
}

/** One package line of the `In-memory daily stats` block. */
export interface UsageDailyStat {
  user: number | null;
  packageName: string;
  /** `totalTimeUsed` (time in the foreground), in ms; second precision as printed. */
  totalTimeUsedMs: number | null;
  /** `lastTimeUsed`; the epoch printed in the device zone means "never" (see `isEpochZeroInZone`). */
  lastTimeUsed: LocalTime | null;
  appLaunchCount: number | null;
  line: number;
}

/** What `parseUsageStats` returns: events as records, the daily package stats, and the users seen. */
export type UsageStatsResult = ParseResult<UsageEvent> & {
  dailyStats: UsageDailyStat[];
  users: number[];
};

type Problem = ParseResult<UsageEvent>['problems'][number];

/** An interval an app's activity spent resumed (in the foreground). */
export interface ForegroundInterval {
  user: number | null;
  packageName: string | null;
  className: string | null;
  instanceId: string | null;
  start: LocalTime;
  /** Null while still open at the end of the dump, or when a reboot cut it short. */
  end: LocalTime | null;
  startLine: number;
  endLine: number | null;
}

/** A START → STOP (or ON → OFF) interval of a screen or foreground-service event pair. */
export interface EventInterval {
  user: number | null;
  packageName: string | null;
  className: string | null;
  start: LocalTime;
  end: LocalTime | null;
  startLine: number;
  endLine: number | null;
}

const KEY_VALUE_START = /^([A-Za-z][A-Za-z0-9_]*)=/;

/** True when `key=` (a letter, then letters, digits or `_`, then `=`) starts at `at`. */
function keyAt(text: string, at: number): boolean {
  const first = text.charCodeAt(at);
  if (!((first >= 65 && first <= 90) || (first >= 97 && first <= 122))) return false;
  for (let j = at + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 61) return true;
    const word = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95;
    if (!word) return false;
  }
  return false;
}

/**
 * Where the next pair starts after `from`: with `space-before-key`, the single space right before
 * a `key=`; with `run-before-pair`, the first space of the run before a `key=` or `Bundle[`.
 * -1 when none. A scan, not a regular expression: ` +key=` backtracks quadratically over a long
 * run of spaces that is not followed by a key.
 */
function nextPairStart(
  text: string,
  from: number,
  mode: 'space-before-key' | 'run-before-pair',
): number {
  let i = from;
  for (;;) {
    const space = text.indexOf(' ', i);
    if (space === -1) return -1;
    let end = space;
    while (end < text.length && text.charCodeAt(end) === 32) end++;
    if (mode === 'space-before-key') {
      if (keyAt(text, end)) return end - 1;
    } else if (keyAt(text, end) || text.startsWith('Bundle[', end)) {
      return space;
    }
    if (end >= text.length) return -1;
    i = end;
  }
}

/**
 * Splits `key=value key="quoted value" …` as written by `IndentingPrintWriter.printPair`.
 * A quoted value runs to its closing quote; an unquoted one runs to the next ` key=` so a value
 * holding spaces stays whole. A `Bundle[{…}]` (USER_INTERACTION extras) is kept under `extras`.
 */
export function splitPairs(text: string): { pairs: [string, string][]; rest: string } {
  const pairs: [string, string][] = [];
  let i = 0;
  let rest = '';
  const n = text.length;
  while (i < n) {
    while (i < n && text[i] === ' ') i++;
    if (i >= n) break;
    const tail = text.slice(i);
    if (tail.startsWith('Bundle[')) {
      const close = tail.indexOf('}]');
      const end = close === -1 ? tail.length : close + 2;
      pairs.push(['extras', tail.slice(0, end)]);
      i += end;
      continue;
    }
    const key = KEY_VALUE_START.exec(tail);
    if (!key) {
      // Text outside any pair: keep it so the caller can report or attach it.
      const next = nextPairStart(text, i, 'space-before-key');
      const chunk = next === -1 ? tail : text.slice(i, next);
      const last = pairs[pairs.length - 1];
      if (last) last[1] = `${last[1]} ${chunk}`;
      else rest = rest === '' ? chunk : `${rest} ${chunk}`;
      i += chunk.length;
      continue;
    }
    const name = key[1] ?? '';
    i += key[0].length;
    if (text[i] === '"') {
      const close = text.indexOf('"', i + 1);
      const end = close === -1 ? n : close;
      pairs.push([name, text.slice(i + 1, end)]);
      i = close === -1 ? n : close + 1;
      continue;
    }
    const next = nextPairStart(text, i, 'run-before-pair');
    const value = next === -1 ? text.slice(i) : text.slice(i, next);
    pairs.push([name, value.trimEnd()]);
    i += value.length;
  }
  return { pairs, rest };
}

function orNull(value: string | undefined): string | null {
  return value === undefined || value === '' || value === 'null' ? null : value;
}

/**
 * Reads `totalTimeUsed`: Android's `DateUtils.formatElapsedTime` prints `MM:SS`, or `H:MM:SS` with
 * hours unbounded (so multi-day totals read `52:10:03`); a `D:HH:MM:SS` form is also accepted,
 * and a bare integer is milliseconds (the compact dump). Returns null for anything else.
 */
export function parseElapsed(text: string): number | null {
  if (/^\d+$/.test(text)) return Number(text);
  const parts = text.split(':');
  if (parts.length < 2 || parts.length > 4 || parts.some((p) => !/^\d+$/.test(p))) return null;
  const nums = parts.map(Number);
  // All but the leading field are bounded: seconds and minutes < 60, hours < 24 under days.
  const limits = [60, 60, 24];
  for (let k = 1; k < nums.length; k++) {
    const fromEnd = nums.length - 1 - k;
    if ((nums[k] ?? 0) >= (limits[fromEnd] ?? Infinity)) return null;
  }
  const unitsFromEnd = [1, 60, 3600, 86_400];
  let seconds = 0;
  nums.forEach((v, k) => {
    seconds += v * (unitsFromEnd[nums.length - 1 - k] ?? 0);
  });
  return seconds * 1000;
}

function describeTime(text: string): string {
  if (/^-?\d+$/.test(text)) {
    return `"${text}" is a raw epoch time (compact or file dump), not a wall-clock time`;
  }
  if (parseLocalTime(text) === null && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/.test(text)) {
    return `"${text}" is not a valid date and time`;
  }
  return `"${text}" is not in the yyyy-MM-dd HH:mm:ss form (a locale-formatted time cannot be read reliably)`;
}

const KNOWN_EVENT_KEYS = new Set([
  'time',
  'type',
  'package',
  'class',
  'instanceId',
  'taskRootPackage',
]);

type Mode = 'none' | 'events24' | 'daily';

/** Where `UsageStatsParser` delivers what it reads. */
export interface UsageStatsSink {
  event(e: UsageEvent): void;
  dailyStat(s: UsageDailyStat): void;
  problem(p: Problem): void;
}

/**
 * Reads `dumpsys usagestats` line by line (see `parseUsageStats`). The daily block's events of a
 * user are held until that user's 24-hour block shows up (then they are dropped: the 24-hour
 * block has the same events) or until `end` (older Android, where they are the only events).
 */
export class UsageStatsParser {
  private user: number | null = null;
  private mode: Mode = 'none';
  private headerIndent = 0;
  private readonly usersSeen: number[] = [];
  private readonly usersWith24h = new Set<number | null>();
  /** Daily-block events and their problems, per user, while the user has no 24-hour block. */
  private readonly heldDaily = new Map<
    number | null,
    { events: UsageEvent[]; problems: Problem[] }
  >();

  constructor(private readonly sink: UsageStatsSink) {}

  /** The `user=N` headers seen so far, in order. */
  get users(): number[] {
    return [...this.usersSeen];
  }

  /** Feeds one line (without its `\n`) and its 1-based number. */
  push(raw: string, lineNo: number): void {
    const rawLine = raw.trimEnd();
    const content = rawLine.trimStart();
    if (content === '') return;
    const indent = rawLine.length - content.length;

    const userHeader = /^user=(\d+)$/.exec(content);
    if (userHeader && indent === 0) {
      const user = Number(userHeader[1]);
      this.user = user;
      if (!this.usersSeen.includes(user)) this.usersSeen.push(user);
      this.mode = 'none';
      return;
    }
    if (/^Last 24 hour events\b/.test(content)) {
      this.mode = 'events24';
      this.headerIndent = indent;
      this.usersWith24h.add(this.user);
      this.heldDaily.delete(this.user);
      return;
    }
    const interval = /^In-memory (\w+) stats\b/.exec(content);
    if (interval) {
      this.mode = interval[1] === 'daily' ? 'daily' : 'none';
      this.headerIndent = indent;
      return;
    }
    if (this.mode === 'none') return;

    const isEvent = content.startsWith('time=');
    const isPackage = content.startsWith('package=');
    // printIntervalStats writes the block's `timeRange=` (or `beginTime=`) at the header's indent.
    const isRange = this.mode === 'daily' && /^(timeRange|beginTime)=/.test(content);
    if (isRange) return;
    if (indent <= this.headerIndent && !isEvent && !(this.mode === 'daily' && isPackage)) {
      this.mode = 'none';
      return;
    }

    if (isEvent) {
      const bad: Problem[] = [];
      const event = readEvent(content, this.user, lineNo, rawLine, bad);
      if (this.mode === 'events24') {
        if (event) this.sink.event(event);
        for (const p of bad) this.sink.problem(p);
      } else if (!this.usersWith24h.has(this.user)) {
        let held = this.heldDaily.get(this.user);
        if (!held) {
          held = { events: [], problems: [] };
          this.heldDaily.set(this.user, held);
        }
        if (event) held.events.push(event);
        held.problems.push(...bad);
      }
      return;
    }
    if (this.mode === 'daily' && isPackage) {
      const bad: Problem[] = [];
      const stat = readDailyStat(content, this.user, lineNo, bad);
      for (const p of bad) this.sink.problem(p);
      if (stat) this.sink.dailyStat(stat);
      return;
    }
    if (this.mode === 'events24') {
      this.sink.problem({
        line: lineNo,
        message: `Unrecognised line in the 24-hour events: ${content}`,
      });
    }
    // Other daily-block lines (timeRange, configurations, event aggregations, …) are not read.
  }

  /** Delivers the daily events of users that had no 24-hour block; call once after the last line. */
  end(): void {
    for (const held of this.heldDaily.values()) {
      for (const e of held.events) this.sink.event(e);
      for (const p of held.problems) this.sink.problem(p);
    }
    this.heldDaily.clear();
  }
}

/**
 * Parses the text of `dumpsys usagestats`.
 *
 * Reads, per `user=N` header, the event lines of `Last 24 hour events` and the package lines of
 * `In-memory daily stats`; when a user has no 24-hour block (older Android), the event lines of
 * the daily block are used instead. The locale-formatted `timeRange` is never read. A line whose
 * time is not `yyyy-MM-dd HH:mm:ss` (older releases print `4/4/2017 22:46`) becomes a problem.
 */
export function parseUsageStats(text: string): UsageStatsResult {
  const records: UsageEvent[] = [];
  const dailyStats: UsageDailyStat[] = [];
  const problems: Problem[] = [];
  const parser = new UsageStatsParser({
    event: (e) => records.push(e),
    dailyStat: (d) => dailyStats.push(d),
    problem: (p) => problems.push(p),
  });
  text.split('\n').forEach((raw, index) => parser.push(raw, index + 1));
  parser.end();
  records.sort((a, b) => a.line - b.line);
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { records, problems, dailyStats, users: parser.users };
}

function readEvent(
  content: string,
  user: number | null,
  line: number,
  rawLine: string,
  problems: Problem[],
): UsageEvent | null {
  const { pairs, rest } = splitPairs(content);
  const map = new Map(pairs);
  const timeText = map.get('time') ?? '';
  const type = map.get('type');
  if (!type) {
    problems.push({ line, message: 'Event line without a type; skipped.' });
    return null;
  }
  const time = parseLocalTime(timeText);
  if (!time) {
    problems.push({ line, message: `Event time ${describeTime(timeText)}; event skipped.` });
    return null;
  }
  const extra: Record<string, string> = {};
  for (const [k, v] of pairs) if (!KNOWN_EVENT_KEYS.has(k)) extra[k] = v;
  if (rest !== '') extra['text'] = rest;
  return {
    user,
    time,
    type,
    packageName: orNull(map.get('package')),
    className: orNull(map.get('class')),
    instanceId: orNull(map.get('instanceId')),
    taskRootPackage: orNull(map.get('taskRootPackage')),
    extra,
    line,
    rawLine,
  };
}

function readDailyStat(
  content: string,
  user: number | null,
  line: number,
  problems: Problem[],
): UsageDailyStat | null {
  const map = new Map(splitPairs(content).pairs);
  const packageName = orNull(map.get('package'));
  // ChooserCounts lines also start with `package=`; only lines with usage fields are stats.
  if (packageName === null || (!map.has('totalTimeUsed') && !map.has('lastTimeUsed'))) return null;

  let totalTimeUsedMs: number | null = null;
  const total = map.get('totalTimeUsed');
  if (total !== undefined) {
    totalTimeUsedMs = parseElapsed(total);
    if (totalTimeUsedMs === null) {
      problems.push({ line, message: `totalTimeUsed "${total}" is not a duration; left empty.` });
    }
  }
  let lastTimeUsed: LocalTime | null = null;
  const last = map.get('lastTimeUsed');
  if (last !== undefined) {
    lastTimeUsed = parseLocalTime(last);
    if (lastTimeUsed === null) {
      problems.push({ line, message: `lastTimeUsed ${describeTime(last)}; left empty.` });
    }
  }
  let appLaunchCount: number | null = null;
  const launches = map.get('appLaunchCount');
  if (launches !== undefined) {
    if (/^\d+$/.test(launches)) appLaunchCount = Number(launches);
    else problems.push({ line, message: `appLaunchCount "${launches}" is not a count.` });
  }
  return { user, packageName, totalTimeUsedMs, lastTimeUsed, appLaunchCount, line };
}

const RESUME = new Set(['ACTIVITY_RESUMED']);
const LEAVE = new Set(['ACTIVITY_PAUSED', 'ACTIVITY_STOPPED']);

/**
 * Foreground intervals: `ACTIVITY_RESUMED` → the next `ACTIVITY_PAUSED` or `ACTIVITY_STOPPED` of
 * the same user, package, class and `instanceId` (how Perfetto pairs them); older dumps'
 * `MOVE_TO_FOREGROUND` → `MOVE_TO_BACKGROUND` pair by user, package and class.
 *
 * A second resume before any pause leaves the first open-ended (end null), as does a
 * `DEVICE_STARTUP` of the same user (a reboot ends every activity without an event). A pause
 * without a resume in the dump (the app was already resumed when the window began) gives no
 * interval. Intervals are returned in the order of their start lines.
 */
export function foregroundIntervals(events: readonly UsageEvent[]): ForegroundInterval[] {
  const done: ForegroundInterval[] = [];
  const open = new Map<string, ForegroundInterval>();
  const keyOf = (e: UsageEvent, legacy: boolean): string =>
    JSON.stringify([
      legacy ? 'move' : 'activity',
      e.user,
      e.packageName,
      e.className,
      legacy ? null : e.instanceId,
    ]);
  for (const e of events) {
    if (e.type === 'DEVICE_STARTUP') {
      closeAllOfUser(open, done, e.user);
      continue;
    }
    const legacy = e.type === 'MOVE_TO_FOREGROUND' || e.type === 'MOVE_TO_BACKGROUND';
    const starts = RESUME.has(e.type) || e.type === 'MOVE_TO_FOREGROUND';
    const ends = LEAVE.has(e.type) || e.type === 'MOVE_TO_BACKGROUND';
    if (!starts && !ends) continue;
    const key = keyOf(e, legacy);
    const current = open.get(key);
    if (starts) {
      if (current) done.push(current);
      open.set(key, {
        user: e.user,
        packageName: e.packageName,
        className: e.className,
        instanceId: legacy ? null : e.instanceId,
        start: e.time,
        end: null,
        startLine: e.line,
        endLine: null,
      });
    } else if (current) {
      done.push({ ...current, end: e.time, endLine: e.line });
      open.delete(key);
    }
  }
  // One push per interval: spreading a large map into push() overflows the call stack.
  for (const interval of open.values()) done.push(interval);
  return done.sort((a, b) => a.startLine - b.startLine);
}

function closeAllOfUser<T extends { user: number | null }>(
  open: Map<string, T>,
  done: T[],
  user: number | null,
): void {
  for (const [key, interval] of open) {
    if (interval.user === user) {
      done.push(interval);
      open.delete(key);
    }
  }
}

function pairIntervals(
  events: readonly UsageEvent[],
  startType: string,
  endType: string,
  byComponent: boolean,
): EventInterval[] {
  const done: EventInterval[] = [];
  const open = new Map<string, EventInterval>();
  for (const e of events) {
    if (e.type === 'DEVICE_STARTUP') {
      closeAllOfUser(open, done, e.user);
      continue;
    }
    if (e.type !== startType && e.type !== endType) continue;
    const key = JSON.stringify(byComponent ? [e.user, e.packageName, e.className] : [e.user]);
    const current = open.get(key);
    if (e.type === startType) {
      if (current) done.push(current);
      open.set(key, {
        user: e.user,
        packageName: e.packageName,
        className: e.className,
        start: e.time,
        end: null,
        startLine: e.line,
        endLine: null,
      });
    } else if (current) {
      done.push({ ...current, end: e.time, endLine: e.line });
      open.delete(key);
    }
  }
  // One push per interval: spreading a large map into push() overflows the call stack.
  for (const interval of open.values()) done.push(interval);
  return done.sort((a, b) => a.startLine - b.startLine);
}

/**
 * Screen-on intervals: `SCREEN_INTERACTIVE` → next `SCREEN_NON_INTERACTIVE` of the same user.
 * A repeated `SCREEN_INTERACTIVE` or a `DEVICE_STARTUP` leaves the open interval open-ended.
 */
export function screenIntervals(events: readonly UsageEvent[]): EventInterval[] {
  return pairIntervals(events, 'SCREEN_INTERACTIVE', 'SCREEN_NON_INTERACTIVE', false);
}

/**
 * Foreground-service intervals: `FOREGROUND_SERVICE_START` → next `FOREGROUND_SERVICE_STOP` of
 * the same user, package and service class (same open-ended rules as `screenIntervals`).
 */
export function foregroundServiceIntervals(events: readonly UsageEvent[]): EventInterval[] {
  return pairIntervals(events, 'FOREGROUND_SERVICE_START', 'FOREGROUND_SERVICE_STOP', true);
}
