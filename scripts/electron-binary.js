// Whether the Electron binary the desktop app runs on is installed, and installing it.
//   node scripts/electron-binary.js check     exit 0 when it is there; else say what to do, exit 1
//   node scripts/electron-binary.js install   download it when missing (part of `npm run setup`)
// The `electron` package has no install script: its binary is downloaded on first use, and
// electron-vite (`npm start`, `npm run dev`) does not trigger that download; it stops with
// "Electron uninstall" and a stack trace instead. Requiring `electron` here would start a
// download, so the binary is found the way electron-vite finds it, without requiring it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the Electron executable is, or why it cannot be used: the path electron-vite will start
 * (`ELECTRON_EXEC_PATH`, else `node_modules/electron/dist/<path.txt>`).
 */
export function locateElectron(env = process.env, fromDir = process.cwd()) {
  const require = createRequire(path.join(fromDir, 'package.json'));
  let dir;
  try {
    dir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return { ok: false, reason: 'the electron package is not installed (run `npm ci`)' };
  }
  const version = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
  if (env.ELECTRON_EXEC_PATH) {
    return existsSync(env.ELECTRON_EXEC_PATH)
      ? { ok: true, path: env.ELECTRON_EXEC_PATH, version, dir }
      : {
          ok: false,
          version,
          dir,
          reason: `ELECTRON_EXEC_PATH names ${env.ELECTRON_EXEC_PATH}, which does not exist`,
        };
  }
  const pathFile = path.join(dir, 'path.txt');
  if (!existsSync(pathFile)) {
    return { ok: false, version, dir, reason: `${path.relative(fromDir, pathFile)} is missing` };
  }
  const binary = path.join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary)
    ? { ok: true, path: binary, version, dir }
    : { ok: false, version, dir, reason: `${path.relative(fromDir, binary)} is missing` };
}

/** The message printed when the binary is missing: what is missing and how to get it. */
export function missingMessage(found) {
  const version = found.version ? ` ${found.version}` : '';
  return [
    `The Electron${version} binary the desktop app runs on is not installed (${found.reason}).`,
    'Run `npm run setup` with network access to download it (or only the binary: `npx install-electron`),',
    `or set ELECTRON_EXEC_PATH to an Electron${version} executable you already have.`,
    'The command line (`npx snoopscope`) and `npm run dev:web` work without it.',
  ].join('\n');
}

function check() {
  const found = locateElectron();
  if (found.ok) return 0;
  process.stderr.write(`${missingMessage(found)}\n`);
  return 1;
}

function install() {
  const found = locateElectron();
  if (found.ok) {
    console.log(`Electron ${found.version} is installed (${found.path}).`);
    return 0;
  }
  if (!found.dir) {
    process.stderr.write(`${missingMessage(found)}\n`);
    return 1;
  }
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
    console.log(
      `ELECTRON_SKIP_BINARY_DOWNLOAD is set: the Electron ${found.version} binary was not downloaded. ` +
        'The command line and the tests run without it; `npm start` needs it.',
    );
    return 0;
  }
  console.log(`Downloading the Electron ${found.version} binary for the desktop app...`);
  const run = spawnSync(process.execPath, [path.join(found.dir, 'install.js')], {
    stdio: ['ignore', 'inherit', 'pipe'],
    encoding: 'utf8',
  });
  if (run.status === 0 && locateElectron().ok) return 0;
  // The installer prints a stack trace; its first line says why.
  const why = (run.stderr ?? '').trim().split('\n')[0] || `exit code ${run.status}`;
  // Setup goes on: the command line, the web interface and the tests do not need the binary.
  process.stderr.write(
    `\nThe Electron binary could not be downloaded (${why}).\n${missingMessage(locateElectron())}\n\n`,
  );
  return 0;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const mode = process.argv[2];
  if (mode === 'check') process.exitCode = check();
  else if (mode === 'install') process.exitCode = install();
  else {
    process.stderr.write('usage: node scripts/electron-binary.js check|install\n');
    process.exitCode = 2;
  }
}
