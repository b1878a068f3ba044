import type { Statement } from 'better-sqlite3';
import type { Db } from './open';
import type { SessionState } from './session-state';
import type { StatsDelta } from './session-stats-apply';
import { HeldStatsChanges } from './session-stats-held';
import { rebuildSessionStatsInBatches } from './session-stats-rebuild';
import { STATE_LEVELS, StateUpserts } from './session-states';

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
/**
 * Sessions anchored in the first half (minutes 0-29) of each local hour, and their time in use:
 * with the hours' own counts, a window whose ends are on half hours is read from the rollup.
 */
export const HALF_COUNT_COLUMNS = HOURS.map((h) => `q${h}`);
export const HALF_BUSY_COLUMNS = HOURS.map((h) => `qb${h}`);
const ALL_COLUMNS = [
  ...HOUR_COUNT_COLUMNS,
  ...HOUR_BUSY_COLUMNS,
  ...LONG_COUNT_COLUMNS,
  ...LONG_BUSY_COLUMNS,
  ...HALF_COUNT_COLUMNS,
  ...HALF_BUSY_COLUMNS,
];

/** The bucket of a device-local day at a level. */
export function rollupBucket(localDay: number, level: number): number {
  return Math.floor(localDay / level);
}

/** Where a state's sessions and time in use are in a cell's six state sums (its ms one after). */
const STATE_SLOTS: Record<SessionState, number> = { foreground: 0, background: 2, unknown: 4 };
const STATE_WIDTH = 6;

/**
 * A cell's sums, in this order: sessions by hour, time in use by hour, sessions of at least each
 * duration threshold, their time in use, sessions in the first half of each hour and their time
 * in use (the order of `ALL_COLUMNS`).
 */
const WIDTH = ALL_COLUMNS.length;
const BUSY_AT = 24;
const LONG_AT = 48;
const LONG_BUSY_AT = LONG_AT + DURATION_THRESHOLDS.length;
const HALF_AT = LONG_BUSY_AT + DURATION_THRESHOLDS.length;
const HALF_BUSY_AT = HALF_AT + 24;

const ZERO_HOURS: readonly number[] = new Array<number>(24).fill(0);
const NO_DURATIONS = new Float64Array(0);

/**
 * The sums of the day cells a write touched, in typed arrays outside the JavaScript heap: cell
 * `c` holds its `width` sums at `(c % CHUNK) * width` of chunk `c / CHUNK`. Tens of thousands of
 * cells are held between flushes; as objects with arrays of their own each outlived the young
 * generation and was copied and marked again and again (about a second of garbage collection in
 * a 20 MB appops import). A chunk is allocated (zeroed) once a cell of it is written.
 */
class CellSlab {
  static readonly CHUNK = 4096;
  private chunks: (Float64Array | undefined)[] = [];

  constructor(private readonly width: number) {}

  /** The chunk that holds cell `c` (created when missing). */
  chunk(c: number): Float64Array {
    const k = Math.floor(c / CellSlab.CHUNK);
    let chunk = this.chunks[k];
    if (!chunk) {
      chunk = new Float64Array(CellSlab.CHUNK * this.width);
      this.chunks[k] = chunk;
    }
    return chunk;
  }

  /** Where cell `c`'s sums start in its chunk. */
  offset(c: number): number {
    return (c % CellSlab.CHUNK) * this.width;
  }

