import { describe, expect, it } from 'vitest';
import type { SummaryItem } from '../../../contract/api';
import { defaultDir, sortSummary, summaryValue } from './summary-sort';

const item = (
  app: string,
  sessions: number,
  totalMs: number | null,
  firstMs: number | null,
): SummaryItem => ({
  deviceId: 1,
  device: 'Phone',
  appId: 1,
  app,
  appName: null,
  category: 'camera',
  sessions,
  openSessions: 0,
  totalMs,
  longestMs: totalMs,
  nightSessions: 0,
  first: firstMs === null ? null : { ms: firstMs, offsetMin: 0 },
  last: null,
});

describe('summary sorting', () => {
  const rows = [item('b', 5, 100, 3), item('a', 9, null, 1), item('c', 1, 500, null)];

  it('sorts by numbers with nulls last', () => {
    expect(sortSummary(rows, 'totalMs', 'desc').map((r) => r.app)).toEqual(['c', 'b', 'a']);
    expect(sortSummary(rows, 'totalMs', 'asc').map((r) => r.app)).toEqual(['b', 'c', 'a']);
    expect(sortSummary(rows, 'first', 'asc').map((r) => r.app)).toEqual(['a', 'b', 'c']);
  });

  it('sorts by text', () => {
    expect(sortSummary(rows, 'app', 'asc').map((r) => r.app)).toEqual(['a', 'b', 'c']);
  });

  it('reads values and default directions', () => {
    expect(summaryValue(rows[0] as SummaryItem, 'category')).toBe('Camera');
    expect(defaultDir('app')).toBe('asc');
    expect(defaultDir('sessions')).toBe('desc');
  });
});
