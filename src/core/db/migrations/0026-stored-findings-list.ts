import type { Migration } from './types';

/**
 * The stored findings as a list shows them (each without its caveat and details) in an index, so
 * the Findings view reads that index alone: a finding's row also holds its evidence, tens of
 * kilobytes, and reading the finding from the row walks its overflow pages. A finding that is not
 * JSON is kept as `{}`, so a damaged case still opens.
 */
export const m0026StoredFindingsList: Migration = {
  version: 26,
  name: 'stored-findings-list',
  description: 'indexing the findings list',
  up: `
CREATE INDEX stored_findings_list ON stored_findings(device_id, rule, seq, evidence_total, app_id,
  category, json_remove(iif(json_valid(finding), finding, '{}'), '$.caveat', '$.details'));
`,
};
