import type { Migration } from './types';

/**
 * Each device's key findings as last computed (JSON, without the device's label), with the stamp
 * of the stored findings they were read from: the view the app opens on reads this row while the
 * stamp still matches, and the import worker computes it again when it does not.
 */
export const m0025StoredKeyFindings: Migration = {
  version: 25,
  name: 'stored-key-findings',
  description: 'adding stored key findings',
  up: `
CREATE TABLE stored_key_findings (
  device_id INTEGER PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
  stamp TEXT NOT NULL,
  answer TEXT NOT NULL
) STRICT;
`,
};
