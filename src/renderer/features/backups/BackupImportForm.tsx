import { useId, useState } from 'react';
import type { BackupInspection } from '../../../contract/api';
import type { AppErrorShape } from '../../../contract/result';
import { ErrorBanner } from '../../shared/ErrorBanner';
import { examinerOffset } from '../../shared/examiner-time';
import { formatBytes } from '../../shared/format';
import { Spinner } from '../../shared/Spinner';
import { DevicePicker } from '../import/DevicePicker';
import {
  backupDateLabel,
  backupNotes,
  backupTitle,
  derivationLabel,
  encryptionLabel,
  iosLabel,
  modelLabel,
} from './backup-format';
import {
  backupRequest,
  draftLabel,
  isValidTimeZone,
  type BackupDraft,
  type BackupRequest,
} from './backup-flow';
import { useRefreshable } from './use-refreshable';
import './backups.css';

interface Props {
  draft: BackupDraft;
  onDraftChange: (draft: BackupDraft) => void;
  /** The last import of this backup was refused as a whole (e.g. a wrong password). */
  rejected: { message: string; password: boolean } | null;
  /** The start call itself failed. */
  failed: AppErrorShape | null;
  onStart: (request: BackupRequest, name: string) => void;
}

let zoneNames: string[] | null = null;

/** The IANA zone names this runtime knows, for the time-zone suggestions. */
function timeZoneNames(): string[] {
  if (zoneNames === null) {
    try {
      zoneNames = Intl.supportedValuesOf('timeZone');
    } catch {
      zoneNames = [];
    }
  }
  return zoneNames;
}

function Details({ inspection }: { inspection: BackupInspection }) {
  const b = inspection.backup;
  const [nowMs] = useState(() => Date.now());
  return (
    <>
      <header className="backup-form-head">
        <h3 data-testid="backup-form-name">{backupTitle(b)}</h3>
        <span className="muted">
          {modelLabel(b.productType, b.model)} · {iosLabel(b.iosVersion)}
          {b.buildVersion ? ` (${b.buildVersion})` : ''}
        </span>
        <span className={`tag ${b.encrypted ? 'tag-warn' : 'tag-muted'}`}>
          {encryptionLabel(b.encrypted)}
        </span>
      </header>
      <dl className="kv small">
        <dt>Backup made</dt>
        <dd>{backupDateLabel(b.lastBackup, nowMs, examinerOffset)}</dd>
        {b.sizeBytes !== null ? (
          <>
            <dt>Size</dt>
            <dd>{formatBytes(b.sizeBytes)}</dd>
          </>
        ) : null}
        <dt>UDID</dt>
        <dd className="mono">{b.udid ?? 'not recorded'}</dd>
        {b.serial ? (
          <>
            <dt>Serial number</dt>
            <dd className="mono">{b.serial}</dd>
          </>
        ) : null}
        <dt>Folder</dt>
        <dd className="mono break">{b.path}</dd>
      </dl>
      {backupNotes(b).map((n) => (
        <div
          key={n.text}
          className={`banner ${n.tone === 'error' ? 'banner-error' : 'banner-warning'}`}
          data-testid="backup-note"
        >
          <div className="banner-body">{n.text}</div>
        </div>
      ))}
    </>
  );
}

/** Why the last import of this backup stored nothing. */
function Refusal({ rejected }: { rejected: { message: string; password: boolean } }) {
  return (
    <div className="banner banner-error" role="alert" data-testid="backup-import-refused">
      <div className="banner-body">
        <strong>{rejected.password ? 'Wrong password. ' : 'Not imported. '}</strong>
        {rejected.message}
        {rejected.password ? ' Type it again.' : ''}
      </div>
    </div>
  );
}

/**
 * The selected backup: what it is, which device it goes to, an optional time-zone override and,
 * when encrypted, its password. The password lives only in this form and is emptied as soon as
 * the import is asked for.
 */
