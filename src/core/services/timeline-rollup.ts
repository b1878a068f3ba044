/**
 * The zoomed-out timeline from the rollup: which filters it serves, its estimate of the sessions
 * and cells in view, and its bins of device-local days, weeks or four-week spans (or those of the
 * session stats, of the rollup's whole hours and the minutes left over, or of the sessions by
 * app state, for filters the rollup alone does not count), or of blocks of device-local hours
 * summed from its day cells.
 */
import type { TimelineResult } from '../../contract/api';
import { toCategory } from '../../contract/categories';
import { inDayWindow, type Filter } from '../../contract/filter';
import { localDayNumber } from '../../contract/time';
import { BinColumns } from '../../contract/timeline-bins';
import type { Db } from '../db/open';
import { DAY_MS, DURATION_THRESHOLDS, ROLLUP_LEVELS, rollupBucket } from '../db/rollup';
import { maxDurationMs, type CaseMemo } from './case-memo';
import { parseRangeBound, sessionWhere, whereSql } from './filter-sql';
import { rollupCells, type RollupCellSink } from './rollup-cells';
import { describeLanes, type LaneFilter } from './timeline-lanes';
import { LaneTally } from './timeline-parts';
import {
  caseShape,
  halfHourTerms,
  rollupCountable,
  stateBinRows,
  stateless,
  statsBinRows,
  wholeHoursCountable,
  windowBinRows,
  windowOnRollupHours,
  windowTerms,
} from './timeline-stats';

/** The rollup level chosen keeps the buckets in view at or under this number. */
const MAX_ROLLUP_BUCKETS = 120;
/** ...and the rows read (buckets x device, app and category cells) at or under this number. */
const MAX_ROLLUP_ROWS = 20_000;
/** The rollup level used to estimate a view's size keeps its buckets at or under this number. */
const ESTIMATE_BUCKETS = 40;

