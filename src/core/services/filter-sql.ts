import { STATE_SOURCE_SQL, STATE_SQL } from '../db/session-state';
import type { Filter } from '../../contract/filter';
import { minutesOfDay } from '../../contract/filter';
import { parseIsoWithOffset } from '../../contract/time';
import { AppError } from '../model/errors';
import { deviceStateWhereSql } from '../db/queries/device-state';
import { appIdsSql, type SqlParam } from '../db/queries/sql';

/** Values and the apps filter are shared with the queries in core/db. */
export { appIdsSql, type SqlParam };

export interface SqlWhere {
  clauses: string[];
  params: SqlParam[];
}

/** A bound of the date range: an absolute instant, or a device-local date (its midnight). */
export type RangeBound = { kind: 'instant'; ms: number } | { kind: 'local'; localMs: number };

/** Parses a filter's `from`/`to`: a date alone is device-local midnight. */
export function parseRangeBound(text: string): RangeBound {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const [y, m, d] = text.split('-').map(Number) as [number, number, number];
    const localMs = Date.UTC(y, m - 1, d);
    if (new Date(localMs).getUTCDate() !== d)
      throw new AppError('INVALID_INPUT', `Not a date: ${text}`);
    return { kind: 'local', localMs };
  }
  const withSeconds = /T\d{2}:\d{2}(Z|[+-])/.test(text)
    ? text.replace(/T(\d{2}:\d{2})/, 'T$1:00')
    : text;
  const parsed = parseIsoWithOffset(withSeconds);
  if (!parsed)
    throw new AppError('INVALID_INPUT', `Not a date or an instant with an offset: ${text}`);
  return { kind: 'instant', ms: parsed.ms };
}

/** The state expressions live with the session state in core/db; queries here use them too. */
export { STATE_SOURCE_SQL, STATE_SQL };

/** A session's end instant (its one known edge when open), answered from the anchor index. */
export const SESSION_END_SQL = '(s.anchor_ms + COALESCE(s.duration_ms, 0))';

// Any device-local time lies within 14 h of its instant (UTC offsets span -12:00..+14:00).
const MAX_OFFSET_MS = 14 * 3_600_000;

/**
 * Builds the WHERE clauses of a session query (`s` = access_sessions) for a filter.
 * The date range is half-open and a session counts when it overlaps it; open sessions are
 * treated as the instant they have. `maxDurationMs` lets the anchor index bound the scan.
 */
export function sessionWhere(filter: Filter, maxDurationMs: number): SqlWhere {
  const clauses: string[] = [];
  const params: SqlParam[] = [];
  addDeviceAndApp(filter, 's', clauses, params);
  if (filter.categories && filter.categories.length > 0) {
    clauses.push(`s.category IN (${filter.categories.map(() => '?').join(', ')})`);
    params.push(...filter.categories);
  }
  const startExpr = 's.anchor_ms';
  // The known end, or the one known edge of an open session, from columns the anchor index covers.
  const endExpr = SESSION_END_SQL;
  if (filter.to) {
    const b = parseRangeBound(filter.to);
    if (b.kind === 'instant') {
      clauses.push(`${startExpr} < ?`);
      params.push(b.ms);
    } else {
      clauses.push(`${startExpr} < ?`, `${startExpr} + s.anchor_offset * 60000 < ?`);
      params.push(b.localMs + MAX_OFFSET_MS, b.localMs);
    }
  }
  if (filter.from) {
    const b = parseRangeBound(filter.from);
    if (b.kind === 'instant') {
      clauses.push(`${startExpr} > ?`, `(${endExpr} > ? OR ${startExpr} >= ?)`);
      params.push(b.ms - maxDurationMs - 1, b.ms, b.ms);
    } else {
      const endLocal = `${endExpr} + COALESCE(s.end_offset, s.start_offset) * 60000`;
      clauses.push(
        `${startExpr} > ?`,
        `(${endLocal} > ? OR ${startExpr} + s.anchor_offset * 60000 >= ?)`,
      );
      params.push(b.localMs - MAX_OFFSET_MS - maxDurationMs - 1, b.localMs, b.localMs);
    }
  }
  if (filter.hours) {
    const a = minutesOfDay(filter.hours.from);
    const b = minutesOfDay(filter.hours.to);
    if (a < b) {
      clauses.push('s.anchor_minute >= ? AND s.anchor_minute < ?');
      params.push(a, b);
    } else if (a > b) {
      clauses.push('(s.anchor_minute >= ? OR s.anchor_minute < ?)');
      params.push(a, b);
    }
  }
  if (filter.minSeconds !== undefined && filter.minSeconds > 0) {
    clauses.push('s.duration_ms >= ?');
    params.push(Math.round(filter.minSeconds * 1000));
  }
  if (filter.states && filter.states.length > 0) {
    clauses.push(`${STATE_SQL} IN (${filter.states.map(() => '?').join(', ')})`);
    params.push(...filter.states);
  }
  if (filter.deviceStates && filter.deviceStates.length > 0) {
    // The device's own state at the access's start (unknown when the start is not known).
    const d = deviceStateWhereSql(filter.deviceStates, 's.device_id', 's.start_ms');
    clauses.push(d.sql);
    params.push(...d.params);
  }
  const annotated = annotatedSql(filter, 'access', 'a.device_id, a.interval_key');
  if (annotated) {
    // Through the sessions' (device_id, interval_key) key: session ids survive re-pairing, row ids do not.
    clauses.push(`(s.device_id, s.interval_key) IN (${annotated.sql})`);
    params.push(...annotated.params);
  }
  return { clauses, params };
}

