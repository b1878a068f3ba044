import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { MIGRATIONS } from '../../src/core/db/migrations';
import { writeOldCase } from '../../src/core/services/old-case-fixture';
import { generateExportLines } from '../../src/core/testing/apr-fixture';
import { hold, holdEventEnds, type HoldOptions } from './hold-event-ends';
import { openStartScreen, ready, tempDir } from './support';

// Opening a case written by an earlier version (schema 26) in Chromium against the dev server:
// the start screen says which step of the upgrade runs, with a Cancel button. The upgrade of a
// small case takes milliseconds, so the page keeps the events that end it, and the answer of the
// open, until the test has looked (see hold-event-ends.ts).

const SHOTS = '/tmp/shots';
let dir: string;

/** The upgrade's end (done, cancelled or failed) and the case changes, held from the page's start. */
const UPGRADE_END: HoldOptions = {
  ends: '"onCaseChanged"|"state":"(done|cancelled|failed)"',
  atOnce: true,
};

test.beforeEach(() => {
  dir = tempDir();
  mkdirSync(SHOTS, { recursive: true });
});

test.afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('opening a case written by an earlier version says which upgrade step runs, with a Cancel button, then opens it', async ({
  page,
}) => {
  const path = join(dir, 'study.snoopscope');
  await writeOldCase({
    dir,
    freshPath: join(dir, 'Field study.snoopcase'),
    oldPath: path,
    version: 26,
    lines: [
      ...generateExportLines({
        intervals: 200,
        startMs: Date.UTC(2024, 4, 1),
        offsetMin: 480,
        seed: 11,
      }),
    ],
  });
  await page.addInitScript(holdEventEnds, UPGRADE_END);
  await openStartScreen(page);

  // The answer of the open waits too, so the start screen stays while the test looks.
  let release = (): void => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route('**/api/invoke', async (route) => {
    const body = route.request().postData() ?? '';
    if (!body.includes('"openCase"')) return route.continue();
    const response = await route.fetch();
    await released;
    await route.fulfill({ response });
  });

  await page.getByTestId('open-case').click();
  await page.getByTestId('case-path-input').fill(path);
  await page.getByTestId('case-path-submit').click();

  const text = page.getByTestId('case-upgrade-text');
  // Every migration since schema 26, then the rebuild: the last step is held.
  const steps = MIGRATIONS.filter((m) => m.version > 26).length + 1;
  await expect(text).toHaveText(
    `Upgrading Field study for this version of Snoopscope: step ${steps} of ${steps}, rebuilding the timeline summary… This runs once; the case file stays as it was until each step completes.`,
  );
  await expect(text).toHaveAttribute('role', 'status');
  const cancel = page.getByRole('button', { name: 'Cancel upgrade' });
  await expect(cancel).toBeVisible();
  await expect(cancel).toBeFocused();
  await expect(page.getByTestId('case-upgrade-elapsed')).toContainText('Running for');
  await expect(page.getByTestId('open-case')).toBeDisabled();
  await page.screenshot({ path: `${SHOTS}/case-upgrade-progress.png` });

  release();
  await hold(page, false);
  await ready(page);
  await expect(page.getByTestId('case-upgrade')).toHaveCount(0);
  await expect(page.getByTestId('start-screen')).toHaveCount(0);
});
