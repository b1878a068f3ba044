import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { auditHashV1, auditHashV2, auditPayloadHash } from '../db/audit';
import { fuzzOptions } from '../testing/fuzz';
import { checkAuditChain } from './audit-chain-check';
import { runDocChainScript } from './testing/doc-chain-script';

// Random published audit chains, as an export writes them, then one field of one entry changed:
// the check must catch every change the chain covers, name the entry, and agree with the script
// of docs/evidence-bundle.md.

interface Spec {
  firstSeq: number;
  firstPrev: string;
  entries: { scheme: 1 | 2; withheld: boolean; at: number; action: string; details: string }[];
}

const hex = (n: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });

const text = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.json(),
  fc.constantFrom('{"note":"a\\nb"}', '{}', 'é', '😀', ' '),
);

const spec: fc.Arbitrary<Spec> = fc.record({
  firstSeq: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 200_000 })),
  firstPrev: hex(64),
  entries: fc
    .array(
      fc.record({
        scheme: fc.constantFrom(1 as const, 2 as const),
        withheld: fc.boolean(),
        at: fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
        action: fc.oneof(
          fc.constantFrom('import', 'annotation', 'bundle-export'),
          fc.string({ minLength: 1 }).filter((s) => !s.includes('\n')),
        ),
        details: text,
      }),
      { minLength: 1, maxLength: 8 },
    )
    // Scheme-1 entries come first, as a case holds them.
    .map((list) => [...list].sort((a, b) => a.scheme - b.scheme)),
});

/** The manifest an export would write for this chain. */
function build(s: Spec, salts: string[]): Record<string, unknown> {
  let prev = s.firstSeq === 1 ? '0'.repeat(64) : s.firstPrev;
  const entries = s.entries.map((e, i) => {
    const seq = s.firstSeq + i;
    const salt = e.scheme === 2 ? salts[i % salts.length]! : null;
    const payloadSha256 = salt === null ? null : auditPayloadHash(salt, e.details);
    const hash =
      e.scheme === 2
        ? auditHashV2(prev, seq, e.at, e.action, payloadSha256!)
        : auditHashV1(prev, seq, e.at, e.action, e.details);
    const out = {
      seq,
      at: e.at,
      action: e.action,
      scheme: e.scheme,
      details: e.withheld ? null : e.details,
      salt: e.withheld ? null : salt,
      payloadSha256,
      redacted: e.withheld,
      prevHash: prev,
      hash,
    };
    prev = hash;
    return out;
  });
  const redacted = entries.filter((e) => e.redacted).map((e) => e.seq);
  return {
    format: 'snoopscope-evidence-bundle',
    formatVersion: 2,
    redaction: { auditEntriesRedacted: redacted.length },
    audit: {
      check: { intact: true, entries: entries.length, firstBroken: null, message: 'intact' },
      total: s.firstSeq + entries.length - 1,
      entries,
      redactedEntries: redacted,
      unverifiableEntries: entries.filter((e) => e.redacted && e.scheme === 1).map((e) => e.seq),
    },
  };
}

const FIELDS = [
  'seq',
  'at',
  'action',
  'scheme',
  'details',
  'salt',
  'payloadSha256',
  'redacted',
  'prevHash',
  'hash',
] as const;

/** A value to put in place of a field's (undefined: the field is removed). */
const replacement = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(2 ** 53, 1, 2, 3, '1', '\ud800', 'import\nx', 'A'.repeat(64)),
  hex(64),
  hex(32),
  text,
);

/** A chain and the one change made to it. */
interface Edit {
  s: Spec;
  salts: string[];
  index: number;
  field: (typeof FIELDS)[number];
  value: unknown;
}

const chainWithEdit: fc.Arbitrary<Edit> = fc
  .tuple(spec, fc.array(hex(32), { minLength: 1, maxLength: 3 }))
  .chain(([s, salts]) =>
    fc.record({
      s: fc.constant(s),
      salts: fc.constant(salts),
      index: fc.nat({ max: s.entries.length - 1 }),
      field: fc.constantFrom(...FIELDS),
      value: replacement,
    }),
  );

