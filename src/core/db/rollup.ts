import type { Statement } from 'better-sqlite3';
import type { Db } from './open';
import {
  applySessionStats,
  rebuildSessionStats,
  type SessionState,
  type StatsDelta,
} from './session-stats';
import { applyStateDeltas } from './session-states';

export const DAY_MS = 86_400_000;

/**
 * Bucket sizes of the session rollup, in device-local days: days, weeks and four-week spans.
 * Each row counts sessions (and time in use) per device-local hour of day, so zoomed-out
 * timeline queries with a whole-hour window (e.g. the night, 00:00-06:00) read the rollup
 * instead of millions of sessions.
 */
export const ROLLUP_LEVELS = [1, 7, 28] as const;
const HOURS = Array.from({ length: 24 }, (_, h) => h);
export const HOUR_COUNT_COLUMNS = HOURS.map((h) => `h${h}`);
export const HOUR_BUSY_COLUMNS = HOURS.map((h) => `b${h}`);
/** Minimum durations (seconds) the rollup also counts, so those filters need no scan either. */
export const DURATION_THRESHOLDS = [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600] as const;
export const LONG_COUNT_COLUMNS = DURATION_THRESHOLDS.map((t) => `n_ge_${t}`);
export const LONG_BUSY_COLUMNS = DURATION_THRESHOLDS.map((t) => `ms_ge_${t}`);
const ALL_COLUMNS = [
  ...HOUR_COUNT_COLUMNS,
  ...HOUR_BUSY_COLUMNS,
  ...LONG_COUNT_COLUMNS,
  ...LONG_BUSY_COLUMNS,
];

/** The bucket of a device-local day at a level. */
export function rollupBucket(localDay: number, level: number): number {
  return Math.floor(localDay / level);
}

/**
 * The change of one rollup cell; day cells also carry the session stats' change (the counts by
 * hour are the same), so one map serves both tables.
 */
interface Delta extends StatsDelta {
  level: number;
  /** A day cell's place in the duration log. */
  index: number;
  /** Whether sessions were counted in or out (else only app states changed, and the arrays are shared zeros). */
  counted: boolean;
  busy: number[];
  long: number[];
  longBusy: number[];
  /** Sessions and time in use by app state (see `STATE_SLOTS`); shared zeros until changed. */
  states: number[];
}

/** Where a state's sessions and time in use are in a delta's `states` (its ms one after). */
const STATE_SLOTS: Record<SessionState, number> = { foreground: 0, background: 2, unknown: 4 };
const ZERO_STATES: readonly number[] = [0, 0, 0, 0, 0, 0];

/** Counts a session of `state` and its time in use into (sign 1) or out of (-1) a delta's sums. */
function countState(d: Delta, state: SessionState, sign: 1 | -1, durationMs: number | null): void {
  if (d.states === ZERO_STATES) d.states = [0, 0, 0, 0, 0, 0];
  d.states[STATE_SLOTS[state]]! += sign;
  d.states[STATE_SLOTS[state] + 1]! += sign * (durationMs ?? 0);
}

const ZERO_HOURS: readonly number[] = new Array<number>(24).fill(0);
const ZERO_THRESHOLDS: readonly number[] = new Array<number>(DURATION_THRESHOLDS.length).fill(0);

function emptyDelta(
  level: number,
  deviceId: number,
  appId: number,
  category: string,
  bucket: number,
  index = -1,
): Delta {
  return {
    level,
    index,
    deviceId,
    appId,
    category,
    bucket,
    counted: false,
    // Shared until sessions are counted (`count`): a change of app states needs none of them.
    counts: ZERO_HOURS as number[],
    busy: ZERO_HOURS as number[],
    long: ZERO_THRESHOLDS as number[],
    longBusy: ZERO_THRESHOLDS as number[],
    background: 0,
    known: 0,
    states: ZERO_STATES as number[],
    added: NO_DURATIONS,
    removed: NO_DURATIONS,
  };
}

/** Gives a delta arrays of its own, to count sessions into. */
function counting(d: Delta): Delta {
  if (!d.counted) {
    d.counted = true;
    d.counts = new Array<number>(24).fill(0);
    d.busy = new Array<number>(24).fill(0);
    d.long = new Array<number>(DURATION_THRESHOLDS.length).fill(0);
    d.longBusy = new Array<number>(DURATION_THRESHOLDS.length).fill(0);
  }
  return d;
}

