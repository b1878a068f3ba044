// Takes the README screenshots: the built renderer in Chromium against the dev server, with a
// generated App Privacy Report (never real data). Usage: npm run build && tsx scripts/screenshots.ts [outdir]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../playwright.config';
import { accessPair, generateExportLines } from '../src/core/testing/apr-fixture';
import { writeAndroidCapture } from '../src/core/testing/android-capture';
import { writeDemoBackup } from '../src/core/testing/ios-backup-demo';

const outDir = resolve(process.argv[2] ?? 'docs/screenshots');
mkdirSync(outDir, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'snoopscope-shots-'));
const token = 'screenshot-token';
const port = 47911;

// A week of activity at +08:00, plus WeChat reading photos through several nights.
const start = Date.UTC(2024, 4, 1) - 8 * 3_600_000;
const lines = [
  ...generateExportLines({
    intervals: 1500,
    startMs: start,
    offsetMin: 480,
    seed: 3,
    networkRows: 40,
    maxGapMs: 700_000,
  }),
];
for (let night = 0; night < 6; night += 1) {
  for (let k = 0; k < 5; k += 1) {
    const ms = start + night * 86_400_000 + (1 + k * 0.8) * 3_600_000;
    lines.splice(
      1,
      0,
      ...accessPair({
        app: 'com.tencent.xin',
        category: 'photos',
        id: `NIGHT-${night}-${k}`,
        ms,
        durationMs: 20_000 + k * 9_000,
        offsetMin: 480,
      }),
    );
  }
}
const access = lines.filter((l) => l.includes('"type":"access"'));
const network = lines.filter((l) => !l.includes('"type":"access"'));
access.sort(
  (a, b) =>
    Date.parse(JSON.parse(a).timeStamp as string) - Date.parse(JSON.parse(b).timeStamp as string),
);
const exportPath = join(work, 'App_Privacy_Report_v4_2024-05-08T09_00_00.ndjson');
writeFileSync(exportPath, [...access, ...network].join('\n') + '\n');

const server = spawn(
  process.execPath,
  [
    'out/node/devserver.js',
    '--port',
    String(port),
    '--token',
    token,
    '--static',
    'out/renderer',
    '--user-data',
    join(work, 'user'),
  ],
  { stdio: 'ignore' },
);
await new Promise((r) => setTimeout(r, 1500));

const ready = async (page: Page) => {
  await page.waitForSelector('[data-app-state="ready"]', { timeout: 30_000 });
};
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 880 } });
  await page.goto(`http://127.0.0.1:${port}/?token=${token}`);
  await ready(page);
  await page.screenshot({ path: join(outDir, 'start.png') });
  await page.getByTestId('create-case').click();
  await page.getByTestId('case-path-input').fill(join(work, 'Investigation.snoopcase'));
  await page.getByTestId('case-path-submit').click();
  await ready(page);
  await page.getByTestId('open-import').click();
  await page.getByTestId('import-paths-input').fill(exportPath);
  await page.getByTestId('new-device-label').fill("Reporter's iPhone");
  await page.getByTestId('create-device').click();
  await ready(page);
  await page.getByTestId('start-import').click();
  await page.getByTestId('import-summary').waitFor();
  await ready(page);
  await page.screenshot({ path: join(outDir, 'import.png') });
  await page.getByTestId('import-done').click();
  await ready(page);
  await page.screenshot({ path: join(outDir, 'timeline.png') });
  await page.getByTestId('timeline-list-toggle').click();
  await ready(page);
  await page.getByTestId('session-row').filter({ hasText: 'WeChat' }).first().click();
  await ready(page);
  await page.getByTestId('timeline-list-toggle').click();
  await ready(page);
  await page.screenshot({ path: join(outDir, 'details.png') });
  await page.getByTestId('details-close').click();
  await page.getByTestId('filter-category-photos').check();
  await page.getByTestId('filter-night').click();
  await ready(page);
  await page.screenshot({ path: join(outDir, 'night-photos.png') });
  await page.getByTestId('tab-heatmap').click();
  await ready(page);
  await page.screenshot({ path: join(outDir, 'heatmap.png') });
  await page.getByTestId('filter-clear').click();
  await page.getByTestId('tab-summary').click();
  await ready(page);
  await page.screenshot({ path: join(outDir, 'summary.png') });
  await page.getByTestId('tab-network').click();
  await ready(page);
  await page.screenshot({ path: join(outDir, 'network.png') });

  // A generated iPhone backup and a generated Android capture, imported through the bridge.
  const invoke = async (method: string, args: unknown): Promise<unknown> => {
    const res = await fetch(`http://127.0.0.1:${port}/api/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-snoopscope-token': token },
      body: JSON.stringify({ method, args }),
    });
    const body = (await res.json()) as {
      ok: boolean;
      value?: unknown;
      error?: { message: string };
    };
    if (!body.ok) throw new Error(`${method}: ${body.error?.message ?? 'failed'}`);
    return body.value;
  };
  const sources = async (): Promise<number> =>
    ((await invoke('listSources', {})) as unknown[]).length;
  const waitForSources = async (count: number): Promise<void> => {
    for (let i = 0; i < 200 && (await sources()) < count; i += 1)
      await new Promise((r) => setTimeout(r, 100));
  };
  const backup = join(work, 'backup');
  writeDemoBackup(backup);
  let expected = (await sources()) + 6;
  await invoke('startBackupImport', { path: backup });
  await waitForSources(expected);
  const capture = writeAndroidCapture(join(work, 'android'));
  const pixel = (await invoke('createDevice', { label: 'Pixel 7', platform: 'android' })) as {
    id: number;
  };
  expected += 4;
  await invoke('startImport', { paths: [capture], deviceId: pixel.id });
  await waitForSources(expected);
  await page.reload();
  await ready(page);
  await page.getByTestId('tab-permissions').click();
  await ready(page);
  await page.screenshot({ path: join(outDir, 'permissions.png') });
  await page.getByTestId('tab-usage').click();
  await ready(page);
  await page.screenshot({ path: join(outDir, 'data-usage.png') });
  await page.getByTestId('tab-timeline').click();
  await page.getByRole('checkbox', { name: /Pixel 7/ }).check();
  await ready(page);
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(outDir, 'android-timeline.png') });
  await page.getByRole('checkbox', { name: /Pixel 7/ }).uncheck();
  await page.getByTestId('tab-compare').click();
  await ready(page);
  for (const box of await page.getByTestId('compare-device').all()) {
    const label = (await box.getAttribute('data-device')) ?? '';
    if (/Reporter|Pixel/.test(label)) await box.check();
    else await box.uncheck();
  }
  await ready(page);
  await page.getByTestId('compare-metric-night').click();
  await page.getByTestId('compare-align-day').click();
  await ready(page);
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(outDir, 'compare.png') });
  console.log(`screenshots written to ${outDir}`);
} finally {
  await browser.close();
  server.kill();
}
