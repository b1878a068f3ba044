import { defineConfig } from '@playwright/test';

// The "web" project drives Debian's Chromium against the built renderer served, together with
// the bridge, by the loopback dev server. The "electron" project runs the built desktop app
// where the Electron binary exists and says that it skipped otherwise.
export const E2E_PORT = Number(process.env.SNOOPSCOPE_E2E_PORT ?? 47811);
export const E2E_TOKEN = 'snoopscope-e2e-token';
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Debian's Chromium headless on a closed network: no sandbox (root), no GPU, no background traffic. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export default defineConfig({
  testDir: 'e2e',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  projects: [
    {
      name: 'web',
      testDir: 'e2e/web',
      use: {
        browserName: 'chromium',
        baseURL: `http://127.0.0.1:${E2E_PORT}`,
        viewport: { width: 1440, height: 900 },
        launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
      },
    },
    { name: 'electron', testDir: 'e2e/electron', testMatch: /.*\.spec\.ts/ },
  ],
  webServer: {
    command: `node out/node/devserver.js --port ${E2E_PORT} --token ${E2E_TOKEN} --static out/renderer --test-hooks`,
    url: `http://127.0.0.1:${E2E_PORT}/`,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
    timeout: 60_000,
    // The shared dev server has no adb and no libimobiledevice even where they are installed (connected-android.spec.ts
    // starts its own dev server, pointed at the real client and an emulated phone).
    env: { SNOOPSCOPE_ADB: '/nonexistent/adb', SNOOPSCOPE_IDEVICE_TOOLS_DIR: '/nonexistent' },
  },
});
