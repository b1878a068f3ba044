import type { TimeMode } from '../../shared/format';

interface Props {
  mode: TimeMode;
  onChange: (mode: TimeMode) => void;
  testIdPrefix: string;
}

/** Device-local or UTC, the same switch as the timeline's (they share one setting). */
export function TimeModeToggle({ mode, onChange, testIdPrefix }: Props) {
  return (
    <div className="btn-group" role="group" aria-label="Time zone">
      <button
        type="button"
        className={mode === 'local' ? 'btn btn-small btn-on' : 'btn btn-small'}
        aria-pressed={mode === 'local'}
        data-testid={`${testIdPrefix}-time-local`}
        onClick={() => onChange('local')}
      >
        Device-local
      </button>
      <button
        type="button"
        className={mode === 'utc' ? 'btn btn-small btn-on' : 'btn btn-small'}
        aria-pressed={mode === 'utc'}
        data-testid={`${testIdPrefix}-time-utc`}
        onClick={() => onChange('utc')}
      >
        UTC
      </button>
    </div>
  );
}
