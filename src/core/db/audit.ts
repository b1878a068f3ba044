import { createHash, randomBytes } from 'node:crypto';
import type { AuditCheck, AuditEntry } from '../../contract/api';
import type { Db } from './open';
import { jsonObject } from '../model/json';

/** The `prev_hash` of the first entry. */
export const AUDIT_GENESIS = '0'.repeat(64);

/**
 * How an entry's hash is computed. Scheme 1 (entries written before migration 0009) hashes the
 * payload text itself. Scheme 2 hashes the SHA-256 of the salted payload instead, so an export
 * can withhold a payload and publish its hash, and a reader can still recompute the chain; the
 * salt keeps a short payload (two app ids, one tag) from being confirmed by guessing it.
 */
export type AuditScheme = 1 | 2;

/** The scheme of every entry written from now on. */
export const CURRENT_AUDIT_SCHEME: AuditScheme = 2;

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Scheme 2: SHA-256 over the UTF-8 of `<salt>\n<details>`, as lowercase hex. */
export function auditPayloadHash(salt: string, details: string): string {
  return sha256(`${salt}\n${details}`);
}

/** Scheme 1: SHA-256 over `<prev>\n<seq>\n<at>\n<action>\n<details>`. */
export function auditHashV1(
  prev: string,
  seq: number,
  at: number,
  action: string,
  details: string,
): string {
  return sha256(`${prev}\n${seq}\n${at}\n${action}\n${details}`);
}

/** Scheme 2: SHA-256 over `snoopscope-audit-2\n<prev>\n<seq>\n<at>\n<action>\n<payload sha256>`. */
export function auditHashV2(
  prev: string,
  seq: number,
  at: number,
  action: string,
  payloadSha256: string,
): string {
  return sha256(`snoopscope-audit-2\n${prev}\n${seq}\n${at}\n${action}\n${payloadSha256}`);
}

/** One stored audit row, as the chain reads it. */
export interface AuditRow {
  seq: number;
  at: number;
  action: string;
  details: string;
  prevHash: string;
  hash: string;
  scheme: number;
  salt: string | null;
}

/** The hash a row should carry given its scheme, or null for an unknown scheme or a missing salt. */
export function expectedAuditHash(r: AuditRow): string | null {
  if (r.scheme === 1) return auditHashV1(r.prevHash, r.seq, r.at, r.action, r.details);
  if (r.scheme === 2 && r.salt !== null)
    return auditHashV2(r.prevHash, r.seq, r.at, r.action, auditPayloadHash(r.salt, r.details));
  return null;
}

/**
 * Appends an audit entry chained to the previous one. Call inside the write transaction of the
 * change it records, so the entry and the change commit together.
 */
export function appendAudit(db: Db, action: string, details: Record<string, unknown>): void {
  const last = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as
    { seq: number; hash: string } | undefined;
  const seq = (last?.seq ?? 0) + 1;
  const prev = last?.hash ?? AUDIT_GENESIS;
  const at = Date.now();
  const text = JSON.stringify(details);
  const salt = randomBytes(16).toString('hex');
  db.prepare(
    'INSERT INTO audit_log (seq, at, action, details, prev_hash, hash, scheme, salt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(
    seq,
    at,
    action,
    text,
    prev,
    auditHashV2(prev, seq, at, action, auditPayloadHash(salt, text)),
    CURRENT_AUDIT_SCHEME,
    salt,
  );
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
    details: auditDetails(r.details),
    hash: r.hash,
  }));
}

/**
 * The columns a chain check reads. A case opened read-only is not migrated: before migration 0009
 * every entry is scheme 1 and has no salt.
 */
function rowColumns(db: Db): string {
  const migrated = db
    .prepare("SELECT 1 FROM pragma_table_info('audit_log') WHERE name = 'salt'")
    .get();
  return `seq, at, action, details, prev_hash AS prevHash, hash, ${migrated ? 'scheme, salt' : '1 AS scheme, NULL AS salt'}`;
}

/** The most recent `limit` rows in chain order (oldest first), as stored. */
export function auditRows(db: Db, limit: number): AuditRow[] {
  const rows = db
    .prepare(`SELECT ${rowColumns(db)} FROM audit_log ORDER BY seq DESC LIMIT ?`)
    .all(limit) as AuditRow[];
  return rows.reverse();
}

/** Recomputes the chain; reports the first entry whose hash or link does not match. */
export function verifyAudit(db: Db): AuditCheck {
  let prev = AUDIT_GENESIS;
  let expectedSeq = 1;
  let entries = 0;
  const rows = db
    .prepare(`SELECT ${rowColumns(db)} FROM audit_log ORDER BY seq`)
    .iterate() as IterableIterator<AuditRow>;
  for (const r of rows) {
    entries += 1;
    const broken = r.seq !== expectedSeq || r.prevHash !== prev || r.hash !== expectedAuditHash(r);
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

/**
 * An entry's details as stored. Details that are no JSON object (the case file changed outside
 * Snoopscope, which the chain's check reports at that entry) are listed as their text, so the
 * log still shows every entry.
 */
function auditDetails(text: string): Record<string, unknown> {
  return jsonObject(text) ?? { 'unreadable details (changed outside Snoopscope)': text };
}
