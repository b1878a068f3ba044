import type { FindingParams } from '../../contract/findings';
import { appendAudit } from '../db/audit';
import type { Db } from '../db/open';
import { writeTx } from '../services/case-service';
import { resolveParams } from './engine';

const KEY = 'finding_params';

/** The rule parameters the examiner set for this case (none set: the documented defaults apply). */
export function storedFindingParams(db: Db): FindingParams {
  const row = db.prepare('SELECT value FROM case_meta WHERE key = ?').get(KEY) as
    { value: string } | undefined;
  if (!row) return {};
  try {
    return JSON.parse(row.value) as FindingParams;
  } catch {
    return {};
  }
}

/**
 * Stores the case's rule parameters (validated; an empty set restores the defaults) and records
 * the change, before and after, in the audit log.
 */
export function setStoredFindingParams(db: Db, params: FindingParams): FindingParams {
  resolveParams(params);
  const before = storedFindingParams(db);
  const after = Object.fromEntries(Object.entries(params).sort(([a], [b]) => a.localeCompare(b)));
  if (JSON.stringify(before) === JSON.stringify(after)) return after;
  writeTx(db, () => {
    if (Object.keys(after).length === 0) db.prepare('DELETE FROM case_meta WHERE key = ?').run(KEY);
    else
      db.prepare(
        'INSERT INTO case_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      ).run(KEY, JSON.stringify(after));
    appendAudit(db, 'finding-parameters', { before, after });
  });
  return after;
}
