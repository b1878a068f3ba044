import { describeSqliteError, type Db } from '../open';
import { deviceSourcesStamp } from '../sources-stamp';

/**
 * A network row's rank among the snapshots of the same row (same device, app, domain, context,
 * initiator, domain type and verification): 1 for the one from the most recent export (latest
 * data, then the later source, then the later line). Needs `n` joined to its source as `src`.
 */
export const LATEST_RANK_SQL = `ROW_NUMBER() OVER (
  PARTITION BY n.device_id, n.app_id, n.domain, COALESCE(n.context, ''), COALESCE(n.initiated_type, ''),
    COALESCE(n.domain_type, -1), COALESCE(n.context_verification_type, -1)
  ORDER BY src.data_to DESC, src.id DESC, n.id DESC)`;

/** The devices (of those given, else every one) whose kept latest snapshots are missing or stale. */
export function staleNetworkDevices(db: Db, deviceIds?: readonly number[]): number[] {
  const ids =
    deviceIds ?? (db.prepare('SELECT id FROM devices ORDER BY id').pluck().all() as number[]);
  const kept = db.prepare('SELECT stamp FROM network_latest_state WHERE device_id = ?').pluck();
  return ids.filter((d) => kept.get(d) !== deviceSourcesStamp(db, d));
}

/**
 * Chooses and keeps the latest snapshot of each network row of the devices named (every device
 * when none are), and the spans of each snapshot's rows per app (`network_spans`), each device in
 * a transaction of its own. Returns the devices done.
 */
export function refreshNetworkLatest(db: Db, deviceIds?: readonly number[]): number[] {
  const existing = db.prepare('SELECT id FROM devices ORDER BY id').pluck().all() as number[];
  const wanted = deviceIds ? new Set(deviceIds) : null;
  const done: number[] = [];
  for (const deviceId of existing) {
    if (wanted && !wanted.has(deviceId)) continue;
    db.transaction(() => {
      db.prepare('DELETE FROM network_latest WHERE device_id = ?').run(deviceId);
      // Row ids of a removed source can come back with a later import into another device; the
      // device they were kept for is stale then, and replacing its row is right.
      db.prepare(
        `INSERT OR REPLACE INTO network_latest (observation_id, device_id)
         SELECT id, ? FROM (
           SELECT n.id, ${LATEST_RANK_SQL} AS rn
           FROM network_observations n JOIN sources src ON src.id = n.source_id
           WHERE n.app_id IN (SELECT id FROM apps WHERE device_id = ?) AND n.device_id = ?)
         WHERE rn = 1`,
      ).run(deviceId, deviceId, deviceId);
      db.prepare('DELETE FROM network_spans WHERE device_id = ?').run(deviceId);
      db.prepare(
        `INSERT OR REPLACE INTO network_spans (source_id, app_id, device_id, start_min, start_max, end_min, end_max, hits, domains)
         SELECT n.source_id, n.app_id, ?, MIN(COALESCE(n.first_ms, n.last_ms)), MAX(COALESCE(n.first_ms, n.last_ms)),
                MIN(COALESCE(n.last_ms, n.first_ms)), MAX(COALESCE(n.last_ms, n.first_ms)),
                SUM(COALESCE(n.hits, 0)), COUNT(DISTINCT n.domain_lower)
         FROM network_observations n
         WHERE n.app_id IN (SELECT id FROM apps WHERE device_id = ?) AND n.device_id = ?
           AND COALESCE(n.first_ms, n.last_ms) IS NOT NULL
         GROUP BY n.source_id, n.app_id`,
      ).run(deviceId, deviceId, deviceId);
      refreshNetworkGroups(db, deviceId);
      refreshNetworkRanks(db, deviceId);
      db.prepare(
        'INSERT INTO network_latest_state (device_id, stamp) VALUES (?, ?) ON CONFLICT (device_id) DO UPDATE SET stamp = excluded.stamp',
      ).run(deviceId, deviceSourcesStamp(db, deviceId));
    }).immediate();
    done.push(deviceId);
  }
  if (!deviceIds)
    db.exec(
      'DELETE FROM network_latest WHERE device_id NOT IN (SELECT id FROM devices); DELETE FROM network_spans WHERE device_id NOT IN (SELECT id FROM devices); DELETE FROM network_groups WHERE device_id NOT IN (SELECT id FROM devices); DELETE FROM network_ranks WHERE device_id NOT IN (SELECT id FROM devices); DELETE FROM network_latest_state WHERE device_id NOT IN (SELECT id FROM devices)',
    );
  return done;
}

