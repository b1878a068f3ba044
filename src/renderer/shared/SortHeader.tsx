import type { SortState } from './sort';

interface Props<K extends string> {
  column: K;
  label: string;
  sort: SortState<K>;
  onSort: (column: K) => void;
  numeric?: boolean;
  title?: string;
  testIdPrefix: string;
}

/** A column header that sorts its table, with `aria-sort` and a direction mark. */
export function SortHeader<K extends string>(props: Props<K>) {
  const { column, sort } = props;
  const on = sort.key === column;
  return (
    <th
      scope="col"
      className={props.numeric ? 'num' : undefined}
      title={props.title}
      aria-sort={on ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
    >
      <button
        type="button"
        className="th-button"
        data-testid={`${props.testIdPrefix}-sort-${column}`}
        onClick={() => props.onSort(column)}
      >
        {props.label}
        <span className="sort-mark" aria-hidden="true">
          {on ? (sort.dir === 'asc' ? '▲' : '▼') : ''}
        </span>
      </button>
    </th>
  );
}
