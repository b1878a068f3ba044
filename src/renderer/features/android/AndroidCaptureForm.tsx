import type { AndroidDevice } from '../../../contract/api';
import { useCase } from '../../app/workspace/use-workspace';
import { maskIdentifier } from '../../../contract/mask';
import { DevicePicker } from '../import/DevicePicker';
import {
  boundDevice,
  captureLabel,
  captureRequest,
  MAX_WATCH_MINUTES,
  type CaptureDraft,
  type CaptureRequest,
} from './android-flow';
import { phoneLabel } from './android-format';
import { checkTimeZone } from './time-zones';
import { TimeZoneField } from './TimeZoneField';
import './android.css';

interface Props {
  phone: AndroidDevice;
  draft: CaptureDraft;
  onDraftChange: (draft: CaptureDraft) => void;
  /** Another capture is running, or starting. */
  busy: boolean;
  onStart: (request: CaptureRequest, name: string) => void;
}

/** A ready phone: which device its captures go into, its time zone, and capture once or watch. */
export function AndroidCaptureForm({ phone, draft, onDraftChange, busy, onStart }: Props) {
  const { devices } = useCase();
  const once = captureRequest(draft, phone, 'once');
  const watch = captureRequest(draft, phone, 'watch');
  const bound = boundDevice(devices, phone.serial);
  const name = phoneLabel(phone);
  // The interval matters to the watch only; anything else stops both buttons. A wrong zone is
  // already said under its field.
  const problem = !checkTimeZone(draft.timeZone).ok
    ? null
    : !once.ok
      ? once.problem
      : !watch.ok
        ? watch.problem
        : null;

  const go = (mode: 'once' | 'watch'): void => {
    const check = mode === 'once' ? once : watch;
    if (check.ok) onStart(check.request, name);
  };

  return (
    <form
      className="capture-form"
      data-testid="android-capture-form"
      aria-label={`Capture ${name}`}
      onSubmit={(e) => {
        e.preventDefault();
        go('once');
      }}
    >
      <header className="capture-form-head">
        <h3>{name}</h3>
        <span className="muted mono small">serial {maskIdentifier(phone.serial)}</span>
      </header>
      <div className="capture-form-grid">
        <DevicePicker
          value={draft.deviceId}
          onChange={(deviceId) => onDraftChange({ ...draft, deviceId })}
          newDevice={{
            label: captureLabel(draft, phone),
            onLabelChange: (label) => onDraftChange({ ...draft, label }),
            hint: bound
              ? `This phone (its serial) is already the device “${bound.label}” in this case; its captures belong there.`
              : 'The device is bound to this phone’s serial: later captures of it join the same device.',
          }}
        />
        <fieldset className="fieldset">
          <legend>Time zone (optional)</legend>
          <TimeZoneField
            value={draft.timeZone}
            onChange={(timeZone) => onDraftChange({ ...draft, timeZone })}
            label="Phone’s time zone (IANA name)"
            help="Leave empty: the phone reports its own (persist.sys.timezone). A zone given here replaces it."
            testId="android-time-zone"
          />
        </fieldset>
      </div>
      <div className="capture-actions">
        <button
          type="submit"
          className="btn btn-primary"
          data-testid="android-capture-once"
          disabled={busy || !once.ok}
        >
          Capture once
        </button>
        <span className="muted small">or</span>
        <div className="capture-watch">
          <button
            type="button"
            className="btn"
            data-testid="android-watch-start"
            disabled={busy || !watch.ok}
            onClick={() => go('watch')}
          >
            Watch
          </button>
          <label className="capture-watch-label">
            <span>every</span>
            <input
              className={`input input-small${!watch.ok && once.ok ? ' input-invalid' : ''}`}
              type="number"
              inputMode="numeric"
              min={1}
              max={MAX_WATCH_MINUTES}
              step={1}
              data-testid="android-watch-minutes"
              aria-label="Minutes between captures"
              value={draft.watchMinutes}
              onChange={(e) => onDraftChange({ ...draft, watchMinutes: e.target.value })}
            />
            <span>minutes</span>
          </label>
        </div>
      </div>
      {problem ? (
        <p className="field-error" data-testid="android-capture-problem">
          {problem}
        </p>
      ) : null}
      <p className="muted small">
        A capture reads app-op accesses, usage events, packages and properties over adb (nothing is
        installed on the phone) into the case’s <span className="mono">captures</span> folder, then
        imports it. A watch repeats it until stopped, so accesses overwritten on the phone between
        two captures are still kept.
      </p>
    </form>
  );
}
