import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { writeAndroidCapture } from '../../src/core/testing/android-capture';
import { accessPair, accessLine, networkLine } from '../../src/core/testing/apr-fixture';
import { writeDemoBackup } from '../../src/core/testing/ios-backup-demo';
import { E2E_TOKEN } from '../../playwright.config';

/** A private temporary folder for one test's case and exports. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'snoopscope-e2e-'));
}

/** Queues answers for the dev server's dialog calls (pick a case file, import files, a save path). */
export async function queuePicks(
  request: APIRequestContext,
  picks: {
    pickCaseFile?: (string | null)[];
    pickImportFiles?: string[][];
    pickSavePath?: (string | null)[];
    pickFolder?: (string | null)[];
  },
): Promise<void> {
  const res = await request.post('/api/test/picks', {
    headers: { 'x-snoopscope-token': E2E_TOKEN },
    data: picks,
  });
  if (!res.ok()) throw new Error(`queueing picks failed: ${res.status()}`);
}

export const PAGE = `/?token=${E2E_TOKEN}`;

/**
 * Writes a small generated App Privacy Report: WeChat reads photos at night (01:10 and 03:00,
 * device-local +08:00) and once in the afternoon, Maps uses location by day, one open session,
 * and two network rows.
 */
export function writeExport(dir: string): { path: string; nightPhotoSessions: number } {
  const day = Date.UTC(2024, 4, 1) - 8 * 3_600_000; // 2024-05-01 00:00 at +08:00
  const at = (h: number, m = 0) => day + h * 3_600_000 + m * 60_000;
  const lines = [
    ...accessPair({
      app: 'com.tencent.xin',
      category: 'photos',
      id: 'E2E-NIGHT-1',
      ms: at(1, 10),
      durationMs: 42_000,
      offsetMin: 480,
    }),
    ...accessPair({
      app: 'com.tencent.xin',
      category: 'photos',
      id: 'E2E-NIGHT-2',
      ms: at(3),
      durationMs: 60_000,
      offsetMin: 480,
    }),
    ...accessPair({
      app: 'com.tencent.xin',
      category: 'photos',
      id: 'E2E-DAY-1',
      ms: at(15, 30),
      durationMs: 5_000,
      offsetMin: 480,
    }),
    ...accessPair({
      app: 'com.google.Maps',
      category: 'location',
      id: 'E2E-MAPS-1',
      ms: at(9),
      durationMs: 600_000,
      offsetMin: 480,
    }),
    ...accessPair({
      app: 'com.google.Maps',
      category: 'location',
      id: 'E2E-MAPS-2',
      ms: at(18),
      durationMs: 300_000,
      offsetMin: 480,
    }),
    accessLine({
      app: 'com.tencent.xin',
      category: 'microphone',
      id: 'E2E-OPEN',
      kind: 'intervalBegin',
      ms: at(22),
      offsetMin: 480,
    }),
    networkLine({
      app: 'com.tencent.xin',
      domain: 'wx.qq.com',
      firstMs: at(1),
      lastMs: at(16),
      hits: 42,
      domainType: 1,
      domainOwner: 'Tencent',
      offsetMin: 480,
    }),
    networkLine({
      app: 'com.google.Maps',
      domain: 'maps.googleapis.com',
      firstMs: at(9),
      lastMs: at(18),
      hits: 7,
      offsetMin: 480,
    }),
  ];
  const path = join(dir, 'App_Privacy_Report_v4_2024-05-02T08_00_00.ndjson');
  writeFileSync(path, lines.join('\n') + '\n');
  return { path, nightPhotoSessions: 2 };
}

/** Waits until the app has no query or action in flight. */
export const ready = (page: Page) =>
  expect(page.getByTestId('app')).toHaveAttribute('data-app-state', 'ready', { timeout: 30_000 });

/** Opens the app on its start screen, closing a case an earlier test left open. */
export async function openStartScreen(page: Page): Promise<void> {
  await page.goto(PAGE);
  await ready(page);
  if (await page.getByTestId('close-case').count()) {
    await page.getByTestId('close-case').click();
    await ready(page);
  }
  await expect(page.getByTestId('start-screen')).toBeVisible();
}