/** Device-local midnight (as ms of local time) of a date-only bound. */
function parseRangeBoundLocalMs(text: string): number {
  const b = parseRangeBound(text);
  return b.kind === 'local' ? b.localMs : b.ms;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The rollup holds devices, apps, categories, device-local days, whole local hours (and half
 * hours when `halves`: see `rollupKeepsHalfHours`) and a few minimum durations: an instant bound,
 * a window on other minutes, another minimum duration, or a minimum duration with an hours window
 * needs the sessions.
 */
export function rollupServes(filter: Filter, halves = false): boolean {
  if ((filter.tags && filter.tags.length > 0) || filter.starred === true) return false;
  if (filter.states && filter.states.length > 0) return false;
  // The device's state at each access is not in the rollup either.
  if (filter.deviceStates && filter.deviceStates.length > 0) return false;
  const min = filter.minSeconds ?? 0;
  if (min > 0 && (filter.hours || !(DURATION_THRESHOLDS as readonly number[]).includes(min)))
    return false;
  if ((filter.from && !DATE_ONLY.test(filter.from)) || (filter.to && !DATE_ONLY.test(filter.to)))
    return false;
  if (filter.hours && !windowOnRollupHours(filter.hours, halves)) return false;
  return true;
}

/** Where the rollup path's bins come from (see `rollupBins`). */
export type TimelineVia = 'rollup' | 'stats' | 'minutes' | 'states';

/**
 * The filter the rollup counts for a path: one that keeps every session the filter keeps, so
 * its counts never undercount.
 */
export function rollupFilter(filter: Filter, via: TimelineVia): Filter {
  if (via === 'stats') return rollupCountable(filter);
  if (via === 'minutes') return wholeHoursCountable(filter);
  if (via === 'states') return stateless(filter);
  return filter;
}

/**
 * The least bin size for exact bins: the one asked for, or wider when `cells` lanes x categories
 * over the range would give more bins than the rollup path reads ({@link MAX_ROLLUP_ROWS}).
 */
export function exactBinFloor(desiredBin: number, rangeMs: number, cells: number): number {
  return Math.max(desiredBin, (rangeMs * cells) / MAX_ROLLUP_ROWS);
}

/** A lane of rollup bins as they are read: its index in the bins, its offset and its totals. */
interface RollupLane {
  deviceId: number;
  appId: number;
  index: number;
  offsetMs: number;
  sessions: number;
  busyMs: number;
}

/** Rollup rows of one level in the range (as device-local days) that match the filter. */
function rollupRows(
  db: Db,
  filter: Filter,
  range: { fromMs: number; toMs: number },
  level: number,
  lane: LaneFilter,
  offsets: Map<number, number>,
  widen = false,
) {
  const w = sessionWhere(
    { devices: filter.devices, apps: filter.apps, categories: filter.categories },
    0,
  );
  const clauses = w.clauses.map((c) => c.replace(/(^|[^\w.])s\./g, '$1r.'));
  const offs = [...offsets.values()];
  let fromDay = localDayNumber(range.fromMs, Math.min(0, ...offs));
  let toDay = localDayNumber(range.toMs - 1, Math.max(0, ...offs));
  if (filter.from)
    fromDay = Math.max(fromDay, Math.floor(parseRangeBoundLocalMs(filter.from) / DAY_MS));
  // For an estimate: sessions that began on earlier days may still run into the range.
  if (widen) fromDay -= Math.ceil(maxDurationMs(db) / DAY_MS);
  if (filter.to)
    toDay = Math.min(toDay, Math.floor(parseRangeBoundLocalMs(filter.to) / DAY_MS) - 1);
  const where = whereSql({ clauses, params: w.params }, [
    'r.level = ?',
    'r.bucket >= ?',
    'r.bucket <= ?',
    ...lane.sql.map((c) => `r.${c}`),
  ]);
  const hours = filter.hours ? windowTerms(filter.hours) : null;
  const min = filter.minSeconds ?? 0;
  return {
    where,
    params: [
      ...w.params,
      level,
      rollupBucket(fromDay, level),
      rollupBucket(toDay, level),
      ...lane.params,
    ],
    count: min > 0 ? `r.n_ge_${min}` : hours ? hours.count : 'r.sessions',
    busy: min > 0 ? `r.ms_ge_${min}` : hours ? hours.busy : 'r.busy_ms',
    // A few apps: their cells from the app index rather than every cell of the range (the
    // planner, without statistics, reads the range and filters it). The bins are then sorted
    // into the order of the rollup's key, which the range gives as it reads.
    table:
      filter.apps && filter.apps.length > 0
        ? 'session_rollup r INDEXED BY session_rollup_app'
        : 'session_rollup r',
    empty: toDay < fromDay,
    fromBucket: rollupBucket(fromDay, level),
    toBucket: rollupBucket(toDay, level),
  };
}

/** Sessions in range estimated from the coarsest rollup level (whole buckets at the edges). */
export function rollupCount(
  db: Db,
  filter: Filter,
  range: { fromMs: number; toMs: number },
  lane: LaneFilter,
  offsets: Map<number, number>,
): { sessions: number; cells: number } {
  // The finest level that keeps the buckets read few; whole buckets at the edges overcount.
  const span = range.toMs - range.fromMs;
  const level =
    ROLLUP_LEVELS.find((l) => span / (l * DAY_MS) <= ESTIMATE_BUCKETS) ??
    ROLLUP_LEVELS[ROLLUP_LEVELS.length - 1]!;
  const q = rollupRows(db, filter, range, level, lane, offsets, true);
  if (q.empty) return { sessions: 0, cells: 0 };
  const r = db
    .prepare(
      `SELECT COALESCE(SUM(${q.count}), 0) AS n, COUNT(*) AS rows, COUNT(DISTINCT r.bucket) AS buckets
       FROM ${q.table} ${q.where}`,
    )
    .get(...q.params) as { n: number; rows: number; buckets: number };
  // Rows per bucket: how many (device, app, category) cells each bucket of the view holds.
  return { sessions: r.n, cells: r.buckets > 0 ? r.rows / r.buckets : 0 };
}

/**
 * Zoomed-out view from the rollup: per lane and category, device-local days, weeks or four-week
 * spans. `via` `stats`: the counts and time in use come from the session stats' durations
 * instead (a minimum duration the rollup does not count; see `statsServeTimeline`); `minutes`:
 * from the rollup's whole hours and the sessions of the minutes left over (an hours window not
 * on whole hours; see `windowBinRows`); `states`: from the sessions by app state (see
 * `stateBinRows`).
 */
export function rollupBins(
  db: Db,
  memo: CaseMemo,
  filter: Filter,
  range: { fromMs: number; toMs: number },
  desiredBin: number,
  lane: LaneFilter,
  offsets: Map<number, number>,
  cells: number,
  empty: TimelineResult,
  via: TimelineVia = 'rollup',
): TimelineResult {
  const span = range.toMs - range.fromMs;
  const dated = Boolean(filter.from || filter.to);
  // Local-date filters need whole days; otherwise the level keeps both buckets and rows few.
  const levels = dated ? [ROLLUP_LEVELS[0]] : ROLLUP_LEVELS;
  const maxBuckets = Math.min(MAX_ROLLUP_BUCKETS, MAX_ROLLUP_ROWS / Math.max(1, cells));
  const level =
    levels.find((l) => l * DAY_MS >= desiredBin && span / (l * DAY_MS) <= maxBuckets) ??
    levels.find((l) => span / (l * DAY_MS) <= maxBuckets) ??
    levels[levels.length - 1]!;
  const q = rollupRows(db, rollupFilter(filter, via), range, level, lane, offsets);
  const out = new LaneBins(offsets);
  const dayMs = level * DAY_MS;
  // A local-day bucket starts at that day's local midnight, placed with the device's offset.
  const add: RollupCellSink = (deviceId, appId, stored, bucket, sessions, busyMs) =>
    out.add(deviceId, appId, stored, bucket * dayMs, sessions, busyMs);
  if (!q.empty) {
    if (via === 'rollup')
      rollupCells(
        db,
        { ...q, from: `${q.table} ${q.where}` },
        memo.get('caseShape', () => caseShape(db)),
        add,
        undefined,
        (n) => out.bins.reserve(n),
      );
    else {
      const rows =
        via === 'stats'
          ? statsBinRows(db, filter, level, q.fromBucket, q.toBucket, lane)
          : via === 'minutes'
            ? windowBinRows(db, filter, level, q.fromBucket, q.toBucket, lane)
            : stateBinRows(db, filter, level, q.fromBucket, q.toBucket, lane);
      out.bins.reserve(rows.length);
      for (let i = 0; i < rows.length; i += 1) {
        const r = rows[i]!;
        add(r.deviceId, r.appId, r.category, r.bucket, r.sessions, r.busyMs);
      }
    }
  }
  return out.answer(db, memo, { ...empty, range }, dayMs);
}

/** Bin sizes the rollup's day cells give from their hour columns: whole hours that divide a day. */
export const HOUR_BIN_SIZES: readonly number[] = [3_600_000, 10_800_000, 21_600_000];

/**
 * The filters hour bins serve: what the rollup counts, without a minimum duration or dates (the
 * day cells' hour columns count every session of the cell), and with an hours window only on the
 * whole or half hours the rollup keeps (each block then sums the hours of the window it holds).
 */
export function hourBinsServe(filter: Filter, halves: boolean): boolean {
  return (
    rollupServes(filter, halves) && !((filter.minSeconds ?? 0) > 0) && !filter.from && !filter.to
  );
}

/**
 * Bins of whole hours per lane and category from the rollup's day cells (`binMs` one of
 * {@link HOUR_BIN_SIZES}): each cell's hour columns summed block by block (for 6 hours: 0–5,
 * 6–11, 12–17, 18–23 device-local), each block placed at its local start with the device's
 * offset, as the day bins are. Blocks that end at or before the range's start, or start at or
 * after its end, are left out. Reads a few numbers a cell instead of a row a session: a week of
 * three devices at 10M sessions is 5,300 day cells against 72,000 sessions.
 */
export function hourBins(
  db: Db,
  memo: CaseMemo,
  filter: Filter,
  range: { fromMs: number; toMs: number },
  binMs: number,
  lane: LaneFilter,
  offsets: Map<number, number>,
  empty: TimelineResult,
): TimelineResult {
  const hours = binMs / 3_600_000;
  if (!HOUR_BIN_SIZES.includes(binMs)) throw new Error(`no hour bins of ${binMs} ms`);
  const q = rollupRows(db, filter, range, 1, lane, offsets);
  const out = new LaneBins(offsets);
  if (!q.empty) {
    // Each block's sums: the half hours it holds, of those the filter's hours window keeps.
    const window = filter.hours;
    const blocks = Array.from({ length: 24 / hours }, (_, b) =>
      halfHourTerms(
        (minute) =>
          minute >= b * hours * 60 &&
          minute < (b + 1) * hours * 60 &&
          (!window || inDayWindow(minute, window)),
      ),
    );
    // One row a cell: its place, then the sessions of each block, then their time in use (one
    // row a cell and block costs twice as much: 14 against 6 ms for a week of three devices).
    const rows = db
      .prepare(
        `SELECT r.device_id, r.app_id, r.category, r.bucket,
                ${blocks.map((b) => b.count).join(', ')},
                ${blocks.map((b) => b.busy).join(', ')}
         FROM ${q.table} ${q.where}`,
      )
      .raw(true)
      .all(...q.params) as (number | string)[][];
    const n = blocks.length;
    let bins = 0;
    for (const row of rows) for (let b = 0; b < n; b += 1) if (row[4 + b] !== 0) bins += 1;
    out.bins.reserve(bins);
    for (const row of rows) {
      const deviceId = row[0] as number;
      const appId = row[1] as number;
      const stored = row[2] as string;
      const dayMs = (row[3] as number) * DAY_MS;
      const offsetMs = (offsets.get(deviceId) ?? 0) * 60_000;
      for (let b = 0; b < n; b += 1) {
        const sessions = row[4 + b] as number;
        // Only blocks that overlap the range, each starting at its device-local hour.
        const localMs = dayMs + b * binMs;
        const startMs = localMs - offsetMs;
        if (sessions === 0 || startMs >= range.toMs || startMs + binMs <= range.fromMs) continue;
        out.add(deviceId, appId, stored, localMs, sessions, row[4 + n + b] as number);
      }
    }
  }
  return out.answer(db, memo, { ...empty, range }, binMs);
}

/**
 * The bins of rollup cells and their lanes. Per app (an app id belongs to one device): the
 * lane's index in the bins, its device's offset and its totals. Tens of thousands of cells fall
 * in a few hundred lanes, so each is found by number and summed here; the tally gets each lane's
 * totals once, in the order first met, which is its order. A bucket's cells come app by app, so
 * the last lane is tried first.
 */
class LaneBins {
  readonly bins = new BinColumns();
  /** By the stored category: its index in the answer's categories. */
  private readonly categories = new Map<string, number>();
  private readonly seen = new Map<number, RollupLane>();
  private readonly others = new Map<string, RollupLane>();
  private readonly met: RollupLane[] = [];
  private last: RollupLane | undefined;

  constructor(private readonly offsets: Map<number, number>) {}

  /** Adds the bin of a cell that starts at `localMs` (device-local time, as ms since 1970). */
  add(
    deviceId: number,
    appId: number,
    stored: string,
    localMs: number,
    sessions: number,
    busyMs: number,
  ): void {
    if (sessions === 0) return;
    const last = this.last;
    let lane = last !== undefined && last.appId === appId ? last : this.seen.get(appId);
    if (lane === undefined || lane.deviceId !== deviceId)
      lane = rollupLane(this.seen, this.others, this.met, this.bins, this.offsets, deviceId, appId);
    this.last = lane;
    lane.sessions += sessions;
    lane.busyMs += busyMs;
    let category = this.categories.get(stored);
    if (category === undefined)
      this.categories.set(stored, (category = this.bins.category(toCategory(stored))));
    this.bins.push(lane.index, category, localMs - lane.offsetMs, sessions, busyMs);
  }

  /** The answer: the bins, of `binMs` each, and their lanes with their totals. */
  answer(db: Db, memo: CaseMemo, base: TimelineResult, binMs: number): TimelineResult {
    const lanes = new LaneTally();
    for (const l of this.met) lanes.add(l.deviceId, l.appId, l.sessions, l.busyMs);
    const laneList = describeLanes(db, memo, lanes.totals());
    return {
      ...base,
      lanes: laneList,
      mode: 'bins',
      binMs,
      bins: this.bins.columns,
      total: laneList.reduce((n, l) => n + l.sessions, 0),
    };
  }
}

/**
 * The lane of a device's app among those met so far, made when first met. An app id stands for
 * one device's app, so a cell naming another device (which no case written here holds) gets a
 * lane of its own, found again by device and app.
 */
function rollupLane(
  seen: Map<number, RollupLane>,
  others: Map<string, RollupLane>,
  met: RollupLane[],
  bins: BinColumns,
  offsets: Map<number, number>,
  deviceId: number,
  appId: number,
): RollupLane {
  const found = seen.get(appId);
  if (found !== undefined && found.deviceId === deviceId) return found;
  const key = `${deviceId}:${appId}`;
  const other = others.get(key);
  if (other) return other;
  const lane: RollupLane = {
    deviceId,
    appId,
    index: bins.lane(key),
    offsetMs: (offsets.get(deviceId) ?? 0) * 60_000,
    sessions: 0,
    busyMs: 0,
  };
  if (found === undefined) seen.set(appId, lane);
  else others.set(key, lane);
  met.push(lane);
  return lane;
}
