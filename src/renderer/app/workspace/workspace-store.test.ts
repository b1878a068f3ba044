import { describe, expect, it } from 'vitest';
import { createWorkspaceStore, initialWorkspaceState } from './workspace-store';

describe('workspace store', () => {
  it('tells only the listeners of the slice that changed', () => {
    const store = createWorkspaceStore(initialWorkspaceState({}));
    const told: string[] = [];
    store.subscribe('filter', () => told.push('filter'));
    store.subscribe('selection', () => told.push('selection'));
    store.set('selection', { kind: 'session', id: 's:1' });
    expect(told).toEqual(['selection']);
    store.set('filter', { apps: ['a'] });
    expect(told).toEqual(['selection', 'filter']);
  });

  it('tells nobody when a slice is set to the value it holds', () => {
    const store = createWorkspaceStore(initialWorkspaceState({}));
    let told = 0;
    store.subscribe('tab', () => (told += 1));
    store.set('tab', 'timeline');
    store.set('tab', (t) => t);
    expect(told).toBe(0);
    store.set('tab', (t) => (t === 'timeline' ? 'key-findings' : t));
    expect(store.get('tab')).toBe('key-findings');
    expect(told).toBe(1);
  });

  it('stops telling a listener that unsubscribed, without skipping the others', () => {
    const store = createWorkspaceStore(initialWorkspaceState({}));
    const told: string[] = [];
    const stopFirst = store.subscribe('view', () => {
      told.push('first');
      stopFirst();
    });
    store.subscribe('view', () => told.push('second'));
    store.set('view', { fromMs: 0, toMs: 1 });
    store.set('view', null);
    expect(told).toEqual(['first', 'second', 'second']);
  });
});
