import { filterSchema, type Filter } from '../../../contract/filter';
import { normalizeFilter } from './filter-text';

type FilterStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const PREFIX = 'snoopscope.filter.v1:';

/** The storage key of a case's last filter. */
export function filterStorageKey(casePath: string): string {
  return `${PREFIX}${casePath}`;
}

/** Loads the last filter used with a case; anything unreadable yields an empty filter. */
export function loadFilter(storage: FilterStorage | null, casePath: string): Filter {
  if (!storage) return {};
  let text: string | null;
  try {
    text = storage.getItem(filterStorageKey(casePath));
  } catch {
    return {};
  }
  if (!text) return {};
  try {
    const parsed = filterSchema.safeParse(JSON.parse(text));
    return parsed.success ? normalizeFilter(parsed.data) : {};
  } catch {
    return {};
  }
}

/** Remembers a case's filter (an empty filter removes the entry). */
export function saveFilter(storage: FilterStorage | null, casePath: string, filter: Filter): void {
  if (!storage) return;
  const f = normalizeFilter(filter);
  try {
    if (Object.keys(f).length === 0) storage.removeItem(filterStorageKey(casePath));
    else storage.setItem(filterStorageKey(casePath), JSON.stringify(f));
  } catch {
    // A full or disabled storage only loses the convenience of restoring the filter.
  }
}
