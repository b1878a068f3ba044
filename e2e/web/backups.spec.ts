import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { demoBackupFiles, writeDemoBackup } from '../../src/core/testing/ios-backup-demo';
import { writeSyntheticBackup } from '../../src/core/testing/ios-backup-fixture';
import { hold, holdEventEnds, type HoldOptions } from './hold-event-ends';
import { createCaseAt, openStartScreen, queuePicks, ready, tempDir } from './support';

// iPhone backups in the import dialog, in Chromium against the dev server. Each test works on a
// fresh case and a folder holding two generated backups: "Ana's iPhone" (not encrypted) and
// "Ben's iPhone" (encrypted with `test-pass`). Screenshots go to /tmp/shots for a human to look at.

const SHOTS = '/tmp/shots';
const PASSWORD = 'test-pass';
const BEN_UDID = '00008030-001122334455667A';

const ARTIFACT_IMPORTERS = [
  'ios-backup-tcc',
  'ios-backup-data-usage',
  'ios-backup-location-clients',
  'ios-backup-osanalytics-addaily',
  'ios-backup-configuration-profiles',
];

let dir: string;
let backups: string;

test.beforeEach(async ({ page }) => {
  dir = tempDir();
  backups = path.join(dir, 'Backups');
  mkdirSync(backups);
  writeDemoBackup(path.join(backups, '00008110-000A1B2C3D4E5F60'));
  writeDemoBackup(path.join(backups, BEN_UDID), {
    udid: BEN_UDID,
    deviceName: "Ben's iPhone",
    password: PASSWORD,
  });
  mkdirSync(SHOTS, { recursive: true });
  await openStartScreen(page);
  await createCaseAt(page, path.join(dir, 'case.snoopscope'));
});

test.afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The events that end an import: its `findings` and `done` progress and `onImportFinished`. */
const IMPORT_END: HoldOptions = {
  ends: '"onImportFinished"|"phase":"(findings|done)"',
  atOnce: false,
};

async function openBackupImport(page: Page): Promise<void> {
  await page.getByTestId('open-import').click();
  await page.getByTestId('import-mode-backup').click();
  await ready(page);
}

const row = (page: Page, name: string) => page.getByTestId('backup-row').filter({ hasText: name });

test('lists the backups of an added folder and imports one artifact by artifact', async ({
  page,
  request,
}) => {
  await openBackupImport(page);
  // This machine has no standard backup location, so the list starts empty and says so.
  await expect(page.getByTestId('backups-empty')).toContainText('add the folder');

  await queuePicks(request, { pickFolder: [backups] });
  await page.getByTestId('add-backup-folder').click();
  await ready(page);
  await expect(page.getByTestId('backup-row')).toHaveCount(2);
  await expect(page.getByTestId('backup-folders')).toContainText(backups);
  const ana = row(page, "Ana's iPhone");
  await expect(ana).toContainText('iPhone 13 (iPhone14,5)');
  await expect(ana).toContainText('iOS 17.5.1');
  await expect(ana.getByTestId('backup-row-udid')).toHaveText('UDID ••••••••-••••••••••••5F60');
  await expect(ana.getByTestId('backup-row-encryption')).toHaveText('Not encrypted');
  await expect(row(page, "Ben's iPhone").getByTestId('backup-row-encryption')).toHaveText(
    'Encrypted',
  );
  await page.getByTestId('import-dialog').screenshot({ path: `${SHOTS}/backup-list.png` });

  await ana.click();
  await ready(page);
  await expect(ana).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('backup-form-name')).toHaveText("Ana's iPhone");
  await expect(page.getByTestId('new-device-label')).toHaveValue("Ana's iPhone");
  await expect(page.getByTestId('backup-password')).toHaveCount(0);
  await page.getByTestId('start-backup-import').click();

  const summary = page.getByTestId('import-summary');
  await expect(summary).toBeVisible({ timeout: 30_000 });
  await ready(page);
  const outcomes = page.getByTestId('import-outcome');
  await expect(outcomes.and(page.locator('[data-importer="ios-backup"]'))).toHaveAttribute(
    'data-status',
    'imported',
  );
  for (const importer of ARTIFACT_IMPORTERS) {
    await expect(
      outcomes.and(page.locator(`[data-importer="${importer}"]`)).first(),
    ).toHaveAttribute('data-status', 'imported');
  }
  await expect(summary).toContainText('Permissions (TCC.db)');
  await expect(
    outcomes
      .and(page.locator('[data-importer="ios-backup-tcc"]'))
      .getByTestId('import-outcome-records'),
  ).toContainText('4 records');
  await expect(summary).toContainText("The phone's identity and apps");
  await expect(summary).not.toContainText('ios-backup-tcc');
  await page.getByTestId('import-dialog').screenshot({ path: `${SHOTS}/backup-summary.png` });
  await page.getByTestId('import-done').click();
  await ready(page);
  await expect(page.getByTestId('case-summary')).toContainText("Ana's iPhone");

  // The folder is remembered after a reload, and the phone is now bound to its device.
  await page.reload();
  await ready(page);
  await page.getByTestId('open-import').click();
  await page.getByTestId('import-mode-backup').click();
  await ready(page);
  await expect(page.getByTestId('backup-row')).toHaveCount(2);
  await row(page, "Ana's iPhone").click();
  await ready(page);
  await expect(page.getByTestId('backup-bound-device')).toContainText("Ana's iPhone");
  await expect(page.getByTestId('backup-bound-device')).toContainText('locked');
});

