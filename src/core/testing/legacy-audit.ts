import { AUDIT_GENESIS, auditHashV1 } from '../db/audit';
import type { Db } from '../db/open';

/**
 * Rewrites every audit entry so far as scheme 1 (no salt, details hashed as they stand), as a
 * case written before payload hashing holds them; the chain stays intact.
 */
export function rewriteAuditAsScheme1(db: Db): void {
  let prev = AUDIT_GENESIS;
  for (const r of db
    .prepare('SELECT seq, at, action, details FROM audit_log ORDER BY seq')
    .all() as { seq: number; at: number; action: string; details: string }[]) {
    const hash = auditHashV1(prev, r.seq, r.at, r.action, r.details);
    db.prepare(
      'UPDATE audit_log SET scheme = 1, salt = NULL, prev_hash = ?, hash = ? WHERE seq = ?',
    ).run(prev, hash, r.seq);
    prev = hash;
  }
}
