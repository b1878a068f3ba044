import type { AuditCheck } from '../../contract/api';
import { auditPayloadHash, auditRows, verifyAudit } from '../db/audit';
import type { Db } from '../db/open';
import type { Redactor } from './redaction';

/** At most this many audit entries (the most recent) travel in a manifest. */
export const MANIFEST_AUDIT_LIMIT = 100_000;

/**
 * How a reader recomputes the audit chain from `manifest.json` alone; written into the manifest
 * beside the entries (docs/evidence-bundle.md says the same at length).
 */
export const AUDIT_CHAIN_DESCRIPTION =
  'Entries are in chain order (oldest first). For each entry, prevHash must equal the hash of the ' +
  'entry before it (the first entry of the case links to 64 zeros). All hashes are SHA-256 over UTF-8 ' +
  'text, written as lowercase hex; seq and at are decimal integers (at is Unix epoch milliseconds). ' +
  'Scheme 2: payloadSha256 = SHA-256("<salt>\\n<details>") and hash = SHA-256("snoopscope-audit-2\\n' +
  '<prevHash>\\n<seq>\\n<at>\\n<action>\\n<payloadSha256>"); a redacted entry withholds details and ' +
  'salt but publishes payloadSha256, so its hash is still recomputed. Scheme 1 (entries written ' +
  'before Snoopscope chained payload hashes): hash = SHA-256("<prevHash>\\n<seq>\\n<at>\\n<action>\\n' +
  '<details>"); a redacted scheme-1 entry cannot be recomputed from the bundle: its hash is only ' +
  "checked as the next entry's prevHash, and it is listed in unverifiableEntries. seq runs without a " +
  'gap; an entry withholds details (and salt) exactly when redacted is true; total is the seq of the ' +
  'last entry; redactedEntries and unverifiableEntries list those entries in order. snoopscope verify ' +
  'checks all of this (docs/evidence-bundle.md gives a script that does the same).';

/** One audit entry as a manifest carries it. */
export interface ManifestAuditEntry {
  seq: number;
  /** Unix epoch milliseconds, as hashed. */
  at: number;
  action: string;
  scheme: number;
  /** The payload text exactly as hashed (JSON), or null when redacted. */
  details: string | null;
  /** Scheme 2: the salt hashed with the payload, or null when redacted; null for scheme 1. */
  salt: string | null;
  /** Scheme 2: SHA-256 of `<salt>\n<details>`; null for scheme 1. */
  payloadSha256: string | null;
  redacted: boolean;
  prevHash: string;
  hash: string;
}

/** The audit section of a manifest, and what the report says about it. */
export interface BundleAudit {
  description: string;
  /** The chain as checked on the case at export time. */
  check: AuditCheck;
  /** Entries in the case; `entries` holds the most recent of them. */
  total: number;
  entries: ManifestAuditEntry[];
  /** Entries whose payload mentions a redacted app or a masked device identifier. */
  redactedEntries: number[];
  /** Redacted scheme-1 entries: their hash cannot be recomputed from the bundle. */
  unverifiableEntries: number[];
}

/**
 * The audit log as a bundle publishes it: every entry in chain order, with the payload withheld
 * (and, for scheme 2, its salted hash published) wherever the payload mentions what the bundle
 * redacts (an app, its display name, a device identifier when masked), so the chain stays
 * checkable without the withheld text.
 */
export function bundleAudit(db: Db, redactor: Redactor): BundleAudit {
  const total = (db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
  const redactedEntries: number[] = [];
  const unverifiableEntries: number[] = [];
  const entries = auditRows(db, MANIFEST_AUDIT_LIMIT).map((r): ManifestAuditEntry => {
    const redacted = redactor.mentions(r.details) || redactor.mentions(decoded(r.details));
    if (redacted) {
      redactedEntries.push(r.seq);
      if (r.scheme !== 2) unverifiableEntries.push(r.seq);
    }
    const payloadSha256 =
      r.scheme === 2 && r.salt !== null ? auditPayloadHash(r.salt, r.details) : null;
    return {
      seq: r.seq,
      at: r.at,
      action: r.action,
      scheme: r.scheme,
      details: redacted ? null : r.details,
      salt: redacted ? null : r.salt,
      payloadSha256,
      redacted,
      prevHash: r.prevHash,
      hash: r.hash,
    };
  });
  return {
    description: AUDIT_CHAIN_DESCRIPTION,
    check: verifyAudit(db),
    total,
    entries,
    redactedEntries,
    unverifiableEntries,
  };
}

/**
 * The strings of a JSON payload joined, so a name JSON escapes (a quote, a backslash, a control
 * character) is still found; the raw text is searched as well.
 */
function decoded(details: string): string {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        out.push(k);
        walk(x);
      }
  };
  try {
    walk(JSON.parse(details));
  } catch {
    return '';
  }
  // A separator no name contains keeps two strings from forming a name across their boundary.
  return out.join('\u0000');
}
