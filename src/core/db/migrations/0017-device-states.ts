import type { Migration } from './types';

/**
 * The device's own record of its state: intervals of screen on/off, locked/unlocked and the app
 * in front (PowerLog, usagestats, batterystats), each with its source and locator, and the windows
 * each state source covers. Outside a coverage window the state is unknown, never assumed.
 */
export const m0017DeviceStates: Migration = {
  version: 17,
  name: 'device-states',
  description: 'adding device states',
  up: `
CREATE TABLE device_states (
  id INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('screen', 'lock', 'foreground')),
  value TEXT NOT NULL,
  from_ms INTEGER NOT NULL,
  from_offset INTEGER NOT NULL,
  to_ms INTEGER,
  to_offset INTEGER,
  basis TEXT NOT NULL,
  locator TEXT NOT NULL,
  UNIQUE (device_id, kind, basis, from_ms, value)
) STRICT;
CREATE INDEX device_states_time ON device_states(device_id, kind, from_ms);
CREATE INDEX device_states_source ON device_states(source_id);
CREATE TABLE device_state_coverage (
  id INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('screen', 'lock', 'foreground')),
  basis TEXT NOT NULL,
  from_ms INTEGER NOT NULL,
  to_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX device_state_coverage_device ON device_state_coverage(device_id, kind, from_ms);
CREATE INDEX device_state_coverage_source ON device_state_coverage(source_id);
`,
};
