import { localDayNumber, localMinuteOfDay } from '../../contract/time';
import { LineReader, type LineLookup } from './line-store';
import type { Db } from './open';
import { RollupDeltas } from './rollup';
import type { SessionState } from './session-stats';
import { eventState } from './session-state';

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

/** Prepared statements over `access_sessions`; create once per connection and transaction. */
export class SessionStore {
  private readonly insertStmt;
  private readonly insertReportedStmt;
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
    this.insertStmt = db.prepare(
      `INSERT INTO access_sessions (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})
       ON CONFLICT (device_id, interval_key) DO NOTHING`,
    );
    const reported = [
      ...COLUMNS,
      'state',
      'state_source',
      'raw_state',
      'attribution_tag',
      'proxy',
      'duration_known',
    ];
    this.insertReportedStmt = db.prepare(
      `INSERT INTO access_sessions (${reported.join(', ')}) VALUES (${reported.map(() => '?').join(', ')})
       ON CONFLICT (device_id, interval_key) DO NOTHING`,
    );
    this.updateStmt = db.prepare(
      `UPDATE access_sessions SET ${COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`,
    );
    this.selectStmt = db.prepare(
      'SELECT * FROM access_sessions WHERE device_id = ? AND interval_key = ?',
    );
    this.deleteStmt = db.prepare('DELETE FROM access_sessions WHERE id = ?');
    this.selectByIdStmt = db.prepare('SELECT * FROM access_sessions WHERE id = ?');
  }

  /** Inserts a new interval; returns its id, or null when the device already has that interval. */
  insert(r: SessionRecord): number | null {
    const v = values(r);
    const p = r.reported;
    // One array argument: binding from an array is cheaper than from spread arguments.
    if (p)
      v.push(
        p.state,
        p.stateSource,
        p.rawState,
        p.attributionTag,
        p.proxy,
        p.durationKnown ? 1 : 0,
      );
    const info = (p ? this.insertReportedStmt : this.insertStmt).run(v);
    if (info.changes !== 1) return null;
    const state = p
      ? eventState({ state: p.state, stateSource: p.stateSource, inferredState: null }).state
      : 'unknown';
    this.count(r, 1, state);
    return Number(info.lastInsertRowid);
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
  ): void {
    this.rollup.changeState(deviceId, appId, category, localDay, before, after);
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
