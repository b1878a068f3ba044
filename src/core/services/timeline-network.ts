/**
 * The timeline's network spans: per lane and snapshot, the first and last instant of the app's
 * network rows in range with their hits and domains, from the spans kept per snapshot and app
 * (the last few ranges' kept until the case changes) or grouped from the rows themselves.
 */
import type { TimelineResult } from '../../contract/api';
import type { Filter } from '../../contract/filter';
import type { Db } from '../db/open';
import { networkLatestReady } from '../db/queries/network-latest';
import type { CaseMemo } from './case-memo';
import { networkWhere, parseRangeBound, whereSql } from './filter-sql';

/** How many ranges' network spans a query service keeps (see `recentSpans`). */
const RECENT_SPANS = 8;

/** The network spans of the lanes in view. */
export function networkSpans(
  db: Db,
  memo: CaseMemo,
  filter: Filter,
  range: { fromMs: number; toMs: number },
  laneKeys: Set<string>,
): TimelineResult['network'] {
  const spans =
    !(filter.tags && filter.tags.length > 0) && filter.starred !== true
      ? recentSpans(db, memo, filter, range)
      : null;
  return (spans ?? networkSpansFromRows(db, memo, filter, range)).filter((n) =>
    laneKeys.has(n.lane),
  );
}

/**
 * The kept network spans of a range for the filter's devices, apps and dates, as last read for
 * them: the spans do not change with the filter's other fields (categories, hours, durations,
 * states), so a view that changes only those reads them once. The last few are kept, until the
 * case changes.
 */
function recentSpans(
  db: Db,
  memo: CaseMemo,
  filter: Filter,
  range: { fromMs: number; toMs: number },
): TimelineResult['network'] | null {
  const recent = memo.get(
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
  const spans = keptNetworkSpans(db, filter, range);
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
function keptNetworkSpans(
  db: Db,
  filter: Filter,
  range: { fromMs: number; toMs: number },
): TimelineResult['network'] | null {
  const devices =
    filter.devices && filter.devices.length > 0
      ? filter.devices
      : (db.prepare('SELECT id FROM devices').pluck().all() as number[]);
  if (!networkLatestReady(db, devices)) return null;
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
  const kept = db
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
  const straddling = db.prepare(
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

/** The longest span of a network row (last minus first instant), kept until the case changes. */
function longestNetworkSpan(db: Db, memo: CaseMemo): number {
  return memo.get('longestNetworkSpan', () => {
    const r = db
      .prepare(
        'SELECT MAX(COALESCE(last_ms, first_ms) - COALESCE(first_ms, last_ms)) AS span FROM network_observations',
      )
      .get() as { span: number | null };
    return Math.max(0, r.span ?? 0);
  });
}

/** Network spans grouped from the rows in view: the reference of the kept spans. */
function networkSpansFromRows(
  db: Db,
  memo: CaseMemo,
  filter: Filter,
  range: { fromMs: number; toMs: number },
): TimelineResult['network'] {
  const nw = networkWhere(filter);
  // A row overlapping the range starts at most the longest row's span before it: the start
  // index reads those rows only.
  const net = db
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
    .all(...nw.params, range.toMs, range.fromMs - longestNetworkSpan(db, memo), range.fromMs) as {
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
