import type { Db } from '../db/open';

const HOURS = Array.from({ length: 24 }, (_, h) => h);

/**
 * Gives the rollup the columns of each hour's first half (`q0`..`q23` sessions, `qb0`..`qb23`
 * their time in use) if it has none, and fills them from the sessions: the summary the timeline
 * reads for a window on half hours, as a test's reference computes it. True when it added them.
 */
export function fillHalfHours(db: Db): boolean {
  const has = db
    .prepare("SELECT 1 FROM pragma_table_info('session_rollup') WHERE name = 'q0'")
    .get();
  if (has === undefined)
    for (const c of [...HOURS.map((h) => `q${h}`), ...HOURS.map((h) => `qb${h}`)])
      db.exec(`ALTER TABLE session_rollup ADD COLUMN ${c} INTEGER NOT NULL DEFAULT 0`);
  const cells = new Map<string, { key: (number | string)[]; q: number[]; qb: number[] }>();
  const sessions = db
    .prepare(
      'SELECT device_id, app_id, category, local_day, anchor_minute, duration_ms FROM access_sessions',
    )
    .raw(true)
    .all() as [number, number, string, number, number, number | null][];
  for (const [device, app, category, day, minute, duration] of sessions) {
    if (minute % 60 >= 30) continue;
    for (const level of [1, 7, 28]) {
      const bucket = Math.floor(day / level);
      const id = `${level}|${device}|${app}|${category}|${bucket}`;
      let c = cells.get(id);
      if (!c) {
        c = {
          key: [level, device, app, category, bucket],
          q: new Array<number>(24).fill(0),
          qb: new Array<number>(24).fill(0),
        };
        cells.set(id, c);
      }
      c.q[Math.floor(minute / 60)]! += 1;
      c.qb[Math.floor(minute / 60)]! += duration ?? 0;
    }
  }
  const columns = [...HOURS.map((h) => `q${h}`), ...HOURS.map((h) => `qb${h}`)];
  db.exec(`UPDATE session_rollup SET ${columns.map((c) => `${c} = 0`).join(', ')}`);
  const update = db.prepare(
    `UPDATE session_rollup SET ${columns.map((c) => `${c} = ?`).join(', ')}
     WHERE level = ? AND device_id = ? AND app_id = ? AND category = ? AND bucket = ?`,
  );
  for (const c of cells.values()) update.run(...c.q, ...c.qb, ...c.key);
  return has === undefined;
}

/** Removes the columns `fillHalfHours` added. */
export function dropHalfHours(db: Db): void {
  for (const h of HOURS) {
    db.exec(`ALTER TABLE session_rollup DROP COLUMN q${h}`);
    db.exec(`ALTER TABLE session_rollup DROP COLUMN qb${h}`);
  }
}
