import type { FindingRule } from '../../contract/findings';
import { sessionWhere, whereSql } from '../services/filter-sql';
import { compareText } from '../db/queries/text-order';
import { sessionId } from '../services/query-service';
import type { DeviceStateAt, DeviceStateSweep } from '../db/queries/device-state';
import { maxSessionMs, type Instant, type RuleContext } from './common';

/** The session rules a pass computes. */
export const SESSION_RULES = [
  'night-access',
  'background-access',
  'frequent-access',
  'regular-polling',
  'long-access',
  'screen-off-access',
  'access-while-locked',
] as const satisfies readonly FindingRule[];
export type SessionRule = (typeof SESSION_RULES)[number];

/** What a pass needs to know of each rule. */
export interface PassSpec {
  rules: ReadonlySet<SessionRule>;
  /** `night-access`: whether a session starting at a minute of the day is inside the window. */
  inNight: (minute: number) => boolean;
  /** `night-access`: the night a session belongs to (its local day, or the evening before). */
  nightOf: (localDay: number, minute: number) => number;
  /** `long-access`: the duration a session must exceed (ms). */
  longerThanMs: number;
  /** `screen-off-access`: the device's screen-off intervals, ascending and disjoint. */
  offIntervals: readonly { fromMs: number; toMs: number; recordId: number }[];
  /**
   * `access-while-locked` and `background-access`: the device's own state at each session's start,
   * answered in start order (null when the device has no state records).
   */
  states: DeviceStateSweep | null;
  /** `background-access`: an app's identifier, to compare with the app the device had in front. */
  appIdentifier: (appId: number) => string;
}

/** Whether a device state says the screen was off and the device locked. */
export const lockedAndOff = (s: DeviceStateAt): boolean => s.screen === 'off' && s.locked === true;

/**
 * Whether a device state names something else than the app in front: another app or a system
 * surface (the lock screen, the home screen, the passcode screen). An app and its extensions
 * (an identifier under the other's, `com.example.app.widget`) count as one app, since either may
 * be named for the other; an empty name says nothing.
 */
export function otherInFront(s: DeviceStateAt, app: string): boolean {
  const front = s.foregroundApp;
  if (front === null || front === '') return false;
  return front !== app && !front.startsWith(`${app}.`) && !app.startsWith(`${front}.`);
}

/** The first session of a rule (by start, then interval key) and the state rows at its start. */
export class FirstHit {
  anchor = Infinity;
  key = '';
  rows: { sourceId: number; locator: string }[] = [];

  add(anchor: number, key: string, rows: { sourceId: number; locator: string }[]): void {
    if (anchor < this.anchor || (anchor === this.anchor && compareText(key, this.key) < 0)) {
      this.anchor = anchor;
      this.key = key;
      this.rows = rows;
    }
  }
}

/**
 * The first `limit` sessions of a rule in start order (ties by interval key, as the scan path's
 * ORDER BY): rows arrive by start, so every row past the limit that ties with the last one kept
 * is kept too, and the list is sorted and cut when it doubles.
 */
const INT32_MAX = 2 ** 31 - 1;

/** Where one edge of a session was read, as one number: source id and line, or NaN for none. */
function packEdge(source: unknown, line: unknown): number {
  if (typeof source !== 'number' || typeof line !== 'number') return NaN;
  // Exact in a double while the source id stays under 2^21 and the line under 2^32.
  if (!Number.isInteger(source) || !Number.isInteger(line)) return -1;
  if (source < 0 || source >= 2 ** 21 || line < 0 || line >= 2 ** 32) return -1;
  return source * 2 ** 32 + line;
}

export class EvidenceList {
  private anchors: number[] = [];
  private keys: string[] = [];
  /** Two per key, begin and end edge (see `packEdge`). */
  private edges: number[] = [];
  /** False once an edge could not be kept exactly: the list then gives no places. */
  private placed = true;
  total = 0;

  constructor(private readonly limit: number) {}

  /**
   * Counts a session and keeps its key while within the limit, with where it was read when
   * `edges` is given: its begin source and line, end source and line, at `edges[at..at+3]`.
   */
  add(anchor: number, key: string, edges?: ArrayLike<unknown>, at = 0): void {
    this.total += 1;
    if (this.limit === 0) return;
    const n = this.keys.length;
    if (n >= this.limit && anchor !== this.anchors[n - 1]) return;
    this.anchors.push(anchor);
    this.keys.push(key);
    const begin = edges ? packEdge(edges[at], edges[at + 1]) : NaN;
    const end = edges ? packEdge(edges[at + 2], edges[at + 3]) : NaN;
    if (begin === -1 || end === -1) this.placed = false;
    this.edges.push(begin, end);
    if (this.keys.length >= 2 * this.limit) this.cut();
  }

