// Timeline bins for filters the rollup alone does not answer, read from summaries instead of from
// every session: a minimum duration it does not count (the session stats hold every closed
// session's duration per device, bucket of device-local days, app and category, in ascending
// order), an hours window not on whole hours (the rollup's hour columns, and the sessions
// anchored in the minutes left over), and app states (the sessions and time in use by state).
import { DURATION_THRESHOLDS } from '../db/rollup';
import { inDayWindow, minutesOfDay, type DayWindow, type Filter } from '../../contract/filter';
import type { Db } from '../db/open';
import type { RollupCellSink } from './rollup-cells';
import { statsBlobs } from './stats-blobs';
import { countStatsCellsAtLeast } from '../db/session-stats-counts';
import { nightParts } from '../db/queries/summary';
import { APP_STATES, STATE_COLUMNS } from '../db/session-states';
import { appIdsSql, sessionWhere, whereSql, type SqlParam } from './filter-sql';

/** One bucket of one device × app × category cell, as the rollup's rows give it. */
export interface BinRow {
  deviceId: number;
  appId: number;
  category: string;
  bucket: number;
  sessions: number;
  busyMs: number;
}

/**
 * Whether the session stats answer the timeline's bins for this filter: a minimum duration the
 * rollup does not count, with nothing else but devices, apps, categories and date-only bounds
 * (every other filter the rollup cannot answer either needs the sessions). `rollupServes` is the
 * rollup's own test.
 */
export function statsServeTimeline(
  filter: Filter,
  rollupServes: (filter: Filter) => boolean,
): boolean {
  const min = filter.minSeconds ?? 0;
  if (!(min > 0) || filter.hours) return false;
  if ((DURATION_THRESHOLDS as readonly number[]).includes(min)) return false;
  return rollupServes({ ...filter, minSeconds: undefined });
}

/**
 * The filter with its minimum duration lowered to the largest the rollup counts (or none): it
 * keeps every session the filter keeps, so counts from it never undercount.
 */
export function rollupCountable(filter: Filter): Filter {
  const min = filter.minSeconds ?? 0;
  const below = [...DURATION_THRESHOLDS].reverse().find((t) => t <= min);
  return { ...filter, minSeconds: below };
}

/**
 * Per device, app, category and bucket of `level` in `fromBucket..toBucket`: the sessions whose
 * duration is at least `filter.minSeconds` and the sum of those durations, for the filter's
 * devices, apps and categories and the apps `lane` keeps (clauses over `app_id`). Cells with no
 * such session are left out. Exactly what the sessions give: a session with a duration is closed
 * (an open one has none), and the stats list every closed session's duration.
 */
export function statsBinRows(
  db: Db,
  filter: Filter,
  level: number,
  fromBucket: number,
  toBucket: number,
  lane: { sql: string[]; params: SqlParam[] },
): BinRow[] {
  const minMs = Math.round((filter.minSeconds ?? 0) * 1000);
  const appClauses: string[] = [...lane.sql];
  const appParams: SqlParam[] = [...lane.params];
  if (filter.apps && filter.apps.length > 0) {
    const a = appIdsSql(filter.apps);
    appClauses.push(`app_id IN (${a.sql})`);
    appParams.push(...a.params);
  }
  const apps =
    appClauses.length > 0
      ? new Set(
          db
            .prepare(
              `SELECT app_id FROM (SELECT id AS app_id FROM apps) WHERE ${appClauses.join(' AND ')}`,
            )
            .pluck()
            .all(...appParams) as number[],
        )
      : null;
  const categories =
    filter.categories && filter.categories.length > 0 ? new Set<string>(filter.categories) : null;
  const devices = filter.devices && filter.devices.length > 0 ? filter.devices : null;
  const rows = statsBlobs(db, level, fromBucket, toBucket, devices);
  const out: BinRow[] = [];
  // The filter's apps and categories, asked once per app and category of a blob.
  const keep = (appId: number, category: string): boolean =>
    (apps === null || apps.has(appId)) && (categories === null || categories.has(category));
  for (const [deviceId, bucket, blob] of rows)
    countStatsCellsAtLeast(blob, minMs, keep, (appId, category, sessions, busyMs) => {
      if (sessions > 0) out.push({ deviceId, appId, category, bucket, sessions, busyMs });
    });
  return out;
}

