import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { accessPair, networkLine } from '../../src/core/testing/apr-fixture';
import { createCaseAt, importPaths, openStartScreen, ready, tempDir } from './support';

// The Network view drawn from its two calls: the group headings at once, a group's rows a page
// at a time as it is opened, with the count of what is drawn, and its empty states.

const SHOTS = '/tmp/shots';
let dir: string;

test.beforeEach(async ({ page }) => {
  dir = tempDir();
  mkdirSync(SHOTS, { recursive: true });
  await openStartScreen(page);
});

test.afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/**
 * An App Privacy Report of one day (+08:00): WeChat contacted 120 domains, Maps 3, and the camera
 * app read the camera without a network row; `network: false` leaves every network row out.
 */
function writeReport(network = true): string {
  const day = Date.UTC(2024, 4, 1) - 8 * 3_600_000;
  const lines = [
    ...accessPair({
      app: 'com.apple.camera',
      category: 'camera',
      id: 'NET-CAM-1',
      ms: day + 9 * 3_600_000,
      durationMs: 30_000,
      offsetMin: 480,
    }),
  ];
  if (network) {
    for (let i = 0; i < 120; i += 1)
      lines.push(
        networkLine({
          app: 'com.tencent.xin',
          domain: `d${String(i).padStart(3, '0')}.qq.com`,
          firstMs: day + i * 60_000,
          lastMs: day + (i + 30) * 60_000,
          hits: 200 - i,
          domainType: i < 4 ? 1 : 2,
          domainOwner: 'Tencent',
          offsetMin: 480,
        }),
      );
    for (const domain of ['maps.googleapis.com', 'www.google.com', 'clients4.google.com'])
      lines.push(
        networkLine({
          app: 'com.google.Maps',
          domain,
          firstMs: day + 10 * 3_600_000,
          lastMs: day + 11 * 3_600_000,
          hits: 7,
          offsetMin: 480,
        }),
      );
  }
  const file = path.join(dir, 'App_Privacy_Report_v4_2024-05-02T08_00_00.ndjson');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

async function openNetwork(page: Page, network = true): Promise<void> {
  await createCaseAt(page, path.join(dir, 'case.snoopscope'));
  await importPaths(page, writeReport(network), 'Test iPhone');
  await page.getByTestId('import-done').click();
  await ready(page);
  await page.getByTestId('tab-network').click();
  await ready(page);
}

test('draws the group headings at once and a group’s rows a page at a time', async ({ page }) => {
  await openNetwork(page);
  const groups = page.getByTestId('network-group');
  await expect(groups).toHaveCount(2);
  await expect(page.getByTestId('network-summary')).toHaveText(
    '2 apps · 123 rows. Open an app to read its domains.',
  );
  // Most domains first, by the app's name, its identifier beside it.
  const wechat = groups.nth(0);
  await expect(wechat.getByTestId('network-group-toggle')).toHaveText(/WeChat/);
  await expect(wechat).toContainText('com.tencent.xin');
  await expect(wechat.getByTestId('network-group-counts')).toContainText(
    '120 rows · 120 domains · 4 flagged by Apple',
  );
  await expect(groups.nth(1).getByTestId('network-group-toggle')).toHaveText(/Google Maps/);

  // The first group is opened at once with its first page; the other waits to be opened.
  await expect(wechat.getByTestId('network-group-toggle')).toHaveAttribute('aria-expanded', 'true');
  await expect(groups.nth(1).getByTestId('network-group-toggle')).toHaveAttribute(
    'aria-expanded',
    'false',
  );
  await expect(wechat.getByTestId('network-row')).toHaveCount(50);
  await expect(wechat.getByTestId('network-group-showing')).toHaveText('Showing 50 of 120 rows');
  await expect(wechat.getByTestId('network-row').first()).toContainText('d000.qq.com');
  await expect(wechat.getByTestId('network-row').first()).toContainText('200');
  await page.screenshot({ path: `${SHOTS}/network-opened.png`, fullPage: false });

  // By keyboard: close the first group, open the second.
  await wechat.getByTestId('network-group-toggle').focus();
  await page.keyboard.press('Enter');
  await ready(page);
  await expect(page.getByTestId('network-row')).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/network-headings.png`, fullPage: false });
  await page.keyboard.press('Tab');
  await expect(groups.nth(1).getByTestId('network-group-toggle')).toBeFocused();
  await page.keyboard.press('Space');
  await ready(page);
  await expect(groups.nth(1).getByTestId('network-row')).toHaveCount(3);
  await expect(groups.nth(1).getByTestId('network-group-showing')).toHaveText('All 3 rows');

  // Reopen WeChat and read the rest with "Show more", by keyboard.
  await wechat.getByTestId('network-group-toggle').focus();
  await page.keyboard.press('Enter');
  await ready(page);
  await expect(wechat.getByTestId('network-row')).toHaveCount(50);
  await wechat.getByTestId('network-show-more').focus();
  await page.keyboard.press('Enter');
  await ready(page);
  await expect(wechat.getByTestId('network-row')).toHaveCount(100);
  await expect(wechat.getByTestId('network-group-showing')).toHaveText('Showing 100 of 120 rows');
  await expect(wechat.getByTestId('network-show-more')).toBeFocused();
  await wechat.getByTestId('network-group-showing').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/network-count.png`, fullPage: false });
  await page.keyboard.press('Enter');
  await ready(page);
  await expect(wechat.getByTestId('network-row')).toHaveCount(120);
  await expect(wechat.getByTestId('network-group-showing')).toHaveText('All 120 rows');
  await expect(wechat.getByTestId('network-show-more')).toHaveCount(0);
  await expect(wechat.getByTestId('network-row').last()).toContainText('d119.qq.com');

  // Every snapshot of one export is the same rows.
  await page.getByTestId('network-snapshots-all').click();
  await ready(page);
  await expect(page.getByTestId('network-summary')).toContainText('123 rows');

  // The filter keeps working: one app, then an app without network rows.
  await page.getByTestId('filter-app-com.google.Maps').check();
  await ready(page);
  await expect(groups).toHaveCount(1);
  await expect(page.getByTestId('network-row')).toHaveCount(3);
  await page.getByTestId('filter-app-com.google.Maps').uncheck();
  await page.getByTestId('filter-app-com.apple.camera').check();
  await ready(page);
  await expect(page.getByTestId('network-empty')).toContainText(
    'No network records match the filter',
  );
  await page.screenshot({ path: `${SHOTS}/network-filtered-empty.png`, fullPage: false });
});

test('says that no network record was imported, not that nothing happened', async ({ page }) => {
  await openNetwork(page, false);
  const empty = page.getByTestId('network-empty');
  await expect(empty).toContainText('No network records for these devices');
  await expect(empty).toContainText(
    'This is missing data, not a sign that the apps made no connections.',
  );
  await expect(page.getByTestId('network-table')).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/network-empty.png`, fullPage: false });
});
