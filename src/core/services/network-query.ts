import type { NetworkItem } from '../../contract/api';
import type { Filter } from '../../contract/filter';
import type { Db } from '../db/open';
import { LATEST_RANK_SQL, networkLatestReady } from '../db/queries/network-latest';
import { compareText } from '../db/queries/text-order';
import { networkWhere, whereSql } from './filter-sql';

/**
 * Network rows (latest snapshot of each, or every snapshot), by device, app and hits. The latest
 * snapshots are read from those kept per device (see `refreshNetworkLatest`) when the filter has
 * no date range and no tag or star, else chosen here among the rows of the filter; `scan` ranks
 * them in SQL (the reference path).
 */
export function networkItems(
  db: Db,
  filter: Filter,
  snapshots: 'latest' | 'all' = 'latest',
  path: 'auto' | 'scan' = 'auto',
): NetworkItem[] {
  if (path === 'scan') return scannedNetworkItems(db, filter, snapshots);
  if (snapshots === 'all') return readNetworkItems(db, filter, { kept: null, latest: false });
  const devices =
    filter.devices && filter.devices.length > 0
      ? filter.devices
      : (db.prepare('SELECT id FROM devices').pluck().all() as number[]);
  const kept =
    !filter.from &&
    !filter.to &&
    !(filter.tags && filter.tags.length > 0) &&
    filter.starred !== true &&
    networkLatestReady(db, devices);
  return readNetworkItems(
    db,
    filter,
    kept ? { kept: devices, latest: false } : { kept: null, latest: true },
  );
}

/**
 * The rows of the filter (only those kept as latest of `which.kept`'s devices when given; only the
 * latest snapshot of each row among them when `which.latest`), read without joins: the devices,
 * apps and sources they name are looked up once each, and the rows are put in the reference's
 * order here (device label, app identifier, hits from most, domain, id), which spares SQLite a
 * sort of every row by text keys.
 */
function readNetworkItems(
  db: Db,
  filter: Filter,
  which: { kept: readonly number[] | null; latest: boolean },
): NetworkItem[] {
  const keptDevices = which.kept;
  const nw = networkWhere(filter);
  const columns = `n.id, n.device_id, n.app_id, n.source_id, n.line, n.domain, n.domain_owner,
    n.domain_type, n.initiated_type, n.context, n.hits, n.first_ms, n.first_offset, n.last_ms,
    n.last_offset, n.context_verification_type, n.domain_classification`;
  // Device labels are unique without regard to case (NOCASE, the column's collation, which the
  // reference's order keeps), so their rank orders devices as the label does.
  const devices = new Map<number, { rank: number; label: string }>();
  (
    db.prepare('SELECT id, label FROM devices ORDER BY label, id').raw().all() as [number, string][]
  ).forEach(([id, label], rank) => devices.set(id, { rank, label }));
  // Apps sharing an identifier (on other devices) share a rank: the order compares identifiers.
  const apps = new Map<number, { rank: number; identifier: string; name: string | null }>();
  let rank = -1;
  let previous: string | null = null;
  for (const [id, identifier, name] of db
    .prepare('SELECT id, identifier, display_name FROM apps ORDER BY identifier')
    .raw()
    .all() as [number, string, string | null][]) {
    if (identifier !== previous) rank += 1;
    previous = identifier;
    apps.set(id, { rank, identifier, name });
  }
  const sources = new Map<number, { name: string; sha256: string; dataTo: number | null }>();
  for (const [id, name, sha256, dataTo] of db
    .prepare('SELECT id, file_name, sha256, data_to FROM sources')
    .raw()
    .all() as [number, string, string, number | null][])
    sources.set(id, { name, sha256, dataTo });

  const rows = (
    keptDevices
      ? db
          .prepare(
            `SELECT ${columns} FROM network_latest l JOIN network_observations n ON n.id = l.observation_id
             ${whereSql(nw, [`l.device_id IN (${keptDevices.map(() => '?').join(', ')})`])}`,
          )
          .raw()
          .iterate(...nw.params, ...keptDevices)
      : db
          .prepare(`SELECT ${columns} FROM network_observations n ${whereSql(nw)}`)
          .raw()
          .iterate(...nw.params)
  ) as IterableIterator<RawRow>;
  const chosen = which.latest
    ? latestOf(rows, (r) => devices.has(r[1]) && apps.has(r[2]), sources)
    : rows;

  // A row whose device, app or source is gone is left out, as the reference's joins leave it out.
  // Each item is built once, its sort keys kept beside it, and only the item indices are sorted.
  const items: NetworkItem[] = [];
  const ids: number[] = [];
  const group: number[] = [];
  const hits: number[] = [];
  const appCount = apps.size + 1;
  for (const r of chosen) {
    const device = devices.get(r[1]);
    const app = apps.get(r[2]);
    const source = sources.get(r[3]);
    if (!device || !app || !source) continue;
    group.push(device.rank * appCount + app.rank);
    // No hits sort last in descending order, as SQLite orders NULL lowest (hits are integers).
    hits.push(r[10] ?? -Infinity);
    ids.push(r[0]);
    items.push({
      deviceId: r[1],
      device: device.label,
      sourceId: r[3],
      sourceName: source.name,
      sourceSha256: source.sha256,
      line: r[4],
      app: app.identifier,
      appName: app.name,
      domain: r[5],
      domainOwner: r[6],
      domainType: r[7],
      initiatedType: r[8],
      context: r[9],
      hits: r[10],
      firstMs: r[11],
      firstOffsetMin: r[12],
      lastMs: r[13],
      lastOffsetMin: r[14],
      contextVerificationType: r[15],
      domainClassification: r[16],
      id: `n:${r[0]}`,
      profiling: r[7] === 1,
    });
  }
  const order = Array.from({ length: items.length }, (_, i) => i);
  order.sort(
    (x, y) =>
      group[x]! - group[y]! ||
      hits[y]! - hits[x]! ||
      compareText(items[x]!.domain, items[y]!.domain) ||
      ids[x]! - ids[y]!,
  );
  return order.map((i) => items[i]!);
}