/**
 * Whether the rollup keeps the sessions anchored in the first half of each local hour and their
 * time in use (columns `q0`..`q23`, `qb0`..`qb23`): then a window whose ends are on half hours is
 * answered from the rollup alone. A case whose schema has no such columns reads the minutes left
 * over from the sessions instead (see `windowBinRows`).
 */
export function rollupKeepsHalfHours(db: Db): boolean {
  return (
    db.prepare("SELECT 1 FROM pragma_table_info('session_rollup') WHERE name = 'qb23'").get() !==
    undefined
  );
}

/** Whether both ends of a window are on whole hours, or on half hours when `halves`. */
export function windowOnRollupHours(hours: DayWindow, halves: boolean): boolean {
  const step = halves ? 30 : 60;
  return minutesOfDay(hours.from) % step === 0 && minutesOfDay(hours.to) % step === 0;
}

/**
 * The rollup's expressions (over `r.`) for the sessions and the time in use of a window whose
 * ends are on whole or half hours; null when it holds every hour. An hour wholly inside reads its
 * hour columns, its first half alone `q`, its second half alone the hour less its first half.
 */
export function windowTerms(hours: DayWindow): { count: string; busy: string } | null {
  if (!windowOnRollupHours(hours, true))
    throw new Error(`The window ${hours.from}-${hours.to} is not on half hours.`);
  if (minutesOfDay(hours.from) === minutesOfDay(hours.to)) return null;
  return halfHourTerms((minute) => inDayWindow(minute, hours));
}

/**
 * The rollup's expressions (over `r.`) for the sessions and the time in use of the half hours of
 * the day `inside` keeps (asked with each half hour's first minute); `0` when it keeps none.
 */
export function halfHourTerms(inside: (minute: number) => boolean): {
  count: string;
  busy: string;
} {
  const count: string[] = [];
  const busy: string[] = [];
  for (let h = 0; h < 24; h += 1) {
    const first = inside(h * 60);
    const second = inside(h * 60 + 30);
    if (first && second) {
      count.push(`r.h${h}`);
      busy.push(`r.b${h}`);
    } else if (first) {
      count.push(`r.q${h}`);
      busy.push(`r.qb${h}`);
    } else if (second) {
      count.push(`(r.h${h} - r.q${h})`);
      busy.push(`(r.b${h} - r.qb${h})`);
    }
  }
  return { count: count.join(' + ') || '0', busy: busy.join(' + ') || '0' };
}

/**
 * Whether the rollup and a narrow read of the sessions answer the timeline's bins for this
 * filter: an hours window not on whole hours, with nothing else but devices, apps, categories
 * and date-only bounds. The whole hours come from the rollup's hour columns; the minutes left
 * over from the sessions anchored in them (see `windowBinRows`).
 */
export function minutesServeTimeline(
  filter: Filter,
  rollupServes: (filter: Filter) => boolean,
): boolean {
  if (!filter.hours || (filter.minSeconds ?? 0) > 0) return false;
  if (rollupServes(filter)) return false;
  return rollupServes({ ...filter, hours: undefined });
}

/**
 * The filter with its hours window widened to the whole hours it touches (or none when it
 * touches all 24): it keeps every session the filter keeps, so counts from it never undercount.
 */
export function wholeHoursCountable(filter: Filter): Filter {
  if (!filter.hours) return filter;
  const { hours, minutes } = nightParts(filter.hours);
  const touched = new Set([...hours, ...minutes.map(([from]) => Math.floor(from / 60))]);
  if (touched.size === 24) return { ...filter, hours: undefined };
  // The touched hours run round the clock without a gap: start after the one hour left out.
  let first = 0;
  while (!touched.has(first) || touched.has((first + 23) % 24)) first += 1;
  const end = (first + touched.size) % 24;
  const hh = (h: number): string => `${String(h).padStart(2, '0')}:00`;
  return { ...filter, hours: { from: hh(first), to: hh(end) } };
}

/** How the minutes left over are read (see `windowBinRows`); tests lower `packLimit`. */
export interface WindowRead {
  /** The packed values stay under this (at most 2^53, where every integer is exact). */
  packLimit?: number;
  /** Cells are found through an array while their keys are at most this many, else a map. */
  denseKeys?: number;
}

