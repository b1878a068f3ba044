import { describe, expect, it } from 'vitest';
import { nextTabIndex } from './tab-keys';

describe('nextTabIndex', () => {
  it('moves with the arrows and wraps around both ends', () => {
    expect(nextTabIndex(11, 0, 'ArrowRight')).toBe(1);
    expect(nextTabIndex(11, 10, 'ArrowRight')).toBe(0);
    expect(nextTabIndex(11, 0, 'ArrowLeft')).toBe(10);
    expect(nextTabIndex(11, 5, 'ArrowLeft')).toBe(4);
  });

  it('goes to the first and the last tab with Home and End', () => {
    expect(nextTabIndex(11, 5, 'Home')).toBe(0);
    expect(nextTabIndex(11, 5, 'End')).toBe(10);
  });

  it('ignores other keys and empty lists', () => {
    expect(nextTabIndex(11, 5, 'Enter')).toBeNull();
    expect(nextTabIndex(11, 5, 'ArrowDown')).toBeNull();
    expect(nextTabIndex(0, 0, 'ArrowRight')).toBeNull();
  });
});
