import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessPair } from '../core/testing/apr-fixture';
import { runFindings, storedFindingParams } from '../core/findings';
import { CaseSession } from '../core/services/case-service';
import { findingRecord } from './findings-command';
import { runCli, tempDir } from './test-support';

let tmp: ReturnType<typeof tempDir>;
let casePath: string;
// Device at +02:00; photos read at 01:00 local on May 1-3, and one 5-minute camera session at noon.
const local = (d: number, h: number): number => Date.UTC(2024, 4, d, h - 2);
const KEYS = [
  'id',
  'rule',
  'severity',
  'device',
  'app',
  'appName',
  'category',
  'count',
  'first',
  'last',
  'title',
  'caveat',
  'evidence',
  'details',
];

beforeAll(async () => {
  tmp = tempDir();
  const lines: string[] = [];
  for (let d = 1; d <= 3; d += 1)
    lines.push(
      ...accessPair({
        app: 'com.tencent.xin',
        category: 'photos',
        id: `P${d}`,
        ms: local(d, 1),
        durationMs: 2000,
        offsetMin: 120,
      }),
    );
  lines.push(
    ...accessPair({
      app: 'com.example.cam',
      category: 'camera',
      id: 'C1',
      ms: local(3, 12),
      durationMs: 300_000,
      offsetMin: 120,
    }),
  );
  const file = tmp.file('a.ndjson', lines.join('\n') + '\n');
  casePath = join(tmp.dir, 'a.snoopcase');
  expect((await runCli(['import', casePath, file, '--device', 'phone'])).code).toBe(0);
});
afterAll(() => tmp.cleanup());

async function findingsJson(...flags: string[]): Promise<Record<string, unknown>[]> {
  const r = await runCli(['findings', casePath, ...flags, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>[];
}

describe('findings command', () => {
  it('prints JSON rows with the public fields in order', async () => {
    const rows = await findingsJson();
    expect(rows.map((r) => [r.rule, r.severity, r.app, r.category, r.count])).toEqual([
      ['night-access', 'high', 'com.tencent.xin', 'photos', 3],
      ['long-access', 'medium', 'com.example.cam', 'camera', 1],
    ]);
    for (const r of rows) expect(Object.keys(r)).toEqual(KEYS);
    const night = rows[0]!;
    expect(night).toMatchObject({
      id: expect.stringMatching(/^f:night-access:\d+:com\.tencent\.xin:photos$/) as unknown,
      device: 'phone',
      appName: 'WeChat',
      first: '2024-05-01T01:00:00.000+02:00',
      last: '2024-05-03T01:00:02.000+02:00',
      title: 'WeChat read the photo library 3 times between 00:00 and 06:00 on 3 nights',
    });
    expect((night.evidence as string[]).map((e) => e.replace(/^s:\d+:/, 's:*:'))).toEqual([
      's:*:P1',
      's:*:P2',
      's:*:P3',
    ]);
  });

  it('writes the JSON array exactly as one stringify of every record would', async () => {
    const r = await runCli(['findings', casePath, '--json']);
    const session = CaseSession.open(casePath, { readonly: true });
    try {
      const all = runFindings(session.db, {}, storedFindingParams(session.db));
      expect(all.length).toBeGreaterThan(1);
      expect(r.stdout).toBe(JSON.stringify(all.map(findingRecord), null, 2) + '\n');
    } finally {
      session.close();
    }
    expect(
      (await runCli(['findings', casePath, '--json', '--rule', 'screen-off-access'])).stdout,
    ).toBe('[]\n');
  });

  it('applies --rule, --param and the filters', async () => {
    expect((await findingsJson('--rule', 'long-access')).map((r) => r.rule)).toEqual([
      'long-access',
    ]);
    expect(
      await findingsJson('--rule', 'long-access', '--param', 'long-access.seconds=600'),
    ).toEqual([]);
    const narrow = await findingsJson(
      '--param',
      'night-access.to=01:00',
      '--app',
      'com.tencent.xin',
    );
    expect(narrow).toEqual([]);
    const dated = await findingsJson('--rule', 'night-access', '--from', '2024-05-02');
    // Two nights make the rule's medium; WeChat does not need the photo library, so it is high.
    expect(dated[0]).toMatchObject({
      count: 2,
      severity: 'high',
      details: { ruleSeverity: 'medium' },
    });
  });

  it('prints a table with caveats by default', async () => {
    const r = await runCli(['findings', casePath]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Severity\s+Rule\s+Device\s+App/);
    expect(r.stdout).toContain('night-access');
    expect(r.stdout).toContain('What these findings do not prove:');
  });

  it('refuses unknown rules and parameters as usage errors', async () => {
    const bad = await runCli(['findings', casePath, '--rule', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown rule/);
    const badParam = await runCli(['findings', casePath, '--param', 'long-access.seconds=x']);
    expect(badParam.code).toBe(2);
    expect(badParam.stderr).toMatch(/positive number/);
    const noEq = await runCli(['findings', casePath, '--param', 'long-access.seconds']);
    expect(noEq.code).toBe(2);
  });

  it('is documented in --help', async () => {
    const r = await runCli(['findings', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('findings <case> [filters] [--rule R]');
    expect(r.stdout).toContain('--explain');
  });
});

describe('findings --explain', () => {
  it('prints every rule’s criteria, severity, parameters and caveat without a case', async () => {
    const r = await runCli(['findings', '--explain']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const { ruleInfos } = await import('../core/findings');
    const flat = r.stdout.replace(/\s+/g, ' ');
    for (const info of ruleInfos()) {
      expect(r.stdout).toMatch(new RegExp(`^${info.id}: ${info.title}$`, 'm'));
      expect(flat).toContain(`Severity: ${info.severity}`);
      expect(flat).toContain(`Does not prove: ${info.caveat}`);
      for (const p of info.params)
        expect(flat).toContain(`${info.id}.${p.name} (default ${String(p.default)} ${p.unit}`);
    }
    for (const line of r.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  });

  it('explains only the rules asked for, with the values in force from the case and --param', async () => {
    const r = await runCli([
      'findings',
      casePath,
      '--explain',
      '--rule',
      'long-access',
      '--param',
      'long-access.seconds=120',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^long-access: /);
    expect(r.stdout).not.toContain('night-access:');
    expect(r.stdout).toContain('long-access.seconds (default 60 s; in force: 120)');
  });

  it('refuses an unknown rule or parameter, and --json', async () => {
    for (const argv of [
      ['findings', '--explain', '--rule', 'nope'],
      ['findings', '--explain', '--param', 'nope.x=1'],
      ['findings', '--explain', '--json'],
    ]) {
      const r = await runCli(argv);
      expect(r.code, argv.join(' ')).toBe(2);
    }
  });
});
