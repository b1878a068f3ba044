import type { Statement } from 'better-sqlite3';
import { STATE_SQL } from './session-state';
import type { Db } from './open';

/**
 * Sessions and time in use by app state (foreground, background, unknown: reported, else
 * inferred, else unknown), per device, app, category and bucket of device-local days at the
 * rollup's levels: the timeline's bins for a filter on app states, read without the sessions.
 * Kept with the rollup: every write's sessions counted in and out, and every change of a stored
 * session's state, with its duration, are added to every level at the end of the write.
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

/** The state of `s` as 0 (foreground), 1 (background) or 2 (unknown). */
const STATE_CODE_SQL = `(CASE ${STATE_SQL} WHEN 'foreground' THEN 0 WHEN 'background' THEN 1 ELSE 2 END)`;

/** The bucket of a day number at a level, in SQL (floor division, also below day 0). */
const bucketSql = (day: string, level: number): string =>
  `((${day} - ((${day} % ${level}) + ${level}) % ${level}) / ${level})`;

/**
 * Adds a write's changes of cells to `session_state_rollup`, removing a cell left with no
 * session. Each session counted in or out and each change of state is in the changes with its
 * duration, so the table follows every write without reading the sessions.
 */
export class StateUpserts {
  private readonly add: Statement;
  private readonly remove: Statement;
  private readonly values: (number | string)[] = [];

  constructor(db: Db) {
    this.add = db
      .prepare(
        `INSERT INTO session_state_rollup (level, bucket, device_id, app_id, category, ${VALUE_COLUMNS.join(', ')})
         VALUES (?, ?, ?, ?, ?, ${VALUE_COLUMNS.map(() => '?').join(', ')})
         ON CONFLICT (level, bucket, device_id, app_id, category) DO UPDATE SET
           ${VALUE_COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}
         RETURNING fg_sessions + bg_sessions + un_sessions`,
      )
      .pluck();
    this.remove = db.prepare(
      `DELETE FROM session_state_rollup
       WHERE level = ? AND bucket = ? AND device_id = ? AND app_id = ? AND category = ?`,
    );
  }

  /**
   * Adds one cell's change: sessions and time in use of the foreground, background and unknown
   * states, in that order, at `change[at .. at + 6)`; nothing when all are zero.
   */
  run(
    level: number,
    bucket: number,
    deviceId: number,
    appId: number,
    category: string,
    change: Float64Array,
    at: number,
  ): void {
    const v = this.values;
    v.length = 0;
    v.push(level, bucket, deviceId, appId, category);
    let zero = true;
    for (let i = 0; i < VALUE_COLUMNS.length; i += 1) {
      const x = change[at + i]!;
      if (x !== 0) zero = false;
      v.push(x);
    }
    if (zero) return;
    const left = this.add.get(...v) as number;
    if (left <= 0) this.remove.run(level, bucket, deviceId, appId, category);
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
