// The events other than access sessions, each streamed from its table as public records one row
// at a time: network snapshots, backup records (permissions, network usage, profiles) and
// Android's rejected app-op attempts, usage events and app-op history.
import { toCategory } from '../../contract/categories';
import type { Filter } from '../../contract/filter';
import type {
  NetworkEvent,
  NetworkUsageEvent,
  PermissionEvent,
  ProfileEvent,
  OpHistoryEvent,
  RejectEvent,
  UsageEvent,
} from '../../contract/records';
import { formatInstant, formatUtc, msToSeconds } from '../../contract/time';
import type { CaseSession } from './case-service';
import { instant } from './event-text';
import { networkWhere, recordWhere, whereSql } from './filter-sql';
import {
  PERMISSION_SQL,
  permissionFilter,
  PROFILE_SQL,
  profileFilter,
  toProfileItem,
  USAGE_SQL,
  usageFilter,
  type PermissionRowOut,
  type ProfileRowOut,
  type UsageRowOut,
} from './record-queries';
import { proxyOf, storedJson } from '../model/json';

interface NetworkRow {
  id: number;
  device: string;
  app: string;
  appName: string | null;
  domain: string;
  domainOwner: string | null;
  domainType: number | null;
  initiatedType: string | null;
  context: string | null;
  hits: number | null;
  firstMs: number | null;
  firstOffset: number | null;
  lastMs: number | null;
  lastOffset: number | null;
  contextVerificationType: number | null;
  domainClassification: number | null;
  sha256: string;
  line: number;
}

const NETWORK_SQL = (where: string): string => `
SELECT n.id, d.label AS device, a.identifier AS app, a.display_name AS appName, n.domain,
       n.domain_owner AS domainOwner, n.domain_type AS domainType, n.initiated_type AS initiatedType,
       n.context, n.hits, n.first_ms AS firstMs, n.first_offset AS firstOffset, n.last_ms AS lastMs,
       n.last_offset AS lastOffset, n.context_verification_type AS contextVerificationType,
       n.domain_classification AS domainClassification, src.sha256, n.line
FROM network_observations n JOIN apps a ON a.id = n.app_id JOIN devices d ON d.id = n.device_id
JOIN sources src ON src.id = n.source_id
${where}
ORDER BY COALESCE(n.first_ms, n.last_ms), n.id`;

/** Maps one stored network snapshot row to its public network event record. */
function toNetworkEvent(r: NetworkRow): NetworkEvent {
  return {
    id: `n:${r.id}`,
    kind: 'network',
    device: r.device,
    app: r.app,
    appName: r.appName,
    domain: r.domain,
    domainOwner: r.domainOwner,
    domainType: r.domainType,
    profiling: r.domainType === 1,
    initiatedType: r.initiatedType,
    context: r.context,
    hits: r.hits,
    firstSeen: instant(r.firstMs, r.firstOffset),
    lastSeen: instant(r.lastMs, r.lastOffset),
    contextVerificationType: r.contextVerificationType,
    domainClassification: r.domainClassification,
    sources: [{ sha256: r.sha256, locator: `line ${r.line}` }],
  };
}

/**
 * Streams every stored network snapshot row matching the filter's devices, apps and date range
 * (rolling aggregates: one record per export snapshot, never summed), one SQLite row at a time.
 */
export function* networkEvents(
  session: CaseSession,
  filter: Filter,
): Generator<NetworkEvent, void, undefined> {
  const w = networkWhere(filter);
  const rows = session.db
    .prepare(NETWORK_SQL(whereSql(w)))
    .iterate(...w.params) as IterableIterator<NetworkRow>;
  for (const r of rows) yield toNetworkEvent(r);
}

const recordInstant = (ms: number | null, offsetMin: number | null): string | null =>
  ms === null ? null : offsetMin === null ? formatUtc(ms) : formatInstant(ms, offsetMin);

/** The provenance of a backup record: the artifact file's sha256 and where in it the record is. */
const recordSource = (r: {
  sha256: string;
  sourceLocator: string | null;
  locator: string;
}): PermissionEvent['sources'] => [
  { sha256: r.sha256, locator: r.sourceLocator ? `${r.sourceLocator} › ${r.locator}` : r.locator },
];

