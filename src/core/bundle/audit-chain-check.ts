import { AUDIT_GENESIS, auditHashV1, auditHashV2, auditPayloadHash } from '../db/audit';

/** What recomputing a manifest's audit chain found. */
export interface AuditChainCheck {
  /** Each way the published chain does not hold, in words; empty when it holds. */
  problems: string[];
  /** What the bundle alone cannot show (withheld old entries, entries left out), in words. */
  notes: string[];
  /** The `seq` of the first entry where the chain breaks, or null. */
  firstBroken: number | null;
}

/** One audit entry of a manifest, once its fields have the forms the chain needs. */
interface PublishedEntry {
  seq: number;
  at: number;
  action: string;
  scheme: 1 | 2;
  details: string | null;
  salt: string | null;
  payloadSha256: string | null;
  redacted: boolean;
  prevHash: string;
  hash: string;
}

const MANIFEST = 'manifest.json';
const HEX64 = /^[0-9a-f]{64}$/;
const SALT = /^[0-9a-f]{32}$/;
// With the u flag a surrogate pair is one code point: only an unpaired half matches.
const LONE_SURROGATE = /\p{Cs}/u;

type Fields = Record<string, unknown>;

const isObject = (v: unknown): v is Fields =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

// Integers as JavaScript and Python read them alike: exact doubles, so both print the same digits.
const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

// A text whose UTF-8 is defined: a lone surrogate has none (Python refuses to encode it).
const isText = (v: unknown): v is string => typeof v === 'string' && !LONE_SURROGATE.test(v);

/** The entry with its fields checked, or why it cannot take part in the chain. */
function readEntry(item: unknown): { entry: PublishedEntry } | { reason: string } {
  if (!isObject(item)) return { reason: 'it is not an object' };
  const { seq, at, action, scheme, details, salt, payloadSha256, redacted, prevHash, hash } = item;
  if (!isInteger(seq) || seq < 1) return { reason: 'seq is not a whole number from 1 up' };
  if (!isInteger(at)) return { reason: 'at is not a whole number of milliseconds' };
  // A line feed in action would let text move between action and details of a scheme-1 hash.
  if (!isText(action) || action === '' || action.includes('\n'))
    return { reason: 'action is not a one-line text' };
  if (scheme !== 1 && scheme !== 2) return { reason: 'scheme is neither 1 nor 2' };
  if (details !== null && !isText(details)) return { reason: 'details is neither a text nor null' };
  if (typeof redacted !== 'boolean') return { reason: 'redacted is not true or false' };
  if (redacted !== (details === null))
    return {
      reason: redacted
        ? 'it is marked redacted but publishes its details'
        : 'it withholds its details without being marked redacted',
    };
  if (typeof prevHash !== 'string' || !HEX64.test(prevHash))
    return { reason: 'prevHash is not 64 lowercase hex digits' };
  if (typeof hash !== 'string' || !HEX64.test(hash))
    return { reason: 'hash is not 64 lowercase hex digits' };
  if (scheme === 2) {
    if (typeof payloadSha256 !== 'string' || !HEX64.test(payloadSha256))
      return { reason: 'payloadSha256 is not 64 lowercase hex digits (scheme 2)' };
    if (details === null ? salt !== null : typeof salt !== 'string' || !SALT.test(salt))
      return {
        reason:
          details === null
            ? 'it withholds its details but publishes a salt'
            : 'salt is not 32 lowercase hex digits (scheme 2)',
      };
  } else if (salt !== null || payloadSha256 !== null)
    return { reason: 'a scheme-1 entry carries a salt or a payloadSha256' };
  return {
    entry: {
      seq,
      at,
      action,
      scheme,
      details,
      salt: salt as string | null,
      payloadSha256: payloadSha256 as string | null,
      redacted,
      prevHash,
      hash,
    },
  };
}

/** Why one well-formed entry does not follow `prev`, or null when it does. */
function brokenLink(e: PublishedEntry, prev: { seq: number; hash: string } | null): string | null {
  if (prev !== null && e.seq !== prev.seq + 1)
    return `it follows entry ${prev.seq}, so it should be entry ${prev.seq + 1}: an entry was removed, added or moved`;
  if (prev === null && e.seq === 1 && e.prevHash !== AUDIT_GENESIS)
    return 'it is the first entry of the case, but its prevHash is not 64 zeros';
  if (prev !== null && e.prevHash !== prev.hash)
    return `its prevHash is not the hash of entry ${prev.seq}`;
  if (e.scheme === 2) {
    if (e.details !== null && auditPayloadHash(e.salt!, e.details) !== e.payloadSha256)
      return 'its salt and details do not give its payloadSha256: the details were changed';
    if (auditHashV2(e.prevHash, e.seq, e.at, e.action, e.payloadSha256!) !== e.hash)
      return 'its hash does not match its seq, at, action and payloadSha256';
  } else if (
    e.details !== null &&
    auditHashV1(e.prevHash, e.seq, e.at, e.action, e.details) !== e.hash
  )
    return 'its hash does not match its seq, at, action and details';
  return null;
}

