import { STATE_SQL } from './session-state';
import type { Db } from './open';

/**
 * Sessions and time in use by app state (foreground, background, unknown: reported, else
 * inferred, else unknown), per device, app, category and bucket of device-local days at the
 * rollup's levels: the timeline's bins for a filter on app states, read without the sessions.
 * Kept with the session stats: each write's touched day cells are counted again from their
 * sessions (a change of state carries no duration, so a count could not follow it), and the
 * change applied to every level.
 */
export const STATE_LEVELS = [1, 7, 28] as const;

/** The app states, in the order of the table's column pairs. */
export const APP_STATES = ['foreground', 'background', 'unknown'] as const;
export type AppState = (typeof APP_STATES)[number];

/** Per state: the columns of its sessions and of their time in use. */
export const STATE_COLUMNS: Record<AppState, { sessions: string; ms: string }> = {
  foreground: { sessions: 'fg_sessions', ms: 'fg_ms' },
  background: { sessions: 'bg_sessions', ms: 'bg_ms' },
  unknown: { sessions: 'un_sessions', ms: 'un_ms' },
};

const VALUE_COLUMNS = APP_STATES.flatMap((s) => [STATE_COLUMNS[s].sessions, STATE_COLUMNS[s].ms]);

const DAY_MS = 86_400_000;
/** A device-local day lies within this of its instants (UTC offsets span -12:00..+14:00). */
const OFFSET_MARGIN_MS = 14 * 3_600_000;
/** Touched days of a cell this close together are read in one range. */
const RUN_GAP_DAYS = 3;

/** The state of `s` as 0 (foreground), 1 (background) or 2 (unknown). */
const STATE_CODE_SQL = `(CASE ${STATE_SQL} WHEN 'foreground' THEN 0 WHEN 'background' THEN 1 ELSE 2 END)`;

/** The bucket of a day number at a level, in SQL (floor division, also below day 0). */
const bucketSql = (day: string, level: number): string =>
  `((${day} - ((${day} % ${level}) + ${level}) % ${level}) / ${level})`;

/** A device-local day cell of one device, app and category. */
export interface StateDayCell {
  deviceId: number;
  appId: number;
  category: string;
  /** The device-local day. */
  bucket: number;
}

/** Six numbers: sessions and time in use of the foreground, background and unknown states. */
type Totals = [number, number, number, number, number, number];

const zero = (): Totals => [0, 0, 0, 0, 0, 0];

/** Statements over the sessions and the table; prepare once per refresh. */
class StateStatements {
  readonly range;
  readonly day;
  readonly rollupSessions;
  readonly stored;
  readonly add;
  readonly remove;

  constructor(db: Db) {
    // The group index (app, category, anchor) narrows to the cell's days; the device is checked
    // (an app id belongs to one device).
    this.range = db.prepare(
      `SELECT s.local_day, ${STATE_CODE_SQL}, COUNT(*), COALESCE(SUM(s.duration_ms), 0)
       FROM access_sessions s INDEXED BY access_sessions_group
       WHERE s.app_id = ? AND s.category = ? AND s.anchor_ms >= ? AND s.anchor_ms < ? AND s.device_id = ?
       GROUP BY 1, 2`,
    );
    this.day = db.prepare(
      `SELECT ${STATE_CODE_SQL}, COUNT(*), COALESCE(SUM(s.duration_ms), 0)
       FROM access_sessions s INDEXED BY access_sessions_group
       WHERE s.app_id = ? AND s.category = ? AND s.device_id = ? AND s.local_day = ?
       GROUP BY 1`,
    );
    this.rollupSessions = db.prepare(
      `SELECT sessions, busy_ms FROM session_rollup
       WHERE level = 1 AND bucket = ? AND device_id = ? AND app_id = ? AND category = ?`,
    );
    this.stored = db.prepare(
      `SELECT ${VALUE_COLUMNS.join(', ')} FROM session_state_rollup
       WHERE level = 1 AND bucket = ? AND device_id = ? AND app_id = ? AND category = ?`,
    );
    this.add = db.prepare(
      `INSERT INTO session_state_rollup (level, bucket, device_id, app_id, category, ${VALUE_COLUMNS.join(', ')})
       VALUES (?, ?, ?, ?, ?, ${VALUE_COLUMNS.map(() => '?').join(', ')})
       ON CONFLICT (level, bucket, device_id, app_id, category) DO UPDATE SET
         ${VALUE_COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}
       RETURNING fg_sessions + bg_sessions + un_sessions`,
    );
    this.remove = db.prepare(
      `DELETE FROM session_state_rollup
       WHERE level = ? AND bucket = ? AND device_id = ? AND app_id = ? AND category = ?`,
    );
  }
}

/** The touched days of one cell, split into runs whose gaps are at most `RUN_GAP_DAYS`. */
function runs(days: number[]): number[][] {
  const sorted = [...days].sort((a, b) => a - b);
  const out: number[][] = [];
  for (const d of sorted) {
    const run = out.at(-1);
    if (run && d - run.at(-1)! <= RUN_GAP_DAYS) run.push(d);
    else out.push([d]);
  }
  return out;
}

/**
 * Per device, app, category and device-local day: the sessions whose app state is known and of
 * those the background ones, as the session stats hold them (undefined: none).
 */
export type StateCounts = (
  deviceId: number,
  appId: number,
  category: string,
  day: number,
) => { known: number; background: number } | undefined;

/**
 * Counts the given day cells again and applies the change to every level of
 * `session_state_rollup`. Call once the sessions, the rollup and the session stats are written:
 * a day cell whose sessions all share one state is taken from the rollup's day cell and the
 * stats' state counts; only one that mixes states is counted from its sessions (and the rollup
 * checks that the count found every session of the day).
 */
