import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accessLine } from '../testing/apr-fixture';
import { fuzzOptions } from '../testing/fuzz';
import { tempCase, type TempCase } from '../testing/temp-case';
import { importFile } from '../services/import-run';
import { decodeBlock, encodeBlock, LineReader } from './line-store';

describe('block bodies', () => {
  it('give back every line as it was written', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !s.includes('\n'));
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(), { maxLength: 30 }), fc.array(text), (lines, texts) => {
        const entries = [...lines]
          .sort((a, b) => a - b)
          .map((n, i) => [n, texts[i % Math.max(texts.length, 1)] ?? ''] as const);
        expect(decodeBlock(encodeBlock(entries))).toEqual(new Map(entries));
      }),
      fuzzOptions(200),
    );
  });
});

const T0 = Date.UTC(2025, 0, 6, 9);
let t: TempCase;
beforeEach(() => {
  t = tempCase();
});
afterEach(() => t.cleanup());

/** One export: lines drawn from a small pool of intervals, so exports overlap and repeat. */
const exportLines = fc.array(
  fc.record({
    id: fc.integer({ min: 0, max: 6 }),
    begin: fc.boolean(),
    // Another value of an extra key makes a conflicting variant of the same edge.
    variant: fc.integer({ min: 0, max: 2 }),
    pad: fc.string({ maxLength: 30 }),
  }),
  { minLength: 1, maxLength: 25 },
);

describe('raw lines kept in blocks', () => {
  it('read as the line of the file they came from, after imports, moves and removals', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(exportLines, { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(fc.constantFrom('move', 'remove'), fc.nat()), { maxLength: 3 }),
        async (exports, edits) => {
          t.cleanup();
          t = tempCase();
          const other = t.session.createDevice({ label: 'Phone B' }).id;
          const files = new Map<number, string[]>();
          for (const [i, spec] of exports.entries()) {
            const lines = spec.map((l) =>
              accessLine({
                app: `app${l.id % 3}`,
                category: 'photos',
                id: `I${l.id}`,
                kind: l.begin ? 'intervalBegin' : 'intervalEnd',
                ms: T0 + l.id * 60_000 + (l.begin ? 0 : 30_000),
                extra: l.variant === 0 ? {} : { note: `${l.variant}${l.pad}` },
              }),
            );
            // A second copy of the same bytes is refused as already imported.
            const o = await importFile({
              db: t.session.db,
              path: t.write(`e${i}.ndjson`, [...lines, `{"pad":"${i}"}`]),
              deviceId: t.deviceId,
            });
            if (o.status === 'imported') files.set(o.sourceId!, lines);
          }
          for (const [what, pick] of edits) {
            const ids = [...files.keys()];
            if (ids.length === 0) break;
            const id = ids[pick % ids.length]!;
            if (what === 'move') t.session.moveSource(id, other);
            else {
              t.session.removeSource(id);
              files.delete(id);
            }
          }
          const reader = new LineReader(t.session.db);
          const rows = t.session.db
            .prepare(
              `SELECT device_id AS d, interval_key AS k, b_source_id AS bs, b_line AS bl, b_raw_line AS br,
                 e_source_id AS es, e_line AS el, e_raw_line AS er FROM access_sessions`,
            )
            .all() as {
            d: number;
            k: string;
            bs: number | null;
            bl: number | null;
            br: string | null;
            es: number | null;
            el: number | null;
            er: string | null;
          }[];
          for (const r of rows) {
            const details = t.session.queries.session(`s:${r.d}:${r.k}`);
            for (const [s, l, raw, kind] of [
              [r.bs, r.bl, r.br, 'begin'],
              [r.es, r.el, r.er, 'end'],
            ] as const) {
              if (s === null || l === null) continue;
              const expected = files.get(s)?.[l - 1];
              expect(expected, `source ${s} line ${l}`).toBeDefined();
              expect(raw ?? reader.get(s, l)).toBe(expected);
              expect(details.edges.find((e) => e.kind === kind)?.rawLine).toBe(expected);
            }
          }
        },
      ),
      fuzzOptions(25),
    );
  });
});