  clear(): void {
    this.chunks = [];
  }
}

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
  private readonly prune: Statement;

  constructor(private readonly db: Db) {
    this.prune = db.prepare(
      'DELETE FROM session_rollup WHERE level = ? AND device_id = ? AND app_id = ? AND category = ? AND bucket = ? AND sessions <= 0',
    );
  }

  private prepare(columns: readonly number[]): Statement {
    const names = columns.map((c) => ALL_COLUMNS[c]!);
    return this.db.prepare(
      `INSERT INTO session_rollup (level, device_id, app_id, category, bucket, sessions, busy_ms${names.map((n) => `, ${n}`).join('')})
       VALUES (?, ?, ?, ?, ?, ?, ?${names.map(() => ', ?').join('')})
       ON CONFLICT (level, device_id, app_id, category, bucket) DO UPDATE SET
         sessions = sessions + excluded.sessions, busy_ms = busy_ms + excluded.busy_ms${names.map((n) => `, ${n} = ${n} + excluded.${n}`).join('')}`,
    );
  }

  /**
   * Adds one cell whose sums are `sums[at .. at + WIDTH)`; nothing when every column is zero. A
   * cell left with fewer than one session is removed.
   */
  run(
    level: number,
    deviceId: number,
    appId: number,
    category: string,
    bucket: number,
    sums: Float64Array,
    at: number,
  ): void {
    const values: (number | string)[] = this.values;
    values.length = 0;
    let sessions = 0;
    for (let h = 0; h < 24; h += 1) sessions += sums[at + h]!;
    let busy = 0;
    for (let h = 0; h < 24; h += 1) busy += sums[at + BUSY_AT + h]!;
    values.push(level, deviceId, appId, category, bucket, sessions, busy);
    // The statement's key: the indexes of the non-zero columns, joined by commas.
    let key = '';
    for (let i = 0; i < WIDTH; i += 1) {
      const v = sums[at + i]!;
      if (v === 0) continue;
      key = key === '' ? `${i}` : `${key},${i}`;
      values.push(v);
    }
    if (key === '') return;
    let stmt = this.statements.get(key);
    if (!stmt && this.statements.size < MAX_SPARSE_STATEMENTS) {
      stmt = this.prepare(key.split(',').map(Number));
      this.statements.set(key, stmt);
    }
    if (!stmt) {
      this.full ??= this.prepare(ALL_COLUMNS.map((_, i) => i));
      stmt = this.full;
      values.length = 7;
      for (let i = 0; i < WIDTH; i += 1) values.push(sums[at + i]!);
    }
    // Spread arguments: binding them is cheaper than binding from one array argument.
    stmt.run(...values);
    if (sessions < 0) this.prune.run(level, deviceId, appId, category, bucket);
  }
}

/** Day cells held before they are applied in the middle of a write. */
const FLUSH_CELLS = 50_000;

/** The day cells of one device, app and category: cell ids by device-local day. */
interface Series {
  id: number;
  days: Map<number, number>;
}

/**
 * Collects rollup changes during a write transaction and applies them in one pass at its end,
 * together with the changes of the session stats (durations and app states).
 */
export class RollupDeltas {
  /** Cell ids by device, app and category (a series, numbered), then by device-local day. */
  private readonly series = new Map<string, Series>();
  /** The last series looked up: consecutive sessions are mostly of one app and category. */
  private lastSeries: Series | null = null;
  private lastDevice = Number.NaN;
  private lastApp = Number.NaN;
  private lastCategory = '';
  /** Per cell, in the order cells were first touched (their index in the duration log). */
  private deviceIds: number[] = [];
  private appIds: number[] = [];
  private categories: string[] = [];
  private days: number[] = [];
  /** The series a cell belongs to (cells of one series share device, app and category). */
  private seriesOf: number[] = [];
  /** Whether sessions were counted in or out (else only app states changed). */
  private counted: boolean[] = [];
  private readonly sums = new CellSlab(WIDTH);
  private readonly states = new CellSlab(STATE_WIDTH);
  private readonly durations = new DurationLog();
  /** The session stats' changes of the partial flushes, applied at the last. */
  private readonly heldStats = new HeldStatsChanges();
  /** Longest session duration written in this transaction. */
  maxDurationMs = 0;

