import type { Migration } from './types';

/**
 * Audit entries chained over a salted hash of their payload (scheme 2), so an export can withhold
 * a payload and still let a reader recompute the chain. Entries already written keep scheme 1
 * (their hash covers the payload text) and stay verifiable as they are.
 */
export const m0009AuditPayloadHash: Migration = {
  version: 9,
  name: 'audit-payload-hash',
  description: 'strengthening the audit log',
  up: `
ALTER TABLE audit_log ADD COLUMN scheme INTEGER NOT NULL DEFAULT 1 CHECK (scheme IN (1, 2));
ALTER TABLE audit_log ADD COLUMN salt TEXT;
`,
};
