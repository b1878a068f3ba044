import type { Finding, Severity } from '../../contract/findings';
import { formatInstant } from '../../contract/time';
import type { Db } from '../db/open';
import { DAY_MS } from '../db/rollup';
import { networkWhere, recordWhere, whereSql } from '../services/filter-sql';
import {
  appLabel,
  categoryOf,
  makeFinding,
  plural,
  resourceName,
  type Instant,
  type RuleDef,
} from './common';

/** `profiling-domains`: domains Apple flags as possibly profiling, per device × app. */
export const profilingDomains: RuleDef = {
  info: {
    id: 'profiling-domains',
    title: 'Possibly profiling domains',
    description:
      "Network rows of the App Privacy Report with domainType 1 (Apple's \"possibly profiling\" flag), per device and app, with the domains' owners as the report names them. Network rows are rolling aggregates, so only the latest snapshot of each row (from the most recent export holding it) is used, never a sum across exports. The filter's devices, apps and date range apply; network rows have no category, so the finding has none.",
    severity: 'high: 5 or more flagged domains; medium: 2 to 4; low: 1.',
    caveat:
      "Apple's flag and the owner names are Apple's classification, not a finding of tracking; a contact does not show what was sent, and a content blocker may have stopped the connection after iOS recorded it.",
    params: [],
  },
  run(ctx) {
    const nw = networkWhere(ctx.filter);
    const rows = ctx.db
      .prepare(
        `SELECT * FROM (
           SELECT n.id, n.device_id AS deviceId, d.label AS device, a.identifier AS app, a.display_name AS appName,
                  n.domain, n.domain_owner AS owner, n.domain_type AS domainType, n.hits,
                  n.first_ms AS firstMs, n.first_offset AS firstOffset, n.last_ms AS lastMs, n.last_offset AS lastOffset,
                  ROW_NUMBER() OVER (
                    PARTITION BY n.device_id, n.app_id, n.domain, COALESCE(n.context, ''), COALESCE(n.initiated_type, ''),
                      COALESCE(n.domain_type, -1), COALESCE(n.context_verification_type, -1)
                    ORDER BY src.data_to DESC, src.id DESC, n.id DESC) AS rn
           FROM network_observations n JOIN apps a ON a.id = n.app_id JOIN devices d ON d.id = n.device_id
           JOIN sources src ON src.id = n.source_id
           ${whereSql(nw)}
         ) WHERE rn = 1 AND domainType = 1
         ORDER BY deviceId, app, domain, id`,
      )
      .all(...nw.params) as {
      id: number;
      deviceId: number;
      device: string;
      app: string;
      appName: string | null;
      domain: string;
      owner: string | null;
      hits: number | null;
      firstMs: number | null;
      firstOffset: number | null;
      lastMs: number | null;
      lastOffset: number | null;
    }[];
    const groups = new Map<string, typeof rows>();
    for (const r of rows) {
      const k = `${r.deviceId}\n${r.app}`;
      const list = groups.get(k) ?? [];
      list.push(r);
      groups.set(k, list);
    }
    const out: Finding[] = [];
    for (const list of groups.values()) {
      const r0 = list[0]!;
      const domains = [...new Set(list.map((r) => r.domain))];
      const owners = [
        ...new Set(list.map((r) => r.owner?.trim() ?? '').filter((o) => o !== '')),
      ].sort();
      let first: Instant | null = null;
      let last: Instant | null = null;
      for (const r of list) {
        const f = r.firstMs ?? r.lastMs;
        const l = r.lastMs ?? r.firstMs;
        if (f !== null && (!first || f < first.ms))
          first = { ms: f, offsetMin: (r.firstMs !== null ? r.firstOffset : r.lastOffset) ?? 0 };
        if (l !== null && (!last || l > last.ms))
          last = { ms: l, offsetMin: (r.lastMs !== null ? r.lastOffset : r.firstOffset) ?? 0 };
      }
      const n = domains.length;
      const severity: Severity = n >= 5 ? 'high' : n >= 2 ? 'medium' : 'low';
      const name = appLabel(r0.app, r0.appName);
      out.push(
        makeFinding({
          rule: 'profiling-domains',
          severity,
          deviceId: r0.deviceId,
          device: r0.device,
          app: r0.app,
          appName: r0.appName,
          category: null,
          count: n,
          first,
          last,
          title: `${name} contacted ${plural(n, 'domain')} Apple flags as possibly profiling${owners.length > 0 ? ` (owners: ${owners.join(', ')})` : ''}`,
          caveat: profilingDomains.info.caveat,
          evidence: list.map((r) => `n:${r.id}`),
          details: {
            domains: domains.join(', '),
            owners: owners.join(', '),
            rows: list.length,
          },
        }),
      );
    }
    return out;
  },
};

/** The latest dated record of a device: its sessions, permission records and usage records. */
function latestRecordMs(db: Db): (deviceId: number) => number | null {
  const cache = new Map<number, number | null>();
  // The device's newest local day in the rollup bounds its latest session from below (a local
  // day starts at most 14 h after its UTC midnight), so the start index reads about a day of
  // sessions rather than every newer session of the other devices.
  const newestDay = db
    .prepare('SELECT MAX(bucket) FROM session_rollup WHERE level = 1 AND device_id = ?')
    .pluck();
  const q = db.prepare(
    `SELECT MAX(t) AS t FROM (
       SELECT (SELECT MAX(anchor_ms) FROM access_sessions WHERE anchor_ms >= ? AND +device_id = ?) AS t
       UNION ALL SELECT MAX(time_ms) FROM permission_records WHERE device_id = ?
       UNION ALL SELECT MAX(time_ms) FROM usage_records WHERE device_id = ?)`,
  );
  return (deviceId) => {
    if (!cache.has(deviceId)) {
      const day = newestDay.get(deviceId) as number | null;
      // Without a rollup cell the device has no session: no bound can skip one.
      const from = day === null ? Number.MAX_SAFE_INTEGER : (day - 1) * DAY_MS;
      const r = q.get(from, deviceId, deviceId, deviceId) as { t: number | null };
      cache.set(deviceId, r.t);
    }
    return cache.get(deviceId) ?? null;
  };
}