/**
 * Per device, app, category and bucket of `level` in `fromBucket..toBucket`: the sessions whose
 * device-local minute of their anchor lies in the filter's hours window and the sum of their
 * durations, for the filter's devices, apps and categories and the apps `lane` keeps. The whole
 * hours of the window are read from the rollup's hour columns, the minutes left over (at most two
 * stretches of under an hour) from the sessions anchored in them. Cells with no session are left
 * out. Exactly what the sessions give.
 *
 * The sessions of the minutes left over come as one number each, their cell and duration packed
 * by SQLite: tens of thousands of rows cost far less handed over as one column than as rows of
 * five values (grouping them in SQL sorts every one of them first, which costs more still).
 */
export function windowBinRows(
  db: Db,
  filter: Filter,
  level: number,
  fromBucket: number,
  toBucket: number,
  lane: { sql: string[]; params: SqlParam[] },
  read: WindowRead = {},
): BinRow[] {
  const { hours, minutes } = nightParts(filter.hours!);
  const w = sessionWhere(
    { devices: filter.devices, apps: filter.apps, categories: filter.categories },
    0,
  );
  const rollupWhere = whereSql(
    { clauses: w.clauses.map((c) => c.replace(/(^|[^\w.])s\./g, '$1r.')), params: w.params },
    ['r.level = ?', 'r.bucket >= ?', 'r.bucket <= ?', ...lane.sql.map((c) => `r.${c}`)],
  );
  // Every cell of the range: one with sessions in the minutes left over holds them in the rollup
  // too, whatever their hour. Its key: app (an app id belongs to one device), category, bucket.
  const span = toBucket - fromBucket + 1;
  const cells = db
    .prepare(
      `SELECT r.device_id, r.app_id, r.category, r.bucket,
              ${hours.length > 0 ? hours.map((h) => `r.h${h}`).join(' + ') : '0'},
              ${hours.length > 0 ? hours.map((h) => `r.b${h}`).join(' + ') : '0'}
       FROM session_rollup r ${rollupWhere}`,
    )
    .raw(true)
    .all(...w.params, level, fromBucket, toBucket, ...lane.params) as [
    number,
    number,
    string,
    number,
    number,
    number,
  ][];
  if (minutes.length === 0) return cellRows(cells);
  // No cell to place the minutes' sessions in: the rollup holds none here, or is out of step.
  if (cells.length === 0 || span <= 0)
    return windowBinRowsByRow(db, filter, level, fromBucket, toBucket, lane);
  const categories = new Map<string, number>();
  let maxApp = 0;
  for (const c of cells) {
    if (!categories.has(c[2])) categories.set(c[2], categories.size);
    if (c[1] > maxApp) maxApp = c[1];
  }
  const keys = (maxApp + 1) * categories.size * span;
  const limit = Math.min(read.packLimit ?? 2 ** 53, 2 ** 53);
  // Durations from 0 to under `scale` pack with their cell into one exact integer; longer ones
  // (none in any case seen) and those below zero (an end before its begin) are marked and read
  // again on their own.
  const scale = Math.floor(limit / keys);
  if (scale < 2 || !Number.isSafeInteger(keys))
    return windowBinRowsByRow(db, filter, level, fromBucket, toBucket, lane);
  const index = new CellIndex(keys, read.denseKeys ?? DENSE_KEYS);
  for (let i = 0; i < cells.length; i += 1) {
    const c = cells[i]!;
    index.set((c[1] * categories.size + categories.get(c[2])!) * span + (c[3] - fromBucket), i);
  }
  const each: number[] = [];
  for (const [from, to] of minutes) for (let m = from; m < to; m += 1) each.push(m);
  const bucket = `((s.local_day - ((s.local_day % ${level}) + ${level}) % ${level}) / ${level} - ?)`;
  const category = `CASE s.category ${[...categories.keys()].map(() => 'WHEN ? THEN ?').join(' ')} END`;
  const key = `((s.app_id * ${categories.size} + ${category}) * ${span} + ${bucket})`;
  const where = whereSql(w, [
    `s.anchor_minute IN (${each.map(() => '?').join(', ')})`,
    's.local_day >= ?',
    's.local_day <= ?',
    ...lane.sql.map((c) => `s.${c}`),
  ]);
  const categoryParams = [...categories].flat();
  const params = [
    ...w.params,
    ...each,
    fromBucket * level,
    (toBucket + 1) * level - 1,
    ...lane.params,
  ];
  const packed = db
    .prepare(
      `SELECT CASE WHEN COALESCE(s.duration_ms, 0) BETWEEN 0 AND ${scale - 1}
                   THEN ${key} * ${scale} + COALESCE(s.duration_ms, 0) ELSE -1 END
       FROM access_sessions s INDEXED BY access_sessions_minute ${where}`,
    )
    .pluck()
    .all(...categoryParams, fromBucket, ...params) as (number | null)[];
  const sessions = cells.map((c) => c[4]);
  const busy = cells.map((c) => c[5]);
  let long = false;
  for (const v of packed) {
    if (v === null) return windowBinRowsByRow(db, filter, level, fromBucket, toBucket, lane);
    if (v < 0) {
      long = true;
      continue;
    }
    const k = Math.floor(v / scale);
    const i = index.get(k);
    if (i === undefined) return windowBinRowsByRow(db, filter, level, fromBucket, toBucket, lane);
    sessions[i]! += 1;
    busy[i]! += v - k * scale;
  }
  if (long)
    for (const [k, d] of db
      .prepare(
        `SELECT ${key}, s.duration_ms FROM access_sessions s INDEXED BY access_sessions_minute
         ${where} AND (s.duration_ms >= ${scale} OR s.duration_ms < 0)`,
      )
      .raw(true)
      .all(...categoryParams, fromBucket, ...params) as [number | null, number][]) {
      const i = k === null ? undefined : index.get(k);
      if (i === undefined) return windowBinRowsByRow(db, filter, level, fromBucket, toBucket, lane);
      sessions[i]! += 1;
      busy[i]! += d;
    }
  const out: BinRow[] = [];
  for (let i = 0; i < cells.length; i += 1)
    if (sessions[i] !== 0) {
      const c = cells[i]!;
      out.push({
        deviceId: c[0],
        appId: c[1],
        category: c[2],
        bucket: c[3],
        sessions: sessions[i]!,
        busyMs: busy[i]!,
      });
    }
  return out;
}

