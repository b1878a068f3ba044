import type { TimeMode } from '../../shared/format';

interface ZoomProps {
  /** Prefix of the buttons' test ids (`timeline` → `timeline-zoom-in`). */
  testIdPrefix: string;
  onZoom: (factor: number) => void;
  onReset: () => void;
  resetDisabled?: boolean;
}

/** Zoom out, zoom in and fit, as one button group. */
export function ZoomButtons({ testIdPrefix, onZoom, onReset, resetDisabled }: ZoomProps) {
  return (
    <div className="btn-group" role="group" aria-label="Zoom">
      <button
        type="button"
        className="btn btn-small"
        aria-label="Zoom out"
        data-testid={`${testIdPrefix}-zoom-out`}
        onClick={() => onZoom(2)}
      >
        −
      </button>
      <button
        type="button"
        className="btn btn-small"
        aria-label="Zoom in"
        data-testid={`${testIdPrefix}-zoom-in`}
        onClick={() => onZoom(0.5)}
      >
        +
      </button>
      <button
        type="button"
        className="btn btn-small"
        data-testid={`${testIdPrefix}-zoom-reset`}
        disabled={resetDisabled}
        onClick={onReset}
      >
        Fit
      </button>
    </div>
  );
}

/** Device-local or UTC, as one button group. */
export function TimeModeButtons({
  timeMode,
  onChange,
  withTestIds = false,
}: {
  timeMode: TimeMode;
  onChange: (mode: TimeMode) => void;
  withTestIds?: boolean;
}) {
  const button = (mode: 'local' | 'utc', label: string) => (
    <button
      type="button"
      className={timeMode === mode ? 'btn btn-small btn-on' : 'btn btn-small'}
      aria-pressed={timeMode === mode}
      data-testid={withTestIds ? `time-mode-${mode}` : undefined}
      onClick={() => onChange(mode)}
    >
      {label}
    </button>
  );
  return (
    <div className="btn-group" role="group" aria-label="Time zone">
      {button('local', 'Device-local')}
      {button('utc', 'UTC')}
    </div>
  );
}
