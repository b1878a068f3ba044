import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// electron-builder cannot package here (it would download Electron), but its own schema
// validation and config loading run offline; these are the functions its CLI calls first.
const require = createRequire(import.meta.url);
const projectDir = path.resolve(import.meta.dirname, '../..');
const builderLib = path.dirname(require.resolve('app-builder-lib/package.json'));
const { getConfig, validateConfiguration } = require(
  path.join(builderLib, 'out/util/config/config.js'),
) as {
  getConfig(dir: string, file: string | null, overrides: unknown): Promise<BuilderConfig>;
  validateConfiguration(config: unknown, logger: unknown): Promise<void>;
};
const { DebugLogger } = require(require.resolve('builder-util', { paths: [builderLib] })) as {
  DebugLogger: new (enabled: boolean) => unknown;
};
const { Minimatch } = require(require.resolve('minimatch', { paths: [builderLib] })) as {
  Minimatch: new (
    pattern: string,
    options: { dot: boolean },
  ) => { negate: boolean; match(p: string): boolean };
};

/** electron-builder keeps `files` as strings or, once merged, as `{ filter }` sets. */
type FilePatterns = (string | { from?: string; to?: string; filter?: string[] })[];

function patternsOf(files: FilePatterns | undefined): string[] {
  return (files ?? []).flatMap((f) => (typeof f === 'string' ? [f] : (f.filter ?? [])));
}

interface Target {
  target: string;
  arch: string[];
}
interface BuilderConfig {
  appId?: string;
  productName?: string;
  files?: FilePatterns;
  asarUnpack?: string[];
  npmRebuild?: boolean;
  mac?: {
    target?: Target[];
    category?: string;
    hardenedRuntime?: boolean;
    entitlements?: string;
    files?: FilePatterns;
  };
  win?: { target?: Target[]; files?: FilePatterns };
  linux?: { target?: Target[]; files?: FilePatterns; executableName?: string };
  electronFuses?: Record<string, boolean>;
}

const PREBUILDS = [
  'darwin-arm64',
  'darwin-x64',
  'win32-x64',
  'win32-arm64',
  'linux-x64',
  'linux-arm64',
  'linuxmusl-x64',
  'linuxmusl-arm64',
];
const prebuild = (id: string) => `node_modules/better-sqlite3/prebuilds/${id}.node`;

/** Whether electron-builder's file filter keeps `file`: later patterns win, as in its minimatchAll. */
function kept(patterns: string[], file: string, arch: string): boolean {
  let match = false;
  for (const raw of patterns) {
    const pattern = new Minimatch(raw.replaceAll('${arch}', arch), { dot: true });
    if (match !== pattern.negate) continue;
    match = pattern.match(file);
  }
  return match;
}

const config = await getConfig(projectDir, null, null);

describe('electron-builder.yml', () => {
  it('passes electron-builder schema validation', async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    await expect(
      validateConfiguration({ ...config, notAnOption: true }, new DebugLogger(false)),
    ).rejects.toThrow(/notAnOption/);
  });

  it('names the app and targets macOS dmg and Windows nsis on both architectures', () => {
    expect(config.appId).toBe('org.snoopscope.app');
    expect(config.productName).toBe('Snoopscope');
    expect(config.mac?.target).toEqual([{ target: 'dmg', arch: ['arm64', 'x64'] }]);
    expect(config.mac?.category).toBe('public.app-category.developer-tools');
    expect(config.mac?.hardenedRuntime).toBe(true);
    expect(config.win?.target).toEqual([{ target: 'nsis', arch: ['x64', 'arm64'] }]);
    expect(config.linux?.target).toEqual([{ target: 'AppImage', arch: ['x64'] }]);
    expect(config.linux?.executableName).toBe('snoopscope');
  });

  it('ships better-sqlite3 as published: no rebuild, native files unpacked from the asar', () => {
    expect(config.npmRebuild).toBe(false);
    for (const id of PREBUILDS) {
      expect(
        config.asarUnpack?.some((p) => new Minimatch(p, { dot: true }).match(prebuild(id))),
        id,
      ).toBe(true);
    }
  });

  it('keeps only the prebuild of the architecture being packaged', () => {
    const cases: [FilePatterns | undefined, string, string][] = [
      [config.mac?.files, 'arm64', 'darwin-arm64'],
      [config.mac?.files, 'x64', 'darwin-x64'],
      [config.win?.files, 'x64', 'win32-x64'],
      [config.win?.files, 'arm64', 'win32-arm64'],
      [config.linux?.files, 'x64', 'linux-x64'],
    ];
    for (const [platformFiles, arch, wanted] of cases) {
      const files = patternsOf(platformFiles);
      // A platform `files` list becomes electron-builder's main file matcher, so it repeats the app files.
      expect(files, wanted).toEqual(expect.arrayContaining(patternsOf(config.files)));
      // Production node_modules reach the filter as if every path were included first.
      const patterns = ['**/*', ...files];
      for (const id of PREBUILDS)
        expect(kept(patterns, prebuild(id), arch), `${wanted}: ${id}`).toBe(id === wanted);
      expect(kept(files, 'out/main/index.js', arch)).toBe(true);
      expect(kept(files, 'out/node/devserver.js', arch)).toBe(false);
      expect(kept(patterns, 'node_modules/better-sqlite3/deps/sqlite3/sqlite3.c', arch)).toBe(
        false,
      );
      expect(kept(patterns, 'node_modules/better-sqlite3/lib/index.js', arch)).toBe(true);
      // The report's fonts: the two weights it embeds, not the others.
      const font = (w: string) =>
        `node_modules/@expo-google-fonts/noto-sans-sc/${w}/NotoSansSC_${w}.ttf`;
      expect(kept(patterns, font('400Regular'), arch)).toBe(true);
      expect(kept(patterns, font('700Bold'), arch)).toBe(true);
      expect(kept(patterns, font('900Black'), arch)).toBe(false);
    }
  });

  it('turns off the Electron fuses the app does not use, and loads only a checked app.asar', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
      resetAdHocDarwinSignature: true,
    });
  });
});