  /** The cell of a device, app, category and device-local day (created when new). */
  private cell(deviceId: number, appId: number, category: string, localDay: number): number {
    let series = this.lastSeries;
    if (
      series === null ||
      deviceId !== this.lastDevice ||
      appId !== this.lastApp ||
      category !== this.lastCategory
    ) {
      const key = `${deviceId}|${appId}|${category}`;
      series = this.series.get(key) ?? null;
      if (series === null) {
        series = { id: this.series.size, days: new Map() };
        this.series.set(key, series);
      }
      this.lastSeries = series;
      this.lastDevice = deviceId;
      this.lastApp = appId;
      this.lastCategory = category;
    }
    let c = series.days.get(localDay);
    if (c === undefined) {
      c = this.deviceIds.length;
      series.days.set(localDay, c);
      this.deviceIds.push(deviceId);
      this.appIds.push(appId);
      this.categories.push(category);
      this.days.push(localDay);
      this.seriesOf.push(series.id);
      this.counted.push(false);
    }
    return c;
  }

  /** Counts a session of `state` and its time in use into (sign 1) or out of (-1) a cell's states. */
  private countState(
    c: number,
    state: SessionState,
    sign: 1 | -1,
    durationMs: number | null,
  ): void {
    const s = this.states.chunk(c);
    const at = this.states.offset(c) + STATE_SLOTS[state];
    s[at]! += sign;
    s[at + 1]! += sign * (durationMs ?? 0);
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
    const c = this.cell(deviceId, appId, category, localDay);
    this.counted[c] = true;
    this.countState(c, state, sign, durationMs);
    const sums = this.sums.chunk(c);
    const at = this.sums.offset(c);
    sums[at + hour]! += sign;
    sums[at + BUSY_AT + hour]! += sign * (durationMs ?? 0);
    if (anchorMinute - hour * 60 < 30) {
      sums[at + HALF_AT + hour]! += sign;
      sums[at + HALF_BUSY_AT + hour]! += sign * (durationMs ?? 0);
    }
    if (durationMs !== null) {
      this.durations.push(sign === 1 ? c : -1 - c, durationMs);
      for (let i = 0; i < DURATION_THRESHOLDS.length; i += 1) {
        if (durationMs < DURATION_THRESHOLDS[i]! * 1000) break;
        sums[at + LONG_AT + i]! += sign;
        sums[at + LONG_BUSY_AT + i]! += sign * durationMs;
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
    const c = this.cell(deviceId, appId, category, localDay);
    this.countState(c, before, -1, durationMs);
    this.countState(c, after, 1, durationMs);
  }

  /**
   * Hands over each cell of `level` summed from the day cells `cells` of `slab` (`width` sums a
   * cell): a day cell's own sums at level 1; at a coarser level the days of one device, app,
   * category and bucket added up in the order they were first touched (a bucket of one day reads
   * that day's sums). `first` is the cell's first day cell.
   */
  private eachCell(
    level: number,
    cells: readonly number[],
    slab: CellSlab,
    width: number,
    emit: (first: number, bucket: number, sums: Float64Array, at: number) => void,
  ): void {
    if (level === 1) {
      for (const c of cells) emit(c, this.days[c]!, slab.chunk(c), slab.offset(c));
      return;
    }
    const scratch = new Float64Array(width);
    // The days of one series and bucket next to each other, in the order they were touched.
    const bucketOf = cells.map((c) => rollupBucket(this.days[c]!, level));
    const order = cells.map((_, i) => i);
    order.sort(
      (x, y) =>
        this.seriesOf[cells[x]!]! - this.seriesOf[cells[y]!]! ||
        bucketOf[x]! - bucketOf[y]! ||
        x - y,
    );
    for (let i = 0; i < order.length;) {
      const first = cells[order[i]!]!;
      const bucket = bucketOf[order[i]!]!;
      let j = i + 1;
      while (
        j < order.length &&
        this.seriesOf[cells[order[j]!]!] === this.seriesOf[first] &&
        bucketOf[order[j]!] === bucket
      )
        j += 1;
      if (j === i + 1) emit(first, bucket, slab.chunk(first), slab.offset(first));
      else {
        const at = slab.offset(first);
        scratch.set(slab.chunk(first).subarray(at, at + width));
        for (let k = i + 1; k < j; k += 1) {
          const c = cells[order[k]!]!;
          const from = slab.chunk(c);
          const o = slab.offset(c);
          for (let v = 0; v < width; v += 1) scratch[v]! += from[o + v]!;
        }
        emit(first, bucket, scratch, 0);
      }
      i = j;
    }
  }

  /** Writes the counted cells at every level of the rollup. */
  private flushRollup(db: Db): void {
    const upserts = new RollupUpserts(db);
    const cells: number[] = [];
    for (let c = 0; c < this.deviceIds.length; c += 1) if (this.counted[c]) cells.push(c);
    for (const level of ROLLUP_LEVELS)
      this.eachCell(level, cells, this.sums, WIDTH, (c, bucket, sums, at) =>
        upserts.run(
          level,
          this.deviceIds[c]!,
          this.appIds[c]!,
          this.categories[c]!,
          bucket,
          sums,
          at,
        ),
      );
  }

  /** Adds the cells' sessions and time in use by app state to every level of their table. */
  private flushStates(db: Db): void {
    const upserts = new StateUpserts(db);
    const cells: number[] = [];
    for (let c = 0; c < this.deviceIds.length; c += 1) {
      const s = this.states.chunk(c);
      const at = this.states.offset(c);
      for (let v = 0; v < STATE_WIDTH; v += 1)
        if (s[at + v] !== 0) {
          cells.push(c);
          break;
        }
    }
    for (const level of STATE_LEVELS)
      this.eachCell(level, cells, this.states, STATE_WIDTH, (c, bucket, sums, at) =>
        upserts.run(
          level,
          bucket,
          this.deviceIds[c]!,
          this.appIds[c]!,
          this.categories[c]!,
          sums,
          at,
        ),
      );
  }

  /** Adds the counted cells' sessions and time in use by hour to their device's day row. */
  private flushDayHours(db: Db): void {
    const days = new Map<string, { deviceId: number; day: number; sums: Float64Array }>();
    for (let c = 0; c < this.deviceIds.length; c += 1) {
      if (!this.counted[c]) continue;
      const key = `${this.deviceIds[c]}|${this.days[c]}`;
      let row = days.get(key);
      if (!row) {
        row = { deviceId: this.deviceIds[c]!, day: this.days[c]!, sums: new Float64Array(48) };
        days.set(key, row);
      }
      const from = this.sums.chunk(c);
      const at = this.sums.offset(c);
      for (let v = 0; v < 48; v += 1) row.sums[v]! += from[at + v]!;
    }
    if (days.size === 0) return;
    const cols = [...HOUR_COUNT_COLUMNS, ...HOUR_BUSY_COLUMNS];
    const upsert = db.prepare(
      `INSERT INTO session_day_hours (device_id, day, ${cols.join(', ')})
       VALUES (?, ?, ${cols.map(() => '?').join(', ')})
       ON CONFLICT (device_id, day) DO UPDATE SET ${cols.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`,
    );
    for (const r of days.values()) {
      if (r.sums.every((v) => v === 0)) continue;
      upsert.run(r.deviceId, r.day, ...r.sums);
    }
  }

  /** The day cells' changes of the session stats, first touched first. */
  private dayChanges(): StatsDelta[] {
    const out: StatsDelta[] = [];
    for (let c = 0; c < this.deviceIds.length; c += 1) {
      const s = this.states.chunk(c);
      const o = this.states.offset(c);
      const background = s[o + STATE_SLOTS.background]!;
      let counts = ZERO_HOURS as number[];
      if (this.counted[c]) {
        const at = this.sums.offset(c);
        counts = Array.from(this.sums.chunk(c).subarray(at, at + 24));
      }
      out.push({
        deviceId: this.deviceIds[c]!,
        appId: this.appIds[c]!,
        category: this.categories[c]!,
        bucket: this.days[c]!,
        counts,
        // The session stats' state counts are those of the sums by state.
        background,
        known: s[o + STATE_SLOTS.foreground]! + background,
        added: NO_DURATIONS,
        removed: NO_DURATIONS,
      });
    }
    return out;
  }

  /** Cells held (day cells touched so far in this write). */
  get size(): number {
    return this.deviceIds.length;
  }

  /**
   * Applies what is held once it passes `limit` cells, so a write touching millions of cells (an
   * Android capture: one access per app, op and day) never holds them all. Sums are additive, so
   * applying in parts gives the same tables as applying once; the session stats' changes are kept
   * encoded until `flush`.
   */
  flushIfLarge(db: Db, limit = FLUSH_CELLS): void {
    if (this.size >= limit) this.flushPart(db, false);
  }

  /** Applies every change held, the session stats' changes of earlier partial flushes too. */
  flush(db: Db): void {
    this.flushPart(db, true);
  }

  /**
   * Applies what is held to the rollup, its day hours and the sessions by state; the session
   * stats' changes are held until the `last` flush, which applies them all.
   */
  private flushPart(db: Db, last: boolean): void {
    if (this.size > 0) {
      this.flushRollup(db);
      this.flushDayHours(db);
      const changes = this.dayChanges();
      this.durations.split(changes.length, (cell, added, removed) => {
        changes[cell]!.added = added;
        changes[cell]!.removed = removed;
      });
      if (last) this.heldStats.apply(db, changes);
      else this.heldStats.hold(changes);
      this.flushStates(db);
      this.clear();
    } else if (last && !this.heldStats.empty) this.heldStats.apply(db, []);
    if (this.maxDurationMs > 0) {
      db.prepare(
        `INSERT INTO case_meta (key, value) VALUES ('max_session_ms', ?)
         ON CONFLICT (key) DO UPDATE SET value = MAX(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))`,
      ).run(String(this.maxDurationMs));
      this.maxDurationMs = 0;
    }
  }

  private clear(): void {
    this.series.clear();
    this.lastSeries = null;
    this.deviceIds = [];
    this.appIds = [];
    this.categories = [];
    this.days = [];
    this.seriesOf = [];
    this.counted = [];
    this.sums.clear();
    this.states.clear();
  }
}

/** Recomputes the whole rollup, the session stats and the longest duration from the sessions. */
export function rebuildRollup(db: Db): void {
  db.exec('DELETE FROM session_rollup');
  db.exec(rebuildRollupSql());
  db.exec('DELETE FROM session_day_hours');
  db.exec(rebuildDayHoursSql());
  rebuildSessionStatsInBatches(db);
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
  const halfCols = HOURS.map((h) => `SUM(s.anchor_minute / 30 = ${2 * h})`).join(', ');
  const halfBusyCols = HOURS.map(
    (h) =>
      `SUM(CASE WHEN s.anchor_minute / 30 = ${2 * h} THEN COALESCE(s.duration_ms, 0) ELSE 0 END)`,
  ).join(', ');
  return `
INSERT INTO session_rollup (level, device_id, app_id, category, bucket, sessions, busy_ms,
  ${ALL_COLUMNS.join(', ')})
SELECT l.level, s.device_id, s.app_id, s.category,
  (s.local_day - ((s.local_day % l.level) + l.level) % l.level) / l.level AS bucket, COUNT(*), COALESCE(SUM(s.duration_ms), 0),
  ${hourCols}, ${busyCols}, ${longCols}, ${longBusyCols}, ${halfCols}, ${halfBusyCols}
FROM access_sessions s CROSS JOIN (SELECT 1 AS level UNION ALL SELECT 7 UNION ALL SELECT 28) l
GROUP BY l.level, s.device_id, s.app_id, s.category, bucket;
INSERT INTO case_meta (key, value)
SELECT 'max_session_ms', CAST(COALESCE(MAX(duration_ms), 0) AS TEXT) FROM access_sessions WHERE true
ON CONFLICT (key) DO UPDATE SET value = excluded.value;`;
}
