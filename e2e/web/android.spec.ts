import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { LANE_HEIGHT } from '../../src/renderer/features/timeline/lane-layout';
import {
  createCaseAt,
  importPaths,
  invoke,
  openStartScreen,
  ready,
  tempDir,
  writeExport,
  importThroughBridge,
} from './support';

// An Android capture (getprop and dumpsys appops, Android 11+ layout) imported through the
// import dialog: the platform badge, the background mark on the timeline and its tooltip, the
// app state filter and the Android section of the session details.

const SHOTS = '/tmp/shots';

let dir: string;

test.beforeAll(() => {
  mkdirSync(SHOTS, { recursive: true });
});

test.beforeEach(async ({ page }) => {
  dir = tempDir();
  await openStartScreen(page);
});

test.afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

// The dump was taken at 2025-06-18 19:20:45 Europe/Lisbon (UTC+01:00 in June); each access line
// prints its local time and how long before the dump it was (reference android-sources.md §1.1).
const BG_READ_UTC = Date.UTC(2025, 5, 18, 6, 41, 7, 412);

// Op header lines end with a space in real output.
const SOCIAL_READS = [
  '  Uid u0a245:',
  '    state=cch',
  '    Package com.example.social:',
  '      READ_MEDIA_IMAGES (allow): ',
  '        null=[',
  '          Access: [bg-s] 2025-06-18 07:41:07.412 (-11h39m37s588ms)',
  '          Access: [top-s] 2025-06-18 16:07:55.228 (-3h12m49s772ms) duration=+2s5ms',
  '        ]',
];

// A proxied access is printed twice with the same time (reference android-sources.md §1.2): under
// the proxy app (flag `up`) and under the app it was blamed on (flag `upd`, with proxy details).
const PROXIED_READ = [
  '  Uid u0a187:',
  '    state=top',
  '    Package com.google.android.gm:',
  '      READ_CONTACTS (allow): ',
  '        null=[',
  '          Access: [fg-up] 2025-06-18 12:05:36.918 (-7h15m8s82ms)',
  '        ]',
  '  Uid u0a55:',
  '    state=fg',
  '    Package com.android.providers.contacts:',
  '      READ_CONTACTS (allow): ',
  '        null=[',
  '          Access: [fg-upd] 2025-06-18 12:05:36.918 (-7h15m8s82ms) proxy[uid=10187, pkg=com.google.android.gm, attributionTag=null]',
  '        ]',
];

/** Writes a capture folder: getprop.txt, and appops.txt with the given uid blocks. */
function writeCapture(parent: string, uids: string[] = SOCIAL_READS): string {
  const folder = path.join(parent, 'pixel-capture');
  mkdirSync(folder);
  writeFileSync(
    path.join(folder, 'getprop.txt'),
    [
      '[persist.sys.timezone]: [Europe/Lisbon]',
      '[ro.build.version.release]: [14]',
      '[ro.build.version.sdk]: [34]',
      '[ro.product.model]: [Pixel 7]',
      '[ro.serialno]: [ABC123]',
      '',
    ].join('\n'),
  );
  writeFileSync(
    path.join(folder, 'appops.txt'),
    [
      'Current AppOps Service state:',
      '  Settings:',
      '    top_state_settle_time=+5s0ms',
      '',
      ...uids,
      '',
    ].join('\n'),
  );
  return folder;
}

async function createCase(page: Page): Promise<void> {
  await createCaseAt(page, path.join(dir, 'case.snoopscope'));
}

/** Creates a case and imports the capture folder by typing its path into the import dialog. */
async function importCapture(page: Page): Promise<void> {
  await createCase(page);
  const folder = writeCapture(dir);
  await importPaths(page, folder, 'Subject Pixel');
  await expect(page.getByTestId('import-outcome').first()).toHaveAttribute(
    'data-status',
    'imported',
  );
  await page.getByTestId('import-done').click();
  await ready(page);
}

/** The page position of an instant on the single lane's photos track. */
async function pointOf(page: Page, ms: number): Promise<{ x: number; y: number }> {
  const timeline = page.getByTestId('timeline');
  const from = Number(await timeline.getAttribute('data-view-from'));
  const to = Number(await timeline.getAttribute('data-view-to'));
  const box = await page.getByTestId('timeline-canvas').boundingBox();
  if (!box) throw new Error('no timeline canvas');
  // The bar of an instant is two pixels wide from its start; one track fills the lane's bar area.
  return { x: box.x + ((ms - from) / (to - from)) * box.width + 1, y: box.y + LANE_HEIGHT / 2 - 2 };
}

