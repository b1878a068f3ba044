import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { accessPair } from '../../src/core/testing/apr-fixture';
import { openFullCase, VIEWS } from './a11y-support';
import { invoke, ready, tempDir } from './support';

// The keyboard alone, in Chromium against the dev server: the skip link and the tab list reach
// the views in a few presses, the arrows move between the views, Escape closes every dialog and
// panel and gives the focus back to what opened it, and the focus ring is visible everywhere.

const SMALL = { width: 1024, height: 700 };
/** The focus ring of styles.css: 3 px of orange (#c2410c). */
const RING = { style: 'solid', width: '3px', color: 'rgb(194, 65, 12)' };

let dir: string;

test.beforeEach(() => {
  dir = tempDir();
});

test.afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Presses Tab until `done` holds, and says how many presses it took (at most `limit`). */
async function tabsUntil(page: Page, done: () => Promise<boolean>, limit = 60): Promise<number> {
  for (let n = 1; n <= limit; n += 1) {
    await page.keyboard.press('Tab');
    if (await done()) return n;
  }
  return Infinity;
}

// Read at once: a locator of ':focus' waits (up to the test's timeout) while focus is on no
// element, which a Tab press can leave it on for a moment.
const focusedRole = (page: Page): Promise<string | null> =>
  page.evaluate(() => {
    const el = (
      globalThis as unknown as {
        document: { activeElement: { getAttribute(n: string): string | null } | null };
      }
    ).document.activeElement;
    return el ? el.getAttribute('role') : null;
  });

/** Focuses an element as the keyboard would, so that `:focus-visible` applies, and presses a key. */
async function pressOn(target: Locator, key: string): Promise<void> {
  await target.page().keyboard.press('Shift');
  await target.focus();
  await target.press(key);
}

/** Relative luminance of an `rgb()`/`rgba()` colour (WCAG 2.x). */
function luminance(css: string): number {
  const [r, g, b] = (css.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05);
}

/** The focused element's outline and the first opaque background behind it. */
function ring(
  target: Locator,
): Promise<{ style: string; width: string; color: string; behind: string }> {
  return target.evaluate((el) => {
    type Styled = { parentElement: Styled | null };
    const view = globalThis as unknown as {
      getComputedStyle(e: Styled): {
        outlineStyle: string;
        outlineWidth: string;
        outlineColor: string;
        backgroundColor: string;
      };
    };
    const own = view.getComputedStyle(el as Styled);
    let behind = 'rgb(255, 255, 255)';
    for (let p = (el as Styled).parentElement; p; p = p.parentElement) {
      const bg = view.getComputedStyle(p).backgroundColor;
      if (bg !== 'transparent' && !/^rgba\(.*,\s*0\)$/.test(bg)) {
        behind = bg;
        break;
      }
    }
    return {
      style: own.outlineStyle,
      width: own.outlineWidth,
      color: own.outlineColor,
      behind,
    };
  });
}

async function expectVisibleFocus(target: Locator, what: string): Promise<void> {
  await expect(target, what).toBeFocused();
  const r = await ring(target);
  expect({ style: r.style, width: r.width, color: r.color }, what).toEqual(RING);
  expect(contrast(r.color, r.behind), `${what}: ring against ${r.behind}`).toBeGreaterThanOrEqual(
    3,
  );
}

test('Tab reaches the views in a few presses and the arrows, Home and End move between them', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  await openFullCase(page, request, dir);
  // From a fresh page: Tab to the skip link, Enter to the selected view's tab: two presses,
  // past the top bar and the whole filter column of a wide window.
  await page.reload();
  await ready(page);
  await page.keyboard.press('Tab');
  const skip = page.getByTestId('skip-to-views');
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await expect(skip).toHaveText('Skip to the views');
  await page.keyboard.press('Enter');
  // A case with findings opens on its key findings: that tab is the selected one.
  await expect(page.getByTestId('tab-key-findings')).toBeFocused();

  // On a 1024 px window the filters are behind their button: Tab alone gets there in 7 presses
  // (skip link, Import, Export, Verify bundle, Close case, Filters, the selected view).
  await page.setViewportSize(SMALL);
  await page.reload();
  await ready(page);
  const presses = await tabsUntil(page, async () => (await focusedRole(page)) === 'tab');
  expect(presses).toBeLessThanOrEqual(7);
  await expect(page.getByTestId('tab-key-findings')).toBeFocused();

  // The WAI-ARIA tabs pattern: one tab in the Tab order, arrows move and select, Home and End.
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('tab-timeline')).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('tab-summary')).toBeFocused();
  await expect(page.getByTestId('tab-summary')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('summary-view')).toBeVisible();
  await page.keyboard.press('End');
  await expect(page.getByTestId(`tab-${VIEWS[VIEWS.length - 1]}`)).toBeFocused();
  await expect(page.getByTestId('verify-view')).toBeVisible();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('tab-key-findings')).toBeFocused();
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId('tab-verify')).toBeFocused();
  await page.keyboard.press('Home');
  await expect(page.getByTestId('tab-key-findings')).toBeFocused();
  await expect(page.getByRole('tab', { selected: true })).toHaveCount(1);
  await expect(page.locator('[role="tab"][tabindex="0"]')).toHaveCount(1);
  await page.keyboard.press('Tab');
  expect(await focusedRole(page)).not.toBe('tab');
});

