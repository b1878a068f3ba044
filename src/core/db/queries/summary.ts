import type { SummaryItem } from '../../../contract/api';
import { toCategory } from '../../../contract/categories';
import { minutesOfDay, type DayWindow, type Filter } from '../../../contract/filter';
import { appIdsSql, type SqlParam } from './sql';
import type { Db } from '../open';
import { decodeStatsCells, type CellView } from '../session-stats-cells';
import { sumStatsCells, type CellTotals } from '../session-stats-counts';
import {
  keepSummaryStamp,
  staleSummaryDevices,
  SUMMARY_HOUR_COLUMNS,
  SUMMARY_OFFSET_BIAS,
  SUMMARY_PACK,
} from '../summary-groups';
import { compareText } from './text-order';

/** Whether the session stats answer a summary with this filter: devices, apps and categories only. */
export function statsServeSummary(filter: Filter): boolean {
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    if (key === 'devices' || key === 'apps' || key === 'categories') continue;
    if (Array.isArray(value) && value.length === 0) continue;
    if (key === 'starred' && value === false) continue;
    if (key === 'minSeconds' && value === 0) continue;
    return false;
  }
  return true;
}

/**
 * The minutes of the day a night window holds, as whole hours and the minute ranges left over
 * (start inclusive, end exclusive; a window from a time to itself holds the whole day).
 */
export function nightParts(night: DayWindow): { hours: number[]; minutes: [number, number][] } {
  const a = minutesOfDay(night.from);
  const b = minutesOfDay(night.to);
  const inside = (m: number): boolean =>
    a === b ? true : a < b ? m >= a && m < b : m >= a || m < b;
  const hours: number[] = [];
  const minutes: [number, number][] = [];
  for (let h = 0; h < 24; h += 1) {
    let whole = true;
    let start = -1;
    for (let m = h * 60; m < h * 60 + 60; m += 1) {
      if (inside(m)) {
        if (start < 0) start = m;
      } else {
        whole = false;
        if (start >= 0) minutes.push([start, m]);
        start = -1;
      }
    }
    if (whole) hours.push(h);
    else if (start >= 0) minutes.push([start, h * 60 + 60]);
  }
  return { hours, minutes };
}

/** One device × app × category group of the summary, its night not yet counted. */
export interface SummaryGroup {
  deviceId: number;
  appId: number;
  category: string;
  sessions: number;
  /** Sessions by device-local hour (0-23) of their anchor. */
  hours: number[];
  open: number;
  /** Closed sessions with a duration; `totalMs` and `longestMs` are theirs. */
  closed: number;
  totalMs: number;
  longestMs: number;
  /** First and last instant packed as the scan packs them (ms × 2048 + offset + 1024). */
  firstPacked: number | null;
  lastPacked: number | null;
  /** With `withDurations`: sessions whose app state is known and those in the background. */
  known: number;
  background: number;
  /** With `withDurations`: the median closed duration (the mean of the middle two for an even count). */
  medianMs: number | null;
}

/** SQLite's NOCASE order: ASCII letters folded, the rest compared by code point. */
const nocase = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/**
 * Decodes a bucket's cells with their durations (each cell's own array), handing each over with
 * the totals `sumStatsCells` gives, summed in the same order.
 */
function decodeWithTotals(blob: Uint8Array, visit: (cell: CellTotals & CellView) => void): void {
  decodeStatsCells(blob, (v) => {
    const d = v.durations;
    let total = 0;
    for (let i = 0; i < d.length; i += 1) total += d[i]!;
    visit({
      ...v,
      closed: d.length,
      totalMs: total,
      longestMs: d.length > 0 ? d[d.length - 1]! : 0,
    });
  });
}

/** The median of ascending runs' union: the middle value, or the mean of the middle two. */
function medianOf(runs: Float64Array[]): number | null {
  let n = 0;
  for (const r of runs) n += r.length;
  if (n === 0) return null;
  const all = new Float64Array(n);
  let at = 0;
  for (const r of runs) {
    all.set(r, at);
    at += r.length;
  }
  all.sort();
  const mid = n >> 1;
  return n % 2 ? all[mid]! : (all[mid - 1]! + all[mid]!) / 2;
}

