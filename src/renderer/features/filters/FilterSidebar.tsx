import { useState } from 'react';
import { CATEGORIES, type Category } from '../../../contract/categories';
import { DEFAULT_NIGHT, type Filter } from '../../../contract/filter';
import {
  useApps,
  useCase,
  useFilter,
  useWorkspaceActions,
} from '../../app/workspace/use-workspace';
import { categoryColor, categoryLabel } from '../../shared/category-colors';
import { formatCount } from '../../shared/format';
import { filterMarks } from '../annotations/filter-marks';
import { TagFilter } from '../annotations/TagFilter';
import { PlatformBadge } from '../devices/PlatformBadge';
import { visibleApps } from './app-options';
import { APP_STATES, appStateLabel, DEVICE_STATES, deviceStateLabel } from './app-states';
import { BoundInput, FilterTextInput, HoursInput, MinSecondsInput, toggle } from './FilterInputs';
import './filters.css';
import { countActive, filterToText, normalizeFilter } from './filter-text';

const APP_LIMIT = 150;

/** The filter sidebar: every control edits the one serialisable filter object. */
export function FilterSidebar() {
  const filter = useFilter();
  const onChange = useWorkspaceActions().setFilter;
  const { devices } = useCase();
  const { options: apps, loading: appsLoading } = useApps();
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
