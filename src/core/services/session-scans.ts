import type { HeatmapResult, SummaryItem } from '../../contract/api';
import { toCategory } from '../../contract/categories';
import { minutesOfDay, type DayWindow } from '../../contract/filter';
import type { Db } from '../db/open';
import type { SqlParam } from './filter-sql';

// Packs an instant and its offset into one sortable integer so MIN/MAX keep the pair together.
const PACK = 2048;
const OFFSET_BIAS = 1024;
const unpack = (v: number | null): { ms: number; offsetMin: number } | null =>
  v === null ? null : { ms: Math.floor(v / PACK), offsetMin: (v % PACK) - OFFSET_BIAS };

/** Night window clause on `s.anchor_minute` (start inclusive, end exclusive, wrapping). */
export function nightExpr(night: DayWindow): { sql: string; params: SqlParam[] } {
  const a = minutesOfDay(night.from);
  const b = minutesOfDay(night.to);
  if (a === b) return { sql: '1', params: [] };
  return a < b
    ? { sql: '(s.anchor_minute >= ? AND s.anchor_minute < ?)', params: [a, b] }
    : { sql: '(s.anchor_minute >= ? OR s.anchor_minute < ?)', params: [a, b] };
}

/** The summary from every matching session: the reference the stats path is tested against. */
export function summaryScan(
  db: Db,
  sessions: { where: string; params: SqlParam[] },
  night: DayWindow,
): SummaryItem[] {
  const { where, params } = sessions;
  const n = nightExpr(night);
  const rows = db
    .prepare(
      `SELECT s.device_id AS deviceId, d.label AS device, s.app_id AS appId, a.identifier AS app,
              a.display_name AS appName, s.category, COUNT(*) AS sessions, SUM(s.open) AS openSessions,
              SUM(CASE WHEN s.open = 0 THEN s.duration_ms END) AS totalMs,
              MAX(CASE WHEN s.open = 0 THEN s.duration_ms END) AS longestMs,
              SUM(CASE WHEN ${n.sql} THEN 1 ELSE 0 END) AS nightSessions,
              MIN(s.anchor_ms * ${PACK} + s.anchor_offset + ${OFFSET_BIAS}) AS firstPacked,
              MAX(COALESCE(s.end_ms, s.start_ms) * ${PACK} + COALESCE(s.end_offset, s.start_offset) + ${OFFSET_BIAS}) AS lastPacked
       FROM access_sessions s JOIN apps a ON a.id = s.app_id JOIN devices d ON d.id = s.device_id
       ${where}
       GROUP BY s.device_id, s.app_id, s.category
       ORDER BY d.label, a.identifier, s.category`,
    )
    .all(...n.params, ...params) as (Omit<SummaryItem, 'first' | 'last' | 'category'> & {
    category: string;
    firstPacked: number | null;
    lastPacked: number | null;
  })[];
  return rows.map(({ firstPacked, lastPacked, ...r }) => ({
    ...r,
    category: toCategory(r.category),
    first: unpack(firstPacked),
    last: unpack(lastPacked),
  }));
}

/** The heatmap's cells grouped from every matching session. */
export function heatmapScan(
  db: Db,
  sessions: { where: string; params: SqlParam[] },
): HeatmapResult['cells'] {
  const { where, params } = sessions;
  return db
    .prepare(
      `SELECT s.local_day AS day, s.anchor_minute / 60 AS hour, COUNT(*) AS sessions,
              COALESCE(SUM(s.duration_ms), 0) AS busyMs
       FROM access_sessions s ${where} GROUP BY s.local_day, s.anchor_minute / 60 ORDER BY day, hour`,
    )
    .all(...params) as HeatmapResult['cells'];
}
