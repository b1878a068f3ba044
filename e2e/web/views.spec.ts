import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { accessPair } from '../../src/core/testing/apr-fixture';
import {
  addAndroidAndBackup,
  createCaseAt,
  importPaths,
  openStartScreen,
  ready,
  tempDir,
} from './support';

// Views that cannot be misread, in Chromium against the dev server: 24-hour axes and fields, days
// outside the imported sources drawn as "no data" on the timeline and the heatmap, and a
// comparison of an iPhone, an Android phone and a device known from a backup alone.

const SHOTS = '/tmp/shots';
const IPHONE = "Reporter's iPhone";
const OFFSET = 480;
/** 2024-05-01 00:00 at +08:00. */
const MAY1 = Date.UTC(2024, 4, 1) - OFFSET * 60_000;
const DAY = 86_400_000;
const H = 3_600_000;

let dir: string;

/**
 * An export of WeChat reading photos at 02:15 and 14:15 device-local (+08:00), and Maps using
 * location at 09:00 and 22:30, on each of the May days given.
 */
function writeExport(name: string, days: number[]): string {
  const sessions = days.flatMap((d) => [
    { app: 'com.tencent.xin', category: 'photos', ms: MAY1 + (d - 1) * DAY + 2.25 * H },
    { app: 'com.google.Maps', category: 'location', ms: MAY1 + (d - 1) * DAY + 9 * H },
    { app: 'com.tencent.xin', category: 'photos', ms: MAY1 + (d - 1) * DAY + 14.25 * H },
    { app: 'com.google.Maps', category: 'location', ms: MAY1 + (d - 1) * DAY + 22.5 * H },
  ]);
  const lines = sessions.flatMap((s, i) =>
    accessPair({ ...s, id: `${name}-${i}`, durationMs: 40_000, offsetMin: OFFSET }),
  );
  const file = path.join(dir, `App_Privacy_Report_${name}.ndjson`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** Two exports with six days between them: May 1–3 and May 10–12. */
async function importTwoExports(page: Page): Promise<void> {
  await openStartScreen(page);
  await createCaseAt(page, path.join(dir, 'case.snoopscope'));
  const first = writeExport('first', [1, 2, 3]);
  const second = writeExport('second', [10, 11, 12]);
  await importPaths(page, `${first}\n${second}`, IPHONE);
  await page.getByTestId('import-done').click();
  await ready(page);
}

/** The labels of the time axis on screen. */
const tickLabels = (page: Page): Promise<string[]> =>
  page.getByTestId('timeline-axis').first().locator('.tick text').allTextContents();

/** Clicks the heatmap cell of a row (day) and hour, from the canvas's geometry. */
async function clickHeatCell(canvas: Locator, row: number, hour: number): Promise<void> {
  const box = await canvas.boundingBox();
  if (!box) throw new Error('no heatmap canvas');
  const left = 112;
  const cellW = (box.width - left) / 24;
  await canvas.click({ position: { x: left + hour * cellW + cellW / 2, y: 24 + row * 18 + 9 } });
}

/** Drags along the timeline's axis from one instant to another, zooming to that range. */
async function brushAxis(page: Page, fromMs: number, toMs: number): Promise<void> {
  const timeline = page.getByTestId('timeline');
  const viewFrom = Number(await timeline.getAttribute('data-view-from'));
  const viewTo = Number(await timeline.getAttribute('data-view-to'));
  const box = (await page.getByTestId('timeline-axis').boundingBox())!;
  const x = (ms: number): number => box.x + ((ms - viewFrom) / (viewTo - viewFrom)) * box.width;
  const y = box.y + box.height / 2;
  await page.mouse.move(x(fromMs), y);
  await page.mouse.down();
  await page.mouse.move((x(fromMs) + x(toMs)) / 2, y, { steps: 4 });
  await page.mouse.move(x(toMs), y, { steps: 4 });
  await page.mouse.up();
}

test.beforeEach(() => {
  dir = tempDir();
  mkdirSync(SHOTS, { recursive: true });
});

test.afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('the timeline reads 24-hour time at every zoom and hatches the days between two exports', async ({
  page,
}) => {
  await importTwoExports(page);
  const timeline = page.getByTestId('timeline');
  await expect(timeline).toHaveAttribute('data-lanes', '2');

  // The whole period: the six days between the exports are hatched, with a legend saying why.
  await expect
    .poll(async () => Number(await timeline.getAttribute('data-nodata')))
    .toBeGreaterThan(0);
  await expect(page.getByTestId('timeline-overview')).not.toHaveAttribute('data-nodata', '0');
  await expect(page.getByTestId('no-data-legend')).toHaveText(
    'no data (outside the imported sources)',
  );
  for (const label of await tickLabels(page)) expect(label).not.toMatch(/AM|PM/i);
  await page.screenshot({ path: `${SHOTS}/views-timeline-gap.png` });

  // Opening 02:00 and 14:00 of May 2 from the heatmap: the axis tells 02:15 from 14:15.
  await page.getByTestId('tab-heatmap').click();
  await ready(page);
  await clickHeatCell(page.getByTestId('heatmap-canvas'), 1, 2);
  await ready(page);
  await expect.poll(() => tickLabels(page)).toContain('02:15');
  expect(await tickLabels(page)).not.toContain('14:15');
  await page.getByTestId('tab-heatmap').click();
  await ready(page);
  await clickHeatCell(page.getByTestId('heatmap-canvas'), 1, 14);
  await ready(page);
  await expect.poll(() => tickLabels(page)).toContain('14:15');
  expect(await tickLabels(page)).not.toContain('02:15');
  await expect(timeline).toHaveAttribute('data-nodata', '0');

  // One night, from the evening of May 3 into May 4, the first day without data: from the
  // afternoon of May 3, zoomed out to two days, then dragged along the axis from 20:00 to 06:00.
  await page.getByTestId('tab-heatmap').click();
  await ready(page);
  await clickHeatCell(page.getByTestId('heatmap-canvas'), 2, 14);
  await ready(page);
  for (let i = 0; i < 5; i += 1) await page.getByTestId('timeline-zoom-out').click();
  await ready(page);
  await brushAxis(page, MAY1 + 2 * DAY + 20 * H, MAY1 + 3 * DAY + 6 * H);
  await ready(page);
  // The drag lands within a few minutes of the instants (a pixel is a few minutes wide).
  const from = Number(await timeline.getAttribute('data-view-from'));
  expect(Math.abs(from - (MAY1 + 2 * DAY + 20 * H))).toBeLessThan(15 * 60_000);
  await expect.poll(() => tickLabels(page)).toContain('Sat 4 May 00:00');
  const labels = await tickLabels(page);
  expect(labels.some((l) => /^(1[3-9]|2[0-3]):00$/.test(l))).toBe(true);
  for (const label of labels) {
    expect(label).toMatch(/^(\d{2}:\d{2}|\w{3} \d{1,2} \w{3}( 00:00)?)$/);
    expect(label).not.toMatch(/AM|PM/i);
  }
  await expect(timeline).toHaveAttribute('data-nodata', '1');
  await expect(page.getByTestId('no-data-legend')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/views-timeline-night.png` });

  // A hatched stretch explains itself.
  const canvas = page.getByTestId('timeline-canvas');
  const box = (await canvas.boundingBox())!;
  await canvas.hover({ position: { x: box.width - 20, y: 10 } });
  await expect(page.getByTestId('timeline-tooltip')).toContainText('No data');
  await expect(page.getByTestId('timeline-tooltip')).toContainText('not a quiet day');
});

test('the heatmap hatches the days outside the imported sources and labels hours 00–23', async ({
  page,
}) => {
  await importTwoExports(page);
  await page.getByTestId('tab-heatmap').click();
  await ready(page);
  const canvas = page.getByTestId('heatmap-canvas');
  // May 1 to May 12: twelve rows, May 4–9 without data.
  await expect(canvas).toHaveAttribute('data-days', '12');
  await expect(canvas).toHaveAttribute('data-nodata-days', '6');
  await expect(canvas).toHaveAttribute('data-partial-days', '0');
  await expect(page.getByTestId('heatmap-nodata-legend')).toHaveText(
    'no data (outside the imported sources)',
  );
  const box = (await canvas.boundingBox())!;
  const cellW = (box.width - 112) / 24;
  // May 5, 14:00: a day without data says so.
  await canvas.hover({ position: { x: 112 + 14 * cellW + cellW / 2, y: 24 + 4 * 18 + 9 } });
  await expect(page.getByTestId('heatmap-tooltip')).toContainText('Sun 2024-05-05 · 14:00–15:00');
  await expect(page.getByTestId('heatmap-tooltip-nodata')).toContainText('No data');
  // May 2, 14:00: one session.
  await canvas.hover({ position: { x: 112 + 14 * cellW + cellW / 2, y: 24 + 1 * 18 + 9 } });
  await expect(page.getByTestId('heatmap-tooltip')).toContainText('Thu 2024-05-02 · 14:00–15:00');
  await expect(page.getByTestId('heatmap-tooltip')).toContainText('1 session');
  await page.screenshot({ path: `${SHOTS}/views-heatmap-gap.png` });

  // The sidebar's hours are typed on a 24-hour clock and checked as typed.
  await page.getByTestId('filter-hours-from').fill('2:15 PM');
  await expect(page.getByTestId('filter-hours-from')).toHaveAttribute('aria-invalid', 'true');
  await page.getByTestId('filter-hours-from').fill('14:00');
  await page.getByTestId('filter-hours-to').fill('15:00');
  await page.getByTestId('filter-hours-to').press('Enter');
  await ready(page);
  await expect(page.getByTestId('filter-hours-from')).toHaveAttribute('aria-invalid', 'false');
  await expect(canvas).toHaveAttribute('data-nodata-days', '6');
});

test('compare an iPhone, an Android phone and a device known from a backup alone', async ({
  page,
  request,
}) => {
  await importTwoExports(page);
  await addAndroidAndBackup(page, request, dir);
  await page.getByTestId('tab-compare').click();
  await ready(page);

  // The backup device is offered, unticked, saying why; the iPhone and the Pixel are compared.
  const backupBox = page.locator(
    '[data-testid="compare-device"][data-device="Old iPhone (backup)"]',
  );
  await expect(backupBox).not.toBeChecked();
  await expect(page.getByTestId('compare-device-excluded')).toHaveText(
    'backup only, no access log: not compared by default',
  );
  await expect(page.locator('[data-testid="compare-device"][data-device="Pixel 7"]')).toBeChecked();
  await expect(page.getByTestId('compare-band')).toHaveCount(2);
  await expect(page.getByRole('columnheader', { name: /^Pixel 7 †/ })).toBeVisible();
  await expect(page.getByRole('columnheader', { name: /^Reporter's iPhone/ })).toBeVisible();

  // Android's limited retention is stated where its rates are shown.
  await expect(page.getByTestId('compare-android-note')).toContainText(
    'Pixel 7 is an Android phone: appops keeps only the last access per app, operation, state and flag',
  );
  await expect(page.getByTestId('compare-band-retention')).toHaveText('† last access per op only');
  // Change is the spread, with both ends named; shares carry their sample.
  await expect(page.getByTestId('compare-sort-change')).toHaveText(/^Spread/);
  await expect(page.getByTestId('compare-change-meaning')).toContainText(
    'the same whatever the order of the columns',
  );
  await page.getByTestId('compare-metric-night').click();
  const xin = page.locator(
    '[data-testid="compare-row"][data-app="com.tencent.xin"][data-category="photos"]',
  );
  // The Pixel has no WeChat session, so no share and no sample; the iPhone's night share is
  // 6 of its 12 sessions.
  await expect(xin.getByTestId('compare-n')).toHaveText(['6 of 12']);
  await page.getByTestId('compare-metric-perDay').click();
  // The night window is typed on a 24-hour clock, never a picker with AM/PM.
  await expect(page.getByTestId('compare-night-from')).toHaveAttribute('type', 'text');
  await expect(page.getByTestId('compare-night-from')).toHaveValue('00:00');
  await expect(page.getByTestId('compare-nodata-legend')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/views-compare.png`, fullPage: true });

  // Ticked on purpose, the backup device reads "no data" and says why.
  await backupBox.check();
  await ready(page);
  await expect(page.getByTestId('compare-band')).toHaveCount(3);
  await expect(page.getByTestId('compare-empty-note')).toContainText(
    'Old iPhone (backup) holds no access sessions',
  );
  await expect(xin.getByTestId('compare-cell').nth(2)).toHaveText('no data');
  await page.screenshot({ path: `${SHOTS}/views-compare-backup.png`, fullPage: true });

  // On the timeline each device's lanes are hatched outside its own access logs: the backup's
  // permission records lie on days no access log covers.
  await page.getByTestId('tab-timeline').click();
  await ready(page);
  await expect(page.getByTestId('no-data-legend')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/views-timeline-three-devices.png` });

  // On the heatmap a day only one phone observed is marked as partly without data, and the
  // device without any access log is named once instead of on every day.
  await page.getByTestId('tab-heatmap').click();
  await ready(page);
  const heat = page.getByTestId('heatmap-canvas');
  await expect.poll(async () => Number(await heat.getAttribute('data-partial-days'))).toBe(7);
  await expect(page.getByTestId('heatmap-unobserved')).toContainText(
    'No App Privacy Report or Android capture of Old iPhone (backup) covers this period',
  );
  await page.screenshot({ path: `${SHOTS}/views-heatmap-three-devices.png` });
});

test('findings use the app’s time format and words, not code keys', async ({ page }) => {
  await importTwoExports(page);
  await page.getByTestId('tab-findings').click();
  await ready(page);
  const night = page.locator('[data-testid="finding-row"][data-finding-id^="f:night-access:"]');
  await expect(night).toHaveCount(1);
  // First and last as every table writes instants: device-local, 24-hour, with the offset.
  await expect(night.getByTestId('finding-first')).toHaveText('2024-05-01 02:15:00 +08:00');
  // The rule by its name in words, not its id.
  await expect(night.locator('td').nth(1)).not.toHaveText('night-access');
  await expect(night.locator('td').nth(1)).toHaveAttribute('title', 'night-access');
  await night.click();
  const labels = await page.getByTestId('finding-detail').locator('dt').allTextContents();
  expect(labels.length).toBeGreaterThan(0);
  for (const label of labels) expect(label).not.toMatch(/[a-z][A-Z]|^[a-z]+$/);
  expect(labels).toContain('Sessions on the busiest night');
  await expect(page.getByTestId('finding-detail')).not.toContainText(/\d{4}-\d{2}-\d{2}T\d{2}/);
});
