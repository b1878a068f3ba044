import type { Migration } from './types';

/**
 * Findings kept in the case, per device, so the Findings view and `findings` read a table: each
 * finding (its text and figures as JSON), its evidence ids (the first few apart, so a list that
 * shows only those reads little) and, per device, the stamp of what they were computed from (the
 * parameters, the rules' version and the device's sources). They are filled when first asked for
 * and after each import, not here. Also an index of the sessions by app, category and start, which
 * the findings rules read group after group.
 */
export const m0010StoredFindings: Migration = {
  version: 10,
  name: 'stored-findings',
  description: 'adding stored findings',
  up: `
CREATE TABLE stored_findings (
  id INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL,
  rule TEXT NOT NULL,
  seq INTEGER NOT NULL,
  app_id INTEGER,
  category TEXT,
  finding TEXT NOT NULL,
  evidence_total INTEGER NOT NULL,
  evidence_head TEXT NOT NULL,
  evidence TEXT NOT NULL,
  UNIQUE (device_id, rule, seq)
) STRICT;
CREATE TABLE stored_findings_state (
  device_id INTEGER PRIMARY KEY,
  stamp TEXT NOT NULL
) STRICT;
CREATE INDEX access_sessions_group ON access_sessions(app_id, category, anchor_ms);
`,
};
