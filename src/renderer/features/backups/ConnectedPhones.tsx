import { useState } from 'react';
import type { ConnectedDevice } from '../../../contract/api';
import { maskIdentifier } from '../../../contract/mask';
import type { AppErrorShape } from '../../../contract/result';
import { useApp } from '../../app/use-app';
import { EmptyState } from '../../shared/EmptyState';
import { ErrorBanner } from '../../shared/ErrorBanner';
import { Spinner } from '../../shared/Spinner';
import { clampPercent } from '../import/import-format';
import { deviceBackupPhaseLabel, iosLabel, modelLabel } from './backup-format';
import { missingTools } from './backup-flow';
import type { DeviceBackupControl } from './use-device-backup';
import { useRefreshable } from './use-refreshable';
import './backups.css';

interface Props {
  backup: DeviceBackupControl;
  /** Opens a finished backup in the backup import flow. */
  onImport: (path: string) => void;
}

function DeviceBackupStatus({
  control,
  name,
  onImport,
}: {
  control: DeviceBackupControl;
  name: string;
  onImport: (path: string) => void;
}) {
  const { state, running } = control;
  const p = state.progress;
  const phase = p?.phase ?? 'starting';
  const percent = p?.percent ?? null;
  return (
    <section
      className="device-backup"
      data-testid="device-backup-progress"
      data-phase={phase}
      aria-live="polite"
    >
      <div className="row">
        <strong className="grow">
          {deviceBackupPhaseLabel(phase)} — {name}
          {percent !== null && running ? ` · ${Math.round(clampPercent(percent))}%` : ''}
        </strong>
        {running ? (
          <button
            type="button"
            className="btn btn-danger"
            data-testid="device-backup-cancel"
            disabled={state.cancelling || state.backupId === null}
            onClick={() => void control.cancel()}
          >
            {state.cancelling ? 'Cancelling…' : 'Cancel backup'}
          </button>
        ) : (
          <button
            type="button"
            className="btn btn-quiet"
            data-testid="device-backup-dismiss"
            onClick={control.dismiss}
          >
            Dismiss
          </button>
        )}
      </div>
      {phase === 'waiting-for-passcode' ? (
        <div className="passcode-callout" role="alert" data-testid="device-backup-passcode">
          <strong>Enter the passcode on the iPhone.</strong> The phone asks for it before it starts
          an encrypted backup. Unlock it and type the passcode on its screen; the backup continues
          by itself.
        </div>
      ) : null}
      {running ? (
        <div
          className={`progress${percent === null ? ' progress-indeterminate' : ''}`}
          role="progressbar"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent === null ? undefined : Math.round(clampPercent(percent))}
          aria-label="Backup progress"
        >
          <div
            className="progress-fill"
            style={{ width: percent === null ? '30%' : `${clampPercent(percent)}%` }}
          />
        </div>
      ) : null}
      <div className="muted small" data-testid="device-backup-message">
        {p?.message ?? 'Starting the backup tool…'}
      </div>
      {p?.backupPath && !p.message.includes(p.backupPath) ? (
        <div className="small">
          Backup folder <span className="mono break">{p.backupPath}</span>
        </div>
      ) : null}
      {phase === 'done' && p?.backupPath ? (
        <div className="row">
          <button
            type="button"
            className="btn btn-primary"
            data-testid="device-backup-import"
            onClick={() => onImport(p.backupPath ?? '')}
          >
            Import this backup
          </button>
        </div>
      ) : null}
    </section>
  );
}

function PhoneRow({
  phone,
  disabled,
  onBackUp,
}: {
  phone: ConnectedDevice;
  disabled: boolean;
  onBackUp: () => void;
}) {
  return (
    <li className="phone-row" data-testid="connected-device">
      <div className="grow">
        <div className="backup-row-head">
          <span className="backup-row-name">{phone.name ?? 'iPhone'}</span>
          <span className="muted">{modelLabel(phone.productType, phone.model)}</span>
          <span className="muted">· {iosLabel(phone.iosVersion)}</span>
        </div>
        <div className="muted small mono">UDID {maskIdentifier(phone.udid)}</div>
        {phone.problem ? (
          <div className="backup-row-note backup-row-note-warning small">{phone.problem}</div>
        ) : null}
      </div>
      <button
        type="button"
        className="btn"
        data-testid="device-backup-start"
        disabled={disabled || phone.problem !== null}
        onClick={onBackUp}
      >
        Back up…
      </button>
    </li>
  );
}

