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

// An iPad's App Privacy Report and a PowerLog of the same night: the access at 03:30 New York
// time falls while the screen was off and the device locked; an access the day before lies
// outside the PowerLog's coverage and is unknown. Both files are generated.

const H = 3_600_000;
const T0 = Date.UTC(2021, 11, 16, 8); // 03:00 in New York (UTC-5)
const BLANK = 'PLSpringBoardAgent_EventForward_SBBlank';
const LOCK = 'PLSpringBoardAgent_EventForward_SBLock';

let dir: string;

test.beforeEach(async ({ page }) => {
  mkdirSync('/tmp/shots', { recursive: true });
  dir = tempDir();
  await openStartScreen(page);
});

test.afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeInputs(): { report: string; powerlog: string } {
  const s = T0 / 1000;
  const powerlog = join(dir, 'powerlog_2021-12-16_05-54_84E2141B.PLSQL');
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
  const lines = [
    ...accessPair({
      app: 'com.example.night',
      category: 'photos',
      id: 'NIGHT-1',
      ms: T0 + 0.5 * H + 10 * 60_000,
      durationMs: 30_000,
      offsetMin: -300,
    }),
    ...accessPair({
      app: 'com.example.day',
      category: 'photos',
      id: 'DAY-BEFORE',
      ms: T0 - 20 * H,
      durationMs: 30_000,
      offsetMin: -300,
    }),
  ];
  const report = join(dir, 'App_Privacy_Report_v4_2021-12-16T06_00_00.ndjson');
  writeFileSync(report, lines.join('\n') + '\n');
  return { report, powerlog };
}

async function importInto(request: APIRequestContext, paths: string[], deviceId: number) {
  await importThroughBridge(
    request,
    { paths, deviceId, timeZone: 'America/New_York' },
    paths.length,
  );
}

test('an access on the timeline with its device-state band, and the Device state section', async ({
  page,
  request,
}) => {
  await createCaseAt(page, join(dir, 'case.snoopscope'));
  await expect(page.getByTestId('workspace')).toBeVisible();
  const ipad = await invoke<{ id: number }>(request, 'createDevice', {
    label: 'Subject iPad',
    platform: 'ios',
  });
  const { report, powerlog } = writeInputs();
  await importInto(request, [report, powerlog], ipad.id);
  await page.reload();
  await ready(page);
  await page.getByTestId('tab-timeline').click();
  await ready(page);

  // Under the lanes: the iPad's screen-off and locked tracks, drawn inside the PowerLog's window.
  const bands = page.getByTestId('device-state-bands');
  await expect(bands).toBeVisible();
  await expect(bands).toContainText('Device state · Subject iPad');
  const off = bands.locator('[data-testid="device-state-band"][data-kind="screen-off"]');
  await expect(off).toHaveCount(1);
  await expect(off).toHaveAttribute('data-from-ms', String(T0 + 0.5 * H));
  await expect(bands.locator('[data-testid="device-state-band"][data-kind="locked"]')).toHaveCount(
    1,
  );
  // Before the PowerLog begins, the tracks are hatched as no data.
  await expect(bands.getByTestId('device-state-gap').first()).toBeVisible();

  await page.getByTestId('timeline-list-toggle').click();
  await ready(page);
  const rows = page.getByTestId('session-row');
  await rows.filter({ hasText: 'com.example.night' }).click();
  await ready(page);
  const details = page.getByTestId('session-details');
  await expect(details.getByTestId('details-device-state-sentence')).toHaveText(
    `Screen off, locked (PowerLog, table ${BLANK} row 1; table ${LOCK} row 1)`,
  );
  await page.screenshot({ path: '/tmp/shots/device-state.png' });

  await rows.filter({ hasText: 'com.example.day' }).click();
  await ready(page);
  await expect(details.getByTestId('details-device-state-sentence')).toHaveText(
    'Unknown — no device-state record covers this moment',
  );
});
