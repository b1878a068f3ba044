import { createContext } from 'react';
import type { CaseInfo, Device } from '../../../contract/api';
import type { AppErrorShape } from '../../../contract/result';
import type { AppOption } from '../../features/filters/app-options';
import type { ImportControl } from '../../features/import/use-import';
import type { WorkspaceActions } from './workspace-actions';
import type { WorkspaceStore } from './workspace-store';

/** The store and the actions of the open case's workspace: both the same for its whole life. */
export interface WorkspaceValue {
  store: WorkspaceStore;
  actions: WorkspaceActions;
}

/** The open case as the core last described it. */
export interface CaseValue {
  caseInfo: CaseInfo;
  devices: Device[];
  /** The UTC offset of each device's latest record. */
  deviceOffsets: ReadonlyMap<number, number>;
  hasSessions: boolean;
}

/** The apps of the devices the filter names, one option per identifier. */
export interface AppsValue {
  options: AppOption[];
  loading: boolean;
  error: AppErrorShape | null;
  /** The display name of an app identifier, else the identifier. */
  appName(identifier: string): string;
}

// Separate contexts, so that a new case description or app list re-renders only their readers;
// the changing slices of the workspace (filter, selection …) are read from the store instead.
export const WorkspaceContext = createContext<WorkspaceValue | null>(null);
export const CaseContext = createContext<CaseValue | null>(null);
export const AppsContext = createContext<AppsValue | null>(null);
export const ImportControlContext = createContext<ImportControl | null>(null);
/** The running import as of the last render, for handlers that must not render on its progress. */
export const LatestImportContext = createContext<{ readonly current: ImportControl } | null>(null);
