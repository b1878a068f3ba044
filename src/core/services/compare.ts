import { toCategory, type Category } from '../../contract/categories';
import { DEFAULT_NIGHT, inDayWindow, minutesOfDay, type DayWindow } from '../../contract/filter';
import type { CompareColumn, CompareRow, Platform } from '../../contract/records';
import { msToSeconds } from '../../contract/time';
import type { Db } from '../db/open';
import { decodeStatsCells, durationCount, DurationScratch } from '../db/session-stats-cells';
import { bucketOf, STATS_LEVELS } from '../db/session-stats-table';
import { DeviceStateSweep, hasDeviceStates } from '../db/queries/device-state';
import { staleSummaryDevices, SUMMARY_HOUR_COLUMNS } from '../db/summary-groups';
import { AppError } from '../model/errors';
import { STATE_SQL } from './filter-sql';
import { ACCESS_SOURCE_SQL, observedRanges } from './observed-days';
import { nightExpr } from './session-scans';

/** One column to compare: a device, optionally limited to local days [fromDay, toDay). */
export interface CompareSpec {
  label: string;
  deviceId: number;
  /** Device-local day numbers (days since 1970-01-01), half-open; null for unbounded. */
  fromDay: number | null;
  toDay: number | null;
}

/** The sessions of a column: its device, and its days when it is a period. */
function columnWhere(spec: CompareSpec): { where: string[]; params: number[] } {
  const where = ['s.device_id = ?'];
  const params = [spec.deviceId];
  if (spec.fromDay !== null) {
    where.push('s.local_day >= ?');
    params.push(spec.fromDay);
  }
  if (spec.toDay !== null) {
    where.push('s.local_day < ?');
    params.push(spec.toDay);
  }
  return { where, params };
}

/** Parses `YYYY-MM-DD` into a local day number, or throws INVALID_INPUT naming the text. */
export function dayOf(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).getUTCDate() !== Number(m[3]))
    throw new AppError('INVALID_INPUT', `Not a date (YYYY-MM-DD): ${text}`);
  return Math.floor(ms / 86_400_000);
}

/** How many of the ranges' days lie in [fromDay, toDay) (null: unbounded). */
function countDays(
  ranges: [number, number][],
  fromDay: number | null,
  toDay: number | null,
): number {
  let n = 0;
  for (const [a, b] of ranges) {
    const lo = fromDay === null ? a : Math.max(a, fromDay);
    const hi = toDay === null ? b : Math.min(b, toDay - 1);
    if (hi >= lo) n += hi - lo + 1;
  }
  return n;
}

/** A column's observed days inside its period [fromDay, toDay), ascending. */
export function observedDaysIn(db: Db, spec: Omit<CompareSpec, 'label'>): number[] {
  const out: number[] = [];
  for (const [a, b] of observedRanges(db, spec.deviceId)) {
    const lo = spec.fromDay === null ? a : Math.max(a, spec.fromDay);
    const hi = spec.toDay === null ? b : Math.min(b, spec.toDay - 1);
    for (let d = lo; d <= hi; d += 1) out.push(d);
  }
  return out;
}

/**
 * The device-local days a device's access logs cover, as a set of day numbers (see
 * `observedRanges`). A day outside them is "no data", never "no activity".
 */
export function observedDays(db: Db, deviceId: number): Set<number> {
  const days = new Set<number>();
  for (const [a, b] of observedRanges(db, deviceId)) for (let d = a; d <= b; d += 1) days.add(d);
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

/** One column's figures for one row (app × category), as collected by either path. */
interface Cell {
  sessions: number;
  night: number;
  background: number;
  known: number;
  /** Closed sessions: the durations the median and the longest are taken over. */
  closed: number;
  /** While a column is read: its closed durations (ms) as ascending runs. */
  runs: Float64Array[];
  medianMs: number | null;
  longestMs: number | null;
  /** The app rows (ids) the cell's sessions belong to, to name the row. */
  apps: Set<number>;
  /** Sessions starting while the device recorded itself locked, and those whose lock state is known. */
  locked: number;
  lockKnown: number;
}

interface RowKey {
  app: string;
  category: Category;
}

/** What both paths collect: the rows seen in any column and each column's cells. */
interface Collected {
  rows: Map<string, RowKey>;
  cells: Map<string, Cell>[];
}

function cellOf(cells: Map<string, Cell>, key: string): Cell {
  let c = cells.get(key);
  if (!c) {
    c = {
      sessions: 0,
      night: 0,
      background: 0,
      known: 0,
      closed: 0,
      runs: [],
      medianMs: null,
      longestMs: null,
      apps: new Set(),
      locked: 0,
      lockKnown: 0,
    };
    cells.set(key, c);
  }
  return c;
}

/** The number of values ≤ x in an ascending run, searched within [lo, hi). */
function countAtMost(run: Float64Array, x: number, lo: number, hi: number): number {
  let a = lo;
  let b = hi;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (run[m]! <= x) a = m + 1;
    else b = m;
  }
  return a;
}

