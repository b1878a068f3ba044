import type { PermissionItem } from '../../../contract/api';
import { CATEGORY_LABELS } from '../../../contract/categories';
import { sortBy, type SortDir } from '../../shared/sort';
import { isSensitive, statusRank } from './permission-status';

export const PERMISSION_COLUMNS = [
  'app',
  'service',
  'category',
  'status',
  'reason',
  'changed',
  'device',
  'origin',
] as const;

export type PermissionColumn = (typeof PERMISSION_COLUMNS)[number];

/** Where a permission record was read. */
export function originLabel(origin: PermissionItem['origin']): string {
  switch (origin) {
    case 'tcc':
      return 'TCC.db';
    case 'location-clients':
      return 'locationd clients';
    case 'android-package':
      return 'dumpsys package';
    default: {
      const never: never = origin;
      return never;
    }
  }
}

/** The value a permissions column sorts by. */
export function permissionValue(
  item: PermissionItem,
  column: PermissionColumn,
): string | number | null {
  switch (column) {
    case 'app':
      return item.appName ?? item.app;
    case 'service':
      return item.label;
    case 'category':
      return CATEGORY_LABELS[item.category];
    case 'status':
      return statusRank(item.status);
    case 'reason':
      return item.reason;
    case 'changed':
      return item.timeMs;
    case 'device':
      return item.device;
    case 'origin':
      return originLabel(item.origin);
    default: {
      const never: never = column;
      return never;
    }
  }
}

/** The direction a column starts in: dates newest first, everything else ascending. */
export function permissionDefaultDir(column: PermissionColumn): SortDir {
  return column === 'changed' ? 'desc' : 'asc';
}

/** Sorts permission rows by one column; ties keep the core's order (device, app, service). */
export function sortPermissions(
  items: readonly PermissionItem[],
  column: PermissionColumn,
  dir: SortDir,
): PermissionItem[] {
  return sortBy(items, (i) => permissionValue(i, column), dir);
}

export interface PermissionToggles {
  grantedOnly: boolean;
  sensitiveOnly: boolean;
}

/**
 * Applies the view's quick toggles. "Granted" keeps limited grants too: a limited Photos grant
 * still lets the app read the photos the owner picked.
 */
export function filterPermissions(
  items: readonly PermissionItem[],
  toggles: PermissionToggles,
): PermissionItem[] {
  return items.filter(
    (i) =>
      (!toggles.grantedOnly || i.status === 'granted' || i.status === 'limited') &&
      (!toggles.sensitiveOnly || isSensitive(i.category)),
  );
}

/** Counts per status, for the view's summary line. */
export function countStatuses(
  items: readonly PermissionItem[],
): Record<PermissionItem['status'], number> {
  const counts = { granted: 0, denied: 0, limited: 0, unknown: 0 };
  for (const i of items) counts[i.status] += 1;
  return counts;
}
