import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildZip } from '../formats/zip/testing/write-zip';
import { setPairing } from '../services/compare-request';
import { importFile } from '../services/import-run';
import { accessPair, networkLine } from '../testing/apr-fixture';
import { tempCase, type TempCase } from '../testing/temp-case';
import { zipEntries } from '../testing/zip-entries';
import {
  COMPARISON_COLUMNS_CSV_COLUMNS,
  COMPARISON_CSV_COLUMNS,
  missingRanges,
} from './comparison';
import { exportBundle } from './export-bundle';
import { installationKey, normaliseFingerprint } from './signing-key';
import { exportWithComparison } from './testing/export-comparison';
import { verifyBundle } from './verify-bundle';

let t: TempCase;
beforeEach(async () => {
  t = tempCase();
  const lines = [
    ...accessPair({
      app: 'com.tencent.xin',
      category: 'photos',
      id: 'A1',
      ms: Date.UTC(2024, 4, 1, 1),
      durationMs: 5000,
    }),
    ...accessPair({
      app: 'com.example.maps',
      category: 'location',
      id: 'A2',
      ms: Date.UTC(2024, 4, 1, 9),
      durationMs: 1000,
    }),
    networkLine({
      app: 'com.tencent.xin',
      domain: 'example.com',
      context: 'https://secret.example/page',
      firstMs: Date.UTC(2024, 4, 1),
      lastMs: Date.UTC(2024, 4, 1, 2),
    }),
  ];
  await importFile({ db: t.session.db, path: t.write('apr.ndjson', lines), deviceId: t.deviceId });
});
afterEach(() => t.cleanup());

/** Writes a zip from entries (deflated), each with the export instant its manifest states. */
function rezip(path: string, files: Map<string, Buffer>): string {
  const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as {
    exportedAt: string;
  };
  writeFileSync(
    path,
    buildZip(
      [...files].map(([name, data]) => ({ name, data, method: 'deflate' as const })),
      { modified: new Date(manifest.exportedAt) },
    ),
  );
  return path;
}

