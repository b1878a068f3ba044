import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { accessPair } from '../../src/core/testing/apr-fixture';
import { axeScan, describeViolations } from './a11y-support';
import { createCaseAt, importPaths, openStartScreen, ready, tempDir } from './support';

// The warnings of an import, in the import summary and in the Sources view: one table with the
// code, where (file and line) and message, the first 50 rows, and "Show all N" reached and
// pressed with the keyboard.

const SHOTS = '/tmp/shots';
const BAD_LINES = 60;

let dir: string;

test.beforeAll(() => {
  mkdirSync(SHOTS, { recursive: true });
});

test.beforeEach(async ({ page }) => {
  dir = tempDir();
  await page.setViewportSize({ width: 1024, height: 700 });
  await openStartScreen(page);
  await createCaseAt(page, path.join(dir, 'case.snoopscope'));
});

test.afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** An App Privacy Report with one good interval and BAD_LINES lines that are not JSON. */
function damagedExport(): string {
  const file = path.join(dir, 'App_Privacy_Report_damaged.ndjson');
  const lines = [
    ...accessPair({
      app: 'com.example.x',
      category: 'camera',
      id: 'K-1',
      ms: 1.7e12,
      durationMs: 5000,
    }),
  ];
  for (let i = 0; i < BAD_LINES; i += 1) lines.push(`{"type":"access", not json ${i}`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** Presses Tab until the locator has the focus (at most `limit` presses). */
async function tabTo(page: Page, target: Locator, limit = 80): Promise<void> {
  for (let n = 0; n < limit; n += 1) {
    const focused = await target.evaluate(
      (el) =>
        el ===
        (el as unknown as { ownerDocument: { activeElement: unknown } }).ownerDocument
          .activeElement,
    );
    if (focused) return;
    await page.keyboard.press('Tab');
  }
  throw new Error('the keyboard did not reach the element');
}

async function expectNoViolations(page: Page, where: string): Promise<void> {
  expect(describeViolations(await axeScan(page)), where).toEqual([]);
}

test('the import summary and the Sources view list warnings in one table, 50 at first and all on request', async ({
  page,
}) => {
  await importPaths(page, damagedExport(), "Reporter's iPhone");
  const summary = page.getByTestId('import-summary');
  const toggle = summary.getByTestId('import-warnings-toggle');
  await expect(toggle).toHaveText(`${BAD_LINES} warnings`);
  // More than ten warnings start folded; the keyboard opens them.
  await toggle.focus();
  await page.keyboard.press('Enter');
  const table = summary.getByTestId('import-warnings');
  await expect(table).toBeVisible();
  await expect(table.getByRole('columnheader')).toHaveText(['Code', 'Where', 'Message']);
  await expect(summary.getByTestId('import-warning')).toHaveCount(50);
  await expect(summary.getByTestId('import-warning').first()).toContainText('MALFORMED_LINE');
  await expect(summary.getByTestId('import-warning').first()).toContainText('line 3');
  await expect(summary.getByTestId('warnings-shown')).toHaveText(
    `Showing the first 50 of ${BAD_LINES}.`,
  );
  await page.screenshot({ path: `${SHOTS}/warnings-summary-first.png` });

  const showAll = summary.getByTestId('warnings-show-all');
  await expect(showAll).toHaveText(`Show all ${BAD_LINES}`);
  await tabTo(page, showAll);
  await page.keyboard.press('Enter');
  await expect(summary.getByTestId('import-warning')).toHaveCount(BAD_LINES);
  await expect(showAll).toHaveAttribute('aria-expanded', 'true');
  await expect(showAll).toBeFocused();
  await expect(showAll).toHaveText('Show the first 50');
  await showAll.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/warnings-summary-all.png` });
  await expectNoViolations(page, 'the import summary with its warnings');
  await page.getByTestId('import-done').click();

  await page.getByTestId('tab-sources').click();
  await ready(page);
  const sourceToggle = page.getByTestId('source-warnings-toggle');
  await sourceToggle.focus();
  await page.keyboard.press('Enter');
  const sources = page.getByTestId('source-warnings');
  await expect(sources).toBeVisible();
  await expect(sources.getByRole('columnheader')).toHaveText(['Code', 'Where', 'Message']);
  await expect(page.getByTestId('source-warning')).toHaveCount(50);
  await page.screenshot({ path: `${SHOTS}/warnings-sources-first.png` });
  const sourcesAll = page.getByTestId('warnings-show-all');
  await tabTo(page, sourcesAll);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('source-warning')).toHaveCount(BAD_LINES);
  await expectNoViolations(page, 'the Sources view with a source’s warnings');
  await sourcesAll.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/warnings-sources-all.png` });
});