/**
 * The k-th smallest value (0-based) of the union of ascending runs of whole numbers (durations
 * are integer milliseconds): the least whole number with more than k values at or below it,
 * found by halving the value range between the runs' k-th bounds. Each run's search window only
 * narrows, so a step costs a few comparisons per run instead of a pass over the values.
 */
function kthOfRuns(runs: Float64Array[], k: number): number {
  if (runs.length === 1) return runs[0]![k]!;
  const m = runs.length;
  const lo = new Int32Array(m);
  const hi = new Int32Array(m);
  const counts = new Int32Array(m);
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < m; i += 1) {
    const r = runs[i]!;
    hi[i] = r.length;
    if (r.length === 0) continue;
    // The k-th value lies between the smallest of all and, for each run with more than k
    // values, that run's (k+1)-th.
    low = Math.min(low, r[0]!);
    high = Math.max(high, r[r.length - 1]!);
  }
  for (let i = 0; i < m; i += 1) {
    const r = runs[i]!;
    if (r.length > k) high = Math.min(high, r[k]!);
  }
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    let n = 0;
    for (let i = 0; i < m; i += 1) {
      counts[i] = countAtMost(runs[i]!, mid, lo[i]!, hi[i]!);
      n += counts[i]!;
    }
    if (n > k) {
      high = mid;
      hi.set(counts);
    } else {
      low = mid + 1;
      lo.set(counts);
    }
  }
  return low;
}

/** Sets a cell's median (the mean of the middle two for an even count) and longest from its runs. */
function settleRuns(c: Cell): void {
  const runs = c.runs;
  c.runs = [];
  let n = 0;
  let longest: number | null = null;
  for (const r of runs) {
    n += r.length;
    if (r.length > 0 && (longest === null || r[r.length - 1]! > longest))
      longest = r[r.length - 1]!;
  }
  c.longestMs = longest;
  c.closed = n;
  if (n === 0) return;
  const mid = n >> 1;
  if (n % 2) {
    c.medianMs = kthOfRuns(runs, mid);
    return;
  }
  const lower = kthOfRuns(runs, mid - 1);
  c.medianMs = (lower + nextAfter(runs, lower, mid)) / 2;
}

/**
 * The k-th smallest value (0-based) of the runs' union, given that the (k-1)-th is `below`:
 * `below` again when more than k values are at or below it, else the least value above it.
 */
function nextAfter(runs: Float64Array[], below: number, k: number): number {
  let atOrBelow = 0;
  let next = Infinity;
  for (const r of runs) {
    const i = countAtMost(r, below, 0, r.length);
    atOrBelow += i;
    if (i < r.length && r[i]! < next) next = r[i]!;
  }
  return atOrBelow > k ? below : next;
}

/** The whole hours of the day (0-23) in the night window, or null when a bound is not whole. */
function nightHours(night: DayWindow): number[] | null {
  const a = minutesOfDay(night.from);
  const b = minutesOfDay(night.to);
  if (a % 60 !== 0 || b % 60 !== 0) return null;
  return Array.from({ length: 24 }, (_, h) => h).filter((h) => inDayWindow(h * 60, night));
}

interface Piece {
  level: number;
  from: number;
  to: number;
}

/**
 * Splits the local days [from, to) into buckets of the summary levels (four weeks, weeks, days),
 * coarsest first where they fit: a year is about thirteen four-week buckets plus the edges.
 * Returns one bucket range [from, to) per level and side.
 */