  private cut(): void {
    const order = this.keys.map((_, i) => i);
    order.sort(
      (i, j) => this.anchors[i]! - this.anchors[j]! || compareText(this.keys[i]!, this.keys[j]!),
    );
    const keep = order.length > this.limit ? order.slice(0, this.limit) : order;
    const edges: number[] = [];
    for (const i of keep) edges.push(this.edges[2 * i]!, this.edges[2 * i + 1]!);
    this.anchors = keep.map((i) => this.anchors[i]!);
    this.keys = keep.map((i) => this.keys[i]!);
    this.edges = edges;
  }

  /** The interval keys kept, in start order (at most the limit). */
  sorted(): string[] {
    this.cut();
    return this.keys;
  }

  /**
   * Where the kept sessions were read, four values per key of {@link EvidenceList.sorted} (begin
   * source id and line, end source id and line; -1 where there is none), or undefined when some
   * do not fit 32 bits.
   */
  sortedPlaces(): Int32Array | undefined {
    this.cut();
    if (!this.placed) return undefined;
    const out = new Int32Array(this.keys.length * 4);
    for (let i = 0; i < this.keys.length * 2; i += 1) {
      const v = this.edges[i]!;
      if (Number.isNaN(v)) {
        out[2 * i] = -1;
        out[2 * i + 1] = -1;
        continue;
      }
      const line = v % 2 ** 32;
      if (line > INT32_MAX) return undefined;
      out[2 * i] = Math.floor(v / 2 ** 32);
      out[2 * i + 1] = line;
    }
    return out;
  }

  ids(deviceId: number): string[] {
    return this.sorted().map((k) => sessionId(deviceId, k));
  }
}

/** The earliest first and latest last instant (ties: the lower, resp. higher offset). */
export class Span {
  first: Instant | null = null;
  last: Instant | null = null;

  add(firstMs: number, firstOffset: number, lastMs: number, lastOffset: number): void {
    const f = this.first;
    if (!f || firstMs < f.ms || (firstMs === f.ms && firstOffset < f.offsetMin))
      this.first = { ms: firstMs, offsetMin: firstOffset };
    const l = this.last;
    if (!l || lastMs > l.ms || (lastMs === l.ms && lastOffset > l.offsetMin))
      this.last = { ms: lastMs, offsetMin: lastOffset };
  }
}

/** The sessions of one rule in one group: count, span and evidence. */
export class RuleTally {
  readonly span = new Span();
  readonly evidence: EvidenceList;
  constructor(limit: number) {
    this.evidence = new EvidenceList(limit);
  }

  add(
    anchor: number,
    anchorOffset: number,
    lastMs: number,
    lastOffset: number,
    key: string,
    edges?: ArrayLike<unknown>,
    at = 0,
  ): void {
    this.span.add(anchor, anchorOffset, lastMs, lastOffset);
    this.evidence.add(anchor, key, edges, at);
  }
}

/** A growable list of numbers. */
export class Numbers {
  values = new Float64Array(64);
  length = 0;
  push(v: number): void {
    if (this.length === this.values.length) {
      const next = new Float64Array(this.values.length * 2);
      next.set(this.values);
      this.values = next;
    }
    this.values[this.length++] = v;
  }
  view(): Float64Array {
    return this.values.subarray(0, this.length);
  }
}

/** Everything the session rules need of one device × app × category group. */
export class GroupTally {
  /** Every session: `frequent-access` and `regular-polling`. */
  readonly all: RuleTally;
  readonly days = new Set<number>();
  readonly starts = new Numbers();
  readonly night: RuleTally;
  readonly perNight = new Map<number, number>();
  readonly background: RuleTally;
  reported = 0;
  readonly long: RuleTally;
  longest = 0;
  longTotal = 0;
  readonly off: RuleTally;
  readonly offHits = new Set<number>();
  readonly locked: RuleTally;
  readonly lockedFirst = new FirstHit();
  readonly lockedBases = new Set<string>();
  /** Background sessions known only from the app the device had in front, and their bases. */
  inFront = 0;
  readonly inFrontBases = new Set<string>();

  constructor(
    readonly appId: number,
    readonly category: string,
    limit: number,
  ) {
    this.all = new RuleTally(limit);
    this.night = new RuleTally(limit);
    this.background = new RuleTally(limit);
    this.long = new RuleTally(limit);
    this.off = new RuleTally(limit);
    this.locked = new RuleTally(limit);
  }
}

type Row = [
  appId: number,
  category: string,
  anchorMs: number,
  key: string,
  anchorOffset: number,
  minute: number,
  localDay: number,
  startMs: number | null,
  startOffset: number | null,
  endMs: number | null,
  endOffset: number | null,
  durationMs: number | null,
  open: number,
  state: string,
  stateSource: string | null,
  inferred: string | null,
  bSource: number | null,
  bLine: number | null,
  eSource: number | null,
  eLine: number | null,
];

/** Where the edge columns (begin source and line, end source and line) start in a row. */
const EDGES = 16;

/**
 * One pass over a device's sessions matching the filter, in start order, tallying every session
 * rule asked for per app × category group. Holds the groups' figures and at most a limit of
 * evidence ids per group and rule, never the sessions. Groups come back in app and category order.
 */