/** The restriction of a filter's devices, apps and categories on sessions aliased `alias`. */
function restrictSessions(
  alias: string,
  devices: readonly number[] | null,
  apps: { sql: string; params: SqlParam[] } | null,
  categories: ReadonlySet<string> | null,
): { sql: string; params: SqlParam[] } {
  const parts: string[] = [];
  const params: SqlParam[] = [];
  if (devices) {
    // Through the apps (an app belongs to one device): the indexes read need no session row.
    parts.push(
      `${alias}.app_id IN (SELECT id FROM apps WHERE device_id IN (${devices.map(() => '?').join(', ')}))`,
    );
    for (const d of devices) params.push(d);
  }
  if (apps) {
    parts.push(`${alias}.app_id IN (${apps.sql})`);
    for (const p of apps.params) params.push(p);
  }
  if (categories) {
    parts.push(`${alias}.category IN (${[...categories].map(() => '?').join(', ')})`);
    for (const c of categories) params.push(c);
  }
  return { sql: parts.map((p) => ` AND ${p}`).join(''), params };
}

/** The filter's devices, app ids (as SQL) and categories; null for each it does not name. */
function filterParts(
  db: Db,
  filter: Filter,
): {
  devices: number[] | null;
  apps: { sql: string; params: SqlParam[] } | null;
  appSet: Set<number> | null;
  categories: Set<string> | null;
} {
  const devices = filter.devices && filter.devices.length > 0 ? filter.devices : null;
  const categories =
    filter.categories && filter.categories.length > 0 ? new Set<string>(filter.categories) : null;
  const apps = filter.apps && filter.apps.length > 0 ? appIdsSql(filter.apps) : null;
  const appSet = apps
    ? new Set(
        db
          .prepare(apps.sql)
          .pluck()
          .all(...apps.params) as number[],
      )
    : null;
  return { devices, apps, appSet, categories };
}

/**
 * The summary's groups from the session stats (sessions by hour, closed durations) of the
 * four-week buckets, the open sessions from their partial index, and each group's first and last
 * instant from the index by app, category and start: a few thousand rows and lookups, and the
 * durations of the sessions asked for, decoded and summed. Only groups with sessions; only
 * filters of devices, apps and categories ({@link statsServeSummary}).
 */
