// The session stats' write path: the day cells' changes of a write, netted per stored row and
// merged into its cells. A change that does not fit what is stored has its cell recomputed from
// the sessions.
import type { Db } from './open';
import {
  byCell,
  durationsOf,
  encodeCells,
  readCells,
  storedCell,
  type StatsCell,
  type StoredCell,
} from './session-stats-cells';
import { EMPTY } from './session-stats-codec';
import { bucketOf, STATS_LEVELS } from './session-stats-table';
import { STATE_SQL, type SessionState } from './session-state';

/** The change of one day cell, collected during a write and applied at its end. */
export interface StatsDelta {
  deviceId: number;
  appId: number;
  category: string;
  /** The device-local day. */
  bucket: number;
  /** Sessions counted in and out, by device-local hour of their anchor. */
  counts: number[];
  background: number;
  known: number;
  /** Closed durations counted in and out. */
  added: Float64Array;
  removed: Float64Array;
}

let repairs = 0;

/**
 * How many cells a write found out of step with its change and recomputed from the sessions
 * since the process started. Never expected: tests check it stays unchanged.
 */
export function repairedStatsCells(): number {
  return repairs;
}

const sum = (values: ArrayLike<number>): number => {
  let n = 0;
  for (let i = 0; i < values.length; i += 1) n += values[i]!;
  return n;
};

/** The durations of a stored cell without any, as stored. */
const NO_BYTES = new Uint8Array(0);

/**
 * Removes the values present in both lists (as multisets); both come back ascending. The lists
 * are the caller's to reorder.
 */
function cancel(added: Float64Array, removed: Float64Array): [Float64Array, Float64Array] {
  const a = added.sort();
  const r = removed.sort();
  if (a.length === 0 || r.length === 0) return [a, r];
  const keepA = new Float64Array(a.length);
  const keepR = new Float64Array(r.length);
  let i = 0;
  let j = 0;
  let na = 0;
  let nr = 0;
  while (i < a.length && j < r.length) {
    if (a[i] === r[j]) {
      i += 1;
      j += 1;
    } else if (a[i]! < r[j]!) keepA[na++] = a[i++]!;
    else keepR[nr++] = r[j++]!;
  }
  while (i < a.length) keepA[na++] = a[i++]!;
  while (j < r.length) keepR[nr++] = r[j++]!;
  return [keepA.subarray(0, na), keepR.subarray(0, nr)];
}

/** The lists joined into one. */
function join(lists: Float64Array[]): Float64Array {
  if (lists.length === 1) return lists[0]!;
  const out = new Float64Array(lists.reduce((n, l) => n + l.length, 0));
  let o = 0;
  for (const l of lists) {
    out.set(l, o);
    o += l.length;
  }
  return out;
}

/** `stored` plus `added` minus `removed` (all ascending), or null when a removed value is missing. */
function applyValues(
  stored: Float64Array,
  added: Float64Array,
  removed: Float64Array,
): Float64Array | null {
  if (removed.length === 0 && (added.length === 0 || stored.length === 0))
    return added.length === 0 ? stored : added;
  const size = stored.length + added.length - removed.length;
  if (size < 0) return null;
  const out = new Float64Array(size);
  let i = 0;
  let j = 0;
  let k = 0;
  let o = 0;
  while (i < stored.length || j < added.length) {
    const fromStored = j >= added.length || (i < stored.length && stored[i]! <= added[j]!);
    const v = fromStored ? stored[i++]! : added[j++]!;
    if (k < removed.length && removed[k] === v) {
      k += 1;
      continue;
    }
    if ((k < removed.length && removed[k]! < v) || o >= size) return null;
    out[o++] = v;
  }
  return k === removed.length && o === size ? out : null;
}

export interface CellChange {
  appId: number;
  category: string;
  /** Not to be changed: it may be a day delta's own array. */
  hours: readonly number[];
  background: number;
  known: number;
  added: Float64Array;
  removed: Float64Array;
}

/** Statements over the table; prepare once per flush or rebuild. */
export class StatsWriter {
  private readonly selectStmt;
  private readonly upsertStmt;
  private readonly deleteStmt;
  private readonly cellSessionsStmt;

