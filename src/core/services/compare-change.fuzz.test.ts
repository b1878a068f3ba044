import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { columnChange } from '../../contract/compare-change';
import { fuzzOptions } from '../testing/fuzz';

const value = fc.option(
  fc.integer({ min: 0, max: 100_000 }).map((n) => n / 100),
  { nil: null },
);

describe('change of a comparison of devices', () => {
  it('does not depend on the order of the columns: same spread, same columns named', () => {
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 2, maxLength: 12 }),
        fc.func(fc.integer()),
        (values, key) => {
          const order = values.map((_, i) => i).sort((a, b) => key(a) - key(b) || a - b);
          const shuffled = order.map((i) => values[i]!);
          const a = columnChange(values, 'devices');
          const b = columnChange(shuffled, 'devices');
          if (a === null) {
            expect(b).toBeNull();
            return;
          }
          expect(b!.value).toBe(a.value);
          expect(a.value).toBeGreaterThanOrEqual(0);
          // The same columns are high and low, wherever they moved.
          expect(b!.high.map((i) => order[i]).sort()).toEqual([...a.high].sort());
          expect(b!.low.map((i) => order[i]).sort()).toEqual([...a.low].sort());
        },
      ),
      fuzzOptions(300),
    );
  });

  it('turns round with the periods: reversing them flips the sign of last minus first', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 2, maxLength: 12 }), (values) => {
        const a = columnChange(values, 'periods');
        const b = columnChange([...values].reverse(), 'periods');
        if (a === null) expect(b).toBeNull();
        else expect(b!.value).toBeCloseTo(-a.value, 9);
      }),
      fuzzOptions(300),
    );
  });
});
