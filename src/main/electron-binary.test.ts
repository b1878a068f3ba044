import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const script = path.join(root, 'scripts/electron-binary.js');

type Found = { ok: boolean; path?: string; reason?: string; version?: string };
interface ElectronBinary {
  locateElectron(env: Record<string, string | undefined>, fromDir: string): Found;
  missingMessage(found: Found): string;
}
const mod = (await import(
  new URL('../../scripts/electron-binary.js', import.meta.url).href
)) as ElectronBinary;

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

/** A project folder with an `electron` package as npm installs it: no binary yet. */
function fakeProject(): { dir: string; electron: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'snoopscope-electron-'));
  dirs.push(dir);
  const electron = path.join(dir, 'node_modules/electron');
  mkdirSync(electron, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), '{"name":"x"}');
  writeFileSync(
    path.join(electron, 'package.json'),
    JSON.stringify({ name: 'electron', version: '45.6.1' }),
  );
  return { dir, electron };
}

describe('locateElectron', () => {
  it('reports a package without its binary, as npm ci leaves it', () => {
    const { dir } = fakeProject();
    const found = mod.locateElectron({}, dir);
    expect(found).toMatchObject({ ok: false, version: '45.6.1' });
    expect(found.reason).toContain('path.txt is missing');
    const message = mod.missingMessage(found);
    expect(message).toContain(
      'The Electron 45.6.1 binary the desktop app runs on is not installed',
    );
    expect(message).toContain('npm run setup');
    expect(message).toContain('ELECTRON_EXEC_PATH');
  });

  it('finds the binary path.txt names, and reports one that is gone', () => {
    const { dir, electron } = fakeProject();
    writeFileSync(path.join(electron, 'path.txt'), 'electron');
    expect(mod.locateElectron({}, dir).reason).toContain('dist/electron is missing');
    mkdirSync(path.join(electron, 'dist'));
    writeFileSync(path.join(electron, 'dist/electron'), '');
    expect(mod.locateElectron({}, dir)).toMatchObject({
      ok: true,
      path: path.join(electron, 'dist/electron'),
    });
  });

  it('honours ELECTRON_EXEC_PATH as electron-vite does', () => {
    const { dir } = fakeProject();
    expect(mod.locateElectron({ ELECTRON_EXEC_PATH: script }, dir)).toMatchObject({
      ok: true,
      path: script,
    });
    expect(mod.locateElectron({ ELECTRON_EXEC_PATH: '/nowhere/electron' }, dir).reason).toContain(
      '/nowhere/electron',
    );
  });

  it('reports a missing electron package', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'snoopscope-electron-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'package.json'), '{"name":"x"}');
    expect(mod.locateElectron({}, dir).reason).toContain('npm ci');
  });
});

describe('npm start without the Electron binary', () => {
  it('stops before electron-vite with what is missing and how to get it, no stack trace', () => {
    const env = { ...process.env, ELECTRON_EXEC_PATH: '/nowhere/electron' };
    const r = spawnSync(process.execPath, [script, 'check'], { cwd: root, env, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('binary the desktop app runs on is not installed');
    expect(r.stderr).toContain('npm run setup');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('is what npm start and npm run dev run first; setup installs with npm ci and fetches it', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.prestart).toBe('node scripts/electron-binary.js check');
    expect(pkg.scripts.predev).toBe('node scripts/electron-binary.js check');
    expect(pkg.scripts.setup).toMatch(/^npm ci && node scripts\/electron-binary\.js install && /);
    expect(pkg.scripts.setup).not.toContain('npm install');
  });
});
