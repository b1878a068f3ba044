import { accessSync, constants, statSync } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { join } from 'node:path';

// Finding an external tool (libimobiledevice's, adb) the way a shell would, without a shell.

/** An environment variable by name; Windows names are case-insensitive (`Path`, `PATH`). */
export function envValue(
  env: NodeJS.ProcessEnv,
  name: string,
  platform: NodeJS.Platform,
): string | undefined {
  if (platform !== 'win32') return env[name];
  const key = Object.keys(env).find((k) => k.toUpperCase() === name);
  return key === undefined ? undefined : env[key];
}

/** The PATH entries, in order (quotes around an entry removed, empty ones skipped). */
export function pathDirs(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string[] {
  return (envValue(env, 'PATH', platform) ?? '')
    .split(platform === 'win32' ? ';' : ':')
    .map((d) => d.trim().replace(/^"(.*)"$/, '$1'))
    .filter((d) => d !== '');
}

/**
 * The file names a command may have. On Windows: the name with each PATHEXT extension, keeping
 * only `.exe` and `.com`, because batch files cannot be started without a shell and tools are
 * never started through one.
 */
export function executableNames(
  name: string,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
): string[] {
  if (platform !== 'win32') return [name];
  const exts = (envValue(env, 'PATHEXT', platform) ?? '.COM;.EXE')
    .split(';')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e === '.exe' || e === '.com');
  return (exts.length > 0 ? [...new Set(exts)] : ['.exe']).map((e) => name + e);
}

/** Every path a command may be at in these folders (repeated folders once), in search order. */
export function candidatePaths(dirs: string[], names: string[]): string[] {
  return [...new Set(dirs)].flatMap((dir) => names.map((n) => join(dir, n)));
}

/** A file that can be run (Windows has no execute bit: an executable extension is enough). */
export async function isRunnable(path: string, platform: NodeJS.Platform): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    if (platform !== 'win32') await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function isRunnableSync(path: string, platform: NodeJS.Platform): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    if (platform !== 'win32') accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first runnable path among the candidates, or null. */
export async function firstRunnable(
  paths: string[],
  platform: NodeJS.Platform,
): Promise<string | null> {
  for (const path of paths) if (await isRunnable(path, platform)) return path;
  return null;
}
