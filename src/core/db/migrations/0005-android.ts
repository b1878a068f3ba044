import type { Migration } from './types';

/**
 * Android records. App-op accesses are access sessions (one per `Access:` line) with their
 * attribution tag, proxy, raw state and flag, and whether the duration was printed; a proxied
 * access keeps the proxy app's own line linked to the session of the app it was blamed on.
 * Rejected attempts, usage events (usagestats) and package permission grants get tables of their
 * own; permission records gain the `android-package` origin.
 */
export const m0005Android: Migration = {
  version: 5,
  name: 'android',
  description: 'adding tables for Android captures',
  up: `
ALTER TABLE access_sessions ADD COLUMN attribution_tag TEXT;
ALTER TABLE access_sessions ADD COLUMN proxy TEXT;
ALTER TABLE access_sessions ADD COLUMN raw_state TEXT;
ALTER TABLE access_sessions ADD COLUMN duration_known INTEGER NOT NULL DEFAULT 1;
-- The state inferred from usage records (no foreground activity of the app around the access),
-- kept apart from the state the OS reported.
ALTER TABLE access_sessions ADD COLUMN inferred_state TEXT CHECK (inferred_state IN ('foreground', 'background'));

ALTER TABLE devices ADD COLUMN sdk INTEGER;
ALTER TABLE devices ADD COLUMN fingerprint TEXT;

ALTER TABLE sources ADD COLUMN captured_at INTEGER;

CREATE TABLE proxy_lines (
  session_id INTEGER NOT NULL REFERENCES access_sessions(id),
  source_id INTEGER NOT NULL REFERENCES sources(id),
  line INTEGER NOT NULL,
  app TEXT NOT NULL,
  raw_line TEXT NOT NULL,
  PRIMARY KEY (session_id, source_id, line)
) STRICT, WITHOUT ROWID;
CREATE INDEX proxy_lines_source ON proxy_lines(source_id);

CREATE TABLE reject_records (
  id INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL REFERENCES devices(id),
  app_id INTEGER NOT NULL REFERENCES apps(id),
  source_id INTEGER NOT NULL REFERENCES sources(id),
  record_key TEXT NOT NULL,
  op TEXT NOT NULL,
  category TEXT NOT NULL,
  time_ms INTEGER NOT NULL,
  time_offset INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('foreground', 'background', 'unknown')),
  raw_state TEXT,
  attribution_tag TEXT,
  proxy TEXT,
  line INTEGER NOT NULL,
  raw_line TEXT NOT NULL,
  UNIQUE (device_id, record_key)
) STRICT;
CREATE INDEX reject_records_source ON reject_records(source_id);
CREATE INDEX reject_records_device_time ON reject_records(device_id, time_ms);

-- Aggregated app-op history (dumpsys appops --history): counts per op, state and flag in a window.
CREATE TABLE op_history_records (
  id INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL REFERENCES devices(id),
  app_id INTEGER REFERENCES apps(id),
  source_id INTEGER NOT NULL REFERENCES sources(id),
  record_key TEXT NOT NULL,
  op TEXT NOT NULL,
  category TEXT NOT NULL,
  attribution_tag TEXT,
  state TEXT NOT NULL CHECK (state IN ('foreground', 'background', 'unknown')),
  raw_state TEXT,
  begin_ms INTEGER,
  end_ms INTEGER,
  time_offset INTEGER,
  access_count INTEGER,
  reject_count INTEGER,
  duration_ms INTEGER,
  line INTEGER NOT NULL,
  raw_line TEXT NOT NULL,
  UNIQUE (device_id, record_key)
) STRICT;
CREATE INDEX op_history_records_source ON op_history_records(source_id);

CREATE TABLE usage_records (
  id INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL REFERENCES devices(id),
  app_id INTEGER REFERENCES apps(id),
  source_id INTEGER NOT NULL REFERENCES sources(id),
  record_key TEXT NOT NULL,
  type TEXT NOT NULL,
  class_name TEXT,
  instance_id TEXT,
  time_ms INTEGER NOT NULL,
  time_offset INTEGER NOT NULL,
  line INTEGER NOT NULL,
  raw_line TEXT NOT NULL,
  UNIQUE (device_id, record_key)
) STRICT;
CREATE INDEX usage_records_source ON usage_records(source_id);
CREATE INDEX usage_records_device_time ON usage_records(device_id, time_ms);
CREATE INDEX usage_records_app_time ON usage_records(app_id, time_ms);

CREATE TABLE permission_records_new (
  id INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL REFERENCES devices(id),
  app_id INTEGER NOT NULL REFERENCES apps(id),
  source_id INTEGER NOT NULL REFERENCES sources(id),
  origin TEXT NOT NULL CHECK (origin IN ('tcc', 'location-clients', 'android-package')),
  raw TEXT NOT NULL,
  category TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('granted', 'denied', 'limited', 'unknown')),
  reason TEXT,
  time_ms INTEGER,
  time_offset INTEGER,
  locator TEXT NOT NULL,
  raw_fields TEXT NOT NULL
) STRICT;
INSERT INTO permission_records_new SELECT * FROM permission_records;
DROP TABLE permission_records;
ALTER TABLE permission_records_new RENAME TO permission_records;
CREATE INDEX permission_records_source ON permission_records(source_id);
CREATE INDEX permission_records_device_time ON permission_records(device_id, time_ms);
`,
};
