import type { Migration } from './types';

/**
 * An index of the sessions by device and instant, holding what the timeline's exact bins read
 * (app, category, duration): a view of a few devices over a week reads those devices' sessions
 * only, instead of walking every device's sessions of the week in the anchor index and keeping
 * the few devices' (at 10M sessions, a week of 3 of 8 devices: 72,000 of 192,000).
 */
export const m0032SessionDeviceAnchor: Migration = {
  version: 32,
  name: 'session-device-anchor',
  description: 'adding an index of the sessions by device and time for the timeline',
  up: `CREATE INDEX IF NOT EXISTS access_sessions_device_anchor
  ON access_sessions(device_id, anchor_ms, app_id, category, duration_ms);`,
};