export function BackupImportForm({ draft, onDraftChange, rejected, failed, onStart }: Props) {
  const id = useId();
  const inspected = useRefreshable('inspectBackup', { path: draft.path });
  const [password, setPassword] = useState('');
  const inspection = inspected.stale ? null : inspected.data;

  if (inspected.error) {
    return (
      <section className="backup-form" data-testid="backup-form">
        <ErrorBanner error={inspected.error} title="This folder cannot be read as a backup" />
      </section>
    );
  }
  if (!inspection) {
    return (
      <section className="backup-form" data-testid="backup-form">
        <Spinner label="Reading the backup…" />
      </section>
    );
  }

  const b = inspection.backup;
  const check = backupRequest(draft, inspection, password);
  const zoneOk = isValidTimeZone(draft.timeZone);
  const needsPassword = b.encrypted === true && !inspection.keysCached;
  // A refused password is reported beside the password field, anything else above the button.
  const passwordRefused = (rejected?.password ?? false) && needsPassword;

  const submit = (): void => {
    if (!check.ok) return;
    // The password goes into this one request and leaves the form's state at once.
    setPassword('');
    onStart(check.request, backupTitle(b));
  };

  return (
    <form
      className="backup-form"
      data-testid="backup-form"
      aria-label={`Import ${backupTitle(b)}`}
      autoComplete="off"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <Details inspection={inspection} />

      <div className="backup-form-grid">
        {inspection.boundDevice ? (
          <fieldset className="fieldset">
            <legend>Device</legend>
            <div className="backup-bound" data-testid="backup-bound-device">
              <strong>{inspection.boundDevice.label}</strong>
              <span className="tag tag-muted">locked</span>
            </div>
            <p className="muted small">
              This phone (its UDID) is already the device “{inspection.boundDevice.label}” in this
              case, so the backup’s records join that device. Every backup of one phone belongs to
              one device.
            </p>
          </fieldset>
        ) : (
          <DevicePicker
            value={draft.deviceId}
            onChange={(deviceId) => onDraftChange({ ...draft, deviceId })}
            newDevice={{
              label: draftLabel(draft, b),
              onLabelChange: (label) => onDraftChange({ ...draft, label }),
              hint: 'The device is bound to this phone’s UDID: later backups of it join the same device.',
            }}
          />
        )}

        <fieldset className="fieldset">
          <legend>Time zone (optional)</legend>
          <input
            className={`input${zoneOk ? '' : ' input-invalid'}`}
            data-testid="backup-time-zone"
            aria-label="Time zone override"
            aria-invalid={!zoneOk}
            aria-describedby={`${id}-zone-help`}
            list={`${id}-zones`}
            placeholder="e.g. Europe/Zurich"
            spellCheck={false}
            value={draft.timeZone}
            onChange={(e) => onDraftChange({ ...draft, timeZone: e.target.value })}
          />
          <datalist id={`${id}-zones`}>
            {timeZoneNames().map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
          <p className="muted small" id={`${id}-zone-help`}>
            Needed only when the backup does not record the phone’s time zone (the summary then says
            so). Leave empty to use the backup’s own.
          </p>
          {!zoneOk ? <p className="field-error">Not a time zone name this app knows.</p> : null}
        </fieldset>
      </div>

      {b.encrypted === true ? (
        <fieldset className="fieldset">
          <legend>Backup password</legend>
          {rejected && passwordRefused ? <Refusal rejected={rejected} /> : null}
          {inspection.keysCached ? (
            <p className="small" data-testid="backup-keys-cached">
              {derivationLabel(inspection.derivationSeconds, true)}
            </p>
          ) : (
            <>
              <input
                className={`input${rejected?.password ? ' input-invalid' : ''}`}
                type="password"
                autoComplete="off"
                spellCheck={false}
                data-testid="backup-password"
                aria-label="Backup password"
                aria-describedby={`${id}-password-help`}
                aria-invalid={rejected?.password ?? false}
                // A refused password sends the examiner straight back to this field.
                autoFocus={rejected?.password ?? false}
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
              <p className="muted small" id={`${id}-password-help`} data-testid="backup-derivation">
                The password set in Finder or iTunes when encryption was turned on, not the phone’s
                passcode. {derivationLabel(inspection.derivationSeconds, false)} It is used for this
                import only and never stored.
              </p>
            </>
          )}
        </fieldset>
      ) : null}

      {rejected && !passwordRefused ? <Refusal rejected={rejected} /> : null}
      <ErrorBanner error={failed} title="The import did not start" />

      <div className="backup-form-actions">
        {!check.ok ? (
          <span
            className="muted small"
            id={`${id}-start-problem`}
            data-testid="backup-start-problem"
          >
            {check.problem}
          </span>
        ) : needsPassword ? (
          <span className="muted small">Unlocking starts when you import.</span>
        ) : null}
        <button
          type="submit"
          className="btn btn-primary"
          data-testid="start-backup-import"
          disabled={!check.ok}
          aria-describedby={check.ok ? undefined : `${id}-start-problem`}
        >
          Import backup
        </button>
      </div>
    </form>
  );
}
