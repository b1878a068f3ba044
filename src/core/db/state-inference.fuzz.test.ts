import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzOptions } from '../testing/fuzz';
import { FOREGROUND_MARGIN_MS, foregroundIndex, nearForeground } from './state-inference';

// The indexed test of "foreground activity near an access" answers as the linear scan over every
// interval of the app did.

describe('nearForeground', () => {
  it('equals the scan over every interval', () => {
    const time = fc.oneof(
      fc.integer({ min: -1_000_000, max: 1_000_000 }),
      fc.constant(Number.NEGATIVE_INFINITY),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(time, fc.integer({ min: -1_000_000, max: 1_000_000 })), {
          maxLength: 30,
        }),
        fc.integer({ min: -1_000_000, max: 1_000_000 }),
        fc.integer({ min: 0, max: 200_000 }),
        (list, start, length) => {
          const end = start + length;
          const scan = list.some(
            ([a, b]) => a - FOREGROUND_MARGIN_MS <= end && start <= b + FOREGROUND_MARGIN_MS,
          );
          expect(nearForeground(foregroundIndex(list), start, end)).toBe(scan);
        },
      ),
      fuzzOptions(500),
    );
  });
});