function splitDays(from: number, to: number): Piece[] {
  const out: Piece[] = [];
  const levels = [...STATS_LEVELS].sort((x, y) => y - x);
  let d = from;
  while (d < to) {
    const level = levels.find((l) => ((d % l) + l) % l === 0 && d + l <= to) ?? 1;
    const bucket = bucketOf(d, level);
    const last = out.at(-1);
    if (last && last.level === level && last.to === bucket) last.to = bucket + 1;
    else out.push({ level, from: bucket, to: bucket + 1 });
    d += level;
  }
  return out;
}

/**
 * The space the last comparison decoded durations into, reused while the garbage collector
 * keeps it: allocating (and zeroing) megabytes on every call costs more than the rest of it.
 */
let lastScratch: WeakRef<DurationScratch> | null = null;

function scratchSpace(): DurationScratch {
  const kept = lastScratch?.deref();
  if (kept) return kept;
  const fresh = new DurationScratch();
  lastScratch = new WeakRef(fresh);
  return fresh;
}

/** Per-device lookups shared by a comparison's columns. */
class DeviceInfo {
  private readonly apps = new Map<
    number,
    Map<number, { identifier: string; name: string | null }>
  >();
  private readonly observed = new Map<number, [number, number][]>();

  constructor(private readonly db: Db) {}

  appsOf(deviceId: number): Map<number, { identifier: string; name: string | null }> {
    let m = this.apps.get(deviceId);
    if (!m) {
      const rows = this.db
        .prepare('SELECT id, identifier, display_name AS name FROM apps WHERE device_id = ?')
        .all(deviceId) as { id: number; identifier: string; name: string | null }[];
      m = new Map(rows.map((r) => [r.id, { identifier: r.identifier, name: r.name }]));
      this.apps.set(deviceId, m);
    }
    return m;
  }

  observedDays(spec: CompareSpec): number {
    let r = this.observed.get(spec.deviceId);
    if (!r) {
      r = observedRanges(this.db, spec.deviceId);
      this.observed.set(spec.deviceId, r);
    }
    return countDays(r, spec.fromDay, spec.toDay);
  }
}

/** Reads every session of each column, with the night decided per session. */
function collectByScan(
  db: Db,
  specs: CompareSpec[],
  night: DayWindow,
  canonical: (app: string) => string,
): Collected {
  const n = nightExpr(night);
  const rows = new Map<string, RowKey>();
  const cells = specs.map(() => new Map<string, Cell>());
  specs.forEach((spec, i) => {
    const { where, params } = columnWhere(spec);
    const stmt = db.prepare(
      `SELECT s.app_id AS appId, a.identifier AS app, s.category,
              CASE WHEN ${n.sql} THEN 1 ELSE 0 END AS night, s.open, s.duration_ms AS durationMs,
              ${STATE_SQL} AS state
       FROM access_sessions s JOIN apps a ON a.id = s.app_id
       WHERE ${where.join(' AND ')}`,
    );
    const durations = new Map<Cell, number[]>();
    for (const r of stmt.iterate(...n.params, ...params) as IterableIterator<{
      appId: number;
      app: string;
      category: string;
      night: number;
      open: number;
      durationMs: number | null;
      state: string;
    }>) {
      const app = canonical(r.app);
      const category = toCategory(r.category);
      const key = `${app}\n${category}`;
      if (!rows.has(key)) rows.set(key, { app, category });
      const c = cellOf(cells[i]!, key);
      c.apps.add(r.appId);
      c.sessions += 1;
      c.night += r.night;
      if (r.open === 0 && r.durationMs !== null) {
        const list = durations.get(c);
        if (list) list.push(r.durationMs);
        else durations.set(c, [r.durationMs]);
        if (c.longestMs === null || r.durationMs > c.longestMs) c.longestMs = r.durationMs;
      }
      if (r.state !== 'unknown') c.known += 1;
      if (r.state === 'background') c.background += 1;
    }
    for (const [c, list] of durations) {
      c.closed = list.length;
      const v = list.sort((a, b) => a - b);
      const mid = v.length >> 1;
      c.medianMs = v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
    }
  });
  return { rows, cells };
}

