import type { Db } from './open';

export const DAY_MS = 86_400_000;

/**
 * Bucket sizes of the session rollup, in device-local days: days, weeks and four-week spans.
 * Each row counts sessions (and time in use) per device-local hour of day, so zoomed-out
 * timeline queries with a whole-hour window (e.g. the night, 00:00-06:00) read the rollup
 * instead of millions of sessions.
 */
export const ROLLUP_LEVELS = [1, 7, 28] as const;
const HOURS = Array.from({ length: 24 }, (_, h) => h);
export const HOUR_COUNT_COLUMNS = HOURS.map((h) => `h${h}`);
export const HOUR_BUSY_COLUMNS = HOURS.map((h) => `b${h}`);
/** Minimum durations (seconds) the rollup also counts, so those filters need no scan either. */
export const DURATION_THRESHOLDS = [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600] as const;
export const LONG_COUNT_COLUMNS = DURATION_THRESHOLDS.map((t) => `n_ge_${t}`);
export const LONG_BUSY_COLUMNS = DURATION_THRESHOLDS.map((t) => `ms_ge_${t}`);
const ALL_COLUMNS = [
  ...HOUR_COUNT_COLUMNS,
  ...HOUR_BUSY_COLUMNS,
  ...LONG_COUNT_COLUMNS,
  ...LONG_BUSY_COLUMNS,
];

/** The bucket of a device-local day at a level. */
export function rollupBucket(localDay: number, level: number): number {
  return Math.floor(localDay / level);
}

interface Delta {
  level: number;
  deviceId: number;
  appId: number;
  category: string;
  bucket: number;
  counts: number[];
  busy: number[];
  long: number[];
  longBusy: number[];
}

function emptyDelta(
  level: number,
  deviceId: number,
  appId: number,
  category: string,
  bucket: number,
): Delta {
  return {
    level,
    deviceId,
    appId,
    category,
    bucket,
    counts: new Array<number>(24).fill(0),
    busy: new Array<number>(24).fill(0),
    long: new Array<number>(DURATION_THRESHOLDS.length).fill(0),
    longBusy: new Array<number>(DURATION_THRESHOLDS.length).fill(0),
  };
}

function addInto(target: number[], source: number[]): void {
  for (let i = 0; i < source.length; i += 1) target[i]! += source[i]!;
}

/** Collects rollup changes during a write transaction and applies them in one pass at its end. */
export class RollupDeltas {
  private readonly deltas = new Map<string, Delta>();
  /** Longest session duration written in this transaction. */
  maxDurationMs = 0;

  /** Counts a session in (sign 1) or out (sign -1); day cells here, coarser levels at flush. */
  add(
    deviceId: number,
    appId: number,
    category: string,
    localDay: number,
    anchorMinute: number,
    durationMs: number | null,
    sign: 1 | -1,
  ): void {
    const hour = Math.floor(anchorMinute / 60);
    if (sign === 1 && durationMs !== null && durationMs > this.maxDurationMs)
      this.maxDurationMs = durationMs;
    const key = `${deviceId}|${appId}|${category}|${localDay}`;
    let d = this.deltas.get(key);
    if (!d) {
      d = emptyDelta(1, deviceId, appId, category, localDay);
      this.deltas.set(key, d);
    }
    d.counts[hour]! += sign;
    d.busy[hour]! += sign * (durationMs ?? 0);
    if (durationMs !== null) {
      for (let i = 0; i < DURATION_THRESHOLDS.length; i += 1) {
        if (durationMs < DURATION_THRESHOLDS[i]! * 1000) break;
        d.long[i]! += sign;
        d.longBusy[i]! += sign * durationMs;
      }
    }
  }

  /** The day cells plus the week and four-week cells summed from them. */
  private allLevels(): Delta[] {
    const out: Delta[] = [...this.deltas.values()];
    for (const level of ROLLUP_LEVELS) {
      if (level === 1) continue;
      const coarse = new Map<string, Delta>();
      for (const d of this.deltas.values()) {
        const bucket = rollupBucket(d.bucket, level);
        const key = `${d.deviceId}|${d.appId}|${d.category}|${bucket}`;
        let c = coarse.get(key);
        if (!c) {
          c = emptyDelta(level, d.deviceId, d.appId, d.category, bucket);
          coarse.set(key, c);
        }
        addInto(c.counts, d.counts);
        addInto(c.busy, d.busy);
        addInto(c.long, d.long);
        addInto(c.longBusy, d.longBusy);
      }
      out.push(...coarse.values());
    }
    return out;
  }

