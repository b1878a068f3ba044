import type { NetworkUsageItem } from '../../../contract/api';
import { formatBytes, formatCount } from '../../shared/format';
import { sortBy, type SortDir } from '../../shared/sort';

export const USAGE_COLUMNS = [
  'process',
  'app',
  'origin',
  'wifiIn',
  'wifiOut',
  'cellIn',
  'cellOut',
  'total',
  'first',
  'last',
  'device',
] as const;

export type UsageColumn = (typeof USAGE_COLUMNS)[number];

const COUNTERS = ['wifiIn', 'wifiOut', 'cellIn', 'cellOut'] as const;

/**
 * The bytes of one row (Wi-Fi and cellular, in and out). Only the counters of this one row are
 * added: rows are separate observations and are never summed with each other.
 */
export function rowTotal(item: NetworkUsageItem): number | null {
  let total: number | null = null;
  for (const k of COUNTERS) {
    const v = item[k];
    if (v !== null) total = (total ?? 0) + v;
  }
  return total;
}

/** A byte counter for a table cell: `12.3 MB`, or `—` when the row has no value. */
export function formatByteCell(bytes: number | null): string {
  return bytes === null || !Number.isFinite(bytes) ? '—' : formatBytes(bytes);
}

/** The exact count for a cell's title: `52,428,800 bytes`. */
export function exactBytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes)) return 'no value in this row';
  return `${formatCount(bytes)} byte${bytes === 1 ? '' : 's'}`;
}

/** Where a usage row was read. */
export function usageOriginLabel(origin: NetworkUsageItem['origin']): string {
  switch (origin) {
    case 'data-usage':
      return 'DataUsage.sqlite';
    case 'addaily':
      return 'addaily baseline';
    default: {
      const never: never = origin;
      return never;
    }
  }
}

/**
 * The app of a row. Without a bundle id, a DataUsage row is a system process; an addaily
 * baseline names its process only (often an app's executable name), so no app is claimed.
 */
export function usageAppLabel(item: Pick<NetworkUsageItem, 'app' | 'appName' | 'origin'>): string {
  if (item.appName ?? item.app) return item.appName ?? item.app ?? '';
  return item.origin === 'addaily' ? 'no bundle id' : 'system process';
}

/** The value a usage column sorts by. */
export function usageValue(item: NetworkUsageItem, column: UsageColumn): string | number | null {
  switch (column) {
    case 'process':
      return item.process;
    case 'app':
      // System processes sort after every named app.
      return item.appName ?? item.app;
    case 'origin':
      return usageOriginLabel(item.origin);
    case 'wifiIn':
    case 'wifiOut':
    case 'cellIn':
    case 'cellOut':
      return item[column];
    case 'total':
      return rowTotal(item);
    case 'first':
      return item.firstMs;
    case 'last':
      return item.lastMs;
    case 'device':
      return item.device;
    default: {
      const never: never = column;
      return never;
    }
  }
}

/** Text columns start ascending; bytes and dates start with the largest or newest. */
export function usageDefaultDir(column: UsageColumn): SortDir {
  return column === 'process' || column === 'app' || column === 'origin' || column === 'device'
    ? 'asc'
    : 'desc';
}

/** Sorts usage rows by one column (the view starts with `total`, descending). */
export function sortUsage(
  items: readonly NetworkUsageItem[],
  column: UsageColumn,
  dir: SortDir,
): NetworkUsageItem[] {
  return sortBy(items, (i) => usageValue(i, column), dir);
}
