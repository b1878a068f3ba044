import type { Db } from './open';

export const DAY_MS = 86_400_000;

/**
 * Bucket sizes of the session rollup: UTC days, weeks and four-week spans. Zoomed-out timeline
 * queries read these instead of the sessions, so a view over millions of sessions stays fast.
 */
export const ROLLUP_LEVELS = [DAY_MS, 7 * DAY_MS, 28 * DAY_MS] as const;

/** The bucket of an instant at a level (truncating, as SQLite's integer division does). */
export function rollupBucket(anchorMs: number, level: number): number {
  return Math.trunc(anchorMs / level);
}

interface Delta {
  level: number;
  deviceId: number;
  appId: number;
  category: string;
  bucket: number;
  sessions: number;
  busyMs: number;
}

/** Collects rollup changes during a write transaction and applies them in one pass at its end. */
export class RollupDeltas {
  private readonly deltas = new Map<string, Delta>();

  /** Counts a session in (sign 1) or out (sign -1). */
  add(deviceId: number, appId: number, category: string, anchorMs: number, durationMs: number | null, sign: 1 | -1): void {
    for (const level of ROLLUP_LEVELS) {
      const bucket = rollupBucket(anchorMs, level);
      const key = `${level}|${deviceId}|${appId}|${category}|${bucket}`;
      let d = this.deltas.get(key);
      if (!d) {
        d = { level, deviceId, appId, category, bucket, sessions: 0, busyMs: 0 };
        this.deltas.set(key, d);
      }
      d.sessions += sign;
      d.busyMs += sign * (durationMs ?? 0);
    }
  }

  flush(db: Db): void {
    if (this.deltas.size === 0) return;
    const upsert = db.prepare(
      `INSERT INTO session_rollup (level, device_id, app_id, category, bucket, sessions, busy_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (level, device_id, app_id, category, bucket) DO UPDATE SET
         sessions = sessions + excluded.sessions, busy_ms = busy_ms + excluded.busy_ms`,
    );
    const prune = db.prepare(
      'DELETE FROM session_rollup WHERE level = ? AND device_id = ? AND app_id = ? AND category = ? AND bucket = ? AND sessions <= 0',
    );
    for (const d of this.deltas.values()) {
      if (d.sessions === 0 && d.busyMs === 0) continue;
      upsert.run(d.level, d.deviceId, d.appId, d.category, d.bucket, d.sessions, d.busyMs);
      if (d.sessions < 0) prune.run(d.level, d.deviceId, d.appId, d.category, d.bucket);
    }
    this.deltas.clear();
  }
}

/** Recomputes the whole rollup from the sessions (used by the migration that adds it). */
export function rebuildRollup(db: Db): void {
  db.exec('DELETE FROM session_rollup');
  const fill = db.prepare(
    `INSERT INTO session_rollup (level, device_id, app_id, category, bucket, sessions, busy_ms)
     SELECT @level, device_id, app_id, category, anchor_ms / CAST(@level AS INTEGER), COUNT(*), COALESCE(SUM(duration_ms), 0)
     FROM access_sessions GROUP BY device_id, app_id, category, anchor_ms / CAST(@level AS INTEGER)`,
  );
  for (const level of ROLLUP_LEVELS) fill.run({ level });
}
