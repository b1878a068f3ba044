import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzOptions } from '../testing/fuzz';
import { withoutPlaces } from './stored';

// Keys and extra ids that hold what the cut looks for: quotes, commas, `,"`, brackets, backslashes.
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.constantFrom(',"', '","', '"]', ',', '\\', '\\"', ']', '[1,', '"', ''),
);
const base64 = fc.uint8Array({ maxLength: 48 }).map((b) => Buffer.from(b).toString('base64'));

describe('withoutPlaces', () => {
  it('drops exactly the places of a lean column, whatever its keys', () => {
    fc.assert(
      fc.property(
        fc.nat(1000),
        fc.array(text, { maxLength: 6 }),
        fc.array(text, { maxLength: 3 }),
        fc.option(base64, { nil: undefined }),
        (device, keys, extra, places) => {
          const column = JSON.stringify(
            places === undefined ? [device, keys, extra] : [device, keys, extra, places],
          );
          expect(JSON.parse(withoutPlaces(column))).toEqual([device, keys, extra]);
        },
      ),
      fuzzOptions(300),
    );
  });

  it('leaves a column of full ids, or any other shape, as it is', () => {
    fc.assert(
      fc.property(fc.array(text, { maxLength: 6 }), (ids) => {
        const column = JSON.stringify(ids);
        expect(withoutPlaces(column)).toBe(column);
      }),
      fuzzOptions(200),
    );
    for (const other of ['[]', '', '[-1,[],[],"AA=="]', '{"a":1}', '[1,["a"]]', '["1"]'])
      expect(withoutPlaces(other)).toBe(other);
  });
});
