import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import {
  createCaseAt,
  importPaths,
  openStartScreen,
  queuePicks,
  ready,
  tempDir,
  writeExport,
} from './support';

// The built renderer in Chromium against the dev server the config starts. Each test works on a
// fresh case in its own temporary folder and waits on `data-app-state`, never on sleeps.

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

let dir: string;

test.beforeEach(async ({ page }) => {
  dir = tempDir();
  await openStartScreen(page);
});

test.afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Creates a case by typing its path (the browser has no file dialog) and imports the export. */
async function caseWithImport(page: Page): Promise<string> {
  await createCaseAt(page, path.join(dir, 'case.snoopscope'));
  await expect(page.getByTestId('timeline-empty')).toBeVisible();
  const report = writeExport(dir).path;
  await importPaths(page, report, 'Test iPhone');
  return report;
}

async function importAndClose(page: Page): Promise<string> {
  const report = await caseWithImport(page);
  await page.getByTestId('import-done').click();
  await ready(page);
  return report;
}

test('imports an export and opens a session with its evidence', async ({ page }) => {
  const report = await caseWithImport(page);
  const outcome = page.getByTestId('import-outcome');
  await expect(outcome).toHaveCount(1);
  await expect(outcome).toHaveAttribute('data-status', 'imported');
  await page.getByTestId('import-done').click();
  await ready(page);

  await expect(page.getByTestId('lane-label')).toHaveCount(2);
  await expect(page.getByTestId('timeline-time-caption')).toHaveText(
    'Device-local time (UTC+08:00)',
  );
  await page.getByTestId('timeline-list-toggle').click();
  await ready(page);
  await page.getByTestId('session-row').filter({ hasText: 'Photos' }).first().click();
  await ready(page);

  const details = page.getByTestId('session-details');
  await expect(details.getByTestId('details-app')).toHaveText('com.tencent.xin');
  await expect(details.getByTestId('details-category')).toHaveText('Photos');
  await expect(details.getByTestId('details-duration')).toHaveText('42 s');
  await expect(details.getByTestId('details-edge')).toHaveCount(2);
  await expect(details.getByTestId('details-edge').first()).toContainText(sha256(report));
  await expect(details.getByTestId('details-raw-line').first()).toContainText(
    '"identifier":"E2E-NIGHT-1"',
  );
  // The original lines as the case keeps them (compressed in blocks of their source).
  mkdirSync('/tmp/shots', { recursive: true });
  await details.getByTestId('details-edge').first().scrollIntoViewIfNeeded();
  await details.screenshot({ path: '/tmp/shots/details-raw-line.png' });
  await page.getByTestId('details-close').click();
  await expect(details).toHaveCount(0);
});

test('uses queued dialog answers for the case and the files', async ({ page, request }) => {
  const report = writeExport(dir).path;
  await queuePicks(request, {
    pickCaseFile: [path.join(dir, 'picked.snoopscope')],
    pickImportFiles: [[report]],
  });
  await page.getByTestId('create-case').click();
  await ready(page);
  await expect(page.getByTestId('case-name')).toHaveText('picked.snoopscope');
  await page.getByTestId('open-import').click();
  await page.getByTestId('import-choose-files').click();
  await ready(page);
  await expect(page.getByTestId('import-paths')).toContainText(report);
  await page.getByTestId('new-device-label').fill('Picked iPhone');
  await page.getByTestId('create-device').click();
  await ready(page);
  await page.getByTestId('start-import').click();
  await expect(page.getByTestId('import-outcome')).toHaveAttribute('data-status', 'imported', {
    timeout: 30_000,
  });
  await ready(page);
});

test('filters drive every view and survive a reload', async ({ page }) => {
  await importAndClose(page);

  await page.getByTestId('filter-night').click();
  await ready(page);
  await expect(page.getByTestId('filter-active-count')).toHaveText('1');
  await expect(page.getByTestId('lane-label')).toHaveCount(1);
  await expect(page.getByTestId('lane-label')).toContainText('WeChat');
  await expect(page.getByTestId('lane-label')).toHaveAttribute('title', /com\.tencent\.xin/);

  // A reload without the token in the address keeps the session (sessionStorage) and the filter (localStorage).
  await page.goto('/');
  await ready(page);
  await expect(page.getByTestId('filter-active-count')).toHaveText('1');

  await page.getByTestId('filter-clear').click();
  await page.getByTestId('tab-summary').click();
  await ready(page);
  await expect(page.getByTestId('summary-row')).toHaveCount(3);
  await page.getByTestId('summary-row').filter({ hasText: 'Location' }).click();
  await ready(page);
  await expect(page.getByTestId('timeline')).toBeVisible();
  await expect(page.getByTestId('filter-active-count')).toHaveText('3');
  await expect(page.getByTestId('lane-label')).toHaveCount(1);
  await page.getByTestId('tab-heatmap').click();
  await ready(page);
  await expect(page.getByTestId('heatmap-title')).toHaveText(
    'When does Google Maps access Location?',
  );
});

