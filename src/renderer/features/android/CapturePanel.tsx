import { useCase, useImportControl } from '../../app/workspace/use-workspace';
import { maskIdentifier } from '../../../contract/mask';
import { ErrorBanner } from '../../shared/ErrorBanner';
import { examinerOffset } from '../../shared/examiner-time';
import { formatDuration, plural } from '../../shared/format';
import { baseName } from '../import/import-format';
import {
  addedLabel,
  capturePhaseLabel,
  captureWorking,
  countdownLabel,
  examinerClockLabel,
} from './android-format';
import { useNow } from './use-now';
import './android.css';

/**
 * The capture or watch followed: what it is doing, when the next capture comes (on this
 * computer's clock, with a countdown), what each capture added or why it failed, and Stop.
 */
export function CapturePanel() {
  const control = useImportControl().android;
  const { devices } = useCase();
  const { state, active } = control;
  const status = state.status;
  const watch = state.watchMinutes !== null;
  const phase = status?.phase ?? 'capturing';
  const waitingNext = watch && phase === 'waiting' && status?.nextCaptureAt != null;
  const now = useNow(waitingNext);
  const history = status?.history ?? [];
  const device =
    status?.deviceId != null ? (devices.find((d) => d.id === status.deviceId) ?? null) : null;

  if (state.serial === null) return null;
  if (state.captureId === null && !state.starting) {
    return <ErrorBanner error={state.error} title="The capture did not start" />;
  }

  return (
    <section
      className="capture-panel"
      data-testid="android-capture-status"
      data-phase={state.starting && !status ? 'starting' : phase}
      aria-label={watch ? 'Watch' : 'Capture'}
    >
      <div className="row">
        <div className="grow" aria-live="polite">
          <strong data-testid="android-capture-phase">
            {state.starting && !status ? 'Starting' : capturePhaseLabel(phase, watch)}
          </strong>{' '}
          — {state.name} <span className="muted mono small">{maskIdentifier(state.serial)}</span>
        </div>
        {active ? (
          <button
            type="button"
            className="btn btn-danger"
            data-testid="android-capture-stop"
            disabled={state.stopping || state.captureId === null}
            onClick={() => void control.stop()}
          >
            {state.stopping ? 'Stopping…' : watch ? 'Stop watching' : 'Stop capture'}
          </button>
        ) : (
          <button
            type="button"
            className="btn btn-quiet"
            data-testid="android-capture-dismiss"
            onClick={control.dismiss}
          >
            Dismiss
          </button>
        )}
      </div>
      <div className="muted small">
        {watch ? `A capture every ${plural(state.watchMinutes ?? 0, 'minute')}` : 'One capture'}
        {device ? ` into the device “${device.label}”` : ''}
        {watch && history.length > 0 ? ` · ${plural(history.length, 'capture')} so far` : ''}
      </div>
      {state.starting || (status && captureWorking(status.phase)) ? (
        <div
          className="progress progress-indeterminate"
          role="progressbar"
          aria-label={capturePhaseLabel(phase, watch)}
        >
          <div className="progress-fill" style={{ width: '30%' }} />
        </div>
      ) : null}
      {waitingNext && status?.nextCaptureAt != null ? (
        <div className="capture-next" data-testid="android-next-capture">
          Next capture at{' '}
          <strong>{examinerClockLabel(status.nextCaptureAt, now, examinerOffset)}</strong>{' '}
          <span className="muted">(this computer’s clock)</span> · in{' '}
          <strong className="mono" data-testid="android-countdown">
            {countdownLabel(status.nextCaptureAt - now)}
          </strong>
        </div>
      ) : null}
      {history.length > 0 ? (
        <ol className="capture-history" aria-label="Captures" reversed>
          {[...history].reverse().map((h) => (
            <li
              key={`${h.folder}-${h.startedAt}`}
              className="capture-entry"
              data-testid="android-capture-entry"
            >
              <span className="capture-entry-time" title={h.folder}>
                {examinerClockLabel(h.startedAt, now, examinerOffset)}
                <span className="muted small"> · {formatDuration(h.finishedAt - h.startedAt)}</span>
              </span>
              {h.error !== null ? (
                <span className="capture-entry-error" role="note">
                  {h.error}
                </span>
              ) : (
                <span className={h.added ? 'capture-entry-added' : 'muted'}>
                  {h.added ? addedLabel(h.added) : 'Not imported'}
                </span>
              )}
              <span className="muted small mono capture-entry-folder" title={h.folder}>
                {baseName(h.folder)}
              </span>
            </li>
          ))}
        </ol>
      ) : null}
      {active && watch ? (
        <p className="muted small" data-testid="android-watch-note">
          The watch keeps running when this window is closed: open Import › Connected Android again
          to follow it or stop it. Each capture is saved in the case’s{' '}
          <span className="mono">captures</span> folder and imported; the views refresh by
          themselves.
        </p>
      ) : null}
      <ErrorBanner error={state.error} title="The capture could not be stopped" />
    </section>
  );
}