/**
 * iPhones connected by USB: whether the backup tools are installed (and what to install when
 * not), each phone, and a fresh backup of one with live progress, ready to import when done.
 */
export function ConnectedPhones({ backup, onImport }: Props) {
  const { client, info } = useApp();
  const listed = useRefreshable('listConnectedDevices', {});
  const [destination, setDestination] = useState('');
  const [error, setError] = useState<AppErrorShape | null>(null);
  const devserver = info.host === 'devserver';
  const data = listed.data;
  const missing = data ? missingTools(data.tools) : [];
  const backingUp = backup.state.udid;
  const backingUpName =
    data?.devices.find((d) => d.udid === backingUp)?.name ??
    (backingUp ? `iPhone ${maskIdentifier(backingUp) ?? ''}` : '');

  const backUp = async (udid: string): Promise<void> => {
    setError(null);
    let folder = destination.trim();
    if (folder === '') {
      const r = await client.call('pickFolder', { mode: 'create' });
      if (!r.ok) {
        setError(r.error);
        return;
      }
      if (r.value === null) {
        if (devserver) {
          setError({
            code: 'UNSUPPORTED',
            message:
              'No folder dialog in the browser: type the destination folder below, then Back up again.',
          });
        }
        return;
      }
      folder = r.value;
    }
    await backup.start(udid, folder);
  };

  return (
    <section className="connected" data-testid="connected-devices" aria-label="Connected iPhone">
      <div className="row">
        <span className="small muted grow">
          Make a fresh backup of an iPhone connected by USB, then import it. The phone must be
          unlocked and trust this computer.
        </span>
        <button
          type="button"
          className="btn"
          data-testid="refresh-connected"
          disabled={listed.loading}
          onClick={listed.refresh}
        >
          {listed.loading && data ? 'Looking…' : 'Refresh'}
        </button>
      </div>
      {listed.error ? <ErrorBanner error={listed.error} title="Could not ask for phones" /> : null}
      {data === null && listed.loading ? <Spinner label="Looking for connected iPhones…" /> : null}
      {data?.installHint ? (
        <div className="install-hint" role="status" data-testid="install-hint">
          <strong>
            {missing.length > 0
              ? `Backup tools missing: ${missing.join(', ')}`
              : 'Backup tools missing'}
          </strong>
          <p>{data.installHint}</p>
          <p className="small">Existing backups can still be imported under “iPhone backup”.</p>
        </div>
      ) : null}
      {data?.problem && !data.installHint ? (
        <div className="banner banner-warning" role="status" data-testid="connected-problem">
          <div className="banner-body">{data.problem}</div>
        </div>
      ) : null}
      {data && data.devices.length > 0 ? (
        <ul className="phone-list" aria-label="Connected iPhones">
          {data.devices.map((d) => (
            <PhoneRow
              key={d.udid}
              phone={d}
              disabled={backup.running || missing.length > 0}
              onBackUp={() => void backUp(d.udid)}
            />
          ))}
        </ul>
      ) : data && missing.length === 0 && !data.problem ? (
        <EmptyState title="No iPhone connected" testId="connected-empty">
          Connect the iPhone with a cable, unlock it, tap “Trust” on its screen, then Refresh.
        </EmptyState>
      ) : null}
      {data && data.devices.length > 0 && devserver ? (
        <label className="stack">
          <span className="small">Destination folder on the dev server machine</span>
          <input
            className="input mono"
            data-testid="device-backup-folder"
            placeholder="/path/to/new-backups"
            value={destination}
            onChange={(e) => setDestination(e.target.value)}
          />
        </label>
      ) : null}
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <ErrorBanner error={backup.state.error} title="The backup did not start" />
      {backup.state.udid && (backup.running || backup.state.progress) ? (
        <DeviceBackupStatus control={backup} name={backingUpName} onImport={onImport} />
      ) : null}
    </section>
  );
}
