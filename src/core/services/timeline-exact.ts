/**
 * The exact timeline, read from the sessions themselves: every session in view when few, else
 * bins of one of a few fixed sizes per lane and category.
 */
import type { TimelineResult, TimelineSession } from '../../contract/api';
import { toCategory } from '../../contract/categories';
import type { Filter } from '../../contract/filter';
import { BinColumns } from '../../contract/timeline-bins';
import type { Db } from '../db/open';
import { maxDurationMs, type CaseMemo } from './case-memo';
import { SESSION_END_SQL, sessionWhere, STATE_SOURCE_SQL, STATE_SQL, whereSql } from './filter-sql';
import { sessionId } from './session-ids';
import { describeLanes, type LaneFilter } from './timeline-lanes';
import { LaneTally } from './timeline-parts';
import { byDeviceSessions, caseShape, exactBins } from './timeline-stats';

/** Above this many sessions in view, the timeline returns bins instead of sessions. */
export const TIMELINE_SESSION_LIMIT = 5_000;

/** The exact bin size for a least size: the first of {@link BIN_SIZES_MS} at or over it. */
export function binSize(least: number): number {
  return BIN_SIZES_MS.find((b) => b >= least) ?? BIN_SIZES_MS[BIN_SIZES_MS.length - 1]!;
}

const BIN_SIZES_MS = [
  60_000, 300_000, 900_000, 3_600_000, 10_800_000, 21_600_000, 86_400_000, 604_800_000,
  2_419_200_000, 7_257_600_000,
];

/**
 * The exact view from the sessions: every session when few, else bins of the desired size.
 * `estimate` (from the rollup, never an undercount) saves the counting pass when it decides.
 */
export function exactTimeline(
  db: Db,
  memo: CaseMemo,
  filter: Filter,
  range: { fromMs: number; toMs: number },
  desiredBin: number,
  lane: LaneFilter,
  empty: TimelineResult,
  estimate: number | null,
): TimelineResult {
  const maxDur = maxDurationMs(db);
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
    const n = db
      .prepare(
        `SELECT COUNT(*) AS n FROM (SELECT 1 FROM access_sessions s ${where} LIMIT ${TIMELINE_SESSION_LIMIT + 1})`,
      )
      .get(...params) as { n: number };
    few = n.n <= TIMELINE_SESSION_LIMIT;
  }
  const lanes = new LaneTally();
  const result: TimelineResult = { ...empty, range };
  if (few) {
    const rows = db
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
    const bins = new BinColumns();
    exactBins(
      db,
      byDevice(db, memo, filter)
        ? byDeviceSessions({ where, params }, filter.devices!)
        : { where, params },
      binMs,
      { above: range.fromMs - maxDur - 1, below: range.toMs },
      memo.get('caseShape', () => caseShape(db)),
      {},
      (deviceId, appId, category, startMs, count, busyMs) =>
        bins.push(
          bins.lane(lanes.add(deviceId, appId, count, busyMs)),
          bins.category(toCategory(category)),
          startMs,
          count,
          busyMs,
        ),
      (n) => bins.reserve(n),
    );
    result.bins = bins.columns;
  }
  result.lanes = describeLanes(db, memo, lanes.totals());
  result.total = result.lanes.reduce((n, l) => n + l.sessions, 0);
  return result;
}

/**
 * Whether the exact bins read the sessions through the index by device and instant: a filter of
 * devices, and of categories at most (what else a filter asks is not in that index), on a case
 * that has it.
 */
function byDevice(db: Db, memo: CaseMemo, filter: Filter): boolean {
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
    memo.get(
      'deviceAnchorIndex',
      () =>
        db
          .prepare(
            "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'access_sessions_device_anchor'",
          )
          .get() !== undefined,
    )
  );
}
