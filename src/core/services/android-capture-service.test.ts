import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AndroidCaptureStatus, ImportProgress } from '../../contract/events';
import {
  PIXEL,
  syntheticAdbOutputs,
  writeStandInAdb,
  type StandInAdb,
} from '../acquire/testing/stand-in-adb';
import { tempCase, type TempCase } from '../testing/temp-case';
import { AppError } from '../model/errors';
import { AndroidCaptureService, type CaptureImportClient } from './android-capture-service';
import type { WorkerCall } from './worker-call';

let t: TempCase;
let adb: StandInAdb;
let statuses: AndroidCaptureStatus[];
let service: AndroidCaptureService;

beforeEach(() => {
  t = tempCase();
  adb = writeStandInAdb({ devices: [PIXEL], outputs: syntheticAdbOutputs() });
  statuses = [];
  service = new AndroidCaptureService(
    (event, payload) => {
      if (event === 'onAndroidCapture') statuses.push(payload as AndroidCaptureStatus);
    },
    () => undefined,
    { env: { PATH: adb.dir }, platform: 'linux' },
  );
});
afterEach(async () => {
  await service.dispose();
  adb.cleanup();
  t.cleanup();
});

const stopped = (): Promise<AndroidCaptureStatus> =>
  new Promise((resolve) => {
    const timer = setInterval(() => {
      const s = statuses.find((x) => x.phase === 'stopped');
      if (s) {
        clearInterval(timer);
        resolve(s);
      }
    }, 10);
  });