test('shows network rows per snapshot and exports CSV', async ({ page }) => {
  await importAndClose(page);

  await page.getByTestId('tab-network').click();
  await ready(page);
  await expect(page.getByTestId('network-row')).toHaveCount(2);
  const wechat = page.getByTestId('network-row').filter({ hasText: 'wx.qq.com' });
  await expect(wechat).toContainText('42');
  await expect(wechat).toContainText('yes');

  // Export what the filter shows: photos at night.
  await page.getByTestId('tab-timeline').click();
  await page.getByTestId('filter-category-photos').check();
  await page.getByTestId('filter-night').click();
  await ready(page);
  await expect(page.getByTestId('lane-label')).toHaveCount(1);
  await page.getByTestId('timeline-list-toggle').click();
  await ready(page);
  await expect(page.getByTestId('session-row')).toHaveCount(2);

  await page.getByTestId('export-csv').click();
  await page.getByTestId('export-choose').click();
  await ready(page);
  const out = path.join(dir, 'sessions.csv');
  await page.getByTestId('export-path-input').fill(out);
  await page.getByTestId('export-run').click();
  await expect(page.getByTestId('export-result')).toBeVisible();
  await ready(page);
  expect(existsSync(out)).toBe(true);
  await expect(page.getByTestId('export-sha256')).toHaveText(sha256(out));

  const [header, ...rows] = readFileSync(out, 'utf8').trimEnd().split('\r\n');
  const columns = header!.split(',');
  const cell = (row: string, name: string) => row.split(',')[columns.indexOf(name)];
  expect(rows).toHaveLength(2);
  expect(rows.map((r) => cell(r, 'start_local'))).toEqual([
    '2024-05-01T01:10:00.000+08:00',
    '2024-05-01T03:00:00.000+08:00',
  ]);
  expect(rows.map((r) => cell(r, 'start_utc'))).toEqual([
    '2024-04-30T17:10:00.000Z',
    '2024-04-30T19:00:00.000Z',
  ]);
  expect(rows.map((r) => cell(r, 'duration_seconds'))).toEqual(['42', '60']);
  expect(
    rows.every((r) => cell(r, 'app') === 'com.tencent.xin' && cell(r, 'night') === 'true'),
  ).toBe(true);
  expect(rows.map((r) => [cell(r, 'begin_line'), cell(r, 'end_line')])).toEqual([
    ['1', '2'],
    ['3', '4'],
  ]);
  expect(cell(rows[0]!, 'begin_source_sha256')).toBe(sha256(writeExport(dir).path));
  const sidecar = JSON.parse(readFileSync(`${out}.json`, 'utf8')) as {
    filter: unknown;
    rows: number;
  };
  expect(sidecar).toMatchObject({
    rows: 2,
    filter: { categories: ['photos'], hours: { from: '00:00', to: '06:00' } },
  });
});

test('removes a source only after confirmation', async ({ page }) => {
  await importAndClose(page);
  await page.getByTestId('tab-sources').click();
  await ready(page);
  await expect(page.getByTestId('source-row')).toHaveCount(1);

  await page.getByTestId('source-remove').click();
  await expect(page.getByTestId('confirm-dialog')).toContainText(
    'App_Privacy_Report_v4_2024-05-02T08_00_00.ndjson',
  );
  await page.getByTestId('confirm-cancel').click();
  await expect(page.getByTestId('source-row')).toHaveCount(1);

  await page.getByTestId('source-remove').click();
  await page.getByTestId('confirm-ok').click();
  await ready(page);
  await expect(page.getByTestId('source-row')).toHaveCount(0);
  await page.getByTestId('tab-timeline').click();
  await ready(page);
  await expect(page.getByTestId('timeline-empty')).toBeVisible();
});
