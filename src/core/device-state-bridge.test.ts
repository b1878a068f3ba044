import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiHandlers, DeviceStateBands, SessionDetails } from '../contract/api';
import type { ImportFinished } from '../contract/events';
import type { Result } from '../contract/result';
import type { CoreApp } from './app';
import { dispatch } from './bridge/dispatch';
import { createCoreApp } from './create-core-app';
import { buildPowerLog } from './formats/powerlog/testing/synthetic';
import { accessPair } from './testing/apr-fixture';

// The bridge's answers about device state: the details of one access carry the state at its
// start, and queryDeviceStates gives the bands the timeline draws.

const H = 3_600_000;
const T0 = Date.UTC(2021, 11, 16, 8);
const BLANK = 'PLSpringBoardAgent_EventForward_SBBlank';
const LOCK = 'PLSpringBoardAgent_EventForward_SBLock';

let dir: string;
let core: CoreApp;
let ipad: number;

const noDialog = (): never => {
  throw new Error('No file dialog in these tests.');
};

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

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'snoopscope-device-state-'));
  core = createCoreApp({ userDataDir: join(dir, 'user'), host: 'cli', version: '0.0.0-test' });
  await core.handlers.createCase({ path: join(dir, 'c.snoopcase') });
  ipad = (await core.handlers.createDevice({ label: 'iPad', platform: 'ios' })).id;
  const s = T0 / 1000;
  const powerlog = join(dir, 'powerlog_2021-12-16_05-54_84E2141B.PLSQL');
  writeFileSync(
    powerlog,
    buildPowerLog({
      PLStorageOperator_EventForward_TimeOffset: [{ timestamp: s, system: 0 }],
      [BLANK]: [
        { timestamp: s + 1800, Blanked: 1 },
        { timestamp: s + 5400, Blanked: 0 },
      ],
      [LOCK]: [{ timestamp: s + 1800, Locked: 1 }],
    }),
  );
  const report = join(dir, 'report.ndjson');
  writeFileSync(
    report,
    [
      ...accessPair({
        app: 'a.night',
        category: 'photos',
        id: 'N',
        ms: T0 + H,
        durationMs: 1000,
        offsetMin: -300,
      }),
      ...accessPair({
        app: 'a.day',
        category: 'photos',
        id: 'D',
        ms: T0 - 9 * H,
        durationMs: 1000,
        offsetMin: -300,
      }),
    ].join('\n') + '\n',
  );
  const done = finished();
  await core.handlers.startImport({
    paths: [report, powerlog],
    deviceId: ipad,
    timeZone: 'America/New_York',
  });
  const result = await done;
  expect(result.outcomes.map((o) => o.status)).toEqual(['imported', 'imported']);
});

afterAll(async () => {
  await core.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('device state over the bridge', () => {
  it('getSession carries the state at the access’s start, with its rows', async () => {
    const night = await value<SessionDetails>('getSession', { id: `s:${ipad}:N` });
    expect(night.deviceState).toEqual({
      screen: 'off',
      locked: true,
      foregroundApp: null,
      basis: 'powerlog',
      sources: [
        { sourceId: expect.any(Number), locator: `${BLANK} rowid 1` },
        { sourceId: expect.any(Number), locator: `${LOCK} rowid 1` },
      ],
    });
    const day = await value<SessionDetails>('getSession', { id: `s:${ipad}:D` });
    expect(day.deviceState).toEqual({
      screen: null,
      locked: null,
      foregroundApp: null,
      basis: null,
      sources: [],
    });
  });

  it('queryDeviceStates gives the bands inside coverage, and validates its input', async () => {
    const [d] = await value<DeviceStateBands[]>('queryDeviceStates', {
      deviceIds: [ipad],
      fromMs: T0 - 10 * H,
      toMs: T0 + 10 * H,
    });
    expect(d!.bands.map((b) => [b.kind, b.fromMs - T0])).toEqual([
      ['screen-off', 0.5 * H],
      ['locked', 0.5 * H],
    ]);
    expect(d!.bands[0]!.toMs - T0).toBe(1.5 * H);
    const bad = await call('queryDeviceStates', { deviceIds: ['x'], fromMs: 0, toMs: 1 });
    expect(bad.ok).toBe(false);
  });
});
