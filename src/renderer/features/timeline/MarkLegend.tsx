import type { PermissionStatus } from '../../../contract/records';
import { statusLabel } from '../permissions/permission-status';
import { StatusGlyph } from '../permissions/StatusGlyph';
import './marks.css';

const ORDER: PermissionStatus[] = ['granted', 'limited', 'denied', 'unknown'];

interface Props {
  statuses: readonly PermissionStatus[];
}

/** Key of the permission mark shapes on screen. */
export function MarkLegend({ statuses }: Props) {
  const present = new Set(statuses);
  const shown = ORDER.filter((s) => present.has(s));
  if (shown.length === 0) return null;
  return (
    <ul className="legend" aria-label="Permission marks" data-testid="mark-legend">
      <li className="muted">Permission records:</li>
      {shown.map((s) => (
        <li key={s}>
          <StatusGlyph status={s} color="#475569" />
          <span className="mark-legend-label">{statusLabel(s).toLowerCase()}</span>
        </li>
      ))}
    </ul>
  );
}
