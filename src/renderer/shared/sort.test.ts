import { describe, expect, it } from 'vitest';
import { compareValues, nextSort, sortBy } from './sort';

describe('sorting', () => {
  it('compares numbers, strings and nulls', () => {
    expect(compareValues(1, 2, 'asc')).toBeLessThan(0);
    expect(compareValues(1, 2, 'desc')).toBeGreaterThan(0);
    expect(compareValues('b', 'A', 'asc')).toBeGreaterThan(0);
    expect(compareValues(null, 1, 'asc')).toBe(1);
    expect(compareValues(null, 1, 'desc')).toBe(1);
    expect(compareValues('app10', 'app9', 'asc')).toBeGreaterThan(0);
  });

  it('sorts stably', () => {
    const rows = [
      { n: 'a', v: 2 },
      { n: 'b', v: 1 },
      { n: 'c', v: 2 },
      { n: 'd', v: null },
    ];
    expect(sortBy(rows, (r) => r.v, 'desc').map((r) => r.n)).toEqual(['a', 'c', 'b', 'd']);
    expect(sortBy(rows, (r) => r.v, 'asc').map((r) => r.n)).toEqual(['b', 'a', 'c', 'd']);
  });

  it('flips or resets the direction', () => {
    expect(nextSort({ key: 'a', dir: 'desc' }, 'a')).toEqual({ key: 'a', dir: 'asc' });
    expect(nextSort<'a' | 'b'>({ key: 'a', dir: 'asc' }, 'b', 'asc')).toEqual({
      key: 'b',
      dir: 'asc',
    });
  });
});