/** True when `list` holds exactly these numbers, in this order. */
function sameList(list: unknown, expected: readonly number[]): boolean {
  return (
    Array.isArray(list) &&
    list.length === expected.length &&
    list.every((v, i) => v === expected[i])
  );
}

const listed = (seqs: readonly number[]): string => (seqs.length === 0 ? 'none' : seqs.join(', '));

/**
 * Recomputes the audit chain a bundle's `manifest.json` publishes (format versions 2 and 3),
 * exactly as docs/evidence-bundle.md tells a reader to: entries numbered without gaps, each linked
 * to the one before (the case's first to 64 zeros), scheme-2 hashes from `payloadSha256` (checked
 * against the published salt and details where present), scheme-1 hashes from the details,
 * withheld scheme-1 entries linked only; then that the lists of withheld entries, the count of
 * entries and the redaction's count agree with the entries. Stops at the first broken entry and names it.
 */
export function checkAuditChain(manifest: Fields): AuditChainCheck {
  const problems: string[] = [];
  const notes: string[] = [];
  const audit = manifest.audit;
  if (!isObject(audit) || !Array.isArray(audit.entries))
    return {
      problems: [
        `${MANIFEST} has no audit log (audit.entries), so its chain cannot be recomputed.`,
      ],
      notes,
      firstBroken: null,
    };
  const check = audit.check;
  if (isObject(check) && check.intact === false)
    notes.push(
      `At export, the examiner's case found its own audit log altered${isInteger(check.firstBroken) ? ` at entry ${check.firstBroken}` : ''}.`,
    );
  const entries: readonly unknown[] = audit.entries;
  let prev: PublishedEntry | null = null;
  const redacted: number[] = [];
  const unverifiable: number[] = [];
  for (const [i, item] of entries.entries()) {
    const read = readEntry(item);
    if ('reason' in read) {
      const seq = isObject(item) && isInteger(item.seq) ? item.seq : null;
      problems.push(
        `${MANIFEST}: the audit chain breaks at ${seq === null ? `item ${i + 1} of audit.entries` : `entry ${seq}`}: ${read.reason}.`,
      );
      return { problems, notes, firstBroken: seq };
    }
    const e = read.entry;
    const broken = brokenLink(e, prev);
    if (broken !== null) {
      problems.push(`${MANIFEST}: the audit chain breaks at entry ${e.seq}: ${broken}.`);
      return { problems, notes, firstBroken: e.seq };
    }
    if (e.redacted) redacted.push(e.seq);
    if (e.redacted && e.scheme === 1) unverifiable.push(e.seq);
    prev = e;
  }

  // The chain holds: the counts and lists published beside it must describe it.
  const total = audit.total;
  const last = prev?.seq ?? 0;
  if (!isInteger(total) || total !== last)
    problems.push(
      prev === null
        ? `${MANIFEST} publishes no audit entry, yet audit.total is ${JSON.stringify(total)}.`
        : `${MANIFEST}: audit.total is ${JSON.stringify(total)}, but the last published audit entry is entry ${last}: entries were left out or added.`,
    );
  if (!sameList(audit.redactedEntries, redacted))
    problems.push(
      `${MANIFEST}: audit.redactedEntries does not list exactly the entries that withhold their details (${listed(redacted)}).`,
    );
  if (!sameList(audit.unverifiableEntries, unverifiable))
    problems.push(
      `${MANIFEST}: audit.unverifiableEntries does not list exactly the withheld scheme-1 entries (${listed(unverifiable)}).`,
    );
  const redaction = manifest.redaction;
  if (!isObject(redaction) || redaction.auditEntriesRedacted !== redacted.length)
    problems.push(
      `${MANIFEST}: redaction.auditEntriesRedacted is not ${redacted.length}, the number of audit entries that withhold their details.`,
    );

  const first = entries.length > 0 ? (entries[0] as PublishedEntry).seq : null;
  if (first !== null && first > 1)
    notes.push(
      `${MANIFEST} publishes the most recent audit entries, from entry ${first}: the link of entry ${first} to the entry before it cannot be checked from the bundle.`,
    );
  if (unverifiable.length > 0)
    notes.push(
      `Audit ${unverifiable.length === 1 ? 'entry' : 'entries'} ${listed(unverifiable)} ${unverifiable.length === 1 ? 'is' : 'are'} withheld and ${unverifiable.length === 1 ? 'was' : 'were'} written before Snoopscope hashed payloads (scheme 1): linked into the chain, but not recomputed from the bundle.`,
    );
  return { problems, notes, firstBroken: null };
}