test('an Android capture: badge, background mark, state filter and details', async ({ page }) => {
  await importCapture(page);

  // The platform is shown beside the device name.
  await expect(page.getByTestId('filter-sidebar').getByTestId('platform-badge')).toHaveAttribute(
    'data-platform',
    'android',
  );
  await expect(page.getByTestId('case-summary').getByTestId('platform-badge')).toHaveText(
    'Android',
  );

  // Two photo reads of one app; the earlier one is marked background.
  const timeline = page.getByTestId('timeline');
  await expect(timeline).toHaveAttribute('data-sessions', '2');
  await expect(timeline).toHaveAttribute('data-background', '1');
  await expect(page.getByTestId('state-legend')).toContainText('reported by Android');
  await expect(page.getByTestId('lane-label')).toContainText('com.example.social');

  await page.screenshot({ path: `${SHOTS}/android-timeline-fit.png` });

  // Zoom (wheel, anchored at the pointer) onto the background read.
  const p0 = await pointOf(page, BG_READ_UTC);
  await page.mouse.move(p0.x, p0.y);
  for (let i = 0; i < 3; i += 1) {
    await page.mouse.wheel(0, -300);
    await ready(page);
  }
  const p = await pointOf(page, BG_READ_UTC);
  await page.mouse.move(p.x, p.y);
  const tooltip = page.getByTestId('timeline-tooltip');
  await expect(tooltip).toHaveAttribute('data-kind', 'session');
  await expect(tooltip).toContainText('App state: Background (reported by Android: bg-s)');
  await expect(tooltip).toContainText('Duration: not printed by Android (shown as an instant)');
  await page.screenshot({ path: `${SHOTS}/android-timeline.png` });

  // The list says the same in words.
  await page.getByTestId('timeline-list-toggle').click();
  await ready(page);
  await expect(page.getByTestId('session-row-state').first()).toBeVisible();
  await page.getByTestId('timeline-list-toggle').click();

  // The details panel's Android section.
  await page.mouse.click(p.x, p.y);
  await ready(page);
  const details = page.getByTestId('session-details');
  await expect(details.getByTestId('details-state')).toHaveText(
    'Background (reported by Android: bg-s)',
  );
  const android = details.getByTestId('details-android');
  await expect(android.getByTestId('details-android-reported')).toContainText('Background');
  await expect(android.getByTestId('details-android-raw')).toContainText('bg-s');
  await expect(android.getByTestId('details-android-tag')).toContainText('none (null)');
  await expect(android.getByTestId('details-android-duration')).toContainText(
    'Duration not printed by Android: shown as an instant',
  );
  await expect(details.getByTestId('details-duration')).toHaveText(
    'not printed by Android (shown as an instant)',
  );
  await page.screenshot({ path: `${SHOTS}/android-details.png` });
  await page.getByTestId('details-close').click();

  // App state filter, on the whole period: Background only leaves the one background read.
  await page.getByTestId('timeline-zoom-reset').click();
  await ready(page);
  await expect(timeline).toHaveAttribute('data-sessions', '2');
  await page.getByTestId('filter-state-background').check();
  await ready(page);
  await expect(timeline).toHaveAttribute('data-sessions', '1');
  await expect(timeline).toHaveAttribute('data-background', '1');
  await expect(page.getByTestId('filter-chips')).toContainText('App state: Background');
  await page.getByText('Filter as text').click();
  await expect(page.getByTestId('filter-text')).toHaveValue('state:background');
  await page.screenshot({ path: `${SHOTS}/android-filter.png` });

  // Foreground only leaves the top read, with no mark.
  await page.getByTestId('filter-state-background').uncheck();
  await page.getByTestId('filter-state-foreground').check();
  await ready(page);
  await expect(timeline).toHaveAttribute('data-sessions', '1');
  await expect(timeline).toHaveAttribute('data-background', '0');
  await page.getByTestId('filter-clear').click();
  await ready(page);

  // The device's identity in Sources: model, Android version and the masked serial.
  await page.getByTestId('tab-sources').click();
  await ready(page);
  const card = page.getByTestId('device-card');
  await expect(card.getByTestId('device-card-name').getByTestId('platform-badge')).toHaveText(
    'Android',
  );
  const identity = card.getByTestId('device-identifiers');
  await expect(identity.getByTestId('device-model')).toHaveText('Pixel 7');
  await expect(identity.getByTestId('device-os-version')).toHaveText('14');
  await expect(identity).toContainText('Android version');
  const serial = identity.locator('[data-identifier="serial"]');
  await expect(serial).toHaveText('••C123');
  await expect(identity.locator('[data-identifier="udid"]')).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/android-sources.png` });
  await page.getByTestId('unmask-identifiers').click();
  await expect(serial).toHaveText('ABC123');
});

test('platform badges with an iPhone and an Android phone in one case', async ({
  page,
  request,
}) => {
  await createCase(page);
  const iphone = await invoke<{ id: number }>(request, 'createDevice', {
    label: 'Subject iPhone',
    platform: 'ios',
  });
  const pixel = await invoke<{ id: number }>(request, 'createDevice', { label: 'Subject Pixel' });
  await importThroughBridge(request, { paths: [writeExport(dir).path], deviceId: iphone.id }, 1);
  await importThroughBridge(request, { paths: [writeCapture(dir)], deviceId: pixel.id }, 3);
  await page.reload();
  await ready(page);
  // A case with findings opens on its key findings; the lanes are on the timeline.
  await page.getByTestId('tab-timeline').click();
  await ready(page);

  // Lanes name their device with its platform when several devices are shown.
  const social = page.locator('[data-testid="lane-label"]', { hasText: 'com.example.social' });
  await expect(social.getByTestId('platform-badge')).toHaveText('Android');
  const wechat = page.locator('[data-testid="lane-label"]', { hasText: 'WeChat' });
  await expect(wechat).toHaveAttribute('title', /com\.tencent\.xin/);
  await expect(wechat.getByTestId('platform-badge')).toHaveText('iOS');
  const sidebar = page.getByTestId('filter-sidebar');
  await expect(sidebar.getByTestId('platform-badge')).toHaveText(['iOS', 'Android']);
  await page.screenshot({ path: `${SHOTS}/android-two-devices.png` });

  // App Privacy Report sessions have no state: Unknown keeps them, Background keeps the Pixel's.
  await page.getByTestId('filter-state-unknown').check();
  await ready(page);
  await expect(page.getByTestId('lane-label')).toHaveCount(2);
  await expect(page.getByTestId('timeline')).toHaveAttribute('data-background', '0');
  await page.getByTestId('filter-state-unknown').uncheck();
  await page.getByTestId('filter-state-background').check();
  await ready(page);
  await expect(page.getByTestId('lane-label')).toHaveCount(1);
  await expect(page.getByTestId('lane-label')).toContainText('com.example.social');
  await page.getByTestId('filter-clear').click();
  await ready(page);

  // The summary's device column.
  await page.getByTestId('tab-summary').click();
  await ready(page);
  const rows = page.getByTestId('summary-row');
  await expect(
    rows.filter({ hasText: 'com.example.social' }).getByTestId('platform-badge'),
  ).toHaveText('Android');
  await expect(
    rows.filter({ hasText: 'com.tencent.xin' }).first().getByTestId('platform-badge'),
  ).toHaveText('iOS');
  await page.screenshot({ path: `${SHOTS}/android-summary.png` });
});

test('a proxied access shows the proxy app and its own line', async ({ page, request }) => {
  await createCase(page);
  const pixel = await invoke<{ id: number }>(request, 'createDevice', { label: 'Subject Pixel' });
  await importThroughBridge(
    request,
    { paths: [writeCapture(dir, PROXIED_READ)], deviceId: pixel.id },
    2,
  );
  await page.reload();
  await ready(page);

  // The proxy's own line is linked to the blamed app's session, not counted again.
  await expect(page.getByTestId('timeline')).toHaveAttribute('data-sessions', '1');
  await page.getByTestId('timeline-list-toggle').click();
  await ready(page);
  const row = page.getByTestId('session-row');
  await expect(row.getByTestId('session-row-state')).toHaveText('Foreground (reported by Android)');
  await row.click();
  await ready(page);
  const details = page.getByTestId('session-details');
  await expect(details.getByTestId('details-app')).toHaveText('com.android.providers.contacts');
  await expect(details.getByTestId('details-android-raw')).toContainText('fg-upd');
  await expect(details.getByTestId('details-android-proxy')).toContainText(
    'com.google.android.gm · uid 10187',
  );
  const proxy = details.getByTestId('details-proxy');
  await expect(proxy).toContainText('blamed on this app; the proxy’s own line:');
  const line = proxy.getByTestId('details-proxy-line');
  await expect(line).toHaveCount(1);
  await expect(line).toContainText('appops.txt');
  await expect(line).toContainText('Access: [fg-up] 2025-06-18 12:05:36.918');
  await expect(line).toContainText(/[0-9a-f]{64}/);
  await details.getByTestId('details-android').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/android-proxy.png` });
});
