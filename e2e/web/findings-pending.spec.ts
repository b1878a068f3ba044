import { mkdirSync, rmSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { axeScan, describeViolations } from './a11y-support';
import { FINDINGS_END, hold, holdEventEnds } from './hold-event-ends';
import { caseWithExport, ready, tempDir } from './support';

// A change of the findings parameters in Chromium against the dev server: the parameters are
// stored at once, the findings are computed in the import worker, and meanwhile the Findings view
// says so, with the parameters, instead of a list. The page keeps the events that end the
// computation until the test lets them through (see hold-event-ends.ts), so the state can be
// looked at.

const SHOTS = '/tmp/shots';
let dir: string;

test.beforeEach(async ({ page }) => {
  dir = tempDir();
  mkdirSync(SHOTS, { recursive: true });
  await page.addInitScript(holdEventEnds, FINDINGS_END);
  await caseWithExport(page, dir);
});

test.afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('after a parameter change the Findings view says the findings are being computed, with the parameters, until they are', async ({
  page,
}) => {
  await page.getByTestId('tab-findings').click();
  await ready(page);
  const rows = page.getByTestId('finding-row');
  await expect(rows.first()).toBeVisible();

  await page.getByTestId('findings-params-toggle').click();
  await hold(page, true);
  await page.getByTestId('param-night-access.from').fill('01:00');
  await page.getByTestId('findings-params').getByRole('button', { name: 'Apply' }).click();

  const pending = page.getByTestId('findings-pending');
  await expect(pending).toHaveAttribute('data-state', 'computing');
  await expect(pending).toHaveAttribute('role', 'status');
  await expect(pending).toContainText(
    'The findings are being computed with these parameters: Access at night, from 01:00.',
  );
  await expect(rows).toHaveCount(0);
  await expect(page.getByTestId('findings-empty')).toHaveCount(0);
  // The sentence is reached from the keyboard, from the last field of the parameters on.
  await page
    .getByTestId('findings-params')
    .getByRole('button', { name: 'Reset to defaults' })
    .focus();
  await page.keyboard.press('Tab');
  await expect(pending).toBeFocused();
  expect(describeViolations(await axeScan(page))).toEqual([]);
  await page.screenshot({ path: `${SHOTS}/findings-pending.png` });

  // Once the computation's end reaches the view, the list is read again.
  await hold(page, false);
  await expect(pending).toHaveCount(0);
  await ready(page);
  await expect(
    page.getByTestId('findings-table').or(page.getByTestId('findings-empty')),
  ).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/findings-after-change.png` });
});
