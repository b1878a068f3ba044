import type { Statement } from 'better-sqlite3';
import { localDayNumber, localMinuteOfDay } from '../../contract/time';
import { LineReader, type LineLookup } from './line-store';
import type { Db } from './open';
import { DAY_MS, RollupDeltas } from './rollup';
import { eventState, type SessionState } from './session-state';

/** One edge of an interval as stored: what the source said and where it said it. */
export interface StoredEdge {
  tsMs: number;
  offsetMin: number;
  rawTs: string;
  sourceId: number;
  line: number;
  rawLine: string;
  /**
   * True when the source's stored blocks hold `rawLine` at `line` (see `line-store.ts`): the row
   * then leaves its raw-line column NULL.
   */
  rawHeld: boolean;
  appId: number;
  category: string;
  rawCategory: string;
}

/** A session row: both edges (either may be missing) and what is derived from them. */
export interface SessionRecord {
  id: number | null;
  deviceId: number;
  intervalKey: string;
  begin: StoredEdge | null;
  end: StoredEdge | null;
  conflict: boolean;
  /**
   * The stored row's app state (reported, else inferred, else unknown), which rewriting its
   * edges leaves as it is; absent for a row not stored yet (a new row has none).
   */
  state?: SessionState;
  /** What the platform reported with the access (Android app ops), written when it is inserted. */
  reported?: ReportedColumns;
}

/** The columns a platform's own report of an access fills (Android app ops). */
export interface ReportedColumns {
  state: 'foreground' | 'background' | 'unknown';
  stateSource: 'reported' | null;
  rawState: string | null;
  attributionTag: string | null;
  proxy: string | null;
  durationKnown: boolean;
}

interface Derived {
  appId: number;
  category: string;
  rawCategory: string;
  anchorMs: number;
  anchorOffset: number;
  anchorMinute: number;
  localDay: number;
  durationMs: number | null;
  open: 0 | 1;
}

/**
 * Derives the session of an interval from its edges. A missing edge leaves it open, anchored at
 * the edge it has (night and hour of day use that edge's device-local time).
 */
export function derive(begin: StoredEdge | null, end: StoredEdge | null): Derived {
  const anchor = begin ?? end;
  if (!anchor) throw new Error('an interval needs at least one edge');
  return {
    appId: anchor.appId,
    category: anchor.category,
    rawCategory: anchor.rawCategory,
    anchorMs: anchor.tsMs,
    anchorOffset: anchor.offsetMin,
    anchorMinute: localMinuteOfDay(anchor.tsMs, anchor.offsetMin),
    localDay: localDayNumber(anchor.tsMs, anchor.offsetMin),
    durationMs: begin && end ? end.tsMs - begin.tsMs : null,
    open: begin && end ? 0 : 1,
  };
}

const COLUMNS = [
  'device_id',
  'interval_key',
  'app_id',
  'category',
  'raw_category',
  'start_ms',
  'start_offset',
  'b_raw_ts',
  'b_source_id',
  'b_line',
  'b_raw_line',
  'end_ms',
  'end_offset',
  'e_raw_ts',
  'e_source_id',
  'e_line',
  'e_raw_line',
  'anchor_ms',
  'anchor_offset',
  'anchor_minute',
  'local_day',
  'duration_ms',
  'open',
  'conflict',
] as const;

function values(r: SessionRecord): (string | number | null)[] {
  const d = derive(r.begin, r.end);
  const b = r.begin;
  const e = r.end;
  return [
    r.deviceId,
    r.intervalKey,
    d.appId,
    d.category,
    d.rawCategory,
    b?.tsMs ?? null,
    b?.offsetMin ?? null,
    b?.rawTs ?? null,
    b?.sourceId ?? null,
    b?.line ?? null,
    b && !b.rawHeld ? b.rawLine : null,
    e?.tsMs ?? null,
    e?.offsetMin ?? null,
    e?.rawTs ?? null,
    e?.sourceId ?? null,
    e?.line ?? null,
    e && !e.rawHeld ? e.rawLine : null,
    d.anchorMs,
    d.anchorOffset,
    d.anchorMinute,
    d.localDay,
    d.durationMs,
    d.open,
    r.conflict ? 1 : 0,
  ];
}

