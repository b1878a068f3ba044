import type { Ref } from 'react';
import { countActive, describeFilter, withoutField } from '../../features/filters/filter-text';
import { useApps, useCase, useFilter, useWorkspaceActions } from './use-workspace';

interface Props {
  filtersShown: boolean;
  onToggleFilters: () => void;
  toggleRef: Ref<HTMLButtonElement>;
}

/** Above the views: the button that shows or hides the filters, and the active filters as chips. */
export function FilterBar({ filtersShown, onToggleFilters, toggleRef }: Props) {
  const filter = useFilter();
  const { devices } = useCase();
  const { appName } = useApps();
  const { setFilter } = useWorkspaceActions();
  const chips = describeFilter(filter, {
    device: (id) => devices.find((d) => d.id === id)?.label ?? `#${id}`,
    app: appName,
  });
  const active = countActive(filter);
  return (
    <div className="main-bar">
      <button
        ref={toggleRef}
        type="button"
        className={filtersShown ? 'btn btn-small btn-on' : 'btn btn-small'}
        data-testid="filters-toggle"
        aria-expanded={filtersShown}
        aria-controls="filter-panel"
        onClick={onToggleFilters}
      >
        {filtersShown ? 'Hide filters' : 'Filters'}
        {active > 0 ? <span className="badge badge-on">{active}</span> : null}
      </button>
      {chips.length > 0 ? (
        <div className="chips" data-testid="filter-chips" aria-label="Active filters">
          {chips.map((c) => (
            <span key={c.field} className="chip">
              {c.label}
              <button
                type="button"
                className="chip-x"
                aria-label={`Remove filter ${c.label}`}
                onClick={() => setFilter(withoutField(filter, c.field))}
              >
                ×
              </button>
            </span>
          ))}
          <button type="button" className="btn-link small" onClick={() => setFilter({})}>
            Clear all
          </button>
        </div>
      ) : null}
    </div>
  );
}
