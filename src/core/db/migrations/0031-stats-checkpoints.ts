import type { Migration } from './types';

/**
 * The session stats keep, for each cell with many durations, their sum and a checkpoint every
 * few dozen of them (the value, where it is written, the sum before it): a timeline with a
 * minimum duration then reads a few dozen durations per cell instead of all of them. The stats
 * written before are removed here (their cells would read wrongly in the new layout) and rebuilt.
 */
export const m0031StatsCheckpoints: Migration = {
  version: 31,
  name: 'stats-checkpoints',
  description: 'adding checkpoints to the durations of the comparison summary',
  up: `
DELETE FROM session_stats;
`,
  rebuilds: ['session-stats'],
};
