import type { Migration } from './types';

/**
 * Per device-local day, week and four-week span, by device, app and category: sessions and time
 * in use by app state (foreground, background, unknown), so a timeline filtered on app states
 * reads a few thousand rows instead of every session. And an index of the sessions by device-local
 * minute and day of their anchor, holding what a timeline bin needs: an hours window not on whole
 * hours reads only the sessions of its minutes left over. The table is filled by the current code
 * once every migration has run.
 */
export const m0021SessionStates: Migration = {
  version: 21,
  name: 'session-states',
  description: 'adding the app-state summary and indexing sessions by minute',
  up: `
CREATE TABLE session_state_rollup (
  level INTEGER NOT NULL,
  bucket INTEGER NOT NULL,
  device_id INTEGER NOT NULL,
  app_id INTEGER NOT NULL,
  category TEXT NOT NULL,
  fg_sessions INTEGER NOT NULL DEFAULT 0,
  fg_ms INTEGER NOT NULL DEFAULT 0,
  bg_sessions INTEGER NOT NULL DEFAULT 0,
  bg_ms INTEGER NOT NULL DEFAULT 0,
  un_sessions INTEGER NOT NULL DEFAULT 0,
  un_ms INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (level, bucket, device_id, app_id, category)
) STRICT, WITHOUT ROWID;
CREATE INDEX access_sessions_minute ON access_sessions(anchor_minute, local_day, device_id, app_id,
  category, duration_ms);
`,
  rebuilds: ['session-stats'],
};