/** Cells by key: an array when the keys are few enough (no hashing), else a map. */
class CellIndex {
  private readonly dense: Int32Array | null;
  private readonly sparse = new Map<number, number>();

  constructor(keys: number, denseKeys: number) {
    this.dense = keys <= denseKeys ? new Int32Array(keys).fill(-1) : null;
  }

  set(key: number, cell: number): void {
    if (this.dense) this.dense[key] = cell;
    else this.sparse.set(key, cell);
  }

  get(key: number): number | undefined {
    if (!this.dense) return this.sparse.get(key);
    const cell = key >= 0 && key < this.dense.length ? this.dense[key]! : -1;
    return cell < 0 ? undefined : cell;
  }
}

/** The most keys `CellIndex` holds in an array (4 MB). */
const DENSE_KEYS = 1 << 20;

/** Rollup cells as bin rows, those with no session left out. */
function cellRows(cells: [number, number, string, number, number, number][]): BinRow[] {
  const out: BinRow[] = [];
  for (const [deviceId, appId, category, bucket, sessions, busyMs] of cells)
    if (sessions !== 0) out.push({ deviceId, appId, category, bucket, sessions, busyMs });
  return out;
}

/**
 * What `windowBinRows` gives, with the sessions of the minutes left over read one row each: for
 * a session whose cell the rollup does not hold (a summary out of step), which the packed read
 * cannot place.
 */
