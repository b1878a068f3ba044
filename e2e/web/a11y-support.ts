import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { E2E_TOKEN } from '../../playwright.config';
import { writeAndroidCapture } from '../../src/core/testing/android-capture';
import { writeDemoBackup } from '../../src/core/testing/ios-backup-demo';
import { createCaseAt, importPaths, openStartScreen, ready, writeExport } from './support';

/** The views of the open case, by the test id of their tab. */
export const VIEWS = [
  'timeline',
  'summary',
  'compare',
  'heatmap',
  'network',
  'permissions',
  'usage',
  'findings',
  'sources',
  'audit',
  'verify',
] as const;

/** Calls the dev server's bridge (the case the page has open). */
export async function invoke<T>(
  request: APIRequestContext,
  method: string,
  args: object,
): Promise<T> {
  const res = await request.post('/api/invoke', {
    headers: { 'x-snoopscope-token': E2E_TOKEN },
    data: { method, args },
  });
  const body = (await res.json()) as
    { ok: true; value: T } | { ok: false; error: { message: string } };
  if (!body.ok) throw new Error(`${method} failed: ${body.error.message}`);
  return body.value;
}

/** Waits until the case lists at least `n` sources (imports started through the bridge). */
async function waitForSources(request: APIRequestContext, n: number): Promise<void> {
  await expect
    .poll(async () => (await invoke<unknown[]>(request, 'listSources', {})).length, {
      timeout: 30_000,
    })
    .toBeGreaterThanOrEqual(n);
}

/**
 * A case with something on every view: an App Privacy Report imported through the dialog, then a
 * generated Android capture and a generated iPhone backup imported through the bridge.
 */
export async function openFullCase(
  page: Page,
  request: APIRequestContext,
  dir: string,
): Promise<void> {
  await openStartScreen(page);
  await createCaseAt(page, path.join(dir, 'case.snoopscope'));
  await importPaths(page, writeExport(dir).path, "Reporter's iPhone");
  await page.getByTestId('import-done').click();
  await ready(page);
  const before = (await invoke<unknown[]>(request, 'listSources', {})).length;
  const pixel = await invoke<{ id: number }>(request, 'createDevice', {
    label: 'Pixel 7',
    platform: 'android',
  });
  await invoke(request, 'startImport', {
    paths: [writeAndroidCapture(path.join(dir, 'android'))],
    deviceId: pixel.id,
  });
  await waitForSources(request, before + 4);
  const backup = path.join(dir, 'backup');
  writeDemoBackup(backup);
  // The Android import may still be settling: retry until the bridge takes the backup import.
  await expect
    .poll(() =>
      invoke(request, 'startBackupImport', { path: backup, label: 'Old iPhone (backup)' }).then(
        () => 'started',
        (e: Error) => e.message,
      ),
    )
    .toBe('started');
  await waitForSources(request, before + 5);
  await page.reload();
  await ready(page);
}

export type View = (typeof VIEWS)[number];

type Violations = Awaited<ReturnType<AxeBuilder['analyze']>>['violations'];

/** Axe's findings on the page as it stands: the rules of WCAG 2.1 A and AA and best practices. */
export async function axeScan(page: Page): Promise<Violations> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  return results.violations;
}

/** Each violation in one line: impact, rule, and the first elements with what to fix. */
export function describeViolations(violations: Violations): string[] {
  return violations.map((v) => {
    const nodes = v.nodes
      .slice(0, 3)
      .map((n) => `${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ')}`);
    return `${v.impact ?? 'unknown'} ${v.id} (${v.nodes.length}) ${v.help} | ${nodes.join(' | ')}`;
  });
}
