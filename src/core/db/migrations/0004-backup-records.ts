import type { Migration } from './types';

/**
 * Records read from backup artifacts, each tied to its source (one source per artifact file):
 * permission states (TCC.db, locationd clients), per-process network usage (DataUsage.sqlite,
 * osanalytics addaily) and configuration profiles. `locator` says where in the artifact the
 * record was read (table + rowid, or plist key path); `raw` keeps every field as read (JSON).
 */
export const m0004BackupRecords: Migration = {
  version: 4,
  name: 'backup-records',
  description: 'adding tables for iPhone backup records',
  up: `
ALTER TABLE sources ADD COLUMN container TEXT;
ALTER TABLE sources ADD COLUMN locator TEXT;
ALTER TABLE sources ADD COLUMN record_rows INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN details TEXT;
-- An app listed by a backup's inventory stays in the case when no record refers to it.
ALTER TABLE apps ADD COLUMN inventory INTEGER NOT NULL DEFAULT 0;

CREATE TABLE permission_records (
  id INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL REFERENCES devices(id),
  app_id INTEGER NOT NULL REFERENCES apps(id),
  source_id INTEGER NOT NULL REFERENCES sources(id),
  origin TEXT NOT NULL CHECK (origin IN ('tcc', 'location-clients')),
  raw TEXT NOT NULL,
  category TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('granted', 'denied', 'limited', 'unknown')),
  reason TEXT,
  time_ms INTEGER,
  time_offset INTEGER,
  locator TEXT NOT NULL,
  raw_fields TEXT NOT NULL
) STRICT;
CREATE INDEX permission_records_source ON permission_records(source_id);
CREATE INDEX permission_records_device_time ON permission_records(device_id, time_ms);

CREATE TABLE network_usage_records (
  id INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL REFERENCES devices(id),
  app_id INTEGER REFERENCES apps(id),
  source_id INTEGER NOT NULL REFERENCES sources(id),
  origin TEXT NOT NULL CHECK (origin IN ('data-usage', 'addaily')),
  process TEXT NOT NULL,
  wifi_in REAL,
  wifi_out REAL,
  cell_in REAL,
  cell_out REAL,
  first_ms INTEGER,
  last_ms INTEGER,
  time_offset INTEGER,
  locator TEXT NOT NULL,
  raw_fields TEXT NOT NULL
) STRICT;
CREATE INDEX network_usage_records_source ON network_usage_records(source_id);
CREATE INDEX network_usage_records_device_time ON network_usage_records(device_id, last_ms);

CREATE TABLE profile_records (
  id INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL REFERENCES devices(id),
  source_id INTEGER NOT NULL REFERENCES sources(id),
  identifier TEXT NOT NULL,
  display_name TEXT,
  organization TEXT,
  operation TEXT NOT NULL CHECK (operation IN ('installed', 'install', 'remove', 'other')),
  process TEXT,
  payload_types TEXT NOT NULL DEFAULT '[]',
  mdm INTEGER NOT NULL DEFAULT 0,
  vpn INTEGER NOT NULL DEFAULT 0,
  root_certificate INTEGER NOT NULL DEFAULT 0,
  time_ms INTEGER,
  time_offset INTEGER,
  locator TEXT NOT NULL,
  raw_fields TEXT NOT NULL
) STRICT;
CREATE INDEX profile_records_source ON profile_records(source_id);
CREATE INDEX profile_records_device_time ON profile_records(device_id, time_ms);
`,
};
