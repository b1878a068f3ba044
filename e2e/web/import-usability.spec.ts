import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { CAPTURE_ZONE, writeAndroidCapture } from '../../src/core/testing/android-capture';
import { createCaseAt, openStartScreen, ready, tempDir, writeExport } from './support';

// The import dialog says why Import is disabled, in a sentence tied to the button; the import
// summary names the time zone applied to each file and every file it skipped, with the reason.

const SHOTS = '/tmp/shots';

let dir: string;

test.beforeAll(() => {
  mkdirSync(SHOTS, { recursive: true });
});

test.beforeEach(async ({ page }) => {
  dir = tempDir();
  await page.setViewportSize({ width: 1024, height: 700 });
  await openStartScreen(page);
  await createCaseAt(page, path.join(dir, 'case.snoopscope'));
});

test.afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('the import dialog says why Import is disabled until the form is complete', async ({
  page,
}) => {
  await page.getByTestId('open-import').click();
  const start = page.getByTestId('start-import');
  const why = page.getByTestId('import-blocked');
  // Nothing chosen yet: both missing pieces are named, and the button points at the sentence.
  await expect(start).toBeDisabled();
  await expect(why).toBeVisible();
  await expect(why).toHaveText(
    'To import, type the path of at least one file or folder and name the device the files come from and press Create device.',
  );
  await expect(start).toHaveAttribute('aria-describedby', 'import-blocked');
  await expect(start).toHaveAccessibleDescription(/^To import, type the path/);
  await page.screenshot({ path: `${SHOTS}/import-blocked.png` });

  // A path given: only the device is missing.
  await page.getByTestId('import-paths-input').fill(writeExport(dir).path);
  await expect(why).toHaveText(
    'To import, name the device the files come from and press Create device.',
  );
  await expect(start).toBeDisabled();

  // A device created: Import is enabled and the sentence is gone.
  await page.getByTestId('new-device-label').fill("Reporter's iPhone");
  await page.getByTestId('create-device').click();
  await ready(page);
  await expect(start).toBeEnabled();
  await expect(why).toHaveCount(0);
  await expect(start).not.toHaveAttribute('aria-describedby');

  // A time zone that is not one disables it again, and the sentence says which and why.
  await page.getByTestId('import-time-zone').fill('Mars/Olympus');
  await expect(start).toBeDisabled();
  await expect(why).toHaveText(
    'To import, fix the time zone: “Mars/Olympus” is not a time zone name (e.g. Europe/Lisbon).',
  );
  await page.getByTestId('import-time-zone').fill('');
  await expect(start).toBeEnabled();
});

test('the import summary names the time zone applied and every file skipped, with the reason', async ({
  page,
}) => {
  const report = writeExport(dir).path;
  const copy = path.join(dir, 'App_Privacy_Report_copy.ndjson');
  copyFileSync(report, copy);
  const junk = path.join(dir, 'photo.jpg');
  writeFileSync(junk, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1]));
  const capture = writeAndroidCapture(path.join(dir, 'pixel'));

  // First an Android capture (with a file that is not evidence) into a new phone.
  await page.getByTestId('open-import').click();
  await page.getByTestId('import-paths-input').fill([capture, junk].join('\n'));
  await page.getByTestId('new-device-label').fill('Pixel 7');
  await page.getByTestId('create-device').click();
  await ready(page);
  await page.getByTestId('start-import').click();
  await expect(page.getByTestId('import-summary')).toBeVisible({ timeout: 30_000 });
  await ready(page);
  // Its files are placed in the zone the phone records, and the photo is skipped with why.
  await expect(page.getByTestId('import-zones-applied')).toHaveText(
    `Time zone applied: ${CAPTURE_ZONE} (the phone’s own setting).`,
  );
  await expect(page.getByTestId('import-skipped')).toContainText('Skipped: 1 file not stored');
  await expect(page.getByTestId('import-skipped-file')).toHaveText([
    /^photo\.jpg Refused\s*Not a format Snoopscope reads: photo\.jpg looks like a binary file\. It looked for an App Privacy Report/,
  ]);
  await page.screenshot({ path: `${SHOTS}/import-summary-capture.png` });

  // Then the report, a byte-identical copy of it and a path that does not exist, into an iPhone.
  await page.getByTestId('import-again').click();
  await page
    .getByTestId('import-paths-input')
    .fill([report, copy, path.join(dir, 'missing.ndjson')].join('\n'));
  await page.getByTestId('import-device-select').selectOption('new');
  await page.getByTestId('new-device-label').fill("Reporter's iPhone");
  await page.getByTestId('create-device').click();
  await ready(page);
  await page.getByTestId('start-import').click();
  await expect(page.getByTestId('import-summary')).toBeVisible({ timeout: 30_000 });
  await ready(page);
  await page.screenshot({ path: `${SHOTS}/import-summary-report.png`, fullPage: true });

  // The report's times keep the offset written in each of them.
  await expect(page.getByTestId('import-zones-applied')).toHaveText(
    'Time zone applied: UTC+08:00 (as written in the file, each time with its own offset).',
  );
  const reportCard = page
    .getByTestId('import-outcome')
    .filter({ hasText: 'App_Privacy_Report_v4_2024-05-02T08_00_00.ndjson' });
  await expect(reportCard.getByTestId('import-outcome-time-zone')).toHaveText(
    'Times placed in UTC+08:00 (as written in the file, each time with its own offset)',
  );

  // Every file that was not stored is listed once, with why.
  const skipped = page.getByTestId('import-skipped-file');
  await expect(page.getByTestId('import-skipped')).toContainText('Skipped: 2 files not stored');
  await expect(skipped).toHaveCount(2);
  await expect(skipped.filter({ hasText: 'App_Privacy_Report_copy.ndjson' })).toContainText(
    'Already in the case: a file with the same SHA-256 was imported before',
  );
  await expect(skipped.filter({ hasText: 'missing.ndjson' })).toContainText(
    'no such file or folder',
  );
});