  constructor(db: Db) {
    this.selectStmt = db.prepare(
      'SELECT cells FROM session_stats WHERE level = ? AND device_id = ? AND bucket = ?',
    );
    this.upsertStmt = db.prepare(
      `INSERT INTO session_stats (level, device_id, bucket, cells) VALUES (?, ?, ?, ?)
       ON CONFLICT (level, device_id, bucket) DO UPDATE SET cells = excluded.cells`,
    );
    this.deleteStmt = db.prepare(
      'DELETE FROM session_stats WHERE level = ? AND device_id = ? AND bucket = ?',
    );
    // The app index narrows to the app (an app id belongs to one device); the days are filtered.
    this.cellSessionsStmt = db.prepare(
      `SELECT s.anchor_minute / 60 AS hour, s.open = 0 AND s.duration_ms IS NOT NULL AS closed,
              s.duration_ms AS durationMs, ${STATE_SQL} AS state
       FROM access_sessions s
       WHERE s.app_id = ? AND s.device_id = ? AND s.category = ? AND s.local_day >= ? AND s.local_day < ?`,
    );
  }

  /** Stores a bucket's cells (those with sessions); a bucket without any is removed. */
  write(level: number, deviceId: number, bucket: number, cells: Iterable<StoredCell>): void {
    const kept = [...cells].filter((c) => sum(c.hours) > 0);
    if (kept.length === 0) this.deleteStmt.run(level, deviceId, bucket);
    else this.upsertStmt.run(level, deviceId, bucket, encodeCells(kept));
  }

  /** A row's stored cells in the order of `byCell` (none when it is not stored). */
  read(level: number, deviceId: number, bucket: number): StoredCell[] {
    const row = this.selectStmt.get(level, deviceId, bucket) as { cells: Buffer } | undefined;
    return row ? readCells(row.cells) : [];
  }

  /**
   * Applies the net changes of a bucket's cells to the stored row. A change that does not fit
   * what is stored (it would leave a count negative or remove a duration that is not there) is
   * not trusted: that cell is recomputed from the sessions instead.
   */
  apply(level: number, deviceId: number, bucket: number, changes: CellChange[]): void {
    const cells = this.merge(level, deviceId, bucket, this.read(level, deviceId, bucket), changes);
    this.write(level, deviceId, bucket, cells);
  }

  /**
   * A row's cells (in the order of `byCell`) with the net changes of some of them applied (see
   * `apply`), in the same order; cells left without sessions stay until `write`. The changes
   * (one per cell) are reordered.
   */
  merge(
    level: number,
    deviceId: number,
    bucket: number,
    stored: readonly StoredCell[],
    changes: CellChange[],
  ): StoredCell[] {
    changes.sort(byCell);
    const out: StoredCell[] = [];
    let i = 0;
    for (const ch of changes) {
      while (i < stored.length && byCell(stored[i]!, ch) < 0) out.push(stored[i++]!);
      const c = i < stored.length && byCell(stored[i]!, ch) === 0 ? stored[i++] : undefined;
      let hours: readonly number[] = ch.hours;
      if (c) {
        const sumHours = [...c.hours];
        for (let h = 0; h < 24; h += 1) sumHours[h]! += ch.hours[h]!;
        hours = sumHours;
      }
      const sessions = sum(hours);
      const background = (c?.background ?? 0) + ch.background;
      const known = (c?.known ?? 0) + ch.known;
      // The stored durations are decoded only when the change adds or removes some.
      const same = ch.added.length === 0 && ch.removed.length === 0;
      const values = same ? null : applyValues(c ? durationsOf(c) : EMPTY, ch.added, ch.removed);
      const count = same ? (c?.count ?? 0) : (values?.length ?? 0);
      const fits =
        (same || values !== null) &&
        hours.every((n) => n >= 0) &&
        background >= 0 &&
        known >= background &&
        sessions >= known &&
        sessions >= count;
      out.push(
        fits
          ? {
              appId: ch.appId,
              category: ch.category,
              hours,
              background,
              known,
              count,
              durations: same ? (c?.durations ?? NO_BYTES) : values!,
            }
          : storedCell(this.recompute(level, deviceId, bucket, ch.appId, ch.category)),
      );
    }
    while (i < stored.length) out.push(stored[i++]!);
    return out;
  }

