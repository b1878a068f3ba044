import type { KeyboardEvent } from 'react';
import { clockTextValid } from './time-format';
import './fields.css';

interface Props {
  /** The text as typed (the parent keeps the draft). */
  value: string;
  onChange: (text: string) => void;
  /** Called on blur and on Enter. */
  onCommit: () => void;
  label: string;
  testId: string;
  /** `24:00` is allowed (the end of a window). */
  endOfDay?: boolean;
  /** An empty field is valid (no bound). */
  allowEmpty?: boolean;
  className?: string;
}

/**
 * A time-of-day field on a 24-hour clock: text with validation, never the native time input, whose
 * picker follows the machine's locale and shows AM/PM on some.
 */
export function ClockInput(props: Props) {
  const { value, endOfDay = false, allowEmpty = false } = props;
  const valid = clockTextValid(value, endOfDay, allowEmpty);
  const errorId = `${props.testId}-error`;
  return (
    <span className="clock-field">
      <input
        type="text"
        inputMode="numeric"
        autoComplete="off"
        placeholder="HH:MM"
        maxLength={12}
        className={`${props.className ?? 'input'} mono${valid ? '' : ' input-invalid'}`}
        aria-label={`${props.label} (HH:MM, 24-hour)`}
        aria-invalid={!valid}
        aria-describedby={valid ? undefined : errorId}
        data-testid={props.testId}
        value={value}
        onChange={(e) => props.onChange(e.target.value)}
        onBlur={props.onCommit}
        onKeyDown={(e: KeyboardEvent<HTMLInputElement>) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            props.onCommit();
          }
        }}
      />
      {valid ? null : (
        <span className="field-error" id={errorId} data-testid={errorId}>
          24-hour HH:MM, 00:00–{endOfDay ? '24:00' : '23:59'}
        </span>
      )}
    </span>
  );
}
