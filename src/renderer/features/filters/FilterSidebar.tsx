import { useState, type KeyboardEvent } from 'react';
import type { Device } from '../../../contract/api';
import { CATEGORIES, type Category } from '../../../contract/categories';
import {
  DEFAULT_NIGHT,
  dayWindowSchema,
  rangeBoundSchema,
  type DayWindow,
  type Filter,
} from '../../../contract/filter';
import { categoryColor, categoryLabel } from '../../shared/category-colors';
import { ClockInput } from '../../shared/ClockInput';
import { formatCount } from '../../shared/format';
import { formatClock, parseClock } from '../../shared/time-format';
import { filterMarks } from '../annotations/filter-marks';
import { TagFilter } from '../annotations/TagFilter';
import { PlatformBadge } from '../devices/PlatformBadge';
import { visibleApps, type AppOption } from './app-options';
import { APP_STATES, appStateLabel, DEVICE_STATES, deviceStateLabel } from './app-states';
import './filters.css';
import { countActive, filterToText, normalizeFilter, textToFilter } from './filter-text';

interface Props {
  filter: Filter;
  onChange: (filter: Filter) => void;
  devices: Device[];
  apps: AppOption[];
  appsLoading: boolean;
}

const APP_LIMIT = 150;

function toggle<T>(list: readonly T[] | undefined, value: T, on: boolean): T[] {
  const current = list ?? [];
  return on ? [...current.filter((v) => v !== value), value] : current.filter((v) => v !== value);
}

const commitOnEnter = (e: KeyboardEvent<HTMLInputElement>): void => {
  if (e.key === 'Enter') e.currentTarget.blur();
};