export function windowBinRowsByRow(
  db: Db,
  filter: Filter,
  level: number,
  fromBucket: number,
  toBucket: number,
  lane: { sql: string[]; params: SqlParam[] },
): BinRow[] {
  const { hours, minutes } = nightParts(filter.hours!);
  const w = sessionWhere(
    { devices: filter.devices, apps: filter.apps, categories: filter.categories },
    0,
  );
  const rollupWhere = whereSql(
    { clauses: w.clauses.map((c) => c.replace(/(^|[^\w.])s\./g, '$1r.')), params: w.params },
    ['r.level = ?', 'r.bucket >= ?', 'r.bucket <= ?', ...lane.sql.map((c) => `r.${c}`)],
  );
  // Cells by category, then by one number for app (an app id belongs to one device) and bucket.
  const cells = new Map<string, Map<number, BinRow>>();
  const span = toBucket - fromBucket + 1;
  const add: RollupCellSink = (deviceId, appId, category, bucket, sessions, busyMs) => {
    let byApp = cells.get(category);
    if (!byApp) cells.set(category, (byApp = new Map()));
    const key = appId * span + (bucket - fromBucket);
    const c = byApp.get(key);
    if (c) {
      c.sessions += sessions;
      c.busyMs += busyMs;
    } else byApp.set(key, { deviceId, appId, category, bucket, sessions, busyMs });
  };
  if (hours.length > 0)
    for (const [deviceId, appId, category, bucket, sessions, busyMs] of db
      .prepare(
        `SELECT r.device_id, r.app_id, r.category, r.bucket,
                ${hours.map((h) => `r.h${h}`).join(' + ')}, ${hours.map((h) => `r.b${h}`).join(' + ')}
         FROM session_rollup r ${rollupWhere}`,
      )
      .raw(true)
      .all(...w.params, level, fromBucket, toBucket, ...lane.params) as [
      number,
      number,
      string,
      number,
      number,
      number,
    ][])
      if (sessions !== 0) add(deviceId, appId, category, bucket, sessions, busyMs);
  if (minutes.length > 0) {
    const each: number[] = [];
    for (const [from, to] of minutes) for (let m = from; m < to; m += 1) each.push(m);
    for (const [deviceId, appId, category, day, durationMs] of db
      .prepare(
        `SELECT s.device_id, s.app_id, s.category, s.local_day, s.duration_ms
         FROM access_sessions s INDEXED BY access_sessions_minute
         ${whereSql(w, [`s.anchor_minute IN (${each.map(() => '?').join(', ')})`, 's.local_day >= ?', 's.local_day <= ?', ...lane.sql.map((c) => `s.${c}`)])}`,
      )
      .raw(true)
      .all(
        ...w.params,
        ...each,
        fromBucket * level,
        (toBucket + 1) * level - 1,
        ...lane.params,
      ) as [number, number, string, number, number | null][])
      add(deviceId, appId, category, Math.floor(day / level), 1, durationMs ?? 0);
  }
  const out: BinRow[] = [];
  for (const byApp of cells.values()) for (const c of byApp.values()) out.push(c);
  return out;
}

/**
 * Whether the sessions by app state answer the timeline's bins for this filter: app states, with
 * nothing else but devices, apps, categories and date-only bounds.
 */
export function statesServeTimeline(
  filter: Filter,
  rollupServes: (filter: Filter) => boolean,
): boolean {
  if (!filter.states || filter.states.length === 0) return false;
  if (filter.hours || (filter.minSeconds ?? 0) > 0) return false;
  return rollupServes(stateless(filter));
}

/** The filter without its app states: it keeps every session the filter keeps. */
export function stateless(filter: Filter): Filter {
  return { ...filter, states: undefined };
}

/**
 * Per device, app, category and bucket of `level` in `fromBucket..toBucket`: the sessions whose
 * app state is one of the filter's and the sum of their durations, for the filter's devices,
 * apps and categories and the apps `lane` keeps, from `session_state_rollup`. Cells with no such
 * session are left out. Exactly what the sessions give.
 */
export function stateBinRows(
  db: Db,
  filter: Filter,
  level: number,
  fromBucket: number,
  toBucket: number,
  lane: { sql: string[]; params: SqlParam[] },
): BinRow[] {
  const chosen = APP_STATES.filter((st) => filter.states?.includes(st));
  if (chosen.length === 0) return [];
  const w = sessionWhere(
    { devices: filter.devices, apps: filter.apps, categories: filter.categories },
    0,
  );
  const where = whereSql(
    { clauses: w.clauses.map((c) => c.replace(/(^|[^\w.])s\./g, '$1r.')), params: w.params },
    ['r.level = ?', 'r.bucket >= ?', 'r.bucket <= ?', ...lane.sql.map((c) => `r.${c}`)],
  );
  const sessions = chosen.map((st) => `r.${STATE_COLUMNS[st].sessions}`).join(' + ');
  const busy = chosen.map((st) => `r.${STATE_COLUMNS[st].ms}`).join(' + ');
  return db
    .prepare(
      `SELECT r.device_id AS deviceId, r.app_id AS appId, r.category, r.bucket,
              ${sessions} AS sessions, ${busy} AS busyMs
       FROM session_state_rollup r ${where} AND ${sessions} > 0`,
    )
    .all(...w.params, level, fromBucket, toBucket, ...lane.params) as BinRow[];
}

/** One bin of the exact view: a device × app × category cell over `binMs` from `startMs`. */
export interface ExactBinRow {
  deviceId: number;
  appId: number;
  category: string;
  startMs: number;
  count: number;
  busyMs: number;
}

