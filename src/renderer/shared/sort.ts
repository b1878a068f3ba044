export type SortDir = 'asc' | 'desc';

export interface SortState<K extends string> {
  key: K;
  dir: SortDir;
}

type Sortable = string | number | null;

/** Compares two cell values: numbers numerically, strings case-insensitively, nulls last in both directions. */
export function compareValues(a: Sortable, b: Sortable, dir: SortDir): number {
  if (a === null && b === null) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const base =
    typeof a === 'number' && typeof b === 'number'
      ? a - b
      : String(a).localeCompare(String(b), undefined, { sensitivity: 'base', numeric: true });
  return dir === 'asc' ? base : -base;
}

/** A stable sort by one accessor; ties keep their original order. */
export function sortBy<T>(rows: readonly T[], get: (row: T) => Sortable, dir: SortDir): T[] {
  return rows
    .map((row, index) => ({ row, index }))
    .sort((x, y) => compareValues(get(x.row), get(y.row), dir) || x.index - y.index)
    .map((x) => x.row);
}

/** Clicking a header: same column flips the direction, a new column starts at its default. */
export function nextSort<K extends string>(
  current: SortState<K>,
  key: K,
  defaultDir: SortDir = 'desc',
): SortState<K> {
  if (current.key === key) return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: defaultDir };
}