  flush(db: Db): void {
    if (this.deltas.size > 0) {
      const cols = ALL_COLUMNS;
      const upsert = db.prepare(
        `INSERT INTO session_rollup (level, device_id, app_id, category, bucket, sessions, busy_ms, ${cols.join(', ')})
         VALUES (?, ?, ?, ?, ?, ?, ?, ${cols.map(() => '?').join(', ')})
         ON CONFLICT (level, device_id, app_id, category, bucket) DO UPDATE SET
           sessions = sessions + excluded.sessions, busy_ms = busy_ms + excluded.busy_ms,
           ${cols.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`,
      );
      const prune = db.prepare(
        'DELETE FROM session_rollup WHERE level = ? AND device_id = ? AND app_id = ? AND category = ? AND bucket = ? AND sessions <= 0',
      );
      for (const d of this.allLevels()) {
        const sessions = d.counts.reduce((a, b) => a + b, 0);
        const busy = d.busy.reduce((a, b) => a + b, 0);
        if ([...d.counts, ...d.busy, ...d.long, ...d.longBusy].every((v) => v === 0)) continue;
        upsert.run(
          d.level,
          d.deviceId,
          d.appId,
          d.category,
          d.bucket,
          sessions,
          busy,
          ...d.counts,
          ...d.busy,
          ...d.long,
          ...d.longBusy,
        );
        if (sessions < 0) prune.run(d.level, d.deviceId, d.appId, d.category, d.bucket);
      }
      this.deltas.clear();
    }
    if (this.maxDurationMs > 0) {
      db.prepare(
        `INSERT INTO case_meta (key, value) VALUES ('max_session_ms', ?)
         ON CONFLICT (key) DO UPDATE SET value = MAX(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))`,
      ).run(String(this.maxDurationMs));
      this.maxDurationMs = 0;
    }
  }
}

/** Recomputes the whole rollup and the longest duration from the sessions. */
export function rebuildRollup(db: Db): void {
  db.exec('DELETE FROM session_rollup');
  db.exec(rebuildRollupSql());
}

/** SQL that fills the rollup from the sessions (also used by the migration that adds it). */
export function rebuildRollupSql(): string {
  const hourCols = HOURS.map((h) => `SUM(s.anchor_minute / 60 = ${h})`).join(', ');
  const busyCols = HOURS.map(
    (h) => `SUM(CASE WHEN s.anchor_minute / 60 = ${h} THEN COALESCE(s.duration_ms, 0) ELSE 0 END)`,
  ).join(', ');
  const longCols = DURATION_THRESHOLDS.map(
    (t) => `SUM(COALESCE(s.duration_ms >= ${t * 1000}, 0))`,
  ).join(', ');
  const longBusyCols = DURATION_THRESHOLDS.map(
    (t) => `SUM(CASE WHEN s.duration_ms >= ${t * 1000} THEN s.duration_ms ELSE 0 END)`,
  ).join(', ');
  return `
INSERT INTO session_rollup (level, device_id, app_id, category, bucket, sessions, busy_ms,
  ${ALL_COLUMNS.join(', ')})
SELECT l.level, s.device_id, s.app_id, s.category,
  (s.local_day - ((s.local_day % l.level) + l.level) % l.level) / l.level AS bucket, COUNT(*), COALESCE(SUM(s.duration_ms), 0),
  ${hourCols}, ${busyCols}, ${longCols}, ${longBusyCols}
FROM access_sessions s CROSS JOIN (SELECT 1 AS level UNION ALL SELECT 7 UNION ALL SELECT 28) l
GROUP BY l.level, s.device_id, s.app_id, s.category, bucket;
INSERT INTO case_meta (key, value)
SELECT 'max_session_ms', CAST(COALESCE(MAX(duration_ms), 0) AS TEXT) FROM access_sessions WHERE true
ON CONFLICT (key) DO UPDATE SET value = excluded.value;`;
}