/**
 * Reads the session stats over each column's days, split into four-week, week and day buckets:
 * a few dozen rows per column however many sessions the devices hold.
 */
function collectFromSummaries(
  db: Db,
  specs: CompareSpec[],
  hours: number[],
  canonical: (app: string) => string,
  devices: DeviceInfo,
): Collected {
  const first = db.prepare(
    'SELECT MIN(bucket) AS b FROM session_stats WHERE level = 28 AND device_id = ?',
  );
  const last = db.prepare(
    'SELECT MAX(bucket) AS b FROM session_stats WHERE level = 28 AND device_id = ?',
  );
  const read = db.prepare(
    'SELECT cells FROM session_stats WHERE level = ? AND device_id = ? AND bucket >= ? AND bucket < ?',
  );
  const rows = new Map<string, RowKey>();
  const cells = specs.map(() => new Map<string, Cell>());
  const scratch = scratchSpace();
  specs.forEach((spec, i) => {
    const a = (first.get(spec.deviceId) as { b: number | null }).b;
    const b = (last.get(spec.deviceId) as { b: number | null }).b;
    if (a === null || b === null) return;
    // The device's four-week buckets bound an open side; no session lies outside them.
    const from = Math.max(spec.fromDay ?? -Infinity, a * 28);
    const to = Math.min(spec.toDay ?? Infinity, (b + 1) * 28);
    if (from >= to) return;
    // A column over all of the device's days: its kept summary groups answer when they can.
    if (
      from === a * 28 &&
      to === (b + 1) * 28 &&
      collectFromGroups(db, spec.deviceId, cells[i]!, rows, hours, canonical, devices)
    )
      return;
    const blobs: Buffer[] = [];
    for (const piece of splitDays(from, to))
      for (const r of read.all(piece.level, spec.deviceId, piece.from, piece.to) as {
        cells: Buffer;
      }[])
        blobs.push(r.cells);
    // One column's durations at a time, in one buffer sized for them.
    scratch.reset(blobs.reduce((n, blob) => n + durationCount(blob), 0));
    const apps = devices.appsOf(spec.deviceId);
    const keys = new Map<string, string>();
    const column = cells[i]!;
    for (const blob of blobs) {
      decodeStatsCells(
        blob,
        (v) => {
          const k = `${v.appId}\n${v.category}`;
          let key = keys.get(k);
          if (key === undefined) {
            const app = canonical(apps.get(v.appId)?.identifier ?? '');
            const category = toCategory(v.category);
            key = `${app}\n${category}`;
            if (!rows.has(key)) rows.set(key, { app, category });
            keys.set(k, key);
          }
          const c = cellOf(column, key);
          c.apps.add(v.appId);
          let sessions = 0;
          for (let h = 0; h < 24; h += 1) sessions += v.hours[h]!;
          c.sessions += sessions;
          for (const h of hours) c.night += v.hours[h]!;
          c.background += v.background;
          c.known += v.known;
          if (v.durations.length > 0) c.runs.push(v.durations);
        },
        scratch,
      );
    }
    for (const c of column.values()) settleRuns(c);
  });
  return { rows, cells };
}

/**
 * Fills a column over all of a device's days from its kept summary groups (`summary_groups`):
 * a row per app and category with its counts, median and longest duration, instead of every
 * duration. False, with nothing added, when they are stale or when two of the device's groups
 * fall in one row (paired apps, or stored categories shown as one), whose median needs their
 * durations together.
 */