  /** One cell computed from the sessions. */
  private recompute(
    level: number,
    deviceId: number,
    bucket: number,
    appId: number,
    category: string,
  ): StatsCell {
    const cell: StatsCell = {
      appId,
      category,
      hours: new Array<number>(24).fill(0),
      background: 0,
      known: 0,
      durations: EMPTY,
    };
    repairs += 1;
    const values: number[] = [];
    const rows = this.cellSessionsStmt.all(
      appId,
      deviceId,
      category,
      bucket * level,
      (bucket + 1) * level,
    ) as { hour: number; closed: number; durationMs: number | null; state: SessionState }[];
    for (const r of rows) {
      cell.hours[r.hour]! += 1;
      if (r.state !== 'unknown') cell.known += 1;
      if (r.state === 'background') cell.background += 1;
      if (r.closed === 1) values.push(r.durationMs!);
    }
    cell.durations = Float64Array.from(values).sort();
    return cell;
  }
}

/** The net change of one cell from the day changes that fall in it. */
function netChange(days: StatsDelta[]): CellChange | null {
  const first = days[0]!;
  // A single day's change is taken as it is; several days' are summed into new arrays.
  const hours = days.length === 1 ? first.counts : [...first.counts];
  const c: CellChange = {
    appId: first.appId,
    category: first.category,
    hours,
    background: first.background,
    known: first.known,
    added: join(days.map((d) => d.added)),
    removed: join(days.map((d) => d.removed)),
  };
  for (let i = 1; i < days.length; i += 1) {
    const d = days[i]!;
    for (let h = 0; h < 24; h += 1) hours[h]! += d.counts[h]!;
    c.background += d.background;
    c.known += d.known;
  }
  [c.added, c.removed] = cancel(c.added, c.removed);
  const unchanged =
    c.hours.every((n) => n === 0) &&
    c.background === 0 &&
    c.known === 0 &&
    c.added.length === 0 &&
    c.removed.length === 0;
  return unchanged ? null : c;
}

/**
 * The net changes of the day cells `days` at every level, handed over one stored row (level,
 * device, bucket) at a time. Changes that cancel out are left out; the delta lists are reordered.
 */
export function eachRowChange(
  days: StatsDelta[],
  visit: (level: number, deviceId: number, bucket: number, changes: CellChange[]) => void,
): void {
  for (const level of STATS_LEVELS) {
    const rows = new Map<string, StatsDelta[]>();
    for (const d of days) {
      const key = `${d.deviceId}|${bucketOf(d.bucket, level)}`;
      const list = rows.get(key);
      if (list) list.push(d);
      else rows.set(key, [d]);
    }
    for (const list of rows.values()) {
      const cells = new Map<string, StatsDelta[]>();
      for (const d of list) {
        const key = `${d.appId}|${d.category}`;
        const c = cells.get(key);
        if (c) c.push(d);
        else cells.set(key, [d]);
      }
      const changes: CellChange[] = [];
      for (const c of cells.values()) {
        const change = netChange(c);
        if (change) changes.push(change);
      }
      if (changes.length > 0)
        visit(level, list[0]!.deviceId, bucketOf(list[0]!.bucket, level), changes);
    }
  }
}

/**
 * Applies the day cells' changes of a write to every level, one bucket row at a time. Changes
 * that cancel out (a session rewritten with the same duration and state) never reach the table.
 * The delta lists are reordered.
 */
export function applySessionStats(db: Db, deltas: Iterable<StatsDelta>): void {
  const days = [...deltas];
  if (days.length === 0) return;
  const writer = new StatsWriter(db);
  eachRowChange(days, (level, deviceId, bucket, changes) =>
    writer.apply(level, deviceId, bucket, changes),
  );
}
