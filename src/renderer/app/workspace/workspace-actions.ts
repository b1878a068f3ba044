import type { SummaryItem } from '../../../contract/api';
import type { Filter } from '../../../contract/filter';
import type { Finding } from '../../../contract/findings';
import { saveFilter } from '../../features/filters/filter-storage';
import { normalizeFilter } from '../../features/filters/filter-text';
import {
  placeOfFinding,
  timelineTarget,
  type FindingPlace,
} from '../../features/findings/timeline-target';
import type { TimeRange } from '../../features/timeline/time-window';
import type { TimeMode } from '../../shared/format';
import type { Tab } from './tabs';
import type { WorkspaceStore } from './workspace-store';

/** What the views do to the workspace; every function is stable for the life of the workspace. */
export interface WorkspaceActions {
  /** Sets the filter (normalised) and remembers it for the case. */
  setFilter(next: Filter): void;
  setView(view: TimeRange | null): void;
  setTimeMode(mode: TimeMode): void;
  setTab(tab: Tab): void;
  setUnmasked(unmasked: boolean): void;
  /** Shows an access session in the details panel (null closes it). */
  selectSession(id: string | null): void;
  /** Shows a record read from a backup or a capture in the details panel. */
  openRecord(id: string): void;
  /** Opens a finding's evidence record: a session or a backup record in the details panel. */
  openEvidence(id: string): void;
  /** Closes the details panel and gives the focus back to what opened it (else the view's tab). */
  closeDetails(): void;
  /** The timeline narrowed to a finding, zoomed to its evidence, keeping its hours window. */
  showPlace(place: FindingPlace): void;
  showFinding(finding: Finding): void;
  /** The timeline narrowed to a summary row's device, app and category. */
  showSummaryItem(item: SummaryItem): void;
  /** The timeline zoomed to a span. */
  showSpan(view: TimeRange): void;
  /** Opens the import dialog, with dropped paths if any. */
  openImport(paths?: readonly string[]): void;
  closeImport(): void;
  openExport(): void;
  closeExport(): void;
}

/** Where the actions keep the filter and move the focus; the page's by default. */
export interface ActionEnvironment {
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
  /** The element that has the focus, unless it is the page itself. */
  activeElement(): HTMLElement | null;
  /** Focuses a view's tab. */
  focusTab(tab: Tab): void;
}

/** The actions of the workspace of the case at `casePath`, working on `store`. */
export function createWorkspaceActions(
  store: WorkspaceStore,
  casePath: string,
  env: ActionEnvironment,
): WorkspaceActions {
  // What had the focus when the details panel opened, so that closing it returns there.
  let detailsOpener: HTMLElement | null = null;
  const rememberOpener = (): void => {
    detailsOpener = env.activeElement();
  };
  const setFilter = (next: Filter): void => {
    const f = normalizeFilter(next);
    store.set('filter', f);
    saveFilter(env.storage, casePath, f);
  };
  const selectSession = (id: string | null): void => {
    if (id !== null) rememberOpener();
    store.set('selection', id === null ? null : { kind: 'session', id });
  };
  const openRecord = (id: string): void => {
    rememberOpener();
    store.set('selection', { kind: 'record', id });
  };
  const showPlace = (place: FindingPlace): void => {
    const target = timelineTarget(store.get('filter'), place);
    setFilter(target.filter);
    store.set('view', target.view);
    store.set('tab', 'timeline');
  };
  return {
    setFilter,
    setView: (view) => store.set('view', view),
    setTimeMode: (mode) => store.set('timeMode', mode),
    setTab: (tab) => store.set('tab', tab),
    setUnmasked: (unmasked) => store.set('unmasked', unmasked),
    selectSession,
    openRecord,
    openEvidence(id) {
      if (id.startsWith('s:')) selectSession(id);
      else if (/^[pum]:/.test(id)) openRecord(id);
    },
    closeDetails() {
      store.set('selection', null);
      const opener = detailsOpener;
      detailsOpener = null;
      if (opener?.isConnected && !opener.closest('.details')) opener.focus();
      else env.focusTab(store.get('tab'));
    },
    showPlace,
    showFinding: (finding) => showPlace(placeOfFinding(finding)),
    showSummaryItem(item) {
      setFilter({
        ...store.get('filter'),
        devices: [item.deviceId],
        apps: [item.app],
        categories: [item.category],
      });
      store.set('view', null);
      store.set('tab', 'timeline');
    },
    showSpan(view) {
      store.set('view', view);
      store.set('tab', 'timeline');
    },
    openImport: (paths = []) => store.set('importPaths', [...paths]),
    closeImport: () => store.set('importPaths', null),
    openExport: () => store.set('exportOpen', true),
    closeExport: () => store.set('exportOpen', false),
  };
}

/** The page's storage and focus, for the actions of the workspace on screen. */
export function pageEnvironment(storage: ActionEnvironment['storage']): ActionEnvironment {
  return {
    storage,
    activeElement() {
      const active = document.activeElement;
      return active instanceof HTMLElement && active !== document.body ? active : null;
    },
    focusTab: (tab) => document.getElementById(`tab-${tab}`)?.focus(),
  };
}