/** The manifest as verify and the script read it: one JSON text. */
const roundTrip = (m: Record<string, unknown>): Record<string, unknown> =>
  JSON.parse(JSON.stringify(m)) as Record<string, unknown>;

/** The manifest with the edit made, or null when the edit changes nothing once in JSON. */
function edited(c: Edit): Record<string, unknown> | null {
  const m = roundTrip(build(c.s, c.salts));
  const entry = (m.audit as { entries: Record<string, unknown>[] }).entries[c.index]!;
  const before = JSON.stringify(entry);
  if (c.value === undefined) delete entry[c.field];
  else entry[c.field] = c.value;
  const out = roundTrip(m);
  const after = JSON.stringify((out.audit as { entries: unknown[] }).entries[c.index]);
  return after === before ? null : out;
}

/** Edits the chain cannot see, by design: the parts of a withheld scheme-1 entry nothing hashes. */
function invisible(c: Edit): boolean {
  const e = c.s.entries[c.index]!;
  if (e.scheme !== 1 || !e.withheld) return false;
  if (c.field === 'at' || c.field === 'action') return true;
  if (c.field === 'hash') return c.index === c.s.entries.length - 1;
  if (c.field === 'prevHash') return c.index === 0 && c.s.firstSeq > 1;
  return false;
}

describe('audit chain check (property)', () => {
  it('accepts every chain an export writes', () => {
    fc.assert(
      fc.property(spec, fc.array(hex(32), { minLength: 1, maxLength: 3 }), (s, salts) => {
        const r = checkAuditChain(roundTrip(build(s, salts)));
        expect(r.problems).toEqual([]);
        const withheldOld = s.entries.some((e) => e.scheme === 1 && e.withheld);
        expect(r.notes.length).toBe(Number(s.firstSeq > 1) + Number(withheldOld));
      }),
      fuzzOptions(200),
    );
  });

  it('catches any change to one field of one entry that the chain covers, naming that entry', () => {
    fc.assert(
      fc.property(chainWithEdit, (c) => {
        const m = edited(c);
        fc.pre(m !== null && !invisible(c));
        const r = checkAuditChain(m!);
        expect(r.problems.length).toBeGreaterThan(0);
        const seq = c.s.firstSeq + c.index;
        // The edited entry, the next one (a replaced hash shows in its prevHash), or the entry
        // under its new number.
        if (r.firstBroken !== null) expect([seq, seq + 1, c.value]).toContain(r.firstBroken);
      }),
      fuzzOptions(300),
    );
  });

  it('gives the same answer as the script of docs/evidence-bundle.md', () => {
    const samples = fc
      .sample(chainWithEdit, fuzzOptions(150))
      .map((c, i) => (i % 5 === 0 ? roundTrip(build(c.s, c.salts)) : edited(c)))
      .filter((m): m is Record<string, unknown> => m !== null);
    const answers = runDocChainScript(samples.map((m) => Buffer.from(JSON.stringify(m))));
    if (answers === null) return;
    samples.forEach((m, i) => {
      const r = checkAuditChain(m);
      const a = answers[i]!;
      const where = createHash('sha256').update(JSON.stringify(m)).digest('hex').slice(0, 8);
      expect(a.code, `manifest ${where}: ${JSON.stringify(m)}\n${a.message}`).toBe(
        r.problems.length === 0 ? 0 : 1,
      );
      // The script stops at the first problem; the notes of a chain that holds are the same.
      if (r.problems.length === 0) expect(a.notes.length, JSON.stringify(m)).toBe(r.notes.length);
      const named = /breaks at (entry -?\d+|item \d+ of audit\.entries)/.exec(r.problems[0] ?? '');
      if (named) expect(a.message).toContain(`breaks at ${named[1]}:`);
    });
  });
});
