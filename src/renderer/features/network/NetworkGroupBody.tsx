import type { NetworkGroupItem } from '../../../contract/api';
import type { Filter } from '../../../contract/filter';
import { formatCount, formatWhenCompact } from '../../shared/format';
import type { TimeMode } from '../../shared/time-format';
import { Ident } from '../records/Ident';
import { When } from '../records/When';
import { groupCounts, initiatedLabel, profilingLabel, showingLabel } from './network-group';
import { useNetworkRows } from './use-network-rows';

const COLUMNS = 9;

interface Props {
  group: NetworkGroupItem;
  filter: Filter;
  snapshots: 'latest' | 'all';
  open: boolean;
  onToggle: () => void;
  showDevice: boolean;
  timeMode: TimeMode;
}

/**
 * One device's app: its heading (a button that opens and closes it) and, while open, its rows read
 * a page at a time, with how many are drawn of how many and a button for the next page.
 */
export function NetworkGroupBody({
  group: g,
  filter,
  snapshots,
  open,
  onToggle,
  showDevice,
  timeMode,
}: Props) {
  const rows = useNetworkRows(
    open ? { filter, snapshots, deviceId: g.deviceId, app: g.app } : null,
  );
  const name = g.appName ?? g.app;
  return (
    <tbody data-testid="network-group" data-app={g.app} data-open={open ? 'true' : 'false'}>
      <tr className="group-row">
        <th scope="rowgroup" colSpan={COLUMNS}>
          <button
            type="button"
            className="network-toggle"
            aria-expanded={open}
            data-testid="network-group-toggle"
            onClick={onToggle}
          >
            <span className="network-toggle-mark" aria-hidden="true">
              {open ? '▾' : '▸'}
            </span>
            <span className="group-title">{name}</span>
          </button>
          {g.appName ? <span className="muted small mono"> {g.app}</span> : null}
          {showDevice ? <span className="muted small"> · {g.device}</span> : null}
          <span className="muted small" data-testid="network-group-counts">
            {' '}
            · {groupCounts(g)}
          </span>
        </th>
      </tr>
      {open
        ? rows.items.map((n) => (
            <tr key={n.id} data-testid="network-row">
              <td className="mono col-domain">
                <Ident text={n.domain} />
              </td>
              <td className="num">{formatCount(n.hits)}</td>
              <td>{n.domainOwner ? n.domainOwner : '—'}</td>
              <td>{n.profiling ? <span className="tag tag-bad">yes</span> : profilingLabel(n)}</td>
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
          ))
        : null}
      {open ? (
        <tr className="network-more-row">
          <td colSpan={COLUMNS}>
            <div className="network-more" data-testid="network-group-status">
              {rows.error ? (
                <span role="alert" data-testid="network-group-error">
                  The rows of {name} could not be read: {rows.error.message}
                </span>
              ) : rows.total === null ? (
                <span className="muted" role="status">
                  Reading the rows of {name}…
                </span>
              ) : (
                <span className="muted" data-testid="network-group-showing" role="status">
                  {rows.total === 0
                    ? 'No row of this app matches the filter any more.'
                    : showingLabel(rows.items.length, rows.total)}
                </span>
              )}
              {rows.error ? (
                <button
                  type="button"
                  className="btn btn-small"
                  data-testid="network-group-retry"
                  onClick={rows.retry}
                >
                  Try again
                </button>
              ) : rows.total !== null && rows.items.length < rows.total ? (
                <button
                  type="button"
                  className="btn btn-small"
                  data-testid="network-show-more"
                  // Not disabled while reading, which would drop the keyboard's focus: a press
                  // then is ignored, as the page asked for is on its way.
                  aria-busy={rows.loading}
                  onClick={rows.more}
                >
                  {rows.loading ? 'Reading…' : 'Show more'}
                </button>
              ) : null}
            </div>
          </td>
        </tr>
      ) : null}
    </tbody>
  );
}
