import { rebuildSessionStats, SESSION_STATS_TABLE_SQL } from '../session-stats';
import type { Migration } from './types';

/**
 * Per device-local day, week and four-week span, by device, app and category: the closed
 * sessions' durations (for exact medians and longest) and the counts of sessions with a known and
 * a background app state, so comparisons over long periods read a few thousand rows instead of
 * every session. Filled from the existing sessions.
 */
export const m0008SessionStats: Migration = {
  version: 8,
  name: 'session-stats',
  up: SESSION_STATS_TABLE_SQL,
  fill: rebuildSessionStats,
};
