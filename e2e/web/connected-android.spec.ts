import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { startAdbEmulator, type AdbEmulator } from '../../src/core/acquire/testing/adb-emulator';
import {
  freePort,
  realAdbPath,
  startPrivateAdb,
  type PrivateAdb,
} from '../../src/core/acquire/testing/private-adb';
import { syntheticAdbOutputs } from '../../src/core/acquire/testing/stand-in-adb';
import { createCaseAt, ready, tempDir } from './support';

// The Connected Android panel against Debian's real adb client and an emulated phone: this spec
// starts its own dev server (the shared one has no adb), pointed with SNOOPSCOPE_ADB at the real
// client and, through ANDROID_ADB_SERVER_PORT, at a private adb server. Everything it starts is
// stopped by its pid at the end.

const adbPath = realAdbPath();
const DEVSERVER = path.resolve('out/node/devserver.js');
const TOKEN = 'snoopscope-connected-android';

test.skip(adbPath === null, 'the real adb client is not installed (apt-get install adb)');
test.skip(!existsSync(DEVSERVER), 'the dev server is not built (npm run build)');

let adb: PrivateAdb;
let phone: AdbEmulator;
let locked: AdbEmulator;
let server: ChildProcess;
let url: string;
let dir: string;

test.beforeAll(async () => {
  dir = tempDir();
  adb = await startPrivateAdb(adbPath!);
  phone = await startAdbEmulator({ behaviour: { outputs: syntheticAdbOutputs() } });
  locked = await startAdbEmulator({
    behaviour: { outputs: syntheticAdbOutputs(), auth: 'unauthorized' },
  });
  await adb.connect(phone.serial);
  await adb.connect(locked.serial);
  const port = await freePort();
  server = spawn(
    process.execPath,
    [DEVSERVER, '--port', String(port), '--token', TOKEN, '--static', 'out/renderer'],
    { env: { ...adb.env, SNOOPSCOPE_ADB: adbPath! }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout!.setEncoding('utf8');
    server.stdout!.on('data', (chunk: string) => {
      out += chunk;
      const m = /Snoopscope dev server: (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    server.once('exit', (code) => reject(new Error(`The dev server exited with ${code}.`)));
  });
});

test.afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    const timer = setTimeout(() => server.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
  await phone?.close();
  await locked?.close();
  await adb?.stop();
  expect(() => process.kill(adb.pid, 0)).toThrow();
  rmSync(dir, { recursive: true, force: true });
});

test('lists the emulated phones as the real adb sees them, captures one and imports it', async ({
  page,
}) => {
  await page.goto(url);
  await ready(page);
  await createCaseAt(page, path.join(dir, 'case.snoopscope'));
  await page.getByTestId('open-import').click();
  await page.getByTestId('import-mode-android').click();
  await ready(page);

  const rows = page.getByTestId('android-device');
  await expect(rows).toHaveCount(2);
  const good = page.locator('[data-testid="android-device"][data-state="device"]');
  await expect(good).toHaveCount(1);
  await expect(good).toContainText('Pixel 7');
  await expect(
    page.locator('[data-testid="android-device"][data-state="unauthorized"]'),
  ).toHaveCount(1);
  await expect(
    page.locator(
      '[data-testid="android-device"][data-state="unauthorized"] [data-testid="android-device-problem"]',
    ),
  ).toBeVisible();

  // The only phone ready to capture is chosen by itself (no Choose button).
  await expect(good.getByTestId('android-device-choose')).toHaveCount(0);
  await expect(page.getByTestId('android-capture-form')).toBeVisible();
  await page.getByTestId('android-capture-once').click();

  const status = page.getByTestId('android-capture-status');
  await expect(status).toHaveAttribute('data-phase', 'stopped', { timeout: 30_000 });
  await expect(page.getByTestId('android-capture-phase')).toHaveText('Capture finished');
  const entry = page.getByTestId('android-capture-entry');
  await expect(entry).toHaveCount(1);
  await expect(entry.locator('.capture-entry-added')).toBeVisible();

  const captures = path.join(dir, 'captures');
  const [folder] = readdirSync(captures);
  const manifest = JSON.parse(
    readFileSync(path.join(captures, folder!, 'capture.json'), 'utf8'),
  ) as {
    status: string;
    serial: string;
  };
  expect(manifest).toMatchObject({ status: 'complete', serial: phone.serial });
  expect(readFileSync(path.join(captures, folder!, 'package.txt'), 'utf8')).toBe(
    syntheticAdbOutputs()['dumpsys package'],
  );
});

test('a phone that drops the connection mid-capture: the panel says so and nothing is imported', async ({
  page,
}) => {
  phone.setBehaviour({
    outputs: { ...syntheticAdbOutputs(), 'dumpsys package': 'p'.repeat(200_000) },
    disconnect: { command: 'dumpsys package', afterBytes: 30_000 },
  });
  const caseDir = path.join(dir, 'second');
  mkdirSync(caseDir);
  await page.goto(url);
  await ready(page);
  if (await page.getByTestId('close-case').count()) {
    await page.getByTestId('close-case').click();
    await ready(page);
  }
  await createCaseAt(page, path.join(caseDir, 'case.snoopscope'));
  await page.getByTestId('open-import').click();
  await page.getByTestId('import-mode-android').click();
  await ready(page);
  await expect(page.locator('[data-testid="android-device"][data-state="device"]')).toHaveCount(1, {
    timeout: 20_000,
  });
  await page.getByTestId('android-capture-once').click();

  await expect(page.getByTestId('android-capture-status')).toHaveAttribute(
    'data-phase',
    'stopped',
    { timeout: 30_000 },
  );
  const entry = page.getByTestId('android-capture-entry');
  await expect(entry).toHaveCount(1);
  await expect(entry.locator('.capture-entry-error')).toContainText(
    'the connection to the phone was lost',
  );
  const captures = path.join(caseDir, 'captures');
  const [folder] = readdirSync(captures);
  const manifest = JSON.parse(
    readFileSync(path.join(captures, folder!, 'capture.json'), 'utf8'),
  ) as { status: string };
  expect(manifest.status).toBe('failed');
  expect(existsSync(path.join(captures, folder!, 'package.txt.partial'))).toBe(true);
  expect(existsSync(path.join(captures, folder!, 'package.txt'))).toBe(false);
});
