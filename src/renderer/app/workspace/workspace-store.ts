import type { Filter } from '../../../contract/filter';
import type { TimeRange } from '../../features/timeline/time-window';
import type { TimeMode } from '../../shared/format';
import type { Tab } from './tabs';

/** What the details panel shows: an access session, or a record read from a backup. */
export type Selection = { kind: 'session'; id: string } | { kind: 'record'; id: string };

/** The state of the open case's workspace, one slice per key. */
export interface WorkspaceState {
  filter: Filter;
  /** The timeline's window, or null for the whole extent. */
  view: TimeRange | null;
  timeMode: TimeMode;
  selection: Selection | null;
  tab: Tab;
  /** Identifiers shown in full; lasts until the case is closed. */
  unmasked: boolean;
  /** The import dialog, with the paths it opened with (dropped files), or null when closed. */
  importPaths: readonly string[] | null;
  exportOpen: boolean;
}

export type WorkspaceKey = keyof WorkspaceState;

/**
 * A small external store of the workspace state. Each slice has its own listeners, so that a
 * component reading the filter is not rendered again when the selection changes.
 */
export interface WorkspaceStore {
  get<K extends WorkspaceKey>(key: K): WorkspaceState[K];
  /** Sets a slice; listeners of that slice only are told, and only when the value changed. */
  set<K extends WorkspaceKey>(
    key: K,
    value: WorkspaceState[K] | ((previous: WorkspaceState[K]) => WorkspaceState[K]),
  ): void;
  /** Listens to one slice; returns the function that stops listening. */
  subscribe(key: WorkspaceKey, listener: () => void): () => void;
}

/** The state of a workspace that has just opened, with the case's remembered filter. */
export function initialWorkspaceState(filter: Filter): WorkspaceState {
  return {
    filter,
    view: null,
    timeMode: 'local',
    selection: null,
    tab: 'timeline',
    unmasked: false,
    importPaths: null,
    exportOpen: false,
  };
}

/** Creates a workspace store holding `initial`. */
export function createWorkspaceStore(initial: WorkspaceState): WorkspaceStore {
  const state: WorkspaceState = { ...initial };
  const listeners = new Map<WorkspaceKey, Set<() => void>>();
  return {
    get: (key) => state[key],
    set(key, value) {
      const previous = state[key];
      const next =
        typeof value === 'function'
          ? (value as (p: typeof previous) => typeof previous)(previous)
          : value;
      if (Object.is(previous, next)) return;
      state[key] = next;
      // A copy: a listener that unsubscribes while being told must not skip another.
      for (const listener of [...(listeners.get(key) ?? [])]) listener();
    },
    subscribe(key, listener) {
      let set = listeners.get(key);
      if (!set) {
        set = new Set();
        listeners.set(key, set);
      }
      set.add(listener);
      return () => {
        listeners.get(key)?.delete(listener);
      };
    },
  };
}