/**
 * The latest snapshot of each row among `rows` (those `joined` accepts, whose source is known), as
 * `LATEST_RANK_SQL` ranks them: per device, app, domain, context, initiator, domain type and
 * verification (a missing text or number counted as the empty text or -1, as it coalesces them),
 * the row of the source with the latest data (none last), then the later source, then the later row.
 */
function latestOf(
  rows: Iterable<RawRow>,
  joined: (r: RawRow) => boolean,
  sources: ReadonlyMap<number, { dataTo: number | null }>,
): Iterable<RawRow> {
  const best = new Map<string, RawRow>();
  const later = (a: RawRow, b: RawRow): boolean => {
    const x = sources.get(a[3])!.dataTo;
    const y = sources.get(b[3])!.dataTo;
    if (x !== y) return y === null || (x !== null && x > y);
    return a[3] !== b[3] ? a[3] > b[3] : a[0] > b[0];
  };
  for (const r of rows) {
    if (!joined(r) || !sources.has(r[3])) continue;
    const key = JSON.stringify([r[1], r[2], r[5], r[9] ?? '', r[8] ?? '', r[7] ?? -1, r[15] ?? -1]);
    const held = best.get(key);
    if (!held || later(r, held)) best.set(key, r);
  }
  return best.values();
}

/** A network row as `readNetworkItems` selects it. */
type RawRow = [
  id: number,
  deviceId: number,
  appId: number,
  sourceId: number,
  line: number,
  domain: string,
  domainOwner: string | null,
  domainType: number | null,
  initiatedType: string | null,
  context: string | null,
  hits: number | null,
  firstMs: number | null,
  firstOffset: number | null,
  lastMs: number | null,
  lastOffset: number | null,
  contextVerificationType: number | null,
  domainClassification: number | null,
];

/** The reference: every row joined and ranked in SQL, the latest of each chosen by its rank. */
function scannedNetworkItems(db: Db, filter: Filter, snapshots: 'latest' | 'all'): NetworkItem[] {
  const nw = networkWhere(filter);
  const columns = `n.id, n.device_id AS deviceId, d.label AS device, n.source_id AS sourceId,
                src.file_name AS sourceName, src.sha256 AS sourceSha256, n.line, a.identifier AS app,
                a.display_name AS appName, n.domain, n.domain_owner AS domainOwner, n.domain_type AS domainType,
                n.initiated_type AS initiatedType, n.context, n.hits, n.first_ms AS firstMs,
                n.first_offset AS firstOffsetMin, n.last_ms AS lastMs, n.last_offset AS lastOffsetMin,
                n.context_verification_type AS contextVerificationType,
                n.domain_classification AS domainClassification`;
  const rows = db
    .prepare(
      `SELECT * FROM (
         SELECT ${columns}, ${LATEST_RANK_SQL} AS rn
         FROM network_observations n JOIN apps a ON a.id = n.app_id JOIN devices d ON d.id = n.device_id
         JOIN sources src ON src.id = n.source_id
         ${whereSql(nw)}
       ) ${snapshots === 'latest' ? 'WHERE rn = 1' : ''}
       ORDER BY device, app, hits DESC, domain, id`,
    )
    .all(...nw.params) as (Omit<NetworkItem, 'id' | 'profiling'> & { id: number; rn?: number })[];
  return rows.map(({ rn: _rn, id, ...r }) => ({
    ...r,
    id: `n:${id}`,
    profiling: r.domainType === 1,
  }));
}
