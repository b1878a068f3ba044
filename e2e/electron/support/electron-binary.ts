import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export const ELECTRON_MISSING =
  'Electron binary not available on this machine; the Electron e2e spec was skipped';

/**
 * The Electron executable the `electron` package points at, or null when it is not installed.
 * Resolved the way the package's index.js does, but without requiring it: requiring it when
 * the binary is missing starts a download.
 */
export function findElectronBinary(): string | null {
  const require = createRequire(import.meta.url);
  let dir: string;
  try {
    dir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathFile = path.join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const relative = readFileSync(pathFile, 'utf8').trim();
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const binary = override ? path.join(override, relative) : path.join(dir, 'dist', relative);
  return existsSync(binary) ? binary : null;
}

/**
 * What the Electron spec launches: the packaged app named by `SNOOPSCOPE_E2E_APP` (its
 * executable; CI sets it after packaging), which loads its own app.asar, or else the Electron
 * binary with this project folder as the app. Null when neither is available.
 */
export function electronLaunchTarget(
  projectDir: string,
): { executablePath: string; appArgs: string[]; packaged: boolean } | null {
  const packaged = process.env.SNOOPSCOPE_E2E_APP;
  if (packaged) {
    if (!existsSync(packaged))
      throw new Error(`SNOOPSCOPE_E2E_APP names ${packaged}, which does not exist`);
    return { executablePath: packaged, appArgs: [], packaged: true };
  }
  const binary = findElectronBinary();
  return binary ? { executablePath: binary, appArgs: [projectDir], packaged: false } : null;
}
