import type { Migration } from './types';

/**
 * Indexes of the network snapshot rows by their first and by their last instant (each falling back
 * on the other, as the queries read them): the timeline's extent and the network spans in view
 * read a range of them instead of every row.
 */
export const m0013NetworkTime: Migration = {
  version: 13,
  name: 'network-time',
  description: 'indexing network activity by time',
  up: `
CREATE INDEX network_observations_start ON network_observations(COALESCE(first_ms, last_ms));
CREATE INDEX network_observations_end ON network_observations(COALESCE(last_ms, first_ms));
`,
};
