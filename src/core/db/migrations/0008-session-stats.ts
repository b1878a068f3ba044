import type { Migration } from './types';

/**
 * Per device-local day, week and four-week span, by device, app and category: the closed
 * sessions' durations (for exact medians and longest) and the counts of sessions with a known and
 * a background app state, so comparisons over long periods read a few thousand rows instead of
 * every session. Filled from the existing sessions by the current code once every migration has run.
 */
export const m0008SessionStats: Migration = {
  version: 8,
  name: 'session-stats',
  description: 'adding session statistics',
  up: `CREATE TABLE session_stats (
  level INTEGER NOT NULL,
  device_id INTEGER NOT NULL,
  bucket INTEGER NOT NULL,
  cells BLOB NOT NULL,
  PRIMARY KEY (level, device_id, bucket)
) STRICT;
`,
  rebuilds: ['session-stats'],
};
