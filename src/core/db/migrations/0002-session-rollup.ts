import type { Migration } from './types';

/** Per-day, per-week and per-four-week session counts by device, app and category, for zoomed-out timelines. */
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
  PRIMARY KEY (level, device_id, app_id, category, bucket)
) STRICT, WITHOUT ROWID;

INSERT INTO session_rollup (level, device_id, app_id, category, bucket, sessions, busy_ms)
SELECT l.level, s.device_id, s.app_id, s.category, s.anchor_ms / l.level, COUNT(*), COALESCE(SUM(s.duration_ms), 0)
FROM access_sessions s CROSS JOIN (SELECT 86400000 AS level UNION ALL SELECT 604800000 UNION ALL SELECT 2419200000) l
GROUP BY l.level, s.device_id, s.app_id, s.category, s.anchor_ms / l.level;
`,
};
