import type { Migration } from './types';

/**
 * Per network snapshot (source) and app: the range of the rows' first and last instants, their
 * hits and distinct domains, kept with the latest snapshots (same stamp), so a timeline whose
 * range holds a snapshot's rows reads one row for them. Those kept so far are marked stale, so
 * both are chosen again together.
 */
export const m0016NetworkSpans: Migration = {
  version: 16,
  name: 'network-spans',
  description: 'indexing network activity spans',
  up: `
CREATE TABLE network_spans (
  source_id INTEGER NOT NULL,
  app_id INTEGER NOT NULL,
  device_id INTEGER NOT NULL,
  start_min INTEGER,
  start_max INTEGER,
  end_min INTEGER,
  end_max INTEGER,
  hits INTEGER NOT NULL,
  domains INTEGER NOT NULL,
  PRIMARY KEY (source_id, app_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX network_spans_device ON network_spans(device_id);
DELETE FROM network_latest_state;
`,
};
