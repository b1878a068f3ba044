import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import type { ImportFinished } from '../../src/contract/events';
import {
  DEMO_PHOTOS_GRANT_MS,
  DEMO_UDID,
  writeDemoBackup,
} from '../../src/core/testing/ios-backup-demo';
import { LANE_HEIGHT } from '../../src/renderer/features/timeline/lane-layout';
import { MARK_CY } from '../../src/renderer/features/timeline/marks';
import { E2E_TOKEN } from '../../playwright.config';
import { createCaseAt, openStartScreen, ready, tempDir } from './support';

// Records read from an iPhone backup: permissions, data usage, configuration profiles, the
// device's identity and the permission marks on the timeline. The backup is generated, imported
// through the dev server's bridge, and the views are read in Chromium.

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

async function createCase(page: Page): Promise<void> {
  await createCaseAt(page, path.join(dir, 'case.snoopscope'));
  await expect(page.getByTestId('workspace')).toBeVisible();
}

/**
 * Starts a backup import through the bridge and resolves with its `onImportFinished` event,
 * read from the dev server's event stream (subscribed before the import starts).
 */
async function importBackup(
  request: APIRequestContext,
  baseURL: string,
  backup: string,
): Promise<ImportFinished> {
  const abort = new AbortController();
  const res = await fetch(`${baseURL}/api/events?token=${E2E_TOKEN}`, { signal: abort.signal });
  const reader = res.body?.getReader();
  if (!reader) throw new Error('no event stream');
  try {
    const started = await request.post('/api/invoke', {
      headers: { 'x-snoopscope-token': E2E_TOKEN },
      data: { method: 'startBackupImport', args: { path: backup } },
    });
    const body = (await started.json()) as
      { ok: true; value: { importId: string } } | { ok: false; error: { message: string } };
    if (!body.ok) throw new Error(`startBackupImport failed: ${body.error.message}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('event stream ended before the import finished');
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const chunk = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        for (const line of chunk.split('\n')) {
          if (!line.startsWith('data: ')) continue;
          const e = JSON.parse(line.slice(6)) as { event: string; payload: ImportFinished };
          if (e.event === 'onImportFinished' && e.payload.importId === body.value.importId)
            return e.payload;
        }
      }
    }
  } finally {
    abort.abort();
  }
}

/** A case holding the demo backup of "Ana's iPhone", with the page showing it. */
async function caseWithBackup(page: Page, request: APIRequestContext, baseURL: string) {
  await createCase(page);
  const backup = path.join(dir, 'backup', DEMO_UDID);
  writeDemoBackup(backup);
  const finished = await importBackup(request, baseURL, backup);
  expect(finished.cancelled).toBe(false);
  expect(finished.outcomes.some((o) => o.status === 'imported')).toBe(true);
  // Imports started outside the page do not refresh it; a reload reads the case afresh.
  await page.reload();
  await ready(page);
}

test('says where permissions and data usage come from when there are none', async ({ page }) => {
  await createCase(page);
  await page.getByTestId('tab-permissions').click();
  await ready(page);
  await expect(page.getByTestId('permissions-empty')).toContainText('TCC.db');
  await expect(page.getByTestId('permissions-empty')).toContainText('iPhone backup');
  await page.screenshot({ path: `${SHOTS}/permissions-empty.png` });
  await page.getByTestId('tab-usage').click();
  await ready(page);
  await expect(page.getByTestId('usage-empty')).toContainText('DataUsage.sqlite');
});

test('shows the records of an iPhone backup with their provenance', async ({
  page,
  request,
  baseURL,
}) => {
  await caseWithBackup(page, request, baseURL ?? '');

  // Permissions: WeChat may read photos and use the microphone, not the camera.
  await page.getByTestId('tab-permissions').click();
  await ready(page);
  const table = page.getByTestId('permissions-table');
  await expect(table).toBeVisible();
  const row = (app: string, service: string) =>
    table.locator(`[data-app="${app}"][data-service="${service}"]`);
  const photos = row('com.tencent.xin', 'kTCCServicePhotos');
  const camera = row('com.tencent.xin', 'kTCCServiceCamera');
  await expect(photos).toHaveAttribute('data-status', 'granted');
  await expect(photos).toContainText('WeChat');
  await expect(photos).toContainText('Granted');
  await expect(camera).toHaveAttribute('data-status', 'denied');
  await expect(camera).toContainText('Denied');
  await expect(row('com.example.notes', 'kTCCServicePhotos')).toContainText('Limited');
  // Device-local time in Zurich (+02:00 in May) by default, UTC one click away.
  await expect(photos).toContainText('2024-05-11 00:15:00 +02:00');
  await page.getByTestId('permissions-time-utc').click();
  await expect(photos).toContainText('2024-05-10 22:15:00 Z');
  await page.getByTestId('permissions-time-local').click();
  await page.screenshot({ path: `${SHOTS}/permissions.png` });

  await page.getByTestId('permissions-granted-only').check();
  await expect(camera).toHaveCount(0);
  await expect(photos).toHaveCount(1);
  await page.getByTestId('permissions-granted-only').uncheck();

  // Row click opens the record with its source and what it does not prove.
  await photos.click();
  await ready(page);
  const details = page.getByTestId('record-details');
  await expect(details).toBeVisible();
  await expect(details.getByTestId('record-title')).toHaveText('WeChat · Photos');
  await expect(details.getByTestId('record-status')).toHaveAttribute('data-status', 'granted');
  await expect(details.getByTestId('record-sha256')).toHaveText(/^[0-9a-f]{64}$/);
  await expect(details.getByTestId('record-locator')).toContainText('TCC.db');
  await expect(details.getByTestId('record-does-not-prove').locator('li').first()).toBeVisible();
  await expect(details.getByTestId('record-proves').locator('li').first()).toBeVisible();
  await expect(details.getByTestId('record-raw')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/record-details.png` });
  await details.getByTestId('record-raw').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/record-details-raw.png` });

  // Enter on a focused row opens that row.
  await camera.focus();
  await page.keyboard.press('Enter');
  await ready(page);
  await expect(details.getByTestId('record-status')).toHaveAttribute('data-status', 'denied');
  await details.getByTestId('details-close').click();
  await expect(details).toHaveCount(0);

  // Data usage: one row per counter set, largest first, exact bytes in the title.
  await page.getByTestId('tab-usage').click();
  await ready(page);
  const usage = page.getByTestId('usage-row');
  await expect(page.getByTestId('usage-table')).toBeVisible();
  expect(await usage.count()).toBeGreaterThanOrEqual(3);
  await expect(page.getByTestId('usage-caveat')).toContainText('never added');
  const mdns = usage.filter({ hasText: 'mDNSResponder' });
  await expect(mdns).toContainText('system process');
  await expect(mdns).toContainText('200.0 KB');
  await expect(mdns.locator('[title="204,800 bytes"]')).toHaveCount(1);
  await expect(usage.last()).toContainText('mDNSResponder');
  await page.screenshot({ path: `${SHOTS}/usage.png` });
  await usage.first().click();
  await ready(page);
  await expect(page.getByTestId('record-details')).toContainText('Network usage');
  await page.getByTestId('details-close').click();

  // Sources: identity masked until unmasked; the MDM profile with its badges.
  await page.getByTestId('tab-sources').click();
  await ready(page);
  const identity = page.getByTestId('device-identifiers');
  await expect(identity).toHaveAttribute('data-masked', 'true');
  await expect(identity).not.toContainText(DEMO_UDID);
  await expect(identity).toContainText('5F60');
  await expect(identity).toContainText('iPhone');
  await expect(identity).toContainText('Europe/Zurich');
  const profiles = page.getByTestId('profiles-table');
  await expect(profiles).toContainText('Acme Device Management');
  await expect(profiles.locator('[data-badge="mdm"]').first()).toBeVisible();
  await expect(profiles.locator('[data-badge="rootCertificate"]').first()).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/sources-masked.png` });
  await page.getByTestId('unmask-identifiers').click();
  await expect(identity).toHaveAttribute('data-masked', 'false');
  await expect(identity).toContainText(DEMO_UDID);
  await page.screenshot({ path: `${SHOTS}/sources-unmasked.png` });
  // Unmasking lasts while the case is open, across views, and is not stored.
  await page.getByTestId('tab-permissions').click();
  await page.getByTestId('tab-sources').click();
  await expect(identity).toContainText(DEMO_UDID);
  await page.reload();
  await ready(page);
  await page.getByTestId('tab-sources').click();
  await ready(page);
  await expect(page.getByTestId('device-identifiers')).toHaveAttribute('data-masked', 'true');
  await page.getByTestId('profile-row').first().click();
  await ready(page);
  await expect(page.getByTestId('record-details')).toContainText('Configuration profile');
  await page.getByTestId('details-close').click();

  // Timeline: permission marks on WeChat's lane; hovering names them, clicking opens one.
  await page.getByTestId('tab-timeline').click();
  await ready(page);
  const timeline = page.getByTestId('timeline');
  await expect(timeline).not.toHaveAttribute('data-marks', '0');
  await expect(page.getByTestId('mark-legend')).toBeVisible();
  const labels = await page.getByTestId('lane-label').allTextContents();
  const laneIndex = labels.findIndex((t) => t.includes('WeChat'));
  expect(laneIndex).toBeGreaterThanOrEqual(0);
  const from = Number(await timeline.getAttribute('data-view-from'));
  const to = Number(await timeline.getAttribute('data-view-to'));
  const canvas = page.getByTestId('timeline-canvas');
  const box = await canvas.boundingBox();
  if (!box) throw new Error('timeline canvas has no box');
  const lanes = { y: box.y, height: 2 * LANE_HEIGHT };
  await page.screenshot({
    path: `${SHOTS}/timeline-marks-left.png`,
    clip: { x: box.x - 230, width: 420, ...lanes },
  });
  await page.screenshot({
    path: `${SHOTS}/timeline-marks-right.png`,
    clip: { x: box.x + box.width - 420, width: 420, ...lanes },
  });
  const x = ((DEMO_PHOTOS_GRANT_MS - from) / (to - from)) * box.width;
  const y = laneIndex * LANE_HEIGHT + MARK_CY;
  await canvas.hover({ position: { x, y } });
  const tooltip = page.getByTestId('timeline-tooltip');
  await expect(tooltip).toHaveAttribute('data-kind', 'mark');
  await expect(tooltip).toContainText('WeChat · Photos');
  await expect(tooltip).toContainText('Granted');
  await expect(tooltip).toContainText('2024-05-11 00:15:00');
  await page.screenshot({ path: `${SHOTS}/timeline-marks.png` });
  await canvas.click({ position: { x, y } });
  await ready(page);
  await expect(page.getByTestId('record-details')).toBeVisible();
  await expect(page.getByTestId('record-title')).toHaveText('WeChat · Photos');
  await page.screenshot({ path: `${SHOTS}/timeline-mark-details.png` });
});
