import { useState } from 'react';
import type { BackupSummary } from '../../../contract/records';
import type { AppErrorShape } from '../../../contract/result';
import { useApp } from '../../app/use-app';
import { useCase, useImportControl } from '../../app/workspace/use-workspace';
import { ErrorBanner } from '../../shared/ErrorBanner';
import { Modal } from '../../shared/Modal';
import { Notice } from '../../shared/Notice';
import { Spinner } from '../../shared/Spinner';
import { ConnectedAndroid } from '../android/ConnectedAndroid';
import { checkTimeZone } from '../android/time-zones';
import { TimeZoneField } from '../android/TimeZoneField';
import { BackupChooser } from '../backups/BackupChooser';
import { BackupImportForm } from '../backups/BackupImportForm';
import { BackupProgress } from '../backups/BackupProgress';
import { ConnectedPhones } from '../backups/ConnectedPhones';
import { dropNotice, newDraft, type BackupDraft } from '../backups/backup-flow';
import { useDeviceBackup } from '../backups/use-device-backup';
import { useDroppedPaths } from '../backups/use-dropped-paths';
import { DevicePicker } from './DevicePicker';
import { parsePathList } from './import-format';
import { importBlockers } from './import-notes';
import { FileProgress } from './FileProgress';
import { FilesFieldset } from './FilesFieldset';
import { ImportModes, modeLabel, type ImportMode } from './ImportModes';
import { ImportSummary } from './ImportSummary';
import '../backups/backups.css';

interface Props {
  /** Paths dropped on the window: backup folders go to the backup import, the rest to files. */
  initialPaths: readonly string[];
  onClose: () => void;
}

/**
 * Import exports and Android captures, an iPhone backup, a fresh backup of a connected iPhone,
 * or a capture of a connected Android phone; follow progress and read the per-file (or
 * per-artifact) results. A running Android capture or watch lives with `control`, so the dialog
 * reopens on it.
 */
