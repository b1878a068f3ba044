import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FINDING_RULES, type Finding } from '../contract/findings';
import { fuzzOptions } from '../core/testing/fuzz';
import { evidenceItems, findingRecord, writeFindingsJson } from './findings-command';

// Strings that stress escaping: quotes, backslashes, control characters, lone surrogates, the
// `","` a naive join would split on, and the record's own key text.
const nasty = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.constantFrom(
    '",',
    '","',
    'a\\',
    '\\","',
    '\n    "evidence": []',
    '"evidence": []',
    '\u0000',
    '\ud800',
    '\udc00x',
    '\u2028',
    '',
  ),
  fc.string({ unit: 'binary', maxLength: 8 }),
);
const id = fc.oneof(
  fc.tuple(fc.nat(9), fc.stringMatching(/^[a-z0-9:.-]{0,20}$/)).map(([d, k]) => `s:${d}:${k}`),
  nasty.map((k) => `s:1:${k}`),
  nasty,
);
const details = fc.dictionary(
  fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('evidence', 'evidenceTruncated')),
  fc.oneof(fc.integer(), nasty, fc.boolean(), fc.constant(null)),
  { maxKeys: 4 },
);
const finding = fc.record({
  id: nasty,
  rule: fc.constantFrom(...FINDING_RULES),
  severity: fc.constantFrom('high', 'medium', 'low', 'info' as const),
  deviceId: fc.nat(9),
  device: nasty,
  app: fc.option(nasty),
  appName: fc.option(nasty),
  category: fc.constant(null),
  count: fc.nat(),
  first: fc.option(nasty),
  last: fc.option(nasty),
  title: nasty,
  caveat: nasty,
  evidence: fc.array(id, { maxLength: 3 }),
  details,
}) as fc.Arbitrary<Finding>;

/** The whole output, given each finding's whole evidence. */
async function written(findings: Finding[], whole: string[][]): Promise<string> {
  let out = '';
  const ctx = {
    out: {
      write: async (s: string) => {
        out += s;
      },
    },
  } as unknown as Parameters<typeof writeFindingsJson>[0];
  const index = new Map(findings.map((f, i) => [f, i]));
  await writeFindingsJson(ctx, { findings, evidenceOf: (f) => whole[index.get(f)!]! });
  return out;
}

/** What the command printed before it wrote evidence a run at a time. */
function reference(findings: Finding[], whole: string[][]): string {
  const records = findings.map((light, i) => {
    const evidence = whole[i]!;
    const total = light.evidence.length + Number(light.details.evidenceTruncated ?? 0);
    const d = { ...light.details };
    delete d.evidenceTruncated;
    if (total > evidence.length) d.evidenceTruncated = total - evidence.length;
    return findingRecord({ ...light, evidence, details: d });
  });
  return `${JSON.stringify(records, null, 2)}\n`;
}

describe('findings --json, written a run of evidence ids at a time', () => {
  it('is the text JSON.stringify(records, null, 2) gives, for any ids and fields', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(finding, fc.array(id, { maxLength: 40 })), { maxLength: 5 }),
        async (pairs) => {
          const findings = pairs.map(([f]) => f);
          const whole = pairs.map(([, e]) => e);
          const out = await written(findings, whole);
          expect(out).toBe(reference(findings, whole));
          expect(JSON.parse(out)).toEqual(JSON.parse(reference(findings, whole)));
        },
      ),
      fuzzOptions(300),
    );
  });

  it('splits a long list into runs and joins them as one array', async () => {
    const f = fc.sample(finding, { numRuns: 1, seed: 7 })[0]!;
    const ids = Array.from({ length: 20_000 }, (_, i) =>
      i === 9_000 ? 's:1:"quoted"\\' : `s:2:k${i}`,
    );
    const out = await written([f], [ids]);
    expect(out).toBe(reference([f], [ids]));
  });

  it('makes a run by one call only when no id needs escaping', () => {
    expect(evidenceItems(['a', 'b"', 'c'], 0, 3)).toBe('"a",\n      "b\\"",\n      "c"');
    expect(evidenceItems(['x",', 'y'], 0, 2)).toBe('"x\\",",\n      "y"');
    expect(evidenceItems(['a', 'b', 'c'], 1, 3)).toBe('"b",\n      "c"');
  });
});
