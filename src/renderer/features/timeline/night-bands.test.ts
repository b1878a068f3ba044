import { describe, expect, it } from 'vitest';
import { nightBands } from './night-bands';

const H = 3_600_000;
const day0 = Date.UTC(2024, 4, 1);

describe('nightBands', () => {
  it('finds local nights as UTC instants', () => {
    const bands = nightBands({ fromMs: day0, toMs: day0 + 48 * H }, 120);
    // Local midnight at UTC+02:00 is 22:00 UTC the previous day.
    expect(bands).toEqual([
      { fromMs: day0, toMs: day0 + 4 * H },
      { fromMs: day0 + 22 * H, toMs: day0 + 28 * H },
      { fromMs: day0 + 46 * H, toMs: day0 + 48 * H },
    ]);
  });

  it('handles windows wrapping past midnight', () => {
    const bands = nightBands({ fromMs: day0, toMs: day0 + 24 * H }, 0, {
      from: '22:00',
      to: '02:00',
    });
    expect(bands).toEqual([
      { fromMs: day0, toMs: day0 + 2 * H },
      { fromMs: day0 + 22 * H, toMs: day0 + 24 * H },
    ]);
  });

  it('skips very wide ranges', () => {
    expect(nightBands({ fromMs: day0, toMs: day0 + 400 * 24 * H }, 0)).toEqual([]);
  });
});
