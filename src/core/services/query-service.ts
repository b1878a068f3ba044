import type {
  AppItem,
  HeatmapResult,
  NetworkGroupsResult,
  NetworkItem,
  NetworkRowsPage,
  SessionDetails,
  SummaryItem,
  TimelineResult,
  TimelineSession,
} from '../../contract/api';
import { toCategory } from '../../contract/categories';
import { DEFAULT_NIGHT, type DayWindow, type Filter } from '../../contract/filter';
import type { Db } from '../db/open';
import { AppError } from '../model/errors';
import {
  networkWhere,
  parseRangeBound,
  SESSION_END_SQL,
  sessionWhere,
  STATE_SOURCE_SQL,
  STATE_SQL,
  whereSql,
  type SqlParam,
} from './filter-sql';
import { observedDevices } from './observed-days';
import { RecordQueries } from './record-queries';
import { timeOfDayTimeline } from './time-of-day';
import { emptyTimeline, LaneTally, type LaneTotals } from './timeline-parts';
import { BinColumns } from '../../contract/timeline-bins';
import { rollupCells, type RollupCellSink } from './rollup-cells';
import {
  caseShape,
  exactBinRows,
  minutesServeTimeline,
  rollupCountable,
  stateBinRows,
  stateless,
  statesServeTimeline,
  statsBinRows,
  statsServeTimeline,
  wholeHoursCountable,
  windowBinRows,
  windowOnRollupHours,
  windowTerms,
  rollupKeepsHalfHours,
  byDeviceSessions,
} from './timeline-stats';
import { latestOffset } from '../db/queries/device-offset';
import { heatmapFromRollup } from '../db/queries/heatmap';
import { networkLatestReady } from '../db/queries/network-latest';
import { statsServeSummary, summaryFromGroups, summaryFromStats } from '../db/queries/summary';
import { DAY_MS, DURATION_THRESHOLDS, ROLLUP_LEVELS, rollupBucket } from '../db/rollup';
import { localDayNumber } from '../../contract/time';
import { networkGroups, networkItems, networkRows } from './network-query';
import { sessionDetails } from './session-details';
import { sessionId } from './session-ids';
import { heatmapScan, summaryScan } from './session-scans';

// Moved to modules of their own; named here too for the callers that import them from here.
export { parseSessionId, sessionId } from './session-ids';
export { nightExpr } from './session-scans';

