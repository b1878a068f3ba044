import type { Migration } from './types';

/**
 * Per network row: its snapshot row (`part`, numbered per device: the same device, app, domain,
 * context, initiator, domain type and verification) and its rank among that row's snapshots (1
 * for the most recent export), with the columns a filter reads, kept with the latest snapshots
 * (same stamp). The latest snapshots among a date range's, tag's or star's rows are then the rows
 * of least rank per part, found by one pass over an index instead of reading every row. Those
 * kept so far are marked stale, so all are chosen again together.
 */
export const m0023NetworkRanks: Migration = {
  version: 23,
  name: 'network-ranks',
  description: 'ranking network snapshots',
  up: `
CREATE TABLE network_ranks (
  id INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL,
  app_id INTEGER NOT NULL,
  first_ms INTEGER,
  last_ms INTEGER,
  part INTEGER NOT NULL,
  rn INTEGER NOT NULL
) STRICT;
CREATE INDEX network_ranks_part ON network_ranks(device_id, part, rn, first_ms, last_ms, app_id);
DELETE FROM network_latest_state;
`,
};
