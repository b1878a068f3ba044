import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

interface App {
  arch: string;
  app: string;
  executable: string;
}
interface PackagedApp {
  REQUIRED_FUSES: Record<string, boolean>;
  unpackedApps(dir: string, platform: string): App[];
  canRun(arch: string, platform: string, hostArch: string, rosetta: () => boolean): boolean;
  fuseProblems(target: string): Promise<string[]>;
}
const mod = (await import(
  new URL('../../scripts/packaged-app.js', import.meta.url).href
)) as PackagedApp;

const dir = mkdtempSync(path.join(tmpdir(), 'snoopscope-fuses-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const FUSE_ORDER = [
  'RunAsNode',
  'EnableCookieEncryption',
  'EnableNodeOptionsEnvironmentVariable',
  'EnableNodeCliInspectArguments',
  'EnableEmbeddedAsarIntegrityValidation',
  'OnlyLoadAppFromAsar',
  'LoadBrowserProcessSpecificV8Snapshot',
  'GrantFileProtocolExtraPrivileges',
];

/** A stand-in executable carrying a fuse wire as Electron lays it out (sentinel, version, length, wire). */
function fakeExecutable(name: string, fuses: Record<string, boolean>): string {
  const wire = FUSE_ORDER.map((f) => (fuses[f] ? 0x31 : 0x30));
  const file = path.join(dir, name);
  writeFileSync(
    file,
    Buffer.concat([
      Buffer.from('\x7fELF...code...'),
      Buffer.from(SENTINEL, 'latin1'),
      Buffer.from([1, wire.length, ...wire]),
      Buffer.from('...more code'),
    ]),
  );
  return file;
}

describe('the packaged-app check', () => {
  it('finds the unpacked apps where electron-builder writes them', () => {
    expect(mod.unpackedApps('/r', 'win32').map((a) => a.executable)).toEqual([
      path.join('/r', 'win-unpacked', 'Snoopscope.exe'),
      path.join('/r', 'win-arm64-unpacked', 'Snoopscope.exe'),
    ]);
    expect(mod.unpackedApps('/r', 'darwin').map((a) => a.executable)).toEqual([
      path.join('/r', 'mac', 'Snoopscope.app', 'Contents', 'MacOS', 'Snoopscope'),
      path.join('/r', 'mac-arm64', 'Snoopscope.app', 'Contents', 'MacOS', 'Snoopscope'),
    ]);
    expect(mod.unpackedApps('/r', 'linux')[0]!.executable).toBe(
      path.join('/r', 'linux-unpacked', 'snoopscope'),
    );
    expect(mod.canRun('x64', 'darwin', 'arm64', () => true)).toBe(true);
    expect(mod.canRun('x64', 'darwin', 'arm64', () => false)).toBe(false);
    expect(mod.canRun('arm64', 'win32', 'x64', () => true)).toBe(false);
    expect(mod.canRun('x64', 'linux', 'x64', () => false)).toBe(true);
  });

  it('accepts the fuses electron-builder.yml sets', async () => {
    const ok = fakeExecutable('ok', { ...mod.REQUIRED_FUSES, EnableCookieEncryption: true });
    expect(await mod.fuseProblems(ok)).toEqual([]);
  });

  it('names each fuse that is not as required', async () => {
    const bad = fakeExecutable('bad', {
      ...mod.REQUIRED_FUSES,
      OnlyLoadAppFromAsar: false,
      EnableNodeCliInspectArguments: true,
    });
    expect(await mod.fuseProblems(bad)).toEqual([
      'fuse EnableNodeCliInspectArguments is on, expected off',
      'fuse OnlyLoadAppFromAsar is off, expected on',
    ]);
  });
});
