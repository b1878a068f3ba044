import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';

// Runs the built main process (out/main/index.js, with its import worker and the preload and
// renderer it points at) under plain Node with a stand-in `electron` module. It needs no Electron
// binary, so it also runs where app.spec.ts is skipped, and checks what bundling can break: ESM
// output, externals, the worker path, better-sqlite3 loading in main and in the worker.
const projectDir = path.resolve(import.meta.dirname, '../..');
const mainEntry = path.join(projectDir, 'out/main/index.js');
const support = path.join(import.meta.dirname, 'support');

test('the built main process serves the bridge, imports in its worker and quits cleanly', () => {
  expect(existsSync(mainEntry), 'out/main/index.js is missing; run `npm run build` first').toBe(
    true,
  );
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'snoopscope-bundle-'));
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      FAKE_ELECTRON_USER_DATA: path.join(workDir, 'user-data'),
    };
    delete env.ELECTRON_RENDERER_URL;
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        path.join(support, 'register-fake-electron.mjs'),
        path.join(support, 'drive-main.mjs'),
        mainEntry,
        workDir,
      ],
      { cwd: projectDir, env, encoding: 'utf8', timeout: 60_000 },
    );
    const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    expect(line, `driver output:\n${run.stdout}\n${run.stderr}`).toBeDefined();
    const r = JSON.parse(line!.slice('RESULT '.length));

    expect(r.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    });
    expect(r.preloadExists).toBe(true);
    expect(r.loadedUrl).toBe('app://snoopscope/index.html');
    expect(r.sandboxed).toBe(true);
    expect(r.privilegedSchemes).toEqual([expect.objectContaining({ scheme: 'app' })]);
    expect(r.windowOpen).toEqual({ action: 'deny' });
    expect(r.navigationPrevented).toBe(true);

    expect(r.foreign).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(r.appInfo).toEqual({
      ok: true,
      value: expect.objectContaining({ host: 'electron', version: '0.0.0-bundle' }),
    });
    expect(r.createCase).toMatchObject({ ok: true });
    expect(r.caseFileExists).toBe(true);
    expect(r.startImport).toMatchObject({ ok: true });
    expect(r.importFinished).toMatchObject({
      cancelled: false,
      outcomes: [expect.objectContaining({ status: 'imported' })],
    });
    expect(r.events).toEqual(expect.arrayContaining(['snoopscope:event onImportFinished']));
    expect(r.summary).toMatchObject({
      ok: true,
      value: [expect.objectContaining({ category: 'camera', sessions: 1 })],
    });

    expect(r.protocol.status).toBe(200);
    expect(r.protocol.csp).toContain("script-src 'self'");
    expect(r.protocolEscape).toBe(404);
    expect(r.menu).toEqual(expect.arrayContaining(['&File', '&Edit', '&View', '&Help']));
    expect(r.invokeHandlerRemoved).toBe(true);
    expect(r.log).toContain('Refused a bridge call to getAppInfo from https://example.invalid/');
    expect(r.log).toContain('Blocked navigation to https://example.invalid/');
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
});
