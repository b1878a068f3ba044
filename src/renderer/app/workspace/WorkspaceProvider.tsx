import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { CaseInfo } from '../../../contract/api';
import { appDisplayName, mergeApps } from '../../features/filters/app-options';
import { loadFilter } from '../../features/filters/filter-storage';
import { useImport } from '../../features/import/use-import';
import { hasAnyFinding } from '../../features/key-findings/key-findings-model';
import { localStore } from '../../shared/storage';
import { deviceOffsetsFrom } from '../device-offsets';
import { useApp } from '../use-app';
import { useQuery } from '../use-query';
import { useCase, useFilter, useWorkspace } from './use-workspace';
import {
  createWorkspaceActions,
  pageEnvironment,
  type ActionEnvironment,
} from './workspace-actions';
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
import { createWorkspaceStore, initialWorkspaceState } from './workspace-store';

interface Props {
  caseInfo: CaseInfo;
  children: ReactNode;
  /** Where the filter is kept and the focus moves; the page's when absent (tests give their own). */
  environment?: ActionEnvironment;
}

/**
 * Owns the open case's workspace state (filter, view, selection, tab, dialogs), the running import
 * and the app list, and gives them to the views below. Keyed by the case: a new case starts afresh.
 */
export function WorkspaceProvider({ caseInfo, children, environment }: Props) {
  const [workspace] = useState<WorkspaceValue>(() => {
    const env = environment ?? pageEnvironment(localStore());
    const store = createWorkspaceStore(
      initialWorkspaceState(loadFilter(env.storage, caseInfo.path)),
    );
    return { store, actions: createWorkspaceActions(store, caseInfo.path, env) };
  });
  const caseValue = useMemo<CaseValue>(
    () => ({
      caseInfo,
      devices: caseInfo.devices,
      deviceOffsets: deviceOffsetsFrom(caseInfo.devices),
      hasSessions: caseInfo.sessions > 0,
    }),
    [caseInfo],
  );
  return (
    <WorkspaceContext.Provider value={workspace}>
      <CaseContext.Provider value={caseValue}>
        <OpenOnKeyFindings />
        <ImportProvider>
          <AppsProvider>{children}</AppsProvider>
        </ImportProvider>
      </CaseContext.Provider>
    </WorkspaceContext.Provider>
  );
}

/**
 * A case with findings opens on its key findings: decided once, when the case opens, and only
 * while no other view was chosen.
 */
function OpenOnKeyFindings() {
  const { client } = useApp();
  const { store } = useWorkspace();
  const { caseInfo } = useCase();
  const openedOn = useRef(false);
  const sessions = caseInfo.sessions;
  useEffect(() => {
    if (openedOn.current) return;
    openedOn.current = true;
    if (sessions === 0) return;
    void client.call('queryKeyFindings', {}).then((r) => {
      if (r.ok && hasAnyFinding(r.value))
        store.set('tab', (t) => (t === 'timeline' ? 'key-findings' : t));
    });
  }, [client, sessions, store]);
  return null;
}

/** The apps of the filtered devices; only this re-renders when the filter changes. */
function AppsProvider({ children }: { children: ReactNode }) {
  const filter = useFilter();
  const apps = useQuery('listApps', filter.devices ? { deviceIds: filter.devices } : {});
  const options = useMemo(() => mergeApps(apps.data ?? []), [apps.data]);
  const appName = useCallback((id: string) => appDisplayName(options, id), [options]);
  const value = useMemo<AppsValue>(
    () => ({ options, loading: apps.loading, error: apps.error, appName }),
    [options, apps.loading, apps.error, appName],
  );
  return <AppsContext.Provider value={value}>{children}</AppsContext.Provider>;
}

/** The import of this case: it outlives the import dialog. */
function ImportProvider({ children }: { children: ReactNode }) {
  const { state, start, startBackup, cancel, reset, android } = useImport();
  const value = useMemo(
    () => ({ state, start, startBackup, cancel, reset, android }),
    [state, start, startBackup, cancel, reset, android],
  );
  const latest = useRef(value);
  useEffect(() => {
    latest.current = value;
  }, [value]);
  return (
    <LatestImportContext.Provider value={latest}>
      <ImportControlContext.Provider value={value}>{children}</ImportControlContext.Provider>
    </LatestImportContext.Provider>
  );
}
