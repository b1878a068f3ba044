import { toCategory, type Category } from '../../contract/categories';
import type { Filter } from '../../contract/filter';
import type {
  Finding,
  FindingParams,
  FindingRule,
  FindingRuleInfo,
  Severity,
} from '../../contract/findings';
import { formatInstant } from '../../contract/time';
import type { Db } from '../db/open';
import { AppError } from '../model/errors';
import {
  sessionWhere,
  STATE_SOURCE_SQL,
  STATE_SQL,
  whereSql,
  type SqlParam,
} from '../services/filter-sql';
import { sessionId } from '../services/session-ids';
import type { KeptSessions } from './session-pass';

/** A finding lists at most this many evidence ids; the rest are counted in `details.evidenceTruncated`. */
export const EVIDENCE_CAP = 5_000;

/**
 * How the session rules read the sessions: `auto` aggregates in SQL and reads only the evidence of
 * each finding; `scan` walks every matching session in JavaScript (the reference the fast path is
 * tested against).
 */
export type RulePath = 'auto' | 'scan';

/** What a rule gets to run: the case, the shared filter and its resolved parameters. */
export interface RuleContext {
  db: Db;
  filter: Filter;
  /** The parameter's value (the examiner's, else the default), already validated. */
  param(name: string): number | string;
  num(name: string): number;
  str(name: string): string;
  path: RulePath;
  /** At most this many evidence ids per finding (never more than {@link EVIDENCE_CAP}). */
  evidenceLimit: number;
  /**
   * The session rules leave `evidence` empty and attach the sessions' interval keys instead
   * ({@link evidenceRef}): storing findings then builds no id strings.
   */
  leanEvidence?: boolean;
  /**
   * Only the sessions of apps whose ids lie in this range (inclusive), on the session rules' fast
   * path: stored findings are computed a range of apps at a time, so a pass over a device with
   * tens of thousands of apps holds a bounded number of groups.
   */
  appRange?: { from: number; to: number };
  /**
   * The store the session rules' evidence lists keep their sessions in, reused from one pass to
   * the next (a refresh of several devices), else one per call.
   */
  kept?: KeptSessions;
}

/** A finding's evidence as interval keys of one device's sessions, then other record ids. */
export interface EvidenceRef {
  deviceId: number;
  keys: string[];
  extra: string[];
  /**
   * Where each key's session was read, four values per key (begin source id and line, end
   * source id and line; -1 where the row has none), when the rule read them.
   */
  places?: Int32Array;
}

const refs = new WeakMap<Finding, EvidenceRef>();

/** Attaches lean evidence to a finding (see {@link RuleContext.leanEvidence}). */
export function attachEvidence(f: Finding, ref: EvidenceRef): Finding {
  refs.set(f, ref);
  return f;
}

/** The lean evidence attached to a finding, if any. */
export function evidenceRef(f: Finding): EvidenceRef | undefined {
  return refs.get(f);
}

/** One rule: its public description and how it runs. */
export interface RuleDef {
  info: FindingRuleInfo;
  run(ctx: RuleContext): Finding[];
}

/** An instant with the UTC offset the device recorded for it. */
export interface Instant {
  ms: number;
  offsetMin: number;
}

/** A session row as the session rules read it. */
export interface SessionRow {
  deviceId: number;
  device: string;
  app: string;
  appName: string | null;
  category: string;
  intervalKey: string;
  anchorMs: number;
  anchorOffset: number;
  anchorMinute: number;
  localDay: number;
  startMs: number | null;
  endMs: number | null;
  endOffset: number | null;
  startOffset: number | null;
  durationMs: number | null;
  open: number;
  /** The effective state: reported, else inferred, else unknown. */
  state: 'foreground' | 'background' | 'unknown';
  /** How the effective state is known: `reported`, `inferred` or null. */
  stateSource: 'reported' | 'inferred' | null;
}

/** The longest session ever stored (lets the anchor index bound a date-range scan). */
export function maxSessionMs(db: Db): number {
  const r = db.prepare("SELECT value FROM case_meta WHERE key = 'max_session_ms'").get() as
    { value: string } | undefined;
  return Math.max(0, Number(r?.value ?? 0));
}

/**
 * Sessions matching the filter plus the rule's own clauses, in device, app, category and start
 * order, handed over one device × app × category group at a time.
 */
export function forEachSessionGroup(
  ctx: RuleContext,
  extra: { clauses: string[]; params: SqlParam[] },
  onGroup: (rows: SessionRow[]) => void,
): void {
  const w = sessionWhere(ctx.filter, maxSessionMs(ctx.db));
  const sql = `SELECT s.device_id AS deviceId, d.label AS device, a.identifier AS app, a.display_name AS appName,
      s.category, s.interval_key AS intervalKey, s.anchor_ms AS anchorMs, s.anchor_offset AS anchorOffset,
      s.anchor_minute AS anchorMinute, s.local_day AS localDay, s.start_ms AS startMs, s.end_ms AS endMs,
      s.start_offset AS startOffset, s.end_offset AS endOffset, s.duration_ms AS durationMs, s.open,
      ${STATE_SQL} AS state,
      ${STATE_SOURCE_SQL} AS stateSource
    FROM access_sessions s JOIN apps a ON a.id = s.app_id JOIN devices d ON d.id = s.device_id
    ${whereSql(w, extra.clauses)}
    ORDER BY s.device_id, s.app_id, s.category, s.anchor_ms, s.interval_key`;
  let group: SessionRow[] = [];
  let key = '';
  for (const row of ctx.db.prepare(sql).iterate(...w.params, ...extra.params) as Iterable<
    Omit<SessionRow, 'device'> & { device: string }
  >) {
    const k = `${row.deviceId}\n${row.app}\n${row.category}`;
    if (k !== key && group.length > 0) {
      onGroup(group);
      group = [];
    }
    key = k;
    group.push(row);
  }
  if (group.length > 0) onGroup(group);
}

