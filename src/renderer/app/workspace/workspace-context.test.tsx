import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it } from 'vitest';
import type { CaseInfo } from '../../../contract/api';
import type { Filter } from '../../../contract/filter';
import { ok } from '../../../contract/result';
import type { Client } from '../../transport/client';
import { createActivity } from '../activity';
import { AppContext, type AppContextValue } from '../app-context';
import { createNullRoot, type NullRoot } from '../testing/null-root';
import type { ImportControl } from '../../features/import/use-import';
import {
  OUTSIDE_WORKSPACE,
  useFilter,
  useImportControl,
  useLatestImportControl,
  useSelection,
  useWorkspace,
  useWorkspaceActions,
} from './use-workspace';
import type { WorkspaceActions } from './workspace-actions';
import { WorkspaceProvider } from './WorkspaceProvider';

const CASE: CaseInfo = {
  path: '/cases/test.snoop',
  name: 'test',
  createdAt: 0,
  schemaVersion: 1,
  devices: [],
  sources: 0,
  sessions: 0,
  extent: null,
};

function fakeClient(calls: string[]): Client {
  return {
    kind: 'http',
    call: ((method: string) => {
      calls.push(method);
      return Promise.resolve(ok([]));
    }) as Client['call'],
    on: () => () => {},
    pathForFile: () => null,
  };
}

function appValue(client: Client): AppContextValue {
  return {
    client,
    activity: createActivity(0),
    info: { name: 'Snoopscope', version: '0', host: 'devserver' },
    caseInfo: CASE,
    version: 0,
    invalidate: () => {},
    setCaseInfo: () => {},
  };
}

const saved = new Map<string, string>();
const storage = {
  getItem: (k: string) => saved.get(k) ?? null,
  setItem: (k: string, v: string) => void saved.set(k, v),
  removeItem: (k: string) => void saved.delete(k),
};
const environment = { storage, activeElement: () => null, focusTab: () => {} };

let root: NullRoot | null = null;
afterEach(async () => {
  await root?.unmount();
  root = null;
  saved.clear();
});

describe('useWorkspace', () => {
  it('throws a clear error outside the workspace provider', () => {
    function Reader() {
      useWorkspace();
      return null;
    }
    expect(() => renderToString(<Reader />)).toThrow(OUTSIDE_WORKSPACE);
    expect(() => renderToString(<Reader />)).toThrow(/^useWorkspace: /);
  });

  it('gives the same error for a slice hook such as useFilter', () => {
    function Reader() {
      useFilter();
      return null;
    }
    expect(() => renderToString(<Reader />)).toThrow(/^useWorkspace: .*WorkspaceProvider/);
  });
});

describe('WorkspaceProvider', () => {
  it('does not render a filter-only reader again when the selection changes', async () => {
    const renders = { filter: 0, selection: 0 };
    const seen: { filter: Filter | null; selection: string | null } = {
      filter: null,
      selection: null,
    };
    let actions: WorkspaceActions | null = null;
    function FilterReader() {
      seen.filter = useFilter();
      renders.filter += 1;
      return null;
    }
    function SelectionReader() {
      seen.selection = useSelection()?.id ?? null;
      renders.selection += 1;
      return null;
    }
    function ActionsGrabber() {
      actions = useWorkspaceActions();
      return null;
    }
    const calls: string[] = [];
    root = createNullRoot();
    await root.render(
      <AppContext.Provider value={appValue(fakeClient(calls))}>
        <WorkspaceProvider caseInfo={CASE} environment={environment}>
          <FilterReader />
          <SelectionReader />
          <ActionsGrabber />
        </WorkspaceProvider>
      </AppContext.Provider>,
    );
    expect(calls).toContain('listApps');
    const act = actions as WorkspaceActions | null;
    if (!act) throw new Error('the actions were not given');
    const before = { ...renders };

    await root.update(() => act.selectSession('s:1'));
    expect(seen.selection).toBe('s:1');
    expect(renders.selection).toBe(before.selection + 1);
    expect(renders.filter).toBe(before.filter);

    await root.update(() => act.openRecord('p:2'));
    await root.update(() => act.selectSession(null));
    expect(seen.selection).toBeNull();
    expect(renders.filter).toBe(before.filter);

    // The filter reader renders again for a change of the filter, and the filter is remembered.
    await root.update(() => act.setFilter({ apps: ['com.example'] }));
    expect(seen.filter).toEqual({ apps: ['com.example'] });
    expect(renders.filter).toBeGreaterThan(before.filter);
    expect(saved.size).toBe(1);
  });

  it('keeps the same actions for the life of the workspace', async () => {
    const seen: WorkspaceActions[] = [];
    function ActionsReader() {
      seen.push(useWorkspaceActions());
      useFilter();
      return null;
    }
    root = createNullRoot();
    await root.render(
      <AppContext.Provider value={appValue(fakeClient([]))}>
        <WorkspaceProvider caseInfo={CASE} environment={environment}>
          <ActionsReader />
        </WorkspaceProvider>
      </AppContext.Provider>,
    );
    const first = seen[0];
    await root.update(() => first?.setFilter({ categories: ['camera'] }));
    expect(seen.length).toBeGreaterThan(1);
    expect(new Set(seen).size).toBe(1);
  });

  it('gives handlers the running import without rendering them on its progress', async () => {
    const renders = { control: 0, latest: 0 };
    let control: ImportControl | null = null;
    let latest: { readonly current: ImportControl } | null = null;
    function ControlReader() {
      control = useImportControl();
      renders.control += 1;
      return null;
    }
    function LatestReader() {
      latest = useLatestImportControl();
      renders.latest += 1;
      return null;
    }
    root = createNullRoot();
    await root.render(
      <AppContext.Provider value={appValue(fakeClient([]))}>
        <WorkspaceProvider caseInfo={CASE} environment={environment}>
          <ControlReader />
          <LatestReader />
        </WorkspaceProvider>
      </AppContext.Provider>,
    );
    const started = control as ImportControl | null;
    if (!started) throw new Error('the import control was not given');
    const before = { ...renders };
    await root.update(() => void started.start(['/exports/a.ndjson'], 1));
    expect(renders.control).toBeGreaterThan(before.control);
    expect(renders.latest).toBe(before.latest);
    const seen = latest as { readonly current: ImportControl } | null;
    expect(seen?.current.state.phase).not.toBe('idle');
  });
});
