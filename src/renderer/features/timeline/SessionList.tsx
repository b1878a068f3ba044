import type { TimelineLane, TimelineSession } from '../../../contract/api';
import { useSelectedId, useTimeMode, useWorkspaceActions } from '../../app/workspace/use-workspace';
import { categoryColor, categoryLabel } from '../../shared/category-colors';
import { formatCount, formatDuration, formatWhenCompact } from '../../shared/format';
import { When } from '../records/When';
import { laneLabel } from './lane-layout';
import { stateText } from './state-mark';
import { sessionDuration } from './tooltip-content';

interface Props {
  sessions: TimelineSession[];
  lanes: Map<string, TimelineLane>;
  binned: boolean;
  total: number;
  multiDevice: boolean;
}

const MAX_ROWS = 1000;

/** An accessible table of the sessions in the visible window; a row opens its details. */
export function SessionList({ sessions, lanes, binned, total, multiDevice }: Props) {
  const timeMode = useTimeMode();
  const selectedId = useSelectedId();
  const onSelect = useWorkspaceActions().selectSession;
  if (binned) {
    return (
      <div className="session-list" data-testid="session-list">
        <p className="muted">
          Zoomed out: {formatCount(total)} sessions are aggregated into bins. Zoom in (or narrow the
          filter) to list individual sessions.
        </p>
      </div>
    );
  }
  const rows = sessions.slice(0, MAX_ROWS);
  // The state column appears once a session with a known state (Android) is listed.
  const withState = rows.some((s) => s.state !== 'unknown');
  return (
    <div className="session-list" data-testid="session-list">
      <table className="table table-compact table-hover">
        <caption className="sr-only">Sessions in the visible window</caption>
        <thead>
          <tr>
            <th scope="col">App</th>
            <th scope="col">Category</th>
            <th scope="col">Start</th>
            <th scope="col">End</th>
            <th scope="col" className="num">
              Duration
            </th>
            {withState ? <th scope="col">App state</th> : null}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={withState ? 6 : 5} className="muted">
                No sessions in the visible window.
              </td>
            </tr>
          ) : (
            rows.map((s) => {
              const lane = lanes.get(s.lane);
              return (
                <tr
                  key={s.id}
                  data-testid="session-row"
                  data-session-id={s.id}
                  className={s.id === selectedId ? 'row-selected' : undefined}
                  tabIndex={0}
                  aria-selected={s.id === selectedId}
                  onClick={() => onSelect(s.id)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' || e.key === ' ') {
                      e.preventDefault();
                      onSelect(s.id);
                    }
                  }}
                >
                  <td>{lane ? laneLabel(lane, multiDevice) : s.lane}</td>
                  <td>
                    <span
                      className="swatch"
                      style={{ background: categoryColor(s.category) }}
                      aria-hidden="true"
                    />
                    {categoryLabel(s.category)}
                  </td>
                  <td>
                    <When
                      text={
                        s.startMs === null
                          ? 'unknown'
                          : formatWhenCompact(s.startMs, s.offsetMin, timeMode)
                      }
                    />
                  </td>
                  <td>
                    <When
                      text={
                        s.endMs === null
                          ? 'unknown'
                          : formatWhenCompact(s.endMs, s.offsetMin, timeMode)
                      }
                    />
                  </td>
                  <td className="num nowrap">
                    {s.open ? (
                      <span className="tag tag-warn">open</span>
                    ) : (
                      formatDuration(sessionDuration(s))
                    )}
                  </td>
                  {withState ? (
                    <td data-testid="session-row-state" data-state={s.state}>
                      {stateText(s.state, s.stateSource) ?? <span className="muted">unknown</span>}
                    </td>
                  ) : null}
                </tr>
              );
            })
          )}
        </tbody>
      </table>
      {sessions.length > MAX_ROWS ? (
        <p className="muted small">
          Showing the first {MAX_ROWS} of {formatCount(sessions.length)}; zoom in to see the rest.
        </p>
      ) : null}
    </div>
  );
}