const NO_DURATIONS = new Float64Array(0);

/**
 * The closed durations counted in and out during a write, kept in typed arrays outside the
 * JavaScript heap (one entry a session, not one list a cell) and sorted out by cell at flush.
 */
class DurationLog {
  private static readonly CHUNK = 1 << 16;
  /** Fixed-size chunks, so growing never copies. */
  private readonly cells: Int32Array[] = [];
  private readonly values: Float64Array[] = [];
  private size = 0;

  /** `cell` ≥ 0 counts the value in, -1 - `cell` counts it out. */
  push(cell: number, value: number): void {
    const at = this.size % DurationLog.CHUNK;
    if (at === 0 && this.size / DurationLog.CHUNK === this.cells.length) {
      this.cells.push(new Int32Array(DurationLog.CHUNK));
      this.values.push(new Float64Array(DurationLog.CHUNK));
    }
    const chunk = Math.floor(this.size / DurationLog.CHUNK);
    this.cells[chunk]![at] = cell;
    this.values[chunk]![at] = value;
    this.size += 1;
  }

  private forEach(f: (cell: number, value: number) => void): void {
    for (let c = 0; c * DurationLog.CHUNK < this.size; c += 1) {
      const cells = this.cells[c]!;
      const values = this.values[c]!;
      const n = Math.min(DurationLog.CHUNK, this.size - c * DurationLog.CHUNK);
      for (let i = 0; i < n; i += 1) f(cells[i]!, values[i]!);
    }
  }

  /** Hands each cell its values counted in and out, as views of one array; then empties. */
  split(
    cellCount: number,
    into: (cell: number, added: Float64Array, removed: Float64Array) => void,
  ): void {
    // Slot 2c holds cell c's values counted in, 2c + 1 those counted out.
    const slot = (code: number): number => (code >= 0 ? code * 2 : (-1 - code) * 2 + 1);
    const start = new Int32Array(cellCount * 2 + 1);
    this.forEach((cell) => {
      start[slot(cell) + 1]! += 1;
    });
    for (let k = 1; k < start.length; k += 1) start[k]! += start[k - 1]!;
    const grouped = new Float64Array(this.size);
    const next = start.slice(0, cellCount * 2);
    this.forEach((cell, value) => {
      grouped[next[slot(cell)]!++] = value;
    });
    for (let c = 0; c < cellCount; c += 1)
      into(
        c,
        grouped.subarray(start[2 * c]!, start[2 * c + 1]!),
        grouped.subarray(start[2 * c + 1]!, start[2 * c + 2]!),
      );
    this.size = 0;
  }
}

/** Statements kept for the column sets of sparse cells, beyond which the full statement serves. */
const MAX_SPARSE_STATEMENTS = 256;

/**
 * Adds cells into `session_rollup`. Most cells an import touches hold a session or two, so only
 * a few of their 68 hour and duration columns are not zero: such a cell is written by a statement
 * naming just those columns (one a set of columns, kept), which binds a handful of values instead
 * of 75.
 */
class RollupUpserts {
  private readonly statements = new Map<string, Statement>();
  private full: Statement | null = null;
  private readonly values: (number | string)[] = [];

  constructor(private readonly db: Db) {}

  private prepare(columns: readonly number[]): Statement {
    const names = columns.map((c) => ALL_COLUMNS[c]!);
    return this.db.prepare(
      `INSERT INTO session_rollup (level, device_id, app_id, category, bucket, sessions, busy_ms${names.map((n) => `, ${n}`).join('')})
       VALUES (?, ?, ?, ?, ?, ?, ?${names.map(() => ', ?').join('')})
       ON CONFLICT (level, device_id, app_id, category, bucket) DO UPDATE SET
         sessions = sessions + excluded.sessions, busy_ms = busy_ms + excluded.busy_ms${names.map((n) => `, ${n} = ${n} + excluded.${n}`).join('')}`,
    );
  }

