import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ApiHandlers,
  NetworkGroupsResult,
  NetworkItem,
  NetworkRowsPage,
} from '../../contract/api';
import type { ImportFinished } from '../../contract/events';
import type { Result } from '../../contract/result';
import type { CoreApp } from '../app';
import { dispatch } from '../bridge/dispatch';
import { createCoreApp } from '../create-core-app';
import { networkLine } from '../testing/apr-fixture';

// The Network view's two calls through the bridge as the shells serve them: validation of crafted
// arguments, and the pages of a group put together against the full answer.

const T = Date.UTC(2024, 4, 1, 8);
let dir: string;
let core: CoreApp;
let phone: number;

const call = (method: string, args: unknown): Promise<Result<unknown>> =>
  dispatch(core.handlers as ApiHandlers, method, args, () => undefined);

async function value<T>(method: string, args: unknown): Promise<T> {
  const r = await call(method, args);
  if (!r.ok) throw new Error(`${method} failed: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'snoopscope-network-'));
  core = createCoreApp({ userDataDir: join(dir, 'user'), host: 'cli', version: '0.0.0-test' });
  await core.handlers.createCase({ path: join(dir, 'c.snoopcase') });
  phone = (await core.handlers.createDevice({ label: 'Phone', platform: 'ios' })).id;
  const lines = [
    ...Array.from({ length: 7 }, (_, i) =>
      networkLine({
        app: 'com.tencent.xin',
        domain: `d${i % 5}.example`,
        firstMs: T + i * 60_000,
        lastMs: T + i * 60_000,
        hits: i % 3,
        domainType: i === 0 ? 1 : 2,
        context: i < 5 ? '' : `c${i}`,
      }),
    ),
    networkLine({ app: 'com.google.Maps', domain: 'maps.example', firstMs: T, lastMs: T }),
  ];
  await importReport('report.ndjson', lines, phone);
});

/** Imports a report of these lines for the device and waits until it is imported. */
async function importReport(name: string, lines: string[], deviceId: number): Promise<void> {
  const file = join(dir, name);
  writeFileSync(file, lines.join('\n') + '\n');
  const done = new Promise<ImportFinished>((resolve) => {
    const off = core.onEvent((e) => {
      if (e.event === 'onImportFinished') {
        off();
        resolve(e.payload as ImportFinished);
      }
    });
  });
  await core.handlers.startImport({ paths: [file], deviceId });
  expect((await done).outcomes[0]?.status).toBe('imported');
}

afterAll(async () => {
  await core.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('queryNetworkGroups and queryNetworkRows', () => {
  it('answer the groups and pages whose rows put together are the full answer', async () => {
    const all = await value<NetworkItem[]>('queryNetwork', { filter: {}, snapshots: 'all' });
    const groups = await value<NetworkGroupsResult>('queryNetworkGroups', {
      filter: {},
      snapshots: 'all',
    });
    expect(groups.recorded).toBe(true);
    expect(groups.rows).toBe(8);
    expect(groups.groups.map((g) => [g.app, g.rows, g.domains, g.profiling])).toEqual([
      ['com.tencent.xin', 7, 5, 1],
      ['com.google.Maps', 1, 1, 0],
    ]);
    const rows: NetworkItem[] = [];
    for (let offset = 0; offset < 7; offset += 3) {
      const page = await value<NetworkRowsPage>('queryNetworkRows', {
        filter: {},
        snapshots: 'all',
        deviceId: phone,
        app: 'com.tencent.xin',
        offset,
        limit: 3,
      });
      expect(page.total).toBe(7);
      rows.push(...page.items);
    }
    expect(rows).toEqual(all.filter((n) => n.app === 'com.tencent.xin'));
  });

  it('refuse crafted arguments without running a query', async () => {
    const base = { filter: {}, deviceId: phone, app: 'com.tencent.xin' };
    for (const args of [
      { ...base, offset: -1 },
      { ...base, offset: 1.5 },
      { ...base, offset: Number.NaN },
      { ...base, offset: Number.POSITIVE_INFINITY },
      { ...base, offset: 2e9 },
      { ...base, offset: '0' },
      { ...base, limit: 0 },
      { ...base, limit: 501 },
      { ...base, limit: Number.NaN },
      { ...base, limit: -5 },
      { ...base, deviceId: 0 },
      { ...base, deviceId: -3 },
      { ...base, deviceId: Number.NaN },
      { ...base, deviceId: '1' },
      { ...base, app: '' },
      { ...base, app: 'x'.repeat(1001) },
      { ...base, app: ['com.tencent.xin'] },
      { ...base, snapshots: 'some' },
      { ...base, extra: true },
      { filter: {}, app: 'com.tencent.xin' },
      { deviceId: phone, app: 'com.tencent.xin' },
    ]) {
      const r = await call('queryNetworkRows', args);
      expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      if (!r.ok) expect(r.error.message).toMatch(/^Invalid input for queryNetworkRows: /);
    }
    for (const args of [{}, { filter: {}, snapshots: 'every' }, { filter: {}, offset: 0 }, null]) {
      const r = await call('queryNetworkGroups', args);
      expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    }
  });

  it('answer an empty page for an unknown device or app, or an offset past the end', async () => {
    for (const args of [
      { deviceId: 999_999, app: 'com.tencent.xin' },
      { deviceId: phone, app: 'com.unknown' },
      { deviceId: phone, app: 'com.tencent.xin', offset: 1_000_000_000, limit: 500 },
    ]) {
      const page = await value<NetworkRowsPage>('queryNetworkRows', { filter: {}, ...args });
      expect(page.items).toEqual([]);
    }
    const none = await value<NetworkGroupsResult>('queryNetworkGroups', {
      filter: { devices: [999_999] },
    });
    expect(none).toEqual({ groups: [], rows: 0, recorded: false });
  });
});

// Last: it adds a device and rows the tests above do not count.
describe('a Network group of an app another device also holds', () => {
  it('shows the device’s own app’s name, none when only the other device’s app is named', async () => {
    const tablet = (await core.handlers.createDevice({ label: 'Tablet', platform: 'ios' })).id;
    const notes = (domain: string) =>
      networkLine({ app: 'com.example.notes', domain, firstMs: T, lastMs: T });
    await importReport('phone-notes.ndjson', [notes('phone.example')], phone);
    await importReport('tablet-notes.ndjson', [notes('tablet.example')], tablet);
    // The examiner names the app on the phone only (the app added first, whose name the tablet's
    // group once borrowed).
    await value('renameApp', { identifier: 'com.example.notes', name: 'Notes', deviceId: phone });
    for (const snapshots of ['latest', 'all'] as const) {
      const groups = await value<NetworkGroupsResult>('queryNetworkGroups', {
        filter: { apps: ['com.example.notes'] },
        snapshots,
      });
      expect(groups.groups.map((g) => [g.deviceId, g.appName]).sort()).toEqual(
        [
          [phone, 'Notes'],
          [tablet, null],
        ].sort(),
      );
      // Each group's name is the one its rows show (as the CSVs write it).
      for (const g of groups.groups) {
        const page = await value<NetworkRowsPage>('queryNetworkRows', {
          filter: {},
          snapshots,
          deviceId: g.deviceId,
          app: g.app,
        });
        expect(page.items.map((n) => n.appName)).toEqual([g.appName]);
      }
    }
  });
});