test('Escape closes every dialog and panel and gives the focus back to what opened it', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  await page.setViewportSize(SMALL);
  await openFullCase(page, request, dir);

  // The import and export dialogs, opened from the top bar.
  for (const [opener, dialog] of [
    ['open-import', 'import-dialog'],
    ['export-csv', 'export-dialog'],
  ] as const) {
    await pressOn(page.getByTestId(opener), 'Enter');
    await expect(page.getByTestId(dialog)).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByTestId(dialog)).toBeHidden();
    await expect(page.getByTestId(opener), `focus back after ${dialog}`).toBeFocused();
  }

  // The filter panel of a narrow window takes the focus when it opens.
  const toggle = page.getByTestId('filters-toggle');
  await pressOn(toggle, 'Enter');
  await expect(page.getByTestId('filter-panel')).toBeVisible();
  await expect(page.locator('#filter-panel :focus')).toHaveCount(1);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('filter-panel')).toBeHidden();
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(toggle).toBeFocused();

  // A session's details, from the list and from inside the panel.
  await page.getByTestId('tab-timeline').click();
  await ready(page);
  await page.getByTestId('timeline-list-toggle').click();
  await ready(page);
  const row = page.getByTestId('session-row').first();
  await pressOn(row, 'Enter');
  await expect(page.getByTestId('session-details')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('session-details')).toBeHidden();
  await expect(row).toBeFocused();
  await row.press('Enter');
  await expect(page.getByTestId('session-details')).toBeVisible();
  await pressOn(page.getByTestId('details-close'), 'Escape');
  await expect(page.getByTestId('session-details')).toBeHidden();
  await expect(row).toBeFocused();

  // A permission record's details; the close button gives the focus back as well.
  await page.getByTestId('tab-permissions').click();
  await ready(page);
  const record = page.getByTestId('permission-row').nth(1);
  await pressOn(record, 'Enter');
  await expect(page.getByTestId('record-details')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('record-details')).toBeHidden();
  await expect(record).toBeFocused();
  await record.press('Enter');
  await pressOn(page.getByTestId('details-close'), 'Enter');
  await expect(page.getByTestId('record-details')).toBeHidden();
  await expect(record).toBeFocused();

  // A finding and the rule parameters.
  await page.getByTestId('tab-findings').click();
  await ready(page);
  const finding = page.getByTestId('finding-toggle').first();
  await pressOn(finding, 'Enter');
  await expect(finding).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByTestId('finding-detail')).toBeVisible();
  await pressOn(page.getByTestId('finding-show-timeline'), 'Escape');
  await expect(page.getByTestId('finding-detail')).toBeHidden();
  await expect(finding).toHaveAttribute('aria-expanded', 'false');
  await expect(finding).toBeFocused();
  const params = page.getByTestId('findings-params-toggle');
  await pressOn(params, 'Enter');
  await expect(params).toHaveAttribute('aria-expanded', 'true');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Escape');
  await expect(params).toHaveAttribute('aria-expanded', 'false');
  await expect(params).toBeFocused();

  // A source's warnings, folded again from their button.
  const { devices } = await invoke<{ devices: { id: number; label: string }[] }>(
    request,
    'getCase',
    {},
  );
  const iphone = devices.find((d) => d.label === "Reporter's iPhone");
  const damaged = path.join(dir, 'App_Privacy_Report_damaged.ndjson');
  writeFileSync(
    damaged,
    [
      ...accessPair({
        app: 'com.example.x',
        category: 'camera',
        id: 'K-1',
        ms: 1.7e12,
        durationMs: 1,
      }),
      '{"type":"access", not json',
    ].join('\n') + '\n',
  );
  await invoke(request, 'startImport', { paths: [damaged], deviceId: iphone?.id });
  await page.getByTestId('tab-sources').click();
  await ready(page);
  const warnings = page.getByTestId('source-warnings-toggle');
  await expect(warnings).toHaveCount(1);
  await pressOn(warnings, 'Enter');
  await expect(page.getByTestId('source-warnings')).toBeVisible();
  await expect(warnings).toHaveAttribute('aria-expanded', 'true');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('source-warnings')).toBeHidden();
  await expect(warnings).toHaveAttribute('aria-expanded', 'false');
  await expect(warnings).toBeFocused();

  // The confirmation before a source is removed.
  const remove = page.getByTestId('source-remove').first();
  await pressOn(remove, 'Enter');
  await expect(page.getByTestId('confirm-dialog')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('confirm-dialog')).toBeHidden();
  await expect(remove).toBeFocused();
});

test('the focus ring is visible on links, tabs, buttons, fields, rows and dialogs', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  await openFullCase(page, request, dir);
  await page.reload();
  await ready(page);
  await page.keyboard.press('Tab');
  await expectVisibleFocus(page.getByTestId('skip-to-views'), 'the skip link');
  await page.keyboard.press('Enter');
  await expectVisibleFocus(page.getByTestId('tab-key-findings'), 'a tab');
  await page.screenshot({ path: '/tmp/shots/keyboard-focus-tab.png' });
  await page.keyboard.press('Shift+Tab');
  await expectVisibleFocus(page.getByTestId('filters-toggle'), 'the Filters button');
  await page.getByTestId('tab-timeline').click();
  await ready(page);
  for (const target of [
    page.getByTestId('open-import'),
    page.getByTestId('filter-sidebar').getByRole('checkbox').first(),
    page.getByTestId('timeline'),
  ]) {
    await page.keyboard.press('Shift');
    await target.focus();
    await expectVisibleFocus(
      target,
      await target.evaluate((el) => String((el as { outerHTML: string }).outerHTML).slice(0, 60)),
    );
  }
  await page.getByTestId('tab-summary').click();
  await ready(page);
  const row = page.getByTestId('summary-row').first();
  await page.keyboard.press('Shift');
  await row.focus();
  await expectVisibleFocus(row, 'a table row');
  await pressOn(page.getByTestId('open-import'), 'Enter');
  await page.keyboard.press('Tab');
  await expectVisibleFocus(page.getByTestId('import-mode-files'), 'a button in the import dialog');
});
