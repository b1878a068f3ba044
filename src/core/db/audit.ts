import { createHash } from 'node:crypto';
import type { AuditCheck, AuditEntry } from '../../contract/api';
import type { Db } from './open';

const GENESIS = '0'.repeat(64);

function entryHash(prev: string, seq: number, at: number, action: string, details: string): string {
  return createHash('sha256').update(`${prev}\n${seq}\n${at}\n${action}\n${details}`).digest('hex');
}

/**
 * Appends an audit entry chained to the previous one. Call inside the write transaction of the
 * change it records, so the entry and the change commit together.
 */
export function appendAudit(db: Db, action: string, details: Record<string, unknown>): void {
  const last = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as
    { seq: number; hash: string } | undefined;
  const seq = (last?.seq ?? 0) + 1;
  const prev = last?.hash ?? GENESIS;
  const at = Date.now();
  const text = JSON.stringify(details);
  db.prepare(
    'INSERT INTO audit_log (seq, at, action, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(seq, at, action, text, prev, entryHash(prev, seq, at, action, text));
}

/** Lists the most recent audit entries, newest first. */
export function listAudit(db: Db, limit = 500): AuditEntry[] {
  const rows = db
    .prepare('SELECT seq, at, action, details, hash FROM audit_log ORDER BY seq DESC LIMIT ?')
    .all(limit) as { seq: number; at: number; action: string; details: string; hash: string }[];
  return rows.map((r) => ({
    seq: r.seq,
    at: r.at,
    action: r.action,
    details: JSON.parse(r.details) as Record<string, unknown>,
    hash: r.hash,
  }));
}

/** Recomputes the chain; reports the first entry whose hash or link does not match. */
export function verifyAudit(db: Db): AuditCheck {
  let prev = GENESIS;
  let expectedSeq = 1;
  let entries = 0;
  const rows = db
    .prepare('SELECT seq, at, action, details, prev_hash, hash FROM audit_log ORDER BY seq')
    .iterate() as IterableIterator<{
    seq: number;
    at: number;
    action: string;
    details: string;
    prev_hash: string;
    hash: string;
  }>;
  for (const r of rows) {
    entries += 1;
    const broken =
      r.seq !== expectedSeq ||
      r.prev_hash !== prev ||
      r.hash !== entryHash(r.prev_hash, r.seq, r.at, r.action, r.details);
    if (broken) {
      return {
        intact: false,
        entries,
        firstBroken: r.seq,
        message: `The audit log was altered: entry ${r.seq} does not match the chain (expected entry ${expectedSeq}).`,
      };
    }
    prev = r.hash;
    expectedSeq += 1;
  }
  return {
    intact: true,
    entries,
    firstBroken: null,
    message: `The audit log is intact (${entries} entries).`,
  };
}