/** What the packed read of the exact bins needs to know of the case (see `exactBinRows`). */
export interface CaseShape {
  /** The largest app id. */
  maxApp: number;
  /** The largest device id. */
  maxDevice: number;
  /** The categories the sessions hold, in SQLite's BINARY order (as `GROUP BY` sorts them). */
  categories: string[];
}

/**
 * The case's apps and categories, for `exactBinRows`: the categories from the rollup's four-week
 * cells (a category the rollup does not hold sends the read back to `GROUP BY`).
 */
export function caseShape(db: Db): CaseShape {
  const max = (table: string): number =>
    Number(db.prepare(`SELECT COALESCE(MAX(id), 0) FROM ${table}`).pluck().get());
  const categories = (
    db
      .prepare('SELECT DISTINCT category FROM session_rollup WHERE level = 28')
      .pluck()
      .all() as string[]
  ).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return { maxApp: max('apps'), maxDevice: max('devices'), categories };
}

/**
 * The exact view's bins grouped by SQLite from every matching session (`sessions`: a where
 * clause over `access_sessions s` and its parameters): the reference of `exactBinRows`, and its
 * answer whenever the packed read cannot place a session.
 */
export function exactBinRowsGrouped(
  db: Db,
  sessions: { where: string; params: SqlParam[] },
  binMs: number,
): ExactBinRow[] {
  return db
    .prepare(
      `SELECT s.device_id AS deviceId, s.app_id AS appId, s.category, (s.anchor_ms / CAST(? AS INTEGER)) * ? AS startMs,
              COUNT(*) AS count, COALESCE(SUM(s.duration_ms), 0) AS busyMs
       FROM access_sessions s ${sessions.where}
       GROUP BY s.device_id, s.app_id, s.category, s.anchor_ms / CAST(? AS INTEGER)`,
    )
    .all(binMs, binMs, ...sessions.params, binMs) as ExactBinRow[];
}

/**
 * The sessions of `sessions` (a where clause over `access_sessions s` and its parameters) of
 * `devices` only, read through the index by device and instant (migration 0032), which holds what
 * `exactBinRows` reads: a few devices' sessions of a range instead of every device's sessions of
 * the range from the anchor index, kept or not by their device one by one.
 */
export function byDeviceSessions(
  sessions: { where: string; params: SqlParam[] },
  devices: readonly number[],
): { where: string; params: SqlParam[] } {
  const join = sessions.where.trim() === '' ? 'WHERE' : `${sessions.where} AND`;
  return {
    where: `INDEXED BY access_sessions_device_anchor ${join} s.device_id IN (${devices.map(() => '?').join(', ')})`,
    params: [...sessions.params, ...devices],
  };
}

/**
 * What `exactBinRowsGrouped` gives (the same bins in the same order), read as one number a
 * session: SQLite packs each session's cell (device, app, category, bin) and duration into one
 * integer and JavaScript adds them up. Grouping in SQL sorts every session first, which costs
 * three times what reading them does (70,000 sessions of a week of three devices at 10M
 * sessions). The anchors of the sessions lie in `anchors` (`above` < anchor_ms < `below`), as
 * the where clause holds them. A session the packing cannot place (a device, app or category
 * `shape` does not know) sends the whole read to `GROUP BY`; a duration the scale cannot hold
 * (or below zero) is read again on its own.
 */
export function exactBinRows(
  db: Db,
  sessions: { where: string; params: SqlParam[] },
  binMs: number,
  anchors: { above: number; below: number },
  shape: CaseShape,
  read: WindowRead = {},
): ExactBinRow[] {
  const out: ExactBinRow[] = [];
  exactBins(
    db,
    sessions,
    binMs,
    anchors,
    shape,
    read,
    (deviceId, appId, category, startMs, count, busyMs) =>
      out.push({ deviceId, appId, category, startMs, count, busyMs }),
  );
  return out;
}

/** Receives one exact bin: its device, app, stored category, start, sessions and time in use. */
export type ExactBinSink = (
  deviceId: number,
  appId: number,
  category: string,
  startMs: number,
  count: number,
  busyMs: number,
) => void;

/**
 * The bins `exactBinRows` gives, in the same order, handed to `each` one by one instead of made
 * into objects; `reserve`, when given, hears how many are about to come.
 */
