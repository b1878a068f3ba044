import { useMemo, useState } from 'react';
import type { NetworkUsageItem } from '../../../contract/api';
import { useQuery } from '../../app/use-query';
import {
  useFilter,
  useSelectedId,
  useTimeMode,
  useWorkspaceActions,
} from '../../app/workspace/use-workspace';
import { EmptyState } from '../../shared/EmptyState';
import { ErrorBanner } from '../../shared/ErrorBanner';
import { formatWhenCompact, plural, type TimeMode } from '../../shared/format';
import { When } from '../records/When';
import { Ident } from '../records/Ident';
import { nextSort, type SortState } from '../../shared/sort';
import { Spinner } from '../../shared/Spinner';
import { countActive } from '../filters/filter-text';
import { RecordTable } from '../records/RecordTable';
import { TimeModeToggle } from '../records/TimeModeToggle';
import '../records/records.css';
import {
  exactBytes,
  formatByteCell,
  rowTotal,
  sortUsage,
  usageAppLabel,
  usageDefaultDir,
  usageOriginLabel,
  type UsageColumn,
} from './usage-table';
import './usage.css';

const COLUMNS: { key: UsageColumn; label: string; numeric?: boolean; title?: string }[] = [
  { key: 'process', label: 'Process' },
  { key: 'app', label: 'App' },
  { key: 'origin', label: 'Origin' },
  { key: 'wifiIn', label: 'Wi-Fi in', numeric: true },
  { key: 'wifiOut', label: 'Wi-Fi out', numeric: true },
  { key: 'cellIn', label: 'Cellular in', numeric: true },
  { key: 'cellOut', label: 'Cellular out', numeric: true },
  {
    key: 'total',
    label: 'Row total',
    numeric: true,
    title: 'The four counters of this row added up; rows are never added to each other.',
  },
  {
    key: 'last',
    label: 'First → last seen',
    title: 'When the process was first and last seen by this counter (sorts by last seen).',
  },
  { key: 'device', label: 'Device' },
];

function Bytes({ value }: { value: number | null }) {
  return <span title={exactBytes(value)}>{formatByteCell(value)}</span>;
}

function Cell({
  item,
  column,
  timeMode,
}: {
  item: NetworkUsageItem;
  column: UsageColumn;
  timeMode: TimeMode;
}) {
  switch (column) {
    case 'process':
      return (
        <span className="mono small usage-process" title={item.process}>
          {item.process}
        </span>
      );
    case 'app':
      return item.app === null ? (
        <span className="muted">{usageAppLabel(item)}</span>
      ) : (
        <>
          <div>{usageAppLabel(item)}</div>
          {item.appName ? (
            <div className="muted small mono">
              <Ident text={item.app} />
            </div>
          ) : null}
        </>
      );
    case 'origin':
      return <span className="nowrap">{usageOriginLabel(item.origin)}</span>;
    case 'wifiIn':
    case 'wifiOut':
    case 'cellIn':
    case 'cellOut':
      return <Bytes value={item[column]} />;
    case 'total':
      return (
        <strong>
          <Bytes value={rowTotal(item)} />
        </strong>
      );
    case 'first':
    case 'last':
      return (
        <>
          <div>
            <When text={formatWhenCompact(item.firstMs, item.offsetMin, timeMode)} />
          </div>
          {item.lastMs !== item.firstMs ? (
            <div>
              → <When text={formatWhenCompact(item.lastMs, item.offsetMin, timeMode)} />
            </div>
          ) : null}
        </>
      );
    case 'device':
      return <span className="nowrap">{item.device}</span>;
    default: {
      const never: never = column;
      return never;
    }
  }
}

/** Bytes iOS attributed to each process (DataUsage.sqlite) and daily baselines (addaily). */
export function UsageView() {
  const filter = useFilter();
  const timeMode = useTimeMode();
  const selectedId = useSelectedId();
  const { setTimeMode, openRecord, openImport } = useWorkspaceActions();
  const q = useQuery('queryNetworkUsage', { filter });
  const [sort, setSort] = useState<SortState<UsageColumn>>({ key: 'total', dir: 'desc' });
  const items = q.data;
  const rows = useMemo(() => (items ? sortUsage(items, sort.key, sort.dir) : []), [items, sort]);
  const filtered = countActive(filter) > 0;
  const multiDevice = new Set((items ?? []).map((i) => i.deviceId)).size > 1;
  const columns = multiDevice ? COLUMNS : COLUMNS.filter((c) => c.key !== 'device');

  return (
    <section className="view" data-testid="usage-view" aria-label="Data usage">
      <div className="view-head">
        <h2>Data usage</h2>
        <TimeModeToggle mode={timeMode} onChange={setTimeMode} testIdPrefix="usage" />
        {items ? (
          <span className="muted small" data-testid="usage-count">
            {plural(items.length, 'row')}
          </span>
        ) : null}
        {q.loading ? <Spinner /> : null}
      </div>
      <p className="record-caveat" data-testid="usage-caveat">
        Counters are per row, as iOS kept them: each row is one process’s tally (DataUsage) or one
        day’s baseline (addaily), and rows are never added to each other. They count bytes, not
        destinations: nothing here says which servers were contacted or what was sent.
      </p>
      <ErrorBanner error={q.error} title="Data usage" />
      {items === null ? null : items.length === 0 ? (
        <EmptyState
          title={filtered ? 'No data usage matches the filter' : 'No data usage records yet'}
          testId="usage-empty"
        >
          {filtered ? (
            <p>Loosen the filter to see data usage rows.</p>
          ) : (
            <>
              <p>
                Per-process byte counters come from iPhone backups:{' '}
                <span className="mono">DataUsage.sqlite</span> and the daily analytics baseline (
                <span className="mono">com.apple.osanalytics.addaily.plist</span>).
              </p>
              <button type="button" className="btn btn-primary" onClick={() => openImport()}>
                Import…
              </button>
            </>
          )}
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <RecordTable
            columns={columns}
            rows={rows}
            sort={sort}
            onSort={(k) => setSort((s) => nextSort(s, k, usageDefaultDir(k)))}
            testIdPrefix="usage"
            tableTestId="usage-table"
            rowTestId="usage-row"
            rowData={(item) => ({ process: item.process })}
            selectedId={selectedId}
            onOpen={openRecord}
            cell={(item, column) => <Cell item={item} column={column} timeMode={timeMode} />}
          />
        </div>
      )}
    </section>
  );
}
