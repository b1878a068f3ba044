import type { Migration } from './types';

/**
 * An index of the rollup's cells holding only what most timeline bins read (each cell's sessions
 * and time in use), in the order of the rollup's key. A rollup cell also keeps its hours, half
 * hours and minimum durations, about 250 bytes, so reading a whole year's four-week cells or a
 * month's day cells read mostly columns the view does not ask for: from the index, a seventh of
 * the pages (at 10M sessions, 20 MB of index against 179 MB of cells).
 */
export const m0033RollupTotals: Migration = {
  version: 33,
  name: 'rollup-totals',
  description: 'adding an index of the timeline summary totals',
  up: `CREATE INDEX IF NOT EXISTS session_rollup_totals
  ON session_rollup(level, bucket, device_id, app_id, category, sessions, busy_ms);`,
};