interface Row {
  id: number;
  interval_key: string;
  app_id: number;
  category: string;
  raw_category: string;
  start_ms: number | null;
  start_offset: number | null;
  b_raw_ts: string | null;
  b_source_id: number | null;
  b_line: number | null;
  b_raw_line: string | null;
  end_ms: number | null;
  end_offset: number | null;
  e_raw_ts: string | null;
  e_source_id: number | null;
  e_line: number | null;
  e_raw_line: string | null;
  conflict: number;
  device_id: number;
  state: 'foreground' | 'background' | 'unknown';
  state_source: 'reported' | 'inferred' | null;
  inferred_state: 'foreground' | 'background' | null;
}

/** A copy of a record, to keep its stored state while the original is edited. */
export function cloneRecord(r: SessionRecord): SessionRecord {
  return { ...r, begin: r.begin ? { ...r.begin } : null, end: r.end ? { ...r.end } : null };
}

/**
 * Turns a stored row back into a record; `lines` finds a raw line its row leaves to the source's
 * stored blocks (an edge whose line no block holds reads as an empty line).
 */
export function fromRow(r: Row, lines: LineLookup): SessionRecord {
  const edge = (p: 'b' | 'e'): StoredEdge | null => {
    const ts = p === 'b' ? r.start_ms : r.end_ms;
    if (ts === null) return null;
    const sourceId = (p === 'b' ? r.b_source_id : r.e_source_id) ?? 0;
    const line = (p === 'b' ? r.b_line : r.e_line) ?? 0;
    const column = p === 'b' ? r.b_raw_line : r.e_raw_line;
    return {
      tsMs: ts,
      offsetMin: (p === 'b' ? r.start_offset : r.end_offset) ?? 0,
      rawTs: (p === 'b' ? r.b_raw_ts : r.e_raw_ts) ?? '',
      sourceId,
      line,
      rawLine: column ?? lines(sourceId, line) ?? '',
      rawHeld: column === null,
      appId: r.app_id,
      category: r.category,
      rawCategory: r.raw_category,
    };
  };
  return {
    id: r.id,
    deviceId: r.device_id,
    intervalKey: r.interval_key,
    begin: edge('b'),
    end: edge('e'),
    conflict: r.conflict === 1,
    state: eventState({
      state: r.state,
      stateSource: r.state_source,
      inferredState: r.inferred_state,
    }).state,
  };
}

// The shape of a new row: which of its columns the insert binds, and which it writes as constants
// (NULL, 0, 1, 'reported') or leaves to their defaults. A statement is prepared once a shape, so a
// row binds only what varies: an App Privacy Report pair binds 20 values, an Android access 21,
// rather than 24 and 30.
const HAS_BEGIN = 1;
const HAS_END = 2;
const BEGIN_RAW = 4;
const END_RAW = 8;
const REPORTED = 16;
const STATE_REPORTED = 32;
const HAS_TAG = 64;
const HAS_PROXY = 128;
const DURATION_KNOWN = 256;
const CONFLICT = 512;

/** The INSERT of a row shape; its placeholders follow the order `SessionStore` pushes values in. */
function insertSql(shape: number): string {
  const cols = ['device_id', 'interval_key', 'app_id', 'category', 'raw_category'];
  const vals = ['?', '?', '?', '?', '?'];
  const bind = (...names: string[]): void => {
    for (const n of names) {
      cols.push(n);
      vals.push('?');
    }
  };
  const constant = (name: string, value: string): void => {
    cols.push(name);
    vals.push(value);
  };
  if (shape & HAS_BEGIN) bind('start_ms', 'start_offset', 'b_raw_ts', 'b_source_id', 'b_line');
  if (shape & BEGIN_RAW) bind('b_raw_line');
  if (shape & HAS_END) bind('end_ms', 'end_offset', 'e_raw_ts', 'e_source_id', 'e_line');
  if (shape & END_RAW) bind('e_raw_line');
  bind('anchor_ms', 'anchor_offset', 'anchor_minute', 'local_day');
  const closed = (shape & HAS_BEGIN) !== 0 && (shape & HAS_END) !== 0;
  if (closed) bind('duration_ms');
  constant('open', closed ? '0' : '1');
  constant('conflict', shape & CONFLICT ? '1' : '0');
  if (shape & REPORTED) {
    bind('state', 'raw_state');
    if (shape & STATE_REPORTED) constant('state_source', "'reported'");
    if (shape & HAS_TAG) bind('attribution_tag');
    if (shape & HAS_PROXY) bind('proxy');
    constant('duration_known', shape & DURATION_KNOWN ? '1' : '0');
  }
  return `INSERT INTO access_sessions (${cols.join(', ')}) VALUES (${vals.join(', ')})
       ON CONFLICT (device_id, interval_key) DO NOTHING`;
}

