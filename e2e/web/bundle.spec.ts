import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { caseWithExport, queuePicks, ready, tempDir } from './support';

// Evidence bundles in Chromium against the dev server: export a signed zip of the generated
// export, verify it (intact), then change one byte of one file inside it and verify again.

const SHOTS = '/tmp/shots';
let dir: string;

test.beforeEach(async ({ page }) => {
  dir = tempDir();
  mkdirSync(SHOTS, { recursive: true });
  await caseWithExport(page, dir);
});

test.afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Flips one byte in the middle of a stored file's data inside a zip (found by its local header). */
function corruptEntry(zipPath: string, name: string): void {
  const buf = readFileSync(zipPath);
  const sig = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
  for (let at = buf.indexOf(sig); at >= 0; at = buf.indexOf(sig, at + 4)) {
    const nameLen = buf.readUInt16LE(at + 26);
    const extraLen = buf.readUInt16LE(at + 28);
    if (buf.toString('utf8', at + 30, at + 30 + nameLen) !== name) continue;
    const size = buf.readUInt32LE(at + 18);
    const data = at + 30 + nameLen + extraLen;
    const i = data + Math.floor(size / 2);
    buf[i] = (buf[i] ?? 0) ^ 0x01;
    writeFileSync(zipPath, buf);
    return;
  }
  throw new Error(`${name} not found in ${zipPath}`);
}

async function verifyAt(page: Page, zip: string, fingerprint = ''): Promise<void> {
  await page.getByTestId('verify-path-input').fill(zip);
  await page.getByTestId('verify-fingerprint-input').fill(fingerprint);
  await page.getByTestId('verify-run').click();
  await ready(page);
  await expect(page.getByTestId('verify-verdict')).toBeVisible();
}

test('a signed bundle is exported, verifies as intact, and fails naming the file after one byte changes', async ({
  page,
  request,
}) => {
  const zip = path.join(dir, 'case-bundle.zip');

  // Export: the bundle choice, its options, and a queued save path.
  await page.getByTestId('export-csv').click();
  await page.getByTestId('export-kind-bundle').check();
  await expect(page.getByTestId('bundle-options')).toBeVisible();
  await expect(page.getByTestId('export-filter')).toContainText('none');
  await page.getByTestId('bundle-redact-contexts').check();
  await page.getByTestId('bundle-unmask').check();
  await expect(page.getByTestId('bundle-unmask-warning')).toBeVisible();
  await page.getByTestId('bundle-unmask').uncheck();
  await page.getByTestId('bundle-redact-apps').check();
  await ready(page);
  await expect(page.locator('[data-testid="bundle-app"][data-app="com.tencent.xin"]')).toHaveCount(
    1,
  );
  await page.screenshot({ path: `${SHOTS}/bundle-options.png` });
  await page.getByTestId('bundle-redact-apps').uncheck();
  await queuePicks(request, { pickSavePath: [zip] });
  await page.getByTestId('export-choose').click();
  await ready(page);
  await expect(page.getByTestId('bundle-result')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('bundle-path')).toHaveText(zip);
  await expect(page.locator('[data-testid="bundle-file"][data-name="events.csv"]')).toHaveCount(1);
  await expect(page.locator('[data-testid="bundle-file"][data-name="events.csv"]')).toContainText(
    /[0-9a-f]{64}/,
  );
  const fingerprint = (await page.getByTestId('bundle-fingerprint').textContent()) ?? '';
  expect(fingerprint).toMatch(/^[0-9a-f]{4}( [0-9a-f]{4}){15}$/);
  expect(Number(await page.getByTestId('bundle-events').textContent())).toBeGreaterThan(0);
  await expect(page.getByTestId('bundle-verify-command')).toContainText(
    `--fingerprint "${fingerprint}"`,
  );
  await page.screenshot({ path: `${SHOTS}/bundle-export.png` });
  await page.getByRole('button', { name: 'Done' }).click();

  // Verify from the open case, with the fingerprint obtained "separately": intact.
  await page.getByTestId('open-verify').click();
  await expect(page.getByTestId('verify-view')).toBeVisible();
  await verifyAt(page, zip, fingerprint.toUpperCase());
  await expect(page.getByTestId('verify-verdict')).toHaveAttribute('data-intact', 'true');
  await expect(page.getByTestId('verify-verdict')).toContainText('Intact');
  await expect(page.getByTestId('verify-signer')).toHaveText(fingerprint);
  await expect(page.locator('[data-testid="verify-file"][data-status="ok"]').first()).toBeVisible();
  await expect(page.getByTestId('verify-problem')).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/bundle-verify-intact.png` });

  // A different expected fingerprint fails even though the files match.
  await verifyAt(page, zip, 'ffff '.repeat(16).trim());
  await expect(page.getByTestId('verify-verdict')).toHaveAttribute('data-intact', 'false');
  await expect(page.getByTestId('verify-problem').first()).toContainText('not by the expected key');

  // One byte of events.csv changed, checked from the start screen with no case open.
  corruptEntry(zip, 'events.csv');
  await page.getByTestId('close-case').click();
  await ready(page);
  await page.getByTestId('start-verify').click();
  await expect(page.getByTestId('verify-view')).toBeVisible();
  await verifyAt(page, zip);
  const verdict = page.getByTestId('verify-verdict');
  await expect(verdict).toHaveAttribute('data-intact', 'false');
  await expect(verdict).toContainText('NOT intact');
  await expect(page.getByTestId('verify-problem').filter({ hasText: 'events.csv' })).toHaveCount(1);
  await expect(
    page.locator('[data-testid="verify-file"][data-status="changed"]').filter({
      hasText: 'events.csv',
    }),
  ).toHaveCount(1);
  await page.screenshot({ path: `${SHOTS}/bundle-verify-broken.png`, fullPage: true });
  await page.getByTestId('verify-back').click();
  await expect(page.getByTestId('create-case')).toBeVisible();
});
