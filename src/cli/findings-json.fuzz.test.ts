import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FINDING_RULES, type Finding } from '../contract/findings';
import { EVIDENCE_CAP } from '../core/findings/common';
import { storedIds } from '../core/findings/stored';
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

/**
 * The whole output as bytes, given each finding's whole evidence or its stored column. The bytes
 * written are kept as they were handed over (as a stream may keep them), not copied.
 */
async function written(
  findings: Finding[],
  whole: string[][],
  columns: (string | undefined)[] = [],
): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  const ctx = {
    out: {
      write: async (s: string) => {
        parts.push(Buffer.from(s));
      },
      writeBytes: async (b: Uint8Array) => {
        parts.push(b);
      },
    },
  } as unknown as Parameters<typeof writeFindingsJson>[0];
  const index = new Map(findings.map((f, i) => [f, i]));
  await writeFindingsJson(ctx, {
    findings,
    evidenceOf: (f) => whole[index.get(f)!]!,
    storedColumnOf: (f) => {
      const column = columns[index.get(f)!];
      return column === undefined ? null : Buffer.from(column);
    },
  });
  return Buffer.concat(parts);
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
          const out = (await written(findings, whole)).toString();
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
    expect(out.toString()).toBe(reference([f], [ids]));
  });

  it('makes a run by one call only when no id needs escaping', () => {
    expect(evidenceItems(['a', 'b"', 'c'], 0, 3)).toBe('"a",\n      "b\\"",\n      "c"');
    expect(evidenceItems(['x",', 'y'], 0, 2)).toBe('"x\\",",\n      "y"');
    expect(evidenceItems(['a', 'b', 'c'], 1, 3)).toBe('"b",\n      "c"');
  });

  it('writes ids from their stored columns as the text of their parsed lists', async () => {
    const base64 = fc.uint8Array({ maxLength: 24 }).map((b) => Buffer.from(b).toString('base64'));
    const lean = fc
      .record({
        device: fc.nat(12),
        keys: fc.array(fc.oneof(fc.stringMatching(/^[A-F0-9-]{0,12}$/), nasty), { maxLength: 30 }),
        extra: fc.array(id, { maxLength: 4 }),
        places: fc.option(base64, { nil: undefined }),
      })
      .map(({ device, keys, extra, places }) =>
        JSON.stringify(
          places === undefined ? [device, keys, extra] : [device, keys, extra, places],
        ),
      );
    const column = fc.option(
      fc.oneof(
        lean,
        fc.array(id, { maxLength: 30 }).map((ids) => JSON.stringify(ids)),
      ),
      {
        nil: undefined,
      },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(finding, fc.array(id, { maxLength: 10 }), column), { maxLength: 5 }),
        async (rows) => {
          const findings = rows.map(([f]) => f);
          const columns = rows.map(([, , c]) => c);
          // As the stored findings give a finding's evidence: its column parsed.
          const whole = rows.map(([, e, c]) => (c === undefined ? e : storedIds(c, EVIDENCE_CAP)!));
          const out = await written(findings, whole, columns);
          expect(out.equals(Buffer.from(reference(findings, whole)))).toBe(true);
        },
      ),
      fuzzOptions(300),
    );
  });

  it('leaves a stored list one longer than the cap to the parsed ids, cut at the cap', async () => {
    const f = fc.sample(finding, { numRuns: 1, seed: 11 })[0]!;
    const keys = Array.from({ length: EVIDENCE_CAP }, (_, i) => `k${i}`);
    const stored = JSON.stringify([4, keys, ['n:1'], 'AAAA']);
    const whole = storedIds(stored, EVIDENCE_CAP)!;
    expect(whole).toHaveLength(EVIDENCE_CAP);
    const out = await written([f, f], [whole, whole], [stored, stored]);
    expect(out.toString()).toBe(reference([f, f], [whole, whole]));
  });
  it('writes many long lists, stored and parsed in turn, as one text', async () => {
    const fs = fc.sample(finding, { numRuns: 40, seed: 5 });
    const columns = fs.map((_, i) =>
      i % 3 === 2
        ? undefined
        : JSON.stringify([
            i,
            Array.from({ length: 4_000 + i }, (_, k) => `${i}-${k}-${'x'.repeat(k % 9)}`),
            i % 2 === 0 ? ['n:1', `é${i}`] : [],
            'AAAA',
          ]),
    );
    const whole = fs.map((_, i) =>
      columns[i] === undefined
        ? Array.from({ length: 3_000 }, (_, k) => (k === 7 ? `s:1:"${i}"` : `s:2:${k}`))
        : storedIds(columns[i]!, EVIDENCE_CAP)!,
    );
    const out = await written(fs, whole, columns);
    expect(out.length).toBeGreaterThan(3 << 20);
    expect(out.equals(Buffer.from(reference(fs, whole)))).toBe(true);
  });
});