export function summaryGroupsFromStats(
  db: Db,
  filter: Filter,
  maxDurationMs: number,
  withDurations = false,
): SummaryGroup[] {
  const { devices, apps, appSet, categories } = filterParts(db, filter);
  const cells = new Map<string, SummaryGroup>();
  const runs = new Map<SummaryGroup, Float64Array[]>();
  const wanted = (appId: number, category: string): boolean =>
    (appSet === null || appSet.has(appId)) && (categories === null || categories.has(category));
  const devClause = devices ? `AND device_id IN (${devices.map(() => '?').join(', ')})` : '';
  for (const row of db
    .prepare(`SELECT device_id AS deviceId, cells FROM session_stats WHERE level = 28 ${devClause}`)
    .iterate(...(devices ?? [])) as Iterable<{ deviceId: number; cells: Uint8Array }>)
    // The durations are summed as they are decoded: the summary needs no more of them.
    (withDurations ? decodeWithTotals : sumStatsCells)(row.cells, (v) => {
      if (!wanted(v.appId, v.category)) return;
      const key = `${v.appId}\u0000${v.category}`;
      let c = cells.get(key);
      if (!c) {
        c = {
          deviceId: row.deviceId,
          appId: v.appId,
          category: v.category,
          sessions: 0,
          hours: new Array<number>(24).fill(0),
          open: 0,
          closed: 0,
          totalMs: 0,
          longestMs: 0,
          firstPacked: null,
          lastPacked: null,
          known: 0,
          background: 0,
          medianMs: null,
        };
        cells.set(key, c);
      }
      if ('durations' in v) {
        const d = v as CellTotals & CellView;
        c.known += d.known;
        c.background += d.background;
        if (d.durations.length > 0) {
          let list = runs.get(c);
          if (!list) runs.set(c, (list = []));
          list.push(d.durations);
        }
      }
      for (let h = 0; h < 24; h += 1) {
        const n = v.hours[h]!;
        c.sessions += n;
        c.hours[h] = c.hours[h]! + n;
      }
      c.closed += v.closed;
      c.totalMs += v.totalMs;
      if (v.closed > 0) c.longestMs = Math.max(c.longestMs, v.longestMs);
    });
  for (const [c, list] of runs) c.medianMs = medianOf(list);
  const r = restrictSessions('s', devices, apps, categories);
  for (const row of db
    .prepare(
      `SELECT s.app_id AS appId, s.category, COUNT(*) AS n
       FROM access_sessions s INDEXED BY access_sessions_open WHERE s.open = 1${r.sql}
       GROUP BY s.app_id, s.category`,
    )
    .iterate(...r.params) as Iterable<{ appId: number; category: string; n: number }>) {
    const c = cells.get(`${row.appId}\u0000${row.category}`);
    if (c) c.open += row.n;
  }
  // Each group's first and last instant, for all groups in one statement: a few seeks of the
  // index by app, category and start per group, rather than statements per group.
  const groups = [...cells.values()].filter((c) => c.sessions > 0);
  const edges = db
    .prepare(
      `WITH g AS MATERIALIZED (
         SELECT j.key AS i, json_extract(j.value, '$[0]') AS a, json_extract(j.value, '$[1]') AS k
         FROM json_each(?) j)
       SELECT g.i,
         (SELECT MIN(anchor_ms * 2048 + anchor_offset + 1024) FROM access_sessions
          WHERE app_id = g.a AND category = g.k
            AND anchor_ms = (SELECT MIN(anchor_ms) FROM access_sessions WHERE app_id = g.a AND category = g.k)
         ) AS firstPacked,
         -- A session's last instant lies at most the longest duration after its start.
         (SELECT MAX(COALESCE(end_ms, start_ms) * 2048 + COALESCE(end_offset, start_offset) + 1024)
          FROM access_sessions WHERE app_id = g.a AND category = g.k
            AND anchor_ms >= (SELECT MAX(anchor_ms) FROM access_sessions WHERE app_id = g.a AND category = g.k) - ?
         ) AS lastPacked
       FROM g`,
    )
    .raw()
    .all(JSON.stringify(groups.map((c) => [c.appId, c.category])), maxDurationMs) as [
    number,
    number | null,
    number | null,
  ][];
  for (const [i, firstPacked, lastPacked] of edges) {
    groups[i]!.firstPacked = firstPacked;
    groups[i]!.lastPacked = lastPacked;
  }
  return groups;
}

/**
 * The summary per device, app and category from the session stats ({@link
 * summaryGroupsFromStats}), the minutes of the night outside whole hours from the start index.
 * Exactly what the scan over the sessions gives; only filters of devices, apps and categories
 * ({@link statsServeSummary}).
 */
