import type { Migration } from './types';

/**
 * The Network view's groups and pages. An index of the network rows of each device and app in
 * the view's order (hits from most, then domain, then id, which every index ends with), holding the
 * columns a group's counts and a date range read, so a page of one group reads only its rows and
 * a filtered count reads no table row. And per device and app, the rows, distinct domains and
 * domains Apple flagged of every snapshot and of the latest ones, kept with the latest snapshots
 * (same stamp), so an unfiltered view reads one row per group; those kept so far are marked
 * stale, so both are chosen again together.
 */
export const m0022NetworkGroups: Migration = {
  version: 22,
  name: 'network-groups',
  description: 'grouping network activity by app',
  up: `
CREATE INDEX network_observations_group ON network_observations(
  device_id, app_id, hits DESC, domain, domain_type, first_ms, last_ms);
CREATE TABLE network_groups (
  device_id INTEGER NOT NULL,
  app_id INTEGER NOT NULL,
  latest INTEGER NOT NULL,
  row_count INTEGER NOT NULL,
  domains INTEGER NOT NULL,
  flagged INTEGER NOT NULL,
  PRIMARY KEY (device_id, latest, app_id)
) STRICT, WITHOUT ROWID;
DELETE FROM network_latest_state;
`,
};