/** The kinds of record an annotation filter can select in a record table. */
export type AnnotatedRecordKind =
  'permission' | 'network-usage' | 'profile' | 'reject' | 'usage' | 'network';

/**
 * The subquery selecting `columns` of the annotations of `kind` that pass the filter's `tags`
 * (any of them) and `starred`, or null when the filter asks for neither.
 */
function annotatedSql(
  filter: Filter,
  kind: 'access' | AnnotatedRecordKind,
  columns: string,
): { sql: string; params: SqlParam[] } | null {
  const tags = filter.tags ?? [];
  if (tags.length === 0 && filter.starred !== true) return null;
  const parts = ['a.kind = ?'];
  const params: SqlParam[] = [kind];
  if (filter.starred === true) parts.push('a.star = 1');
  if (tags.length > 0) {
    parts.push(
      `a.target IN (SELECT t.target FROM annotation_tags t WHERE t.tag IN (${tags.map(() => '?').join(', ')}))`,
    );
    params.push(...tags);
  }
  return { sql: `SELECT ${columns} FROM annotations a WHERE ${parts.join(' AND ')}`, params };
}

/** Adds the tag and star clause for records whose `id` column backs their `<prefix>:<id>` id. */
function addAnnotatedRecords(
  filter: Filter,
  alias: string,
  kind: AnnotatedRecordKind | undefined,
  clauses: string[],
  params: SqlParam[],
): void {
  if ((filter.tags ?? []).length === 0 && filter.starred !== true) return;
  // A table without annotatable ids holds nothing the examiner could have tagged or starred.
  if (kind === undefined) {
    clauses.push('0');
    return;
  }
  const annotated = annotatedSql(filter, kind, 'a.row_id');
  if (annotated) {
    clauses.push(`${alias}.id IN (${annotated.sql})`);
    params.push(...annotated.params);
  }
}

/** WHERE clauses for network snapshot rows (`n` = network_observations): devices, apps, date range. */
export function networkWhere(filter: Filter): SqlWhere {
  const clauses: string[] = [];
  const params: SqlParam[] = [];
  addDeviceAndApp(filter, 'n', clauses, params);
  if (filter.to) {
    const b = parseRangeBound(filter.to);
    clauses.push('COALESCE(n.first_ms, n.last_ms) < ?');
    params.push(b.kind === 'instant' ? b.ms : b.localMs + MAX_OFFSET_MS);
  }
  if (filter.from) {
    const b = parseRangeBound(filter.from);
    clauses.push('COALESCE(n.last_ms, n.first_ms) >= ?');
    params.push(b.kind === 'instant' ? b.ms : b.localMs - MAX_OFFSET_MS);
  }
  addAnnotatedRecords(filter, 'n', 'network', clauses, params);
  return { clauses, params };
}

/**
 * WHERE clauses for records of backup artifacts (alias `r`): devices, apps, categories (when the
 * table has them) and the date range on `timeExpr` (local dates with the row's `time_offset`).
 * Undated rows (a state at backup time) are kept unless a date range is set. `kind` names the
 * records' id prefix (`p:<id>`…) for the tag and star filters; without it those filters match none.
 */
export function recordWhere(
  filter: Filter,
  timeExpr: string,
  opts: { apps: boolean; categories: boolean; kind?: AnnotatedRecordKind },
): SqlWhere {
  const clauses: string[] = [];
  const params: SqlParam[] = [];
  addDeviceAndApp(opts.apps ? filter : { ...filter, apps: undefined }, 'r', clauses, params);
  if (opts.categories && filter.categories && filter.categories.length > 0) {
    clauses.push(`r.category IN (${filter.categories.map(() => '?').join(', ')})`);
    params.push(...filter.categories);
  }
  const local = `(${timeExpr} + COALESCE(r.time_offset, 0) * 60000)`;
  if (filter.from) {
    const b = parseRangeBound(filter.from);
    clauses.push(b.kind === 'instant' ? `${timeExpr} >= ?` : `${local} >= ?`);
    params.push(b.kind === 'instant' ? b.ms : b.localMs);
  }
  if (filter.to) {
    const b = parseRangeBound(filter.to);
    clauses.push(b.kind === 'instant' ? `${timeExpr} < ?` : `${local} < ?`);
    params.push(b.kind === 'instant' ? b.ms : b.localMs);
  }
  addAnnotatedRecords(filter, 'r', opts.kind, clauses, params);
  return { clauses, params };
}

function addDeviceAndApp(
  filter: Filter,
  alias: string,
  clauses: string[],
  params: SqlParam[],
): void {
  if (filter.devices && filter.devices.length > 0) {
    // Unary `+`: the planner keeps the time index instead of walking the device's whole key index.
    clauses.push(`+${alias}.device_id IN (${filter.devices.map(() => '?').join(', ')})`);
    params.push(...filter.devices);
  }
  if (filter.apps && filter.apps.length > 0) {
    const apps = appIdsSql(filter.apps);
    clauses.push(`${alias}.app_id IN (${apps.sql})`);
    for (const p of apps.params) params.push(p);
  }
}

/** Joins clauses into `WHERE ...` (or nothing). */
export function whereSql(w: SqlWhere, extra: string[] = []): string {
  const all = [...w.clauses, ...extra];
  return all.length > 0 ? `WHERE ${all.join(' AND ')}` : '';
}
