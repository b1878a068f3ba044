// The session stats recomputed from the sessions: a device at a time, or a batch of sessions at
// a time as an import adds its own.
import type { Statement } from 'better-sqlite3';
import type { Db } from './open';
import { STATE_SQL } from './session-state';
import { applySessionStats, StatsWriter, type StatsDelta } from './session-stats-apply';
import { storedCell, type StatsCell } from './session-stats-cells';
import { bucketOf, STATS_LEVELS } from './session-stats-table';
import { rebuildSessionStates } from './session-states';

/** Sessions read before their day cells are written: bounds what a rebuild holds in memory. */
export const REBUILD_BATCH_SESSIONS = 100_000;

/** Day cells built from one batch of sessions, their durations gathered in growing typed arrays. */
class DayCells {
  private readonly cells = new Map<string, StatsDelta & { used: number }>();

  add(
    deviceId: number,
    appId: number,
    category: string,
    day: number,
    hour: number,
    closed: boolean,
    durationMs: number | null,
    state: number,
  ): void {
    const key = `${deviceId}|${appId}|${day}|${category}`;
    let c = this.cells.get(key);
    if (!c) {
      c = {
        deviceId,
        appId,
        category,
        bucket: day,
        counts: new Array<number>(24).fill(0),
        background: 0,
        known: 0,
        added: new Float64Array(8),
        removed: new Float64Array(0),
        used: 0,
      };
      this.cells.set(key, c);
    }
    c.counts[hour]! += 1;
    if (state !== 0) c.known += 1;
    if (state === 2) c.background += 1;
    if (closed) {
      if (c.used === c.added.length) {
        const grown = new Float64Array(c.added.length * 2);
        grown.set(c.added);
        c.added = grown;
      }
      c.added[c.used++] = durationMs!;
    }
  }

  /** The cells as changes to add, each holding exactly its durations; forgets them. */
  take(): StatsDelta[] {
    const out: StatsDelta[] = [];
    for (const c of this.cells.values())
      out.push({
        deviceId: c.deviceId,
        appId: c.appId,
        category: c.category,
        bucket: c.bucket,
        counts: c.counts,
        background: c.background,
        known: c.known,
        added: c.added.subarray(0, c.used),
        removed: c.removed,
      });
    this.cells.clear();
    return out;
  }
}

/**
 * Recomputes the session stats from the sessions, a batch of `batch` sessions at a time (in row
 * order): each batch's day cells are added to the stored rows as an import adds its own, so what
 * is held at once is one batch and the rows it touches, never every session of the case. Then
 * the sessions by app state are rebuilt. Gives the same rows as `rebuildSessionStats`, which
 * holds them all (the tests compare the two).
 */
export function rebuildSessionStatsInBatches(db: Db, batch = REBUILD_BATCH_SESSIONS): void {
  // Batches continue from the last id read, which must come back exactly: ids past 2^53 (only in
  // a case not made by this program) are rebuilt in one pass instead.
  const ids = db.prepare('SELECT min(id) AS low, max(id) AS high FROM access_sessions').get() as {
    low: number | null;
    high: number | null;
  };
  if (ids.low === null || !Number.isSafeInteger(ids.low) || !Number.isSafeInteger(ids.high)) {
    rebuildSessionStats(db);
    return;
  }
  db.exec('DELETE FROM session_stats');
  const size = Math.max(1, Math.floor(batch));
  // Rows are read by id range, and the connection is free between batches for the writes.
  const read = db
    .prepare(
      `SELECT s.id, s.device_id, s.app_id, s.category, s.local_day, s.anchor_minute / 60,
              s.open = 0 AND s.duration_ms IS NOT NULL, s.duration_ms,
              CASE ${STATE_SQL} WHEN 'background' THEN 2 WHEN 'foreground' THEN 1 ELSE 0 END
       FROM access_sessions s WHERE s.id > ? ORDER BY s.id LIMIT ?`,
    )
    .raw(true);
  const cells = new DayCells();
  let after = ids.low - 1;
  for (;;) {
    let rows = 0;
    for (const r of read.iterate(after, size) as IterableIterator<
      [number, number, number, string, number, number, number, number | null, number]
    >) {
      after = r[0];
      rows += 1;
      cells.add(r[1], r[2], r[3], r[4], r[5], r[6] === 1, r[7], r[8]);
    }
    applySessionStats(db, cells.take());
    if (rows < size) break;
  }
  rebuildSessionStates(db);
}

