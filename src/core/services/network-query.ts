import type {
  NetworkGroupItem,
  NetworkGroupsResult,
  NetworkItem,
  NetworkRowsPage,
} from '../../contract/api';
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
  return readNetworkItems(db, filter, readingOf(db, filter, snapshots));
}

/**
 * Which rows a filter's snapshots read: every row of the filter, those kept as latest of some
 * devices (no date range, tag or star, and the kept rows up to date), or the latest chosen among
 * the filter's rows.
 */
interface Reading {
  kept: readonly number[] | null;
  latest: boolean;
}

function readingOf(db: Db, filter: Filter, snapshots: 'latest' | 'all'): Reading {
  if (snapshots === 'all') return { kept: null, latest: false };
  const devices = keptDevices(db, filter);
  return devices ? { kept: devices, latest: false } : { kept: null, latest: true };
}

/**
 * The filter's devices (every device when it names none) when the filter has no date range, tag
 * or star and their kept latest snapshots and groups are up to date, else null.
 */
function keptDevices(db: Db, filter: Filter): readonly number[] | null {
  if (
    filter.from ||
    filter.to ||
    (filter.tags && filter.tags.length > 0) ||
    filter.starred === true
  )
    return null;
  return readyDevices(db, filter);
}

/**
 * The filter's devices (every device when it names none) when what is kept of their network rows
 * (latest snapshots, groups, ranks) is up to date, brought so when this connection can write;
 * else null.
 */
function readyDevices(db: Db, filter: Filter): readonly number[] | null {
  const devices =
    filter.devices && filter.devices.length > 0
      ? filter.devices
      : (db.prepare('SELECT id FROM devices').pluck().all() as number[]);
  return networkLatestReady(db, devices) ? devices : null;
}

/** The devices, apps and sources network rows name, each looked up once. */
interface Lookups {
  /** Per device: its rank in label order (labels are unique without regard to case). */
  devices: Map<number, { rank: number; label: string }>;
  /** Per app: the rank of its identifier (apps sharing one, on other devices, share a rank). */
  apps: Map<number, { rank: number; identifier: string; name: string | null }>;
  sources: Map<number, { name: string; sha256: string; dataTo: number | null }>;
}

function lookups(db: Db): Lookups {
  // Device labels are unique without regard to case (NOCASE, the column's collation, which the
  // reference's order keeps), so their rank orders devices as the label does.
  const devices = new Map<number, { rank: number; label: string }>();
  (
    db.prepare('SELECT id, label FROM devices ORDER BY label, id').raw().all() as [number, string][]
  ).forEach(([id, label], rank) => devices.set(id, { rank, label }));
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
  return { devices, apps, sources };
}

const COLUMNS = `n.id, n.device_id, n.app_id, n.source_id, n.line, n.domain, n.domain_owner,
    n.domain_type, n.initiated_type, n.context, n.hits, n.first_ms, n.first_offset, n.last_ms,
    n.last_offset, n.context_verification_type, n.domain_classification`;

/** The clause that keeps only the rows kept as latest of these devices. */
function keptClause(devices: readonly number[]): string {
  return `n.id IN (SELECT observation_id FROM network_latest WHERE device_id IN (${devices.map(() => '?').join(', ')}))`;
}

/** A row as the bridge answers it, or null when its device, app or source is gone. */
function toItem(r: RawRow, l: Lookups): NetworkItem | null {
  const device = l.devices.get(r[1]);
  const app = l.apps.get(r[2]);
  const source = l.sources.get(r[3]);
  if (!device || !app || !source) return null;
  return {
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
  };
}

/** A group's row order: hits from most (none last, as SQLite orders NULL lowest), domain, id. */
function compareInGroup(a: RawRow, b: RawRow): number {
  return (b[10] ?? -Infinity) - (a[10] ?? -Infinity) || compareText(a[5], b[5]) || a[0] - b[0];
}

/**
 * The rows of the filter (only those kept as latest of `which.kept`'s devices when given; only the
 * latest snapshot of each row among them when `which.latest`), read without joins: the devices,
 * apps and sources they name are looked up once each, and the rows are put in the reference's
 * order here (device label, app identifier, hits from most, domain, id), which spares SQLite a
 * sort of every row by text keys.
 */