/**
 * Keeps a device's Network groups (`network_groups`): per app, the rows, distinct domains and
 * domains Apple flagged of every snapshot (`latest` 0: every row of the device, as the view's
 * groups count them) and of the latest ones just kept (`latest` 1). Run inside the refresh's
 * transaction, after `network_latest`.
 */
function refreshNetworkGroups(db: Db, deviceId: number): void {
  const counts = `count(*), count(DISTINCT n.domain), count(DISTINCT CASE WHEN n.domain_type = 1 THEN n.domain END)`;
  db.prepare('DELETE FROM network_groups WHERE device_id = ?').run(deviceId);
  db.prepare(
    `INSERT INTO network_groups (device_id, app_id, latest, row_count, domains, flagged)
     SELECT n.device_id, n.app_id, 0, ${counts} FROM network_observations n
     WHERE n.device_id = ? GROUP BY n.app_id`,
  ).run(deviceId);
  db.prepare(
    `INSERT INTO network_groups (device_id, app_id, latest, row_count, domains, flagged)
     SELECT n.device_id, n.app_id, 1, ${counts} FROM network_observations n
     WHERE n.id IN (SELECT observation_id FROM network_latest WHERE device_id = ?)
       AND n.device_id = ?
     GROUP BY n.app_id`,
  ).run(deviceId, deviceId);
}

/**
 * Keeps the snapshot rank of every network row of a device (`network_ranks`): its snapshot row
 * (`part`, numbered within the device, among every row of the device, whatever app it names) and
 * its rank among that row's snapshots as `LATEST_RANK_SQL` orders them. Run inside the refresh's
 * transaction.
 */
function refreshNetworkRanks(db: Db, deviceId: number): void {
  const row = `n.app_id, n.domain, COALESCE(n.context, ''), COALESCE(n.initiated_type, ''),
    COALESCE(n.domain_type, -1), COALESCE(n.context_verification_type, -1)`;
  db.prepare('DELETE FROM network_ranks WHERE device_id = ?').run(deviceId);
  db.prepare(
    `INSERT OR REPLACE INTO network_ranks (id, device_id, app_id, first_ms, last_ms, part, rn)
     SELECT n.id, n.device_id, n.app_id, n.first_ms, n.last_ms, DENSE_RANK() OVER (ORDER BY ${row}),
       ROW_NUMBER() OVER (PARTITION BY ${row} ORDER BY src.data_to DESC, src.id DESC, n.id DESC)
     FROM network_observations n JOIN sources src ON src.id = n.source_id
     WHERE n.device_id = ?`,
  ).run(deviceId);
}

/**
 * Brings the kept latest snapshots of these devices up to date when this connection can write;
 * false when some stay stale (a read-only connection, or another writer holding the case).
 */
export function networkLatestReady(db: Db, deviceIds: readonly number[]): boolean {
  const stale = staleNetworkDevices(db, deviceIds);
  if (stale.length === 0) return true;
  if (db.readonly || db.inTransaction) return false;
  try {
    refreshNetworkLatest(db, stale);
  } catch (e) {
    if (describeSqliteError(e)) return false;
    throw e;
  }
  return staleNetworkDevices(db, deviceIds).length === 0;
}
