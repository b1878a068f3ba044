import type { SourceInfo } from '../../../contract/api';
import { useCase } from '../../app/workspace/use-workspace';
import { ConfirmDialog } from '../../shared/ConfirmDialog';
import { formatCount, plural } from '../../shared/format';

/** A change of the case's sources waiting for the examiner's confirmation. */
export type PendingChange =
  { kind: 'remove'; source: SourceInfo } | { kind: 'move'; source: SourceInfo; to: number };

interface Props {
  pending: PendingChange;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/** Asks before a source is removed or moved, saying what goes with it. */
export function SourceChangeDialog({ pending, busy, onConfirm, onCancel }: Props) {
  const { devices } = useCase();
  const label = (id: number): string => devices.find((d) => d.id === id)?.label ?? `Device ${id}`;
  return (
    <ConfirmDialog
      title={
        pending.kind === 'remove'
          ? 'Remove source from the case?'
          : 'Move source to another device?'
      }
      confirmLabel={pending.kind === 'remove' ? 'Remove source' : 'Move source'}
      danger={pending.kind === 'remove'}
      busy={busy}
      onConfirm={onConfirm}
      onCancel={onCancel}
    >
      {pending.kind === 'remove' ? (
        <>
          <p>
            <strong>{pending.source.fileName}</strong> will be removed from device{' '}
            <strong>{label(pending.source.deviceId)}</strong>:
          </p>
          <ul>
            <li>
              the {plural(pending.source.counts.access, 'access record')},{' '}
              {plural(pending.source.counts.network, 'network record')} and{' '}
              {plural(pending.source.counts.records, 'other record')} read from it
            </li>
            <li>its {plural(pending.source.warnings, 'import warning')}</li>
            <li>
              the access sessions built from its records (
              {formatCount(pending.source.counts.sessions)} at import time)
            </li>
          </ul>
          <p className="muted small">
            SHA-256 <span className="mono break">{pending.source.sha256}</span>. Only the case file
            changes; the original export on disk is not touched and can be imported again.
          </p>
        </>
      ) : (
        <>
          <p>
            <strong>{pending.source.fileName}</strong> and everything read from it (
            {plural(pending.source.counts.access, 'access record')},{' '}
            {plural(pending.source.counts.network, 'network record')}) will move from{' '}
            <strong>{label(pending.source.deviceId)}</strong> to{' '}
            <strong>{label(pending.to)}</strong>.
          </p>
          <p className="muted small">
            Only the case file changes; the original export on disk is not touched.
          </p>
        </>
      )}
    </ConfirmDialog>
  );
}
