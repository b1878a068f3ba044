import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../cli/test-support';
import { fuzzOptions } from '../testing/fuzz';
import { csvTable, unguardFormula } from './csv';

/** What a spreadsheet reads as the start of a formula (OWASP's list and the full-width forms). */
const LIVE_FORMULA = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/u;

const TRIGGERS = ['=', '+', '-', '@', '\t', '\r', '\n', "'", ' ', '＝', '＋', '－', '＠', '\u0000'];

/** Any text, often starting with a formula character or a quote, sometimes with CSV syntax in it. */
const evidenceText = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.tuple(fc.constantFrom(...TRIGGERS), fc.string({ unit: 'grapheme' })).map(([a, b]) => a + b),
  fc
    .tuple(fc.constantFrom(...TRIGGERS), fc.constantFrom(...TRIGGERS), fc.string())
    .map(([a, b, c]) => `${a}${b}${c}`),
  fc.constantFrom('=HYPERLINK("http://x","y")', '+1+1', '-2+3', '@SUM(A1)', "=cmd|' /C calc'!A0"),
);

/** Numbers as the tool writes them: negative, fractional, huge, tiny, zero. */
const number = fc.oneof(
  fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const table = csvTable([
  { name: 'app', kind: 'text' },
  { name: 'hits', kind: 'value' },
  { name: 'note', kind: 'text' },
  { name: 'offset', kind: 'value' },
  { name: 'flag', kind: 'value' },
]);

describe('CSV formula guard (property)', () => {
  it('never lets a text cell start a formula, and the added quote is the only change', () => {
    fc.assert(
      fc.property(
        evidenceText,
        number,
        evidenceText,
        fc.constantFrom('-05:00', '+08:00', '-00:30'),
        fc.boolean(),
        (app, hits, note, offset, flag) => {
          const text = table.header() + table.row([app, hits, note, offset, flag]);
          const rows = parseCsv(text);
          expect(rows).toHaveLength(2);
          const [cellApp, cellHits, cellNote, cellOffset, cellFlag] = rows[1]!;
          for (const [cell, original] of [
            [cellApp!, app],
            [cellNote!, note],
          ] as const) {
            expect(LIVE_FORMULA.test(cell)).toBe(false);
            expect(unguardFormula(cell)).toBe(original);
          }
          // Value columns round-trip unchanged: no quote on a negative number or an offset.
          expect(cellHits).toBe(String(hits));
          // (-0 is written 0, equal as a number.)
          expect(Number(cellHits) === hits).toBe(true);
          expect(cellOffset).toBe(offset);
          expect(cellFlag).toBe(String(flag));
        },
      ),
      fuzzOptions(300),
    );
  });
});
