import { generateKeyPairSync } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withZip } from '../formats/zip';
import { buildZip } from '../formats/zip/testing/write-zip';
import { importFile } from '../services/import-run';
import { accessPair, networkLine } from '../testing/apr-fixture';
import { tempCase, type TempCase } from '../testing/temp-case';
import { exportBundle } from './export-bundle';
import { installationKey, normaliseFingerprint } from './signing-key';
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

/** Every entry of a zip, as name → bytes. */
async function entries(path: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  await withZip(path, async (zip) => {
    for (const e of zip.entries)
      out.set(e.name, Buffer.from(await zip.readEntry(e, { maxBytes: 1 << 26 })));
  });
  return out;
}

/** Writes a zip from entries (deflated). */
function rezip(path: string, files: Map<string, Buffer>): string {
  writeFileSync(
    path,
    buildZip([...files].map(([name, data]) => ({ name, data, method: 'deflate' as const }))),
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
    const files = await entries(out);
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
    const files = await entries(out);
    const all = [...files.values()].map((b) => b.toString('utf8')).join('\n');
    expect(all).not.toContain('com.tencent.xin');
    expect(all).not.toContain('secret.example');
    expect(files.get('events.csv')!.toString('utf8')).toContain('redacted-app-1');
  });

  it('names what was tampered with: a changed byte, an added file, a removed file, an edited manifest, another signer', async () => {
    const key = installationKey(join(t.dir, 'user'));
    const out = join(t.dir, 'b.zip');
    await exportBundle(t.session, { out, filter: {}, version: '1', key });
    const files = await entries(out);

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