export function summaryFromStats(
  db: Db,
  filter: Filter,
  night: DayWindow,
  maxDurationMs: number,
): SummaryItem[] {
  const groups = summaryGroupsFromStats(db, filter, maxDurationMs);
  const { devices, apps, categories } = filterParts(db, filter);
  const { hours, minutes } = nightParts(night);
  const extra = nightMinutes(db, minutes, restrictSessions('s', devices, apps, categories));
  const labels = new Map(
    (db.prepare('SELECT id, label FROM devices').all() as { id: number; label: string }[]).map(
      (d) => [d.id, d.label],
    ),
  );
  const appNames = new Map(
    (
      db.prepare('SELECT id, identifier, display_name AS name FROM apps').all() as {
        id: number;
        identifier: string;
        name: string | null;
      }[]
    ).map((a) => [a.id, a]),
  );
  const out = groups.map((c) => {
    const a = appNames.get(c.appId);
    let night = extra.get(`${c.appId}\u0000${c.category}`) ?? 0;
    for (const h of hours) night += c.hours[h]!;
    return {
      deviceId: c.deviceId,
      device: labels.get(c.deviceId) ?? '',
      appId: c.appId,
      app: a?.identifier ?? '',
      appName: a?.name ?? null,
      category: toCategory(c.category),
      rawCategory: c.category,
      sessions: c.sessions,
      openSessions: c.open,
      totalMs: c.closed > 0 ? c.totalMs : null,
      longestMs: c.closed > 0 ? c.longestMs : null,
      nightSessions: night,
      first: unpack(c.firstPacked),
      last: unpack(c.lastPacked),
    };
  });
  return sortedItems(out);
}

/** Sessions per app and category whose anchor minute lies in the ranges (start inclusive). */
function nightMinutes(
  db: Db,
  minutes: [number, number][],
  restrict: { sql: string; params: SqlParam[] },
): Map<string, number> {
  const out = new Map<string, number>();
  if (minutes.length === 0) return out;
  // Minutes of the night outside whole hours: counted from the index by minute of the day, a
  // range of it for each.
  const ranges = minutes.map(() => '(s.anchor_minute >= ? AND s.anchor_minute < ?)').join(' OR ');
  for (const row of db
    .prepare(
      `SELECT s.app_id AS appId, s.category, COUNT(*) AS n
       FROM access_sessions s INDEXED BY access_sessions_minute WHERE (${ranges})${restrict.sql}
       GROUP BY s.app_id, s.category`,
    )
    .iterate(...minutes.flat(), ...restrict.params) as Iterable<{
    appId: number;
    category: string;
    n: number;
  }>)
    out.set(`${row.appId}\u0000${row.category}`, row.n);
  return out;
}

/** The summary's order: device (NOCASE), app, then category as stored; the stored one dropped. */
function sortedItems(items: (SummaryItem & { rawCategory: string })[]): SummaryItem[] {
  items.sort(
    (x, y) =>
      compareText(nocase(x.device), nocase(y.device)) ||
      compareText(x.app, y.app) ||
      compareText(x.rawCategory, y.rawCategory),
  );
  return items.map(({ rawCategory: _raw, ...item }) => item);
}

const unpack = (v: number | null): { ms: number; offsetMin: number } | null =>
  v === null
    ? null
    : { ms: Math.floor(v / SUMMARY_PACK), offsetMin: (v % SUMMARY_PACK) - SUMMARY_OFFSET_BIAS };

/**
 * The summary from the groups kept per device (`summary_groups`, see `refreshSummaryGroups`): a
 * row per device, app and category, whatever the number of sessions, and the minutes of the night
 * outside whole hours from the start index. Exactly what the scan over the sessions gives; only
 * filters of devices, apps and categories ({@link statsServeSummary}). Null when a device asked
 * for has no kept groups or they are stale (an import since), for the caller to read otherwise.
 */
