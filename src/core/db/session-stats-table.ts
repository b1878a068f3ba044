// The session stats table: what a row holds, its bucket levels and its schema. A row's blob of
// cells is written and read by the session-stats-* modules beside this one.

/**
 * A summary of the sessions for comparisons, per device and bucket of device-local days, by app
 * and category: the sessions by device-local hour of their anchor (for any night window of whole
 * hours), the durations of closed sessions, kept whole (an exact median needs every value), and
 * the counts of sessions whose app state is known and of those in the background. The bucket
 * levels are the rollup's: days, weeks and four-week spans.
 *
 * One row holds all the app × category cells of its device and bucket: a comparison over a year
 * reads a few dozen rows per device, not thousands, and the durations (ascending, stored as
 * differences, mostly two bytes each) take a quarter of their size as numbers.
 */
export const STATS_LEVELS = [1, 7, 28] as const;

export const SESSION_STATS_TABLE_SQL = `
CREATE TABLE session_stats (
  level INTEGER NOT NULL,
  device_id INTEGER NOT NULL,
  bucket INTEGER NOT NULL,
  cells BLOB NOT NULL,
  PRIMARY KEY (level, device_id, bucket)
) STRICT;`;

export function bucketOf(day: number, level: number): number {
  return Math.floor(day / level);
}
