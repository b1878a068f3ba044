import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ApiHandlers, AuditEntry } from '../contract/api';
import type { EventEnvelope } from '../contract/bridge';
import type { ImportFinished } from '../contract/events';
import type { AppPairing, CompareResult, CompareRow } from '../contract/records';
import type { Result } from '../contract/result';
import type { CoreApp } from './app';
import { dispatch } from './bridge/dispatch';
import { createCoreApp } from './create-core-app';
import { accessPair } from './testing/apr-fixture';

const M = 60_000;
/** 2024-05-01 as a day number (days since 1970-01-01). */
const D = Date.UTC(2024, 4, 1) / 86_400_000;

/** The UTC instant of device-local 2024-05-`day` `h:m` at `offsetMin`. */
const at = (day: number, h: number, m: number, offsetMin: number): number =>
  Date.UTC(2024, 4, day, h, m) - offsetMin * M;

let dir: string;
let core: CoreApp;
let events: EventEnvelope[];
let alice: number;
let bob: number;

function finished(): Promise<ImportFinished> {
  return new Promise((resolve) => {
    const off = core.onEvent((e) => {
      if (e.event === 'onImportFinished') {
        off();
        resolve(e.payload as ImportFinished);
      }
    });
  });
}

async function importLines(deviceId: number, name: string, lines: string[]): Promise<void> {
  const file = join(dir, name);
  writeFileSync(file, lines.join('\n') + '\n');
  const done = finished();
  await core.handlers.startImport({ paths: [file], deviceId });
  const result = await done;
  expect(result.outcomes[0]?.status).toBe('imported');
}

const noDialog = (): never => {
  throw new Error('No file dialog in these tests.');
};

/** Calls a bridge method the way the shells do: validation, handler, Result envelope. */
const call = (method: string, args: unknown): Promise<Result<unknown>> => {
  const handlers: ApiHandlers = {
    ...core.handlers,
    pickCaseFile: noDialog,
    pickImportFiles: noDialog,
    pickFolder: noDialog,
    pickSavePath: noDialog,
  };
  return dispatch(handlers, method, args, () => undefined);
};

