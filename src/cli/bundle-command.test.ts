import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withZip } from '../core/formats/zip';
import { accessPair } from '../core/testing/apr-fixture';
import { parseRedact } from './bundle-command';
import { runCli } from './test-support';

let dir: string;
let casePath: string;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'snoopscope-cli-bundle-'));
  process.env.SNOOPSCOPE_USER_DATA = join(dir, 'user');
  casePath = join(dir, 'c.snoopcase');
  const apr = join(dir, 'apr.ndjson');
  writeFileSync(
    apr,
    accessPair({
      app: 'com.tencent.xin',
      category: 'photos',
      id: 'A',
      ms: Date.UTC(2024, 4, 1, 1),
      durationMs: 5000,
    }).join('\n') + '\n',
  );
  await runCli(['import', casePath, apr, '--device', 'A']);
});
afterEach(() => {
  delete process.env.SNOOPSCOPE_USER_DATA;
  rmSync(dir, { recursive: true, force: true });
});

describe('export and verify', () => {
  it('exports a signed bundle and a Timesketch timeline, and verifies it (exit 0), naming the signer', async () => {
    const out = join(dir, 'bundle.zip');
    const sketch = join(dir, 'sketch.jsonl');
    const r = await runCli([
      'export',
      casePath,
      '--out',
      out,
      '--timesketch',
      sketch,
      '--examiner',
      'Jo Reporter',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as {
      fingerprint: string;
      events: number;
      files: { name: string }[];
    };
    expect(result.events).toBe(1);
    expect(result.files.map((f) => f.name)).toEqual([
      'events.csv',
      'network.csv',
      'report.pdf',
      'findings.csv',
      'annotations.csv',
    ]);
    const line = JSON.parse(readFileSync(sketch, 'utf8').trim()) as Record<string, unknown>;
    expect(line).toMatchObject({
      datetime: '2024-05-01T01:00:00.000+00:00',
      timestamp_desc: 'Access start',
      app: 'com.tencent.xin',
    });
    // Every findings row names where its evidence comes from: the export's sha256 and lines.
    const sha = createHash('sha256')
      .update(readFileSync(join(dir, 'apr.ndjson')))
      .digest('hex');
    const findingsCsv = await withZip(out, async (zip) =>
      Buffer.from(await zip.readEntry(zip.findEntry('findings.csv')!)).toString('utf8'),
    );
    const [header, ...rows] = findingsCsv.trim().split(/\r?\n/);
    expect(header).toMatch(/,evidence,evidence_sources,evidence_locations$/);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toContain(`${sha}:line 1`);
    const pdf = await withZip(out, async (zip) =>
      Buffer.from(await zip.readEntry(zip.findEntry('report.pdf')!, { maxBytes: 1 << 26 })),
    );
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    try {
      const pdfPath = join(dir, 'report.pdf');
      writeFileSync(pdfPath, pdf);
      const text = execFileSync('pdftotext', [pdfPath, '-'], { encoding: 'utf8' });
      expect(text).toContain('Jo Reporter');
      expect(text).toContain(result.fingerprint.slice(0, 19));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      console.warn('pdftotext not found (install poppler-utils): the report text was not checked');
    }
    const v = await runCli(['verify', out, '--fingerprint', result.fingerprint]);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^ok\s+events\.csv$/m);
    expect(v.stdout).toContain(`intact: signed by ${result.fingerprint}`);
    const wrong = await runCli(['verify', out, '--fingerprint', 'abcd']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/not by the expected key abcd/);
  });

  it('fails on a damaged file and on a usage error', async () => {
    const out = join(dir, 'b.zip');
    await runCli(['export', casePath, '--out', out]);
    const bytes = readFileSync(out);
    bytes[40] = bytes[40]! ^ 0xff;
    writeFileSync(out, bytes);
    const v = await runCli(['verify', out]);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/NOT INTACT/);
    expect((await runCli(['export', casePath])).code).toBe(2);
  });

  it('adds a comparison of devices or of periods to the bundle, and refuses a malformed one', async () => {
    const b = join(dir, 'b.ndjson');
    writeFileSync(
      b,
      [0, 2]
        .flatMap((d) =>
          accessPair({
            app: 'com.tencent.xin',
            category: 'photos',
            id: `B${d}`,
            ms: Date.UTC(2024, 4, 1 + d, 1),
            durationMs: 8000,
          }),
        )
        .join('\n') + '\n',
    );
    expect((await runCli(['import', casePath, b, '--device', 'B'])).code).toBe(0);
    const read = (zipPath: string, name: string): Promise<string> =>
      withZip(zipPath, async (zip) =>
        Buffer.from(await zip.readEntry(zip.findEntry(name)!)).toString('utf8'),
      );

    const out = join(dir, 'devices.zip');
    const r = await runCli([
      'export',
      casePath,
      '--out',
      out,
      '--compare-devices',
      'A,B',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const files = (JSON.parse(r.stdout) as { files: { name: string }[] }).files.map((f) => f.name);
    expect(files).toContain('comparison.csv');
    expect(files).toContain('comparison-columns.csv');
    expect((await read(out, 'comparison.csv')).trim().split('\r\n')).toEqual([
      'app,app_name,paired_apps,category,column,device,period_from,period_to_exclusive,observed_days,sessions,sessions_per_day,night_sessions,median_seconds,longest_seconds,background_share',
      'com.tencent.xin,WeChat,com.tencent.xin,photos,A,A,,,1,1,1,1,5,5,',
      'com.tencent.xin,WeChat,com.tencent.xin,photos,B,B,,,3,2,0.67,2,8,8,',
    ]);
    const manifest = JSON.parse(await read(out, 'manifest.json')) as {
      comparison: { request: { columns: { label: string }[]; night: unknown } };
    };
    expect(manifest.comparison.request.columns.map((c) => c.label)).toEqual(['A', 'B']);
    expect((await runCli(['verify', out])).code).toBe(0);

    const periods = join(dir, 'periods.zip');
    const p = await runCli([
      'export',
      casePath,
      '--out',
      periods,
      '--compare-periods',
      'B:..2024-05-02,B:2024-05-02..2024-05-06',
      '--compare-night',
      '00:00-03:00',
    ]);
    expect(p.code).toBe(0);
    expect((await read(periods, 'comparison-columns.csv')).trim().split('\r\n').slice(1)).toEqual([
      'B:..2024-05-02,B,,2024-05-02,1,2024-05-01,2024-05-01,0,,+00:00,00:00-03:00',
      'B:2024-05-02..2024-05-06,B,2024-05-02,2024-05-06,2,2024-05-02,2024-05-03,2,2024-05-04 to 2024-05-05,+00:00,00:00-03:00',
    ]);

    const bad = (extra: string[]) =>
      runCli(['export', casePath, '--out', join(dir, 'bad.zip'), ...extra]);
    expect((await bad(['--compare-devices', 'A'])).code).toBe(2);
    expect((await bad(['--compare-devices', 'A,B', '--compare-periods', 'A:..,B:..'])).code).toBe(
      2,
    );
    expect((await bad(['--compare-night', '22:00-06:00'])).code).toBe(2);
    const reversed = await bad(['--compare-periods', 'B:2024-05-03..2024-05-01,B:..']);
    expect(reversed.code).toBe(2);
    expect(reversed.stderr).toContain('--compare-periods B:2024-05-03..2024-05-01');
    expect((await bad(['--compare-devices', 'A,Z'])).code).toBe(1);
    const many = Array.from(
      { length: 13 },
      (_, i) => `A:..2024-06-${String(i + 1).padStart(2, '0')}`,
    );
    expect((await bad(['--compare-periods', many.join(',')])).code).toBe(2);
  });

  it('reads the redaction option', () => {
    expect(parseRedact('contexts,apps:a.b,c.d')).toEqual({ contexts: true, apps: ['a.b', 'c.d'] });
    expect(parseRedact(undefined)).toEqual({ contexts: false, apps: [] });
    expect(() => parseRedact('urls')).toThrow(/expected contexts/);
  });
});