/** The shape bits and values of what the platform reported, pushed after the anchor columns. */
function pushReported(p: ReportedColumns, v: (string | number | null)[]): number {
  let shape = REPORTED;
  v.push(p.state, p.rawState);
  if (p.stateSource === 'reported') shape |= STATE_REPORTED;
  if (p.attributionTag !== null) {
    shape |= HAS_TAG;
    v.push(p.attributionTag);
  }
  if (p.proxy !== null) {
    shape |= HAS_PROXY;
    v.push(p.proxy);
  }
  if (p.durationKnown) shape |= DURATION_KNOWN;
  return shape;
}

/** The fields of an access read with both its edges from one line (Android app ops). */
export interface IntervalRow {
  deviceId: number;
  intervalKey: string;
  appId: number;
  category: string;
  rawCategory: string;
  startMs: number;
  durationMs: number;
  offsetMin: number;
  rawTs: string;
  sourceId: number;
  line: number;
  /** The line, or null when the source's stored blocks hold it (see `line-store.ts`). */
  rawLine: string | null;
}

/** Prepared statements over `access_sessions`; create once per connection and transaction. */
export class SessionStore {
  /** Rows this store inserted. */
  inserted = 0;
  /**
   * Rows inserted that start more than a day before the latest start inserted so far: an index
   * on the start takes each such row among the ones it holds rather than at its end.
   */
  scattered = 0;
  private latestAnchorMs = Number.NEGATIVE_INFINITY;
  private readonly inserts = new Map<number, Statement>();
  /** The values of the row being inserted, refilled for each row. */
  private readonly args: (string | number | null)[] = [];
  private readonly updateStmt;
  private readonly selectStmt;
  private readonly deleteStmt;
  private readonly selectByIdStmt;
  private readonly rollup = new RollupDeltas();
  private readonly lines: LineLookup;

  /** `lines` finds the raw lines rows leave to stored blocks (default: read from the case). */
  constructor(
    private readonly db: Db,
    lines?: LineLookup,
  ) {
    this.lines = lines ?? new LineReader(db).lookup();
    this.updateStmt = db.prepare(
      `UPDATE access_sessions SET ${COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`,
    );
    this.selectStmt = db.prepare(
      'SELECT * FROM access_sessions WHERE device_id = ? AND interval_key = ?',
    );
    this.deleteStmt = db.prepare('DELETE FROM access_sessions WHERE id = ?');
    this.selectByIdStmt = db.prepare('SELECT * FROM access_sessions WHERE id = ?');
  }

  /** Runs the insert of a shape with the values in `args`; the new id, or null on a conflict. */
  private runInsert(shape: number): number | null {
    let stmt = this.inserts.get(shape);
    if (!stmt) {
      stmt = this.db.prepare(insertSql(shape));
      this.inserts.set(shape, stmt);
    }
    // Spread arguments: binding them is cheaper than binding from one array argument.
    const info = stmt.run(...this.args);
    if (info.changes !== 1) return null;
    this.inserted += 1;
    return Number(info.lastInsertRowid);
  }

  /** Counts a new row's start into `scattered`. */
  private noteAnchor(ms: number): void {
    if (ms < this.latestAnchorMs - DAY_MS) this.scattered += 1;
    else if (ms > this.latestAnchorMs) this.latestAnchorMs = ms;
  }

  /** Pushes an edge's values; the shape bits it sets (`raw` when its row holds the line). */
  private pushEdge(e: StoredEdge, has: number, raw: number): number {
    this.args.push(e.tsMs, e.offsetMin, e.rawTs, e.sourceId, e.line);
    if (e.rawHeld) return has;
    this.args.push(e.rawLine);
    return has | raw;
  }

