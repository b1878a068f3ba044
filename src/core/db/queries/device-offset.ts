import { DAY_MS } from '../rollup';
import type { Db } from '../open';

/**
 * The UTC offset of a device's latest session. The rollup's newest local day bounds the search,
 * so the anchor index reads about one day of sessions instead of all of them.
 */
export function latestOffset(db: Db, deviceId: number): number | null {
  const day = db
    .prepare('SELECT MAX(bucket) AS d FROM session_rollup WHERE level = 1 AND device_id = ?')
    .get(deviceId) as {
    d: number | null;
  };
  if (day.d === null) return null;
  // Local day d starts at most 14 h after its UTC midnight.
  const from = (day.d - 1) * DAY_MS;
  const row = db
    .prepare(
      // `+device_id` keeps the planner on the anchor index (newest first) rather than the device's key index.
      'SELECT anchor_offset AS o FROM access_sessions WHERE anchor_ms >= ? AND +device_id = ? ORDER BY anchor_ms DESC LIMIT 1',
    )
    .get(from, deviceId) as { o: number } | undefined;
  return row?.o ?? null;
}