export function refreshSessionStates(
  db: Db,
  touched: Iterable<StateDayCell>,
  stateCounts: StateCounts,
): void {
  const cells = new Map<
    string,
    { deviceId: number; appId: number; category: string; days: Set<number> }
  >();
  for (const t of touched) {
    const key = `${t.deviceId}|${t.appId}|${t.category}`;
    let c = cells.get(key);
    if (!c) {
      c = { deviceId: t.deviceId, appId: t.appId, category: t.category, days: new Set() };
      cells.set(key, c);
    }
    c.days.add(t.bucket);
  }
  if (cells.size === 0) return;
  const st = new StateStatements(db);
  const changes = new Map<
    string,
    { level: number; bucket: number; deviceId: number; appId: number; category: string; v: Totals }
  >();
  for (const c of cells.values()) {
    const now = new Map<number, Totals>();
    const mixed: number[] = [];
    const rollup = new Map<number, number>();
    for (const day of c.days) {
      const r = st.rollupSessions.raw().get(day, c.deviceId, c.appId, c.category) as
        [number, number] | undefined;
      const [sessions, busy] = r ?? [0, 0];
      rollup.set(day, sessions);
      const s = stateCounts(c.deviceId, c.appId, c.category, day) ?? { known: 0, background: 0 };
      if (sessions === 0) now.set(day, zero());
      else if (s.known === 0) now.set(day, [0, 0, 0, 0, sessions, busy]);
      else if (s.background === sessions) now.set(day, [0, 0, sessions, busy, 0, 0]);
      else if (s.known === sessions && s.background === 0)
        now.set(day, [sessions, busy, 0, 0, 0, 0]);
      else mixed.push(day);
    }
    const wanted = new Set(mixed);
    for (const run of runs(mixed)) {
      const rows = st.range
        .raw()
        .all(
          c.appId,
          c.category,
          run[0]! * DAY_MS - OFFSET_MARGIN_MS,
          (run.at(-1)! + 1) * DAY_MS + OFFSET_MARGIN_MS,
          c.deviceId,
        ) as [number, number, number, number][];
      for (const [day, state, n, ms] of rows) {
        if (!wanted.has(day)) continue;
        let v = now.get(day);
        if (!v) now.set(day, (v = zero()));
        v[state * 2] = n;
        v[state * 2 + 1] = ms;
      }
    }
    for (const day of mixed) {
      const v = now.get(day) ?? zero();
      if (v[0] + v[2] + v[4] === rollup.get(day)) continue;
      // A session whose offset puts its day further from its instant than any real offset:
      // the day is counted from every session of the cell instead.
      const all = zero();
      for (const [state, n, ms] of st.day.raw().all(c.appId, c.category, c.deviceId, day) as [
        number,
        number,
        number,
      ][]) {
        all[state * 2] = n;
        all[state * 2 + 1] = ms;
      }
      now.set(day, all);
    }
    for (const [day, v] of now) {
      const before = (st.stored.raw().get(day, c.deviceId, c.appId, c.category) ??
        zero()) as Totals;
      const diff = v.map((x, i) => x - before[i]!) as Totals;
      if (diff.every((x) => x === 0)) continue;
      for (const level of STATE_LEVELS) {
        const bucket = Math.floor(day / level);
        const key = `${level}|${bucket}|${c.deviceId}|${c.appId}|${c.category}`;
        let ch = changes.get(key);
        if (!ch) {
          ch = {
            level,
            bucket,
            deviceId: c.deviceId,
            appId: c.appId,
            category: c.category,
            v: zero(),
          };
          changes.set(key, ch);
        }
        for (let i = 0; i < 6; i += 1) ch.v[i]! += diff[i]!;
      }
    }
  }
  for (const ch of changes.values()) {
    if (ch.v.every((v) => v === 0)) continue;
    const left = st.add
      .pluck()
      .get(ch.level, ch.bucket, ch.deviceId, ch.appId, ch.category, ...ch.v) as number;
    if (left <= 0) st.remove.run(ch.level, ch.bucket, ch.deviceId, ch.appId, ch.category);
  }
}

/** Recomputes the whole table from the sessions. */
export function rebuildSessionStates(db: Db): void {
  db.exec('DELETE FROM session_state_rollup');
  const sums = APP_STATES.map(
    (_, i) =>
      `SUM(${STATE_CODE_SQL} = ${i}), SUM(CASE WHEN ${STATE_CODE_SQL} = ${i} THEN COALESCE(s.duration_ms, 0) ELSE 0 END)`,
  ).join(', ');
  db.exec(`
INSERT INTO session_state_rollup (level, bucket, device_id, app_id, category, ${VALUE_COLUMNS.join(', ')})
SELECT 1, s.local_day, s.device_id, s.app_id, s.category, ${sums}
FROM access_sessions s GROUP BY s.local_day, s.device_id, s.app_id, s.category;`);
  // The coarser levels from the day cells: a few per session fewer rows to read.
  for (const level of STATE_LEVELS) {
    if (level === 1) continue;
    db.exec(`
INSERT INTO session_state_rollup (level, bucket, device_id, app_id, category, ${VALUE_COLUMNS.join(', ')})
SELECT ${level}, ${bucketSql('d.bucket', level)} AS b, d.device_id, d.app_id, d.category,
  ${VALUE_COLUMNS.map((c) => `SUM(d.${c})`).join(', ')}
FROM session_state_rollup d WHERE d.level = 1
GROUP BY b, d.device_id, d.app_id, d.category;`);
  }
}
