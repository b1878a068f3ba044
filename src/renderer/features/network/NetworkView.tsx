import { useMemo, useState } from 'react';
import { useQuery } from '../../app/use-query';
import { useFilter, useTimeMode } from '../../app/workspace/use-workspace';
import { EmptyState } from '../../shared/EmptyState';
import { ErrorBanner } from '../../shared/ErrorBanner';
import { formatCount, formatWhenCompact, plural } from '../../shared/format';
import { When } from '../records/When';
import { Ident } from '../records/Ident';
import { Notice } from '../../shared/Notice';
import { Spinner } from '../../shared/Spinner';
import { groupNetwork, initiatedLabel, profilingLabel } from './network-group';

type Snapshots = 'latest' | 'all';

/** Domains each app contacted, per App Privacy Report export snapshot. */
export function NetworkView() {
  const filter = useFilter();
  const timeMode = useTimeMode();
  const [snapshots, setSnapshots] = useState<Snapshots>('latest');
  const q = useQuery('queryNetwork', { filter, snapshots });
  const groups = useMemo(() => (q.data ? groupNetwork(q.data) : []), [q.data]);
  const multiDevice = new Set(groups.map((g) => g.deviceId)).size > 1;

  return (
    <section className="view" data-testid="network-view" aria-label="Network activity">
      <div className="view-head">
        <h2>Network activity</h2>
        <div className="btn-group" role="group" aria-label="Snapshots">
          <button
            type="button"
            className={snapshots === 'latest' ? 'btn btn-small btn-on' : 'btn btn-small'}
            aria-pressed={snapshots === 'latest'}
            data-testid="network-snapshots-latest"
            onClick={() => setSnapshots('latest')}
          >
            Latest snapshot
          </button>
          <button
            type="button"
            className={snapshots === 'all' ? 'btn btn-small btn-on' : 'btn btn-small'}
            aria-pressed={snapshots === 'all'}
            data-testid="network-snapshots-all"
            onClick={() => setSnapshots('all')}
          >
            All snapshots
          </button>
        </div>
        {q.loading ? <Spinner /> : null}
      </div>
      <Notice>
        Hits are counted per export snapshot, as each App Privacy Report states them; they are never
        summed across exports.
        {snapshots === 'all'
          ? ' The same domain appears once per export that lists it.'
          : ' Showing each app’s most recent export.'}
      </Notice>
      <ErrorBanner error={q.error} title="Network" />
      {q.data === null ? null : groups.length === 0 ? (
        <EmptyState title="No network activity" testId="network-empty">
          Nothing matches the filter, or the imported exports contain no network records.
        </EmptyState>
      ) : (
        <div
          className="table-wrap"
          // The rows hold no control: the table itself takes the focus so that the keyboard can
          // scroll it when it is wider or taller than the window.
          tabIndex={0}
          role="region"
          aria-label="Network activity by app"
        >
          <table className="table table-compact table-sticky" data-testid="network-table">
            <thead>
              <tr>
                <th scope="col">Domain</th>
                <th scope="col" className="num">
                  Hits
                </th>
                <th scope="col">Owner</th>
                <th
                  scope="col"
                  title="Apple's domain classification: 1 = flagged as possibly collecting data/profiling"
                >
                  Profiling (Apple)
                </th>
                <th scope="col">Initiated by</th>
                <th scope="col">Context</th>
                <th scope="col">First seen</th>
                <th scope="col">Last seen</th>
                <th scope="col">Source file</th>
              </tr>
            </thead>
            {groups.map((g) => (
              <tbody key={g.key} data-testid="network-group" data-app={g.app}>
                <tr className="group-row">
                  <th scope="rowgroup" colSpan={9}>
                    <span className="group-title">{g.appName ?? g.app}</span>
                    {g.appName ? <span className="muted small mono"> {g.app}</span> : null}
                    {multiDevice ? <span className="muted small"> · {g.device}</span> : null}
                    <span className="muted small">
                      {' '}
                      · {plural(g.domains, 'domain')}
                      {g.profiling > 0 ? ` · ${formatCount(g.profiling)} flagged by Apple` : ''}
                    </span>
                  </th>
                </tr>
                {g.items.map((n) => (
                  <tr key={n.id} data-testid="network-row">
                    <td className="mono col-domain">
                      <Ident text={n.domain} />
                    </td>
                    <td className="num">{formatCount(n.hits)}</td>
                    <td>{n.domainOwner ? n.domainOwner : '—'}</td>
                    <td>
                      {n.profiling ? <span className="tag tag-bad">yes</span> : profilingLabel(n)}
                    </td>
                    <td>{initiatedLabel(n.initiatedType)}</td>
                    <td>{n.context ? n.context : '—'}</td>
                    <td>
                      <When text={formatWhenCompact(n.firstMs, n.firstOffsetMin, timeMode)} />
                    </td>
                    <td>
                      <When text={formatWhenCompact(n.lastMs, n.lastOffsetMin, timeMode)} />
                    </td>
                    <td className="break" title={`${n.sourceSha256} · line ${n.line}`}>
                      {n.sourceName}
                      <span className="muted small nowrap"> :{n.line}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            ))}
          </table>
        </div>
      )}
    </section>
  );
}
