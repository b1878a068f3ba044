import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvField, guardFormula } from '../services/csv';
import { fuzzOptions } from '../testing/fuzz';
import { joinedTextCell } from './extras';

describe('findings.csv cells written piece by piece', () => {
  it('are the cell the table writes for the joined text', () => {
    const piece = fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.constantFrom('s:1:A', '=1+1', '"q"', 'a,b', '\r\n', ' x', "'", '＝', '\u0007', '😀'),
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 6 }),
        fc.constantFrom(' ', ' | ', ',', '"'),
        (pieces, sep) => {
          const expected = pieces.length === 0 ? '' : csvField(guardFormula(pieces.join(sep)));
          expect([...joinedTextCell(pieces, sep)].join('')).toBe(expected);
        },
      ),
      fuzzOptions(500),
    );
  });
});