  /** Inserts a new interval; returns its id, or null when the device already has that interval. */
  insert(r: SessionRecord): number | null {
    const b = r.begin;
    const e = r.end;
    const anchor = b ?? e;
    if (!anchor) throw new Error('an interval needs at least one edge');
    const v = this.args;
    v.length = 0;
    v.push(r.deviceId, r.intervalKey, anchor.appId, anchor.category, anchor.rawCategory);
    let shape = r.conflict ? CONFLICT : 0;
    if (b) shape |= this.pushEdge(b, HAS_BEGIN, BEGIN_RAW);
    if (e) shape |= this.pushEdge(e, HAS_END, END_RAW);
    const minute = localMinuteOfDay(anchor.tsMs, anchor.offsetMin);
    const day = localDayNumber(anchor.tsMs, anchor.offsetMin);
    v.push(anchor.tsMs, anchor.offsetMin, minute, day);
    const durationMs = b && e ? e.tsMs - b.tsMs : null;
    if (durationMs !== null) v.push(durationMs);
    const p = r.reported;
    if (p) shape |= pushReported(p, v);
    const id = this.runInsert(shape);
    if (id === null) return null;
    this.noteAnchor(anchor.tsMs);
    const state = p?.stateSource === 'reported' ? p.state : 'unknown';
    this.rollup.add(r.deviceId, anchor.appId, anchor.category, day, minute, durationMs, 1, state);
    return id;
  }

  /**
   * Inserts a new interval whose two edges come from one line (the end is the start plus the
   * length, in the same offset), with what the platform reported; the same row `insert` writes
   * for those edges, without building them. Returns its id, or null when the device already has
   * that interval.
   */
  insertInterval(r: IntervalRow, p: ReportedColumns): number | null {
    const v = this.args;
    v.length = 0;
    v.push(r.deviceId, r.intervalKey, r.appId, r.category, r.rawCategory);
    const endMs = r.startMs + r.durationMs;
    let shape = HAS_BEGIN | HAS_END;
    v.push(r.startMs, r.offsetMin, r.rawTs, r.sourceId, r.line);
    if (r.rawLine !== null) {
      shape |= BEGIN_RAW;
      v.push(r.rawLine);
    }
    v.push(endMs, r.offsetMin, r.rawTs, r.sourceId, r.line);
    if (r.rawLine !== null) {
      shape |= END_RAW;
      v.push(r.rawLine);
    }
    const minute = localMinuteOfDay(r.startMs, r.offsetMin);
    const day = localDayNumber(r.startMs, r.offsetMin);
    // The stored length is the difference of the two instants, as for any pair of edges.
    const durationMs = endMs - r.startMs;
    v.push(r.startMs, r.offsetMin, minute, day, durationMs);
    shape |= pushReported(p, v);
    const id = this.runInsert(shape);
    if (id === null) return null;
    this.noteAnchor(r.startMs);
    const state = p.stateSource === 'reported' ? p.state : 'unknown';
    this.rollup.add(r.deviceId, r.appId, r.category, day, minute, durationMs, 1, state);
    return id;
  }

  /** Rewrites a stored interval; `before` is the row as it was stored. */
  update(before: SessionRecord, after: SessionRecord): void {
    if (after.id === null) throw new Error('update needs a stored session');
    // The state columns are not rewritten: the row keeps the state it had.
    const state = before.state ?? 'unknown';
    this.count(before, -1, state);
    const v = values(after);
    v.push(after.id);
    this.updateStmt.run(v);
    this.count(after, 1, state);
  }

  private count(r: SessionRecord, sign: 1 | -1, state: SessionState): void {
    const d = derive(r.begin, r.end);
    this.rollup.add(
      r.deviceId,
      d.appId,
      d.category,
      d.localDay,
      d.anchorMinute,
      d.durationMs,
      sign,
      state,
    );
  }

  /** Applies the summaries' changes held so far when they grow large (between two records). */
  flushIfLarge(): void {
    this.rollup.flushIfLarge(this.db);
  }

  /** Records that a stored session's app state changed (its state columns were rewritten). */
  changeState(
    deviceId: number,
    appId: number,
    category: string,
    localDay: number,
    before: SessionState,
    after: SessionState,
    durationMs: number | null,
  ): void {
    this.rollup.changeState(deviceId, appId, category, localDay, before, after, durationMs);
  }

  /** Applies the rollup changes of this transaction; call before it commits. */
  flush(): void {
    this.rollup.flush(this.db);
  }

  find(deviceId: number, intervalKey: string): SessionRecord | null {
    const row = this.selectStmt.get(deviceId, intervalKey) as Row | undefined;
    return row ? fromRow(row, this.lines) : null;
  }

  findById(id: number): SessionRecord | null {
    const row = this.selectByIdStmt.get(id) as Row | undefined;
    return row ? fromRow(row, this.lines) : null;
  }

  delete(r: SessionRecord): void {
    if (r.id === null) throw new Error('delete needs a stored session');
    this.deleteStmt.run(r.id);
    this.count(r, -1, r.state ?? 'unknown');
  }
}
