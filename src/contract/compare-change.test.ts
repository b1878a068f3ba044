import { describe, expect, it } from 'vitest';
import {
  androidRetentionNote,
  changeHeading,
  columnChange,
  compareKindOf,
  noSessionsNote,
} from './compare-change';

describe('change of a compared figure', () => {
  it('is the spread for devices, naming the high and the low columns', () => {
    expect(columnChange([6, 0], 'devices')).toEqual({
      kind: 'spread',
      value: 6,
      high: [0],
      low: [1],
    });
    expect(columnChange([0, 6], 'devices')).toEqual({
      kind: 'spread',
      value: 6,
      high: [1],
      low: [0],
    });
    expect(columnChange([2, null, 5, 5], 'devices')).toEqual({
      kind: 'spread',
      value: 3,
      high: [2, 3],
      low: [0],
    });
    expect(columnChange([1.5, 1.5], 'devices')).toEqual({
      kind: 'spread',
      value: 0,
      high: [],
      low: [],
    });
    expect(columnChange([6.1, 0.3], 'devices')!.value).toBe(5.8);
  });

  it('is last minus first for periods, signed, and unknown when either end has no value', () => {
    expect(columnChange([5, 3], 'periods')).toMatchObject({ kind: 'last-minus-first', value: -2 });
    expect(columnChange([3, 9, 5], 'periods')).toMatchObject({ value: 2, high: [1], low: [0] });
    expect(columnChange([null, 3, 5], 'periods')).toBeNull();
    expect(columnChange([3, 5, null], 'periods')).toBeNull();
  });

  it('needs two columns with a value', () => {
    expect(columnChange([3, null], 'devices')).toBeNull();
    expect(columnChange([], 'periods')).toBeNull();
    expect(columnChange([Number.NaN, 2], 'devices')).toBeNull();
  });

  it('takes the kind as asked, else periods when a column has a date bound', () => {
    expect(compareKindOf([{}, {}])).toBe('devices');
    expect(compareKindOf([{ to: '2024-05-08' }, { from: '2024-05-08' }])).toBe('periods');
    expect(compareKindOf([{}, {}], 'periods')).toBe('periods');
    expect(compareKindOf([{ from: '2024-05-01' }, {}], 'devices')).toBe('devices');
  });

  it('is explained in words, with the caveats beside a column', () => {
    expect(changeHeading('devices').label).toBe('Spread');
    expect(changeHeading('periods').label).toBe('Change (last − first)');
    expect(androidRetentionNote('Pixel 7', 3)).toMatch(
      /^Pixel 7 is an Android phone: appops keeps only the last access/,
    );
    expect(androidRetentionNote('Pixel 7', 3)).toMatch(/what 3 captures caught/);
    expect(androidRetentionNote('Pixel 7', 1)).toMatch(/what one capture caught/);
    expect(noSessionsNote('Old iPhone')).toMatch(/^Old iPhone holds no access sessions/);
  });
});
