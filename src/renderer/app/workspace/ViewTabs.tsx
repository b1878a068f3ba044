import { nextTabIndex } from '../tab-keys';
import { TABS } from './tabs';
import { useTab, useWorkspaceActions } from './use-workspace';

/** The tab list of the views; the arrow keys, Home and End move between the tabs. */
export function ViewTabs() {
  const tab = useTab();
  const { setTab } = useWorkspaceActions();
  return (
    <div className="tabs" role="tablist" aria-label="Views">
      {TABS.map((t) => (
        <button
          key={t.id}
          type="button"
          role="tab"
          id={`tab-${t.id}`}
          aria-selected={tab === t.id}
          aria-controls="tab-panel"
          tabIndex={tab === t.id ? 0 : -1}
          className={tab === t.id ? 'tab tab-on' : 'tab'}
          data-testid={`tab-${t.id}`}
          onClick={() => setTab(t.id)}
          onKeyDown={(e) => {
            const next = TABS[nextTabIndex(TABS.length, TABS.indexOf(t), e.key) ?? -1];
            if (!next) return;
            e.preventDefault();
            setTab(next.id);
            document.getElementById(`tab-${next.id}`)?.focus();
          }}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}
