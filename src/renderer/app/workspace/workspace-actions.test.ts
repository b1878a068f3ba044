import { describe, expect, it } from 'vitest';
import type { SummaryItem } from '../../../contract/api';
import { filterStorageKey } from '../../features/filters/filter-storage';
import type { Tab } from './tabs';
import { createWorkspaceActions } from './workspace-actions';
import { createWorkspaceStore, initialWorkspaceState } from './workspace-store';

function setup() {
  const saved = new Map<string, string>();
  const focused: Tab[] = [];
  const store = createWorkspaceStore(initialWorkspaceState({}));
  const actions = createWorkspaceActions(store, '/cases/a.snoop', {
    storage: {
      getItem: (k) => saved.get(k) ?? null,
      setItem: (k, v) => void saved.set(k, v),
      removeItem: (k) => void saved.delete(k),
    },
    activeElement: () => null,
    focusTab: (tab) => void focused.push(tab),
  });
  return { store, actions, saved, focused };
}

describe('workspace actions', () => {
  it('normalises the filter and remembers it for the case; an empty filter forgets it', () => {
    const { store, actions, saved } = setup();
    actions.setFilter({ apps: [], categories: ['camera'] });
    expect(store.get('filter')).toEqual({ categories: ['camera'] });
    expect(saved.get(filterStorageKey('/cases/a.snoop'))).toBe('{"categories":["camera"]}');
    actions.setFilter({});
    expect(saved.size).toBe(0);
  });

  it('opens a finding evidence by the kind of its id', () => {
    const { store, actions } = setup();
    actions.openEvidence('s:12');
    expect(store.get('selection')).toEqual({ kind: 'session', id: 's:12' });
    actions.openEvidence('p:3');
    expect(store.get('selection')).toEqual({ kind: 'record', id: 'p:3' });
    actions.openEvidence('x:9');
    expect(store.get('selection')).toEqual({ kind: 'record', id: 'p:3' });
  });

  it('closes the details and focuses the view tab when nothing had the focus', () => {
    const { store, actions, focused } = setup();
    actions.setTab('summary');
    actions.selectSession('s:1');
    actions.closeDetails();
    expect(store.get('selection')).toBeNull();
    expect(focused).toEqual(['summary']);
  });

  it('narrows the filter to a summary row and shows the whole timeline', () => {
    const { store, actions } = setup();
    actions.setTab('summary');
    actions.setView({ fromMs: 1, toMs: 2 });
    const item = { deviceId: 2, app: 'com.example', category: 'camera' } as SummaryItem;
    actions.showSummaryItem(item);
    expect(store.get('filter')).toEqual({
      devices: [2],
      apps: ['com.example'],
      categories: ['camera'],
    });
    expect(store.get('view')).toBeNull();
    expect(store.get('tab')).toBe('timeline');
  });

  it('opens the import dialog with the dropped paths, and closes it', () => {
    const { store, actions } = setup();
    actions.openImport(['/a', '/b']);
    expect(store.get('importPaths')).toEqual(['/a', '/b']);
    actions.closeImport();
    expect(store.get('importPaths')).toBeNull();
    actions.openImport();
    expect(store.get('importPaths')).toEqual([]);
  });
});
