import type { Db } from '../db/open';
import { sessionWhere, whereSql, type SqlParam, type SqlWhere } from '../services/filter-sql';
import { sessionId } from '../services/query-service';
import {
  FIRST_PACKED_SQL,
  LAST_PACKED_SQL,
  maxSessionMs,
  unpacked,
  unpackSql,
  type Instant,
  type RuleContext,
} from './common';

/** One device × app × category group of sessions, as the SQL path reads it. */
export interface GroupRow {
  deviceId: number;
  appId: number;
  /** The category as stored (groups are per stored category, as in the scan path). */
  category: string;
  firstMs: number | null;
  firstOffset: number | null;
  lastMs: number | null;
  lastOffset: number | null;
}

/** A rule's own clauses, added to the filter's. */
export interface Clauses {
  clauses: string[];
  params: SqlParam[];
}

/** Device labels and app names of a case, read once per run. */
export interface Names {
  device(id: number): string;
  app(id: number): { identifier: string; displayName: string | null };
}

/** Reads the labels of the devices and the names of the apps (a few thousand rows at most). */
export function readNames(db: Db): Names {
  const devices = new Map(
    (db.prepare('SELECT id, label FROM devices').all() as { id: number; label: string }[]).map(
      (d) => [d.id, d.label],
    ),
  );
  const apps = new Map<number, { identifier: string; displayName: string | null }>();
  for (const a of db
    .prepare('SELECT id, identifier, display_name AS displayName FROM apps')
    .iterate() as Iterable<{ id: number; identifier: string; displayName: string | null }>)
    apps.set(a.id, { identifier: a.identifier, displayName: a.displayName });
  return {
    device: (id) => devices.get(id) ?? '',
    app: (id) => apps.get(id) ?? { identifier: '', displayName: null },
  };
}

/** The filter's session clauses. */
export function filterWhere(ctx: RuleContext): SqlWhere {
  return sessionWhere(ctx.filter, maxSessionMs(ctx.db));
}

/**
 * Aggregates the sessions matching the filter and the rule's clauses per device × app × category,
 * in device, app and category order (the scan path's group order), with each group's first and
 * last instant and the rule's own aggregates (`select`, naming its columns).
 */
export function groupAggregates<T>(
  ctx: RuleContext,
  extra: Clauses,
  select: string,
  from = 'access_sessions s',
  leading: SqlParam[] = [],
): (GroupRow & T)[] {
  const w = filterWhere(ctx);
  return ctx.db
    .prepare(
      `SELECT deviceId, appId, category, ${unpackSql('fp', 'first')}, ${unpackSql('lp', 'last')}, g.*
       FROM (SELECT s.device_id AS deviceId, s.app_id AS appId, s.category AS category,
                    MIN(${FIRST_PACKED_SQL}) AS fp, MAX(${LAST_PACKED_SQL}) AS lp${select ? `, ${select}` : ''}
             FROM ${from} ${whereSql(w, extra.clauses)}
             GROUP BY s.app_id, s.category) g
       ORDER BY deviceId, appId, category`,
    )
    .all(...leading, ...w.params, ...extra.params) as (GroupRow & T)[];
}

/** The first and last instant of a group. */
export function groupSpan(g: GroupRow): { first: Instant | null; last: Instant | null } {
  return { first: unpacked(g.firstMs, g.firstOffset), last: unpacked(g.lastMs, g.lastOffset) };
}

/**
 * The ids of a group's sessions matching the filter and the rule's clauses, in start order (the
 * scan path's), at most `limit` of them.
 */
export function groupEvidence(
  ctx: RuleContext,
  extra: Clauses,
  g: Pick<GroupRow, 'deviceId' | 'appId' | 'category'>,
  limit: number,
  from = 'access_sessions s',
  leading: SqlParam[] = [],
): string[] {
  if (limit <= 0) return [];
  const w = filterWhere(ctx);
  const rows = ctx.db
    .prepare(
      `SELECT s.interval_key AS k FROM ${from}
       ${whereSql(w, [...extra.clauses, 's.app_id = ?', 's.category = ?'])}
       ORDER BY s.anchor_ms, s.interval_key LIMIT ?`,
    )
    .pluck()
    .all(...leading, ...w.params, ...extra.params, g.appId, g.category, limit) as string[];
  return rows.map((k) => sessionId(g.deviceId, k));
}