test('an encrypted backup needs its password; a wrong one imports nothing', async ({ page }) => {
  await page.addInitScript(holdEventEnds, IMPORT_END);
  await page.reload();
  await ready(page);
  await openBackupImport(page);
  await page.getByTestId('backup-folder-input').fill(backups);
  await page.getByTestId('backup-folder-input').press('Enter');
  await ready(page);
  await expect(page.getByTestId('backup-row')).toHaveCount(2);

  // Keyboard: highlight Ben's backup with the arrow keys and select it with Enter.
  const names = await page.getByTestId('backup-row-name').allTextContents();
  const ben = names.indexOf("Ben's iPhone");
  expect(ben).toBeGreaterThanOrEqual(0);
  const list = page.getByTestId('backup-list');
  await list.focus();
  await list.press('Home');
  for (let i = 0; i < ben; i += 1) await list.press('ArrowDown');
  await list.press('Enter');
  await ready(page);
  await expect(row(page, "Ben's iPhone")).toHaveAttribute('aria-selected', 'true');

  const password = page.getByTestId('backup-password');
  await expect(password).toHaveAttribute('type', 'password');
  await expect(password).toHaveAttribute('autocomplete', 'off');
  await expect(page.getByTestId('backup-derivation')).toContainText('Deriving the keys');
  await expect(page.getByTestId('start-backup-import')).toBeDisabled();
  await expect(page.getByTestId('backup-start-problem')).toHaveText('Enter the backup password.');

  await password.fill('not-the-password');
  await page.getByTestId('start-backup-import').click();
  await expect(page.getByTestId('backup-import-refused')).toContainText('password is wrong', {
    timeout: 30_000,
  });
  await ready(page);
  await expect(page.getByTestId('backup-password')).toHaveValue('');
  await expect(page.getByTestId('backup-password')).toBeFocused();
  await expect(page.getByTestId('case-summary')).toContainText('No devices yet');
  await expect(page.getByTestId('case-summary')).toContainText('0 sources');
  await page
    .getByTestId('import-dialog')
    .screenshot({ path: `${SHOTS}/backup-wrong-password.png` });

  // The generated backup unlocks in milliseconds, so the page holds back the import's last
  // events until the progress view has been photographed; everything else arrives as usual.
  await hold(page, true);
  await page.getByTestId('backup-password').fill(PASSWORD);
  await page.getByTestId('start-backup-import').click();
  const progress = page.getByTestId('import-progress');
  await expect(progress).toHaveAttribute('data-phase', 'artifacts');
  await expect(page.getByTestId('import-progress-text')).toContainText('configuration profiles');
  await expect(page.getByTestId('backup-password')).toHaveCount(0);
  await page.getByTestId('import-dialog').screenshot({ path: `${SHOTS}/backup-progress.png` });
  await hold(page, false);

  await expect(page.getByTestId('import-summary')).toBeVisible({ timeout: 30_000 });
  await ready(page);
  for (const importer of ARTIFACT_IMPORTERS) {
    await expect(
      page
        .getByTestId('import-outcome')
        .and(page.locator(`[data-importer="${importer}"]`))
        .first(),
    ).toHaveAttribute('data-status', 'imported');
  }
  await page.getByTestId('import-done').click();
  await ready(page);
  await expect(page.getByTestId('case-summary')).toContainText("Ben's iPhone");

  // The keys stay unlocked for the session: importing again needs no password.
  await page.getByTestId('open-import').click();
  await page.getByTestId('import-again').click();
  await page.getByTestId('import-mode-backup').click();
  await ready(page);
  await row(page, "Ben's iPhone").click();
  await ready(page);
  await expect(page.getByTestId('backup-keys-cached')).toContainText('already unlocked');
  await expect(page.getByTestId('backup-password')).toHaveCount(0);
});