export function exactBins(
  db: Db,
  sessions: { where: string; params: SqlParam[] },
  binMs: number,
  anchors: { above: number; below: number },
  shape: CaseShape,
  read: WindowRead,
  each: ExactBinSink,
  reserve?: (bins: number) => void,
): void {
  const grouped = (): void => {
    const rows = exactBinRowsGrouped(db, sessions, binMs);
    reserve?.(rows.length);
    for (const r of rows) each(r.deviceId, r.appId, r.category, r.startMs, r.count, r.busyMs);
  };
  // SQLite's integer division truncates towards zero: so do the first and last bins here, one
  // more at each end in case a quotient of floats rounds across a whole number.
  const firstBin = Math.trunc(Math.floor(anchors.above) / binMs) - 1;
  const bins = Math.trunc(Math.ceil(anchors.below) / binMs) + 1 - firstBin + 1;
  const ncat = shape.categories.length;
  const napp = shape.maxApp + 1;
  const keys = (shape.maxDevice + 1) * napp * ncat * bins;
  const limit = Math.min(read.packLimit ?? 2 ** 53, 2 ** 53);
  const scale = Math.floor(limit / keys);
  if (
    ncat === 0 ||
    !Number.isSafeInteger(binMs) ||
    binMs <= 0 ||
    !Number.isSafeInteger(firstBin) ||
    !Number.isSafeInteger(keys) ||
    scale < 2
  )
    return grouped();
  // Keys ascend as `GROUP BY` orders the bins: device, app, category (the categories are listed
  // in BINARY order), bin. An app id out of range would land in another device's keys, so it
  // is refused here; a device id out of range gives a key out of range, refused below.
  const category = `CASE s.category ${shape.categories.map((_, i) => `WHEN ? THEN ${i}`).join(' ')} END`;
  const key = `(((s.device_id * ${napp} + s.app_id) * ${ncat} + ${category}) * ${bins} + (s.anchor_ms / ${binMs} - ${firstBin}))`;
  const packed = db
    .prepare(
      `SELECT CASE WHEN s.app_id NOT BETWEEN 0 AND ${shape.maxApp} THEN NULL
                   WHEN COALESCE(s.duration_ms, 0) BETWEEN 0 AND ${scale - 1}
                   THEN ${key} * ${scale} + COALESCE(s.duration_ms, 0) ELSE -1 END
       FROM access_sessions s ${sessions.where}`,
    )
    .pluck()
    .all(...shape.categories, ...sessions.params) as (number | null)[];
  const slots = new CellIndex(keys, read.denseKeys ?? DENSE_KEYS);
  const slotKeys: number[] = [];
  const counts: number[] = [];
  const busy: number[] = [];
  const add = (k: number, d: number): boolean => {
    if (!(k >= 0 && k < keys)) return false;
    let i = slots.get(k);
    if (i === undefined) {
      i = slotKeys.length;
      slots.set(k, i);
      slotKeys.push(k);
      counts.push(0);
      busy.push(0);
    }
    counts[i]! += 1;
    busy[i]! += d;
    return true;
  };
  let long = false;
  for (let i = 0; i < packed.length; i += 1) {
    const v = packed[i]!;
    if (v === null) return grouped();
    if (v < 0) {
      long = true;
      continue;
    }
    const k = Math.floor(v / scale);
    if (!add(k, v - k * scale)) return grouped();
  }
  if (long)
    for (const [k, d] of db
      .prepare(
        `SELECT ${key}, s.duration_ms FROM access_sessions s ${sessions.where}
         ${sessions.where.trim() === '' ? 'WHERE' : 'AND'} (s.duration_ms >= ${scale} OR s.duration_ms < 0)`,
      )
      .raw(true)
      .all(...shape.categories, ...sessions.params) as [number | null, number][])
      if (k === null || !add(k, d)) return grouped();
  const order = Float64Array.from(slotKeys).sort();
  reserve?.(order.length);
  for (let i = 0; i < order.length; i += 1) {
    const k = order[i]!;
    const slot = slots.get(k)!;
    const bin = k % bins;
    const cell = (k - bin) / bins;
    const c = cell % ncat;
    const lane = (cell - c) / ncat;
    const appId = lane % napp;
    each(
      (lane - appId) / napp,
      appId,
      shape.categories[c]!,
      (bin + firstBin) * binMs,
      counts[slot]!,
      busy[slot]!,
    );
  }
}
