import { describe, expect, it } from 'vitest';
import type { NetworkGroupItem } from '../../../contract/api';
import {
  groupCounts,
  initiatedLabel,
  networkGroupKey,
  networkSummary,
  openAtFirst,
  profilingLabel,
  showingLabel,
} from './network-group';

const group = (app: string, rows: number, deviceId = 1): NetworkGroupItem => ({
  deviceId,
  device: `Phone ${deviceId}`,
  app,
  appName: null,
  rows,
  domains: rows,
  profiling: 0,
});

describe('openAtFirst', () => {
  it('opens the groups whose rows fit in one page together, and always the first', () => {
    const keys = (gs: NetworkGroupItem[]) => [...openAtFirst(gs, 50)];
    expect(keys([group('a', 20), group('b', 30), group('c', 1)])).toEqual([
      networkGroupKey(group('a', 0)),
      networkGroupKey(group('b', 0)),
    ]);
    expect(keys([group('a', 1560), group('b', 1)])).toEqual([networkGroupKey(group('a', 0))]);
    expect(keys([])).toEqual([]);
  });

  it('keys groups by device and identifier, whatever characters the identifier holds', () => {
    expect(networkGroupKey(group('a|1', 0, 2))).not.toBe(networkGroupKey(group('a', 0, 21)));
    expect(networkGroupKey(group('x', 0, 2))).not.toBe(networkGroupKey(group('x', 0, 3)));
  });
});

describe('labels', () => {
  it('say how many rows are drawn of how many', () => {
    expect(showingLabel(50, 3214)).toBe('Showing 50 of 3,214 rows');
    expect(showingLabel(7, 7)).toBe('All 7 rows');
    expect(showingLabel(1, 1)).toBe('The only row');
  });

  it('count a group in words, naming flagged domains only when there are some', () => {
    expect(groupCounts({ rows: 1560, domains: 30, profiling: 2 })).toBe(
      '1,560 rows · 30 domains · 2 flagged by Apple',
    );
    expect(groupCounts({ rows: 1, domains: 1, profiling: 0 })).toBe('1 row · 1 domain');
  });

  it('sum the groups up, naming devices and groups only when there are several devices', () => {
    expect(networkSummary([group('a', 120), group('b', 3)], 123)).toBe('2 apps · 123 rows.');
    expect(networkSummary([group('a', 1, 1), group('a', 1, 2), group('b', 1, 2)], 187_200)).toBe(
      '2 apps on 2 devices (3 groups of an app on a device) · 187,200 rows.',
    );
    expect(networkSummary([group('a', 1)], 1)).toBe('1 app · 1 row.');
  });

  it('words initiator and profiling', () => {
    expect(initiatedLabel('AppInitiated')).toBe('app');
    expect(initiatedLabel('NonAppInitiated')).toBe('user (website/content)');
    expect(initiatedLabel(null)).toBe('—');
    expect(profilingLabel({ profiling: true, domainType: 1 })).toBe('yes');
    expect(profilingLabel({ profiling: false, domainType: 2 })).toBe('no');
    expect(profilingLabel({ profiling: false, domainType: null })).toBe('—');
  });
});
