import { useState } from 'react';
import { parseIsoDate } from './time-format';
import './fields.css';

interface Props {
  /** `YYYY-MM-DD`, or '' for none. */
  value: string;
  /** Called with a real `YYYY-MM-DD`, or '' when the field is emptied; never with a partial date. */
  onChange: (date: string) => void;
  label: string;
  testId: string;
  className?: string;
}

/**
 * A device-local day typed as `YYYY-MM-DD`: text with validation, not the native date input, whose
 * display follows the machine's locale (05/03/2024 reads as May or March depending on it).
 */
export function DateInput(props: Props) {
  const [draft, setDraft] = useState(props.value);
  const [shown, setShown] = useState(props.value);
  // A new value from outside (a split, a removed period) replaces the draft.
  if (props.value !== shown) {
    setShown(props.value);
    setDraft(props.value);
  }
  const valid = draft.trim() === '' || parseIsoDate(draft) !== null;
  const errorId = `${props.testId}-error`;
  return (
    <span className="date-field">
      <input
        type="text"
        inputMode="numeric"
        autoComplete="off"
        placeholder="YYYY-MM-DD"
        maxLength={10}
        className={`${props.className ?? 'input'} mono${valid ? '' : ' input-invalid'}`}
        aria-label={`${props.label} (YYYY-MM-DD)`}
        aria-invalid={!valid}
        aria-describedby={valid ? undefined : errorId}
        data-testid={props.testId}
        value={draft}
        onChange={(e) => {
          const text = e.target.value;
          setDraft(text);
          const date = text.trim() === '' ? '' : parseIsoDate(text);
          if (date !== null && date !== props.value) {
            setShown(date);
            props.onChange(date);
          }
        }}
      />
      {valid ? null : (
        <span className="field-error" id={errorId}>
          A day as YYYY-MM-DD
        </span>
      )}
    </span>
  );
}
