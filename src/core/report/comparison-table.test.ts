import { describe, expect, it } from 'vitest';
import type { CompareColumn, CompareRow } from '../../contract/records';
import { columnSlices, comparisonCells, markedCount, rankComparisonRows } from './comparison-table';

function column(over: Partial<CompareColumn>): CompareColumn {
  return {
    label: 'A',
    observedDays: 4,
    sessions: 4,
    sessionsPerDay: 1,
    nightSessions: 0,
    medianSeconds: 10,
    longestSeconds: 20,
    backgroundShare: null,
    ...over,
  };
}

function row(app: string, rates: (number | null)[]): CompareRow {
  return {
    app,
    appName: null,
    apps: [app],
    category: 'photos',
    columns: rates.map((r) =>
      column(r === null ? { observedDays: 0, sessionsPerDay: null } : { sessionsPerDay: r }),
    ),
  };
}

describe('rankComparisonRows', () => {
  it('sorts by the largest difference of sessions per day, unmeasurable rows last, and marks the top', () => {
    const ranked = rankComparisonRows([
      row('a', [1, 1.5]),
      row('b', [4, 0.5, 2]),
      row('c', [null, 3]),
      row('d', [2, 2]),
      row('e', [0, 3]),
    ]);
    expect(ranked.map((r) => [r.row.app, r.change])).toEqual([
      ['b', 3.5],
      ['e', 3],
      ['a', 0.5],
      ['d', 0],
      ['c', null],
    ]);
    // Three rows changed: the top quarter rounds up to one.
    expect(ranked.map((r) => r.marked)).toEqual([true, false, false, false, false]);
    expect(ranked[0]).toMatchObject({ highest: [0], lowest: [1] });
    expect(ranked[3]).toMatchObject({ highest: [], lowest: [] });
  });

  it('marks a quarter of the changed rows, at least one and at most ten', () => {
    expect([0, 1, 4, 5, 40, 100].map(markedCount)).toEqual([0, 1, 1, 2, 10, 10]);
  });
});

describe('columnSlices', () => {
  it('splits the compared columns as evenly as the page allows', () => {
    expect(columnSlices(2, 3)).toEqual([[0, 1]]);
    expect(columnSlices(4, 3)).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(columnSlices(7, 3).map((s) => s.length)).toEqual([3, 2, 2]);
    expect(columnSlices(12, 3).flat()).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });
});

describe('comparisonCells', () => {
  it('says "no data" without an observed day, "–" without a session and "n/a" when the data cannot tell', () => {
    expect(comparisonCells(column({ observedDays: 0, sessionsPerDay: null }))).toBe('no data');
    expect(
      comparisonCells(
        column({ sessions: 0, sessionsPerDay: 0, medianSeconds: null, longestSeconds: null }),
      ),
    ).toEqual({ perDay: '0', night: '0', median: '–', longest: '–', background: '–' });
    expect(
      comparisonCells(column({ sessionsPerDay: 0.333, medianSeconds: null, backgroundShare: 0.5 })),
    ).toEqual({ perDay: '0.33', night: '0', median: 'n/a', longest: '20', background: '50%' });
  });
});
