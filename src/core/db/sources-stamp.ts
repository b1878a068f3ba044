import { createHash } from 'node:crypto';
import type { Db } from './open';

/**
 * A device's sources as one text: each by id and file hash, in id order. Every import adds a
 * source and every removal or move takes one away (a removed source's id can come back for another
 * file), so a device whose list is unchanged still has the records and sessions it had.
 */
export function deviceSourcesList(db: Db, deviceId: number): string {
  return db
    .prepare(
      "SELECT COALESCE(group_concat(id || ':' || sha256, ','), '') FROM (SELECT id, sha256 FROM sources WHERE device_id = ? ORDER BY id)",
    )
    .pluck()
    .get(deviceId) as string;
}

/** The sha256 of {@link deviceSourcesList}: the stamp of what is kept per device from its sources. */
export function deviceSourcesStamp(db: Db, deviceId: number): string {
  return createHash('sha256').update(deviceSourcesList(db, deviceId)).digest('hex');
}
