import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { CaseInfo } from '../../contract/api';
import type { AppErrorShape } from '../../contract/result';
import { FilterSidebar } from '../features/filters/FilterSidebar';
import { ErrorBanner } from '../shared/ErrorBanner';
import { Notice } from '../shared/Notice';
import { escapeAction } from './escape';
import { TopBar } from './TopBar';
import { useApp } from './use-app';
import { useBridgeEvent } from './use-bridge-event';
import { useMediaQuery } from './use-media-query';
import { DetailsHost } from './workspace/DetailsHost';
import { FilterBar } from './workspace/FilterBar';
import { TabPanel } from './workspace/TabPanel';
import { useFileDrop } from './workspace/use-file-drop';
import { useApps, useCase, useWorkspace } from './workspace/use-workspace';
import { ViewTabs } from './workspace/ViewTabs';
import { WorkspaceDialogs } from './workspace/WorkspaceDialogs';
import { WorkspaceProvider } from './workspace/WorkspaceProvider';

/**
 * Below this width the filters are a panel opened from the Filters button, so that the views and
 * their key columns keep the window's width (1024 px laptops and split screens).
 */
const NARROW = '(max-width: 1199px)';

interface Props {
  caseInfo: CaseInfo;
}

/** The open case: top bar, filter sidebar, the views, and the details panel. */
export function Workspace({ caseInfo }: Props) {
  return (
    <WorkspaceProvider caseInfo={caseInfo}>
      <WorkspaceLayout />
    </WorkspaceProvider>
  );
}

/**
 * The frame of the open case. It reads no changing slice of the workspace (filter, selection,
 * tab): those are read at the moment of a key press, so that the frame is not rendered again.
 */
function WorkspaceLayout() {
  const { client, setCaseInfo } = useApp();
  const { store, actions } = useWorkspace();
  const { devices } = useCase();
  const drop = useFileDrop();
  const [error, setError] = useState<AppErrorShape | null>(null);
  const narrow = useMediaQuery(NARROW);
  // null: the layout decides (a column on wide windows, closed on narrow ones).
  const [filtersChoice, setFiltersChoice] = useState<boolean | null>(null);
  const filtersShown = filtersChoice ?? !narrow;
  const filtersToggle = useRef<HTMLButtonElement>(null);
  const focusFilters = useRef(false);

  // File › Import… and File › Export CSV… in the desktop app's menu.
  useBridgeEvent('onMenuCommand', ({ command }) => {
    switch (command) {
      case 'import':
        actions.openImport();
        break;
      case 'exportCsv':
        actions.openExport();
        break;
      default: {
        const never: never = command;
        throw new Error(`unknown menu command ${String(never)}`);
      }
    }
  });

  const closeCase = async (): Promise<void> => {
    const r = await client.call('closeCase', {});
    if (r.ok) setCaseInfo(null);
    else setError(r.error);
  };

  const toggleFilters = (): void => {
    // Opened as a panel, the filters come before the views in the page: the focus goes to them.
    if (!filtersShown && narrow) focusFilters.current = true;
    setFiltersChoice(!filtersShown);
  };
  useEffect(() => {
    if (!filtersShown || !focusFilters.current) return;
    focusFilters.current = false;
    document
      .querySelector<HTMLElement>(
        '#filter-panel :is(button, input, select, textarea):not(:disabled)',
      )
      ?.focus();
  }, [filtersShown]);
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (e.key !== 'Escape') return;
    const target = e.target as HTMLElement;
    const action = escapeAction({
      inDialog: target.closest('dialog') !== null,
      inTextArea: target.closest('textarea') !== null,
      composing: e.nativeEvent.isComposing,
      inFilters: target.closest('#filter-panel') !== null,
      filtersArePanel: narrow,
      filtersShown,
      detailsOpen: store.get('selection') !== null,
    });
    if (action === 'filters') {
      setFiltersChoice(false);
      filtersToggle.current?.focus();
    } else if (action === 'details') actions.closeDetails();
    else return;
    e.preventDefault();
  };

  return (
    <div
      className={drop.dragging ? 'workspace workspace-drop' : 'workspace'}
      data-testid="workspace"
      data-narrow={narrow}
      onKeyDown={onKeyDown}
    >
      <button
        type="button"
        className="skip-link"
        data-testid="skip-to-views"
        onClick={() => document.getElementById(`tab-${store.get('tab')}`)?.focus()}
      >
        Skip to the views
      </button>
      <TopBar onClose={() => void closeCase()} />
      <div className="workspace-body">
        <div
          id="filter-panel"
          className={narrow ? 'filter-panel filter-panel-narrow' : 'filter-panel'}
          data-testid="filter-panel"
          hidden={!filtersShown}
        >
          <FilterSidebar />
        </div>
        <main className="main">
          <ErrorBanner error={error} onDismiss={() => setError(null)} />
          <AppsError />
          {drop.notice ? (
            <Notice tone="warning" testId="drop-notice" onDismiss={drop.dismissNotice}>
              {drop.notice}
            </Notice>
          ) : null}
          {devices.length === 0 ? (
            <Notice testId="no-devices">
              This case has no devices yet.{' '}
              <button type="button" className="btn-link" onClick={() => actions.openImport()}>
                Import App Privacy Report exports, an iPhone backup or an Android capture
              </button>{' '}
              to begin.
            </Notice>
          ) : null}
          <FilterBar
            filtersShown={filtersShown}
            onToggleFilters={toggleFilters}
            toggleRef={filtersToggle}
          />
          <ViewTabs />
          <TabPanel />
        </main>
        <DetailsHost />
      </div>
      <WorkspaceDialogs />
    </div>
  );
}

/** An app list that failed to load (its own component: the app list changes with the filter). */
function AppsError() {
  const { error } = useApps();
  return <ErrorBanner error={error} title="Apps" />;
}