export function summaryFromGroups(db: Db, filter: Filter, night: DayWindow): SummaryItem[] | null {
  const devices = filter.devices && filter.devices.length > 0 ? filter.devices : null;
  const existing = db.prepare('SELECT id FROM devices ORDER BY id').pluck().all() as number[];
  const wanted = devices ? existing.filter((d) => devices.includes(d)) : existing;
  if (staleSummaryDevices(db, wanted).length > 0) return null;
  const categories = filter.categories && filter.categories.length > 0 ? filter.categories : null;
  const apps = filter.apps && filter.apps.length > 0 ? appIdsSql(filter.apps) : null;
  const clauses = ['g.device_id IN (SELECT id FROM devices)'];
  const params: SqlParam[] = [];
  if (devices) {
    clauses.push(`g.device_id IN (${devices.map(() => '?').join(', ')})`);
    params.push(...devices);
  }
  if (apps) {
    clauses.push(`g.app_id IN (${apps.sql})`);
    params.push(...apps.params);
  }
  if (categories) {
    clauses.push(`g.category IN (${categories.map(() => '?').join(', ')})`);
    params.push(...categories);
  }
  const { hours, minutes } = nightParts(night);
  const nightSql = hours.length > 0 ? hours.map((h) => SUMMARY_HOUR_COLUMNS[h]).join(' + ') : '0';
  const rows = db
    .prepare(
      `SELECT g.device_id AS deviceId, d.label AS device, g.app_id AS appId, a.identifier AS app,
              a.display_name AS appName, g.category, g.sessions, g.open_sessions AS openSessions,
              g.total_ms AS totalMs, g.longest_ms AS longestMs, ${nightSql} AS nightSessions,
              g.first_packed AS firstPacked, g.last_packed AS lastPacked
       FROM summary_groups g JOIN apps a ON a.id = g.app_id JOIN devices d ON d.id = g.device_id
       WHERE ${clauses.join(' AND ')}`,
    )
    .all(...params) as (Omit<SummaryItem, 'first' | 'last' | 'category'> & {
    category: string;
    firstPacked: number | null;
    lastPacked: number | null;
  })[];
  const extra = nightMinutes(
    db,
    minutes,
    restrictSessions('s', devices, apps, categories ? new Set(categories) : null),
  );
  return sortedItems(
    rows.map(({ firstPacked, lastPacked, ...r }) => ({
      ...r,
      nightSessions: r.nightSessions + (extra.get(`${r.appId}\u0000${r.category}`) ?? 0),
      rawCategory: r.category,
      category: toCategory(r.category),
      first: unpack(firstPacked),
      last: unpack(lastPacked),
    })),
  );
}

/** The longest session ever stored (kept with the rollup; never less than the current longest). */
function maxSessionMs(db: Db): number {
  const v = db.prepare("SELECT value FROM case_meta WHERE key = 'max_session_ms'").pluck().get() as
    string | undefined;
  return Math.max(0, Number(v ?? 0));
}

/**
 * Computes and keeps the summary groups of the devices named (every device when none are), each
 * device in a transaction of its own, from its session stats ({@link summaryGroupsFromStats}):
 * milliseconds a device, not a pass over its sessions. Returns the devices done.
 */
export function refreshSummaryGroups(db: Db, deviceIds?: readonly number[]): number[] {
  const existing = db.prepare('SELECT id FROM devices ORDER BY id').pluck().all() as number[];
  const wanted = deviceIds ? new Set(deviceIds) : null;
  const insert = db.prepare(
    `INSERT INTO summary_groups (device_id, app_id, category, sessions, open_sessions, total_ms,
       longest_ms, first_packed, last_packed, closed, known, background, median_ms,
       ${SUMMARY_HOUR_COLUMNS.join(', ')})
     VALUES (${Array.from({ length: 13 + 24 }, () => '?').join(', ')})`,
  );
  const done: number[] = [];
  for (const deviceId of existing) {
    if (wanted && !wanted.has(deviceId)) continue;
    db.transaction(() => {
      db.prepare('DELETE FROM summary_groups WHERE device_id = ?').run(deviceId);
      for (const g of summaryGroupsFromStats(db, { devices: [deviceId] }, maxSessionMs(db), true))
        insert.run(
          g.deviceId,
          g.appId,
          g.category,
          g.sessions,
          g.open,
          g.closed > 0 ? g.totalMs : null,
          g.closed > 0 ? g.longestMs : null,
          g.firstPacked,
          g.lastPacked,
          g.closed,
          g.known,
          g.background,
          g.medianMs,
          ...g.hours,
        );
      keepSummaryStamp(db, deviceId);
    })();
    done.push(deviceId);
  }
  return done;
}
