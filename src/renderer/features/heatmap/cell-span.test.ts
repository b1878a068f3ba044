import { describe, expect, it } from 'vitest';
import { cellSpan } from './cell-span';

describe('cellSpan', () => {
  it('places a device-local hour in UTC with a quarter hour either side', () => {
    // 1970-01-02 09:00 at UTC+2 is 07:00 UTC.
    expect(cellSpan(1, 9, 120)).toEqual({
      fromMs: Date.UTC(1970, 0, 2, 6, 45),
      toMs: Date.UTC(1970, 0, 2, 8, 15),
    });
  });

  it('takes a zero offset as UTC', () => {
    expect(cellSpan(0, 0, 0)).toEqual({ fromMs: -900_000, toMs: 4_500_000 });
  });
});