async function value<T>(method: string, args: unknown): Promise<T> {
  const r = await call(method, args);
  if (!r.ok) throw new Error(`${method} failed: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}

const A_OFF = 120;
const B_OFF = -300;

/** A case with Alice's and Bob's exports imported. */
async function setUp(): Promise<void> {
  dir = mkdtempSync(join(tmpdir(), 'snoopscope-compare-'));
  core = createCoreApp({ userDataDir: join(dir, 'user'), host: 'cli', version: '0.0.0-test' });
  events = [];
  core.onEvent((e) => events.push(e));
  await core.handlers.createCase({ path: join(dir, 'c.snoopcase') });
  alice = (await core.handlers.createDevice({ label: 'Alice', platform: 'ios' })).id;
  bob = (await core.handlers.createDevice({ label: 'Bob', platform: 'ios' })).id;
  const a = (id: string, app: string, category: string, day: number, h: number, secs: number) =>
    accessPair({
      app,
      category,
      id,
      ms: at(day, h, 0, A_OFF),
      durationMs: secs * 1000,
      offsetMin: A_OFF,
    });
  // Alice (+02:00), local 2024-05-01..03: WeChat photos six times (two at night), Maps once.
  await importLines(alice, 'alice.ndjson', [
    ...a('A1', 'com.tencent.xin', 'photos', 1, 1, 10),
    ...a('A2', 'com.tencent.xin', 'photos', 1, 12, 20),
    ...a('A3', 'com.tencent.xin', 'photos', 2, 3, 30),
    ...a('A7', 'com.google.Maps', 'location', 2, 10, 300),
    ...a('A4', 'com.tencent.xin', 'photos', 2, 14, 40),
    ...a('A5', 'com.tencent.xin', 'photos', 3, 9, 50),
    ...a('A6', 'com.tencent.xin', 'photos', 3, 20, 60),
  ]);
  const b = (
    id: string,
    app: string,
    category: string,
    day: number,
    h: number,
    m: number,
    secs: number,
  ) =>
    accessPair({
      app,
      category,
      id,
      ms: at(day, h, m, B_OFF),
      durationMs: secs * 1000,
      offsetMin: B_OFF,
    });
  // Bob (−05:00), local 2024-05-01..02: Maps twice (one at night), the Android WeChat id once.
  await importLines(bob, 'bob.ndjson', [
    ...b('B1', 'com.google.Maps', 'location', 1, 8, 0, 60),
    ...b('B2', 'com.tencent.mm', 'photos', 1, 23, 30, 15),
    ...b('B3', 'com.google.Maps', 'location', 2, 2, 0, 120),
  ]);
  events = [];
}

async function tearDown(): Promise<void> {
  await core.dispose();
  rmSync(dir, { recursive: true, force: true });
}

const byKey = (r: CompareResult) =>
  new Map(r.rows.map((row) => [`${row.app}/${row.category}`, row]));
const cols = (row: CompareRow | undefined) =>
  row?.columns.map((c) => [c.label, c.observedDays, c.sessions, c.sessionsPerDay, c.nightSessions]);

describe('queryCompare', () => {
  // These calls only read, so the cases share one imported case.
  beforeAll(setUp, 60_000);
  afterAll(tearDown);

  it('compares devices per observed day, with each column’s days and offset', async () => {
    const r = await value<CompareResult>('queryCompare', {
      columns: [
        { label: 'Alice', deviceId: alice },
        { label: 'Bob', deviceId: bob },
      ],
    });
    expect(r.night).toEqual({ from: '00:00', to: '06:00' });
    // Devices without date bounds: change is the spread.
    expect(r.kind).toBe('devices');
    expect(r.columns).toEqual([
      {
        label: 'Alice',
        deviceId: alice,
        from: null,
        to: null,
        days: [D, D + 1, D + 2],
        offsetMin: 120,
        platform: 'ios',
        sessions: 7,
        androidCaptures: 0,
      },
      {
        label: 'Bob',
        deviceId: bob,
        from: null,
        to: null,
        days: [D, D + 1],
        offsetMin: -300,
        platform: 'ios',
        sessions: 3,
        androidCaptures: 0,
      },
    ]);
    expect(r.rows.map((row) => `${row.app}/${row.category}`)).toEqual([
      'com.google.Maps/location',
      'com.tencent.mm/photos',
      'com.tencent.xin/photos',
    ]);
    const rows = byKey(r);
    expect(cols(rows.get('com.tencent.xin/photos'))).toEqual([
      ['Alice', 3, 6, 2, 2],
      ['Bob', 2, 0, 0, 0],
    ]);
    expect(cols(rows.get('com.google.Maps/location'))).toEqual([
      ['Alice', 3, 1, 0.33, 0],
      ['Bob', 2, 2, 1, 1],
    ]);
    expect(cols(rows.get('com.tencent.mm/photos'))).toEqual([
      ['Alice', 3, 0, 0, 0],
      ['Bob', 2, 1, 0.5, 0],
    ]);
    const xin = rows.get('com.tencent.xin/photos')!;
    expect(xin.apps).toEqual(['com.tencent.xin']);
    expect(xin.columns[0]).toMatchObject({
      medianSeconds: 35,
      longestSeconds: 60,
      backgroundShare: null,
    });
    expect(xin.columns[1]).toMatchObject({ medianSeconds: null, longestSeconds: null });
    expect(rows.get('com.google.Maps/location')!.columns[1]).toMatchObject({
      medianSeconds: 90,
      longestSeconds: 120,
    });
  });

  it('compares periods of one device: from inclusive, to exclusive, open ends allowed', async () => {
    const r = await value<CompareResult>('queryCompare', {
      columns: [
        { label: 'Alice:..2024-05-02', deviceId: alice, to: '2024-05-02' },
        { label: 'Alice:2024-05-02..', deviceId: alice, from: '2024-05-02' },
        {
          label: 'Alice:2024-05-02..2024-05-03',
          deviceId: alice,
          from: '2024-05-02',
          to: '2024-05-03',
        },
      ],
    });
    // Date bounds make it a comparison of periods (change: last minus first).
    expect(r.kind).toBe('periods');
    expect(r.columns.map((c) => c.sessions)).toEqual([2, 5, 3]);
    expect(r.columns.map((c) => [c.label, c.from, c.to, c.days])).toEqual([
      ['Alice:..2024-05-02', null, '2024-05-02', [D]],
      ['Alice:2024-05-02..', '2024-05-02', null, [D + 1, D + 2]],
      ['Alice:2024-05-02..2024-05-03', '2024-05-02', '2024-05-03', [D + 1]],
    ]);
    const rows = byKey(r);
    expect(cols(rows.get('com.tencent.xin/photos'))).toEqual([
      ['Alice:..2024-05-02', 1, 2, 2, 1],
      ['Alice:2024-05-02..', 2, 4, 2, 1],
      ['Alice:2024-05-02..2024-05-03', 1, 2, 2, 1],
    ]);
    expect(cols(rows.get('com.google.Maps/location'))).toEqual([
      ['Alice:..2024-05-02', 1, 0, 0, 0],
      ['Alice:2024-05-02..', 2, 1, 0.5, 0],
      ['Alice:2024-05-02..2024-05-03', 1, 1, 1, 0],
    ]);
    expect(rows.has('com.tencent.mm/photos')).toBe(false);
  });

  it('counts night sessions in the window asked for', async () => {
    const night = { from: '12:00', to: '15:00' };
    const r = await value<CompareResult>('queryCompare', {
      columns: [
        { label: 'Alice', deviceId: alice },
        { label: 'Bob', deviceId: bob },
      ],
      night,
    });
    expect(r.night).toEqual(night);
    const rows = byKey(r);
    expect(rows.get('com.tencent.xin/photos')?.columns.map((c) => c.nightSessions)).toEqual([2, 0]);
    expect(rows.get('com.google.Maps/location')?.columns.map((c) => c.nightSessions)).toEqual([
      0, 0,
    ]);
  });

  it('refuses an unknown device with NOT_FOUND, naming the column', async () => {
    const r = await call('queryCompare', {
      columns: [
        { label: 'Alice', deviceId: alice },
        { label: 'Ghost', deviceId: 999 },
      ],
    });
    expect(r).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'No device 999 in this case (column Ghost).' },
    });
  });

  it('refuses a reversed or empty period with INVALID_INPUT', async () => {
    const reversed = await call('queryCompare', {
      columns: [
        { label: 'Alice', deviceId: alice },
        { label: 'Back', deviceId: alice, from: '2024-05-03', to: '2024-05-01' },
      ],
    });
    expect(reversed).toEqual({
      ok: false,
      error: { code: 'INVALID_INPUT', message: 'The period of Back ends before it starts.' },
    });
    const empty = await call('queryCompare', {
      columns: [
        { label: 'Same', deviceId: alice, from: '2024-05-02', to: '2024-05-02' },
        { label: 'Bob', deviceId: bob },
      ],
    });
    expect(empty).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('refuses malformed requests before running them', async () => {
    for (const args of [
      { columns: [{ label: 'Alice', deviceId: alice }] },
      {
        columns: [
          { label: 'Alice', deviceId: alice },
          { label: 'Bob', deviceId: bob, from: '2024-5-1' },
        ],
      },
      {
        columns: [
          { label: 'Alice', deviceId: alice },
          { label: ' ', deviceId: bob },
        ],
      },
      {
        columns: [
          { label: 'Alice', deviceId: alice },
          { label: 'Bob', deviceId: bob },
        ],
        night: { from: '25:00', to: '06:00' },
      },
    ]) {
      const r = await call('queryCompare', args);
      expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    }
    const impossible = await call('queryCompare', {
      columns: [
        { label: 'Alice', deviceId: alice },
        { label: 'Bob', deviceId: bob, to: '2024-02-30' },
      ],
    });
    expect(impossible).toEqual({
      ok: false,
      error: { code: 'INVALID_INPUT', message: 'Not a date (YYYY-MM-DD): 2024-02-30' },
    });
  });
});

describe('listPairings and pairApps', () => {
  beforeEach(setUp, 60_000);
  afterEach(tearDown);

  const audit = async (): Promise<AuditEntry[]> =>
    (await value<AuditEntry[]>('listAudit', {})).filter((e) => e.action.startsWith('apps-'));

  it('pairs two apps into one compared row, audited, and unpairs them again', async () => {
    expect(await value<AppPairing[]>('listPairings', {})).toEqual([]);
    const before = Date.now();
    expect(await value('pairApps', { a: 'com.tencent.xin', b: 'com.tencent.mm' })).toEqual({
      changed: true,
    });
    const pairings = await value<AppPairing[]>('listPairings', {});
    expect(pairings.map((p) => [p.a, p.b])).toEqual([['com.tencent.mm', 'com.tencent.xin']]);
    expect(pairings[0]!.createdAt).toBeGreaterThanOrEqual(before);
    expect(events.filter((e) => e.event === 'onCaseChanged').map((e) => e.payload)).toEqual([
      { reason: 'app-pairing' },
    ]);

    const request = {
      columns: [
        { label: 'Alice', deviceId: alice },
        { label: 'Bob', deviceId: bob },
      ],
    };
    const paired = await value<CompareResult>('queryCompare', request);
    expect(paired.rows.map((row) => `${row.app}/${row.category}`)).toEqual([
      'com.google.Maps/location',
      'com.tencent.mm/photos',
    ]);
    const wechat = byKey(paired).get('com.tencent.mm/photos')!;
    expect(wechat.apps).toEqual(['com.tencent.mm', 'com.tencent.xin']);
    expect(cols(wechat)).toEqual([
      ['Alice', 3, 6, 2, 2],
      ['Bob', 2, 1, 0.5, 0],
    ]);

    // The same pair again, in either order, changes nothing and writes no entry.
    expect(await value('pairApps', { a: 'com.tencent.mm', b: 'com.tencent.xin' })).toEqual({
      changed: false,
    });
    expect((await audit()).map((e) => [e.action, e.details])).toEqual([
      ['apps-paired', { a: 'com.tencent.xin', b: 'com.tencent.mm' }],
    ]);

    expect(
      await value('pairApps', { a: 'com.tencent.mm', b: 'com.tencent.xin', remove: true }),
    ).toEqual({ changed: true });
    expect(await value<AppPairing[]>('listPairings', {})).toEqual([]);
    expect(
      await value('pairApps', { a: 'com.tencent.xin', b: 'com.tencent.mm', remove: true }),
    ).toEqual({ changed: false });
    expect((await audit()).map((e) => [e.action, e.details])).toEqual([
      ['apps-unpaired', { a: 'com.tencent.mm', b: 'com.tencent.xin' }],
      ['apps-paired', { a: 'com.tencent.xin', b: 'com.tencent.mm' }],
    ]);
    expect(await value('verifyAudit', {})).toMatchObject({ intact: true });

    const unpaired = await value<CompareResult>('queryCompare', request);
    expect(unpaired.rows.map((row) => `${row.app}/${row.category}`)).toEqual([
      'com.google.Maps/location',
      'com.tencent.mm/photos',
      'com.tencent.xin/photos',
    ]);
  });

  it('lists pairings oldest first', async () => {
    await value('pairApps', { a: 'com.z.ios', b: 'com.z.android' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await value('pairApps', { a: 'com.a.ios', b: 'com.a.android' });
    const list = await value<AppPairing[]>('listPairings', {});
    expect(list.map((p) => `${p.a}=${p.b}`)).toEqual([
      'com.z.android=com.z.ios',
      'com.a.android=com.a.ios',
    ]);
    expect(list[0]!.createdAt).toBeLessThan(list[1]!.createdAt);
  });

  it('refuses an app paired with itself (also after trimming) and empty identifiers', async () => {
    for (const args of [
      { a: 'com.tencent.xin', b: 'com.tencent.xin' },
      { a: ' com.tencent.xin ', b: 'com.tencent.xin' },
    ]) {
      expect(await call('pairApps', args)).toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT', message: 'An app cannot be paired with itself.' },
      });
    }
    for (const args of [
      { a: '', b: 'x' },
      { a: '   ', b: 'x' },
      { a: 'x' },
      { a: 'x', b: 'y', extra: 1 },
    ]) {
      expect(await call('pairApps', args)).toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT' },
      });
    }
    expect(await value<AppPairing[]>('listPairings', {})).toEqual([]);
    expect(await audit()).toEqual([]);
  });

  it('answers NO_CASE_OPEN without a case', async () => {
    await core.handlers.closeCase({});
    expect(await call('listPairings', {})).toMatchObject({
      ok: false,
      error: { code: 'NO_CASE_OPEN' },
    });
    expect(await call('pairApps', { a: 'x', b: 'y' })).toMatchObject({
      ok: false,
      error: { code: 'NO_CASE_OPEN' },
    });
    expect(
      await call('queryCompare', {
        columns: [
          { label: 'Alice', deviceId: alice },
          { label: 'Bob', deviceId: bob },
        ],
      }),
    ).toMatchObject({ ok: false, error: { code: 'NO_CASE_OPEN' } });
  });
});
