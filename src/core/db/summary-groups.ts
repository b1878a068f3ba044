import { createHash } from 'node:crypto';
import type { Db } from './open';

/** Sessions by device-local hour of their anchor: one column per hour, `h0` to `h23`. */
export const SUMMARY_HOUR_COLUMNS = Array.from({ length: 24 }, (_, h) => `h${h}`);

/** A first or last instant packed in one integer: ms × 2048 + offset (minutes) + 1024. */
export const SUMMARY_PACK = 2048;
export const SUMMARY_OFFSET_BIAS = 1024;

/**
 * The stamp of a device's sessions: its sources, by id and file hash. Every import adds a source
 * and every removal or move takes one away (a removed source's id can come back for another file),
 * so a device whose list is unchanged still has the sessions its summary was computed from.
 */
function sessionsStamp(db: Db, deviceId: number): string {
  const ids = db
    .prepare(
      "SELECT COALESCE(group_concat(id || ':' || sha256, ','), '') FROM (SELECT id, sha256 FROM sources WHERE device_id = ? ORDER BY id)",
    )
    .pluck()
    .get(deviceId) as string;
  return createHash('sha256').update(ids).digest('hex');
}

/** The devices (of those given, else every one) whose kept summary is missing or stale. */
export function staleSummaryDevices(db: Db, deviceIds?: readonly number[]): number[] {
  const ids =
    deviceIds ?? (db.prepare('SELECT id FROM devices ORDER BY id').pluck().all() as number[]);
  const kept = db.prepare('SELECT stamp FROM summary_groups_state WHERE device_id = ?').pluck();
  return ids.filter((d) => kept.get(d) !== sessionsStamp(db, d));
}

/**
 * Computes and keeps the summary of each app × category of the devices named (every device when
 * none are), each device in a transaction of its own, with the very aggregates the summary's scan
 * over the sessions uses. Returns the devices done.
 */
export function refreshSummaryGroups(db: Db, deviceIds?: readonly number[]): number[] {
  const existing = db.prepare('SELECT id FROM devices ORDER BY id').pluck().all() as number[];
  const wanted = deviceIds ? new Set(deviceIds) : null;
  const hours = SUMMARY_HOUR_COLUMNS.map((_, h) => `SUM(s.anchor_minute / 60 = ${h})`).join(', ');
  const insert = db.prepare(
    `INSERT INTO summary_groups (device_id, app_id, category, sessions, open_sessions, total_ms,
       longest_ms, first_packed, last_packed, ${SUMMARY_HOUR_COLUMNS.join(', ')})
     SELECT s.device_id, s.app_id, s.category, COUNT(*), SUM(s.open),
       SUM(CASE WHEN s.open = 0 THEN s.duration_ms END),
       MAX(CASE WHEN s.open = 0 THEN s.duration_ms END),
       MIN(s.anchor_ms * ${SUMMARY_PACK} + s.anchor_offset + ${SUMMARY_OFFSET_BIAS}),
       MAX(COALESCE(s.end_ms, s.start_ms) * ${SUMMARY_PACK} + COALESCE(s.end_offset, s.start_offset) + ${SUMMARY_OFFSET_BIAS}),
       ${hours}
     FROM access_sessions s JOIN apps a ON a.id = s.app_id
     WHERE s.device_id = ?
     GROUP BY s.app_id, s.category`,
  );
  const done: number[] = [];
  for (const deviceId of existing) {
    if (wanted && !wanted.has(deviceId)) continue;
    db.transaction(() => {
      db.prepare('DELETE FROM summary_groups WHERE device_id = ?').run(deviceId);
      insert.run(deviceId);
      db.prepare(
        `INSERT INTO summary_groups_state (device_id, stamp) VALUES (?, ?)
         ON CONFLICT (device_id) DO UPDATE SET stamp = excluded.stamp`,
      ).run(deviceId, sessionsStamp(db, deviceId));
    })();
    done.push(deviceId);
  }
  return done;
}
