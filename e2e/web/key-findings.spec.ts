import { rmSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { axeScan, describeViolations } from './a11y-support';
import { FINDINGS_END, hold, holdEventEnds } from './hold-event-ends';
import { caseWithExport, createCaseAt, openStartScreen, ready, tempDir } from './support';

// Key findings in Chromium against the dev server: the generated export has WeChat reading photos
// twice at night (01:10 and 03:00 at +08:00) and Google Maps using the location by day.

let dir: string;

/** Creates a case with the export, closes it and opens it again, as an examiner would. */
async function reopenedCase(page: Page): Promise<void> {
  const file = path.join(dir, 'case.snoopscope');
  await caseWithExport(page, dir, file);
  await page.getByTestId('close-case').click();
  await ready(page);
  await page.getByTestId('open-case').click();
  await page.getByTestId('case-path-input').fill(file);
  await page.getByTestId('case-path-submit').click();
  await ready(page);
}

test.beforeEach(async ({ page }, info) => {
  dir = tempDir();
  if (info.title.startsWith('pending:')) await page.addInitScript(holdEventEnds, FINDINGS_END);
  if (!info.title.startsWith('empty:')) await reopenedCase(page);
});

test.afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('empty: a case without devices says so on the key findings view, axe-clean', async ({
  page,
}) => {
  await openStartScreen(page);
  await createCaseAt(page, path.join(dir, 'empty.snoopscope'));
  // An empty case opens on the timeline; the key findings view explains why it has nothing.
  await expect(page.getByTestId('tab-timeline')).toHaveAttribute('aria-selected', 'true');
  await page.getByTestId('tab-key-findings').click();
  await ready(page);
  await expect(page.getByTestId('key-findings-empty')).toContainText('No devices yet');
  expect(describeViolations(await axeScan(page))).toEqual([]);
});

test('a case with findings opens on its key findings: one sentence per app, axe-clean, keyboard reachable', async ({
  page,
}) => {
  const view = page.getByTestId('key-findings-view');
  await expect(view).toBeVisible();
  await expect(page.getByTestId('tab-key-findings')).toHaveAttribute('aria-selected', 'true');
  const key = page.getByTestId('key-finding');
  await expect(key).toHaveCount(1);
  await expect(key).toContainText('WeChat');
  const sentence = page.getByTestId('key-sentence');
  await expect(sentence).toContainText('read the photo library');
  await expect(sentence).toContainText('observed day');
  await expect(sentence).toContainText('cannot prove');
  await expect(view).not.toContainText(/read for/i);
  // Google Maps using the location is what it is for: not a key finding, listed below if at all.
  await expect(key).not.toContainText('Maps');

  expect(describeViolations(await axeScan(page))).toEqual([]);
  await page.screenshot({ path: 'docs/screenshots/key-findings.png', fullPage: true });

  // From the view's tab, Tab reaches the key finding's button in a few presses.
  await page.getByTestId('tab-key-findings').focus();
  const target = page.getByTestId('key-show-timeline').first();
  let presses = 0;
  while (presses < 8 && !(await target.evaluate((el) => el === el.ownerDocument.activeElement))) {
    await page.keyboard.press('Tab');
    presses += 1;
  }
  await expect(target).toBeFocused();
  // The other findings are collapsed by app and open from the keyboard.
  const other = page.getByTestId('key-other-app').first();
  await expect(other).not.toHaveAttribute('open', '');
  await other.locator('summary').focus();
  await page.keyboard.press('Enter');
  await expect(other).toHaveAttribute('open', '');
  expect(describeViolations(await axeScan(page))).toEqual([]);
});

test("Show on timeline zooms to the finding's evidence and keeps its night hours", async ({
  page,
}) => {
  await page.getByTestId('key-show-timeline').first().click();
  await ready(page);
  const timeline = page.getByTestId('timeline');
  await expect(timeline).toBeVisible();
  await expect(page.getByTestId('filter-chips')).toContainText('Hours 00:00–06:00');
  await expect(page.getByTestId('filter-chips')).toContainText('WeChat');
  await expect(timeline).toHaveAttribute('data-sessions', '2');
  // The view spans the two night sessions (2024-04-30 17:10Z to 19:01Z) with an hour each side.
  const from = Number(await timeline.getAttribute('data-view-from'));
  const to = Number(await timeline.getAttribute('data-view-to'));
  expect(from).toBeLessThanOrEqual(Date.UTC(2024, 3, 30, 17, 10));
  expect(to).toBeGreaterThanOrEqual(Date.UTC(2024, 3, 30, 19, 1));
  expect(to - from).toBeLessThan(6 * 3_600_000);

  // The same from the Findings table keeps the hours window too.
  await page.getByTestId('tab-findings').click();
  await ready(page);
  const night = page.locator('[data-testid="finding-row"][data-finding-id^="f:night-access:"]');
  await night.click();
  await ready(page);
  await expect(page.getByTestId('finding-evidence').getByRole('button')).toHaveCount(2);
  await page.getByTestId('finding-show-timeline').click();
  await ready(page);
  await expect(page.getByTestId('filter-chips')).toContainText('Hours 00:00–06:00');
});

test('pending: while the findings are computed after a parameter change, the key findings say so, then list them', async ({
  page,
}) => {
  await expect(page.getByTestId('key-finding')).toHaveCount(1);
  await page.getByTestId('tab-findings').click();
  await ready(page);
  await page.getByTestId('findings-params-toggle').click();
  await hold(page, true);
  await page.getByTestId('param-night-access.from').fill('01:00');
  await page.getByTestId('findings-params').getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByTestId('findings-pending')).toBeVisible();

  await page.getByTestId('tab-key-findings').click();
  const pending = page.getByTestId('key-findings-pending');
  await expect(pending).toHaveAttribute('role', 'status');
  await expect(pending).toContainText(
    'The findings are being computed with these parameters: Access at night, from 01:00.',
  );
  await expect(page.getByTestId('key-finding')).toHaveCount(0);
  await expect(page.getByRole('alert')).toHaveCount(0);
  expect(describeViolations(await axeScan(page))).toEqual([]);
  await page.screenshot({ path: '/tmp/shots/key-findings-pending.png' });

  await hold(page, false);
  await expect(pending).toHaveCount(0);
  await ready(page);
  await expect(page.getByTestId('key-finding')).toHaveCount(1);
});