function collectFromGroups(
  db: Db,
  deviceId: number,
  column: Map<string, Cell>,
  rows: Map<string, RowKey>,
  hours: number[],
  canonical: (app: string) => string,
  devices: DeviceInfo,
): boolean {
  if (staleSummaryDevices(db, [deviceId]).length > 0) return false;
  const groups = db
    .prepare(
      `SELECT app_id AS appId, category, sessions, closed, known, background, median_ms AS medianMs,
              longest_ms AS longestMs, ${SUMMARY_HOUR_COLUMNS.join(', ')}
       FROM summary_groups WHERE device_id = ?`,
    )
    .all(deviceId) as ({
    appId: number;
    category: string;
    sessions: number;
    closed: number;
    known: number;
    background: number;
    medianMs: number | null;
    longestMs: number | null;
  } & Record<string, number>)[];
  const apps = devices.appsOf(deviceId);
  const keyed = new Map<string, { row: RowKey; group: (typeof groups)[number] }>();
  for (const g of groups) {
    const app = canonical(apps.get(g.appId)?.identifier ?? '');
    const category = toCategory(g.category);
    const key = `${app}\n${category}`;
    if (keyed.has(key)) return false;
    keyed.set(key, { row: { app, category }, group: g });
  }
  for (const [key, { row, group: g }] of keyed) {
    if (!rows.has(key)) rows.set(key, row);
    const c = cellOf(column, key);
    c.apps.add(g.appId);
    c.sessions = g.sessions;
    for (const h of hours) c.night += g[SUMMARY_HOUR_COLUMNS[h]!]!;
    c.background = g.background;
    c.known = g.known;
    c.closed = g.closed;
    c.medianMs = g.medianMs;
    c.longestMs = g.closed > 0 ? g.longestMs : null;
  }
  return true;
}

/**
 * Adds to each column's cells how many sessions started while the device's own records say it
 * was locked, and how many have a known lock state: one pass per column over the sessions of a
 * device with state records, in start order, beside one streaming sweep of its states.
 */
function collectLocked(
  db: Db,
  specs: CompareSpec[],
  canonical: (app: string) => string,
  collected: Collected,
): void {
  specs.forEach((spec, i) => {
    if (!hasDeviceStates(db, spec.deviceId)) return;
    const { where, params } = columnWhere(spec);
    where.push('s.start_ms IS NOT NULL');
    // A known start is the anchor, so the anchor order is the start order the sweep needs.
    const rows = db
      .prepare(
        `SELECT s.app_id AS appId, a.identifier AS app, s.category, s.start_ms AS startMs
         FROM access_sessions s JOIN apps a ON a.id = s.app_id
         WHERE ${where.join(' AND ')} ORDER BY s.anchor_ms`,
      )
      .iterate(...params) as IterableIterator<{
      appId: number;
      app: string;
      category: string;
      startMs: number;
    }>;
    const sweep = new DeviceStateSweep(db, spec.deviceId);
    try {
      for (const r of rows) {
        const locked = sweep.at(r.startMs).locked;
        if (locked === null) continue;
        const app = canonical(r.app);
        const category = toCategory(r.category);
        const key = `${app}\n${category}`;
        if (!collected.rows.has(key)) collected.rows.set(key, { app, category });
        const c = cellOf(collected.cells[i]!, key);
        c.apps.add(r.appId);
        c.lockKnown += 1;
        if (locked) c.locked += 1;
      }
    } finally {
      sweep.close();
    }
  });
}

/**
 * Compares devices or periods: one row per app × category seen in any column, with sessions per
 * observed day, night sessions, median and longest duration and background share per column.
 * With a night window of whole hours the figures come from the session stats; otherwise every
 * session is read.
 */
export function compare(
  db: Db,
  specs: CompareSpec[],
  night: DayWindow = DEFAULT_NIGHT,
): CompareRow[] {
  return compareWith(db, specs, night, hasSummaries(db) ? 'auto' : 'scan');
}

/** True when the case has the session stats (a case opened read-only before its migration has not). */
function hasSummaries(db: Db): boolean {
  return (
    db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'session_stats'")
      .get() !== undefined
  );
}

/**
 * `compare` on a chosen path: 'scan' reads every session (the reference), 'auto' reads the
 * summaries when the night window allows it.
 */
