import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { axeScan, describeViolations, openFullCase, VIEWS, type View } from './a11y-support';
import { invoke, openStartScreen, ready, tempDir, writeExport } from './support';

// Accessibility of every view, dialog and details panel, checked with axe-core in Chromium on a
// 1024 x 700 window (a small laptop, or half of a large screen) with a generated case that has
// something on every view: an App Privacy Report, an Android capture and an iPhone backup.
// No axe rule is disabled: every rule of WCAG 2.1 A and AA and axe's best practices must pass.

const SHOTS = '/tmp/shots';
const SMALL = { width: 1024, height: 700 };

/**
 * The columns of each view's tables that must be in sight without scrolling sideways: what a row
 * is about and its main figure.
 */
const KEY_COLUMNS: Partial<Record<View, string[]>> = {
  summary: ['Device', 'App', 'Category', 'Sessions', 'First seen', 'Last seen'],
  network: ['Domain', 'Hits', 'First seen', 'Last seen', 'Source file'],
  permissions: ['App', 'Service', 'Status', 'Last changed', 'Device'],
  usage: ['Process', 'App', 'Row total', 'First → last seen'],
  findings: ['Severity', 'App', 'Category', 'First', 'Finding'],
  sources: ['File', 'Warnings', 'Actions'],
  audit: ['#', 'Action', 'Details'],
};

let dir: string;

test.beforeAll(() => {
  mkdirSync(SHOTS, { recursive: true });
});

test.beforeEach(() => {
  dir = tempDir();
});

test.afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Fails with axe's findings in words when the page as it stands breaks any rule. */
async function expectNoViolations(page: Page, where: string): Promise<void> {
  const violations = await axeScan(page);
  expect(describeViolations(violations), `axe on ${where}`).toEqual([]);
}

/** How far the page, the main region, the view and each table box scroll sideways, in pixels. */
function sidewaysScroll(page: Page): Promise<{ page: number; main: number; tables: number[] }> {
  return page.locator('main.main').evaluate((main) => {
    const over = (e: { scrollWidth: number; clientWidth: number }): number =>
      Math.max(0, e.scrollWidth - e.clientWidth);
    const root = (
      main as { ownerDocument: { documentElement: { scrollWidth: number; clientWidth: number } } }
    ).ownerDocument.documentElement;
    const wraps = [
      ...(main as { querySelectorAll(s: string): Iterable<unknown> }).querySelectorAll(
        '.view, .table-wrap',
      ),
    ];
    return {
      page: over(root),
      main: over(main),
      tables: wraps.map((w) => over(w as { scrollWidth: number; clientWidth: number })),
    };
  });
}

