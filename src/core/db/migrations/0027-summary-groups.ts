import type { Migration } from './types';

/**
 * The summary of each device's app × category, as the scan over its sessions gives it (sessions,
 * open ones, closed durations' total and longest, first and last instant packed, sessions by
 * device-local hour of their anchor), kept with the stamp of the device's sources: the Summary
 * view reads a row per group instead of every session's duration. Filled after imports.
 */
export const m0027SummaryGroups: Migration = {
  version: 27,
  name: 'summary-groups',
  description: 'adding the summary by app and category',
  up: `
CREATE TABLE summary_groups (
  device_id INTEGER NOT NULL,
  app_id INTEGER NOT NULL,
  category TEXT NOT NULL,
  sessions INTEGER NOT NULL,
  open_sessions INTEGER NOT NULL,
  total_ms INTEGER,
  longest_ms INTEGER,
  first_packed INTEGER,
  last_packed INTEGER,
  h0 INTEGER NOT NULL, h1 INTEGER NOT NULL, h2 INTEGER NOT NULL, h3 INTEGER NOT NULL,
  h4 INTEGER NOT NULL, h5 INTEGER NOT NULL, h6 INTEGER NOT NULL, h7 INTEGER NOT NULL,
  h8 INTEGER NOT NULL, h9 INTEGER NOT NULL, h10 INTEGER NOT NULL, h11 INTEGER NOT NULL,
  h12 INTEGER NOT NULL, h13 INTEGER NOT NULL, h14 INTEGER NOT NULL, h15 INTEGER NOT NULL,
  h16 INTEGER NOT NULL, h17 INTEGER NOT NULL, h18 INTEGER NOT NULL, h19 INTEGER NOT NULL,
  h20 INTEGER NOT NULL, h21 INTEGER NOT NULL, h22 INTEGER NOT NULL, h23 INTEGER NOT NULL,
  PRIMARY KEY (device_id, app_id, category)
) STRICT, WITHOUT ROWID;
CREATE TABLE summary_groups_state (
  device_id INTEGER PRIMARY KEY,
  stamp TEXT NOT NULL
) STRICT;
`,
};
