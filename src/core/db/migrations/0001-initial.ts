import type { Migration } from './types';

/** The first schema: devices, sources, apps, access edges and sessions, network snapshots, audit log. */
export const m0001Initial: Migration = {
  version: 1,
  name: 'initial',
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

-- One row per distinct interval edge of a device (reference §8: natural key identifier + kind).
CREATE TABLE access_edges (
  id INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL REFERENCES devices(id),
  interval_key TEXT NOT NULL,
  kind INTEGER NOT NULL CHECK (kind IN (0, 1)),
  app_id INTEGER NOT NULL REFERENCES apps(id),
  category TEXT NOT NULL,
  raw_category TEXT NOT NULL,
  ts_ms INTEGER NOT NULL,
  offset_min INTEGER NOT NULL,
  raw_ts TEXT NOT NULL,
  line_hash TEXT NOT NULL,
  source_id INTEGER NOT NULL REFERENCES sources(id),
  line INTEGER NOT NULL,
  raw_line TEXT NOT NULL,
  extra TEXT
) STRICT;
CREATE UNIQUE INDEX access_edges_key ON access_edges(device_id, interval_key, kind);
CREATE INDEX access_edges_source ON access_edges(source_id);

-- Further sources that contain an already stored edge, byte-identical or not.
CREATE TABLE edge_occurrences (
  edge_id INTEGER NOT NULL REFERENCES access_edges(id),
  source_id INTEGER NOT NULL REFERENCES sources(id),
  line INTEGER NOT NULL,
  line_hash TEXT NOT NULL,
  raw_line TEXT,
  conflict INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (edge_id, source_id, line)
) STRICT, WITHOUT ROWID;
CREATE INDEX edge_occurrences_source ON edge_occurrences(source_id);

-- Derived: edges paired into sessions. Rebuilt for the affected intervals after every change.
CREATE TABLE access_sessions (
  id INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL REFERENCES devices(id),
  interval_key TEXT NOT NULL,
  app_id INTEGER NOT NULL REFERENCES apps(id),
  category TEXT NOT NULL,
  raw_category TEXT NOT NULL,
  begin_edge_id INTEGER,
  end_edge_id INTEGER,
  start_ms INTEGER,
  start_offset INTEGER,
  end_ms INTEGER,
  end_offset INTEGER,
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
CREATE INDEX access_sessions_duration ON access_sessions(duration_ms);

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
