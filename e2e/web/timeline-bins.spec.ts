import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { accessPair } from '../../src/core/testing/apr-fixture';
import { createCaseAt, importPaths, openStartScreen, ready, tempDir } from './support';

// A timeline zoomed out over more sessions than it draws one by one: its bins drawn per lane and
// category, the overview's density, and a bin's tooltip.

const SHOTS = '/tmp/shots';
const OFFSET = 60;
/** 2024-03-01 00:00 at +01:00. */
const MARCH1 = Date.UTC(2024, 2, 1) - OFFSET * 60_000;
const DAY = 86_400_000;
const SESSIONS = 7_200;
const APPS = ['com.example.chat', 'com.example.maps', 'com.example.camera', 'com.example.notes'];
const CATEGORIES = ['photos', 'location', 'camera', 'microphone'];

let dir: string;

/** An export of SESSIONS sessions over 90 days, spread over four apps and their categories. */
function writeBusyExport(): string {
  const lines: string[] = [];
  for (let i = 0; i < SESSIONS; i += 1) {
    const day = (i * 7) % 90;
    const minute = (i * 137) % 1440;
    const app = i % APPS.length;
    // Busier towards the end of the period, so the bins differ in shade.
    const category = CATEGORIES[(app + (day > 60 ? i % 2 : 0)) % CATEGORIES.length]!;
    lines.push(
      ...accessPair({
        app: APPS[app]!,
        category,
        id: `busy-${i}`,
        ms: MARCH1 + day * DAY + minute * 60_000,
        durationMs: 20_000 + (i % 40) * 1_000,
        offsetMin: OFFSET,
      }),
    );
  }
  const file = path.join(dir, 'App_Privacy_Report_busy.ndjson');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

async function importBusy(page: Page): Promise<void> {
  await openStartScreen(page);
  await createCaseAt(page, path.join(dir, 'case.snoopscope'));
  await importPaths(page, writeBusyExport(), 'Busy phone');
  await page.getByTestId('import-done').click();
  await ready(page);
}

test.beforeEach(() => {
  dir = tempDir();
  mkdirSync(SHOTS, { recursive: true });
});

test.afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('the zoomed-out timeline draws its bins per lane and category, with their tooltip', async ({
  page,
}) => {
  await importBusy(page);
  const timeline = page.getByTestId('timeline');
  await expect(timeline).toHaveAttribute('data-mode', 'bins');
  await expect(timeline).toHaveAttribute('data-lanes', String(APPS.length));
  await expect(page.getByTestId('lane-label')).toHaveCount(APPS.length);
  await page.getByTestId('timeline').screenshot({ path: `${SHOTS}/timeline-bins-whole.png` });
  await page
    .getByTestId('timeline-overview')
    .screenshot({ path: `${SHOTS}/timeline-bins-overview.png` });

  // A bin of the busiest lane's row (the last) shows its tooltip; the row's bins have gaps
  // between them, so the pointer moves along it until it is over one.
  const canvas = page.getByTestId('timeline-canvas');
  const box = (await canvas.boundingBox())!;
  const tooltip = page.getByTestId('timeline-tooltip');
  for (let x = box.width * 0.3; x < box.width * 0.6; x += 3) {
    await canvas.hover({ position: { x, y: 3 * 34 + 17 } });
    if (await tooltip.isVisible()) break;
  }
  await expect(tooltip).toBeVisible();
  await expect(tooltip).toContainText('session');
  await page.screenshot({ path: `${SHOTS}/timeline-bins-tooltip.png` });
});
