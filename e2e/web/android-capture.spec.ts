import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { writeAndroidCapture } from '../../src/core/testing/android-capture';
import { createCaseAt, openStartScreen, ready, tempDir } from './support';

// Android phones in the import dialog, in Chromium against the dev server. The dev server has no
// adb here, so the Connected Android tab can only say how to install it; a capture folder written
// by the test (Android 14 layout, no persist.sys.timezone) goes through the Files tab. Screenshots
// go to /tmp/shots for a human to look at.

const SHOTS = '/tmp/shots';

let dir: string;

test.beforeEach(async ({ page }) => {
  dir = tempDir();
  mkdirSync(SHOTS, { recursive: true });
  await openStartScreen(page);
  await createCaseAt(page, path.join(dir, 'case.snoopscope'));
});

test.afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('the Connected Android tab is reached by keyboard and says how to install adb', async ({
  page,
}) => {
  await page.getByTestId('open-import').click();
  const files = page.getByTestId('import-mode-files');
  await expect(files).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('import-mode-android')).toContainText('Connected Android');
  // The tabs wrap around: left from the first is the last, Connected Android.
  await files.focus();
  await page.keyboard.press('ArrowLeft');
  const android = page.getByTestId('import-mode-android');
  await expect(android).toHaveAttribute('aria-selected', 'true');
  await expect(android).toBeFocused();
  await ready(page);

  const hint = page.getByTestId('android-install-hint');
  await expect(hint).toContainText('adb is not installed');
  await expect(hint).toContainText('Platform-Tools');
  await expect(hint).toContainText('Files');
  // Without adb there is no phone to list, and nothing to capture.
  await expect(page.getByTestId('android-device')).toHaveCount(0);
  await expect(page.getByTestId('android-capture-form')).toHaveCount(0);
  await expect(page.getByTestId('android-refresh')).toBeEnabled();
  await page.screenshot({ path: `${SHOTS}/android-capture-install-hint.png` });

  await page.getByTestId('android-refresh').click();
  await ready(page);
  await expect(page.getByTestId('android-install-hint')).toBeVisible();
});

test('a capture without its time zone is refused, then imported with the zone given inline', async ({
  page,
}) => {
  const capture = writeAndroidCapture(path.join(dir, 'pixel-capture'), { zone: null });

  await page.getByTestId('open-import').click();
  await expect(page.getByTestId('import-files-help')).toContainText('Android captures');
  await expect(page.getByTestId('import-files-help')).toContainText('bugreport zip');
  await expect(page.getByTestId('import-files-help')).toContainText('AndroidQF');
  await page.getByTestId('import-paths-input').fill(capture);
  await page.getByTestId('new-device-label').fill('Subject Pixel');
  await page.getByTestId('create-device').click();
  await ready(page);
  // The optional zone is checked as it is typed; left empty, the import goes ahead without it.
  await page.getByTestId('import-time-zone').fill('Mars/Olympus');
  await expect(page.getByTestId('import-time-zone-error')).toBeVisible();
  await expect(page.getByTestId('start-import')).toBeDisabled();
  await page.getByTestId('import-time-zone').fill('');
  await expect(page.getByTestId('import-time-zone-error')).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/android-capture-files-tab.png` });
  await page.getByTestId('start-import').click();

  const summary = page.getByTestId('import-summary');
  await expect(summary).toBeVisible({ timeout: 30_000 });
  await ready(page);
  const refused = page.getByTestId('import-outcome');
  await expect(refused).toHaveCount(1);
  await expect(refused).toHaveAttribute('data-status', 'refused');
  await expect(refused).toContainText('time zone');
  await expect(refused).toContainText('Android capture without its time zone');
  const retry = page.getByTestId('timezone-retry');
  await expect(retry).toContainText('Give the time zone and import again');
  await expect(retry).toContainText('pixel-capture');
  await expect(page.getByTestId('timezone-retry-input')).toBeFocused();
  await expect(page.getByTestId('timezone-retry-submit')).toBeDisabled();
  await page.getByTestId('timezone-retry-input').fill('Europe/Lisbn');
  await expect(page.getByTestId('timezone-retry-input-error')).toContainText('Europe/Lisbn');
  await expect(page.getByTestId('timezone-retry-submit')).toBeDisabled();
  await page.getByTestId('timezone-retry-input').fill('Europe/Lisbon');
  await expect(page.getByTestId('timezone-retry-submit')).toBeEnabled();
  await page.screenshot({ path: `${SHOTS}/android-capture-refused.png` });
  await page.getByTestId('timezone-retry-input').press('Enter');

  await expect(page.getByTestId('timezone-retry')).toHaveCount(0, { timeout: 30_000 });
  await expect(summary).toBeVisible();
  await ready(page);
  const outcomes = page.getByTestId('import-outcome');
  await expect(outcomes.first()).toBeVisible();
  expect(await outcomes.count()).toBeGreaterThan(0);
  for (const o of await outcomes.all()) {
    await expect(o).toHaveAttribute('data-status', 'imported');
    await expect(o).toHaveAttribute('data-importer', 'android-dumpsys');
  }
  await expect(summary.getByText(/imported/).first()).toBeVisible();
  await expect(summary).toContainText('Android capture (dumpsys)');
  await expect(summary).toContainText('Subject Pixel');
  await page.screenshot({ path: `${SHOTS}/android-capture-imported.png`, fullPage: true });

  await page.getByTestId('import-done').click();
  await ready(page);
  // The capture's device now holds the records: the timeline lists its apps.
  await expect(page.getByText('com.example.social').first()).toBeVisible();
});
