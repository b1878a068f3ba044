import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { accessPair } from '../../src/core/testing/apr-fixture';
import { createCaseAt, importPaths, openStartScreen, queuePicks, ready, tempDir } from './support';

// The Compare tab in Chromium against the dev server: two generated App Privacy Report devices,
// one of them with two exports and a gap of six days between them.

const SHOTS = '/tmp/shots';
const DAY_MS = 86_400_000;
const ALICE = 'Alice iPhone';
const BOB = 'Bob iPhone';

let dir: string;

interface Habit {
  app: string;
  category: string;
  /** Device-local hours of the day at which the app accesses, every day. */
  hours: number[];
}

/**
 * Writes an export of sessions at the same local hours on each day from `firstDay` to `lastDay`
 * of May 2024 (device-local, at `offsetMin`), 30 s each.
 */
function writeDays(
  name: string,
  offsetMin: number,
  firstDay: number,
  lastDay: number,
  habits: Habit[],
): string {
  const sessions: { ms: number; app: string; category: string }[] = [];
  for (let day = firstDay; day <= lastDay; day += 1)
    for (const h of habits)
      for (const hour of h.hours)
        sessions.push({
          ms: Date.UTC(2024, 4, day, hour) - offsetMin * 60_000,
          app: h.app,
          category: h.category,
        });
  sessions.sort((a, b) => a.ms - b.ms);
  const lines = sessions.flatMap((s, i) =>
    accessPair({
      app: s.app,
      category: s.category,
      id: `${name.toUpperCase()}-${i}`,
      ms: s.ms,
      durationMs: 30_000,
      offsetMin,
    }),
  );
  const file = path.join(dir, `App_Privacy_Report_${name}.ndjson`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

const ALICE_HABITS: Habit[] = [
  { app: 'com.tencent.xin', category: 'photos', hours: [1, 2, 10, 12, 14, 16] },
  { app: 'com.google.Maps', category: 'location', hours: [9] },
  { app: 'com.apple.camera', category: 'camera', hours: [11, 18] },
];
const BOB_HABITS: Habit[] = [
  { app: 'com.tencent.mm', category: 'photos', hours: [20, 21] },
  { app: 'com.google.Maps', category: 'location', hours: [3, 8, 12, 17] },
  { app: 'com.apple.camera', category: 'camera', hours: [11, 18] },
];
/** Alice: 9 sessions a day on 6 days; Bob: 8 a day on 12 days. */
const ALICE_SESSIONS = 9 * 6;
const BOB_SESSIONS = 8 * 12;

/** Imports a file into a new device after an earlier import (the picker then needs "New device…"). */
async function importIntoNewDevice(page: Page, file: string, label: string): Promise<void> {
  await page.getByTestId('open-import').click();
  // The dialog reopens on the previous import's results.
  await page.getByTestId('import-again').click();
  await page.getByTestId('import-paths-input').fill(file);
  await page.getByTestId('import-device-select').selectOption('new');
  await page.getByTestId('new-device-label').fill(label);
  await page.getByTestId('create-device').click();
  await ready(page);
  await page.getByTestId('start-import').click();
  await expect(page.getByTestId('import-summary')).toBeVisible({ timeout: 30_000 });
  await ready(page);
}

const rowOf = (page: Page, app: string, category: string): Locator =>
  page.locator(`[data-testid="compare-row"][data-app="${app}"][data-category="${category}"]`);
const band = (page: Page, label: string): Locator =>
  page.locator(`[data-testid="compare-band"][data-label="${label}"]`);
const rowApps = (page: Page): Promise<string[]> =>
  page
    .getByTestId('compare-row')
    .evaluateAll((rows) =>
      rows.map((r) => `${r.getAttribute('data-app')}/${r.getAttribute('data-category')}`),
    );
const viewRange = async (page: Page): Promise<[number, number]> => {
  const v = page.getByTestId('compare-view');
  return [
    Number(await v.getAttribute('data-view-from')),
    Number(await v.getAttribute('data-view-to')),
  ];
};

test.beforeEach(async ({ page }) => {
  dir = tempDir();
  mkdirSync(SHOTS, { recursive: true });
  // Alice (+08:00): May 1–3 and May 10–12 in two exports, nothing on May 4–9.
  const first = writeDays('alice-1', 480, 1, 3, ALICE_HABITS);
  const second = writeDays('alice-2', 480, 10, 12, ALICE_HABITS);
  // Bob (−04:00): May 1–12 in one export.
  const bob = writeDays('bob', -240, 1, 12, BOB_HABITS);
  await openStartScreen(page);
  await createCaseAt(page, path.join(dir, 'case.snoopscope'));
  await importPaths(page, `${first}\n${second}`, ALICE);
  await page.getByTestId('import-done').click();
  await ready(page);
  await importIntoNewDevice(page, bob, BOB);
  await page.getByTestId('import-done').click();
  await ready(page);
  await page.getByTestId('tab-compare').click();
  await ready(page);
  await expect(page.getByTestId('compare-matrix')).toBeVisible();
});

test.afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('devices side by side: marked differences, sorting, drilling into an app, gaps and the folded day', async ({
  page,
}) => {
  await expect(page.getByTestId('compare-observed')).toContainText(`${ALICE} 6 · ${BOB} 12`);

  // Sorted by the size of the change, largest first.
  await expect(page.getByTestId('compare-row')).toHaveCount(4);
  expect(await rowApps(page)).toEqual([
    'com.tencent.xin/photos',
    'com.google.Maps/location',
    'com.tencent.mm/photos',
    'com.apple.camera/camera',
  ]);
  const xin = rowOf(page, 'com.tencent.xin', 'photos');
  await expect(xin.getByTestId('compare-cell')).toHaveText(['▲ 6.00', '▼ 0.00']);
  await expect(xin.getByTestId('compare-cell').nth(0)).toHaveAttribute('data-mark', 'high');
  await expect(xin.getByTestId('compare-cell').nth(1)).toHaveAttribute('data-mark', 'low');
  // Devices have no order: the change is the spread, naming the high and the low column.
  await expect(page.getByTestId('compare-sort-change')).toHaveText(/^Spread/);
  await expect(xin.getByTestId('compare-change')).toHaveText('6.00/day');
  await expect(xin.getByTestId('compare-change-ends')).toHaveText(`▲ ${ALICE} · ▼ ${BOB}`);
  const maps = rowOf(page, 'com.google.Maps', 'location');
  await expect(maps.getByTestId('compare-change')).toHaveText('3.00/day');
  await expect(maps.getByTestId('compare-change-ends')).toHaveText(`▲ ${BOB} · ▼ ${ALICE}`);
  const camera = rowOf(page, 'com.apple.camera', 'camera');
  await expect(camera.getByTestId('compare-change')).toHaveText('0.00/day');
  await expect(camera.getByTestId('compare-change-ends')).toHaveText('all equal');
  // Shares carry their sample: Alice's night share of WeChat is 2 of 6 sessions a day, 6 days.
  await page.getByTestId('compare-metric-night').click();
  await expect(xin.getByTestId('compare-cell').nth(0)).toContainText('33%');
  await expect(xin.getByTestId('compare-n').nth(0)).toHaveText('12 of 36');
  await page.getByTestId('compare-metric-perDay').click();
  await expect(camera.locator('[data-testid="compare-cell"][data-mark=""]')).toHaveCount(2);
  await expect(page.locator('[data-testid="compare-cell"][data-mark="high"]')).toHaveCount(3);
  await expect(page.locator('[data-testid="compare-cell"][data-mark="low"]')).toHaveCount(3);

  // Sorting by Change again turns the order round.
  await page.getByTestId('compare-sort-change').click();
  expect(await rowApps(page)).toEqual([
    'com.apple.camera/camera',
    'com.tencent.mm/photos',
    'com.google.Maps/location',
    'com.tencent.xin/photos',
  ]);

  // Every app on each band; Alice's band shows the six-day gap as one more no-data stretch.
  const alice = band(page, ALICE);
  const bob = band(page, BOB);
  await expect(page.getByTestId('compare-band')).toHaveCount(2);
  await expect(alice).toHaveAttribute('data-lanes', '3');
  await expect(bob).toHaveAttribute('data-lanes', '3');
  await expect(alice).toHaveAttribute('data-total', String(ALICE_SESSIONS));
  await expect(bob).toHaveAttribute('data-total', String(BOB_SESSIONS));
  const aliceGaps = Number(await alice.getAttribute('data-nodata'));
  const bobGaps = Number(await bob.getAttribute('data-nodata'));
  expect(aliceGaps).toBeGreaterThan(0);
  expect(aliceGaps).toBe(bobGaps + 1);
  await expect(alice.getByTestId('compare-coverage')).toHaveAttribute(
    'aria-label',
    `${aliceGaps} stretch${aliceGaps === 1 ? '' : 'es'} in view without data (hatched).`,
  );

  // Drilling into Maps: a focus chip, and one lane per band.
  await rowOf(page, 'com.google.Maps', 'location').click();
  await ready(page);
  await expect(page.getByTestId('compare-focus')).toContainText('Google Maps');
  await expect(page.getByTestId('compare-focus')).toContainText('Location');
  await expect(rowOf(page, 'com.google.Maps', 'location')).toHaveAttribute('aria-selected', 'true');
  await expect(alice).toHaveAttribute('data-lanes', '1');
  await expect(bob).toHaveAttribute('data-lanes', '1');
  await expect(alice).toHaveAttribute('data-total', '6');
  await expect(bob).toHaveAttribute('data-total', '48');
  await page.screenshot({ path: `${SHOTS}/compare-focus.png`, fullPage: true });

  // Days overlaid: the axis is one day from 00:00, each device in its own local time.
  await page.getByTestId('compare-align-day').click();
  await ready(page);
  const view = page.getByTestId('compare-view');
  await expect(view).toHaveAttribute('data-alignment', 'time-of-day');
  await expect(view).toHaveAttribute('data-view-from', '0');
  await expect(view).toHaveAttribute('data-view-to', String(DAY_MS));
  await expect(page.getByTestId('compare-axis-caption')).toHaveText(
    'Time of day (each device local)',
  );
  await expect(page.getByTestId('timeline-axis').locator('.tick text').first()).toHaveText('00:00');
  await expect(alice).toHaveAttribute('data-total', '6');
  await expect(bob).toHaveAttribute('data-total', '48');
  await expect(alice).toHaveAttribute('data-nodata', '0');

  // Without the focus, every session of each device lands on the folded day.
  await page.getByRole('button', { name: 'Show every app' }).click();
  await ready(page);
  await expect(page.getByTestId('compare-focus')).toHaveCount(0);
  await expect(alice).toHaveAttribute('data-total', String(ALICE_SESSIONS));
  await expect(bob).toHaveAttribute('data-total', String(BOB_SESSIONS));

  // Zoom buttons move the shared view of every band.
  await page.getByTestId('compare-zoom-in').click();
  await expect(view).toHaveAttribute('data-view-from', String(DAY_MS / 4));
  await expect(view).toHaveAttribute('data-view-to', String((3 * DAY_MS) / 4));
  await page.getByTestId('compare-zoom-in').click();
  await expect.poll(() => viewRange(page)).toEqual([(3 * DAY_MS) / 8, (5 * DAY_MS) / 8]);
  await ready(page);
  // 09:00–15:00 holds Alice's 09:00, 10:00, 11:00, 12:00 and 14:00 and Bob's 11:00 and 12:00.
  await expect(alice).toHaveAttribute('data-total', String(5 * 6));
  await expect(bob).toHaveAttribute('data-total', String(2 * 12));
  await page.getByTestId('compare-zoom-out').click();
  await expect(view).toHaveAttribute('data-view-from', String(DAY_MS / 4));
  await page.getByTestId('compare-zoom-reset').click();
  await expect(view).toHaveAttribute('data-view-from', '0');
  await expect(view).toHaveAttribute('data-view-to', String(DAY_MS));

  // Back on the real time axis the zoom changes absolute instants.
  await page.getByTestId('compare-align-absolute').click();
  await expect(view).toHaveAttribute('data-alignment', 'absolute');
  await ready(page);
  const [absFrom, absTo] = await viewRange(page);
  expect(absFrom).toBeLessThan(Date.UTC(2024, 4, 1));
  expect(absTo).toBeGreaterThan(Date.UTC(2024, 4, 12));
  await page.getByTestId('compare-zoom-in').click();
  await expect(view).not.toHaveAttribute('data-view-from', String(absFrom));
  const [zFrom, zTo] = await viewRange(page);
  expect(zFrom).toBeGreaterThan(absFrom);
  expect(zTo).toBeLessThan(absTo);
  expect(Math.abs(zTo - zFrom - (absTo - absFrom) / 2)).toBeLessThanOrEqual(1);
});

test('periods of one device split at a date give two columns', async ({ page }) => {
  await page.getByTestId('compare-mode-periods').click();
  await expect(page.getByTestId('compare-problem')).toHaveText(
    'Add two periods or more to compare.',
  );
  await page.getByTestId('compare-split-device').selectOption({ label: ALICE });
  await page.getByTestId('compare-split-date').fill('2024-05-08');
  await page.getByTestId('compare-split').click();
  await ready(page);
  await expect(page.getByTestId('compare-period')).toHaveCount(2);
  await expect(page.getByTestId('compare-problem')).toHaveCount(0);
  const before = `${ALICE}:..2024-05-08`;
  const after = `${ALICE}:2024-05-08..`;
  await expect(page.getByTestId('compare-sort-col0')).toHaveText(before);
  await expect(page.getByTestId('compare-sort-col1')).toHaveText(after);
  await expect(page.getByTestId('compare-sort-col2')).toHaveCount(0);
  await expect(page.getByTestId('compare-observed')).toContainText(`${before} 3 · ${after} 3`);
  await expect(page.getByTestId('compare-band')).toHaveCount(2);
  await expect(band(page, before)).toHaveAttribute('data-total', String(9 * 3));
  await expect(band(page, after)).toHaveAttribute('data-total', String(9 * 3));
  // The same habits before and after: no change, nothing marked, and only Alice's apps.
  await expect(page.getByTestId('compare-row')).toHaveCount(3);
  // Periods are ordered in time: the change is the last minus the first.
  await expect(page.getByTestId('compare-sort-change')).toHaveText(/^Change \(last − first\)/);
  await expect(page.getByTestId('compare-change')).toHaveText([
    '±0.00/day',
    '±0.00/day',
    '±0.00/day',
  ]);
  await expect(page.getByTestId('compare-change-ends')).toHaveCount(0);
  await expect(page.locator('[data-testid="compare-cell"][data-mark="high"]')).toHaveCount(0);
  await expect(rowOf(page, 'com.tencent.xin', 'photos').getByTestId('compare-cell')).toHaveText([
    '6.00',
    '6.00',
  ]);

  // A third period, then removing it: the bands stay on the columns shown until the new
  // comparison arrives.
  await page.getByTestId('compare-add-period').click();
  await page.getByTestId('compare-period-from').nth(2).fill('2024-05-09');
  await ready(page);
  await expect(page.getByTestId('compare-band')).toHaveCount(3);
  await page.getByRole('button', { name: 'Remove period 3' }).click();
  await ready(page);
  await expect(page.getByTestId('compare-band')).toHaveCount(2);
  await expect(page.getByTestId('compare-view')).toBeVisible();

  // A reversed period is refused in the view, naming it.
  await page.getByTestId('compare-period-to').first().fill('2024-05-01');
  await page.getByTestId('compare-period-from').first().fill('2024-05-05');
  await expect(page.getByTestId('compare-problem')).toHaveText('Period 1 ends before it starts.');
});

test('pairing two apps merges their rows, unpairing restores them, and the export carries the comparison', async ({
  page,
  request,
}) => {
  await expect(page.getByTestId('compare-no-pairings')).toBeVisible();
  await page.getByTestId('compare-pair-a').fill('com.tencent.xin');
  await page.getByTestId('compare-pair-b').fill('com.tencent.mm');
  await page.getByTestId('compare-pair-submit').click();
  await ready(page);
  await expect(page.getByTestId('compare-pairing')).toHaveCount(1);
  await expect(page.getByTestId('compare-pairing')).toContainText(
    'com.tencent.mm = com.tencent.xin',
  );
  await expect(page.getByTestId('compare-row')).toHaveCount(3);
  await expect(rowOf(page, 'com.tencent.xin', 'photos')).toHaveCount(0);
  const merged = rowOf(page, 'com.tencent.mm', 'photos');
  await expect(merged.locator('.badge')).toHaveText('paired');
  await expect(merged.getByTestId('compare-cell')).toHaveText(['▲ 6.00', '▼ 2.00']);
  await expect(merged.getByTestId('compare-change')).toHaveText('4.00/day');

  await page.getByTestId('compare-unpair').click();
  await ready(page);
  await expect(page.getByTestId('compare-no-pairings')).toBeVisible();
  await expect(page.getByTestId('compare-row')).toHaveCount(4);
  await expect(page.locator('[data-testid="compare-row"] .badge')).toHaveCount(0);
  await expect(rowOf(page, 'com.tencent.xin', 'photos').getByTestId('compare-cell')).toHaveText([
    '▲ 6.00',
    '▼ 0.00',
  ]);

  // The export dialog opens on a bundle that holds the comparison.
  await page.getByTestId('compare-export').click();
  await expect(page.getByTestId('export-dialog')).toBeVisible();
  await expect(page.getByTestId('export-comparison')).toContainText(`${ALICE}, ${BOB}`);
  const zip = path.join(dir, 'compare-bundle.zip');
  await queuePicks(request, { pickSavePath: [zip] });
  await page.getByTestId('export-choose').click();
  await ready(page);
  await expect(page.getByTestId('bundle-result')).toBeVisible({ timeout: 30_000 });
  await expect(page.locator('[data-testid="bundle-file"][data-name="events.csv"]')).toHaveCount(1);
  const comparisonCsv = page.locator('[data-testid="bundle-file"][data-name="comparison.csv"]');
  await expect(comparisonCsv).toHaveCount(1);
  await expect(comparisonCsv).toContainText(/[0-9a-f]{64}/);
  await expect(
    page.locator('[data-testid="bundle-file"][data-name="comparison-columns.csv"]'),
  ).toHaveCount(1);
});