/** The session stats of one device's sessions (`rows`: its sessions' columns), written. */
function rebuildDeviceStats(rows: Statement, writer: StatsWriter, deviceId: number): void {
  interface DayCell {
    deviceId: number;
    appId: number;
    category: string;
    day: number;
    hours: number[];
    background: number;
    known: number;
    durations: number[];
  }
  const days = new Map<string, DayCell>();
  for (const r of rows.iterate(deviceId) as IterableIterator<
    [number, number, string, number, number, number, number | null, number]
  >) {
    const key = `${r[0]}|${r[1]}|${r[2]}|${r[3]}`;
    let c = days.get(key);
    if (!c) {
      c = {
        deviceId: r[0],
        appId: r[1],
        category: r[2],
        day: r[3],
        hours: new Array<number>(24).fill(0),
        background: 0,
        known: 0,
        durations: [],
      };
      days.set(key, c);
    }
    c.hours[r[4]]! += 1;
    if (r[7] !== 0) c.known += 1;
    if (r[7] === 2) c.background += 1;
    if (r[5] === 1) c.durations.push(r[6]!);
  }
  for (const level of STATS_LEVELS) {
    const buckets = new Map<
      string,
      { deviceId: number; bucket: number; cells: Map<string, DayCell[]> }
    >();
    for (const c of days.values()) {
      const bucket = bucketOf(c.day, level);
      const rowKey = `${c.deviceId}|${bucket}`;
      let row = buckets.get(rowKey);
      if (!row) {
        row = { deviceId: c.deviceId, bucket, cells: new Map() };
        buckets.set(rowKey, row);
      }
      const cellKey = `${c.appId}|${c.category}`;
      const parts = row.cells.get(cellKey);
      if (parts) parts.push(c);
      else row.cells.set(cellKey, [c]);
    }
    for (const row of buckets.values()) {
      const cells: StatsCell[] = [];
      for (const parts of row.cells.values()) {
        const durations = new Float64Array(parts.reduce((n, p) => n + p.durations.length, 0));
        const cell: StatsCell = {
          appId: parts[0]!.appId,
          category: parts[0]!.category,
          hours: new Array<number>(24).fill(0),
          background: 0,
          known: 0,
          durations,
        };
        let o = 0;
        for (const p of parts) {
          for (let h = 0; h < 24; h += 1) cell.hours[h]! += p.hours[h]!;
          cell.background += p.background;
          cell.known += p.known;
          durations.set(p.durations, o);
          o += p.durations.length;
        }
        durations.sort();
        cells.push(cell);
      }
      writer.write(level, row.deviceId, row.bucket, cells.map(storedCell));
    }
  }
}

/**
 * Recomputes the whole table, and the sessions by app state, from the sessions (also used by the
 * migrations that add them).
 */
export function rebuildSessionStats(db: Db): void {
  db.exec('DELETE FROM session_stats');
  // One device at a time, through the sessions' key index (it leads with the device): the day
  // cells of a whole case held at once took 700 MB at 10M sessions.
  const rows = db
    .prepare(
      `SELECT s.device_id, s.app_id, s.category, s.local_day, s.anchor_minute / 60,
              s.open = 0 AND s.duration_ms IS NOT NULL, s.duration_ms,
              CASE ${STATE_SQL} WHEN 'background' THEN 2 WHEN 'foreground' THEN 1 ELSE 0 END
       FROM access_sessions s WHERE s.device_id = ?`,
    )
    .raw(true);
  const nextDevice = db
    .prepare('SELECT MIN(device_id) FROM access_sessions WHERE device_id > ?')
    .pluck();
  const writer = new StatsWriter(db);
  let device = db.prepare('SELECT MIN(device_id) FROM access_sessions').pluck().get() as
    number | null;
  while (device !== null) {
    rebuildDeviceStats(rows, writer, device);
    device = nextDevice.get(device) as number | null;
  }
  rebuildSessionStates(db);
}