/** `new-sensitive-permission`: grants of sensitive permissions dated in the period looked at. */
export const newSensitivePermission: RuleDef = {
  info: {
    id: 'new-sensitive-permission',
    title: 'New sensitive permission',
    description:
      "Permission records (iOS TCC and location clients, Android package runtime permissions) with status granted or limited, of a category other than \"other\", whose time lies inside the filter's date range or, without a date range, within the last `days` days before the device's latest dated record (sessions, permission and usage records). Undated records are left out. One finding per device, app and category; details.accessesAfter counts the app's sessions of that category after the earliest of these grants.",
    severity:
      'medium: the app has sessions of the same category after the grant; low: otherwise; a grant of "limited" access alone is low.',
    caveat:
      'A grant is not a use: it shows that the permission was allowed (by the owner or by a policy) at that time, not that the app accessed anything. The time is when the record last changed, which may be later than the first grant.',
    params: [
      {
        name: 'days',
        default: 30,
        unit: 'days',
        description:
          "Without a date range: how far back from the device's latest record a grant counts as new.",
      },
    ],
  },
  run(ctx) {
    const days = ctx.num('new-sensitive-permission.days');
    const ranged = ctx.filter.from !== undefined || ctx.filter.to !== undefined;
    const w = recordWhere(ctx.filter, 'r.time_ms', {
      apps: true,
      categories: true,
      kind: 'permission',
    });
    const extra = [
      "r.status IN ('granted', 'limited')",
      "r.category <> 'other'",
      'r.time_ms IS NOT NULL',
    ];
    const rows = ctx.db
      .prepare(
        `SELECT r.id, r.device_id AS deviceId, d.label AS device, r.app_id AS appId, a.identifier AS app,
                a.display_name AS appName, r.category, r.status, r.origin, r.raw, r.time_ms AS timeMs,
                COALESCE(r.time_offset, 0) AS offsetMin
         FROM permission_records r JOIN apps a ON a.id = r.app_id JOIN devices d ON d.id = r.device_id
         ${whereSql(w, extra)}
         ORDER BY r.device_id, a.identifier, r.category, r.time_ms, r.id`,
      )
      .all(...w.params) as {
      id: number;
      deviceId: number;
      device: string;
      appId: number;
      app: string;
      appName: string | null;
      category: string;
      status: 'granted' | 'limited';
      origin: string;
      raw: string;
      timeMs: number;
      offsetMin: number;
    }[];
    const latest = latestRecordMs(ctx.db);
    const windowMs = days * 86_400_000;
    const groups = new Map<string, typeof rows>();
    for (const r of rows) {
      if (!ranged && r.timeMs < (latest(r.deviceId) ?? r.timeMs) - windowMs) continue;
      const k = `${r.deviceId}\n${r.app}\n${categoryOf(r.category)}`;
      const list = groups.get(k) ?? [];
      list.push(r);
      groups.set(k, list);
    }
    const after = ctx.db.prepare(
      'SELECT COUNT(*) AS n FROM access_sessions WHERE device_id = ? AND app_id = ? AND category = ? AND anchor_ms >= ?',
    );
    const out: Finding[] = [];
    for (const list of groups.values()) {
      const r0 = list[0]!;
      const rl = list[list.length - 1]!;
      const category = categoryOf(r0.category);
      const accessesAfter = (
        after.get(r0.deviceId, r0.appId, r0.category, r0.timeMs) as { n: number }
      ).n;
      const onlyLimited = list.every((r) => r.status === 'limited');
      const severity: Severity = accessesAfter > 0 && !onlyLimited ? 'medium' : 'low';
      const name = appLabel(r0.app, r0.appName);
      const when = formatInstant(rl.timeMs, rl.offsetMin).slice(0, 10);
      out.push(
        makeFinding({
          rule: 'new-sensitive-permission',
          severity,
          deviceId: r0.deviceId,
          device: r0.device,
          app: r0.app,
          appName: r0.appName,
          category,
          count: list.length,
          first: { ms: r0.timeMs, offsetMin: r0.offsetMin },
          last: { ms: rl.timeMs, offsetMin: rl.offsetMin },
          title: `${name} was granted ${onlyLimited ? 'limited ' : ''}access to ${resourceName(category)} on ${when}${list.length > 1 ? ` (${plural(list.length, 'record')})` : ''}`,
          caveat: newSensitivePermission.info.caveat,
          evidence: list.map((r) => `p:${r.id}`),
          details: {
            status: [...new Set(list.map((r) => r.status))].join(', '),
            origin: [...new Set(list.map((r) => r.origin))].join(', '),
            permission: [...new Set(list.map((r) => r.raw))].join(', '),
            accessesAfter,
            window: ranged ? 'filter date range' : `last ${days} days`,
          },
        }),
      );
    }
    return out;
  },
};