function readNetworkItems(db: Db, filter: Filter, which: Reading): NetworkItem[] {
  const keptDevices = which.kept;
  const nw = networkWhere(filter);
  const l = lookups(db);
  const rows = (
    keptDevices
      ? db
          .prepare(
            `SELECT ${COLUMNS} FROM network_latest l JOIN network_observations n ON n.id = l.observation_id
             ${whereSql(nw, [`l.device_id IN (${keptDevices.map(() => '?').join(', ')})`])}`,
          )
          .raw()
          .iterate(...nw.params, ...keptDevices)
      : db
          .prepare(`SELECT ${COLUMNS} FROM network_observations n ${whereSql(nw)}`)
          .raw()
          .iterate(...nw.params)
  ) as IterableIterator<RawRow>;
  const chosen = which.latest
    ? latestOf(rows, (r) => l.devices.has(r[1]) && l.apps.has(r[2]), l.sources)
    : rows;

  // A row whose device, app or source is gone is left out, as the reference's joins leave it out.
  // Each item is built once, its sort keys kept beside it, and only the item indices are sorted.
  const items: NetworkItem[] = [];
  const ids: number[] = [];
  const group: number[] = [];
  const hits: number[] = [];
  const appCount = l.apps.size + 1;
  for (const r of chosen) {
    const item = toItem(r, l);
    if (!item) continue;
    group.push(l.devices.get(r[1])!.rank * appCount + l.apps.get(r[2])!.rank);
    // No hits sort last in descending order, as SQLite orders NULL lowest (hits are integers).
    hits.push(r[10] ?? -Infinity);
    ids.push(r[0]);
    items.push(item);
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

/** The order of the Network view's groups: most distinct domains, then shown name, device, identifier. */
export function compareNetworkGroups(a: NetworkGroupItem, b: NetworkGroupItem): number {
  return (
    b.domains - a.domains ||
    (a.appName ?? a.app).localeCompare(b.appName ?? b.app) ||
    a.deviceId - b.deviceId ||
    compareText(a.app, b.app)
  );
}

/**
 * The Network view's groups (one per device and app identifier) with their rows, distinct domains
 * and domains Apple flagged. Without a date range, tag or star they are read from the counts kept
 * per device and app with the latest snapshots (`network_groups`, one row per group); else counted
 * by one GROUP BY over the filter's rows through the index `network_observations_group` (or, for
 * the latest snapshots, over the latest chosen among them). Equal to grouping `networkItems`' answer.
 */
export function networkGroups(
  db: Db,
  filter: Filter,
  snapshots: 'latest' | 'all' = 'latest',
): NetworkGroupsResult {
  const which = readingOf(db, filter, snapshots);
  const l = lookups(db);
  const nw = networkWhere(filter);
  const extra = which.kept ? [keptClause(which.kept)] : [];
  const params = [...nw.params, ...(which.kept ?? [])];
  const groups = new Map<string, NetworkGroupItem & { appIds: number[] }>();
  const add = (deviceId: number, appId: number, rows: number, domains: number, flagged: number) => {
    const device = l.devices.get(deviceId);
    const app = l.apps.get(appId);
    if (!device || !app) return;
    const key = JSON.stringify([deviceId, app.identifier]);
    const g = groups.get(key);
    if (g) {
      g.rows += rows;
      g.appIds.push(appId);
      return;
    }
    groups.set(key, {
      deviceId,
      device: device.label,
      app: app.identifier,
      appName: app.name,
      rows,
      domains,
      profiling: flagged,
      appIds: [appId],
    });
  };
  const distinct = `count(DISTINCT n.domain), count(DISTINCT CASE WHEN n.domain_type = 1 THEN n.domain END)`;
  // Without a date range, tag or star, the counts kept per device and app are read.
  const summarised = which.kept !== null || (!which.latest && keptDevices(db, filter) !== null);
  if (summarised) {
    const w = networkWhere({ devices: filter.devices, apps: filter.apps });
    for (const [deviceId, appId, rows, domains, flagged] of db
      .prepare(
        `SELECT n.device_id, n.app_id, n.row_count, n.domains, n.flagged FROM network_groups n
         ${whereSql(w, ['n.latest = ?'])}`,
      )
      .raw()
      .all(...w.params, which.kept ? 1 : 0) as [number, number, number, number, number][])
      add(deviceId, appId, rows, domains, flagged);
  } else if (which.latest) {
    // The latest snapshot of each row among the filter's: the row of least rank in its part, kept
    // per device (`network_ranks`), read in one pass over that index; on a connection that cannot
    // bring the ranks up to date, chosen here among the filter's rows. Either way only what the
    // counts read, in a row of `RawRow`'s shape.
    const columns = `n.id, n.device_id, n.app_id, n.source_id, NULL, n.domain, NULL, n.domain_type,
      n.initiated_type, n.context, NULL, NULL, NULL, NULL, NULL, n.context_verification_type, NULL`;
    const chosen: Iterable<RawRow> = readyDevices(db, filter)
      ? (db
          .prepare(
            `SELECT ${columns} FROM network_observations n WHERE n.id IN (SELECT id FROM (
               SELECT n.device_id, n.part, min(n.rn), n.id FROM network_ranks n ${whereSql(nw)}
               GROUP BY n.device_id, n.part))`,
          )
          .raw()
          .iterate(...nw.params) as IterableIterator<RawRow>)
      : latestOf(
          // Found in the index holding the filter's columns: through the time indexes, a date
          // range would read the table row of every row on one side of the range.
          db
            .prepare(
              `SELECT ${columns} FROM network_observations n WHERE n.id IN (
                 SELECT n.id FROM network_observations n INDEXED BY network_observations_group ${whereSql(nw)})`,
            )
            .raw()
            .iterate(...nw.params) as IterableIterator<RawRow>,
          (r) => l.devices.has(r[1]) && l.apps.has(r[2]),
          l.sources,
        );
    const sets = new Map<string, { domains: Set<string>; flagged: Set<string> }>();
    for (const r of chosen) {
      const app = l.apps.get(r[2]);
      if (!app || !l.devices.has(r[1])) continue;
      add(r[1], r[2], 1, 0, 0);
      const key = JSON.stringify([r[1], app.identifier]);
      let s = sets.get(key);
      if (!s) sets.set(key, (s = { domains: new Set(), flagged: new Set() }));
      s.domains.add(r[5]);
      if (r[7] === 1) s.flagged.add(r[5]);
    }
    for (const [key, s] of sets) {
      const g = groups.get(key)!;
      g.domains = s.domains.size;
      g.profiling = s.flagged.size;
    }
  } else {
    for (const [deviceId, appId, rows, domains, flagged] of db
      .prepare(
        `SELECT n.device_id, n.app_id, count(*), ${distinct} FROM network_observations n
         ${whereSql(nw, extra)} GROUP BY n.device_id, n.app_id`,
      )
      .raw()
      .all(...params) as [number, number, number, number, number][])
      add(deviceId, appId, rows, domains, flagged);
  }
  if (!which.latest) {
    // Rows naming another device's app with the same identifier fall in one group with the
    // device's own (a crafted case): their distinct domains are counted again over both.
    const recount = db.prepare(
      `SELECT ${distinct} FROM network_observations n ${whereSql(nw, [...extra, 'n.device_id = ?'])}
       AND n.app_id IN (SELECT value FROM json_each(?))`,
    );
    for (const g of groups.values())
      if (g.appIds.length > 1) {
        const [domains, flagged] = recount
          .raw()
          .get(...params, g.deviceId, JSON.stringify(g.appIds)) as [number, number];
        g.domains = domains;
        g.profiling = flagged;
      }
  }
  // A group's shown name is its device's own app's, as its rows and the CSVs show it: none when
  // that app has none, even if another device's app of the identifier has one. Only when the
  // device has no app of the identifier (rows naming another device's app, a crafted case) is it
  // that of the first app with the identifier.
  const own = new Map<string, string | null>();
  const first = new Map<string, string | null>();
  for (const [device, identifier, name] of db
    .prepare('SELECT device_id, identifier, display_name FROM apps ORDER BY id DESC')
    .raw()
    .all() as [number, string, string | null][]) {
    own.set(JSON.stringify([device, identifier]), name);
    first.set(identifier, name);
  }
  for (const [key, g] of groups) {
    const name = own.get(key);
    g.appName = name !== undefined ? name : (first.get(g.app) ?? null);
  }
  const list = [...groups.values()].map(({ appIds: _ids, ...g }) => g).sort(compareNetworkGroups);
  const devices = filter.devices && filter.devices.length > 0 ? filter.devices : null;
  const recorded = db
    .prepare(
      `SELECT EXISTS (SELECT 1 FROM network_observations n ${devices ? `WHERE n.device_id IN (${devices.map(() => '?').join(', ')})` : ''})`,
    )
    .pluck()
    .get(...(devices ?? [])) as number;
  return { groups: list, rows: list.reduce((sum, g) => sum + g.rows, 0), recorded: recorded === 1 };
}

/** Bounds of a page of network rows; the bridge checks them, this is for direct callers. */
const MAX_LIMIT = 500;

/**
 * One page of one group's rows (the device's rows of the apps with this identifier) in the order
 * `networkItems` gives them: hits from most, domain, id, read through the index
 * `network_observations_group` so a page reads only its rows; the latest chosen among a date
 * range's, tag's or star's rows are chosen among the group's rows alone, as a row's latest
 * snapshot is always of its own device and app.
 */
export function networkRows(
  db: Db,
  args: {
    filter: Filter;
    snapshots?: 'latest' | 'all';
    deviceId: number;
    app: string;
    offset?: number;
    limit?: number;
  },
): NetworkRowsPage {
  const offset = Math.max(0, Math.trunc(args.offset ?? 0));
  const limit = Math.min(MAX_LIMIT, Math.max(1, Math.trunc(args.limit ?? 50)));
  const which = readingOf(db, args.filter, args.snapshots ?? 'latest');
  // The group's apps: those with this identifier holding rows of the device (its own app, and
  // another device's in a crafted case), so one app is read in the index's order with no sort.
  const holds = db
    .prepare(
      'SELECT EXISTS (SELECT 1 FROM network_observations WHERE device_id = ? AND app_id = ?)',
    )
    .pluck();
  const appIds = (
    db.prepare('SELECT id FROM apps WHERE identifier = ?').pluck().all(args.app) as number[]
  ).filter((id) => holds.get(args.deviceId, id) === 1);
  if (appIds.length === 0) return { items: [], total: 0, offset };
  const l = lookups(db);
  const nw = networkWhere(args.filter);
  const group = [
    'n.device_id = ?',
    `n.app_id IN (${appIds.map(() => '?').join(', ')})`,
    ...(which.kept ? [keptClause(which.kept)] : []),
  ];
  const params = [...nw.params, args.deviceId, ...appIds, ...(which.kept ?? [])];
  if (which.latest) {
    const rows = db
      .prepare(`SELECT ${COLUMNS} FROM network_observations n ${whereSql(nw, group)}`)
      .raw()
      .iterate(...params) as IterableIterator<RawRow>;
    const chosen = [
      ...latestOf(rows, (r) => l.devices.has(r[1]) && l.apps.has(r[2]), l.sources),
    ].sort(compareInGroup);
    const items = chosen.map((r) => toItem(r, l)).filter((i): i is NetworkItem => i !== null);
    return { items: items.slice(offset, offset + limit), total: items.length, offset };
  }
  const where = whereSql(nw, group);
  const total = db
    .prepare(`SELECT count(*) FROM network_observations n ${where}`)
    .pluck()
    .get(...params) as number;
  const page = db
    .prepare(
      `SELECT ${COLUMNS} FROM network_observations n ${where}
       ORDER BY n.hits DESC, n.domain, n.id LIMIT ? OFFSET ?`,
    )
    .raw()
    .all(...params, limit, offset) as RawRow[];
  return {
    items: page.map((r) => toItem(r, l)).filter((i): i is NetworkItem => i !== null),
    total,
    offset,
  };
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