  /** Adds one cell; false when it changes nothing (every column zero). */
  run(d: Delta, sessions: number): boolean {
    const values: (number | string)[] = this.values;
    values.length = 0;
    let busy = 0;
    for (const v of d.busy) busy += v;
    values.push(d.level, d.deviceId, d.appId, d.category, d.bucket, sessions, busy);
    // The statement's key: the indexes of the non-zero columns, joined by commas.
    let key = '';
    let at = 0;
    for (const part of d.counted ? [d.counts, d.busy, d.long, d.longBusy] : NO_PARTS) {
      for (let i = 0; i < part.length; i += 1, at += 1) {
        const v = part[i]!;
        if (v === 0) continue;
        key = key === '' ? `${at}` : `${key},${at}`;
        values.push(v);
      }
    }
    if (key === '') return false;
    let stmt = this.statements.get(key);
    if (!stmt && this.statements.size < MAX_SPARSE_STATEMENTS) {
      stmt = this.prepare(key.split(',').map(Number));
      this.statements.set(key, stmt);
    }
    // Spread arguments: binding them is cheaper than binding from one array argument.
    if (stmt) {
      stmt.run(...values);
      return true;
    }
    this.full ??= this.prepare(ALL_COLUMNS.map((_, i) => i));
    values.length = 7;
    for (const part of [d.counts, d.busy, d.long, d.longBusy]) for (const v of part) values.push(v);
    this.full.run(...values);
    return true;
  }
}

/** A cell whose sessions were not counted has no column to write. */
const NO_PARTS: readonly (readonly number[])[] = [];

/** Day cells held before they are applied in the middle of a write. */
const FLUSH_CELLS = 50_000;

function addInto(target: number[], source: number[]): void {
  for (let i = 0; i < source.length; i += 1) target[i]! += source[i]!;
}

/**
 * Collects rollup changes during a write transaction and applies them in one pass at its end,
 * together with the changes of the session stats (durations and app states).
 */
export class RollupDeltas {
  private readonly deltas = new Map<string, Delta>();
  /** The day cells in the order they were first touched: their index in the duration log. */
  private order: Delta[] = [];
  private readonly durations = new DurationLog();
  /** Longest session duration written in this transaction. */
  maxDurationMs = 0;

  private day(deviceId: number, appId: number, category: string, localDay: number): Delta {
    const key = `${deviceId}|${appId}|${category}|${localDay}`;
    let d = this.deltas.get(key);
    if (!d) {
      d = emptyDelta(1, deviceId, appId, category, localDay, this.order.length);
      this.deltas.set(key, d);
      this.order.push(d);
    }
    return d;
  }

  /**
   * Counts a session in (sign 1) or out (sign -1); day cells here, coarser levels at flush.
   * `durationMs` is null while the session is open; `state` is its app state as stored.
   */
  add(
    deviceId: number,
    appId: number,
    category: string,
    localDay: number,
    anchorMinute: number,
    durationMs: number | null,
    sign: 1 | -1,
    state: SessionState = 'unknown',
  ): void {
    const hour = Math.floor(anchorMinute / 60);
    if (sign === 1 && durationMs !== null && durationMs > this.maxDurationMs)
      this.maxDurationMs = durationMs;
    const d = counting(this.day(deviceId, appId, category, localDay));
    countState(d, state, sign, durationMs);
    if (durationMs !== null) {
      this.durations.push(sign === 1 ? d.index : -1 - d.index, durationMs);
    }
    d.counts[hour]! += sign;
    d.busy[hour]! += sign * (durationMs ?? 0);
    if (durationMs !== null) {
      for (let i = 0; i < DURATION_THRESHOLDS.length; i += 1) {
        if (durationMs < DURATION_THRESHOLDS[i]! * 1000) break;
        d.long[i]! += sign;
        d.longBusy[i]! += sign * durationMs;
      }
    }
  }

  /**
   * Records that a stored session's app state changed (the rollup does not count states; the
   * session stats and the sessions by state do). `durationMs` is the session's, null while open.
   */
  changeState(
    deviceId: number,
    appId: number,
    category: string,
    localDay: number,
    before: SessionState,
    after: SessionState,
    durationMs: number | null,
  ): void {
    if (before === after) return;
    const d = this.day(deviceId, appId, category, localDay);
    countState(d, before, -1, durationMs);
    countState(d, after, 1, durationMs);
  }