describe('evidence bundles', () => {
  it('writes the CSVs and a signed manifest that verifies, with identifiers masked', async () => {
    const key = installationKey(join(t.dir, 'user'));
    const out = join(t.dir, 'bundle.zip');
    const r = await exportBundle(t.session, { out, filter: {}, version: '1.2.3', key });
    expect(r.events).toBe(2);
    expect(r.files.map((f) => f.name)).toEqual(['events.csv', 'network.csv']);
    const files = await zipEntries(out);
    expect([...files.keys()]).toEqual([
      'events.csv',
      'network.csv',
      'manifest.json',
      'manifest.sig',
      'signer.pub.pem',
    ]);
    const events = files.get('events.csv')!.toString('utf8').trim().split('\n');
    expect(events[0]).toMatch(/^id,device,app,/);
    expect(events).toHaveLength(3);
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as {
      tool: { version: string };
      files: { name: string; sha256: string }[];
      sources: { sha256: string }[];
      signer: { fingerprint: string };
      audit: { check: { intact: boolean }; entries: unknown[] };
    };
    expect(manifest.tool.version).toBe('1.2.3');
    expect(manifest.files.map((f) => f.name)).toEqual(['events.csv', 'network.csv']);
    expect(manifest.sources).toHaveLength(1);
    expect(manifest.audit.check.intact).toBe(true);
    expect(manifest.signer.fingerprint).toBe(key.fingerprint);
    const check = await verifyBundle(out, key.fingerprint.replace(/ /g, ':').toUpperCase());
    expect(check).toMatchObject({ ok: true, problems: [] });
    expect(normaliseFingerprint(check.fingerprint!)).toBe(normaliseFingerprint(key.fingerprint));
    // The same installation key is reused.
    expect(installationKey(join(t.dir, 'user')).fingerprint).toBe(key.fingerprint);
    await expect(
      exportBundle(t.session, { out, filter: {}, version: '1', key }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('redacts contexts and chosen apps', async () => {
    const out = join(t.dir, 'r.zip');
    await exportBundle(t.session, {
      out,
      filter: {},
      version: '1',
      key: installationKey(join(t.dir, 'user')),
      redact: { contexts: true, apps: ['com.tencent.xin'] },
    });
    const files = await zipEntries(out);
    const all = [...files.values()].map((b) => b.toString('utf8')).join('\n');
    expect(all).not.toContain('com.tencent.xin');
    expect(all).not.toContain('secret.example');
    expect(files.get('events.csv')!.toString('utf8')).toContain('redacted-app-1');
  });

  it('names what was tampered with: a changed byte, an added file, a removed file, an edited manifest, another signer', async () => {
    const key = installationKey(join(t.dir, 'user'));
    const out = join(t.dir, 'b.zip');
    await exportBundle(t.session, { out, filter: {}, version: '1', key });
    const files = await zipEntries(out);

    const changed = new Map(files);
    const csv = Buffer.from(changed.get('events.csv')!);
    csv[csv.length - 2] = csv[csv.length - 2]! ^ 1;
    changed.set('events.csv', csv);
    const c1 = await verifyBundle(rezip(join(t.dir, 't1.zip'), changed));
    expect(c1.ok).toBe(false);
    expect(c1.problems).toEqual([expect.stringMatching(/^events\.csv was changed/)]);

    const added = new Map(files).set('extra.txt', Buffer.from('hello'));
    expect((await verifyBundle(rezip(join(t.dir, 't2.zip'), added))).problems).toEqual([
      expect.stringMatching(/^extra\.txt is in the bundle but not in the manifest/),
    ]);

    const removed = new Map(files);
    removed.delete('network.csv');
    expect((await verifyBundle(rezip(join(t.dir, 't3.zip'), removed))).problems).toEqual([
      expect.stringMatching(/^network\.csv is listed in the manifest but missing/),
    ]);

    const edited = new Map(files);
    edited.set(
      'manifest.json',
      Buffer.from(files.get('manifest.json')!.toString('utf8').replace('"1"', '"2"')),
    );
    expect((await verifyBundle(rezip(join(t.dir, 't4.zip'), edited))).problems).toEqual([
      expect.stringMatching(/^manifest\.json does not match its signature/),
    ]);

    const other = generateKeyPairSync('ed25519');
    const resigned = new Map(files);
    resigned.set(
      'signer.pub.pem',
      Buffer.from(other.publicKey.export({ format: 'pem', type: 'spki' }).toString()),
    );
    const c5 = await verifyBundle(rezip(join(t.dir, 't5.zip'), resigned), key.fingerprint);
    expect(c5.problems.join(' ')).toMatch(/does not match its signature/);
    expect(c5.problems.join(' ')).toMatch(/not by the expected key/);
    expect(existsSync(join(t.dir, 'b.zip.partial'))).toBe(false);
  });
});

const DAY = Date.UTC(2024, 4, 1);

/** WeChat photo reads on the given days after 2024-05-01: `perDay` a day at 01:00, 06:00, 11:00… UTC, 10 s, 20 s, 30 s… long. */
function wechat(name: string, days: number[], perDay: number): string[] {
  return days.flatMap((d) =>
    Array.from({ length: perDay }, (_, i) =>
      accessPair({
        app: 'com.tencent.xin',
        category: 'photos',
        id: `${name}-${d}-${i}`,
        ms: DAY + d * 86_400_000 + (1 + i * 5) * 3_600_000,
        durationMs: 10_000 * (i + 1),
        offsetMin: 0,
      }),
    ).flat(),
  );
}

/** CSV text → rows of cells (the comparison files quote nothing in these cases). */
function table(text: string): string[][] {
  return text
    .trim()
    .split('\r\n')
    .map((l) => l.split(','));
}

function pdfText(pdf: Buffer, dir: string): string | null {
  if (spawnSync('pdftotext', ['-v'], { stdio: 'ignore' }).error !== undefined) {
    console.warn('pdftotext not found (install poppler-utils): the report text was not checked');
    return null;
  }
  const file = join(dir, 'report-check.pdf');
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
}

describe('evidence bundles with a comparison', () => {
  let deviceB: number;
  beforeEach(async () => {
    // Phone A: the first case's two sessions on 2024-05-01 plus 3 WeChat reads a day on 05-01..05-04.
    await importFile({
      db: t.session.db,
      path: t.write('a.ndjson', wechat('a', [0, 1, 2, 3], 3)),
      deviceId: t.deviceId,
    });
    // Phone B: two exports, 05-01 and 05-04; 05-02 and 05-03 have no data.
    deviceB = t.session.createDevice({ label: 'Phone B', platform: 'ios' }).id;
    for (const [name, day] of [
      ['b1', 0],
      ['b2', 3],
    ] as const)
      await importFile({
        db: t.session.db,
        path: t.write(`${name}.ndjson`, wechat(name, [day], 1)),
        deviceId: deviceB,
      });
  });

  const request = () => ({
    columns: [
      { label: 'A', deviceId: t.deviceId },
      { label: 'B', deviceId: deviceB },
    ],
  });

  it('writes comparison.csv and comparison-columns.csv, hashed and signed, with the request in the manifest', async () => {
    const key = installationKey(join(t.dir, 'user'));
    const out = join(t.dir, 'c.zip');
    const comparison = request();
    const r = await exportWithComparison(t.session, { out, key, comparison });
    expect(r.files.map((f) => f.name)).toEqual([
      'events.csv',
      'network.csv',
      'report.pdf',
      'findings.csv',
      'annotations.csv',
      'comparison.csv',
      'comparison-columns.csv',
    ]);
    const files = await zipEntries(out);

    const [header, ...rows] = table(files.get('comparison.csv')!.toString('utf8'));
    expect(header).toEqual([...COMPARISON_CSV_COLUMNS]);
    // One line per app × category × column; empty cells where the data cannot give a value. The
    // app's name comes from the built-in catalog; an unknown app has none.
    expect(rows).toEqual([
      // prettier-ignore
      ['com.example.maps', '', 'com.example.maps', 'location', 'A', 'Phone A', '', '', '4', '1', '0.25', '0', '1', '1', ''],
      // prettier-ignore
      ['com.example.maps', '', 'com.example.maps', 'location', 'B', 'Phone B', '', '', '2', '0', '0', '0', '', '', ''],
      // prettier-ignore
      ['com.tencent.xin', 'WeChat', 'com.tencent.xin', 'photos', 'A', 'Phone A', '', '', '4', '13', '3.25', '5', '20', '30', ''],
      // prettier-ignore
      ['com.tencent.xin', 'WeChat', 'com.tencent.xin', 'photos', 'B', 'Phone B', '', '', '2', '2', '1', '2', '10', '10', ''],
    ]);

    const [colHeader, ...cols] = table(files.get('comparison-columns.csv')!.toString('utf8'));
    expect(colHeader).toEqual([...COMPARISON_COLUMNS_CSV_COLUMNS]);
    expect(cols).toEqual([
      ['A', 'Phone A', '', '', '4', '2024-05-01', '2024-05-04', '0', '', '+00:00', '00:00-06:00'],
      // prettier-ignore
      ['B', 'Phone B', '', '', '2', '2024-05-01', '2024-05-04', '2', '2024-05-02 to 2024-05-03', '+00:00', '00:00-06:00'],
    ]);

    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as {
      files: { name: string; sha256: string }[];
      comparison: unknown;
    };
    for (const name of ['comparison.csv', 'comparison-columns.csv'])
      expect(manifest.files.find((f) => f.name === name)?.sha256).toBe(
        createHash('sha256').update(files.get(name)!).digest('hex'),
      );
    expect(manifest.comparison).toEqual({
      request: { ...comparison, night: { from: '00:00', to: '06:00' } },
      devices: [
        { column: 'A', deviceId: t.deviceId, device: 'Phone A' },
        { column: 'B', deviceId: deviceB, device: 'Phone B' },
      ],
      pairings: [],
      files: ['comparison.csv', 'comparison-columns.csv'],
    });
    expect(await verifyBundle(out, key.fingerprint)).toMatchObject({ ok: true, problems: [] });

    const tampered = new Map(files);
    tampered.set(
      'comparison.csv',
      Buffer.from(files.get('comparison.csv')!.toString('utf8').replace(',3.25,', ',0.25,')),
    );
    const check = await verifyBundle(rezip(join(t.dir, 'tampered.zip'), tampered));
    expect(check.ok).toBe(false);
    expect(check.problems).toEqual([expect.stringMatching(/^comparison\.csv was changed/)]);
    expect(check.files.find((f) => f.name === 'comparison.csv')?.status).toBe('changed');

    const text = pdfText(files.get('report.pdf')!, t.dir);
    if (text !== null) {
      expect(text).toContain('Comparison');
      expect(text).toContain('What was compared');
      expect(text.replace(/\s+/g, ' ')).toContain(
        'Days without data are not counted as days without activity',
      );
      expect(text).toContain('2024-05-02 to 2024-05-03');
      expect(text).toContain('com.tencent.xin');
    }
  });

  it('writes the comparison files itself when the extras do not hold them, and periods as asked', async () => {
    const out = join(t.dir, 'p.zip');
    const comparison = {
      columns: [
        { label: 'early', deviceId: t.deviceId, to: '2024-05-03' },
        { label: 'late', deviceId: t.deviceId, from: '2024-05-03', to: '2024-05-10' },
      ],
      night: { from: '22:00', to: '02:00' },
    };
    const r = await exportBundle(t.session, {
      out,
      filter: {},
      version: '1',
      key: installationKey(join(t.dir, 'user')),
      comparison,
    });
    expect(r.files.map((f) => f.name)).toEqual([
      'events.csv',
      'network.csv',
      'comparison.csv',
      'comparison-columns.csv',
    ]);
    const files = await zipEntries(out);
    const [, ...cols] = table(files.get('comparison-columns.csv')!.toString('utf8'));
    expect(cols).toEqual([
      // An open start spans from the first observed day.
      [
        'early',
        'Phone A',
        '',
        '2024-05-03',
        '2',
        '2024-05-01',
        '2024-05-02',
        '0',
        '',
        '+00:00',
        '22:00-02:00',
      ],
      // A bounded period counts its days after the data as no data.
      // prettier-ignore
      ['late', 'Phone A', '2024-05-03', '2024-05-10', '2', '2024-05-03', '2024-05-04', '5', '2024-05-05 to 2024-05-09', '+00:00', '22:00-02:00'],
    ]);
    const [, ...rows] = table(files.get('comparison.csv')!.toString('utf8'));
    const wechatRows = rows.filter((row) => row[0] === 'com.tencent.xin');
    expect(wechatRows.map((row) => [row[4], row[6], row[7], row[8], row[9], row[10]])).toEqual([
      ['early', '', '2024-05-03', '2', '7', '3.5'],
      ['late', '2024-05-03', '2024-05-10', '2', '6', '3'],
    ]);
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as {
      comparison: { request: unknown };
    };
    expect(manifest.comparison.request).toEqual(comparison);
    expect((await verifyBundle(out)).ok).toBe(true);
  });

  it('replaces redacted apps in the comparison files, the manifest and the report', async () => {
    // A pairing puts the redacted identifier in another app's row, where it must be hidden too.
    setPairing(t.session.db, 'com.tencent.xin', 'com.tencent.mm', false);
    const key = installationKey(join(t.dir, 'user'));
    const out = join(t.dir, 'r.zip');
    const comparison = request();
    const redaction = { contexts: false, apps: ['com.tencent.xin'] };
    await exportWithComparison(t.session, { out, key, comparison, redaction });
    const files = await zipEntries(out);
    const csv = files.get('comparison.csv')!.toString('utf8');
    expect(csv).not.toContain('com.tencent.xin');
    // The Android counterpart's catalog name is the redacted app's name, so it is withheld too.
    expect(csv).not.toContain('WeChat');
    expect(csv).toContain('com.tencent.mm,redacted-app-1,com.tencent.mm;redacted-app-1,photos,A');
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as {
      comparison: { pairings: unknown };
    };
    expect(manifest.comparison.pairings).toEqual([{ a: 'com.tencent.mm', b: 'redacted-app-1' }]);
    const text = pdfText(files.get('report.pdf')!, t.dir);
    if (text !== null) {
      expect(text).toContain('Comparison');
      expect(text).not.toContain('com.tencent.xin');
      expect(text).toContain('redacted-app-1');
    }
  });

  it('masks a device identifier quoted in a column label unless unmasked', async () => {
    t.session.db.prepare('UPDATE devices SET serial = ? WHERE id = ?').run('F2LXK9QX7Z', deviceB);
    const comparison = {
      columns: [
        { label: 'A', deviceId: t.deviceId },
        { label: 'F2LXK9QX7Z', deviceId: deviceB },
      ],
    };
    const key = installationKey(join(t.dir, 'user'));
    const labels = async (unmask: boolean): Promise<string[]> => {
      const out = join(t.dir, `m-${unmask}.zip`);
      await exportBundle(t.session, { out, filter: {}, version: '1', key, comparison, unmask });
      const files = await zipEntries(out);
      const cols = table(files.get('comparison-columns.csv')!.toString('utf8'));
      const manifest = files.get('manifest.json')!.toString('utf8');
      expect(manifest.includes('F2LXK9QX7Z')).toBe(unmask);
      return cols.slice(1).map((c) => c[0]!);
    };
    expect(await labels(false)).toEqual(['A', '••••••QX7Z']);
    expect(await labels(true)).toEqual(['A', 'F2LXK9QX7Z']);
  });

  it('refuses comparison files without the request the manifest records', async () => {
    await expect(
      exportBundle(t.session, {
        out: join(t.dir, 'x.zip'),
        filter: {},
        version: '1',
        key: installationKey(join(t.dir, 'user')),
        extra: [{ name: 'comparison.csv', content: 'app\r\n' }],
      }),
    ).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(existsSync(join(t.dir, 'x.zip'))).toBe(false);
  });
});

describe('missingRanges', () => {
  it('lists the runs of days without data inside a span', () => {
    expect(missingRanges([3, 4, 7], 1, 9)).toEqual([
      { first: 1, last: 2 },
      { first: 5, last: 6 },
      { first: 8, last: 9 },
    ]);
    expect(missingRanges([1, 2, 3], 1, 3)).toEqual([]);
    expect(missingRanges([], 5, 5)).toEqual([{ first: 5, last: 5 }]);
    expect(missingRanges([0, 10], 2, 8)).toEqual([{ first: 2, last: 8 }]);
  });
});
