import { mkdirSync, rmSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { caseWithExport, ready, tempDir } from './support';

// Findings, annotations and the audit log in Chromium against the dev server: the generated
// export has WeChat reading photos twice at night.

const SHOTS = '/tmp/shots';
let dir: string;

test.beforeEach(async ({ page }) => {
  dir = tempDir();
  mkdirSync(SHOTS, { recursive: true });
  await caseWithExport(page, dir);
});

test.afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('a night-access finding opens its evidence, which can be starred and tagged, and the audit log records it', async ({
  page,
}) => {
  await page.getByTestId('tab-findings').click();
  await ready(page);
  const night = page.locator('[data-testid="finding-row"][data-finding-id^="f:night-access:"]');
  await expect(night).toHaveCount(1);
  // Apps are named (the built-in catalog knows com.tencent.xin).
  await expect(night).toContainText('WeChat');
  await night.click();
  // The list leaves each finding's caveat and figures out; the opened finding reads them.
  await expect(page.getByTestId('finding-caveat')).toBeVisible();
  await expect(
    page.getByTestId('finding-detail').locator('.findings-details dt').first(),
  ).toBeVisible();
  await expect(page.getByTestId('finding-detail')).toContainText(/[1-9]\d* evidence records/);
  await page.screenshot({ path: `${SHOTS}/findings.png` });
  // The finding itself can be starred.
  const findingEditor = page.getByTestId('finding-detail').getByTestId('annotation-editor');
  await findingEditor.getByTestId('annotation-star').click();
  await ready(page);
  await expect(findingEditor.getByTestId('annotation-star')).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await page.getByTestId('finding-evidence').getByRole('button').first().click();
  await ready(page);

  const editor = page.getByTestId('session-details').getByTestId('annotation-editor');
  await expect(editor).toBeVisible();
  await editor.getByTestId('annotation-star').click();
  await ready(page);
  await editor.getByTestId('annotation-tag-input').fill('night read');
  await editor.getByTestId('annotation-tag-add').click();
  await ready(page);
  await expect(editor.getByTestId('annotation-tag')).toHaveCount(1);

  await page.locator('[data-testid="filter-tag"][data-tag="night read"]').click();
  await ready(page);
  await page.getByTestId('tab-summary').click();
  await ready(page);
  await expect(page.getByTestId('summary-row')).toHaveCount(1);

  await page.getByTestId('tab-audit').click();
  await ready(page);
  await expect(page.getByTestId('audit-check')).toHaveAttribute('data-intact', 'true');
  await expect(
    page.getByTestId('audit-entry').filter({ hasText: 'annotation' }).first(),
  ).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/audit.png` });
});
