import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { accessPair } from '../../src/core/testing/apr-fixture';
import { createCaseAt, importPaths, openStartScreen, ready, tempDir } from './support';

// More lanes than fit: the lanes in view are asked for on their own, a lane scrolled into view
// is loaded in turn, and the status line says which lanes are loaded.

const SHOTS = '/tmp/shots';
const APPS = 90;
const PER_APP = 120;
const DAY = 86_400_000;
const START = Date.UTC(2024, 2, 1);

let dir: string;

test.beforeEach(() => {
  dir = tempDir();
  mkdirSync(SHOTS, { recursive: true });
});

test.afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('the lanes in view are loaded on their own, and a scroll loads the next ones', async ({
  page,
}) => {
  const lines: string[] = [];
  for (let a = 0; a < APPS; a += 1)
    for (let i = 0; i < PER_APP - (a % 7); i += 1)
      lines.push(
        ...accessPair({
          app: `com.study.app${String(a).padStart(2, '0')}`,
          category: ['photos', 'location', 'camera'][(a + i) % 3]!,
          id: `s-${a}-${i}`,
          ms: START + ((i * 6 * 3_600_000 + a * 600_000) % (30 * DAY)),
          durationMs: 30_000,
          offsetMin: 0,
        }),
      );
  const file = path.join(dir, 'App_Privacy_Report_study.ndjson');
  writeFileSync(file, lines.join('\n') + '\n');
  await openStartScreen(page);
  await createCaseAt(page, path.join(dir, 'case.snoopscope'));
  await importPaths(page, file, 'Study phone');
  await page.getByTestId('import-done').click();
  await ready(page);
  await page.getByTestId('tab-timeline').click();
  await ready(page);

  const timeline = page.getByTestId('timeline');
  const status = page.getByTestId('timeline-status');
  await expect(timeline).toHaveAttribute('data-lanes', String(APPS));
  await expect(page.getByTestId('lane-label')).toHaveCount(APPS);
  await expect(status).toContainText(/lanes 1–\d+ of 90 loaded/);
  await timeline.screenshot({ path: `${SHOTS}/timeline-lanes-top.png` });

  // Scrolled to the foot: the lanes there are asked for once the scroll stops.
  const lanes = page.locator('.lanes-scroll');
  await lanes.evaluate((el) => {
    el.scrollTop = el.scrollHeight;
  });
  await expect(status).toContainText(/lanes [4-9]\d–90 of 90 loaded/);
  await ready(page);
  // Few enough to draw one by one there: the count says which sessions those are.
  await expect(timeline).toHaveAttribute('data-mode', 'sessions');
  await expect(status).toContainText(
    /^10,533 sessions in view · [\d,]+ of them in the lanes loaded/,
  );
  await timeline.screenshot({ path: `${SHOTS}/timeline-lanes-foot.png` });

  // With the list open, every lane is asked for: the list holds the view's whole.
  await page.getByTestId('timeline-list-toggle').click();
  await ready(page);
  await expect(status).not.toContainText('loaded');
});
