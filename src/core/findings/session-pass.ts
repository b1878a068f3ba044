import type { FindingRule } from '../../contract/findings';
import { sessionWhere, whereSql } from '../services/filter-sql';
import { compareText } from '../db/queries/text-order';
import { sessionId } from '../services/session-ids';
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

const INT32_MAX = 2 ** 31 - 1;

/** A place value: no edge (or no session row), as stored. */
const NONE = -1;
/** A place value: a line from 2^31 to 2^32, read exactly but not storable in 32 bits. */
const WIDE = -2;
/** A place value: an edge that cannot be kept exactly (a fraction, a negative, a huge source). */
const BAD = -3;

/** Records per block of {@link KeptSessions}: blocks are never copied as the store grows. */
const BLOCK_BITS = 16;
const BLOCK = 1 << BLOCK_BITS;
/** Bytes per chunk of key text; a longer key gets a chunk of its own. */
const CHUNK = 1 << 20;

/**
 * The sessions the evidence lists of one pass keep, each once however many lists keep it: its
 * start, where its edges were read and its interval key as UTF-8 bytes, in typed arrays outside
 * the JavaScript heap. A kept session costs about 40 bytes plus its key, and a list entry 4 bytes
 * (its record number), where strings, boxed arrays and the collector's slack cost several times
 * that at millions of sessions.
 */
export class KeptSessions {
  private anchors: Float64Array[] = [];
  /** Four per record: begin source id and line, end source id and line (see `NONE`, `WIDE`, `BAD`). */
  private places: Int32Array[] = [];
  /** Three per record: the chunk, offset and byte length of its key. */
  private where: Uint32Array[] = [];
  private chunks: Buffer[] = [];
  /** The chunk keys are written to, and how much of it is used. */
  private chunk = -1;
  private used = 0;
  /** How many records are kept. */
  count = 0;
  private lastKey: string | null = null;

  /** Forgets every record, keeping the memory for the next pass. */
  clear(): void {
    this.count = 0;
    this.chunk = -1;
    this.used = 0;
    this.lastKey = null;
  }

  /**
   * The record of a session, added unless it is the session last added: the lists of a pass are
   * offered each row in turn, and a device's interval keys are unique.
   */
  record(anchor: number, key: string, edges?: ArrayLike<unknown>, at = 0): number {
    if (key === this.lastKey) return this.count - 1;
    const i = this.count;
    const block = i >>> BLOCK_BITS;
    const slot = i & (BLOCK - 1);
    if (block === this.anchors.length) {
      this.anchors.push(new Float64Array(BLOCK));
      this.places.push(new Int32Array(4 * BLOCK));
      this.where.push(new Uint32Array(3 * BLOCK));
    }
    this.anchors[block]![slot] = anchor;
    const p = this.places[block]!;
    placeOf(edges?.[at], edges?.[at + 1], p, 4 * slot);
    placeOf(edges?.[at + 2], edges?.[at + 3], p, 4 * slot + 2);
    // A UTF-16 unit takes at most 3 bytes: most keys are written without being measured first.
    const room = this.chunk < 0 ? 0 : this.chunks[this.chunk]!.length - this.used;
    if (this.chunk < 0 || 3 * key.length > room) {
      const bytes = Buffer.byteLength(key, 'utf8');
      if (this.chunk < 0 || bytes > room) {
        this.chunk += 1;
        this.used = 0;
        const c = this.chunks[this.chunk];
        if (c === undefined || c.length < bytes)
          this.chunks[this.chunk] = Buffer.allocUnsafeSlow(Math.max(CHUNK, bytes));
      }
    }
    const length = this.chunks[this.chunk]!.write(key, this.used, 'utf8');
    const w = this.where[block]!;
    w[3 * slot] = this.chunk;
    w[3 * slot + 1] = this.used;
    w[3 * slot + 2] = length;
    this.used += length;
    this.count += 1;
    this.lastKey = key;
    return i;
  }

  anchor(i: number): number {
    return this.anchors[i >>> BLOCK_BITS]![i & (BLOCK - 1)]!;
  }

  /** The interval key of a record. */
  key(i: number): string {
    const w = this.where[i >>> BLOCK_BITS]!;
    const o = 3 * (i & (BLOCK - 1));
    const at = w[o + 1]!;
    return this.chunks[w[o]!]!.toString('utf8', at, at + w[o + 2]!);
  }

  /** The four place values of a record, into `out` at `to`. */
  placesOf(i: number, out: Int32Array, to: number): void {
    const p = this.places[i >>> BLOCK_BITS]!;
    const o = 4 * (i & (BLOCK - 1));
    out[to] = p[o]!;
    out[to + 1] = p[o + 1]!;
    out[to + 2] = p[o + 2]!;
    out[to + 3] = p[o + 3]!;
  }

  /** Whether an edge of the record could not be kept exactly. */
  bad(i: number): boolean {
    const p = this.places[i >>> BLOCK_BITS]!;
    const o = 4 * (i & (BLOCK - 1));
    return p[o] === BAD || p[o + 2] === BAD;
  }
}