/** A session's first instant (its one known edge when open). */
export const sessionFirst = (s: SessionRow): Instant => ({
  ms: s.anchorMs,
  offsetMin: s.anchorOffset,
});

/** A session's last instant: its end, else its one known edge. */
export const sessionLast = (s: SessionRow): Instant =>
  s.endMs !== null
    ? { ms: s.endMs, offsetMin: s.endOffset ?? s.anchorOffset }
    : { ms: s.startMs ?? s.anchorMs, offsetMin: s.startOffset ?? s.anchorOffset };

/**
 * Earliest first and latest last instant of sessions. Of two at the same instant the first keeps
 * the lower offset and the last the higher, so the result does not depend on the rows' order.
 */
export function sessionSpan(rows: SessionRow[]): { first: Instant | null; last: Instant | null } {
  let first: Instant | null = null;
  let last: Instant | null = null;
  for (const s of rows) {
    const f = sessionFirst(s);
    const l = sessionLast(s);
    if (!first || f.ms < first.ms || (f.ms === first.ms && f.offsetMin < first.offsetMin))
      first = f;
    if (!last || l.ms > last.ms || (l.ms === last.ms && l.offsetMin > last.offsetMin)) last = l;
  }
  return { first, last };
}

export const sessionEvidence = (rows: SessionRow[]): string[] =>
  rows.map((s) => sessionId(s.deviceId, s.intervalKey));

const fmt = (i: Instant | null): string | null => (i ? formatInstant(i.ms, i.offsetMin) : null);

/** Builds a finding: its stable id, formatted instants and evidence capped at {@link EVIDENCE_CAP}. */
export function makeFinding(o: {
  rule: FindingRule;
  severity: Severity;
  deviceId: number;
  device: string;
  app: string | null;
  appName: string | null;
  category: Category | null;
  count: number;
  first: Instant | null;
  last: Instant | null;
  title: string;
  caveat: string;
  evidence: string[];
  /** How many evidence ids there are in all, when `evidence` holds only the first of them. */
  evidenceTotal?: number;
  /** At most this many ids are kept ({@link EVIDENCE_CAP} when not given). */
  evidenceLimit?: number;
  details: Finding['details'];
}): Finding {
  const details: Finding['details'] = { ...o.details };
  const limit = Math.min(EVIDENCE_CAP, o.evidenceLimit ?? EVIDENCE_CAP);
  const total = Math.max(o.evidenceTotal ?? 0, o.evidence.length);
  const evidence = o.evidence.length > limit ? o.evidence.slice(0, limit) : o.evidence;
  if (total > evidence.length) details.evidenceTruncated = total - evidence.length;
  return {
    id: `f:${o.rule}:${o.deviceId}:${o.app ?? ''}:${o.category ?? ''}`,
    rule: o.rule,
    severity: o.severity,
    deviceId: o.deviceId,
    device: o.device,
    app: o.app,
    appName: o.appName,
    category: o.category,
    count: o.count,
    first: fmt(o.first),
    last: fmt(o.last),
    title: o.title,
    caveat: o.caveat,
    evidence,
    details,
  };
}

/** The category of a stored row. */
export const categoryOf = (raw: string): Category => toCategory(raw);

const CATEGORY_PHRASES: Record<Category, string> = {
  photos: 'read the photo library',
  camera: 'used the camera',
  microphone: 'used the microphone',
  contacts: 'read the contacts',
  location: 'accessed the location',
  mediaLibrary: 'read the media library',
  screenRecording: 'recorded the screen',
  calendar: 'read the calendar',
  callLog: 'read the call log',
  sms: 'read SMS messages',
  phoneState: 'read the phone state',
  bodySensors: 'read the body sensors',
  other: 'used another protected resource',
};

/** "read the photo library", "used the camera"… */
export const accessPhrase = (c: Category): string => CATEGORY_PHRASES[c];

const RESOURCE_NAMES: Record<Category, string> = {
  photos: 'the photo library',
  camera: 'the camera',
  microphone: 'the microphone',
  contacts: 'the contacts',
  location: 'the location',
  mediaLibrary: 'the media library',
  screenRecording: 'screen recording',
  calendar: 'the calendar',
  callLog: 'the call log',
  sms: 'SMS messages',
  phoneState: 'the phone state',
  bodySensors: 'the body sensors',
  other: 'another protected resource',
};

/** "the photo library", "the camera"… */
export const resourceName = (c: Category): string => RESOURCE_NAMES[c];

/** "once", "twice", "14 times". */
export function times(n: number): string {
  return n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`;
}

/** "1 night", "5 nights". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** The app as the title names it: its display name when known, else its identifier. */
export const appLabel = (app: string, appName: string | null): string => appName ?? app;

/** A duration in words: "45 s", "12 min", "2.5 h". */
export function humanDuration(ms: number): string {
  const s = ms / 1000;
  if (s < 90) return `${Math.round(s * 10) / 10} s`;
  if (s < 5400) return `${Math.round((s / 60) * 10) / 10} min`;
  return `${Math.round((s / 3600) * 10) / 10} h`;
}

/** The order severities sort in (most severe first). */
export const SEVERITY_RANK: Record<Severity, number> = { high: 0, medium: 1, low: 2, info: 3 };

/** Throws INVALID_INPUT for a bad parameter value, naming it. */
export function badParam(name: string, message: string): never {
  throw new AppError('INVALID_INPUT', `Finding parameter ${name}: ${message}`);
}

export type { FindingParams };
