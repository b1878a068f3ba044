import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { accessPair } from '../core/testing/apr-fixture';

const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin/snoopscope.js');
const BEGIN = '2024-05-01T10:00:00.000+02:00';
const END = '2024-05-01T10:00:05.000+02:00';

interface RuntimeCheck {
  REQUIRED_NODE: string;
  REQUIRED_NODE_API: number;
  runtimeProblem(versions: Record<string, string | undefined>): string | null;
}
// bin/ is plain JavaScript that old Node.js versions must parse; it is loaded by URL.
const check = (await import(
  new URL('../../bin/runtime-check.js', import.meta.url).href
)) as RuntimeCheck;

/** Every `node` on PATH outside this project, with the Node-API version it reports. */
function systemNodes(): { path: string; napi: number; version: string }[] {
  const seen = new Set<string>();
  const out: { path: string; napi: number; version: string }[] = [];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'node');
    if (dir === '' || dir.includes('node_modules') || !existsSync(candidate)) continue;
    const real = path.resolve(candidate);
    if (seen.has(real)) continue;
    seen.add(real);
    const r = spawnSync(candidate, ['-p', 'process.versions.napi + " " + process.version'], {
      encoding: 'utf8',
    });
    const [napi, version] = r.stdout.trim().split(' ');
    if (r.status === 0 && napi && version) out.push({ path: real, napi: Number(napi), version });
  }
  return out;
}

describe('runtimeProblem', () => {
  it('accepts Node.js with Node-API 10', () => {
    for (const node of ['22.14.0', '22.23.3', '24.1.0', '25.0.0'])
      expect(check.runtimeProblem({ node, napi: '10', modules: '127' }), node).toBeNull();
  });

  it('refuses the Node.js versions the SQLite module crashes under, saying what to do', () => {
    for (const [node, napi] of [
      ['20.20.2', '9'],
      ['22.12.0', '9'],
      ['22.13.1', '9'],
      ['23.5.0', '9'],
      ['18.20.0', '9'],
      ['22.14.0', undefined],
    ] as const) {
      const message = check.runtimeProblem({ node, napi, modules: '115' });
      expect(message, node).toContain(`this is Node.js ${node}`);
      expect(message).toContain('needs Node.js 22.14 or later (Node-API 10)');
      expect(message).toContain('npx snoopscope');
      expect(message).toContain('npm run cli --');
    }
  });

  it('matches the Node-API version better-sqlite3 is built for and the package engines', () => {
    const gyp = readFileSync(path.join(root, 'node_modules/better-sqlite3/binding.gyp'), 'utf8');
    expect(Number(/NAPI_VERSION=(\d+)/.exec(gyp)?.[1])).toBe(check.REQUIRED_NODE_API);
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      engines: { node: string };
    };
    expect(pkg.engines.node).toBe(`>=${check.REQUIRED_NODE}`);
  });
});

describe('bin/snoopscope.js', () => {
  it('runs under the project’s Node.js, native module included', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'snoopscope-node-'));
    try {
      const report = path.join(dir, 'report.ndjson');
      writeFileSync(
        report,
        accessPair({
          app: 'org.example.app',
          category: 'photos',
          id: 'A',
          timeStamp: BEGIN,
          endTimeStamp: END,
        }).join('\n'),
      );
      const casePath = path.join(dir, 'case.snoopcase');
      const r = spawnSync(process.execPath, [bin, 'import', casePath, report, '--device', 'p'], {
        encoding: 'utf8',
      });
      expect(r.stderr).not.toContain('needs Node.js');
      expect(r.status, r.stderr).toBe(0);
      expect(existsSync(casePath)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const old = systemNodes().filter((n) => n.napi < check.REQUIRED_NODE_API);
  if (old.length === 0)
    console.log('No Node.js older than 22.14 on PATH: the old-Node.js run was skipped.');
  it.skipIf(old.length === 0)(
    'stops with a message under an older Node.js on PATH instead of crashing',
    () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'snoopscope-old-node-'));
      try {
        for (const node of old) {
          // Opening a case loads the native module: under these versions that was a segfault.
          const r = spawnSync(
            node.path,
            [bin, 'import', path.join(dir, 'case.snoopcase'), bin, '--device', 'p'],
            { encoding: 'utf8' },
          );
          expect(r.signal, node.path).toBeNull();
          expect(r.status, node.path).toBe(1);
          expect(r.stdout).toBe('');
          expect(r.stderr).toContain(`this is Node.js ${node.version.slice(1)}`);
          expect(r.stderr).toContain('needs Node.js 22.14 or later');
          expect(existsSync(path.join(dir, 'case.snoopcase'))).toBe(false);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
