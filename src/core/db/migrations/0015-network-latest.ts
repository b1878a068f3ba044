import type { Migration } from './types';

/**
 * The latest snapshot of each network row (the row of the most recent export holding it), kept
 * per device with the stamp of the sources it was chosen from, so the Network view reads those
 * rows instead of ranking every snapshot. Filled when first asked for and after imports.
 */
export const m0015NetworkLatest: Migration = {
  version: 15,
  name: 'network-latest',
  description: 'adding the latest network snapshots',
  up: `
CREATE TABLE network_latest (
  observation_id INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL
) STRICT;
CREATE INDEX network_latest_device ON network_latest(device_id);
CREATE TABLE network_latest_state (
  device_id INTEGER PRIMARY KEY,
  stamp TEXT NOT NULL
) STRICT;
`,
};
