// Times the comparison view's redraw in Chromium: the built renderer against the dev server with
// a generated case open, every device a band. A redraw is one zoom or pan key press: React's
// render and commit plus every band's canvas drawn from the data in hand, measured in the page
// from the key event until that work is done.
// Usage: redraw-child.ts <case.snoopcase> <workdir>
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../playwright.config';

const [casePath, workDir] = [process.argv[2]!, process.argv[3]!];
const root = join(import.meta.dirname, '..');
const port = Number(process.env.BENCH_REDRAW_PORT ?? 47871);
const token = 'bench-redraw';
const FRAMES = 40;

if (
  !existsSync(join(root, 'out/renderer/index.html')) ||
  !existsSync(join(root, 'out/node/devserver.js'))
)
  throw new Error('The app is not built: run `npm run build` first.');
mkdirSync(join(workDir, 'redraw-user'), { recursive: true });

const server = spawn(
  process.execPath,
  [
    join(root, 'out/node/devserver.js'),
    '--port',
    String(port),
    '--token',
    token,
    '--static',
    join(root, 'out/renderer'),
    '--user-data',
    join(workDir, 'redraw-user'),
  ],
  { stdio: 'ignore' },
);

async function invoke(method: string, args: unknown): Promise<unknown> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/invoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-snoopscope-token': token },
        body: JSON.stringify({ method, args }),
      });
      const body = (await res.json()) as { ok: boolean; value?: unknown; error?: unknown };
      if (!body.ok) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
      return body.value;
    } catch (e) {
      if (attempt > 50 || !(e instanceof TypeError)) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function settled(page: Page): Promise<void> {
  await page.waitForSelector('[data-app-state="ready"]', { timeout: 120_000 });
  await page.waitForFunction(
    `[...document.querySelectorAll('[data-testid="compare-band"]')].every((b) => b.dataset.mode !== '')`,
    undefined,
    { timeout: 120_000 },
  );
}

// Runs in the page (plain script, so this file needs no DOM types). It presses the keys on the
// comparison view and returns each press's work in ms. Canvas clears are counted: each band's
// lanes clear once per draw, so the count proves the draws ran inside the measured span rather
// than in a later frame. React renders a key press's update in a microtask and runs its effects
// (the canvas draws) at the end of that commit: a message round trip lets all of it finish.
const PRESS_KEYS = `async (list) => {
  const view = document.querySelector('[data-testid="compare-view"]');
  const proto = CanvasRenderingContext2D.prototype;
  const clear = proto.clearRect;
  let clears = 0;
  proto.clearRect = function (...a) { clears += 1; return clear.apply(this, a); };
  const ms = [];
  let draws = 0;
  try {
    for (const key of list) {
      const before = clears;
      const t0 = performance.now();
      view.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
      await new Promise((r) => { const ch = new MessageChannel(); ch.port1.onmessage = () => r(); ch.port2.postMessage(null); });
      ms.push(performance.now() - t0);
      draws += clears - before;
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    }
  } finally {
    proto.clearRect = clear;
  }
  return { ms, draws };
}`;

/** Presses keys on the comparison view; each press's time in ms and the canvas draws counted. */
async function timeKeys(page: Page, keys: string[]): Promise<{ ms: number[]; draws: number }> {
  return page.evaluate(`(${PRESS_KEYS})(${JSON.stringify(keys)})`);
}

function stats(ms: number[]): { median: number; p95: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  return {
    median: s[Math.floor(s.length / 2)]!,
    p95: s[Math.min(s.length - 1, Math.floor(s.length * 0.95))]!,
    max: s.at(-1)!,
  };
}

const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
const lines: string[] = [];
try {
  await invoke('openCase', { path: casePath });
  const devices = (await invoke('listDevices', {})) as unknown[];
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  await page.goto(`http://127.0.0.1:${port}/?token=${token}`);
  await page.waitForSelector('[data-app-state="ready"]', { timeout: 120_000 });
  await page.getByTestId('tab-compare').click();
  await page.waitForSelector('[data-testid="compare-band"]', { timeout: 120_000 });
  await settled(page);
  const bands = await page.getByTestId('compare-band').count();
  const width = await page.evaluate<number>(
    `document.querySelector('[data-testid="timeline-canvas"]').width`,
  );

  const describe = async (): Promise<string> =>
    page.evaluate<string>(
      `[...document.querySelectorAll('[data-testid="compare-band"]')].map((b) => b.dataset.mode).join('/')`,
    );

  // Whole range: zoom in and back out, each press a redraw over the full year of bins.
  const full = await timeKeys(
    page,
    Array.from({ length: FRAMES }, (_, i) => (i % 2 === 0 ? '+' : '-')),
  );
  const fullMode = await describe();

  // One hour: zoom in step by step (letting each view's data arrive), then pan back and forth.
  for (let i = 0; i < 13; i += 1) {
    await timeKeys(page, ['+']);
    await settled(page);
  }
  const span = await page.evaluate<number>(
    `(() => { const v = document.querySelector('[data-testid="compare-view"]'); return Number(v.dataset.viewTo) - Number(v.dataset.viewFrom); })()`,
  );
  const hour = await timeKeys(
    page,
    Array.from({ length: FRAMES }, (_, i) => (i % 2 === 0 ? 'ArrowRight' : 'ArrowLeft')),
  );
  const hourMode = await describe();

  const f = stats(full.ms);
  const h = stats(hour.ms);
  lines.push(
    `Chromium ${browser.version()} headless, software rendering (--disable-gpu), ${bands} bands, canvas ${width} px wide, ${devices.length} devices`,
  );
  lines.push('view                        median ms   p95 ms   max ms   canvas draws   band data');
  const row = (name: string, s: ReturnType<typeof stats>, draws: number, mode: string): string =>
    `${name.padEnd(26)} ${s.median.toFixed(1).padStart(9)} ${s.p95.toFixed(1).padStart(8)} ${s.max
      .toFixed(1)
      .padStart(8)}   ${String(draws).padStart(12)}   ${mode}`;
  lines.push(row('full range (one year)', f, full.draws, fullMode));
  lines.push(row(`${(span / 60_000).toFixed(0)} minutes`, h, hour.draws, hourMode));
  lines.push('target: under 16 ms per redraw');
  console.log(
    JSON.stringify({ report: lines.join('\n'), fullMedian: f.median, hourMedian: h.median }),
  );
} finally {
  await browser.close();
  server.kill();
}
