import { toCategory, type Category } from '../../contract/categories';
import { DEFAULT_NIGHT, type DayWindow } from '../../contract/filter';
import type { CompareColumn, CompareRow } from '../../contract/records';
import { localDayNumber, msToSeconds } from '../../contract/time';
import { latestOffset } from '../db/queries/device-offset';
import type { Db } from '../db/open';
import { AppError } from '../model/errors';
import { STATE_SQL } from './filter-sql';
import { nightExpr } from './query-service';

/** One column to compare: a device, optionally limited to local days [fromDay, toDay). */
export interface CompareSpec {
  label: string;
  deviceId: number;
  /** Device-local day numbers (days since 1970-01-01), half-open; null for unbounded. */
  fromDay: number | null;
  toDay: number | null;
}

/** Parses `YYYY-MM-DD` into a local day number, or throws INVALID_INPUT naming the text. */
export function dayOf(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).getUTCDate() !== Number(m[3]))
    throw new AppError('INVALID_INPUT', `Not a date (YYYY-MM-DD): ${text}`);
  return Math.floor(ms / 86_400_000);
}

/**
 * The device-local days a device's sources cover, as a set of day numbers: each source's data
 * range mapped to local days with the device's offset. A day outside them is "no data", never
 * "no activity".
 */
export function observedDays(db: Db, deviceId: number): Set<number> {
  const offset = latestOffset(db, deviceId) ?? 0;
  const days = new Set<number>();
  const ranges = db
    .prepare(
      'SELECT data_from AS a, data_to AS b FROM sources WHERE device_id = ? AND data_from IS NOT NULL AND data_to IS NOT NULL',
    )
    .all(deviceId) as { a: number; b: number }[];
  for (const r of ranges) {
    const first = localDayNumber(r.a, offset);
    const last = localDayNumber(r.b, offset);
    for (let d = first; d <= last && d - first < 36_600; d += 1) days.add(d);
  }
  return days;
}

/** App identifier → the identifiers it is paired with (itself included). */
export function pairingGroups(db: Db): Map<string, string[]> {
  const pairs = db.prepare('SELECT a, b FROM app_pairings').all() as { a: string; b: string }[];
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    return r;
  };
  for (const { a, b } of pairs) {
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
  const groups = new Map<string, string[]>();
  for (const id of parent.keys()) {
    const root = find(id);
    groups.set(root, [...(groups.get(root) ?? []), id]);
  }
  const out = new Map<string, string[]>();
  for (const members of groups.values()) {
    const sorted = members.sort();
    for (const m of sorted) out.set(m, sorted);
  }
  return out;
}

interface Cell {
  sessions: number;
  night: number;
  longestMs: number | null;
  background: number;
  known: number;
  durations: number[];
}

/**
 * Compares devices or periods: one row per app × category seen in any column, with sessions per
 * observed day, night sessions, median and longest duration and background share per column.
 */
export function compare(
  db: Db,
  specs: CompareSpec[],
  night: DayWindow = DEFAULT_NIGHT,
): CompareRow[] {
  if (specs.length < 2) throw new AppError('INVALID_INPUT', 'Compare needs two columns or more.');
  const groups = pairingGroups(db);
  const canonical = (app: string): string => groups.get(app)?.[0] ?? app;
  const n = nightExpr(night);
  const rows = new Map<string, { app: string; category: Category; appName: string | null }>();
  const cells = specs.map(() => new Map<string, Cell>());
  const observed = specs.map((spec) => {
    const days = observedDays(db, spec.deviceId);
    let count = 0;
    for (const d of days)
      if ((spec.fromDay === null || d >= spec.fromDay) && (spec.toDay === null || d < spec.toDay))
        count += 1;
    return count;
  });
  specs.forEach((spec, i) => {
    const where = ['s.device_id = ?'];
    const params: (number | string)[] = [spec.deviceId];
    if (spec.fromDay !== null) {
      where.push('s.local_day >= ?');
      params.push(spec.fromDay);
    }
    if (spec.toDay !== null) {
      where.push('s.local_day < ?');
      params.push(spec.toDay);
    }
    const stmt = db.prepare(
      `SELECT a.identifier AS app, a.display_name AS appName, s.category,
              CASE WHEN ${n.sql} THEN 1 ELSE 0 END AS night, s.open, s.duration_ms AS durationMs,
              ${STATE_SQL} AS state
       FROM access_sessions s JOIN apps a ON a.id = s.app_id
       WHERE ${where.join(' AND ')}`,
    );
    for (const r of stmt.iterate(...n.params, ...params) as IterableIterator<{
      app: string;
      appName: string | null;
      category: string;
      night: number;
      open: number;
      durationMs: number | null;
      state: string;
    }>) {
      const app = canonical(r.app);
      const category = toCategory(r.category);
      const key = `${app}\n${category}`;
      const row = rows.get(key);
      if (!row) rows.set(key, { app, category, appName: r.appName });
      else if (row.appName === null) row.appName = r.appName;
      let c = cells[i]!.get(key);
      if (!c) {
        c = { sessions: 0, night: 0, longestMs: null, background: 0, known: 0, durations: [] };
        cells[i]!.set(key, c);
      }
      c.sessions += 1;
      c.night += r.night;
      if (r.open === 0 && r.durationMs !== null) {
        c.durations.push(r.durationMs);
        if (c.longestMs === null || r.durationMs > c.longestMs) c.longestMs = r.durationMs;
      }
      if (r.state !== 'unknown') c.known += 1;
      if (r.state === 'background') c.background += 1;
    }
  });
  const median = (values: number[]): number | null => {
    if (values.length === 0) return null;
    const v = [...values].sort((a, b) => a - b);
    const mid = v.length >> 1;
    return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
  };
  return [...rows.entries()]
    .sort(([, a], [, b]) => a.app.localeCompare(b.app) || a.category.localeCompare(b.category))
    .map(([key, row]) => ({
      app: row.app,
      appName: row.appName,
      apps: groups.get(row.app) ?? [row.app],
      category: row.category,
      columns: specs.map((spec, i): CompareColumn => {
        const c = cells[i]!.get(key);
        const days = observed[i]!;
        const sessions = c?.sessions ?? 0;
        const med = c ? median(c.durations) : null;
        return {
          label: spec.label,
          observedDays: days,
          sessions,
          sessionsPerDay: days > 0 ? Math.round((sessions / days) * 100) / 100 : null,
          nightSessions: c?.night ?? 0,
          medianSeconds: med === null ? null : msToSeconds(med),
          longestSeconds: c?.longestMs == null ? null : msToSeconds(c.longestMs),
          backgroundShare:
            c && c.known > 0 ? Math.round((c.background / c.known) * 1000) / 1000 : null,
        };
      }),
    }));
}

/** Stores a pairing of two app identifiers (either order); returns false when it existed. */
export function pairApps(db: Db, x: string, y: string): boolean {
  if (x === y) throw new AppError('INVALID_INPUT', 'An app cannot be paired with itself.');
  const [a, b] = x < y ? [x, y] : [y, x];
  return (
    db
      .prepare('INSERT OR IGNORE INTO app_pairings (a, b, created_at) VALUES (?, ?, ?)')
      .run(a, b, Date.now()).changes > 0
  );
}

/** Removes a pairing; returns false when there was none. */
export function unpairApps(db: Db, x: string, y: string): boolean {
  const [a, b] = x < y ? [x, y] : [y, x];
  return db.prepare('DELETE FROM app_pairings WHERE a = ? AND b = ?').run(a, b).changes > 0;
}
