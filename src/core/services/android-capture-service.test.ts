import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AndroidCaptureStatus } from '../../contract/events';
import {
  PIXEL,
  syntheticAdbOutputs,
  writeStandInAdb,
  type StandInAdb,
} from '../acquire/testing/stand-in-adb';
import { tempCase, type TempCase } from '../testing/temp-case';
import { AndroidCaptureService } from './android-capture-service';

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
});
