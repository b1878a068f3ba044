import type { HeatmapResult } from '../../../contract/api';
import type { Filter } from '../../../contract/filter';
import { appIdsSql, type SqlParam } from './sql';
import type { Db } from '../open';
import { HOUR_BUSY_COLUMNS, HOUR_COUNT_COLUMNS } from '../rollup';

/**
 * The heatmap's cells (sessions and time in use per device-local day and hour of their start)
 * from the summaries kept with the rollup, for a filter of devices, apps and categories only:
 * the day rows of each device without apps or categories, else the rollup's day cells of those
 * apps or categories through their index. Exactly what grouping the sessions gives.
 */
export function heatmapFromRollup(db: Db, filter: Filter): HeatmapResult['cells'] {
  const devices = filter.devices && filter.devices.length > 0 ? filter.devices : null;
  const apps = filter.apps && filter.apps.length > 0 ? appIdsSql(filter.apps) : null;
  const categories = filter.categories && filter.categories.length > 0 ? filter.categories : null;
  const sums = [...HOUR_COUNT_COLUMNS, ...HOUR_BUSY_COLUMNS].map((c) => `SUM(${c})`).join(', ');
  const clauses: string[] = [];
  const params: SqlParam[] = [];
  if (devices) {
    clauses.push(`device_id IN (${devices.map(() => '?').join(', ')})`);
    for (const d of devices) params.push(d);
  }
  let sql: string;
  if (!apps && !categories) {
    sql = `SELECT day, ${sums} FROM session_day_hours ${clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''}
           GROUP BY day ORDER BY day`;
  } else {
    if (apps) {
      clauses.push(`app_id IN (${apps.sql})`);
      for (const p of apps.params) params.push(p);
    }
    if (categories) {
      clauses.push(`category IN (${categories.map(() => '?').join(', ')})`);
      for (const c of categories) params.push(c);
    }
    const index = apps ? 'session_rollup_app' : 'session_rollup_category';
    sql = `SELECT bucket AS day, ${sums} FROM session_rollup INDEXED BY ${index}
           WHERE level = 1 AND ${clauses.join(' AND ')} GROUP BY bucket ORDER BY bucket`;
  }
  const cells: HeatmapResult['cells'] = [];
  for (const r of db
    .prepare(sql)
    .raw()
    .iterate(...params) as Iterable<number[]>) {
    const day = r[0]!;
    for (let h = 0; h < 24; h += 1) {
      const sessions = r[1 + h]!;
      if (sessions > 0) cells.push({ day, hour: h, sessions, busyMs: r[25 + h]! });
    }
  }
  return cells;
}