/** Creates a case by typing its path (the browser has no file dialog). */
export async function createCaseAt(page: Page, file: string): Promise<void> {
  await page.getByTestId('create-case').click();
  await page.getByTestId('case-path-input').fill(file);
  await page.getByTestId('case-path-submit').click();
  await ready(page);
}

/**
 * Imports paths typed into the import dialog (the browser has no file dialog) into a new device
 * with this label, and waits for the import summary.
 */
export async function importPaths(page: Page, paths: string, deviceLabel: string): Promise<void> {
  await page.getByTestId('open-import').click();
  await page.getByTestId('import-paths-input').fill(paths);
  await page.getByTestId('new-device-label').fill(deviceLabel);
  await page.getByTestId('create-device').click();
  await ready(page);
  await page.getByTestId('start-import').click();
  await expect(page.getByTestId('import-summary')).toBeVisible({ timeout: 30_000 });
  await ready(page);
}

/**
 * From a fresh start screen: a new case at `file` (in `dir` unless given) holding the generated
 * export (`writeExport`) in a device "Test iPhone", its import summary dismissed.
 */
export async function caseWithExport(
  page: Page,
  dir: string,
  file = join(dir, 'case.snoopscope'),
): Promise<void> {
  await openStartScreen(page);
  await createCaseAt(page, file);
  await importPaths(page, writeExport(dir).path, 'Test iPhone');
  await page.getByTestId('import-done').click();
  await ready(page);
}

/** Calls the dev server's bridge (the case the page has open) and returns the value. */
export async function invoke<T>(
  request: APIRequestContext,
  method: string,
  args: object,
): Promise<T> {
  const res = await request.post('/api/invoke', {
    headers: { 'x-snoopscope-token': E2E_TOKEN },
    data: { method, args },
  });
  const body = (await res.json()) as
    { ok: true; value: T } | { ok: false; error: { message: string } };
  if (!body.ok) throw new Error(`${method} failed: ${body.error.message}`);
  return body.value;
}

/** Waits until the case lists at least `n` sources (imports started through the bridge). */
export async function waitForSources(request: APIRequestContext, n: number): Promise<void> {
  await expect
    .poll(async () => (await invoke<unknown[]>(request, 'listSources', {})).length, {
      timeout: 30_000,
    })
    .toBeGreaterThanOrEqual(n);
}

/**
 * Starts an import through the bridge (once the previous one has let go) and waits until the
 * case lists exactly `sources` sources: an import started outside the page finishes in the
 * background.
 */
export async function importThroughBridge(
  request: APIRequestContext,
  args: { paths: string[]; deviceId: number; timeZone?: string },
  sources: number,
): Promise<void> {
  await expect
    .poll(async () =>
      invoke(request, 'startImport', args).then(
        () => 'started',
        (e: Error) => e.message,
      ),
    )
    .toBe('started');
  await expect
    .poll(async () => (await invoke<unknown[]>(request, 'listSources', {})).length, {
      timeout: 30_000,
    })
    .toBe(sources);
}

/**
 * Adds a generated Android capture (device "Pixel 7") and a generated iPhone backup (device "Old
 * iPhone (backup)") to the open case through the bridge, then reloads the page.
 */
export async function addAndroidAndBackup(
  page: Page,
  request: APIRequestContext,
  dir: string,
): Promise<void> {
  const before = (await invoke<unknown[]>(request, 'listSources', {})).length;
  const pixel = await invoke<{ id: number }>(request, 'createDevice', {
    label: 'Pixel 7',
    platform: 'android',
  });
  await invoke(request, 'startImport', {
    paths: [writeAndroidCapture(join(dir, 'android'))],
    deviceId: pixel.id,
  });
  await waitForSources(request, before + 4);
  const backup = join(dir, 'backup');
  writeDemoBackup(backup);
  // The Android import may still be settling: retry until the bridge takes the backup import.
  await expect
    .poll(() =>
      invoke(request, 'startBackupImport', { path: backup, label: 'Old iPhone (backup)' }).then(
        () => 'started',
        (e: Error) => e.message,
      ),
    )
    .toBe('started');
  await waitForSources(request, before + 5);
  await page.reload();
  await ready(page);
}
