import { useState } from 'react';
import type { Device } from '../../../contract/api';
import type { AppErrorShape } from '../../../contract/result';
import { useApp } from '../../app/use-app';
import { ErrorBanner } from '../../shared/ErrorBanner';
import { Modal } from '../../shared/Modal';
import { Notice } from '../../shared/Notice';
import { Spinner } from '../../shared/Spinner';
import { formatBytes } from '../../shared/format';
import { DevicePicker } from './DevicePicker';
import { baseName, clampPercent, parsePathList, progressLine } from './import-format';
import { ImportSummary } from './ImportSummary';
import type { ImportControl } from './use-import';

interface Props {
  control: ImportControl;
  devices: Device[];
  initialPaths: string[];
  onClose: () => void;
}

/** Choose files and a device, run the import, follow progress and read the per-file results. */
export function ImportDialog({ control, devices, initialPaths, onClose }: Props) {
  const { client, info } = useApp();
  const [paths, setPaths] = useState<string[]>(initialPaths);
  const [typed, setTyped] = useState('');
  const [deviceId, setDeviceId] = useState<number | null>(
    devices.length === 1 ? (devices[0]?.id ?? null) : null,
  );
  const [error, setError] = useState<AppErrorShape | null>(null);
  const { state } = control;
  const running = state.phase === 'starting' || state.phase === 'running';
  const devserver = info.host === 'devserver';

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

  const allPaths = [...paths, ...parsePathList(typed).filter((p) => !paths.includes(p))];
  const canStart = !running && allPaths.length > 0 && deviceId !== null;

  const start = (): void => {
    if (deviceId === null || allPaths.length === 0) return;
    setError(null);
    void control.start(allPaths, deviceId);
  };

  const again = (): void => {
    control.reset();
    setPaths([]);
    setTyped('');
  };

  const progress = state.progress;
  const percent = progress ? clampPercent(progress.percent) : 0;

  return (
    <Modal
      title="Import exports"
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
        ) : (
          <>
            <button type="button" className="btn" onClick={onClose}>
              Close
            </button>
            <button
              type="button"
              className="btn btn-primary"
              data-testid="start-import"
              disabled={!canStart}
              onClick={start}
            >
              Import{' '}
              {allPaths.length > 0
                ? `${allPaths.length} file${allPaths.length === 1 ? '' : 's'}`
                : ''}
            </button>
          </>
        )
      }
    >
      {state.phase === 'finished' && state.finished ? (
        <ImportSummary finished={state.finished} devices={devices} />
      ) : running ? (
        <section className="import-progress" data-testid="import-progress" aria-live="polite">
          {progress ? (
            <>
              <div className="progress-file" title={progress.path}>
                {baseName(progress.path)}
              </div>
              <div
                className="progress"
                role="progressbar"
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={Math.round(percent)}
                aria-label="Import progress"
              >
                <div className="progress-fill" style={{ width: `${percent}%` }} />
              </div>
              <div className="muted small" data-testid="import-progress-text">
                {progressLine(progress)} · {Math.round(percent)}%
                {progress.totalBytes > 0
                  ? ` · ${formatBytes(progress.bytes)} of ${formatBytes(progress.totalBytes)}`
                  : ''}
              </div>
            </>
          ) : (
            <Spinner label="Starting import…" />
          )}
        </section>
      ) : (
        <>
          <fieldset className="fieldset">
            <legend>Files</legend>
            <div className="row">
              <button
                type="button"
                className="btn"
                data-testid="import-choose-files"
                onClick={() => void choose()}
              >
                Choose files…
              </button>
              <span className="muted small">
                {client.kind === 'electron'
                  ? 'or drop App Privacy Report exports (.ndjson) onto the window.'
                  : 'Drag-and-drop of file paths needs the desktop app.'}
              </span>
            </div>
            {paths.length > 0 ? (
              <ul className="path-list" data-testid="import-paths">
                {paths.map((p) => (
                  <li key={p}>
                    <span className="mono" title={p}>
                      {p}
                    </span>
                    <button
                      type="button"
                      className="btn-icon"
                      aria-label={`Remove ${baseName(p)}`}
                      onClick={() => setPaths((prev) => prev.filter((x) => x !== p))}
                    >
                      ×
                    </button>
                  </li>
                ))}
              </ul>
            ) : null}
            {devserver ? (
              <label className="stack">
                <span className="small">Paths on the dev server machine, one per line</span>
                <textarea
                  className="input mono"
                  rows={3}
                  data-testid="import-paths-input"
                  value={typed}
                  placeholder="/path/to/App_Privacy_Report.ndjson"
                  onChange={(e) => setTyped(e.target.value)}
                />
              </label>
            ) : null}
          </fieldset>
          <DevicePicker devices={devices} value={deviceId} onChange={setDeviceId} />
          {state.phase === 'failed' ? (
            <ErrorBanner error={state.error} title="Import did not start" />
          ) : null}
          <Notice>Source files are hashed and read only; nothing is written next to them.</Notice>
        </>
      )}
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      {state.phase !== 'failed' ? <ErrorBanner error={state.error} /> : null}
    </Modal>
  );
}