/**
 * Where one edge of a session was read, as two 32-bit values at `out[at]`: source id and line;
 * `NONE` twice where there is none, `BAD` twice where it cannot be kept exactly (a source id from
 * 2^21 or a line from 2^32, a fraction, a negative), and the line `WIDE` from 2^31.
 */
function placeOf(source: unknown, line: unknown, out: Int32Array, at: number): void {
  let s = NONE;
  let l = NONE;
  if (typeof source === 'number' && typeof line === 'number') {
    if (
      !Number.isInteger(source) ||
      !Number.isInteger(line) ||
      source < 0 ||
      source >= 2 ** 21 ||
      line < 0 ||
      line >= 2 ** 32
    ) {
      s = BAD;
      l = BAD;
    } else {
      s = source;
      l = line > INT32_MAX ? WIDE : line;
    }
  }
  out[at] = s;
  out[at + 1] = l;
}

/**
 * The first `limit` sessions of a rule in start order (ties by interval key, as the scan path's
 * ORDER BY), as records of the pass's {@link KeptSessions}. Sessions are added in start order:
 * every one past the limit that ties with the last one kept is kept too, and the list is sorted
 * and cut when it doubles.
 */
export class EvidenceList {
  private records = new Uint32Array(0);
  private length = 0;
  /** False once an edge could not be kept exactly: the list then gives no places. */
  private placed = true;
  total = 0;

  constructor(
    private readonly limit: number,
    private readonly kept: KeptSessions = new KeptSessions(),
  ) {}

  /**
   * Counts a session and keeps it while within the limit, with where it was read when `edges`
   * is given: its begin source and line, end source and line, at `edges[at..at+3]`.
   */
  add(anchor: number, key: string, edges?: ArrayLike<unknown>, at = 0): void {
    this.total += 1;
    if (this.limit === 0) return;
    const n = this.length;
    if (n >= this.limit && anchor !== this.kept.anchor(this.records[n - 1]!)) return;
    const r = this.kept.record(anchor, key, edges, at);
    if (this.kept.bad(r)) this.placed = false;
    if (n === this.records.length) {
      // Up to the limit first, then room for ties with the last session kept.
      const next = new Uint32Array(
        Math.max(16, n < this.limit ? Math.min(2 * n, this.limit) : 2 * this.limit),
      );
      next.set(this.records);
      this.records = next;
    }
    this.records[n] = r;
    this.length = n + 1;
    if (this.length >= 2 * this.limit) this.cut();
  }

  /** Sorts runs of one start by key, then keeps the first `limit`. */
  private cut(): void {
    const kept = this.kept;
    const recs = this.records;
    const n = this.length;
    for (let i = 0; i < n;) {
      const a = kept.anchor(recs[i]!);
      let j = i + 1;
      while (j < n && kept.anchor(recs[j]!) === a) j += 1;
      if (j - i > 1) {
        const run = Array.from(recs.subarray(i, j), (r) => ({ r, key: kept.key(r) }));
        run.sort((x, y) => compareText(x.key, y.key));
        for (let k = 0; k < run.length; k += 1) recs[i + k] = run[k]!.r;
      }
      i = j;
    }
    this.length = Math.min(n, this.limit);
  }

  /** The interval keys kept, in start order (at most the limit). */
  sorted(): string[] {
    this.cut();
    const out = new Array<string>(this.length);
    for (let i = 0; i < this.length; i += 1) out[i] = this.kept.key(this.records[i]!);
    return out;
  }

  /**
   * Where the kept sessions were read, four values per key of {@link EvidenceList.sorted} (begin
   * source id and line, end source id and line; -1 where there is none), or undefined when some
   * do not fit 32 bits.
   */
  sortedPlaces(): Int32Array | undefined {
    this.cut();
    if (!this.placed) return undefined;
    const out = new Int32Array(this.length * 4);
    for (let i = 0; i < this.length; i += 1) this.kept.placesOf(this.records[i]!, out, 4 * i);
    for (const v of out) if (v === WIDE) return undefined;
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
  constructor(limit: number, kept?: KeptSessions) {
    this.evidence = new EvidenceList(limit, kept);
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
    kept?: KeptSessions,
  ) {
    this.all = new RuleTally(limit, kept);
    this.night = new RuleTally(limit, kept);
    this.background = new RuleTally(limit, kept);
    this.long = new RuleTally(limit, kept);
    this.off = new RuleTally(limit, kept);
    this.locked = new RuleTally(limit, kept);
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
export function sessionPass(
  ctx: RuleContext,
  deviceId: number,
  spec: PassSpec,
  kept = new KeptSessions(),
): GroupTally[] {
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
  // Every list of the pass keeps its sessions in one store: a session several rules keep is
  // held once. A store handed in is reused: its memory is not given back and asked for again.
  kept.clear();
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
      g = new GroupTally(appId, category, ctx.evidenceLimit, kept);
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
