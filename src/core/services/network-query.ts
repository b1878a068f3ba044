import type { NetworkItem } from '../../contract/api';
import type { Filter } from '../../contract/filter';
import type { Db } from '../db/open';
import { LATEST_RANK_SQL, networkLatestReady } from '../db/queries/network-latest';
import { networkWhere, whereSql } from './filter-sql';

/**
 * Network rows (latest snapshot of each, or every snapshot), by device, app and hits. The latest
 * snapshots are read from those kept per device (see `refreshNetworkLatest`) when the filter has
 * no date range and no tag or star, else ranked from every snapshot (the reference path).
 */
export function networkItems(
  db: Db,
  filter: Filter,
  snapshots: 'latest' | 'all' = 'latest',
  path: 'auto' | 'scan' = 'auto',
): NetworkItem[] {
  const nw = networkWhere(filter);
  const columns = `n.id, n.device_id AS deviceId, d.label AS device, n.source_id AS sourceId,
                src.file_name AS sourceName, src.sha256 AS sourceSha256, n.line, a.identifier AS app,
                a.display_name AS appName, n.domain, n.domain_owner AS domainOwner, n.domain_type AS domainType,
                n.initiated_type AS initiatedType, n.context, n.hits, n.first_ms AS firstMs,
                n.first_offset AS firstOffsetMin, n.last_ms AS lastMs, n.last_offset AS lastOffsetMin,
                n.context_verification_type AS contextVerificationType,
                n.domain_classification AS domainClassification`;
  // Rows that tie on every shown key come in the order of their ids, whichever path reads them.
  const order = (id: string): string => `ORDER BY device, app, hits DESC, domain, ${id}`;
  const devices =
    filter.devices && filter.devices.length > 0
      ? filter.devices
      : (db.prepare('SELECT id FROM devices').pluck().all() as number[]);
  const kept =
    snapshots === 'latest' &&
    path === 'auto' &&
    !filter.from &&
    !filter.to &&
    !(filter.tags && filter.tags.length > 0) &&
    filter.starred !== true &&
    networkLatestReady(db, devices);
  const rows = (
    kept
      ? db
          .prepare(
            `SELECT ${columns} FROM network_latest l JOIN network_observations n ON n.id = l.observation_id
             JOIN apps a ON a.id = n.app_id JOIN devices d ON d.id = n.device_id
             JOIN sources src ON src.id = n.source_id
             ${whereSql(nw, [`l.device_id IN (${devices.map(() => '?').join(', ')})`])} ${order('n.id')}`,
          )
          .all(...nw.params, ...devices)
      : db
          .prepare(
            `SELECT * FROM (
               SELECT ${columns}, ${LATEST_RANK_SQL} AS rn
               FROM network_observations n JOIN apps a ON a.id = n.app_id JOIN devices d ON d.id = n.device_id
               JOIN sources src ON src.id = n.source_id
               ${whereSql(nw)}
             ) ${snapshots === 'latest' ? 'WHERE rn = 1' : ''}
             ${order('id')}`,
          )
          .all(...nw.params)
  ) as (Omit<NetworkItem, 'id' | 'profiling'> & { id: number; rn?: number })[];
  return rows.map(({ rn: _rn, id, ...r }) => ({
    ...r,
    id: `n:${id}`,
    profiling: r.domainType === 1,
  }));
}
