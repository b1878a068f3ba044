import type { Migration } from './types';

/**
 * An index of the sessions by their key (device, interval key) holding where each edge was read
 * (source and line): a bundle's findings.csv places millions of evidence ids from it without
 * reading the sessions' rows.
 */
export const m0020SessionPlaces: Migration = {
  version: 20,
  name: 'session-places',
  description: 'indexing where each session was read',
  up: `CREATE INDEX access_sessions_places ON access_sessions(device_id, interval_key, b_source_id,
  b_line, e_source_id, e_line);`,
};
