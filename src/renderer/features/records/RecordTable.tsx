import type { ReactNode } from 'react';
import type { SortState } from '../../shared/sort';
import { SortHeader } from '../../shared/SortHeader';

export interface RecordColumn<K extends string> {
  key: K;
  label: string;
  numeric?: boolean;
  title?: string;
}

interface Props<K extends string, T extends { id: string }> {
  columns: readonly RecordColumn<K>[];
  rows: readonly T[];
  sort: SortState<K>;
  onSort: (column: K) => void;
  /** Prefix of the sort buttons' test ids (`<prefix>-sort-<column>`). */
  testIdPrefix: string;
  tableTestId: string;
  rowTestId: string;
  /** Extra `data-*` attributes of a row, for tests and styling. */
  rowData?: (row: T) => Record<string, string>;
  selectedId: string | null;
  onOpen: (id: string) => void;
  cell: (row: T, column: K) => ReactNode;
}

/**
 * A sortable table of records: each row opens its details on click, Enter or Space, and the
 * open one is marked.
 */
export function RecordTable<K extends string, T extends { id: string }>(props: Props<K, T>) {
  return (
    <table className="table table-compact table-hover table-sticky" data-testid={props.tableTestId}>
      <thead>
        <tr>
          {props.columns.map((c) => (
            <SortHeader
              key={c.key}
              column={c.key}
              label={c.label}
              numeric={c.numeric}
              title={c.title}
              sort={props.sort}
              testIdPrefix={props.testIdPrefix}
              onSort={props.onSort}
            />
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => {
          const data = Object.fromEntries(
            Object.entries(props.rowData?.(row) ?? {}).map(([k, v]) => [`data-${k}`, v]),
          );
          return (
            <tr
              key={row.id}
              data-testid={props.rowTestId}
              data-id={row.id}
              {...data}
              className={props.selectedId === row.id ? 'row-selected' : undefined}
              tabIndex={0}
              onClick={() => props.onOpen(row.id)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  props.onOpen(row.id);
                }
              }}
            >
              {props.columns.map((c) => (
                <td key={c.key} className={c.numeric ? 'num nowrap' : undefined}>
                  {props.cell(row, c.key)}
                </td>
              ))}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
