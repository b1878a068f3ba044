// The packaged desktop apps electron-builder leaves beside the installers (release/<version>/):
//   node scripts/packaged-app.js path [dir]    prints this machine's unpacked app executable
//   node scripts/packaged-app.js check [dir]   for every unpacked app this machine can run: checks
//       its fuses and runs it with --self-test (the native SQLite module must load and work)
// `dir` defaults to release/<version>. CI runs `check` after `npm run dist:*` (see
// .github/workflows/desktop.yml); it cannot run here, where no Electron binary can be fetched.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The fuses every shipped package must have flipped (name in @electron/fuses → wanted state). */
export const REQUIRED_FUSES = {
  RunAsNode: false,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
};

/**
 * The unpacked apps electron-builder writes for a platform, by architecture: the folder name
 * (`<platform><-arch unless x64>`, `-unpacked` except on macOS) and the executable inside it.
 */
export function unpackedApps(
  dir,
  platform,
  productName = 'Snoopscope',
  linuxExecutable = 'snoopscope',
) {
  const suffix = (arch) => (arch === 'x64' ? '' : `-${arch}`);
  const archs = ['x64', 'arm64'];
  switch (platform) {
    case 'darwin':
      return archs.map((arch) => {
        const app = path.join(dir, `mac${suffix(arch)}`, `${productName}.app`);
        return { arch, app, executable: path.join(app, 'Contents', 'MacOS', productName) };
      });
    case 'win32':
      return archs.map((arch) => {
        const folder = path.join(dir, `win${suffix(arch)}-unpacked`);
        return { arch, app: folder, executable: path.join(folder, `${productName}.exe`) };
      });
    case 'linux':
      return archs.map((arch) => {
        const folder = path.join(dir, `linux${suffix(arch)}-unpacked`);
        return { arch, app: folder, executable: path.join(folder, linuxExecutable) };
      });
    default:
      return [];
  }
}

/** Whether Rosetta can run x64 code on this Mac. */
function hasRosetta() {
  return spawnSync('arch', ['-x86_64', '/usr/bin/true']).status === 0;
}

/** Whether this machine can run an app built for `arch` (Apple silicon runs x64 apps through Rosetta). */
export function canRun(
  arch,
  platform = process.platform,
  hostArch = process.arch,
  rosetta = hasRosetta,
) {
  if (arch === hostArch) return true;
  return platform === 'darwin' && hostArch === 'arm64' && arch === 'x64' && rosetta();
}

function defaultDir() {
  const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  return path.join(root, 'release', version);
}

/**
 * Differences between a packaged Electron's fuse wire and {@link REQUIRED_FUSES}, as sentences.
 * `target` is the .app on macOS, the executable elsewhere (where @electron/fuses reads the wire).
 */
export async function fuseProblems(target) {
  const mod = await import('@electron/fuses');
  const { getCurrentFuseWire, FuseV1Options } = mod.default ?? mod;
  const wire = await getCurrentFuseWire(target);
  const problems = [];
  for (const [name, wanted] of Object.entries(REQUIRED_FUSES)) {
    // Each fuse is a byte: the character '1' (on) or '0' (off), or 'r' once Electron removed it.
    const state = wire[FuseV1Options[name]];
    const on = state === '1'.charCodeAt(0);
    const off = state === '0'.charCodeAt(0);
    if (!on && !off) problems.push(`fuse ${name} is not set in this Electron (state ${state})`);
    else if (on !== wanted)
      problems.push(`fuse ${name} is ${on ? 'on' : 'off'}, expected ${wanted ? 'on' : 'off'}`);
  }
  return problems;
}

/** Runs the app with --self-test and returns its report, or why there is none. */
function selfTest(executable) {
  const dir = mkdtempSync(path.join(tmpdir(), 'snoopscope-self-test-'));
  try {
    const out = path.join(dir, 'report.json');
    // Linux CI runners refuse Chromium's sandbox helper; the self-test opens no web content.
    const args = [`--self-test=${out}`, ...(process.platform === 'linux' ? ['--no-sandbox'] : [])];
    const run = spawnSync(executable, args, { encoding: 'utf8', timeout: 120_000 });
    const report = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : null;
    return { status: run.status, signal: run.signal, stderr: run.stderr ?? '', report };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function check(dir) {
  const apps = unpackedApps(dir, process.platform).filter((a) => existsSync(a.executable));
  if (apps.length === 0) {
    console.error(`No packaged app for ${process.platform} in ${dir}: run the dist script first.`);
    return 1;
  }
  let failures = 0;
  for (const a of apps) {
    const name = path.relative(dir, a.app);
    const problems = await fuseProblems(process.platform === 'darwin' ? a.app : a.executable);
    if (canRun(a.arch)) {
      const r = selfTest(a.executable);
      if (!r.report)
        problems.push(
          `--self-test wrote no report (exit ${r.status ?? r.signal}): ${r.stderr.trim().split('\n')[0] ?? ''}`,
        );
      else if (!r.report.ok || r.status !== 0)
        problems.push(`the native SQLite module failed: ${r.report.error}`);
      else
        console.log(
          `${name}: SQLite ${r.report.sqlite} loads in Electron ${r.report.electron} (${r.report.platform}-${r.report.arch}, Node-API ${r.report.napi}, ABI ${r.report.modules})`,
        );
    } else {
      console.log(
        `${name}: built for ${a.arch}; this ${process.arch} machine cannot run it, so only its fuses were checked`,
      );
    }
    if (problems.length === 0) console.log(`${name}: fuses as required`);
    for (const p of problems) console.error(`${name}: ${p}`);
    failures += problems.length;
  }
  return failures === 0 ? 0 : 1;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const [mode, dirArg] = process.argv.slice(2);
  const dir = path.resolve(dirArg ?? defaultDir());
  if (mode === 'path') {
    const found = unpackedApps(dir, process.platform).find(
      (a) => a.arch === process.arch && existsSync(a.executable),
    );
    if (found) console.log(found.executable);
    else console.error(`No packaged app for ${process.platform}-${process.arch} in ${dir}.`);
    process.exitCode = found ? 0 : 1;
  } else if (mode === 'check') {
    process.exitCode = await check(dir);
  } else {
    console.error('usage: node scripts/packaged-app.js path|check [dir]');
    process.exitCode = 2;
  }
}
