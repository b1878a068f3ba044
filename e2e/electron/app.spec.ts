import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  _electron as electron,
  expect,
  test,
  type ElectronApplication,
  type Page,
} from '@playwright/test';
import type { SnoopscopeBridge } from '../../src/contract/bridge';
import type { ImportFinished } from '../../src/contract/events';
import { ELECTRON_MISSING, electronLaunchTarget } from './support/electron-binary';
import { writeSyntheticReport } from './support/evidence';

const projectDir = path.resolve(import.meta.dirname, '../..');
const mainEntry = path.join(projectDir, 'out/main/index.js');
const target = electronLaunchTarget(projectDir);
if (!target) console.log(ELECTRON_MISSING);

/** The renderer's global scope as the page functions below see it (the spec compiles without DOM types). */
type RendererGlobal = {
  snoopscope?: SnoopscopeBridge;
  require?: unknown;
  process?: unknown;
  open(url: string): unknown;
  location: { href: string };
};

test.describe('Electron app', () => {
  test.skip(!target, ELECTRON_MISSING);

  let app: ElectronApplication;
  let page: Page;
  let dir: string;

  test.beforeEach(async () => {
    if (!target!.packaged)
      expect(existsSync(mainEntry), 'out/main/index.js is missing; run `npm run build` first').toBe(
        true,
      );
    dir = mkdtempSync(path.join(os.tmpdir(), 'snoopscope-e2e-'));
    const env = { ...process.env } as Record<string, string>;
    delete env.ELECTRON_RENDERER_URL;
    app = await electron.launch({
      executablePath: target!.executablePath,
      args: [...target!.appArgs, `--user-data-dir=${path.join(dir, 'user-data')}`],
      env,
    });
    page = await app.firstWindow();
    await page.waitForFunction(
      () => typeof (globalThis as unknown as RendererGlobal).snoopscope?.invoke === 'function',
    );
  });

  test.afterEach(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('serves the renderer from the app origin with the bridge and without Node', async () => {
    expect(page.url()).toBe('app://snoopscope/index.html');
    const surface = await page.evaluate(() => {
      const g = globalThis as unknown as RendererGlobal;
      return {
        bridge: Object.keys(g.snoopscope ?? {}).sort(),
        require: typeof g.require,
        process: typeof g.process,
        opened: g.open('https://example.invalid/') === null,
      };
    });
    expect(surface).toEqual({
      bridge: ['invoke', 'on', 'pathForFile'],
      require: 'undefined',
      process: 'undefined',
      opened: true,
    });
    const info = await page.evaluate(() =>
      (globalThis as unknown as RendererGlobal).snoopscope!.invoke('getAppInfo', {}),
    );
    expect(info).toEqual({
      ok: true,
      value: expect.objectContaining({ name: 'Snoopscope', host: 'electron' }),
    });
    expect(await app.windows()).toHaveLength(1);
  });

  test('creates a case and imports evidence through the native module and the worker', async () => {
    const casePath = path.join(dir, 'e2e.snoopcase');
    const created = await page.evaluate(
      (p) =>
        (globalThis as unknown as RendererGlobal).snoopscope!.invoke('createCase', { path: p }),
      casePath,
    );
    expect(created).toMatchObject({ ok: true, value: { path: casePath } });
    expect(existsSync(casePath)).toBe(true);

    const device = await page.evaluate(() =>
      (globalThis as unknown as RendererGlobal).snoopscope!.invoke('createDevice', {
        label: 'Phone A',
        platform: 'ios',
      }),
    );
    expect(device.ok).toBe(true);
    const deviceId = device.ok ? device.value.id : 0;

    const report = writeSyntheticReport(dir);
    const finished = await page.evaluate(
      ({ file, deviceId }) =>
        new Promise<{ started: unknown; finished: ImportFinished }>((resolve) => {
          const bridge = (globalThis as unknown as RendererGlobal).snoopscope!;
          let started: unknown = null;
          const off = bridge.on('onImportFinished', (payload) => {
            off();
            resolve({ started, finished: payload });
          });
          void bridge.invoke('startImport', { paths: [file], deviceId }).then((r) => (started = r));
        }),
      { file: report, deviceId },
    );
    expect(finished.finished.cancelled).toBe(false);
    expect(finished.finished.outcomes).toEqual([expect.objectContaining({ status: 'imported' })]);

    const summary = await page.evaluate(() =>
      (globalThis as unknown as RendererGlobal).snoopscope!.invoke('querySummary', { filter: {} }),
    );
    expect(summary).toMatchObject({
      ok: true,
      value: [
        expect.objectContaining({ app: 'org.example.camera-app', category: 'camera', sessions: 1 }),
      ],
    });
  });

  test('keeps the window on the app when the page tries to navigate away', async () => {
    await page.evaluate(() => {
      (globalThis as unknown as RendererGlobal).location.href = 'https://example.invalid/';
    });
    const log = path.join(dir, 'user-data', 'logs', 'main.log');
    await expect
      .poll(() => (existsSync(log) ? readFileSync(log, 'utf8') : ''))
      .toContain('Blocked navigation to https://example.invalid/');
    expect(page.url()).toBe('app://snoopscope/index.html');
    const info = await page.evaluate(() =>
      (globalThis as unknown as RendererGlobal).snoopscope!.invoke('getAppInfo', {}),
    );
    expect(info.ok).toBe(true);
  });
});
