import { describe, expect, it } from 'vitest';
import { filterMarks, toggleTag } from './filter-marks';

describe('filter marks', () => {
  it('keeps unique sorted tags and a true starred flag only', () => {
    expect(filterMarks({ tags: ['b', 'a', 'b', ' '], starred: false })).toEqual({
      tags: ['a', 'b'],
    });
    expect(filterMarks({ starred: true })).toEqual({ starred: true });
    expect(filterMarks({ tags: [] })).toEqual({});
  });

  it('toggles one tag', () => {
    expect(toggleTag({ starred: true }, 'night', true)).toEqual({ starred: true, tags: ['night'] });
    expect(toggleTag({ tags: ['night', 'x'] }, 'night', false)).toEqual({ tags: ['x'] });
    expect(toggleTag({ tags: ['night'] }, 'night', false)).toEqual({});
  });
});