export function ImportDialog({ initialPaths, onClose }: Props) {
  const control = useImportControl();
  const { devices } = useCase();
  const { client, info } = useApp();
  const { state } = control;
  // Dropped paths go to Files (or a backup); else a running Android capture is shown first.
  const [mode, setMode] = useState<ImportMode>(
    initialPaths.length === 0 && control.android.active
      ? 'android'
      : state.kind === 'backup'
        ? 'backup'
        : 'files',
  );
  const [zone, setZone] = useState('');
  const [paths, setPaths] = useState<string[]>([]);
  const [typed, setTyped] = useState('');
  const [deviceId, setDeviceId] = useState<number | null>(
    devices.length === 1 ? (devices[0]?.id ?? null) : null,
  );
  const [draft, setDraft] = useState<BackupDraft | null>(
    state.kind === 'backup' && state.backup ? newDraft(state.backup.path) : null,
  );
  const [pinned, setPinned] = useState<BackupSummary[]>([]);
  const [dropped, setDropped] = useState<string | null>(null);
  const [error, setError] = useState<AppErrorShape | null>(null);
  const deviceBackup = useDeviceBackup();
  const running = state.phase === 'starting' || state.phase === 'running';
  const devserver = info.host === 'devserver';

  const { sorting } = useDroppedPaths(initialPaths, ({ backups, files }) => {
    setPaths(files);
    setPinned(backups.map((b) => b.backup));
    setDropped(dropNotice(backups.length, files.length));
    const first = backups[0];
    if (first) {
      setMode('backup');
      setDraft(newDraft(first.backup.path));
    }
  });

  const choose = async (): Promise<void> => {
    const r = await client.call('pickImportFiles', {});
    if (!r.ok) {
      setError(r.error);
      return;
    }
    if (r.value.length === 0 && devserver) {
      setError({
        code: 'UNSUPPORTED',
        message: 'No file dialog in the browser: type the paths below, one per line.',
      });
      return;
    }
    setPaths((prev) => [...prev, ...r.value.filter((p) => !prev.includes(p))]);
  };

  // An AndroidQF or dumpsys folder is imported as one capture.
  const chooseFolder = async (): Promise<void> => {
    const r = await client.call('pickFolder', { mode: 'open' });
    if (!r.ok) {
      setError(r.error);
      return;
    }
    const folder = r.value;
    if (folder === null) {
      if (devserver) {
        setError({
          code: 'UNSUPPORTED',
          message: 'No folder dialog in the browser: type the paths below, one per line.',
        });
      }
      return;
    }
    setPaths((prev) => (prev.includes(folder) ? prev : [...prev, folder]));
  };

  const selectBackup = (path: string): void => {
    if (draft?.path === path) return;
    setDraft(newDraft(path));
  };

  // A backup just made from a connected iPhone: list it and open it in the backup import.
  const importMade = async (path: string): Promise<void> => {
    const r = await client.call('inspectBackup', { path });
    if (!r.ok) {
      setError(r.error);
      return;
    }
    const summary = r.value.backup;
    setPinned((prev) => [summary, ...prev.filter((b) => b.path !== summary.path)]);
    setDraft(newDraft(summary.path));
    setMode('backup');
  };

  const allPaths = [...paths, ...parsePathList(typed).filter((p) => !paths.includes(p))];
  const zoneCheck = checkTimeZone(zone);
  const canStart = !running && allPaths.length > 0 && deviceId !== null && zoneCheck.ok;
  const blocker = importBlockers({
    paths: allPaths.length,
    typed: devserver && paths.length === 0,
    deviceChosen: deviceId !== null,
    hasDevices: devices.length > 0,
    zone: zoneCheck,
  });

  const start = (): void => {
    if (deviceId === null || allPaths.length === 0 || !zoneCheck.ok) return;
    setError(null);
    void control.start(allPaths, deviceId, zoneCheck.zone);
  };

  const again = (): void => {
    control.reset();
    setPaths([]);
    setTyped('');
    setDraft(null);
    setDropped(null);
    setZone('');
  };

  const progress = state.progress;
  const backupState = state.kind === 'backup' ? state.backup : null;

  const filesView = (
    <>
      <FilesFieldset
        paths={paths}
        onRemove={(p) => setPaths((prev) => prev.filter((x) => x !== p))}
        onChooseFiles={() => void choose()}
        onChooseFolder={() => void chooseFolder()}
        typed={devserver ? typed : null}
        onTyped={setTyped}
      />
      <div className="files-grid">
        <DevicePicker value={deviceId} onChange={setDeviceId} />
        <fieldset className="fieldset">
          <legend>Phone’s time zone (Android captures)</legend>
          <TimeZoneField
            value={zone}
            onChange={setZone}
            label="IANA name, optional"
            help="Only for an Android capture that does not record the phone’s time zone (the import then asks). A zone given here replaces the one a capture records."
            testId="import-time-zone"
          />
        </fieldset>
      </div>
      {state.phase === 'failed' && state.kind === 'files' ? (
        <ErrorBanner error={state.error} title="Import did not start" />
      ) : null}
      <Notice>Source files are hashed and read only; nothing is written next to them.</Notice>
    </>
  );

  const backupView = (
    <div className="backup-mode">
      <BackupChooser pinned={pinned} selected={draft?.path ?? null} onSelect={selectBackup} />
      {draft ? (
        <BackupImportForm
          key={draft.path}
          draft={draft}
          onDraftChange={setDraft}
          rejected={
            state.phase === 'idle' && backupState?.path === draft.path ? state.rejected : null
          }
          failed={state.phase === 'failed' && state.kind === 'backup' ? state.error : null}
          onStart={(request, name) => {
            setError(null);
            void control.startBackup(request, name);
          }}
        />
      ) : (
        <p className="muted small" data-testid="backup-none-selected">
          Select a backup above (arrow keys and Enter work too).
        </p>
      )}
      <Notice>
        Backups are read only: nothing is written into the backup folder, and decrypted files stay
        in memory.
      </Notice>
    </div>
  );

  return (
    <Modal
      title="Import"
      onClose={onClose}
      testId="import-dialog"
      wide
      footer={
        state.phase === 'finished' ? (
          <>
            <button type="button" className="btn" data-testid="import-again" onClick={again}>
              Import more
            </button>
            <button
              type="button"
              className="btn btn-primary"
              data-testid="import-done"
              onClick={onClose}
            >
              Done
            </button>
          </>
        ) : running ? (
          <>
            <button type="button" className="btn" onClick={onClose}>
              Hide
            </button>
            <button
              type="button"
              className="btn btn-danger"
              data-testid="cancel-import"
              disabled={state.cancelling || state.importId === null}
              onClick={() => void control.cancel()}
            >
              {state.cancelling ? 'Cancelling…' : 'Cancel import'}
            </button>
          </>
        ) : mode === 'files' ? (
          <>
            {blocker ? (
              <p className="modal-footer-note" id="import-blocked" data-testid="import-blocked">
                {blocker}
              </p>
            ) : null}
            <button type="button" className="btn" onClick={onClose}>
              Close
            </button>
            <button
              type="button"
              className="btn btn-primary"
              data-testid="start-import"
              disabled={!canStart}
              aria-describedby={blocker ? 'import-blocked' : undefined}
              onClick={start}
            >
              Import{' '}
              {allPaths.length > 0
                ? `${allPaths.length} file${allPaths.length === 1 ? '' : 's'}`
                : ''}
            </button>
          </>
        ) : (
          <button type="button" className="btn" data-testid="import-close" onClick={onClose}>
            {control.android.active ? 'Hide' : 'Close'}
          </button>
        )
      }
    >
      {state.phase === 'finished' && state.finished ? (
        <ImportSummary
          finished={state.finished}
          onRetryWithTimeZone={
            state.kind === 'files'
              ? (retryPaths, retryDevice, timeZone) =>
                  void control.start(retryPaths, retryDevice, timeZone)
              : undefined
          }
        />
      ) : running && backupState ? (
        <BackupProgress name={backupState.name} path={backupState.path} progress={progress} />
      ) : running ? (
        <FileProgress progress={progress} />
      ) : sorting ? (
        <Spinner label="Looking at what was dropped…" />
      ) : (
        <>
          <ImportModes mode={mode} onMode={setMode} />
          {dropped ? (
            <Notice tone="warning" testId="import-drop-notice" onDismiss={() => setDropped(null)}>
              {dropped}
            </Notice>
          ) : null}
          <div role="tabpanel" aria-label={modeLabel(mode)}>
            {mode === 'files' ? (
              filesView
            ) : mode === 'backup' ? (
              backupView
            ) : mode === 'connected' ? (
              <ConnectedPhones backup={deviceBackup} onImport={(p) => void importMade(p)} />
            ) : (
              <ConnectedAndroid />
            )}
          </div>
        </>
      )}
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      {state.phase !== 'failed' ? <ErrorBanner error={state.error} /> : null}
    </Modal>
  );
}
