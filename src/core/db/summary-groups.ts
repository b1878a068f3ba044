import type { Db } from './open';
import { deviceSourcesStamp } from './sources-stamp';

/** Sessions by device-local hour of their anchor: one column per hour, `h0` to `h23`. */
export const SUMMARY_HOUR_COLUMNS = Array.from({ length: 24 }, (_, h) => `h${h}`);

/** A first or last instant packed in one integer: ms × 2048 + offset (minutes) + 1024. */
export const SUMMARY_PACK = 2048;
export const SUMMARY_OFFSET_BIAS = 1024;

/** The devices (of those given, else every one) whose kept summary is missing or stale. */
export function staleSummaryDevices(db: Db, deviceIds?: readonly number[]): number[] {
  const ids =
    deviceIds ?? (db.prepare('SELECT id FROM devices ORDER BY id').pluck().all() as number[]);
  const kept = db.prepare('SELECT stamp FROM summary_groups_state WHERE device_id = ?').pluck();
  return ids.filter((d) => kept.get(d) !== deviceSourcesStamp(db, d));
}

/** Marks a device's kept summary groups as computed from its sessions as they are now. */
export function keepSummaryStamp(db: Db, deviceId: number): void {
  db.prepare(
    `INSERT INTO summary_groups_state (device_id, stamp) VALUES (?, ?)
     ON CONFLICT (device_id) DO UPDATE SET stamp = excluded.stamp`,
  ).run(deviceId, deviceSourcesStamp(db, deviceId));
}
