import { afterEach, describe, expect, it } from 'vitest';
import type { NetworkItem, NetworkRowsPage } from '../../../contract/api';
import { err, ok, type Result } from '../../../contract/result';
import type { Client } from '../../transport/client';
import { createActivity } from '../../app/activity';
import { AppContext, type AppContextValue } from '../../app/app-context';
import { createNullRoot, type NullRoot } from '../../app/testing/null-root';
import {
  NETWORK_PAGE,
  useNetworkRows,
  type NetworkGroupArgs,
  type NetworkRowsState,
} from './use-network-rows';

const item = (app: string, i: number): NetworkItem => ({
  id: `n:${app}:${i}`,
  deviceId: 1,
  device: 'Phone',
  sourceId: 1,
  sourceName: 'report.ndjson',
  sourceSha256: 'ab',
  line: i + 1,
  app,
  appName: null,
  domain: `d${i}.example`,
  domainOwner: null,
  domainType: 2,
  profiling: false,
  initiatedType: null,
  context: null,
  hits: null,
  firstMs: null,
  firstOffsetMin: null,
  lastMs: null,
  lastOffsetMin: null,
  contextVerificationType: null,
  domainClassification: null,
});

interface Pending {
  args: NetworkGroupArgs & { offset: number; limit: number };
  resolve: (r: Result<NetworkRowsPage>) => void;
}

/** A client whose network pages are answered when the test says so, from `rows` per app. */
function fakeClient(pending: Pending[]): Client {
  return {
    kind: 'http',
    call: ((method: string, args: Pending['args']) => {
      expect(method).toBe('queryNetworkRows');
      return new Promise<Result<NetworkRowsPage>>((resolve) => pending.push({ args, resolve }));
    }) as Client['call'],
    on: () => () => {},
    pathForFile: () => null,
  };
}

/** Answers the oldest pending call from `total` rows of its app (or with an error). */
function answer(pending: Pending[], total: number, failure = false): void {
  const p = pending.shift()!;
  if (failure) return p.resolve(err('INTERNAL', 'The case could not be read.'));
  const items = Array.from({ length: total }, (_, i) => item(p.args.app, i)).slice(
    p.args.offset,
    p.args.offset + p.args.limit,
  );
  p.resolve(ok({ items, total, offset: p.args.offset }));
}

let root: NullRoot | null = null;
afterEach(async () => {
  await root?.unmount();
  root = null;
});

async function mount(pending: Pending[], initial: NetworkGroupArgs | null) {
  const seen: { state: NetworkRowsState | null } = { state: null };
  const value: AppContextValue = {
    client: fakeClient(pending),
    activity: createActivity(0),
    info: { name: 'Snoopscope', version: '0', host: 'devserver' },
    caseInfo: null,
    version: 0,
    invalidate: () => {},
    setCaseInfo: () => {},
  };
  function Reader({ args }: { args: NetworkGroupArgs | null }) {
    seen.state = useNetworkRows(args);
    return null;
  }
  root = createNullRoot();
  const render = (args: NetworkGroupArgs | null) =>
    root!.render(
      <AppContext.Provider value={value}>
        <Reader args={args} />
      </AppContext.Provider>,
    );
  await render(initial);
  return { seen, render };
}

const group = (app: string): NetworkGroupArgs => ({
  filter: {},
  snapshots: 'all',
  deviceId: 1,
  app,
});

describe('useNetworkRows', () => {
  it('reads nothing for a closed group', async () => {
    const pending: Pending[] = [];
    const { seen } = await mount(pending, null);
    expect(pending).toHaveLength(0);
    expect(seen.state).toMatchObject({ items: [], total: null, loading: false });
  });

  it('reads the first page, then the next ones at each press, until the group ends', async () => {
    const pending: Pending[] = [];
    const { seen } = await mount(pending, group('a'));
    expect(seen.state).toMatchObject({ items: [], total: null, loading: true });
    await root!.update(() => answer(pending, 120));
    expect(seen.state!.items).toHaveLength(NETWORK_PAGE);
    expect(seen.state).toMatchObject({ total: 120, loading: false });
    await root!.update(() => seen.state!.more());
    // A second press while the page is on its way asks for nothing more.
    await root!.update(() => seen.state!.more());
    expect(pending).toHaveLength(1);
    expect(pending[0]!.args).toMatchObject({ offset: 50, limit: NETWORK_PAGE });
    await root!.update(() => answer(pending, 120));
    await root!.update(() => seen.state!.more());
    await root!.update(() => answer(pending, 120));
    expect(seen.state!.items.map((n) => n.line)).toEqual(
      Array.from({ length: 120 }, (_, i) => i + 1),
    );
    await root!.update(() => seen.state!.more());
    expect(pending).toHaveLength(0);
  });

  it('drops the answer for another group, and reads again after a failure', async () => {
    const pending: Pending[] = [];
    const { seen, render } = await mount(pending, group('a'));
    await render(group('b'));
    await root!.update(() => answer(pending, 3));
    expect(seen.state).toMatchObject({ items: [], loading: true });
    await root!.update(() => answer(pending, 3, true));
    expect(seen.state).toMatchObject({ items: [], loading: false });
    expect(seen.state!.error?.message).toBe('The case could not be read.');
    await root!.update(() => seen.state!.retry());
    expect(pending[0]!.args).toMatchObject({ app: 'b', offset: 0 });
    await root!.update(() => answer(pending, 3));
    expect(seen.state!.items.map((n) => n.app)).toEqual(['b', 'b', 'b']);
    expect(seen.state).toMatchObject({ total: 3, error: null, loading: false });
  });
});