/** Streams permission records (TCC, location clients) matching the filter, one row at a time. */
export function* permissionEvents(
  session: CaseSession,
  filter: Filter,
): Generator<PermissionEvent, void, undefined> {
  const { where, params } = permissionFilter(filter);
  for (const r of session.db
    .prepare(PERMISSION_SQL(where))
    .iterate(...params) as IterableIterator<PermissionRowOut>) {
    yield {
      id: `p:${r.id}`,
      kind: 'permission',
      device: r.device,
      app: r.app,
      appName: r.appName,
      origin: r.origin,
      raw: r.raw,
      category: toCategory(r.category),
      status: r.status,
      reason: r.reason,
      time: recordInstant(r.timeMs, r.offsetMin),
      sources: recordSource(r),
    };
  }
}

/** Streams network-usage records (DataUsage, addaily) matching the filter, never summed. */
export function* networkUsageEvents(
  session: CaseSession,
  filter: Filter,
): Generator<NetworkUsageEvent, void, undefined> {
  const { where, params } = usageFilter(filter);
  for (const r of session.db
    .prepare(USAGE_SQL(where))
    .iterate(...params) as IterableIterator<UsageRowOut>) {
    yield {
      id: `u:${r.id}`,
      kind: 'network-usage',
      device: r.device,
      app: r.app,
      appName: r.appName,
      origin: r.origin,
      process: r.process,
      wifiIn: r.wifiIn,
      wifiOut: r.wifiOut,
      cellIn: r.cellIn,
      cellOut: r.cellOut,
      firstSeen: recordInstant(r.firstMs, r.offsetMin),
      lastSeen: recordInstant(r.lastMs, r.offsetMin),
      sources: recordSource(r),
    };
  }
}

/** Streams configuration profiles and profile events matching the filter's devices and dates. */
export function* profileEvents(
  session: CaseSession,
  filter: Filter,
): Generator<ProfileEvent, void, undefined> {
  const { where, params } = profileFilter(filter);
  for (const r of session.db
    .prepare(PROFILE_SQL(where))
    .iterate(...params) as IterableIterator<ProfileRowOut>) {
    const item = toProfileItem(r);
    yield {
      id: item.id,
      kind: 'profile',
      device: r.device,
      identifier: r.identifier,
      displayName: r.displayName,
      organization: r.organization,
      operation: r.operation,
      process: r.process,
      payloadTypes: item.payloadTypes,
      mdm: item.mdm,
      vpn: item.vpn,
      rootCertificate: item.rootCertificate,
      time: recordInstant(r.timeMs, r.offsetMin),
      sources: recordSource(r),
    };
  }
}

const REJECT_SQL = (where: string): string => `
SELECT r.id, d.label AS device, a.identifier AS app, a.display_name AS appName, r.op, r.category,
       r.time_ms AS timeMs, r.time_offset AS offsetMin, r.state, r.raw_state AS rawState,
       r.attribution_tag AS attributionTag, r.proxy, r.line, src.sha256, src.file_name AS fileName
FROM reject_records r JOIN devices d ON d.id = r.device_id JOIN apps a ON a.id = r.app_id
JOIN sources src ON src.id = r.source_id
${where}
ORDER BY r.time_ms, r.id`;

/** Streams Android rejected app-op attempts matching the filter (devices, apps, categories, dates). */
export function* rejectEvents(
  session: CaseSession,
  filter: Filter,
): Generator<RejectEvent, void, undefined> {
  const w = recordWhere(filter, 'r.time_ms', { apps: true, categories: true, kind: 'reject' });
  for (const r of session.db
    .prepare(REJECT_SQL(whereSql(w)))
    .iterate(...w.params) as IterableIterator<{
    id: number;
    device: string;
    app: string;
    appName: string | null;
    op: string;
    category: string;
    timeMs: number;
    offsetMin: number;
    state: RejectEvent['state'];
    rawState: string | null;
    attributionTag: string | null;
    proxy: string | null;
    line: number;
    sha256: string;
  }>) {
    yield {
      id: `r:${r.id}`,
      kind: 'reject',
      device: r.device,
      app: r.app,
      appName: r.appName,
      category: toCategory(r.category),
      raw: r.op,
      time: formatInstant(r.timeMs, r.offsetMin),
      state: r.state,
      stateSource: r.rawState === null ? null : 'reported',
      proxy:
        r.proxy === null
          ? null
          : storedJson<RejectEvent['proxy']>(r.proxy, () => proxyOf(`r:${r.id}`)),
      attributionTag: r.attributionTag,
      sources: [{ sha256: r.sha256, locator: `line ${r.line}` }],
    };
  }
}