function BoundInput({
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

function HoursInput({
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

function MinSecondsInput({
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

function FilterTextInput({ filter, onChange }: { filter: Filter; onChange: (f: Filter) => void }) {
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

/** The filter sidebar: every control edits the one serialisable filter object. */
export function FilterSidebar({ filter, onChange, devices, apps, appsLoading }: Props) {
  const [search, setSearch] = useState('');
  const f = normalizeFilter(filter);
  const active = countActive(f);
  // Tags and the starred flag are kept beside the fields the normal form knows.
  const marks = filterMarks(filter);
  const set = (patch: Partial<Filter>): void =>
    onChange({ ...normalizeFilter({ ...f, ...patch }), ...marks });
  const selectedApps = f.apps ?? [];
  const shownApps = visibleApps(apps, search, selectedApps, APP_LIMIT);
  const matching = apps.filter((o) => {
    const q = search.trim().toLowerCase();
    return (
      q === '' ||
      o.identifier.toLowerCase().includes(q) ||
      (o.name?.toLowerCase().includes(q) ?? false)
    );
  }).length;

  return (
    <aside className="sidebar" data-testid="filter-sidebar" aria-label="Filters">
      <div className="sidebar-head">
        <h2>Filters</h2>
        <span
          className={active > 0 ? 'badge badge-on' : 'badge'}
          data-testid="filter-active-count"
          aria-label={`${active} active filters`}
        >
          {active}
        </span>
        <button
          type="button"
          className="btn btn-small"
          data-testid="filter-clear"
          disabled={active === 0}
          onClick={() => onChange({})}
        >
          Clear
        </button>
      </div>

      {devices.length > 0 ? (
        <fieldset className="fieldset">
          <legend>Devices</legend>
          {devices.map((d) => (
            <label key={d.id} className="check">
              <input
                type="checkbox"
                data-testid={`filter-device-${d.id}`}
                checked={f.devices?.includes(d.id) ?? false}
                onChange={(e) => set({ devices: toggle(f.devices, d.id, e.target.checked) })}
              />
              <span>
                {d.label}
                <PlatformBadge platform={d.platform} />
              </span>
            </label>
          ))}
        </fieldset>
      ) : null}

      <fieldset className="fieldset">
        <legend>Categories</legend>
        <div className="category-grid">
          {CATEGORIES.map((c: Category) => (
            <label key={c} className="check">
              <input
                type="checkbox"
                data-testid={`filter-category-${c}`}
                checked={f.categories?.includes(c) ?? false}
                onChange={(e) => set({ categories: toggle(f.categories, c, e.target.checked) })}
              />
              <span
                className="swatch"
                style={{ background: categoryColor(c) }}
                aria-hidden="true"
              />
              <span>{categoryLabel(c)}</span>
            </label>
          ))}
        </div>
      </fieldset>

      <fieldset className="fieldset">
        <legend>
          Apps{' '}
          {selectedApps.length > 0 ? (
            <span className="muted">({selectedApps.length} selected)</span>
          ) : null}
        </legend>
        <input
          type="search"
          className="input"
          placeholder="Search apps"
          aria-label="Search apps"
          data-testid="filter-app-search"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <div className="app-list" role="group" aria-label="Apps">
          {shownApps.length === 0 ? (
            <p className="muted small">
              {appsLoading
                ? 'Loading apps…'
                : apps.length === 0
                  ? 'No apps yet.'
                  : 'No app matches.'}
            </p>
          ) : (
            shownApps.map((o) => (
              <label key={o.identifier} className="check" title={o.identifier}>
                <input
                  type="checkbox"
                  data-testid={`filter-app-${o.identifier}`}
                  checked={selectedApps.includes(o.identifier)}
                  onChange={(e) => set({ apps: toggle(f.apps, o.identifier, e.target.checked) })}
                />
                <span className="app-option">
                  <span className="app-option-name">{o.name ?? o.identifier}</span>
                  {o.name ? <span className="app-option-id mono">{o.identifier}</span> : null}
                </span>
                <span className="muted small num">{formatCount(o.sessions)}</span>
              </label>
            ))
          )}
          {matching > APP_LIMIT ? (
            <p className="muted small">
              {formatCount(matching - APP_LIMIT)} more — refine the search.
            </p>
          ) : null}
        </div>
      </fieldset>

      <fieldset className="fieldset">
        <legend>Date range (device-local)</legend>
        <BoundInput
          key={`from-${f.from ?? ''}`}
          label="From"
          value={f.from}
          testId="filter-from"
          onCommit={(v) => set({ from: v })}
        />
        <BoundInput
          key={`to-${f.to ?? ''}`}
          label="To (a date means its 00:00)"
          value={f.to}
          testId="filter-to"
          onCommit={(v) => set({ to: v })}
        />
      </fieldset>

      <fieldset className="fieldset">
        <legend>Hours of day (device-local)</legend>
        <HoursInput
          key={`hours-${f.hours?.from ?? ''}-${f.hours?.to ?? ''}`}
          value={f.hours}
          onCommit={(w) => set({ hours: w })}
        />
        <div className="row row-tight">
          <button
            type="button"
            className={
              f.hours?.from === DEFAULT_NIGHT.from && f.hours.to === DEFAULT_NIGHT.to
                ? 'btn btn-small btn-on'
                : 'btn btn-small'
            }
            data-testid="filter-night"
            aria-pressed={f.hours?.from === DEFAULT_NIGHT.from && f.hours.to === DEFAULT_NIGHT.to}
            onClick={() => set({ hours: { ...DEFAULT_NIGHT } })}
          >
            Night {DEFAULT_NIGHT.from}–{DEFAULT_NIGHT.to}
          </button>
          <button
            type="button"
            className="btn btn-small btn-quiet"
            data-testid="filter-hours-clear"
            disabled={!f.hours}
            onClick={() => set({ hours: undefined })}
          >
            Any hour
          </button>
        </div>
      </fieldset>

      <fieldset className="fieldset" data-testid="filter-states">
        <legend>App state</legend>
        <div className="state-options">
          {APP_STATES.map((st) => (
            <label key={st} className="check">
              <input
                type="checkbox"
                data-testid={`filter-state-${st}`}
                checked={f.states?.includes(st) ?? false}
                aria-describedby="filter-states-hint"
                onChange={(e) => set({ states: toggle(f.states, st, e.target.checked) })}
              />
              <span>{appStateLabel(st)}</span>
            </label>
          ))}
        </div>
        <p className="muted small filter-hint" id="filter-states-hint">
          Background is the state Android reported or, where marked as inferred, an inference from
          usage records. iOS App Privacy Report sessions record no state: they are Unknown.
        </p>
      </fieldset>

      <fieldset className="fieldset" data-testid="filter-device-states">
        <legend>Device state</legend>
        <div className="state-options">
          {DEVICE_STATES.map((st) => (
            <label key={st} className="check">
              <input
                type="checkbox"
                data-testid={`filter-device-state-${st}`}
                checked={f.deviceStates?.includes(st) ?? false}
                aria-describedby="filter-device-states-hint"
                onChange={(e) =>
                  set({ deviceStates: toggle(f.deviceStates, st, e.target.checked) })
                }
              />
              <span>{deviceStateLabel(st)}</span>
            </label>
          ))}
        </div>
        <p className="muted small filter-hint" id="filter-device-states-hint">
          The device&apos;s own record at the access&apos;s start: an iPhone&apos;s PowerLog (from a
          sysdiagnose) or Android usage events. In use means screen on and unlocked. Where no record
          covers the moment the state is Unknown, never In use.
        </p>
      </fieldset>

      <fieldset className="fieldset">
        <legend>Minimum duration (seconds)</legend>
        <MinSecondsInput
          key={`min-${f.minSeconds ?? ''}`}
          value={f.minSeconds}
          onCommit={(v) => set({ minSeconds: v })}
        />
      </fieldset>

      <TagFilter
        marks={marks}
        onChange={(m) => onChange({ ...normalizeFilter(f), ...filterMarks(m) })}
      />

      <details className="fieldset-details">
        <summary>Filter as text</summary>
        <FilterTextInput key={filterToText(f)} filter={f} onChange={onChange} />
      </details>
    </aside>
  );
}
