import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { APIRequestContext, Page } from '@playwright/test';
import {
  addAndroidAndBackup,
  createCaseAt,
  importPaths,
  openStartScreen,
  ready,
  writeExport,
} from './support';

/** The views of the open case, by the test id of their tab. */
export const VIEWS = [
  'key-findings',
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
  await addAndroidAndBackup(page, request, dir);
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
