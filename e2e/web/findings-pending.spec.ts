import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { axeScan, describeViolations } from './a11y-support';
import { createCaseAt, importPaths, openStartScreen, ready, tempDir, writeExport } from './support';

// A change of the findings parameters in Chromium against the dev server: the parameters are
// stored at once, the findings are computed in the import worker, and meanwhile the Findings view
// says so, with the parameters, instead of a list. The page keeps the events that end the
// computation until the test lets them through, so the state can be looked at.

const SHOTS = '/tmp/shots';
let dir: string;

interface HoldGlobals {
  __holdFindingsEnd: boolean;
  __releaseFindingsEnd: () => void;
  EventSource: { prototype: object };
}

type OnMessage = (this: unknown, m: { data: string }) => void;

/**
 * Runs in the page: while `__holdFindingsEnd` is set, the events that tell the view the findings
 * are ready (their `ready` status and the case changes) wait for `__releaseFindingsEnd()`. Typed
 * without the DOM library, which the specs are not compiled with.
 */
function holdFindingsEnd(): void {
  const g = globalThis as unknown as HoldGlobals;
  const waiting: Array<() => void> = [];
  g.__holdFindingsEnd = false;
  g.__releaseFindingsEnd = () => {
    g.__holdFindingsEnd = false;
    for (const deliver of waiting.splice(0)) deliver();
  };
  const proto = g.EventSource.prototype;
  const own = Object.getOwnPropertyDescriptor(proto, 'onmessage');
  const setter = own?.set;
  if (!own || !setter) return;
  Object.defineProperty(proto, 'onmessage', {
    ...own,
    set(this: unknown, handler: OnMessage | null) {
      if (!handler) return setter.call(this, handler);
      setter.call(this, (m: { data: string }) => {
        const ends = /"onCaseChanged"|"state":"ready"/.test(m.data);
        if (g.__holdFindingsEnd && ends) waiting.push(() => handler.call(this, m));
        else handler.call(this, m);
      });
    },
  });
}

async function hold(page: Page, on: boolean): Promise<void> {
  await page.evaluate((value) => {
    const g = globalThis as unknown as HoldGlobals;
    if (value) g.__holdFindingsEnd = true;
    else g.__releaseFindingsEnd();
  }, on);
}

test.beforeEach(async ({ page }) => {
  dir = tempDir();
  mkdirSync(SHOTS, { recursive: true });
  await page.addInitScript(holdFindingsEnd);
  await openStartScreen(page);
  await createCaseAt(page, path.join(dir, 'case.snoopscope'));
  await importPaths(page, writeExport(dir).path, 'Test iPhone');
  await page.getByTestId('import-done').click();
  await ready(page);
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
