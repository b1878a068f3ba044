import {
  HOUR_BUSY_COLUMNS,
  HOUR_COUNT_COLUMNS,
  LONG_BUSY_COLUMNS,
  LONG_COUNT_COLUMNS,
  rebuildRollupSql,
} from '../rollup';
import type { Migration } from './types';

/**
 * Per device-local day, week and four-week span: session counts and time in use by device, app,
 * category and local hour of day, and above each of a few minimum durations, for zoomed-out
 * timelines. Also a wider anchor index that
 * answers the timeline's own columns without reading the rows.
 */
export const m0002SessionRollup: Migration = {
  version: 2,
  name: 'session-rollup',
  up: `
CREATE TABLE session_rollup (
  level INTEGER NOT NULL,
  device_id INTEGER NOT NULL,
  app_id INTEGER NOT NULL,
  category TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  sessions INTEGER NOT NULL,
  busy_ms INTEGER NOT NULL,
  ${HOUR_COUNT_COLUMNS.map((c) => `${c} INTEGER NOT NULL DEFAULT 0`).join(',\n  ')},
  ${HOUR_BUSY_COLUMNS.map((c) => `${c} INTEGER NOT NULL DEFAULT 0`).join(',\n  ')},
  ${LONG_COUNT_COLUMNS.map((c) => `${c} INTEGER NOT NULL DEFAULT 0`).join(',\n  ')},
  ${LONG_BUSY_COLUMNS.map((c) => `${c} INTEGER NOT NULL DEFAULT 0`).join(',\n  ')},
  PRIMARY KEY (level, bucket, device_id, app_id, category)
) STRICT, WITHOUT ROWID;
DROP INDEX access_sessions_anchor;
CREATE INDEX access_sessions_anchor ON access_sessions(anchor_ms, device_id, app_id, category, anchor_minute, duration_ms);
${rebuildRollupSql()}
`,
};
