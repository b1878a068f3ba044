/**
 * The read-side queries over a case, one method a view (timeline, time of day, summary, heatmap,
 * network, apps, session details): each hands its work to the module that holds it.
 */
import type {
  AppItem,
  HeatmapResult,
  NetworkGroupsResult,
  NetworkItem,
  NetworkRowsPage,
  SessionDetails,
  SummaryItem,
  TimelineResult,
} from '../../contract/api';
import { DEFAULT_NIGHT, type DayWindow, type Filter } from '../../contract/filter';
import type { Db } from '../db/open';
import { heatmapFromRollup } from '../db/queries/heatmap';
import { statsServeSummary, summaryFromGroups, summaryFromStats } from '../db/queries/summary';
import { CaseMemo, caseExtent, maxDurationMs } from './case-memo';
import { sessionWhere, whereSql, type SqlParam } from './filter-sql';
import { networkGroups, networkItems, networkRows } from './network-query';
import { observedDevices } from './observed-days';
import { RecordQueries } from './record-queries';
import { sessionDetails } from './session-details';
import { sessionId } from './session-ids';
import { heatmapScan, summaryScan } from './session-scans';
import { timeOfDayTimeline } from './time-of-day';
import { TIMELINE_SESSION_LIMIT } from './timeline-exact';
import { describeLanes } from './timeline-lanes';
import { timeline, type TimelineRequest } from './timeline-query';

/** Read-side queries over a case: timeline, summary, heatmap, network, session details. */
export class QueryService {
  /** Permission, network-usage and profile records (from backups). */
  readonly records: RecordQueries;
  /** Values kept until the case changes. */
  private readonly memo: CaseMemo;

  constructor(private readonly db: Db) {
    this.records = new RecordQueries(db);
    this.memo = new CaseMemo(db);
  }

  /** Where-clause for sessions matching the filter. */
  sessionFilter(filter: Filter): { where: string; params: SqlParam[] } {
    const w = sessionWhere(filter, maxDurationMs(this.db));
    return { where: whereSql(w), params: w.params };
  }

  /** Earliest and latest instant of the devices' sessions and network rows. */
  extent(devices?: number[]): { fromMs: number; toMs: number } | null {
    return caseExtent(this.db, this.records, devices);
  }

  /** The timeline of a filter over a range: see `timeline`. */
  timeline(request: TimelineRequest): TimelineResult {
    return timeline(this.db, this.memo, this.records, request);
  }

  /** The timeline folded onto one device-local day (days overlaid). */
  timeOfDay(input: {
    filter: Filter;
    range?: { fromMs: number; toMs: number };
    width: number;
  }): TimelineResult {
    return timeOfDayTimeline(this.db, input, {
      maxDurationMs: maxDurationMs(this.db),
      sessionLimit: TIMELINE_SESSION_LIMIT,
      describeLanes: (lanes) => describeLanes(this.db, this.memo, lanes),
      sessionId,
    });
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
          summaryFromStats(this.db, filter, night, maxDurationMs(this.db)),
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
    const observed = observedDevices(this.db, filter, this.memo);
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