export function compareWith(
  db: Db,
  specs: CompareSpec[],
  night: DayWindow,
  path: 'auto' | 'scan',
): CompareRow[] {
  if (specs.length < 2) throw new AppError('INVALID_INPUT', 'Compare needs two columns or more.');
  const groups = pairingGroups(db);
  const canonical = (app: string): string => groups.get(app)?.[0] ?? app;
  const devices = new DeviceInfo(db);
  const hours = path === 'auto' ? nightHours(night) : null;
  const { rows, cells } =
    hours === null
      ? collectByScan(db, specs, night, canonical)
      : collectFromSummaries(db, specs, hours, canonical, devices);
  collectLocked(db, specs, canonical, { rows, cells });
  const observed = specs.map((spec) => devices.observedDays(spec));
  // The row's name: the first display name in column order, then by app identifier and row id,
  // so it does not depend on the order sessions are read in.
  const nameOf = (key: string): string | null => {
    for (let i = 0; i < specs.length; i += 1) {
      const c = cells[i]!.get(key);
      if (!c) continue;
      const apps = devices.appsOf(specs[i]!.deviceId);
      const named = [...c.apps]
        .map((id) => ({ id, app: apps.get(id) }))
        .filter((a) => a.app?.name != null)
        .sort((x, y) =>
          x.app!.identifier < y.app!.identifier
            ? -1
            : x.app!.identifier > y.app!.identifier
              ? 1
              : x.id - y.id,
        );
      if (named.length > 0) return named[0]!.app!.name;
    }
    return null;
  };
  const codeOrder = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  return [...rows.entries()]
    .sort(
      ([, a], [, b]) =>
        a.app.localeCompare(b.app) ||
        a.category.localeCompare(b.category) ||
        codeOrder(a.app, b.app),
    )
    .map(([key, row]) => ({
      app: row.app,
      appName: nameOf(key),
      apps: groups.get(row.app) ?? [row.app],
      category: row.category,
      columns: specs.map((spec, i): CompareColumn => {
        const c = cells[i]!.get(key);
        const days = observed[i]!;
        const sessions = c?.sessions ?? 0;
        const med = c?.medianMs ?? null;
        const longest = c?.longestMs ?? null;
        return {
          label: spec.label,
          observedDays: days,
          sessions,
          sessionsPerDay: days > 0 ? Math.round((sessions / days) * 100) / 100 : null,
          nightSessions: c?.night ?? 0,
          medianSeconds: med === null ? null : msToSeconds(med),
          longestSeconds: longest === null ? null : msToSeconds(longest),
          backgroundShare:
            c && c.known > 0 ? Math.round((c.background / c.known) * 1000) / 1000 : null,
          knownStateSessions: c?.known ?? 0,
          closedSessions: c?.closed ?? 0,
          lockedShare:
            c && c.lockKnown > 0 ? Math.round((c.locked / c.lockKnown) * 1000) / 1000 : null,
          knownLockSessions: c?.lockKnown ?? 0,
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

/** What a column's device is, for the caveats beside its rates. */
export interface ColumnFacts {
  platform: Platform;
  /** Access sessions in the column's period (every app and category). */
  sessions: number;
  /** Android captures of the device: appops keeps only the last access of each op. */
  androidCaptures: number;
}

/** Each column's platform, session count and number of Android captures. */
export function columnFacts(db: Db, specs: readonly CompareSpec[]): ColumnFacts[] {
  const platform = db.prepare('SELECT platform FROM devices WHERE id = ?');
  const captures = db.prepare(
    // A capture's usagestats, package and getprop files are sources of their own: only its
    // appops dump is a snapshot of accesses.
    `SELECT COUNT(*) AS n FROM sources WHERE device_id = ? AND importer_id = 'android-dumpsys' AND ${ACCESS_SOURCE_SQL}`,
  );
  // From the rollup: its cells count every session by device-local day, so a column's sessions
  // are a few hundred of its rows summed rather than every session of the device counted (four-
  // week buckets when the column has no period, day cells when it has).
  const rolled = db.prepare(
    `SELECT COALESCE(SUM(sessions), 0) AS n FROM session_rollup
     WHERE level = ? AND bucket >= ? AND bucket < ? AND device_id = ?`,
  );
  return specs.map((spec) => {
    const whole = spec.fromDay === null && spec.toDay === null;
    const sessions = (
      rolled.get(
        whole ? 28 : 1,
        spec.fromDay ?? Number.MIN_SAFE_INTEGER,
        spec.toDay ?? Number.MAX_SAFE_INTEGER,
        spec.deviceId,
      ) as { n: number }
    ).n;
    const p = (platform.get(spec.deviceId) as { platform: string } | undefined)?.platform;
    return {
      platform: p === 'ios' || p === 'android' ? p : 'unknown',
      sessions,
      androidCaptures: (captures.get(spec.deviceId) as { n: number }).n,
    };
  });
}
