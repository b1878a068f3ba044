import { describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../contract/categories';
import { CATEGORY_COLORS, orderedCategories, withAlpha } from './category-colors';

describe('category colours', () => {
  it('gives every category a distinct colour', () => {
    const colours = CATEGORIES.map((c) => CATEGORY_COLORS[c]);
    expect(new Set(colours).size).toBe(CATEGORIES.length);
  });

  it('orders categories canonically', () => {
    expect(orderedCategories(['location', 'photos', 'camera'])).toEqual([
      'photos',
      'camera',
      'location',
    ]);
  });

  it('converts hex to rgba', () => {
    expect(withAlpha('#ff0080', 0.5)).toBe('rgba(255,0,128,0.500)');
    expect(withAlpha('#ff0080', 2)).toBe('rgba(255,0,128,1.000)');
    expect(withAlpha('red', 0.5)).toBe('red');
  });
});