test('an unfinished backup without a time zone or addaily imports the rest, with notes', async ({
  page,
}) => {
  const odd = path.join(dir, 'Odd', '00008101-0000000000000ABC');
  writeSyntheticBackup(odd, {
    udid: '00008101-0000000000000ABC',
    deviceName: "Cleo's iPhone",
    productType: 'iPhone13,2',
    iosVersion: '16.7.2',
    timeZone: null,
    snapshotState: 'uploading',
    files: demoBackupFiles().filter((f) => !f.relativePath.includes('addaily')),
  });
  await openBackupImport(page);
  await page.getByTestId('backup-folder-input').fill(path.dirname(odd));
  await page.getByTestId('backup-folder-submit').click();
  await ready(page);
  const cleo = row(page, "Cleo's iPhone");
  await expect(cleo.getByTestId('backup-row-note')).toContainText('unfinished');
  await cleo.click();
  await ready(page);

  const zone = page.getByTestId('backup-time-zone');
  await zone.fill('Mars/Olympus_Mons');
  await expect(page.getByTestId('start-backup-import')).toBeDisabled();
  await expect(page.getByTestId('backup-start-problem')).toContainText('not a time zone');
  await zone.fill('');
  await page.getByTestId('new-device-label').fill('Subject C');
  await page.getByTestId('start-backup-import').click();
  await expect(page.getByTestId('import-summary')).toBeVisible({ timeout: 30_000 });
  await ready(page);

  const phone = page
    .getByTestId('import-outcome')
    .and(page.locator('[data-importer="ios-backup"]'));
  await expect(phone).toHaveAttribute('data-status', 'imported');
  await expect(phone.getByTestId('import-note').filter({ hasText: 'addaily' })).toHaveCount(1);
  await expect(phone.getByTestId('import-note').filter({ hasText: 'time zone' })).toHaveCount(1);
  await expect(phone.getByTestId('import-warnings')).toHaveCount(0);
  await expect(
    page.getByTestId('import-outcome').and(page.locator('[data-importer="ios-backup-tcc"]')),
  ).toHaveAttribute('data-status', 'imported');
  await expect(page.getByTestId('import-summary')).toContainText('notes');
  await page.getByTestId('import-dialog').screenshot({ path: `${SHOTS}/backup-notes.png` });
  await page.getByTestId('import-done').click();
  await ready(page);
  await expect(page.getByTestId('case-summary')).toContainText('Subject C');
});

test('the connected iPhone section says which tools to install', async ({ page }) => {
  await page.getByTestId('open-import').click();
  await page.getByTestId('import-mode-connected').click();
  await ready(page);
  const hint = page.getByTestId('install-hint');
  await expect(hint).toBeVisible();
  await expect(hint).toContainText('idevicebackup2');
  await expect(hint).toContainText('libimobiledevice');
  await expect(page.getByTestId('connected-devices')).toBeVisible();
  await page.getByTestId('import-dialog').screenshot({ path: `${SHOTS}/connected-iphone.png` });
});
