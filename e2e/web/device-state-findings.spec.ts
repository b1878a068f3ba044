import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { buildPowerLog } from '../../src/core/formats/powerlog/testing/synthetic';
import { accessPair } from '../../src/core/testing/apr-fixture';
import {
  createCaseAt,
  invoke,
  openStartScreen,
  ready,
  tempDir,
  importThroughBridge,
} from './support';

// An iPhone's App Privacy Report and a PowerLog of the same night (both generated): an access
// at 03:40 New York time while the screen was off and the phone locked, one in the afternoon
// while it was unlocked and in use, and one the day before, outside the PowerLog. The device-state
// filter "Locked" keeps the night read alone, and access-while-locked names it with its rows.

const H = 3_600_000;
const T0 = Date.UTC(2021, 11, 16, 8); // 03:00 in New York (UTC-5)
const BLANK = 'PLSpringBoardAgent_EventForward_SBBlank';
const LOCK = 'PLSpringBoardAgent_EventForward_SBLock';
const SHOTS = '/tmp/shots';

let dir: string;

test.beforeEach(async ({ page }) => {
  mkdirSync(SHOTS, { recursive: true });
  dir = tempDir();
  await openStartScreen(page);
});

test.afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeInputs(): string[] {
  const s = T0 / 1000;
  const powerlog = join(dir, 'powerlog_2021-12-16_15-54_84E2141B.PLSQL');
  // Off and locked 03:30-04:30, then on and unlocked until the capture.
  writeFileSync(
    powerlog,
    buildPowerLog({
      PLStorageOperator_EventForward_TimeOffset: [{ timestamp: s, system: 0 }],
      [BLANK]: [
        { timestamp: s + 1800, Blanked: 1 },
        { timestamp: s + 1800 + H / 1000, Blanked: 0 },
      ],
      [LOCK]: [
        { timestamp: s + 1800, Locked: 1 },
        { timestamp: s + 1800 + H / 1000, Locked: 0 },
      ],
    }),
  );
  const access = (app: string, id: string, ms: number): string[] =>
    accessPair({ app, category: 'photos', id, ms, durationMs: 30_000, offsetMin: -300 });
  const lines = [
    ...access('com.example.shop', 'DAY-BEFORE', T0 - 20 * H),
    ...access('com.example.shop', 'NIGHT', T0 + 0.5 * H + 10 * 60_000),
    ...access('com.example.shop', 'AFTERNOON', T0 + 10 * H),
  ];
  const report = join(dir, 'App_Privacy_Report_v4_2021-12-16T16_00_00.ndjson');
  writeFileSync(report, lines.join('\n') + '\n');
  return [report, powerlog];
}

async function importInto(request: APIRequestContext, paths: string[], deviceId: number) {
  await importThroughBridge(
    request,
    { paths, deviceId, timeZone: 'America/New_York' },
    paths.length,
  );
}

test('the Locked device-state filter narrows the timeline, and access-while-locked names its rows', async ({
  page,
  request,
}) => {
  await createCaseAt(page, join(dir, 'case.snoopscope'));
  await expect(page.getByTestId('workspace')).toBeVisible();
  const phone = await invoke<{ id: number }>(request, 'createDevice', {
    label: 'Subject iPhone',
    platform: 'ios',
  });
  await importInto(request, writeInputs(), phone.id);
  await page.reload();
  await ready(page);
  await page.getByTestId('tab-timeline').click();
  await ready(page);
  const timeline = page.getByTestId('timeline');
  await expect(timeline).toHaveAttribute('data-sessions', '3');

  await page.getByTestId('filter-device-state-locked').check();
  await ready(page);
  await expect(timeline).toHaveAttribute('data-sessions', '1');
  await expect(page.getByTestId('filter-chips')).toContainText('Device state: Locked');
  await page.screenshot({ path: `${SHOTS}/device-state-filter.png` });

  // In use keeps the afternoon read; Unknown the one before the PowerLog, never In use.
  await page.getByTestId('filter-device-state-locked').uncheck();
  await page.getByTestId('filter-device-state-in-use').check();
  await ready(page);
  await expect(timeline).toHaveAttribute('data-sessions', '1');
  await page.getByTestId('filter-device-state-in-use').uncheck();
  await page.getByTestId('filter-device-state-unknown').check();
  await ready(page);
  await expect(timeline).toHaveAttribute('data-sessions', '1');
  await page.getByTestId('filter-clear').click();
  await ready(page);

  await page.getByTestId('tab-findings').click();
  await ready(page);
  const locked = page.locator(
    '[data-testid="finding-row"][data-finding-id^="f:access-while-locked:"]',
  );
  await expect(locked).toHaveCount(1);
  await expect(locked).toContainText('while the device was locked with its screen off');
  await locked.click();
  const caveat = page.getByTestId('finding-caveat');
  await expect(caveat).toContainText(
    `${BLANK} rowid 1 of powerlog_2021-12-16_15-54_84E2141B.PLSQL`,
  );
  await expect(caveat).toContainText(`${LOCK} rowid 1`);
  await page.screenshot({ path: `${SHOTS}/access-while-locked.png` });
});
