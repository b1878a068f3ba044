import { memo, useMemo, useState } from 'react';
import { CATEGORY_LABELS } from '../../../contract/categories';
import {
  changeHeading,
  type ColumnChange,
  type CompareKind,
} from '../../../contract/compare-change';
import type { CompareColumn, CompareRow } from '../../../contract/records';
import { SortHeader } from '../../shared/SortHeader';
import { formatCount } from '../../shared/format';
import { nextSort, sortBy, type SortState } from '../../shared/sort';
import {
  cellMark,
  change,
  isShare,
  metricValue,
  METRICS,
  sampleOf,
  type Metric,
} from './compare-model';

type SortKey = 'app' | 'category' | 'change' | `col${number}`;

interface Props {
  rows: CompareRow[];
  labels: string[];
  /** Devices (change is the spread) or periods (last minus first). */
  kind: CompareKind;
  /** Columns whose device is an Android phone (their rates count the last access per op only). */
  android: ReadonlySet<number>;
  /** The row drilled into on every band (its key), if any. */
  focusKey: string | null;
  onFocus: (row: CompareRow | null) => void;
}

export const rowKey = (r: CompareRow): string => `${r.app}\n${r.category}`;

function formatMetric(c: CompareColumn, m: Metric): string {
  const v = metricValue(c, m);
  if (c.observedDays === 0) return 'no data';
  if (v === null) return m === 'background' || m === 'locked' ? 'n/a' : '—';
  switch (m) {
    case 'perDay':
      return v >= 100 ? formatCount(Math.round(v)) : v.toFixed(v >= 10 ? 1 : 2);
    case 'night':
    case 'background':
    case 'locked':
      return `${Math.round(v * 100)}%`;
    case 'median':
    case 'longest':
      return v >= 100 ? `${Math.round(v)} s` : `${v.toFixed(1)} s`;
  }
}

function formatAmount(a: number, m: Metric): string {
  if (isShare(m)) return `${Math.round(a * 100)} pt`;
  if (m === 'perDay') return `${a.toFixed(a >= 10 ? 1 : 2)}/day`;
  return `${a.toFixed(1)} s`;
}

/** A spread without a sign (it has no direction); last minus first with its sign. */
function formatChange(c: ColumnChange | null, m: Metric): string {
  if (c === null) return '—';
  if (c.kind === 'spread') return formatAmount(c.value, m);
  const sign = c.value > 0 ? '+' : c.value < 0 ? '−' : '±';
  return `${sign}${formatAmount(Math.abs(c.value), m)}`;
}

/** Which columns a spread runs between, in words. */
function spreadEnds(c: ColumnChange, labels: readonly string[]): string {
  if (c.high.length === 0) return 'all equal';
  const names = (ix: number[]) => ix.map((i) => labels[i] ?? '?').join(', ');
  return `▲ ${names(c.high)} · ▼ ${names(c.low)}`;
}

const NULL_TITLES: Record<Metric, string> = {
  perDay: 'No observed day in this column',
  night: 'No sessions',
  median: 'No closed session (duration unknown)',
  longest: 'No closed session (duration unknown)',
  background: 'No session with a known app state (e.g. App Privacy Report sessions carry none)',
  locked:
    'No session whose lock state is known: import a sysdiagnose (PowerLog) or usage events covering these days',
};

/**
 * App × category matrix, a group of metric cells per column; differences marked, sortable by
 * change. Memoised: zooming and panning the bands must not re-render the table.
 */
