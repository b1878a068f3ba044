import { describe, expect, it } from 'vitest';
import type { NetworkUsageItem } from '../../../contract/api';
import {
  exactBytes,
  formatByteCell,
  rowTotal,
  sortUsage,
  usageAppLabel,
  usageDefaultDir,
  usageOriginLabel,
  usageValue,
} from './usage-table';

const row = (over: Partial<NetworkUsageItem>): NetworkUsageItem => ({
  id: 'u:1',
  deviceId: 1,
  device: 'Phone',
  app: null,
  appName: null,
  origin: 'data-usage',
  process: 'proc',
  wifiIn: null,
  wifiOut: null,
  cellIn: null,
  cellOut: null,
  firstMs: null,
  lastMs: null,
  offsetMin: null,
  sourceId: 1,
  locator: 'ZLIVEUSAGE rowid 1',
  ...over,
});

describe('usage table', () => {
  const rows = [
    row({ id: 'u:1', process: 'mDNSResponder', wifiIn: 204_800, wifiOut: 102_400, lastMs: 5 }),
    row({
      id: 'u:2',
      app: 'com.tencent.xin',
      appName: 'WeChat',
      wifiIn: 52_428_800,
      wifiOut: 3_145_728,
      cellIn: 1_048_576,
      cellOut: 65_536,
      lastMs: 9,
    }),
    row({ id: 'u:3', process: 'empty' }),
  ];
  const ids = (xs: NetworkUsageItem[]) => xs.map((x) => x.id);

  it('adds the four counters of one row only, null when the row has none', () => {
    expect(rowTotal(rows[0]!)).toBe(307_200);
    expect(rowTotal(rows[1]!)).toBe(56_688_640);
    expect(rowTotal(rows[2]!)).toBeNull();
    expect(rowTotal(row({ cellIn: 0 }))).toBe(0);
  });

  it('sorts by row total, largest first, rows without counters last', () => {
    expect(ids(sortUsage(rows, 'total', 'desc'))).toEqual(['u:2', 'u:1', 'u:3']);
    expect(ids(sortUsage(rows, 'total', 'asc'))).toEqual(['u:1', 'u:2', 'u:3']);
  });

  it('sorts system processes after named apps', () => {
    expect(ids(sortUsage(rows, 'app', 'asc'))).toEqual(['u:2', 'u:1', 'u:3']);
    expect(usageValue(rows[1]!, 'cellOut')).toBe(65_536);
  });

  it('formats bytes readable and exact', () => {
    expect(formatByteCell(52_428_800)).toBe('50.0 MB');
    expect(formatByteCell(512)).toBe('512 B');
    expect(formatByteCell(null)).toBe('—');
    expect(exactBytes(52_428_800)).toBe('52,428,800 bytes');
    expect(exactBytes(null)).toBe('no value in this row');
  });

  it('labels apps, origins and directions', () => {
    expect(usageAppLabel(rows[0]!)).toBe('system process');
    expect(usageAppLabel(rows[1]!)).toBe('WeChat');
    expect(usageAppLabel(row({ origin: 'addaily', process: 'WeChat' }))).toBe('no bundle id');
    expect(usageAppLabel(row({ app: 'com.x' }))).toBe('com.x');
    expect(usageOriginLabel('addaily')).toBe('addaily baseline');
    expect(usageDefaultDir('total')).toBe('desc');
    expect(usageDefaultDir('process')).toBe('asc');
  });
});
