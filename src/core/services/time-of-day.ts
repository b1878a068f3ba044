import type { TimelineResult, TimelineSession } from '../../contract/api';
import { toCategory } from '../../contract/categories';
import { BinColumns } from '../../contract/timeline-bins';
import type { Filter } from '../../contract/filter';
import { DAY_MS } from '../db/rollup';
import type { Db } from '../db/open';
import { AppError } from '../model/errors';
import { emptyTimeline, LaneTally, type LaneTotals } from './timeline-parts';
import { sessionWhere, STATE_SOURCE_SQL, STATE_SQL, whereSql } from './filter-sql';

const BIN_SIZES_MS = [1_000, 5_000, 15_000, 60_000, 300_000, 900_000, 3_600_000];

/**
 * Device-local time of day of a session's anchor, in ms since local midnight. The anchor's own
 * offset is used, so each device (and each side of a DST change) is placed in its local time.
 */
const TOD_SQL = `(((s.anchor_ms + s.anchor_offset * 60000) % ${DAY_MS}) + ${DAY_MS}) % ${DAY_MS}`;

/**
 * The timeline folded onto one day: every matching session at its device-local time of day, so
 * days overlay. Few sessions come back one by one (start and end shifted with the anchor); many
 * come back as bins of the anchors' time of day. A session that runs past midnight is drawn from
 * its start and clipped at the end of the day.
 */
export function timeOfDayTimeline(
  db: Db,
  input: { filter: Filter; range?: { fromMs: number; toMs: number }; width: number },
  opts: {
    maxDurationMs: number;
    sessionLimit: number;
    describeLanes: (lanes: LaneTotals[]) => TimelineResult['lanes'];
    sessionId: (deviceId: number, intervalKey: string) => string;
  },
): TimelineResult {
  const range = input.range ?? { fromMs: 0, toMs: DAY_MS };
  const from = Math.max(0, range.fromMs);
  const to = Math.min(DAY_MS, range.toMs);
  if (to <= from) throw new AppError('INVALID_INPUT', 'The time-of-day range is empty.');
  const w = sessionWhere(input.filter, opts.maxDurationMs);
  // A session shows when it overlaps the half-open range: its anchor before the range's end, and
  // its end (anchor plus duration) after the range's start, or the anchor itself inside it
  // (open sessions count as instants).
  const overlap = `(${TOD_SQL} < ? AND (${TOD_SQL} + COALESCE(s.duration_ms, 0) > ? OR ${TOD_SQL} >= ?))`;
  const where = whereSql(w, [overlap]);
  const params = [...w.params, to, from, from];
  const result = emptyTimeline({ fromMs: 0, toMs: DAY_MS }, { fromMs: from, toMs: to });
  const lanes = new LaneTally();
  const desiredBin = (to - from) / Math.max(10, input.width / 2);
  const binMs = BIN_SIZES_MS.find((b) => b >= desiredBin) ?? BIN_SIZES_MS.at(-1)!;
  const bins = db
    .prepare(
      `SELECT s.device_id AS deviceId, s.app_id AS appId, s.category,
              (${TOD_SQL} / ${binMs}) * ${binMs} AS startMs,
              COUNT(*) AS count, COALESCE(SUM(s.duration_ms), 0) AS busyMs
       FROM access_sessions s ${where}
       GROUP BY s.device_id, s.app_id, s.category, ${TOD_SQL} / ${binMs}`,
    )
    .all(...params) as {
    deviceId: number;
    appId: number;
    category: string;
    startMs: number;
    count: number;
    busyMs: number;
  }[];
  const total = bins.reduce((n, b) => n + b.count, 0);
  if (total > opts.sessionLimit) {
    result.mode = 'bins';
    result.binMs = binMs;
    const columns = new BinColumns();
    for (const b of bins)
      columns.push(
        columns.lane(lanes.add(b.deviceId, b.appId, b.count, b.busyMs)),
        columns.category(toCategory(b.category)),
        Math.max(from, b.startMs),
        b.count,
        b.busyMs,
      );
    result.bins = columns.columns;
  } else if (total > 0) {
    const rows = db
      .prepare(
        `SELECT s.device_id AS deviceId, s.interval_key AS intervalKey, s.app_id AS appId, s.category,
                s.start_ms AS startMs, s.end_ms AS endMs, s.anchor_ms AS anchorMs, ${TOD_SQL} AS tod,
                s.open, s.duration_ms AS durationMs, ${STATE_SQL} AS state,
                ${STATE_SOURCE_SQL} AS stateSource
         FROM access_sessions s ${where} ORDER BY tod`,
      )
      .all(...params) as {
      deviceId: number;
      intervalKey: string;
      appId: number;
      category: string;
      startMs: number | null;
      endMs: number | null;
      anchorMs: number;
      tod: number;
      open: number;
      durationMs: number | null;
      state: TimelineSession['state'];
      stateSource: TimelineSession['stateSource'];
    }[];
    // Every instant moves by the same shift as the anchor, so durations are kept.
    result.sessions = rows.map((r) => {
      const shift = r.tod - r.anchorMs;
      return {
        id: opts.sessionId(r.deviceId, r.intervalKey),
        lane: lanes.add(r.deviceId, r.appId, 1, r.durationMs ?? 0),
        category: toCategory(r.category),
        startMs: r.startMs === null ? null : r.startMs + shift,
        endMs: r.endMs === null ? null : r.endMs + shift,
        anchorMs: r.tod,
        offsetMin: 0,
        open: r.open === 1,
        state: r.state,
        stateSource: r.stateSource,
      };
    });
  }
  result.lanes = opts.describeLanes(lanes.totals());
  result.total = result.lanes.reduce((n, l) => n + l.sessions, 0);
  return result;
}