export const CompareMatrix = memo(function CompareMatrix({
  rows,
  labels,
  kind,
  android,
  focusKey,
  onFocus,
}: Props) {
  const heading = changeHeading(kind);
  const [metric, setMetric] = useState<Metric>('perDay');
  const [sort, setSort] = useState<SortState<SortKey>>({ key: 'change', dir: 'desc' });

  const sorted = useMemo(() => {
    const get = (r: CompareRow): string | number | null => {
      if (sort.key === 'app') return r.appName ?? r.app;
      if (sort.key === 'category') return CATEGORY_LABELS[r.category];
      if (sort.key === 'change') {
        const c = change(r, metric, kind);
        return c === null ? null : Math.abs(c.value);
      }
      const col = r.columns[Number(sort.key.slice(3))];
      return col ? metricValue(col, metric) : null;
    };
    return sortBy(rows, get, sort.dir);
  }, [rows, sort, metric, kind]);

  const onSort = (key: SortKey): void =>
    setSort(nextSort(sort, key, key === 'app' || key === 'category' ? 'asc' : 'desc'));

  return (
    <div className="cmp-matrix" data-testid="compare-matrix">
      <div className="cmp-matrix-bar">
        <div className="btn-group" role="group" aria-label="Matrix value">
          {METRICS.map((m) => (
            <button
              key={m.id}
              type="button"
              title={m.title}
              className={metric === m.id ? 'btn btn-small btn-on' : 'btn btn-small'}
              aria-pressed={metric === m.id}
              data-testid={`compare-metric-${m.id}`}
              onClick={() => setMetric(m.id)}
            >
              {m.label}
            </button>
          ))}
        </div>
        <span className="muted small">
          Highlighted: the highest (▲) and lowest (▼) column where they differ clearly.{' '}
          <span data-testid="compare-change-meaning">
            {heading.label}: {heading.meaning}
          </span>{' '}
          Click a row to show that app on every band.
        </span>
      </div>
      <div className="table-wrap cmp-table-wrap">
        <table className="table table-hover cmp-table">
          <thead>
            <tr>
              <SortHeader
                column="app"
                label="App"
                sort={sort}
                onSort={onSort}
                testIdPrefix="compare"
              />
              <SortHeader
                column="category"
                label="Category"
                sort={sort}
                onSort={onSort}
                testIdPrefix="compare"
              />
              {labels.map((label, i) => (
                <SortHeader
                  key={label}
                  column={`col${i}` as SortKey}
                  label={android.has(i) ? `${label} †` : label}
                  sort={sort}
                  onSort={onSort}
                  numeric
                  title={`${METRICS.find((m) => m.id === metric)?.title} in ${label}${android.has(i) ? ' (Android: counts the last access of each op per capture only)' : ''}`}
                  testIdPrefix="compare"
                />
              ))}
              <SortHeader
                column="change"
                label={heading.label}
                sort={sort}
                onSort={onSort}
                numeric
                title={heading.meaning}
                testIdPrefix="compare"
              />
            </tr>
          </thead>
          <tbody>
            {sorted.map((r) => {
              const key = rowKey(r);
              const on = key === focusKey;
              return (
                <tr
                  key={key}
                  className={on ? 'row-selected cmp-row' : 'cmp-row'}
                  data-testid="compare-row"
                  data-app={r.app}
                  data-category={r.category}
                  aria-selected={on}
                  tabIndex={0}
                  onClick={() => onFocus(on ? null : r)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' || e.key === ' ') {
                      e.preventDefault();
                      onFocus(on ? null : r);
                    }
                  }}
                >
                  <td title={r.apps.join(' = ')}>
                    {r.appName ? (
                      <>
                        {r.appName} <span className="muted small">{r.app}</span>
                      </>
                    ) : (
                      r.app
                    )}
                    {r.apps.length > 1 ? (
                      <span className="badge" title={`Paired: ${r.apps.join(' = ')}`}>
                        paired
                      </span>
                    ) : null}
                  </td>
                  <td>{CATEGORY_LABELS[r.category]}</td>
                  {r.columns.map((c, i) => {
                    const mark = cellMark(r, i, metric);
                    const v = metricValue(c, metric);
                    const sample = metric === 'perDay' || v === null ? null : sampleOf(c, metric);
                    return (
                      <td
                        key={c.label}
                        className={`num${mark ? ` cmp-${mark}` : ''}${v === null ? ' muted' : ''}`}
                        data-testid="compare-cell"
                        data-mark={mark ?? ''}
                        title={
                          v === null
                            ? NULL_TITLES[metric]
                            : `${formatCount(c.sessions)} sessions on ${formatCount(c.observedDays)} observed days · ${formatCount(c.nightSessions)} at night`
                        }
                      >
                        {mark === 'high' ? '▲ ' : mark === 'low' ? '▼ ' : ''}
                        {formatMetric(c, metric)}
                        {sample ? (
                          <span className="cmp-n" data-testid="compare-n">
                            {sample}
                          </span>
                        ) : null}
                      </td>
                    );
                  })}
                  <ChangeCell change={change(r, metric, kind)} metric={metric} labels={labels} />
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
});

/** The change of a row: a spread with the columns it runs between, or last minus first. */
function ChangeCell({
  change: c,
  metric,
  labels,
}: {
  change: ColumnChange | null;
  metric: Metric;
  labels: readonly string[];
}) {
  return (
    <td className="num cmp-change" data-testid="compare-change-cell" data-kind={c?.kind ?? ''}>
      <span data-testid="compare-change">{formatChange(c, metric)}</span>
      {c?.kind === 'spread' ? (
        <span className="cmp-n" data-testid="compare-change-ends">
          {spreadEnds(c, labels)}
        </span>
      ) : null}
    </td>
  );
}
