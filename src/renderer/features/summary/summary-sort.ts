import type { SummaryItem } from '../../../contract/api';
import { CATEGORY_LABELS } from '../../../contract/categories';
import { sortBy, type SortDir } from '../../shared/sort';

export const SUMMARY_COLUMNS = [
  'device',
  'app',
  'category',
  'sessions',
  'openSessions',
  'totalMs',
  'longestMs',
  'nightSessions',
  'first',
  'last',
] as const;

export type SummaryColumn = (typeof SUMMARY_COLUMNS)[number];

/** The value a summary column sorts by. */
export function summaryValue(item: SummaryItem, column: SummaryColumn): string | number | null {
  switch (column) {
    case 'device':
      return item.device;
    case 'app':
      return item.appName ?? item.app;
    case 'category':
      return CATEGORY_LABELS[item.category];
    case 'sessions':
      return item.sessions;
    case 'openSessions':
      return item.openSessions;
    case 'totalMs':
      return item.totalMs;
    case 'longestMs':
      return item.longestMs;
    case 'nightSessions':
      return item.nightSessions;
    case 'first':
      return item.first?.ms ?? null;
    case 'last':
      return item.last?.ms ?? null;
    default: {
      const never: never = column;
      return never;
    }
  }
}

/** The direction a column starts in: text ascending, numbers and dates descending. */
export function defaultDir(column: SummaryColumn): SortDir {
  return column === 'device' || column === 'app' || column === 'category' ? 'asc' : 'desc';
}

/** Sorts summary rows by one column. */
export function sortSummary(
  items: readonly SummaryItem[],
  column: SummaryColumn,
  dir: SortDir,
): SummaryItem[] {
  return sortBy(items, (i) => summaryValue(i, column), dir);
}
