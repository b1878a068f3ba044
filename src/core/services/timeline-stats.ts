// Timeline bins for a minimum duration the rollup does not count (it keeps a few thresholds): the
// session stats hold every closed session's duration per device, bucket of device-local days, app
// and category, in ascending order, so the sessions at or over any minimum and their time in use
// are read from those lists instead of from every session.
import { DURATION_THRESHOLDS } from '../db/rollup';
import type { Filter } from '../../contract/filter';
import type { Db } from '../db/open';
import { decodeStatsCells, DurationScratch } from '../db/session-stats';
import { appIdsSql, type SqlParam } from './filter-sql';

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

/** The index of the first value at or over `least` in ascending `values`. */
export function lowerBound(values: Float64Array, least: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < least) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
  const rows = db
    .prepare(
      `SELECT device_id, bucket, cells FROM session_stats WHERE level = ? AND bucket >= ? AND bucket <= ?
       ${devices ? `AND device_id IN (${devices.map(() => '?').join(', ')})` : ''}`,
    )
    .raw()
    .iterate(level, fromBucket, toBucket, ...(devices ?? [])) as IterableIterator<
    [number, number, Uint8Array]
  >;
  const out: BinRow[] = [];
  const scratch = new DurationScratch();
  for (const [deviceId, bucket, blob] of rows) {
    scratch.reset();
    decodeStatsCells(
      blob,
      (c) => {
        if (apps !== null && !apps.has(c.appId)) return;
        if (categories !== null && !categories.has(c.category)) return;
        const d = c.durations;
        const first = lowerBound(d, minMs);
        if (first >= d.length) return;
        let busyMs = 0;
        for (let i = first; i < d.length; i += 1) busyMs += d[i]!;
        out.push({
          deviceId,
          appId: c.appId,
          category: c.category,
          bucket,
          sessions: d.length - first,
          busyMs,
        });
      },
      scratch,
    );
  }
  return out;
}
