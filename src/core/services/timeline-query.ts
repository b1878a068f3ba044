/**
 * The timeline's answer: which path serves a view (the rollup's bins, the exact sessions or
 * bins), the network spans of its lanes and the dated permission records in range.
 */
import type { TimelineResult } from '../../contract/api';
import type { Filter } from '../../contract/filter';
import type { Db } from '../db/open';
import { DAY_MS } from '../db/rollup';
import { AppError } from '../model/errors';
import { caseExtent, deviceOffsets, type CaseMemo } from './case-memo';
import { observedDevices } from './observed-days';
import type { RecordQueries } from './record-queries';
import { binSize, exactTimeline, TIMELINE_SESSION_LIMIT } from './timeline-exact';
import { laneSearchClause, withMarks } from './timeline-lanes';
import { networkSpans } from './timeline-network';
import { emptyTimeline } from './timeline-parts';
import {
  exactBinFloor,
  HOUR_BIN_SIZES,
  hourBins,
  hourBinsServe,
  rollupBins,
  rollupCount,
  rollupFilter,
  rollupServes,
} from './timeline-rollup';
import {
  minutesServeTimeline,
  rollupKeepsHalfHours,
  statesServeTimeline,
  statsServeTimeline,
} from './timeline-stats';

/** Above this many sessions in view, bins come from the rollup even when finer bins were asked for. */
const EXACT_BIN_LIMIT = 150_000;

/**
 * Above this many sessions in view, bins of whole hours come from the rollup's day cells rather
 * than from the sessions: reading tens of thousands of sessions costs more than reading the few
 * numbers of each day cell (72,000 sessions of a week of three devices at 10M: 20 ms of SQLite
 * alone), and under it the sessions are few enough to read.
 */
const HOUR_BIN_SESSIONS = 20_000;

/** What a timeline is asked for (see the bridge's `queryTimeline`). */
export interface TimelineRequest {
  filter: Filter;
  range?: { fromMs: number; toMs: number };
  width: number;
  laneSearch?: string;
  /** The lanes, by place in the answer's order, whose sessions and bins to send. */
  lanes?: { offset: number; limit: number };
}

/**
 * The timeline of a filter over a range (the case's extent without one), `width` pixels wide:
 * of every lane, or, with `lanes`, every lane's totals and the sessions and bins of those lanes
 * only, chosen as if they were the only ones.
 */
export function timeline(
  db: Db,
  memo: CaseMemo,
  records: RecordQueries,
  request: TimelineRequest,
): TimelineResult {
  const { lanes: window, ...whole } = request;
  // The whole answer sets the lanes and their order. The latest one is kept for the windows of
  // the same view: the app asks for the whole period first and then for the lanes in view, and a
  // scroll asks for the same view with other lanes. An answer of every lane is computed afresh.
  const key = JSON.stringify(whole);
  const kept = memo.get('timelineWhole', () => ({
    key: '',
    answer: null as TimelineResult | null,
  }));
  if (!window || kept.key !== key || !kept.answer) {
    kept.answer = timelineOf(db, memo, records, whole, null);
    kept.key = key;
  }
  const all = kept.answer;
  if (!window) return all;
  const shown = all.lanes.slice(window.offset, window.offset + window.limit);
  if (shown.length === all.lanes.length) return all;
  // Sessions and bins are read for the lanes that have sessions in view; the network spans and
  // permission marks of the lanes are the whole answer's (they depend on nothing else), so a
  // lane with only marks reads nothing more.
  const busy = shown.filter((l) => l.sessions > 0).map((l) => l.appId);
  const part =
    busy.length > 0
      ? timelineOf(db, memo, records, whole, busy)
      : emptyTimeline(all.extent, all.range);
  const keys = new Set(shown.map((l) => l.key));
  // Every lane keeps the whole answer's totals: the order they set, and what the others show.
  return {
    ...part,
    extent: all.extent,
    range: all.range,
    lanes: all.lanes,
    total: all.total,
    network: all.network.filter((n) => keys.has(n.lane)),
    marks: all.marks.filter((m) => keys.has(m.lane)),
    observed: all.observed,
    lanesLoaded: { offset: window.offset, count: shown.length },
  };
}