export function sessionPass(ctx: RuleContext, deviceId: number, spec: PassSpec): GroupTally[] {
  const w = sessionWhere({ ...ctx.filter, devices: [deviceId] }, maxSessionMs(ctx.db));
  const range = ctx.appRange;
  const rows = ctx.db
    .prepare(
      `SELECT s.app_id, s.category, s.anchor_ms, s.interval_key, s.anchor_offset, s.anchor_minute,
              s.local_day, s.start_ms, s.start_offset, s.end_ms, s.end_offset, s.duration_ms, s.open,
              s.state, s.state_source, s.inferred_state, s.b_source_id, s.b_line, s.e_source_id,
              s.e_line
       FROM access_sessions s ${whereSql(w, range ? ['s.app_id BETWEEN ? AND ?'] : [])} ORDER BY s.anchor_ms`,
    )
    .raw()
    .iterate(...w.params, ...(range ? [range.from, range.to] : [])) as Iterable<Row>;
  const groups = new Map<number, Map<string, GroupTally>>();
  const found: GroupTally[] = [];
  const r = spec.rules;
  const wantAll = r.has('frequent-access') || r.has('regular-polling');
  const wantNight = r.has('night-access');
  const wantBackground = r.has('background-access');
  const wantLong = r.has('long-access');
  const intervals = r.has('screen-off-access') ? spec.offIntervals : [];
  const wantLocked = r.has('access-while-locked');
  const sweep = wantLocked || wantBackground ? spec.states : null;
  let next = 0;
  for (const row of rows) {
    const appId = row[0];
    const category = row[1];
    const anchor = row[2];
    const key = row[3];
    const anchorOffset = row[4];
    const minute = row[5];
    const localDay = row[6];
    const startMs = row[7];
    const startOffset = row[8];
    const endMs = row[9];
    const endOffset = row[10];
    const duration = row[11];
    let byCategory = groups.get(appId);
    if (!byCategory) {
      byCategory = new Map();
      groups.set(appId, byCategory);
    }
    let g = byCategory.get(category);
    if (!g) {
      g = new GroupTally(appId, category, ctx.evidenceLimit);
      byCategory.set(category, g);
      found.push(g);
    }
    // The first instant is the anchor; the last is the end, else the one known edge.
    const lastMs = endMs !== null ? endMs : (startMs ?? anchor);
    const lastOffset = endMs !== null ? (endOffset ?? anchorOffset) : (startOffset ?? anchorOffset);
    if (wantAll) {
      g.all.add(anchor, anchorOffset, lastMs, lastOffset, key, row, EDGES);
      g.days.add(localDay);
      g.starts.push(anchor);
    }
    if (wantNight && category !== 'other' && spec.inNight(minute)) {
      g.night.add(anchor, anchorOffset, lastMs, lastOffset, key, row, EDGES);
      const night = spec.nightOf(localDay, minute);
      g.perNight.set(night, (g.perNight.get(night) ?? 0) + 1);
    }
    // The start is the anchor whenever it is known, so the sweep is asked in time order.
    const state = sweep !== null && startMs !== null ? sweep.at(startMs) : null;
    if (wantBackground) {
      const stateSource = row[14];
      const effective = stateSource === 'reported' ? row[13] : (row[15] ?? 'unknown');
      if (effective === 'background') {
        g.background.add(anchor, anchorOffset, lastMs, lastOffset, key, row, EDGES);
        if (stateSource === 'reported') g.reported += 1;
      } else if (
        effective === 'unknown' &&
        state !== null &&
        otherInFront(state, spec.appIdentifier(appId))
      ) {
        g.background.add(anchor, anchorOffset, lastMs, lastOffset, key, row, EDGES);
        g.inFront += 1;
        if (state.basis !== null) g.inFrontBases.add(state.basis);
      }
    }
    if (wantLocked && state !== null && lockedAndOff(state)) {
      g.locked.add(anchor, anchorOffset, lastMs, lastOffset, key, row, EDGES);
      g.lockedFirst.add(anchor, key, state.sources.slice(0, 2));
      if (state.basis !== null) g.lockedBases.add(state.basis);
    }
    if (wantLong && row[12] === 0 && duration !== null && duration > spec.longerThanMs) {
      g.long.add(anchor, anchorOffset, lastMs, lastOffset, key, row, EDGES);
      if (duration > g.longest) g.longest = duration;
      g.longTotal += duration;
    }
    if (intervals.length > 0) {
      while (next < intervals.length && intervals[next]!.toMs <= anchor) next += 1;
      const iv = intervals[next];
      if (iv && anchor >= iv.fromMs && anchor < iv.toMs) {
        g.off.add(anchor, anchorOffset, lastMs, lastOffset, key, row, EDGES);
        g.offHits.add(iv.recordId);
      }
    }
  }
  return found.sort((a, b) => a.appId - b.appId || compareText(a.category, b.category));
}
