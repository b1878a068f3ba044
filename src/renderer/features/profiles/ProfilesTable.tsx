import type { ProfileItem } from '../../../contract/api';
import { useSelectedId, useTimeMode, useWorkspaceActions } from '../../app/workspace/use-workspace';
import { formatWhenCompact } from '../../shared/format';
import { Ident } from '../records/Ident';
import { When } from '../records/When';
import { operationLabel, orderProfiles, profileBadges, profileNames } from './profile-table';
import './profiles.css';

interface Props {
  items: ProfileItem[];
}

/** Configuration profiles installed on a phone and its install/remove events, with risk badges. */
export function ProfilesTable({ items }: Props) {
  const timeMode = useTimeMode();
  const selectedId = useSelectedId();
  const onOpen = useWorkspaceActions().openRecord;
  const rows = orderProfiles(items);
  const names = profileNames(items);
  return (
    <div className="table-wrap">
      <table className="table table-compact table-hover" data-testid="profiles-table">
        <thead>
          <tr>
            <th scope="col">Profile</th>
            <th scope="col">Organisation</th>
            <th scope="col">Record</th>
            <th scope="col">Can</th>
            <th scope="col">Payload types</th>
            <th scope="col">Time</th>
            <th scope="col" className="nowrap">
              By process
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((p) => {
            const badges = profileBadges(p);
            return (
              <tr
                key={p.id}
                data-testid="profile-row"
                data-id={p.id}
                data-operation={p.operation}
                className={selectedId === p.id ? 'row-selected' : undefined}
                tabIndex={0}
                onClick={() => onOpen(p.id)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' || e.key === ' ') {
                    e.preventDefault();
                    onOpen(p.id);
                  }
                }}
              >
                <td>
                  <div>{names.get(p.id) ?? p.identifier}</div>
                  {names.get(p.id) ? (
                    <div className="muted small mono">
                      <Ident text={p.identifier} />
                    </div>
                  ) : null}
                </td>
                <td>{p.organization ?? <span className="muted">—</span>}</td>
                <td className="nowrap">{operationLabel(p.operation)}</td>
                <td className="nowrap">
                  {badges.length === 0 ? (
                    <span className="muted">—</span>
                  ) : (
                    badges.map((b) => (
                      <span
                        key={b.key}
                        className="tag tag-bad profile-badge"
                        title={b.title}
                        data-testid="profile-badge"
                        data-badge={b.key}
                      >
                        {b.label}
                      </span>
                    ))
                  )}
                </td>
                <td className="mono small">
                  {p.payloadTypes.length > 0 ? p.payloadTypes.join(', ') : '—'}
                </td>
                <td>
                  <When text={formatWhenCompact(p.timeMs, p.offsetMin, timeMode)} />
                </td>
                <td className="mono small">{p.process ?? '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
