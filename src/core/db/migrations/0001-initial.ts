import type { Migration } from './types';

/** The first schema: devices, sources, apps, access sessions with their edges, network snapshots, audit log. */
export const m0001Initial: Migration = {
  version: 1,
  name: 'initial',
  description: 'creating the case tables',
  up: `
CREATE TABLE case_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE devices (
  id INTEGER PRIMARY KEY,
  label TEXT NOT NULL COLLATE NOCASE UNIQUE,
  platform TEXT NOT NULL DEFAULT 'unknown' CHECK (platform IN ('ios', 'android', 'unknown')),
  model TEXT,
  os_version TEXT,
  time_zone TEXT,
  identifiers TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE sources (
  id INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL REFERENCES devices(id),
  importer_id TEXT NOT NULL,
  importer_version TEXT NOT NULL,
  original_path TEXT NOT NULL,
  file_name TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL UNIQUE,
  imported_at INTEGER NOT NULL,
  lines INTEGER NOT NULL DEFAULT 0,
  access_rows INTEGER NOT NULL DEFAULT 0,
  network_rows INTEGER NOT NULL DEFAULT 0,
  duplicate_lines INTEGER NOT NULL DEFAULT 0,
  already_stored INTEGER NOT NULL DEFAULT 0,
  sessions INTEGER NOT NULL DEFAULT 0,
  open_sessions INTEGER NOT NULL DEFAULT 0,
  warning_count INTEGER NOT NULL DEFAULT 0,
  data_from INTEGER,
  data_to INTEGER
) STRICT;
CREATE INDEX sources_device ON sources(device_id);

CREATE TABLE source_warnings (
  id INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  line INTEGER,
  locator TEXT NOT NULL,
  code TEXT NOT NULL,
  message TEXT NOT NULL
) STRICT;
CREATE INDEX source_warnings_source ON source_warnings(source_id);

CREATE TABLE apps (
  id INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL REFERENCES devices(id),
  identifier TEXT NOT NULL,
  display_name TEXT,
  version TEXT,
  UNIQUE (device_id, identifier)
) STRICT;

-- One row per access interval of a device (reference §8: edges keyed by identifier + kind),
-- holding both edges as read and the session derived from them. An edge missing from every
-- import leaves the session open.
CREATE TABLE access_sessions (
  id INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL REFERENCES devices(id),
  interval_key TEXT NOT NULL,
  app_id INTEGER NOT NULL REFERENCES apps(id),
  category TEXT NOT NULL,
  raw_category TEXT NOT NULL,
  start_ms INTEGER,
  start_offset INTEGER,
  b_raw_ts TEXT,
  b_source_id INTEGER REFERENCES sources(id),
  b_line INTEGER,
  b_raw_line TEXT,
  end_ms INTEGER,
  end_offset INTEGER,
  e_raw_ts TEXT,
  e_source_id INTEGER REFERENCES sources(id),
  e_line INTEGER,
  e_raw_line TEXT,
  anchor_ms INTEGER NOT NULL,
  anchor_offset INTEGER NOT NULL,
  anchor_minute INTEGER NOT NULL,
  local_day INTEGER NOT NULL,
  duration_ms INTEGER,
  open INTEGER NOT NULL CHECK (open IN (0, 1)),
  conflict INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT 'unknown' CHECK (state IN ('foreground', 'background', 'unknown')),
  state_source TEXT CHECK (state_source IN ('reported', 'inferred')),
  UNIQUE (device_id, interval_key)
) STRICT;
CREATE INDEX access_sessions_anchor ON access_sessions(anchor_ms);
CREATE INDEX access_sessions_app ON access_sessions(app_id, anchor_ms);

-- Further sources holding an edge already stored: byte-identical (raw_line NULL) or a
-- conflicting variant (raw_line kept, conflict = 1).
CREATE TABLE edge_occurrences (
  session_id INTEGER NOT NULL REFERENCES access_sessions(id),
  kind INTEGER NOT NULL CHECK (kind IN (0, 1)),
  source_id INTEGER NOT NULL REFERENCES sources(id),
  line INTEGER NOT NULL,
  raw_line TEXT,
  conflict INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (session_id, kind, source_id, line)
) STRICT, WITHOUT ROWID;
CREATE INDEX edge_occurrences_source ON edge_occurrences(source_id);

-- Network rows are rolling aggregates: stored per export snapshot and never summed across exports.
CREATE TABLE network_observations (
  id INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL REFERENCES devices(id),
  app_id INTEGER NOT NULL REFERENCES apps(id),
  source_id INTEGER NOT NULL REFERENCES sources(id),
  line INTEGER NOT NULL,
  domain TEXT NOT NULL,
  domain_lower TEXT NOT NULL,
  domain_owner TEXT,
  domain_type INTEGER,
  initiated_type TEXT,
  context TEXT,
  hits INTEGER,
  first_ms INTEGER,
  first_offset INTEGER,
  last_ms INTEGER,
  last_offset INTEGER,
  context_verification_type INTEGER,
  domain_classification INTEGER,
  raw_line TEXT NOT NULL,
  extra TEXT
) STRICT;
CREATE INDEX network_observations_source ON network_observations(source_id);
CREATE INDEX network_observations_app ON network_observations(app_id, last_ms);

-- Every import, removal, move and export, hash-chained: editing a row breaks the chain.
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  action TEXT NOT NULL,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
) STRICT;
`,
};
