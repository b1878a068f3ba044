import type { Migration } from './types';

/**
 * The summary groups also keep their closed sessions' count and median duration and the counts
 * of sessions whose app state is known and of those in the background, so a comparison of whole
 * devices reads them instead of every duration. The groups kept so far are computed again.
 */
export const m0028SummaryGroupsDurations: Migration = {
  version: 28,
  name: 'summary-groups-durations',
  description: 'adding durations to the summary by app and category',
  up: `
ALTER TABLE summary_groups ADD COLUMN closed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE summary_groups ADD COLUMN known INTEGER NOT NULL DEFAULT 0;
ALTER TABLE summary_groups ADD COLUMN background INTEGER NOT NULL DEFAULT 0;
ALTER TABLE summary_groups ADD COLUMN median_ms REAL;
DELETE FROM summary_groups;
DELETE FROM summary_groups_state;
`,
};