/** Above this many sessions in view, the timeline returns bins instead of sessions. */
export const TIMELINE_SESSION_LIMIT = 5_000;
/** Above this many sessions in view, bins come from the rollup even when finer bins were asked for. */
const EXACT_BIN_LIMIT = 150_000;
/** The rollup level chosen keeps the buckets in view at or under this number. */
const MAX_ROLLUP_BUCKETS = 120;
/** ...and the rows read (buckets x device, app and category cells) at or under this number. */
const MAX_ROLLUP_ROWS = 20_000;
/** How many ranges' network spans a query service keeps (see `recentSpans`). */
const RECENT_SPANS = 8;
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
function rollupServes(filter: Filter, halves = false): boolean {
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
type TimelineVia = 'rollup' | 'stats' | 'minutes' | 'states';

/**
 * The filter the rollup counts for a path: one that keeps every session the filter keeps, so
 * its counts never undercount.
 */
function rollupFilter(filter: Filter, via: TimelineVia): Filter {
  if (via === 'stats') return rollupCountable(filter);
  if (via === 'minutes') return wholeHoursCountable(filter);
  if (via === 'states') return stateless(filter);
  return filter;
}

/** The exact bin size for a least size: the first of {@link BIN_SIZES_MS} at or over it. */
function binSize(least: number): number {
  return BIN_SIZES_MS.find((b) => b >= least) ?? BIN_SIZES_MS[BIN_SIZES_MS.length - 1]!;
}

/**
 * The least bin size for exact bins: the one asked for, or wider when `cells` lanes x categories
 * over the range would give more bins than the rollup path reads ({@link MAX_ROLLUP_ROWS}).
 */
export function exactBinFloor(desiredBin: number, rangeMs: number, cells: number): number {
  return Math.max(desiredBin, (rangeMs * cells) / MAX_ROLLUP_ROWS);
}

const BIN_SIZES_MS = [
  60_000, 300_000, 900_000, 3_600_000, 10_800_000, 21_600_000, 86_400_000, 604_800_000,
  2_419_200_000, 7_257_600_000,
];

/** A lane of rollup bins as they are read: its index in the bins, its offset and its totals. */
interface RollupLane {
  deviceId: number;
  appId: number;
  index: number;
  offsetMs: number;
  sessions: number;
  busyMs: number;
}

/** Read-side queries over a case: timeline, summary, heatmap, network, session details. */
export class QueryService {
  /** Permission, network-usage and profile records (from backups). */
  readonly records: RecordQueries;

  constructor(private readonly db: Db) {
    this.records = new RecordQueries(db);
  }

  /** The longest session ever stored (kept with the rollup; never less than the current longest). */
  private maxDurationMs(): number {
    const r = this.db.prepare("SELECT value FROM case_meta WHERE key = 'max_session_ms'").get() as
      { value: string } | undefined;
    return Math.max(0, Number(r?.value ?? 0));
  }

  /** The longest span of a network row (last minus first instant), kept until the case changes. */
  private longestNetworkSpan(): number {
    return this.memo('longestNetworkSpan', () => {
      const r = this.db
        .prepare(
          'SELECT MAX(COALESCE(last_ms, first_ms) - COALESCE(first_ms, last_ms)) AS span FROM network_observations',
        )
        .get() as { span: number | null };
      return Math.max(0, r.span ?? 0);
    });
  }

  /** Where-clause for sessions matching the filter. */
  sessionFilter(filter: Filter): { where: string; params: SqlParam[] } {
    const w = sessionWhere(filter, this.maxDurationMs());
    return { where: whereSql(w), params: w.params };
  }

  /** Earliest and latest instant of the devices' sessions and network rows. */
  extent(devices?: number[]): { fromMs: number; toMs: number } | null {
    // `+device_id`: the anchor index answers MIN/MAX; the device's key index would read every row.
    const dev =
      devices && devices.length > 0
        ? `WHERE +device_id IN (${devices.map(() => '?').join(',')})`
        : '';
    const p = devices ?? [];
    const s = this.db
      // Two statements: SQLite answers a lone MIN or MAX from the index, not both together.
      .prepare(
        `SELECT (SELECT MIN(anchor_ms) FROM access_sessions ${dev}) AS a, (SELECT MAX(anchor_ms) FROM access_sessions ${dev}) AS b`,
      )
      .get(...p, ...p) as { a: number | null; b: number | null };
    const lastEnd =
      s.b === null
        ? null
        : (
            this.db
              .prepare(
                `SELECT MAX(COALESCE(end_ms, anchor_ms)) AS e FROM access_sessions ${dev ? dev + ' AND' : 'WHERE'} anchor_ms >= ?`,
              )
              .get(...p, s.b - this.maxDurationMs()) as { e: number }
          ).e;
    // Each from its own index (migration 0013): one MIN or MAX a statement.
    const n = this.db
      .prepare(
        `SELECT (SELECT MIN(COALESCE(first_ms, last_ms)) FROM network_observations ${dev}) AS a,
                (SELECT MAX(COALESCE(last_ms, first_ms)) FROM network_observations ${dev}) AS b`,
      )
      .get(...p, ...p) as { a: number | null; b: number | null };
    const marks = this.records.extent(devices);
    const lo = [s.a, n.a, marks?.fromMs ?? null].filter((v): v is number => v !== null);
    const hi = [lastEnd, n.b, marks?.toMs ?? null].filter((v): v is number => v !== null);
    if (lo.length === 0 || hi.length === 0) return null;
    return { fromMs: Math.min(...lo), toMs: Math.max(...hi) };
  }

  timeline(request: {
    filter: Filter;
    range?: { fromMs: number; toMs: number };
    width: number;
    laneSearch?: string;
  }): TimelineResult {
    // A device-state filter over devices with no lock or screen records keeps all sessions or
    // none: said as such, the rollup can answer it.
    const reach = this.deviceStateReach(request.filter);
    const input =
      reach === 'all'
        ? { ...request, filter: { ...request.filter, deviceStates: undefined } }
        : request;
    const extent = this.extent(input.filter.devices);
    const empty = {
      ...emptyTimeline(extent, null),
      observed: observedDevices(this.db, input.filter),
    };
    if (!extent) return empty;
    const range = input.range ?? { fromMs: extent.fromMs, toMs: extent.toMs + 1 };
    if (range.toMs <= range.fromMs) throw new AppError('INVALID_INPUT', 'The time range is empty.');
    const laneFilter = this.laneSearchClause(input.laneSearch);
    if (reach === 'none')
      return this.withMarks({ ...empty, range }, input.filter, range, laneFilter);
    const desiredBin = (range.toMs - range.fromMs) / Math.max(10, input.width / 2);

    let result: TimelineResult | null = null;
    let estimate: number | null = null;
    let cells: number | null = null;
    // A minimum duration the rollup does not count: bins from the session stats' durations,
    // counted beforehand with the rollup's next lower minimum (an overcount, as an estimate is).
    const halves = rollupKeepsHalfHours(this.db);
    const serves = (f: Filter): boolean => rollupServes(f, halves);
    const viaStats = statsServeTimeline(input.filter, serves);
    // An hours window not on whole hours: bins from the rollup's whole hours and the sessions of
    // the minutes left over, counted beforehand with the whole hours the window touches.
    const viaMinutes = minutesServeTimeline(input.filter, serves);
    // App states: bins from the sessions by state, counted beforehand without the states.
    const viaStates = statesServeTimeline(input.filter, serves);
    const via = viaStats ? 'stats' : viaMinutes ? 'minutes' : viaStates ? 'states' : 'rollup';
    if (serves(input.filter) || via !== 'rollup') {
      const offsets = this.deviceOffsets();
      const counted = this.rollupCount(rollupFilter(input.filter, via), range, laneFilter, offsets);
      estimate = counted.sessions;
      cells = counted.cells;
      // The estimate counts whole buckets, so nothing there means nothing in view.
      if (estimate === 0)
        return this.withMarks({ ...empty, range }, input.filter, range, laneFilter);
      // Exact bins of a day or more would show what the rollup's day cells hold.
      const exactBin = binSize(exactBinFloor(desiredBin, range.toMs - range.fromMs, counted.cells));
      if (
        estimate > TIMELINE_SESSION_LIMIT &&
        (desiredBin >= DAY_MS || estimate > EXACT_BIN_LIMIT || exactBin >= DAY_MS)
      ) {
        result = this.rollupBins(
          input.filter,
          range,
          desiredBin,
          laneFilter,
          offsets,
          counted.cells,
          empty,
          via,
        );
      }
      // The exact path counts the sessions itself rather than trust an overcount.
      if (via !== 'rollup') estimate = null;
    }
    if (!result && cells === null) {
      // Lanes and categories in view, from the rollup with the filter's devices, apps and
      // categories: at least as many as the full filter leaves.
      const f = input.filter;
      cells = this.rollupCount(
        { devices: f.devices, apps: f.apps, categories: f.categories },
        range,
        laneFilter,
        this.deviceOffsets(),
      ).cells;
    }
    result ??= this.exactTimeline(
      input.filter,
      range,
      exactBinFloor(desiredBin, range.toMs - range.fromMs, cells ?? 0),
      laneFilter,
      empty,
      estimate,
    );
    result.network = this.networkSpans(
      input.filter,
      range,
      new Set(result.lanes.map((l) => l.key)),
    );
    return this.withMarks(result, input.filter, range, laneFilter);
  }

  /**
   * What a device-state filter keeps when no device in view has lock or screen records (every
   * access is then of unknown state): `all` sessions when it asks for unknown, else `none`;
   * `some` when a device in view has such records (or there is no such filter).
   */
  private deviceStateReach(filter: Filter): 'all' | 'none' | 'some' {
    const choices = filter.deviceStates ?? [];
    if (choices.length === 0) return 'some';
    const devices =
      filter.devices && filter.devices.length > 0
        ? filter.devices
        : (this.db.prepare('SELECT id FROM devices').pluck().all() as number[]);
    const covered = this.db.prepare(
      "SELECT 1 FROM device_state_coverage WHERE device_id = ? AND kind IN ('lock', 'screen') LIMIT 1",
    );
    if (devices.some((d) => covered.get(d) !== undefined)) return 'some';
    return choices.includes('unknown') ? 'all' : 'none';
  }

  /** The timeline folded onto one device-local day (days overlaid). */
  timeOfDay(input: {
    filter: Filter;
    range?: { fromMs: number; toMs: number };
    width: number;
  }): TimelineResult {
    return timeOfDayTimeline(this.db, input, {
      maxDurationMs: this.maxDurationMs(),
      sessionLimit: TIMELINE_SESSION_LIMIT,
      describeLanes: (lanes) => this.describeLanes(lanes),
      sessionId,
    });
  }

  /** Adds the dated permission records in range, and lanes for apps that have only those. */
  private withMarks(
    result: TimelineResult,
    filter: Filter,
    range: { fromMs: number; toMs: number },
    laneFilter: { sql: string[]; params: SqlParam[] },
  ): TimelineResult {
    const { marks, lanes } = this.records.marks(filter, range, laneFilter);
    if (marks.length === 0) return result;
    const known = new Set(result.lanes.map((l) => l.key));
    const extra = this.describeLanes(
      lanes
        .filter((l) => !known.has(l.key))
        .map((l) => ({ deviceId: l.deviceId, appId: l.appId, sessions: 0, totalMs: 0 })),
    );
    return { ...result, range: result.range ?? range, lanes: [...result.lanes, ...extra], marks };
  }

  private laneSearchClause(search: string | undefined): { sql: string[]; params: SqlParam[] } {
    if (!search || search.trim() === '') return { sql: [], params: [] };
    const like = `%${search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return {
      sql: [
        "app_id IN (SELECT id FROM apps WHERE identifier LIKE ? ESCAPE '\\' OR display_name LIKE ? ESCAPE '\\' OR search_names LIKE ? ESCAPE '\\')",
      ],
      params: [like, like, like.toLowerCase()],
    };
  }

  /** Per device, the UTC offset of its latest session: where its local-day buckets sit on the time axis. */
  private deviceOffsets(): Map<number, number> {
    return this.memo('deviceOffsets', () => {
      const devices = this.db.prepare('SELECT id FROM devices').all() as { id: number }[];
      return new Map(devices.map((d) => [d.id, latestOffset(this.db, d.id) ?? 0]));
    });
  }

  private memoKey = '';
  private readonly memos = new Map<string, unknown>();

  /**
   * Caches a value until the case changes: SQLite's data_version moves when another connection
   * commits (the import worker, the CLI), total_changes() when this one writes.
   */
  private memo<T>(name: string, compute: () => T): T {
    const t = (this.db.prepare('SELECT total_changes() AS t').get() as { t: number }).t;
    const key = `${String(this.db.pragma('data_version', { simple: true }))}:${t}`;
    if (key !== this.memoKey) {
      this.memos.clear();
      this.memoKey = key;
    }
    if (!this.memos.has(name)) this.memos.set(name, compute());
    return this.memos.get(name) as T;
  }

  /** Rollup rows of one level in the range (as device-local days) that match the filter. */
  private rollupRows(
    filter: Filter,
    range: { fromMs: number; toMs: number },
    level: number,
    lane: { sql: string[]; params: SqlParam[] },
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
    if (widen) fromDay -= Math.ceil(this.maxDurationMs() / DAY_MS);
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
  private rollupCount(
    filter: Filter,
    range: { fromMs: number; toMs: number },
    lane: { sql: string[]; params: SqlParam[] },
    offsets: Map<number, number>,
  ): { sessions: number; cells: number } {
    // The finest level that keeps the buckets read few; whole buckets at the edges overcount.
    const span = range.toMs - range.fromMs;
    const level =
      ROLLUP_LEVELS.find((l) => span / (l * DAY_MS) <= ESTIMATE_BUCKETS) ??
      ROLLUP_LEVELS[ROLLUP_LEVELS.length - 1]!;
    const q = this.rollupRows(filter, range, level, lane, offsets, true);
    if (q.empty) return { sessions: 0, cells: 0 };
    const r = this.db
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
  private rollupBins(
    filter: Filter,
    range: { fromMs: number; toMs: number },
    desiredBin: number,
    lane: { sql: string[]; params: SqlParam[] },
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
    const q = this.rollupRows(rollupFilter(filter, via), range, level, lane, offsets);
    const bins = new BinColumns();
    // By the stored category: its index in the answer's categories.
    const categories = new Map<string, number>();
    // Per app (an app id belongs to one device): the lane's index in the bins, its device's
    // offset and its totals. Tens of thousands of cells fall in a few hundred lanes, so each is
    // found by number and summed here; the tally gets each lane's totals once, in the order
    // first met, which is its order. A bucket's cells come app by app, so the last lane is
    // tried first.
    const seen = new Map<number, RollupLane>();
    const others = new Map<string, RollupLane>();
    const met: RollupLane[] = [];
    const dayMs = level * DAY_MS;
    let last: RollupLane | undefined;
    const add: RollupCellSink = (deviceId, appId, stored, bucket, sessions, busyMs) => {
      if (sessions === 0) return;
      let lane = last !== undefined && last.appId === appId ? last : seen.get(appId);
      if (lane === undefined || lane.deviceId !== deviceId)
        lane = this.rollupLane(seen, others, met, bins, offsets, deviceId, appId);
      last = lane;
      lane.sessions += sessions;
      lane.busyMs += busyMs;
      let category = categories.get(stored);
      if (category === undefined)
        categories.set(stored, (category = bins.category(toCategory(stored))));
      // A local-day bucket starts at that day's local midnight, placed with the device's offset.
      bins.push(lane.index, category, bucket * dayMs - lane.offsetMs, sessions, busyMs);
    };
    if (!q.empty) {
      if (via === 'rollup')
        rollupCells(
          this.db,
          { ...q, from: `${q.table} ${q.where}` },
          this.memo('caseShape', () => caseShape(this.db)),
          add,
        );
      else
        for (const r of via === 'stats'
          ? statsBinRows(this.db, filter, level, q.fromBucket, q.toBucket, lane)
          : via === 'minutes'
            ? windowBinRows(this.db, filter, level, q.fromBucket, q.toBucket, lane)
            : stateBinRows(this.db, filter, level, q.fromBucket, q.toBucket, lane))
          add(r.deviceId, r.appId, r.category, r.bucket, r.sessions, r.busyMs);
    }
    const lanes = new LaneTally();
    for (const l of met) lanes.add(l.deviceId, l.appId, l.sessions, l.busyMs);
    const laneList = this.describeLanes(lanes.totals());
    return {
      ...empty,
      range,
      lanes: laneList,
      mode: 'bins',
      binMs: level * DAY_MS,
      bins: bins.columns,
      total: laneList.reduce((n, l) => n + l.sessions, 0),
    };
  }

  /**
   * The lane of a device's app among those met so far, made when first met. An app id stands for
   * one device's app, so a cell naming another device (which no case written here holds) gets a
   * lane of its own, found again by device and app.
   */
  private rollupLane(
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

  /** Adds labels to lane totals and sorts them by activity. */
  private describeLanes(lanes: LaneTotals[]): TimelineResult['lanes'] {
    if (lanes.length === 0) return [];
    const apps = this.memo(
      'apps',
      () =>
        new Map(
          (
            this.db
              .prepare(
                'SELECT a.id, a.identifier, a.display_name AS name, d.label FROM apps a JOIN devices d ON d.id = a.device_id',
              )
              .all() as { id: number; identifier: string; name: string | null; label: string }[]
          ).map((a) => [a.id, a]),
        ),
    );
    return lanes
      .map((l) => {
        const a = apps.get(l.appId);
        return {
          key: `${l.deviceId}:${l.appId}`,
          deviceId: l.deviceId,
          deviceLabel: a?.label ?? '',
          appId: l.appId,
          app: a?.identifier ?? '',
          appName: a?.name ?? null,
          sessions: l.sessions,
          totalMs: l.totalMs,
        };
      })
      .sort(
        (x, y) => y.sessions - x.sessions || y.totalMs - x.totalMs || x.app.localeCompare(y.app),
      );
  }

  /**
   * The exact view from the sessions: every session when few, else bins of the desired size.
   * `estimate` (from the rollup, never an undercount) saves the counting pass when it decides.
   */
  private exactTimeline(
    filter: Filter,
    range: { fromMs: number; toMs: number },
    desiredBin: number,
    lane: { sql: string[]; params: SqlParam[] },
    empty: TimelineResult,
    estimate: number | null,
  ): TimelineResult {
    const maxDur = this.maxDurationMs();
    const w = sessionWhere(filter, maxDur);
    const rangeClauses = [
      's.anchor_ms < ?',
      's.anchor_ms > ?',
      `(${SESSION_END_SQL} > ? OR s.anchor_ms >= ?)`,
    ];
    const where = whereSql(w, [...rangeClauses, ...lane.sql.map((c) => `s.${c}`)]);
    const params = [
      ...w.params,
      range.toMs,
      range.fromMs - maxDur - 1,
      range.fromMs,
      range.fromMs,
      ...lane.params,
    ];
    let few = estimate !== null && estimate <= TIMELINE_SESSION_LIMIT;
    if (estimate === null) {
      // Counting stops one past the limit: whether there are more is all that is asked.
      const n = this.db
        .prepare(
          `SELECT COUNT(*) AS n FROM (SELECT 1 FROM access_sessions s ${where} LIMIT ${TIMELINE_SESSION_LIMIT + 1})`,
        )
        .get(...params) as { n: number };
      few = n.n <= TIMELINE_SESSION_LIMIT;
    }
    const lanes = new LaneTally();
    const result: TimelineResult = { ...empty, range };
    if (few) {
      const rows = this.db
        .prepare(
          `SELECT s.device_id AS deviceId, s.interval_key AS intervalKey, s.app_id AS appId, s.category,
                  s.start_ms AS startMs, s.end_ms AS endMs, s.anchor_ms AS anchorMs, s.anchor_offset AS offsetMin,
                  s.open, s.duration_ms AS durationMs, ${STATE_SQL} AS state,
                  ${STATE_SOURCE_SQL} AS stateSource
           FROM access_sessions s ${where} ORDER BY s.anchor_ms`,
        )
        .all(...params) as {
        deviceId: number;
        intervalKey: string;
        appId: number;
        category: string;
        startMs: number | null;
        endMs: number | null;
        anchorMs: number;
        offsetMin: number;
        open: number;
        durationMs: number | null;
        state: TimelineSession['state'];
        stateSource: TimelineSession['stateSource'];
      }[];
      result.sessions = rows.map((r) => ({
        id: sessionId(r.deviceId, r.intervalKey),
        lane: lanes.add(r.deviceId, r.appId, 1, r.durationMs ?? 0),
        category: toCategory(r.category),
        startMs: r.startMs,
        endMs: r.endMs,
        anchorMs: r.anchorMs,
        offsetMin: r.offsetMin,
        open: r.open === 1,
        state: r.state,
        stateSource: r.stateSource,
      }));
    } else {
      const binMs = binSize(desiredBin);
      result.mode = 'bins';
      result.binMs = binMs;
      const rows = exactBinRows(
        this.db,
        this.byDevice(filter)
          ? byDeviceSessions({ where, params }, filter.devices!)
          : { where, params },
        binMs,
        { above: range.fromMs - maxDur - 1, below: range.toMs },
        this.memo('caseShape', () => caseShape(this.db)),
      );
      const bins = new BinColumns(rows.length);
      for (const r of rows)
        bins.push(
          bins.lane(lanes.add(r.deviceId, r.appId, r.count, r.busyMs)),
          bins.category(toCategory(r.category)),
          r.startMs,
          r.count,
          r.busyMs,
        );
      result.bins = bins.columns;
    }
    result.lanes = this.describeLanes(lanes.totals());
    result.total = result.lanes.reduce((n, l) => n + l.sessions, 0);
    return result;
  }

  /**
   * Whether the exact bins read the sessions through the index by device and instant: a filter of
   * devices, and of categories at most (what else a filter asks is not in that index), on a case
   * that has it.
   */
  private byDevice(filter: Filter): boolean {
    if (!filter.devices || filter.devices.length === 0) return false;
    const others = Object.entries(filter).some(
      ([k, v]) =>
        k !== 'devices' &&
        k !== 'categories' &&
        v !== undefined &&
        v !== null &&
        !(Array.isArray(v) && v.length === 0),
    );
    return (
      !others &&
      this.memo(
        'deviceAnchorIndex',
        () =>
          this.db
            .prepare(
              "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'access_sessions_device_anchor'",
            )
            .get() !== undefined,
      )
    );
  }

  private networkSpans(
    filter: Filter,
    range: { fromMs: number; toMs: number },
    laneKeys: Set<string>,
  ): TimelineResult['network'] {
    const spans =
      !(filter.tags && filter.tags.length > 0) && filter.starred !== true
        ? this.recentSpans(filter, range)
        : null;
    return (spans ?? this.networkSpansFromRows(filter, range)).filter((n) => laneKeys.has(n.lane));
  }

  /**
   * The kept network spans of a range for the filter's devices, apps and dates, as last read for
   * them: the spans do not change with the filter's other fields (categories, hours, durations,
   * states), so a view that changes only those reads them once. The last few are kept, until the
   * case changes.
   */
  private recentSpans(
    filter: Filter,
    range: { fromMs: number; toMs: number },
  ): TimelineResult['network'] | null {
    const recent = this.memo(
      'networkSpans',
      () => new Map<string, TimelineResult['network'] | null>(),
    );
    const key = JSON.stringify([
      filter.devices ?? [],
      filter.apps ?? [],
      filter.from ?? null,
      filter.to ?? null,
      range.fromMs,
      range.toMs,
    ]);
    const kept = recent.get(key);
    if (kept !== undefined) {
      // Most recently used last: the first is the one to let go.
      recent.delete(key);
      recent.set(key, kept);
      return kept;
    }
    const spans = this.keptNetworkSpans(filter, range);
    recent.set(key, spans);
    if (recent.size > RECENT_SPANS) recent.delete(recent.keys().next().value!);
    return spans;
  }

  /**
   * Network spans from those kept per snapshot and app (`network_spans`): a snapshot whose rows all
   * overlap the range gives its kept figures, one none of whose rows do is skipped, and only one
   * that straddles an end of the range is read row by row. Null when they cannot be kept current
   * (a read-only case changed since).
   */
  private keptNetworkSpans(
    filter: Filter,
    range: { fromMs: number; toMs: number },
  ): TimelineResult['network'] | null {
    const devices =
      filter.devices && filter.devices.length > 0
        ? filter.devices
        : (this.db.prepare('SELECT id FROM devices').pluck().all() as number[]);
    if (!networkLatestReady(this.db, devices)) return null;
    // The filter's date range bounds the rows as the view's range does: the two together.
    let fromMs = range.fromMs;
    let toMs = range.toMs;
    const w = networkWhere({ devices: filter.devices, apps: filter.apps });
    if (filter.to) {
      const b = parseRangeBound(filter.to);
      toMs = Math.min(toMs, b.kind === 'instant' ? b.ms : b.localMs + 14 * 3_600_000);
    }
    if (filter.from) {
      const b = parseRangeBound(filter.from);
      fromMs = Math.max(fromMs, b.kind === 'instant' ? b.ms : b.localMs - 14 * 3_600_000);
    }
    const kept = this.db
      .prepare(
        `SELECT n.device_id AS deviceId, n.app_id AS appId, n.source_id AS sourceId, n.start_min AS startMin,
                n.start_max AS startMax, n.end_min AS endMin, n.end_max AS endMax, n.hits, n.domains
         FROM network_spans n ${whereSql(w, ['n.start_min < ?', 'n.end_max >= ?'])}`,
      )
      .all(...w.params, toMs, fromMs) as {
      deviceId: number;
      appId: number;
      sourceId: number;
      startMin: number;
      startMax: number;
      endMin: number;
      endMax: number;
      hits: number;
      domains: number;
    }[];
    // A snapshot straddling an end of the range is read row by row: all its apps at once, as
    // the rows are found by their source.
    const straddling = this.db.prepare(
      `SELECT app_id AS appId, MIN(COALESCE(first_ms, last_ms)) AS firstMs,
              MAX(COALESCE(last_ms, first_ms)) AS lastMs, SUM(COALESCE(hits, 0)) AS hits,
              COUNT(DISTINCT domain_lower) AS domains
       FROM network_observations INDEXED BY network_observations_source
       WHERE source_id = ? AND COALESCE(first_ms, last_ms) < ? AND COALESCE(last_ms, first_ms) >= ?
       GROUP BY app_id`,
    );
    const apart = new Map<number, Set<number>>();
    for (const k of kept)
      if (!(k.startMax < toMs && k.endMin >= fromMs)) {
        const apps = apart.get(k.sourceId) ?? new Set<number>();
        apps.add(k.appId);
        apart.set(k.sourceId, apps);
      }
    const read = new Map<string, TimelineResult['network'][number]>();
    for (const [sourceId, apps] of apart)
      for (const r of straddling.all(sourceId, toMs, fromMs) as {
        appId: number;
        firstMs: number;
        lastMs: number;
        hits: number;
        domains: number;
      }[])
        if (apps.has(r.appId))
          read.set(`${sourceId}:${r.appId}`, {
            lane: '',
            firstMs: r.firstMs,
            lastMs: r.lastMs,
            hits: r.hits,
            domains: r.domains,
          });
    const out: TimelineResult['network'] = [];
    for (const k of kept) {
      const lane = `${k.deviceId}:${k.appId}`;
      if (k.startMax < toMs && k.endMin >= fromMs) {
        out.push({ lane, firstMs: k.startMin, lastMs: k.endMax, hits: k.hits, domains: k.domains });
        continue;
      }
      const r = read.get(`${k.sourceId}:${k.appId}`);
      if (r) out.push({ ...r, lane });
    }
    return out;
  }

  /** Network spans grouped from the rows in view: the reference of the kept spans. */
  private networkSpansFromRows(
    filter: Filter,
    range: { fromMs: number; toMs: number },
  ): TimelineResult['network'] {
    const nw = networkWhere(filter);
    // A row overlapping the range starts at most the longest row's span before it: the start
    // index reads those rows only.
    const net = this.db
      .prepare(
        `SELECT n.device_id AS deviceId, n.app_id AS appId, MIN(COALESCE(n.first_ms, n.last_ms)) AS firstMs,
                MAX(COALESCE(n.last_ms, n.first_ms)) AS lastMs, SUM(COALESCE(n.hits, 0)) AS hits,
                COUNT(DISTINCT n.domain_lower) AS domains
         FROM network_observations n ${whereSql(nw, [
           'COALESCE(n.first_ms, n.last_ms) < ?',
           'COALESCE(n.first_ms, n.last_ms) >= ?',
           'COALESCE(n.last_ms, n.first_ms) >= ?',
         ])}
         GROUP BY n.device_id, n.app_id, n.source_id`,
      )
      .all(...nw.params, range.toMs, range.fromMs - this.longestNetworkSpan(), range.fromMs) as {
      deviceId: number;
      appId: number;
      firstMs: number;
      lastMs: number;
      hits: number;
      domains: number;
    }[];
    return net.map((r) => ({
      lane: `${r.deviceId}:${r.appId}`,
      firstMs: r.firstMs,
      lastMs: r.lastMs,
      hits: r.hits,
      domains: r.domains,
    }));
  }

  /**
   * Sessions per device, app and category: when the filter names only devices, apps and
   * categories, from the groups kept per device (see `summaryFromGroups`), or while those are
   * stale from the session stats (see `summaryFromStats`); else from the sessions.
   */
  summary(
    filter: Filter,
    night: DayWindow = DEFAULT_NIGHT,
    path: 'auto' | 'scan' = 'auto',
  ): SummaryItem[] {
    if (path === 'auto' && statsServeSummary(filter))
      return this.db.transaction(
        () =>
          summaryFromGroups(this.db, filter, night) ??
          summaryFromStats(this.db, filter, night, this.maxDurationMs()),
      )();
    return summaryScan(this.db, this.sessionFilter(filter), night);
  }

  /**
   * Sessions per device-local day and hour: from the summaries kept with the rollup when the
   * filter names only devices, apps and categories (see `heatmapFromRollup`), else from the
   * sessions (the reference path).
   */
  heatmap(filter: Filter, path: 'auto' | 'scan' = 'auto'): HeatmapResult {
    const cells =
      path === 'auto' && statsServeSummary(filter)
        ? heatmapFromRollup(this.db, filter)
        : heatmapScan(this.db, this.sessionFilter(filter));
    const observed = observedDevices(this.db, filter);
    // The grid spans the observed days as well as the cells, so a day the app was quiet on reads
    // as observed and a day without any access log as "no data". Without a cell nothing is drawn.
    let lo = Infinity;
    let hi = -Infinity;
    for (const c of cells) {
      lo = Math.min(lo, c.day);
      hi = Math.max(hi, c.day);
    }
    if (cells.length > 0)
      for (const o of observed) {
        const first = o.ranges[0];
        const last = o.ranges.at(-1);
        if (first) lo = Math.min(lo, first[0]);
        if (last) hi = Math.max(hi, last[1]);
      }
    return {
      fromDay: Number.isFinite(lo) ? lo : null,
      toDay: Number.isFinite(hi) ? hi : null,
      cells,
      observed,
    };
  }

  /** Network rows: see `networkItems`. */
  network(
    filter: Filter,
    snapshots: 'latest' | 'all' = 'latest',
    path: 'auto' | 'scan' = 'auto',
  ): NetworkItem[] {
    return networkItems(this.db, filter, snapshots, path);
  }

  /** The Network view's groups: see `networkGroups`. */
  networkGroups(filter: Filter, snapshots: 'latest' | 'all' = 'latest'): NetworkGroupsResult {
    return networkGroups(this.db, filter, snapshots);
  }

  /** A page of one Network group's rows: see `networkRows`. */
  networkRows(args: Parameters<typeof networkRows>[1]): NetworkRowsPage {
    return networkRows(this.db, args);
  }

  apps(deviceIds?: number[]): AppItem[] {
    const dev =
      deviceIds && deviceIds.length > 0
        ? `WHERE a.device_id IN (${deviceIds.map(() => '?').join(',')})`
        : '';
    return this.db
      .prepare(
        // Session counts from the coarsest rollup level, which holds every session once.
        `SELECT a.id, a.device_id AS deviceId, a.identifier, a.display_name AS displayName,
                COALESCE(n.sessions, 0) AS sessions
         FROM apps a LEFT JOIN (SELECT app_id, SUM(sessions) AS sessions FROM session_rollup
                                WHERE level = 28 GROUP BY app_id) n ON n.app_id = a.id
         ${dev} ORDER BY sessions DESC, a.identifier`,
      )
      .all(...(deviceIds ?? [])) as AppItem[];
  }

  /** One session's details: see `sessionDetails`. */
  session(id: string): SessionDetails {
    return sessionDetails(this.db, id);
  }
}