/** The timeline of every lane, or of the lanes of the apps named (`apps`, by id) only. */
function timelineOf(
  db: Db,
  memo: CaseMemo,
  records: RecordQueries,
  request: Omit<TimelineRequest, 'lanes'>,
  apps: readonly number[] | null,
): TimelineResult {
  // A device-state filter over devices with no lock or screen records keeps all sessions or
  // none: said as such, the rollup can answer it.
  const reach = deviceStateReach(db, request.filter);
  const input =
    reach === 'all'
      ? { ...request, filter: { ...request.filter, deviceStates: undefined } }
      : request;
  // Read once until the case changes, for each set of devices asked for.
  const devices = input.filter.devices ?? [];
  const kept = memo.get(`caseExtent:${devices.join(',')}`, () =>
    caseExtent(db, records, input.filter.devices),
  );
  const extent = kept && { ...kept };
  const empty = {
    ...emptyTimeline(extent, null),
    observed: observedDevices(db, input.filter, memo),
  };
  if (!extent) return empty;
  const range = input.range ?? { fromMs: extent.fromMs, toMs: extent.toMs + 1 };
  if (range.toMs <= range.fromMs) throw new AppError('INVALID_INPUT', 'The time range is empty.');
  const laneFilter = laneSearchClause(input.laneSearch, apps);
  // The permission marks of the lanes (and, of lanes with sessions, their network spans): a
  // window of lanes takes them from the whole answer, which has them already.
  const withRecords = (r: TimelineResult): TimelineResult => {
    if (apps !== null) return r;
    if (r.lanes.length > 0)
      r.network = networkSpans(db, memo, input.filter, range, new Set(r.lanes.map((l) => l.key)));
    return withMarks(db, memo, records, r, input.filter, range, laneFilter);
  };
  if (reach === 'none') return withRecords({ ...empty, range });
  const desiredBin = (range.toMs - range.fromMs) / Math.max(10, input.width / 2);

  let result: TimelineResult | null = null;
  let estimate: number | null = null;
  let cells: number | null = null;
  // A minimum duration the rollup does not count: bins from the session stats' durations,
  // counted beforehand with the rollup's next lower minimum (an overcount, as an estimate is).
  const halves = memo.get('rollupKeepsHalfHours', () => rollupKeepsHalfHours(db));
  const serves = (f: Filter): boolean => rollupServes(f, halves);
  const viaStats = statsServeTimeline(input.filter, serves);
  // An hours window not on whole hours: bins from the rollup's whole hours and the sessions of
  // the minutes left over, counted beforehand with the whole hours the window touches.
  const viaMinutes = minutesServeTimeline(input.filter, serves);
  // App states: bins from the sessions by state, counted beforehand without the states.
  const viaStates = statesServeTimeline(input.filter, serves);
  const via = viaStats ? 'stats' : viaMinutes ? 'minutes' : viaStates ? 'states' : 'rollup';
  if (serves(input.filter) || via !== 'rollup') {
    const offsets = deviceOffsets(db, memo);
    const counted = rollupCount(db, rollupFilter(input.filter, via), range, laneFilter, offsets);
    estimate = counted.sessions;
    cells = counted.cells;
    // The estimate counts whole buckets, so nothing there means nothing in view.
    if (estimate === 0) return withRecords({ ...empty, range });
    // Exact bins of a day or more would show what the rollup's day cells hold.
    const exactBin = binSize(exactBinFloor(desiredBin, range.toMs - range.fromMs, counted.cells));
    if (
      estimate > HOUR_BIN_SESSIONS &&
      via === 'rollup' &&
      desiredBin < DAY_MS &&
      HOUR_BIN_SIZES.includes(exactBin) &&
      hourBinsServe(input.filter, halves)
    ) {
      // Bins of whole hours: the day cells' hour columns hold them.
      result = hourBins(db, memo, input.filter, range, exactBin, laneFilter, offsets, empty);
    } else if (
      estimate > TIMELINE_SESSION_LIMIT &&
      (desiredBin >= DAY_MS || estimate > EXACT_BIN_LIMIT || exactBin >= DAY_MS)
    ) {
      result = rollupBins(
        db,
        memo,
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
    cells = rollupCount(
      db,
      { devices: f.devices, apps: f.apps, categories: f.categories },
      range,
      laneFilter,
      deviceOffsets(db, memo),
    ).cells;
  }
  result ??= exactTimeline(
    db,
    memo,
    input.filter,
    range,
    exactBinFloor(desiredBin, range.toMs - range.fromMs, cells ?? 0),
    laneFilter,
    empty,
    estimate,
  );
  return withRecords(result);
}

/**
 * What a device-state filter keeps when no device in view has lock or screen records (every
 * access is then of unknown state): `all` sessions when it asks for unknown, else `none`;
 * `some` when a device in view has such records (or there is no such filter).
 */
function deviceStateReach(db: Db, filter: Filter): 'all' | 'none' | 'some' {
  const choices = filter.deviceStates ?? [];
  if (choices.length === 0) return 'some';
  const devices =
    filter.devices && filter.devices.length > 0
      ? filter.devices
      : (db.prepare('SELECT id FROM devices').pluck().all() as number[]);
  const covered = db.prepare(
    "SELECT 1 FROM device_state_coverage WHERE device_id = ? AND kind IN ('lock', 'screen') LIMIT 1",
  );
  if (devices.some((d) => covered.get(d) !== undefined)) return 'some';
  return choices.includes('unknown') ? 'all' : 'none';
}
