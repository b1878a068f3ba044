/**
 * The timeline's lanes (one a device's app): their labels and order, the search that narrows
 * them, and the lanes of apps that have only dated permission records.
 */
import type { TimelineResult } from '../../contract/api';
import type { Filter } from '../../contract/filter';
import type { Db } from '../db/open';
import type { CaseMemo } from './case-memo';
import type { SqlParam } from './filter-sql';
import type { RecordQueries } from './record-queries';
import type { LaneTotals } from './timeline-parts';

/** Clauses on a session's or a rollup cell's app that keep the lanes a search names. */
export interface LaneFilter {
  sql: string[];
  params: SqlParam[];
}

/**
 * The clauses keeping the apps whose identifier or names hold the search (none without one), and
 * of those the apps named by id (`apps`: the lanes asked for; all without).
 */
export function laneSearchClause(
  search: string | undefined,
  apps: readonly number[] | null = null,
): LaneFilter {
  const only: LaneFilter =
    apps === null
      ? { sql: [], params: [] }
      : { sql: [`app_id IN (${apps.map(() => '?').join(', ') || 'NULL'})`], params: [...apps] };
  if (!search || search.trim() === '') return only;
  const like = `%${search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return {
    sql: [
      "app_id IN (SELECT id FROM apps WHERE identifier LIKE ? ESCAPE '\\' OR display_name LIKE ? ESCAPE '\\' OR search_names LIKE ? ESCAPE '\\')",
      ...only.sql,
    ],
    params: [like, like, like.toLowerCase(), ...only.params],
  };
}

/** Adds labels to lane totals and sorts them by activity. */
export function describeLanes(
  db: Db,
  memo: CaseMemo,
  lanes: LaneTotals[],
): TimelineResult['lanes'] {
  if (lanes.length === 0) return [];
  const apps = memo.get(
    'apps',
    () =>
      new Map(
        (
          db
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
    .sort((x, y) => y.sessions - x.sessions || y.totalMs - x.totalMs || x.app.localeCompare(y.app));
}

/** Adds the dated permission records in range, and lanes for apps that have only those. */
export function withMarks(
  db: Db,
  memo: CaseMemo,
  records: RecordQueries,
  result: TimelineResult,
  filter: Filter,
  range: { fromMs: number; toMs: number },
  laneFilter: LaneFilter,
): TimelineResult {
  const { marks, lanes } = records.marks(filter, range, laneFilter);
  if (marks.length === 0) return result;
  const known = new Set(result.lanes.map((l) => l.key));
  const extra = describeLanes(
    db,
    memo,
    lanes
      .filter((l) => !known.has(l.key))
      .map((l) => ({ deviceId: l.deviceId, appId: l.appId, sessions: 0, totalMs: 0 })),
  );
  return { ...result, range: result.range ?? range, lanes: [...result.lanes, ...extra], marks };
}
