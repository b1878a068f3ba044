import type { Migration } from './types';

/**
 * An index of the sessions in the order `events` and a bundle's `events.csv` write them (anchor
 * instant, device, interval key), holding every column those writers read except the raw lines:
 * millions of sessions are streamed from it in order, without a sort and without reading the
 * table's rows, whose two raw lines make them several times wider.
 */
export const m0018SessionEvents: Migration = {
  version: 18,
  name: 'session-events',
  description: 'indexing sessions for the event list',
  up: `CREATE INDEX access_sessions_events ON access_sessions(anchor_ms, device_id, interval_key,
  app_id, category, raw_category, start_ms, start_offset, end_ms, end_offset, duration_ms, anchor_minute,
  open, conflict, state, state_source, inferred_state, proxy, attribution_tag, duration_known,
  b_source_id, b_line, e_source_id, e_line);`,
};