  /** The day cells plus the week and four-week cells summed from them. */
  private allLevels(): Delta[] {
    const out: Delta[] = [...this.deltas.values()].filter((d) => d.counted);
    const days = out.length;
    for (const level of ROLLUP_LEVELS) {
      if (level === 1) continue;
      const coarse = new Map<string, Delta>();
      // A coarse cell of one day (most are) reads that day's arrays; one of several sums copies.
      const lent = new Set<Delta>();
      for (let i = 0; i < days; i += 1) {
        const d = out[i]!;
        const bucket = rollupBucket(d.bucket, level);
        const key = `${d.deviceId}|${d.appId}|${d.category}|${bucket}`;
        const c = coarse.get(key);
        if (!c) {
          const first = emptyDelta(level, d.deviceId, d.appId, d.category, bucket);
          first.counted = true;
          first.counts = d.counts;
          first.busy = d.busy;
          first.long = d.long;
          first.longBusy = d.longBusy;
          coarse.set(key, first);
          lent.add(first);
          continue;
        }
        if (lent.delete(c)) {
          c.counts = [...c.counts];
          c.busy = [...c.busy];
          c.long = [...c.long];
          c.longBusy = [...c.longBusy];
        }
        addInto(c.counts, d.counts);
        addInto(c.busy, d.busy);
        addInto(c.long, d.long);
        addInto(c.longBusy, d.longBusy);
      }
      // One push a cell: spreading a map of 150,000 cells into a call overflows the stack.
      for (const c of coarse.values()) out.push(c);
    }
    return out;
  }

  /** Adds the day cells' counts and time in use by hour to their device's day row. */
  private flushDayHours(db: Db): void {
    const days = new Map<
      string,
      { deviceId: number; day: number; counts: number[]; busy: number[] }
    >();
    for (const d of this.order) {
      if (!d.counted) continue;
      const key = `${d.deviceId}|${d.bucket}`;
      let row = days.get(key);
      if (!row) {
        row = {
          deviceId: d.deviceId,
          day: d.bucket,
          counts: new Array<number>(24).fill(0),
          busy: new Array<number>(24).fill(0),
        };
        days.set(key, row);
      }
      addInto(row.counts, d.counts);
      addInto(row.busy, d.busy);
    }
    if (days.size === 0) return;
    const cols = [...HOUR_COUNT_COLUMNS, ...HOUR_BUSY_COLUMNS];
    const upsert = db.prepare(
      `INSERT INTO session_day_hours (device_id, day, ${cols.join(', ')})
       VALUES (?, ?, ${cols.map(() => '?').join(', ')})
       ON CONFLICT (device_id, day) DO UPDATE SET ${cols.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`,
    );
    for (const r of days.values()) {
      if (r.counts.every((v) => v === 0) && r.busy.every((v) => v === 0)) continue;
      upsert.run(r.deviceId, r.day, ...r.counts, ...r.busy);
    }
  }

  /** Cells held (day cells touched so far in this write). */
  get size(): number {
    return this.deltas.size;
  }

  /**
   * Applies what is held once it passes `limit` cells, so a write touching millions of cells (an
   * Android capture: one access per app, op and day) never holds them all. Sums are additive, so
   * applying in parts gives the same tables as applying once.
   */
  flushIfLarge(db: Db, limit = FLUSH_CELLS): void {
    if (this.deltas.size >= limit) this.flush(db);
  }

  flush(db: Db): void {
    if (this.deltas.size > 0) {
      const prune = db.prepare(
        'DELETE FROM session_rollup WHERE level = ? AND device_id = ? AND app_id = ? AND category = ? AND bucket = ? AND sessions <= 0',
      );
      const upserts = new RollupUpserts(db);
      for (const d of this.allLevels()) {
        const sessions = d.counts.reduce((a, b) => a + b, 0);
        if (!upserts.run(d, sessions)) continue;
        if (sessions < 0) prune.run(d.level, d.deviceId, d.appId, d.category, d.bucket);
      }
      this.flushDayHours(db);
      this.durations.split(this.order.length, (cell, added, removed) => {
        this.order[cell]!.added = added;
        this.order[cell]!.removed = removed;
      });
      // The session stats' state counts are those of the sums by state.
      for (const d of this.order) {
        d.background = d.states[STATE_SLOTS.background]!;
        d.known = d.states[STATE_SLOTS.foreground]! + d.background;
      }
      applySessionStats(db, this.order);
      applyStateDeltas(db, this.order);
      this.deltas.clear();
      this.order = [];
    }
    if (this.maxDurationMs > 0) {
      db.prepare(
        `INSERT INTO case_meta (key, value) VALUES ('max_session_ms', ?)
         ON CONFLICT (key) DO UPDATE SET value = MAX(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))`,
      ).run(String(this.maxDurationMs));
      this.maxDurationMs = 0;
    }
  }
}

