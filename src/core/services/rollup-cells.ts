import type { Db } from '../db/open';
import type { SqlParam } from '../db/queries/sql';
import type { CaseShape } from './timeline-stats';

/**
 * The rollup cells a timeline's bins are made of, read in the order of the rollup's key (bucket,
 * device, app, category): where the cells lie (`from`: a table and its where clause over
 * `session_rollup r`) and what each counts (`count`, `busy`: expressions over `r`).
 */
export interface RollupCellQuery {
  from: string;
  params: SqlParam[];
  count: string;
  busy: string;
  fromBucket: number;
  toBucket: number;
}

/** Receives one cell: its device, app, stored category, bucket, sessions and time in use. */
export type RollupCellSink = (
  deviceId: number,
  appId: number,
  category: string,
  bucket: number,
  sessions: number,
  busyMs: number,
) => void;

const ORDER = 'ORDER BY r.bucket, r.device_id, r.app_id, r.category';

/**
 * Every cell as its own row (the reference of `rollupCells`, and its answer whenever the packed
 * read cannot place a cell).
 */
export function rollupCellsByRow(
  db: Db,
  q: RollupCellQuery,
  each: RollupCellSink,
  reserve?: (cells: number) => void,
): void {
  const rows = db
    .prepare(
      `SELECT r.device_id, r.app_id, r.category, r.bucket, ${q.count}, ${q.busy}
       FROM ${q.from} ${ORDER}`,
    )
    .raw(true)
    .all(...q.params) as [number, number, string, number, number, number][];
  reserve?.(rows.length);
  for (const [deviceId, appId, category, bucket, sessions, busyMs] of rows)
    each(deviceId, appId, category, bucket, sessions, busyMs);
}

/**
 * What `rollupCellsByRow` gives, in the same order, read as two numbers a cell: SQLite packs each
 * cell's place (device, app, category, bucket) with its count into one integer, and its time in
 * use comes from a second read of the same rows (for counts outside the totals index, from one
 * read of a pair a cell). A row as an array of six values costs five times what one number does
 * (49,000 cells of a month at 10M sessions: 26 ms against 5), so two reads of one number cost less
 * than one of six. Both reads run in one transaction, so they see the same rows; their order is
 * the rollup's key, which no two cells share. A cell the packing cannot place (a device, app or
 * category `shape` does not know, a count out of range) sends the whole read to
 * `rollupCellsByRow`. `reserve`, when given, hears how many cells are about to come (an upper
 * bound on the bins they make). True when the cells were read packed.
 */
export function rollupCells(
  db: Db,
  q: RollupCellQuery,
  shape: CaseShape,
  each: RollupCellSink,
  packLimit = 2 ** 53,
  reserve?: (cells: number) => void,
): boolean {
  const ncat = shape.categories.length;
  const napp = shape.maxApp + 1;
  const span = q.toBucket - q.fromBucket + 1;
  const keys = (shape.maxDevice + 1) * napp * ncat * span;
  const scale = Math.floor(Math.min(packLimit, 2 ** 53) / keys);
  if (
    ncat === 0 ||
    span <= 0 ||
    !Number.isSafeInteger(keys) ||
    !Number.isSafeInteger(q.fromBucket) ||
    scale < 2
  ) {
    rollupCellsByRow(db, q, each, reserve);
    return false;
  }
  const category = `CASE r.category ${shape.categories.map((_, i) => `WHEN ? THEN ${i}`).join(' ')} END`;
  const key = `(((r.device_id * ${napp} + r.app_id) * ${ncat} + ${category}) * ${span} + (r.bucket - ${q.fromBucket}))`;
  const packedSql = `CASE WHEN r.device_id BETWEEN 0 AND ${shape.maxDevice}
                      AND r.app_id BETWEEN 0 AND ${shape.maxApp}
                      AND r.bucket BETWEEN ${q.fromBucket} AND ${q.toBucket}
                      AND ${q.count} BETWEEN 0 AND ${scale - 1}
                     THEN ${key} * ${scale} + ${q.count} END`;
  const params = [...shape.categories, ...q.params];
  // The totals the narrow index holds are read as two numbers a cell, each read walking only
  // that index. Other counts (hours, minimum durations) are in the cells' full rows, which one
  // read of a pair a cell walks once instead of twice.
  const covered = q.count === 'r.sessions' && q.busy === 'r.busy_ms';
  const read = db.transaction((): { packed: (number | null)[]; busy: number[] } => {
    if (!covered) {
      const pairs = db
        .prepare(`SELECT ${packedSql}, ${q.busy} FROM ${q.from} ${ORDER}`)
        .raw(true)
        .all(...params) as [number | null, number][];
      return { packed: pairs.map((p) => p[0]), busy: pairs.map((p) => p[1]) };
    }
    const packed = db
      .prepare(`SELECT ${packedSql} FROM ${q.from} ${ORDER}`)
      .pluck()
      .all(...params) as (number | null)[];
    const busy = db
      .prepare(`SELECT ${q.busy} FROM ${q.from} ${ORDER}`)
      .pluck()
      .all(...q.params) as number[];
    return { packed, busy };
  });
  const cells = read();
  if (cells.packed.some((v) => v === null) || cells.busy.length !== cells.packed.length) {
    rollupCellsByRow(db, q, each, reserve);
    return false;
  }
  const { packed, busy } = cells;
  reserve?.(packed.length);
  for (let i = 0; i < packed.length; i += 1) {
    const v = packed[i]!;
    const k = Math.floor(v / scale);
    const bucket = k % span;
    const cell = (k - bucket) / span;
    const c = cell % ncat;
    const lane = (cell - c) / ncat;
    const appId = lane % napp;
    each(
      (lane - appId) / napp,
      appId,
      shape.categories[c]!,
      bucket + q.fromBucket,
      v - k * scale,
      busy[i]!,
    );
  }
  return true;
}