const USAGE_EVENT_SQL = (where: string): string => `
SELECT r.id, d.label AS device, a.identifier AS app, a.display_name AS appName, r.type,
       r.class_name AS className, r.instance_id AS instanceId, r.time_ms AS timeMs,
       r.time_offset AS offsetMin, r.line, src.sha256
FROM usage_records r JOIN devices d ON d.id = r.device_id LEFT JOIN apps a ON a.id = r.app_id
JOIN sources src ON src.id = r.source_id
${where}
ORDER BY r.time_ms, r.id`;

/** Streams Android usage events (usagestats) matching the filter's devices, apps and dates. */
export function* usageEvents(
  session: CaseSession,
  filter: Filter,
): Generator<UsageEvent, void, undefined> {
  const w = recordWhere(filter, 'r.time_ms', { apps: true, categories: false, kind: 'usage' });
  for (const r of session.db
    .prepare(USAGE_EVENT_SQL(whereSql(w)))
    .iterate(...w.params) as IterableIterator<{
    id: number;
    device: string;
    app: string | null;
    appName: string | null;
    type: string;
    className: string | null;
    instanceId: string | null;
    timeMs: number;
    offsetMin: number;
    line: number;
    sha256: string;
  }>) {
    yield {
      id: `e:${r.id}`,
      kind: 'usage',
      device: r.device,
      app: r.app,
      appName: r.appName,
      type: r.type,
      className: r.className,
      instanceId: r.instanceId,
      time: formatInstant(r.timeMs, r.offsetMin),
      sources: [{ sha256: r.sha256, locator: `line ${r.line}` }],
    };
  }
}

/** Streams aggregated Android app-op history buckets matching the filter's devices, apps, categories and dates. */
export function* opHistoryEvents(
  session: CaseSession,
  filter: Filter,
): Generator<OpHistoryEvent, void, undefined> {
  const w = recordWhere(filter, 'COALESCE(r.end_ms, r.begin_ms)', { apps: true, categories: true });
  const sql = `
SELECT r.id, d.label AS device, a.identifier AS app, a.display_name AS appName, r.op, r.category,
       r.attribution_tag AS attributionTag, r.state, r.raw_state AS rawState, r.begin_ms AS beginMs,
       r.end_ms AS endMs, r.time_offset AS offsetMin, r.access_count AS accessCount,
       r.reject_count AS rejectCount, r.duration_ms AS durationMs, r.line, src.sha256
FROM op_history_records r JOIN devices d ON d.id = r.device_id LEFT JOIN apps a ON a.id = r.app_id
JOIN sources src ON src.id = r.source_id
${whereSql(w)}
ORDER BY COALESCE(r.begin_ms, r.end_ms), r.id`;
  for (const r of session.db.prepare(sql).iterate(...w.params) as IterableIterator<{
    id: number;
    device: string;
    app: string | null;
    appName: string | null;
    op: string;
    category: string;
    attributionTag: string | null;
    state: OpHistoryEvent['state'];
    rawState: string | null;
    beginMs: number | null;
    endMs: number | null;
    offsetMin: number | null;
    accessCount: number | null;
    rejectCount: number | null;
    durationMs: number | null;
    line: number;
    sha256: string;
  }>) {
    yield {
      id: `h:${r.id}`,
      kind: 'op-history',
      device: r.device,
      app: r.app,
      appName: r.appName,
      category: toCategory(r.category),
      raw: r.op,
      attributionTag: r.attributionTag,
      state: r.state,
      rawState: r.rawState,
      begin: recordInstant(r.beginMs, r.offsetMin),
      end: recordInstant(r.endMs, r.offsetMin),
      accessCount: r.accessCount,
      rejectCount: r.rejectCount,
      durationSeconds: r.durationMs === null ? null : msToSeconds(r.durationMs),
      sources: [{ sha256: r.sha256, locator: `line ${r.line}` }],
    };
  }
}