/** Recomputes the whole rollup, the session stats and the longest duration from the sessions. */
export function rebuildRollup(db: Db): void {
  db.exec('DELETE FROM session_rollup');
  db.exec(rebuildRollupSql());
  db.exec('DELETE FROM session_day_hours');
  db.exec(rebuildDayHoursSql());
  rebuildSessionStats(db);
}

/**
 * Sessions and time in use per device, device-local day and local hour of their start, over all
 * apps and categories: what an unfiltered heatmap shows, one row a device and day.
 */
export const DAY_HOURS_TABLE_SQL = `
CREATE TABLE session_day_hours (
  device_id INTEGER NOT NULL,
  day INTEGER NOT NULL,
  ${HOUR_COUNT_COLUMNS.map((c) => `${c} INTEGER NOT NULL DEFAULT 0`).join(',\n  ')},
  ${HOUR_BUSY_COLUMNS.map((c) => `${c} INTEGER NOT NULL DEFAULT 0`).join(',\n  ')},
  PRIMARY KEY (device_id, day)
) STRICT, WITHOUT ROWID;`;

/** SQL that fills `session_day_hours` from the sessions. */
export function rebuildDayHoursSql(): string {
  const hourCols = HOURS.map((h) => `SUM(s.anchor_minute / 60 = ${h})`).join(', ');
  const busyCols = HOURS.map(
    (h) => `SUM(CASE WHEN s.anchor_minute / 60 = ${h} THEN COALESCE(s.duration_ms, 0) ELSE 0 END)`,
  ).join(', ');
  return `
INSERT INTO session_day_hours (device_id, day, ${[...HOUR_COUNT_COLUMNS, ...HOUR_BUSY_COLUMNS].join(', ')})
SELECT s.device_id, s.local_day, ${hourCols}, ${busyCols}
FROM access_sessions s GROUP BY s.device_id, s.local_day;`;
}

/** SQL that fills the rollup from the sessions (also used by the migration that adds it). */
export function rebuildRollupSql(): string {
  const hourCols = HOURS.map((h) => `SUM(s.anchor_minute / 60 = ${h})`).join(', ');
  const busyCols = HOURS.map(
    (h) => `SUM(CASE WHEN s.anchor_minute / 60 = ${h} THEN COALESCE(s.duration_ms, 0) ELSE 0 END)`,
  ).join(', ');
  const longCols = DURATION_THRESHOLDS.map(
    (t) => `SUM(COALESCE(s.duration_ms >= ${t * 1000}, 0))`,
  ).join(', ');
  const longBusyCols = DURATION_THRESHOLDS.map(
    (t) => `SUM(CASE WHEN s.duration_ms >= ${t * 1000} THEN s.duration_ms ELSE 0 END)`,
  ).join(', ');
  return `
INSERT INTO session_rollup (level, device_id, app_id, category, bucket, sessions, busy_ms,
  ${ALL_COLUMNS.join(', ')})
SELECT l.level, s.device_id, s.app_id, s.category,
  (s.local_day - ((s.local_day % l.level) + l.level) % l.level) / l.level AS bucket, COUNT(*), COALESCE(SUM(s.duration_ms), 0),
  ${hourCols}, ${busyCols}, ${longCols}, ${longBusyCols}
FROM access_sessions s CROSS JOIN (SELECT 1 AS level UNION ALL SELECT 7 UNION ALL SELECT 28) l
GROUP BY l.level, s.device_id, s.app_id, s.category, bucket;
INSERT INTO case_meta (key, value)
SELECT 'max_session_ms', CAST(COALESCE(MAX(duration_ms), 0) AS TEXT) FROM access_sessions WHERE true
ON CONFLICT (key) DO UPDATE SET value = excluded.value;`;
}
