import { useState, type KeyboardEvent } from 'react';
import {
  dayWindowSchema,
  rangeBoundSchema,
  type DayWindow,
  type Filter,
} from '../../../contract/filter';
import { ClockInput } from '../../shared/ClockInput';
import { formatClock, parseClock } from '../../shared/time-format';
import { filterToText, textToFilter } from './filter-text';

/** The list with `value` in it (`on`) or out of it. */
export function toggle<T>(list: readonly T[] | undefined, value: T, on: boolean): T[] {
  const current = list ?? [];
  return on ? [...current.filter((v) => v !== value), value] : current.filter((v) => v !== value);
}

const commitOnEnter = (e: KeyboardEvent<HTMLInputElement>): void => {
  if (e.key === 'Enter') e.currentTarget.blur();
};

/** A bound of the filter's date range, kept as typed until it reads as one. */
export function BoundInput({
  label,
  value,
  testId,
  onCommit,
}: {
  label: string;
  value: string | undefined;
  testId: string;
  onCommit: (v: string | undefined) => void;
}) {
  const [draft, setDraft] = useState(value ?? '');
  const trimmed = draft.trim();
  const valid = trimmed === '' || rangeBoundSchema.safeParse(trimmed).success;
  return (
    <label className="stack">
      <span className="small">{label}</span>
      <input
        className={valid ? 'input mono' : 'input mono input-invalid'}
        data-testid={testId}
        placeholder="YYYY-MM-DD"
        value={draft}
        aria-invalid={!valid}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={commitOnEnter}
        onBlur={() => {
          if (valid && trimmed !== (value ?? '')) onCommit(trimmed === '' ? undefined : trimmed);
        }}
      />
      {valid ? null : (
        <span className="field-error">
          Use YYYY-MM-DD or an instant with offset, e.g. 2024-05-01T08:00:00+02:00
        </span>
      )}
    </label>
  );
}

/** The hours window of the filter. */
export function HoursInput({
  value,
  onCommit,
}: {
  value: DayWindow | undefined;
  onCommit: (w: DayWindow | undefined) => void;
}) {
  const [from, setFrom] = useState(value?.from ?? '');
  const [to, setTo] = useState(value?.to ?? '');
  const commit = (fromText: string, toText: string): void => {
    if (fromText.trim() === '' && toText.trim() === '') {
      if (value) onCommit(undefined);
      return;
    }
    // Typed as 9:05 or 0905, stored as 09:05.
    const a = parseClock(fromText, true);
    const b = parseClock(toText, true);
    const f = a === null ? fromText : formatClock(a);
    const t = b === null ? toText : formatClock(b);
    const parsed = dayWindowSchema.safeParse({ from: f, to: t });
    if (parsed.success && (parsed.data.from !== value?.from || parsed.data.to !== value.to))
      onCommit(parsed.data);
  };
  const field = (edge: 'from' | 'to', text: string, set: (v: string) => void) => (
    <ClockInput
      label={`Hours ${edge}`}
      testId={`filter-hours-${edge}`}
      value={text}
      endOfDay
      allowEmpty
      onChange={set}
      onCommit={() => commit(from, to)}
    />
  );
  return (
    <div className="hours-row">
      {field('from', from, setFrom)}
      <span aria-hidden="true">–</span>
      {field('to', to, setTo)}
    </div>
  );
}

/** The shortest session the filter keeps, in seconds. */
export function MinSecondsInput({
  value,
  onCommit,
}: {
  value: number | undefined;
  onCommit: (v: number | undefined) => void;
}) {
  const [draft, setDraft] = useState(value === undefined ? '' : String(value));
  return (
    <input
      type="number"
      min={0}
      step={1}
      className="input"
      aria-label="Minimum duration in seconds"
      data-testid="filter-min-seconds"
      placeholder="0"
      value={draft}
      onChange={(e) => setDraft(e.target.value)}
      onKeyDown={commitOnEnter}
      onBlur={() => {
        const n = draft.trim() === '' ? undefined : Number(draft);
        if (n !== undefined && (!Number.isFinite(n) || n < 0)) return;
        if (n !== value) onCommit(n === 0 ? undefined : n);
      }}
    />
  );
}

/** The filter as text, editable. */
export function FilterTextInput({
  filter,
  onChange,
}: {
  filter: Filter;
  onChange: (f: Filter) => void;
}) {
  const [draft, setDraft] = useState(filterToText(filter));
  const [message, setMessage] = useState<string | null>(null);
  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        const r = textToFilter(draft);
        if (r.ok) {
          setMessage(null);
          onChange(r.filter);
        } else setMessage(r.message);
      }}
    >
      <textarea
        className="input mono small"
        rows={2}
        aria-label="Filter as text"
        data-testid="filter-text"
        value={draft}
        spellCheck={false}
        onChange={(e) => setDraft(e.target.value)}
      />
      <div className="row row-tight">
        <button type="submit" className="btn btn-small" data-testid="filter-text-apply">
          Apply text
        </button>
        <button
          type="button"
          className="btn btn-small btn-quiet"
          onClick={() => void navigator.clipboard?.writeText(filterToText(filter))}
        >
          Copy
        </button>
      </div>
      {message ? <span className="field-error">{message}</span> : null}
    </form>
  );
}