/** Asserts each key column's header lies wholly inside its table's box and the window. */
async function expectKeyColumnsInSight(page: Page, view: View): Promise<void> {
  for (const name of KEY_COLUMNS[view] ?? []) {
    const header = page
      .locator('main.main .table-wrap th')
      .filter({ hasText: new RegExp(`^\\s*${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) })
      .first();
    await expect(header, `${view}: column ${name}`).toBeVisible();
    const box = await header.boundingBox();
    const wrap = await header
      .locator('xpath=ancestor::div[contains(@class,"table-wrap")][1]')
      .boundingBox();
    if (!box || !wrap) throw new Error(`${view}: no box for column ${name}`);
    expect(box.x, `${view}: column ${name} starts in the table`).toBeGreaterThanOrEqual(wrap.x - 1);
    expect(box.x + box.width, `${view}: column ${name} ends in the table`).toBeLessThanOrEqual(
      wrap.x + wrap.width + 1,
    );
    expect(box.x + box.width, `${view}: column ${name} ends in the window`).toBeLessThanOrEqual(
      SMALL.width,
    );
  }
}

test('every view passes axe and fits a 1024 x 700 window with its key columns in sight', async ({
  page,
  request,
}) => {
  test.setTimeout(180_000);
  await page.setViewportSize(SMALL);
  await openStartScreen(page);
  await expectNoViolations(page, 'the start screen');
  await page.screenshot({ path: `${SHOTS}/a11y-start.png` });

  await openFullCase(page, request, dir);
  // On a 1024 px window the filters are a panel behind the Filters button, closed at first.
  await expect(page.getByTestId('filter-panel')).toBeHidden();
  await expect(page.getByTestId('filters-toggle')).toHaveAttribute('aria-expanded', 'false');
  for (const view of VIEWS) {
    await page.getByTestId(`tab-${view}`).click();
    await ready(page);
    await expect(page.getByTestId(`tab-${view}`)).toHaveAttribute('aria-selected', 'true');
    await expectNoViolations(page, `the ${view} view`);
    const scroll = await sidewaysScroll(page);
    expect(scroll, `${view}: nothing scrolls sideways`).toEqual({
      page: 0,
      main: 0,
      tables: scroll.tables.map(() => 0),
    });
    await expectKeyColumnsInSight(page, view);
    await page.screenshot({ path: `${SHOTS}/a11y-${view}.png` });
  }

  // The filters opened on a narrow window, beside the views.
  await page.getByTestId('filters-toggle').click();
  await expect(page.getByTestId('filter-panel')).toBeVisible();
  await expectNoViolations(page, 'the filter panel');
  await page.screenshot({ path: `${SHOTS}/a11y-filters-open.png` });
  await page.getByTestId('filters-toggle').click();
});

test('the dialogs and the details panels pass axe on a 1024 x 700 window', async ({
  page,
  request,
}) => {
  test.setTimeout(180_000);
  await page.setViewportSize(SMALL);
  await openFullCase(page, request, dir);

  // The import dialog in each of its modes.
  await page.getByTestId('open-import').click();
  await expect(page.getByTestId('import-dialog')).toBeVisible();
  await expectNoViolations(page, 'the import dialog (files)');
  await page.screenshot({ path: `${SHOTS}/a11y-import-files.png` });
  for (const mode of ['backup', 'connected', 'android']) {
    await page.getByTestId(`import-mode-${mode}`).click();
    await ready(page);
    await expectNoViolations(page, `the import dialog (${mode})`);
  }
  // The summary of an import that skipped files.
  await page.getByTestId('import-mode-files').click();
  const junk = path.join(dir, 'notes.txt');
  writeFileSync(junk, '\u0000\u0001\u0002 not a report');
  const again = writeExport(dir).path;
  await page.getByTestId('import-paths-input').fill(`${again}\n${junk}`);
  const { devices } = await invoke<{ devices: { id: number; label: string }[] }>(
    request,
    'getCase',
    {},
  );
  const iphone = devices.find((d) => d.label === "Reporter's iPhone");
  await page.getByTestId('import-device-select').selectOption(String(iphone?.id));
  await page.getByTestId('start-import').click();
  await expect(page.getByTestId('import-summary')).toBeVisible();
  await ready(page);
  await expectNoViolations(page, 'the import summary');
  await page.screenshot({ path: `${SHOTS}/a11y-import-summary.png` });
  await page.getByTestId('import-done').click();

  // The export dialog.
  await page.getByTestId('export-csv').click();
  await expect(page.getByTestId('export-dialog')).toBeVisible();
  await expectNoViolations(page, 'the export dialog');
  await page.screenshot({ path: `${SHOTS}/a11y-export.png` });
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('export-dialog')).toBeHidden();

  // A session's details beside the timeline's list (the case opened on its key findings).
  await page.getByTestId('tab-timeline').click();
  await ready(page);
  await page.getByTestId('timeline-list-toggle').click();
  await ready(page);
  await page.getByTestId('session-row').first().click();
  await ready(page);
  await expect(page.getByTestId('session-details')).toBeVisible();
  await expectNoViolations(page, 'the session details');
  await page.screenshot({ path: `${SHOTS}/a11y-session-details.png` });

  // A permission record's details.
  await page.getByTestId('tab-permissions').click();
  await ready(page);
  await page.getByTestId('permission-row').first().click();
  await ready(page);
  await expect(page.getByTestId('record-details')).toBeVisible();
  await expectNoViolations(page, 'the record details');
  await page.screenshot({ path: `${SHOTS}/a11y-record-details.png` });
  await page.getByTestId('details-close').click();

  // A finding opened, with the parameters.
  await page.getByTestId('tab-findings').click();
  await ready(page);
  await page.getByTestId('finding-toggle').first().click();
  await page.getByTestId('findings-params-toggle').click();
  await ready(page);
  await expect(page.getByTestId('finding-detail')).toBeVisible();
  await expectNoViolations(page, 'an open finding and the parameters');
  await page.screenshot({ path: `${SHOTS}/a11y-finding-detail.png` });

  // The confirmation before a source is removed.
  await page.getByTestId('tab-sources').click();
  await ready(page);
  await page.getByTestId('source-remove').first().click();
  await expect(page.getByTestId('confirm-dialog')).toBeVisible();
  await expectNoViolations(page, 'the confirmation dialog');
  await page.getByTestId('confirm-cancel').click();
});
