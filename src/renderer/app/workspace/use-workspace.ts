import { useCallback, useContext, useSyncExternalStore, type Context } from 'react';
import type { Filter } from '../../../contract/filter';
import type { ImportControl } from '../../features/import/use-import';
import type { TimeRange } from '../../features/timeline/time-window';
import type { TimeMode } from '../../shared/format';
import type { Tab } from './tabs';
import type { WorkspaceActions } from './workspace-actions';
import {
  AppsContext,
  CaseContext,
  ImportControlContext,
  LatestImportContext,
  WorkspaceContext,
  type AppsValue,
  type CaseValue,
  type WorkspaceValue,
} from './workspace-context';
import type { Selection, WorkspaceKey, WorkspaceState } from './workspace-store';

/** The message of a workspace hook used outside the open case. */
export const OUTSIDE_WORKSPACE =
  'A workspace hook was used outside <WorkspaceProvider>: only the views of an open case can read the workspace.';

function useRequired<T>(context: Context<T | null>, hook: string): T {
  const value = useContext(context);
  if (value === null) throw new Error(`${hook}: ${OUTSIDE_WORKSPACE}`);
  return value;
}

/** The open case's workspace store and actions; throws outside the workspace provider. */
export function useWorkspace(): WorkspaceValue {
  return useRequired(WorkspaceContext, 'useWorkspace');
}

/** The workspace actions (stable functions). */
export function useWorkspaceActions(): WorkspaceActions {
  return useWorkspace().actions;
}

/** One slice of the workspace state; the component renders again only when that slice changes. */
export function useWorkspaceSlice<K extends WorkspaceKey>(key: K): WorkspaceState[K] {
  const { store } = useWorkspace();
  const subscribe = useCallback(
    (listener: () => void) => store.subscribe(key, listener),
    [store, key],
  );
  const read = useCallback(() => store.get(key), [store, key]);
  return useSyncExternalStore(subscribe, read, read);
}

/** The filter of the open case. */
export function useFilter(): Filter {
  return useWorkspaceSlice('filter');
}

/** The timeline's window (null: the whole extent). */
export function useView(): TimeRange | null {
  return useWorkspaceSlice('view');
}

/** Device-local time or UTC. */
export function useTimeMode(): TimeMode {
  return useWorkspaceSlice('timeMode');
}

/** What the details panel shows. */
export function useSelection(): Selection | null {
  return useWorkspaceSlice('selection');
}

/** The id of the session or record in the details panel, if any. */
export function useSelectedId(): string | null {
  return useWorkspaceSlice('selection')?.id ?? null;
}

/** The view on screen. */
export function useTab(): Tab {
  return useWorkspaceSlice('tab');
}

/** The open case: its description, devices and their offsets. */
export function useCase(): CaseValue {
  return useRequired(CaseContext, 'useCase');
}

/** The app options of the devices the filter names. */
export function useApps(): AppsValue {
  return useRequired(AppsContext, 'useApps');
}

/** The import that runs (or last ran) in this case; the component renders on its progress. */
export function useImportControl(): ImportControl {
  return useRequired(ImportControlContext, 'useImportControl');
}

/**
 * The import as of the last render, to read in an event handler: the component does not render
 * on the import's progress.
 */
export function useLatestImportControl(): { readonly current: ImportControl } {
  return useRequired(LatestImportContext, 'useLatestImportControl');
}