describe('AndroidCaptureService', () => {
  it('lists phones, captures one into the case folder and imports it into one device', async () => {
    const listed = await service.list();
    expect(listed).toMatchObject({ adb: join(adb.dir, 'adb'), installHint: null });
    expect(listed.devices.map((d) => [d.serial, d.model, d.problem])).toEqual([
      [PIXEL.serial, 'Pixel 7', null],
    ]);
    let imported = 0;
    const id = await service.start(t.session, { serial: PIXEL.serial, label: 'Pixel' }, () => {
      imported += 1;
    });
    const last = await stopped();
    expect(last.captureId).toBe(id);
    expect(imported).toBe(1);
    expect(statuses.map((s) => s.phase)).toEqual(
      expect.arrayContaining(['capturing', 'importing', 'stopped']),
    );
    expect(last.history).toHaveLength(1);
    expect(last.history[0]?.error).toBeNull();
    expect(last.history[0]?.added?.access).toBeGreaterThan(0);
    expect(existsSync(join(last.history[0]!.folder, 'capture.json'))).toBe(true);
    expect(last.history[0]!.folder.startsWith(join(t.dir, 'captures'))).toBe(true);
    expect(t.session.deviceByLabel('Pixel')?.platform).toBe('android');
    expect(last.deviceId).toBe(t.session.deviceByLabel('Pixel')?.id);
    expect(service.busy).toBe(false);
  });

  it('uses the adb SNOOPSCOPE_ADB names; one that cannot be run counts as no adb', async () => {
    const named = new AndroidCaptureService(
      () => undefined,
      () => undefined,
      { env: { PATH: '', SNOOPSCOPE_ADB: adb.path }, platform: 'linux' },
    );
    expect((await named.list()).adb).toBe(adb.path);
    const broken = new AndroidCaptureService(
      () => undefined,
      () => undefined,
      { env: { PATH: adb.dir, SNOOPSCOPE_ADB: '/nonexistent/adb' }, platform: 'linux' },
    );
    expect(await broken.list()).toMatchObject({ adb: null, devices: [] });
  });

  it('says what to install when adb is missing', async () => {
    const none = new AndroidCaptureService(
      () => undefined,
      () => undefined,
      {
        env: { PATH: join(t.dir, 'empty') },
        platform: 'darwin',
      },
    );
    const r = await none.list();
    expect(r.adb).toBeNull();
    expect(r.installHint).toMatch(/brew install --cask android-platform-tools/);
    await expect(none.start(t.session, { serial: 'X' }, () => undefined)).rejects.toMatchObject({
      code: 'UNSUPPORTED',
    });
  });

  describe('imports in the import worker', () => {
    /** A stand-in worker client: `importAndroid` answers as `answer` says. */
    function fakeClient(
      answer: (
        call: Extract<WorkerCall, { fn: 'importAndroid' }>,
        signal?: AbortSignal,
      ) => Promise<number>,
      refresh: (signal?: AbortSignal) => Promise<{ refreshed: boolean }> = () =>
        Promise.resolve({ refreshed: true }),
    ) {
      const calls: WorkerCall[] = [];
      let closed = 0;
      const client: CaptureImportClient = {
        run: (async (call: WorkerCall, options: { signal?: AbortSignal }) => {
          calls.push(call);
          if (call.fn === 'refreshDerived') return refresh(options.signal);
          if (call.fn !== 'importAndroid') throw new Error('unexpected call');
          const deviceId = await answer(call, options.signal);
          return {
            deviceId,
            outcomes: [],
            problems: [],
            added: { access: 2, reject: 0, usage: 0, permission: 0, history: 0 },
          };
        }) as CaptureImportClient['run'],
        close: () => {
          closed += 1;
          return Promise.resolve();
        },
      };
      return { client, calls, closed: () => closed };
    }

    let phases: string[] = [];
    const withClient = (client: CaptureImportClient): AndroidCaptureService =>
      new AndroidCaptureService(
        (event, payload) => {
          if (event === 'onAndroidCapture') statuses.push(payload as AndroidCaptureStatus);
          if (event === 'onImportProgress') phases.push((payload as ImportProgress).phase);
        },
        () => undefined,
        { env: { PATH: adb.dir }, platform: 'linux', importClient: () => client },
      );

    it('carries the device the first capture went into to the next captures of a watch', async () => {
      const device = t.session.createDevice({ label: 'Pixel', platform: 'android' });
      const fake = fakeClient(() => Promise.resolve(device.id));
      const watching = withClient(fake.client);
      let imported = 0;
      const id = await watching.start(
        t.session,
        { serial: PIXEL.serial, label: 'Pixel', watchMinutes: 0.002 },
        () => {
          imported += 1;
        },
      );
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          if (fake.calls.filter((c) => c.fn === 'importAndroid').length >= 2) {
            clearInterval(timer);
            resolve();
          }
        }, 10);
      });
      watching.stop(id);
      await stopped();
      await watching.dispose();
      const imports = fake.calls.filter((c) => c.fn === 'importAndroid');
      expect(imports[0]).toMatchObject({ label: 'Pixel', deviceId: undefined });
      expect(imports[1]).toMatchObject({ label: undefined, deviceId: device.id });
      // Each stored capture is followed by the findings step in the same worker.
      expect(fake.calls[1]).toEqual({ fn: 'refreshDerived' });
      expect(imported).toBeGreaterThanOrEqual(2);
      expect(fake.closed()).toBe(1);
    });

    it('records a refused import as its sentence, and does not count it as imported', async () => {
      const fake = fakeClient(() =>
        Promise.reject(
          new AppError('IMPORT_REFUSED', "The capture has no time zone; give the phone's zone."),
        ),
      );
      const failing = withClient(fake.client);
      let imported = 0;
      await failing.start(t.session, { serial: PIXEL.serial, label: 'Pixel' }, () => {
        imported += 1;
      });
      const last = await stopped();
      expect(last.history[0]).toMatchObject({
        added: null,
        error: "The capture has no time zone; give the phone's zone.",
      });
      expect(last.deviceId).toBeNull();
      expect(imported).toBe(0);
      expect(fake.calls.map((c) => c.fn)).toEqual(['importAndroid']);
    });

    it('says which capture could not be imported when the worker stopped', async () => {
      const fake = fakeClient(() =>
        Promise.reject(new Error('the import worker exited with code 1')),
      );
      const crashing = withClient(fake.client);
      await crashing.start(t.session, { serial: PIXEL.serial }, () => undefined);
      const last = await stopped();
      const entry = last.history[0]!;
      expect(entry.error).toBe(
        `The capture in ${entry.folder} could not be imported: the import worker exited with code 1; nothing of it was kept.`,
      );
    });

    it('cancels the import under way when the capture is stopped', async () => {
      let started: () => void = () => undefined;
      const importing = new Promise<void>((r) => {
        started = r;
      });
      const fake = fakeClient(
        (_call, signal) =>
          new Promise<number>((_resolve, reject) => {
            started();
            signal?.addEventListener('abort', () =>
              reject(new AppError('CANCELLED', 'The import was cancelled.')),
            );
          }),
      );
      const cancelling = withClient(fake.client);
      let imported = 0;
      const id = await cancelling.start(t.session, { serial: PIXEL.serial }, () => {
        imported += 1;
      });
      await importing;
      expect(cancelling.stop(id)).toBe(true);
      const last = await stopped();
      expect(last.history[0]?.error).toBe('The import was cancelled.');
      expect(imported).toBe(0);
      await cancelling.dispose();
      expect(fake.closed()).toBe(1);
    });
    it('stopping the capture during its findings step cancels that step; the import still counts', async () => {
      const device = t.session.createDevice({ label: 'Pixel', platform: 'android' });
      let refreshing: () => void = () => undefined;
      const inRefresh = new Promise<void>((r) => {
        refreshing = r;
      });
      const fake = fakeClient(
        () => Promise.resolve(device.id),
        (signal) =>
          new Promise((_resolve, reject) => {
            refreshing();
            signal?.addEventListener('abort', () =>
              reject(new AppError('CANCELLED', 'The computation of the findings was cancelled.')),
            );
          }),
      );
      phases = [];
      const stopping = withClient(fake.client);
      let imported = 0;
      const id = await stopping.start(t.session, { serial: PIXEL.serial }, () => {
        imported += 1;
      });
      await inRefresh;
      stopping.stop(id);
      const last = await stopped();
      expect(last.history[0]).toMatchObject({ error: null, added: { access: 2 } });
      expect(last.deviceId).toBe(device.id);
      expect(imported).toBe(1);
      // Progress ends on one 'done', after the findings step.
      expect(phases.slice(-2)).toEqual(['findings', 'done']);
    });
  });
});
