import { useMemo, useState } from 'react';
import type { SummaryItem } from '../../../contract/api';
import { DEFAULT_NIGHT } from '../../../contract/filter';
import { useQuery } from '../../app/use-query';
import {
  useCase,
  useFilter,
  useTimeMode,
  useWorkspaceActions,
} from '../../app/workspace/use-workspace';
import { categoryColor, categoryLabel } from '../../shared/category-colors';
import { EmptyState } from '../../shared/EmptyState';
import { ErrorBanner } from '../../shared/ErrorBanner';
import { formatCount, formatDuration, formatWhenCompact } from '../../shared/format';
import { When } from '../records/When';
import { Ident } from '../records/Ident';
import { SortHeader } from '../../shared/SortHeader';
import { nextSort, type SortState } from '../../shared/sort';
import { Spinner } from '../../shared/Spinner';
import { PlatformBadge } from '../devices/PlatformBadge';
import { defaultDir, sortSummary, type SummaryColumn } from './summary-sort';

interface Column {
  key: SummaryColumn;
  label: string;
  numeric: boolean;
}

/** App × category totals; a row narrows the filter to it and shows it on the timeline. */
export function SummaryView() {
  const filter = useFilter();
  const timeMode = useTimeMode();
  const { devices, hasSessions: caseHasSessions } = useCase();
  const onPick = useWorkspaceActions().showSummaryItem;
  const q = useQuery('querySummary', { filter });
  const [sort, setSort] = useState<SortState<SummaryColumn>>({ key: 'sessions', dir: 'desc' });
  const items = q.data;
  const multiDevice = useMemo(
    () => new Set((items ?? []).map((i) => i.deviceId)).size > 1,
    [items],
  );
  const rows = useMemo(() => (items ? sortSummary(items, sort.key, sort.dir) : []), [items, sort]);
  const platforms = useMemo(() => new Map(devices.map((d) => [d.id, d.platform])), [devices]);

  const columns: Column[] = [
    ...(multiDevice ? [{ key: 'device' as const, label: 'Device', numeric: false }] : []),
    { key: 'app', label: 'App', numeric: false },
    { key: 'category', label: 'Category', numeric: false },
    { key: 'sessions', label: 'Sessions', numeric: true },
    { key: 'openSessions', label: 'Open', numeric: true },
    { key: 'totalMs', label: 'Total duration', numeric: true },
    { key: 'longestMs', label: 'Longest', numeric: true },
    {
      key: 'nightSessions',
      label: `Night (${DEFAULT_NIGHT.from}–${DEFAULT_NIGHT.to})`,
      numeric: true,
    },
    { key: 'first', label: 'First seen', numeric: false },
    { key: 'last', label: 'Last seen', numeric: false },
  ];

  const cell = (item: SummaryItem, key: SummaryColumn) => {
    switch (key) {
      case 'device':
        return (
          <span>
            {item.device}
            <PlatformBadge platform={platforms.get(item.deviceId) ?? 'unknown'} />
          </span>
        );
      case 'app':
        return (
          <span title={item.app}>
            {item.appName ?? item.app}
            {item.appName ? (
              <span className="muted small mono">
                {' '}
                <Ident text={item.app} />
              </span>
            ) : null}
          </span>
        );
      case 'category':
        return (
          <>
            <span
              className="swatch"
              style={{ background: categoryColor(item.category) }}
              aria-hidden="true"
            />
            {categoryLabel(item.category)}
          </>
        );
      case 'sessions':
        return formatCount(item.sessions);
      case 'openSessions':
        return formatCount(item.openSessions);
      case 'totalMs':
        return formatDuration(item.totalMs);
      case 'longestMs':
        return formatDuration(item.longestMs);
      case 'nightSessions':
        return formatCount(item.nightSessions);
      case 'first':
        return item.first ? (
          <When text={formatWhenCompact(item.first.ms, item.first.offsetMin, timeMode)} />
        ) : (
          '—'
        );
      case 'last':
        return item.last ? (
          <When text={formatWhenCompact(item.last.ms, item.last.offsetMin, timeMode)} />
        ) : (
          '—'
        );
      default: {
        const never: never = key;
        return never;
      }
    }
  };

  return (
    <section className="view" data-testid="summary-view" aria-label="Summary">
      <div className="view-head">
        <h2>Summary</h2>
        <span className="muted small">
          {timeMode === 'local' ? 'Times are device-local.' : 'Times are UTC.'} Click a row to show
          it on the timeline.
        </span>
        {q.loading ? <Spinner /> : null}
      </div>
      <ErrorBanner error={q.error} title="Summary" />
      {items === null ? null : items.length === 0 ? (
        <EmptyState
          title={caseHasSessions ? 'Nothing matches the filter' : 'No access sessions yet'}
          testId="summary-empty"
        >
          {caseHasSessions
            ? 'Loosen the filter to see totals.'
            : 'Import an App Privacy Report export or an Android capture first.'}
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table
            className="table table-compact table-hover table-sticky"
            data-testid="summary-table"
          >
            <thead>
              <tr>
                {columns.map((c) => (
                  <SortHeader
                    key={c.key}
                    column={c.key}
                    label={c.label}
                    numeric={c.numeric}
                    sort={sort}
                    testIdPrefix="summary"
                    onSort={(k) => setSort((s) => nextSort(s, k, defaultDir(k)))}
                  />
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((item) => (
                <tr
                  key={`${item.deviceId}|${item.appId}|${item.category}`}
                  data-testid="summary-row"
                  data-app={item.app}
                  data-category={item.category}
                  tabIndex={0}
                  onClick={() => onPick(item)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' || e.key === ' ') {
                      e.preventDefault();
                      onPick(item);
                    }
                  }}
                >
                  {columns.map((c) => (
                    <td
                      key={c.key}
                      className={
                        c.numeric
                          ? 'num nowrap'
                          : // Names and times wrap so that the table fits a 1024 px window.
                            ['device', 'app', 'first', 'last'].includes(c.key)
                            ? undefined
                            : 'nowrap'
                      }
                    >
                      {cell(item, c.key)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
