import { describe, expect, it } from 'vitest';
import { shownWarnings, warningWhere } from './warnings-table';

describe('warnings table helpers', () => {
  it.each([
    [{ line: 12, locator: 'line 12' }, 'line 12'],
    [{ line: 6, locator: 'dumpsys.txt line 6' }, 'dumpsys.txt line 6'],
    [{ line: 6, locator: 'dumpsys.txt line 61' }, 'dumpsys.txt line 61, line 6'],
    [
      { line: 3, locator: 'HomeDomain Library/TCC/TCC.db' },
      'HomeDomain Library/TCC/TCC.db, line 3',
    ],
    [{ line: null, locator: 'Manifest.db' }, 'Manifest.db'],
    [{ line: null, locator: '' }, 'the whole file'],
    [{ line: 4, locator: ' ' }, 'line 4'],
  ])('%j is shown as %s', (w, want) => {
    expect(warningWhere(w)).toBe(want);
  });

  it('shows the first rows up to the limit, or all once asked', () => {
    const list = Array.from({ length: 7 }, (_, i) => i);
    expect(shownWarnings(list, 5, false)).toEqual({ rows: [0, 1, 2, 3, 4], hidden: 2 });
    expect(shownWarnings(list, 5, true)).toEqual({ rows: list, hidden: 0 });
    expect(shownWarnings(list, 7, false)).toEqual({ rows: list, hidden: 0 });
    expect(shownWarnings(list, -1, false)).toEqual({ rows: [], hidden: 7 });
    expect(shownWarnings([], 5, false)).toEqual({ rows: [], hidden: 0 });
  });
});
