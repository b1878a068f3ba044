import { describe, expect, it } from 'vitest';
import {
  diamondPoints,
  isSensitive,
  statusLabel,
  statusRank,
  statusShape,
  statusTone,
} from './permission-status';

describe('permission status', () => {
  it('gives every status its own word, shape and tone', () => {
    const all = ['granted', 'denied', 'limited', 'unknown'] as const;
    expect(all.map(statusLabel)).toEqual(['Granted', 'Denied', 'Limited', 'Undetermined']);
    expect(new Set(all.map(statusShape)).size).toBe(4);
    expect(statusShape('granted')).toBe('filled');
    expect(statusShape('denied')).toBe('hollow');
    expect(statusShape('limited')).toBe('half');
    expect(new Set(all.map(statusTone)).size).toBe(4);
    expect(all.map(statusRank)).toEqual([0, 2, 1, 3]);
  });

  it('treats camera and photos as sensitive, other as not', () => {
    expect(isSensitive('camera')).toBe(true);
    expect(isSensitive('photos')).toBe(true);
    expect(isSensitive('other')).toBe(false);
  });

  it('lays out a diamond clockwise from the top', () => {
    expect(diamondPoints(10, 20, 5)).toEqual([
      [10, 15],
      [15, 20],
      [10, 25],
      [5, 20],
    ]);
  });
});
