import { useId, useMemo } from 'react';
import { checkTimeZone, examinerZone, zoneSuggestions } from './time-zones';
import './android.css';

interface Props {
  value: string;
  onChange: (value: string) => void;
  label: string;
  /** What the field is for, under it. */
  help?: string;
  required?: boolean;
  testId: string;
  autoFocus?: boolean;
}

/** An IANA time-zone input with suggestions of common zones and a check as the examiner types. */
export function TimeZoneField({
  value,
  onChange,
  label,
  help,
  required = false,
  testId,
  autoFocus = false,
}: Props) {
  const id = useId();
  const suggestions = useMemo(() => zoneSuggestions(examinerZone()), []);
  const check = checkTimeZone(value);
  // An empty required field is not an error until the examiner submits it.
  const invalid = !check.ok;
  return (
    <label className="stack zone-field">
      <span className="small">{label}</span>
      <input
        className={`input${invalid ? ' input-invalid' : ''}`}
        data-testid={testId}
        list={`${id}-zones`}
        placeholder="e.g. Europe/Lisbon"
        spellCheck={false}
        autoComplete="off"
        required={required}
        aria-invalid={invalid}
        aria-describedby={help || invalid ? `${id}-help` : undefined}
        // The retry form exists only to take this value, so it starts in the field.
        autoFocus={autoFocus}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
      <datalist id={`${id}-zones`}>
        {suggestions.map((z) => (
          <option key={z} value={z} />
        ))}
      </datalist>
      <span id={`${id}-help`} className="stack">
        {!check.ok ? (
          <span className="field-error" data-testid={`${testId}-error`}>
            {check.problem}
          </span>
        ) : null}
        {help ? <span className="muted small">{help}</span> : null}
      </span>
    </label>
  );
}
