import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withZip } from '../formats/zip';
import { unsafeNameReason } from '../formats/zip/reader';
import { importFile } from '../services/import-run';
import { accessPair } from '../testing/apr-fixture';
import { tempCase, type TempCase } from '../testing/temp-case';
import { exportBundle, sourceEntryName } from './export-bundle';
import { installationKey } from './signing-key';
import { verifyBundle } from './verify-bundle';

// Source file names come from the evidence and from other systems: a case may hold names the
// strict zip check refuses. Copying such sources must give each a safe entry name, keep the
// original name in the manifest, and leave a bundle that verifies.

const NAMES = [
  'C:\\evidence\\App_Privacy_Report.ndjson',
  'apr\u0000hidden.ndjson',
  '..',
  '/etc/passwd',
  'Report.ndjson',
  'report.ndjson',
  'line\r\nbreak\u202egpj.exe',
];

let t: TempCase;
const paths = new Map<number, string>();
beforeEach(async () => {
  t = tempCase();
  for (const [i, name] of NAMES.entries()) {
    const path = t.write(
      `source-${i}.ndjson`,
      accessPair({
        app: `com.example.app${i}`,
        category: 'camera',
        id: `A${i}`,
        ms: Date.UTC(2024, 4, 1, i),
        durationMs: 1000,
      }),
    );
    const r = await importFile({ db: t.session.db, path, deviceId: t.deviceId });
    expect(r.status).toBe('imported');
    t.session.db.prepare('UPDATE sources SET file_name = ? WHERE id = ?').run(name, r.sourceId);
    paths.set(r.sourceId!, path);
  }
});
afterEach(() => t.cleanup());

describe('copies of sources with names the zip check refuses', () => {
  it('get safe entry names, keep their original names in the manifest, and verify', async () => {
    const out = join(t.dir, 'bundle.zip');
    const key = installationKey(join(t.dir, 'user'));
    const r = await exportBundle(t.session, {
      out,
      filter: {},
      version: '1.0.0',
      key,
      includeSources: true,
    });
    const copies = r.files.filter((f) => f.name.startsWith('sources/')).map((f) => f.name);
    const ids = [...paths.keys()];
    expect(copies).toEqual([
      `sources/${ids[0]}-C__evidence_App_Privacy_Report.ndjson`,
      `sources/${ids[1]}-apr_hidden.ndjson`,
      `sources/${ids[2]}-..`,
      `sources/${ids[3]}-passwd`,
      `sources/${ids[4]}-Report.ndjson`,
      `sources/${ids[5]}-report.ndjson`,
      `sources/${ids[6]}-line__break_gpj.exe`,
    ]);
    for (const name of copies) expect(unsafeNameReason(name), name).toBeNull();

    const check = await verifyBundle(out, key.fingerprint);
    expect(check.problems).toEqual([]);
    expect(check.ok).toBe(true);

    const { manifestText, bytes } = await withZip(out, async (zip) => {
      const read = async (name: string): Promise<Buffer> =>
        Buffer.from(await zip.readEntry(zip.entries.find((e) => e.name === name)!));
      const bytes = new Map<string, Buffer>();
      for (const name of copies) bytes.set(name, await read(name));
      return { manifestText: (await read('manifest.json')).toString('utf8'), bytes };
    });
    const manifest = JSON.parse(manifestText) as {
      sources: { id: number; name: string; sha256: string; entry?: string }[];
    };
    expect(manifest.sources.map((s) => s.name)).toEqual(NAMES);
    expect(manifest.sources.map((s) => s.entry)).toEqual(copies);
    // JSON's own escapes carry the names: a NUL and a backslash as \u0000 and \\.
    expect(manifestText).toContain('"name": "apr\\u0000hidden.ndjson"');
    expect(manifestText).toContain('"name": "C:\\\\evidence\\\\App_Privacy_Report.ndjson"');
    // Each copy is its source, byte for byte.
    for (const s of manifest.sources) {
      const copy = bytes.get(s.entry!)!;
      expect(copy.equals(readFileSync(paths.get(s.id)!))).toBe(true);
      expect(createHash('sha256').update(copy).digest('hex')).toBe(s.sha256);
    }

    // Python extracts every copy as its own file inside the target folder (the twins too, on a
    // file system that tells letter case apart).
    const target = join(t.dir, 'extracted');
    mkdirSync(target);
    const py = spawnSync('python3', [
      '-c',
      'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])',
      out,
      target,
    ]);
    if (py.error) console.warn('python3 not found: extraction was not checked');
    else {
      expect(py.status, py.stderr.toString()).toBe(0);
      expect(readdirSync(join(target, 'sources')).sort()).toEqual(
        copies.map((c) => c.slice('sources/'.length)).sort(),
      );
    }
  });
});

describe('sourceEntryName', () => {
  it('keeps an ordinary name and replaces only what is unsafe', () => {
    expect(sourceEntryName(3, 'App_Privacy_Report_v4_2024-05-08.ndjson')).toBe(
      'sources/3-App_Privacy_Report_v4_2024-05-08.ndjson',
    );
    expect(sourceEntryName(3, 'Manifest.db')).toBe('sources/3-Manifest.db');
    expect(sourceEntryName(3, 'a/b/c.txt')).toBe('sources/3-c.txt');
    expect(sourceEntryName(3, 'dir/')).toBe('sources/3-dir');
    expect(sourceEntryName(3, '/')).toBe('sources/3');
    expect(sourceEntryName(3, '')).toBe('sources/3');
    expect(sourceEntryName(3, '.')).toBe('sources/3-.');
    expect(sourceEntryName(3, 'a:b*c?"<>|.txt')).toBe('sources/3-a_b_c_____.txt');
    expect(sourceEntryName(3, 'x\ud800y')).toBe('sources/3-x_y');
    expect(sourceEntryName(3, '微信 😀.db')).toBe('sources/3-微信 😀.db');
  });

  it('cuts a long name at 150 bytes without splitting a character', () => {
    const name = sourceEntryName(9, `${'é'.repeat(100)}.db`);
    const part = name.slice('sources/9-'.length);
    expect(Buffer.byteLength(part, 'utf8')).toBe(150);
    expect(part).toBe('é'.repeat(75));
    expect(Buffer.byteLength(sourceEntryName(9, '😀'.repeat(100)).slice(10))).toBe(148);
  });
});
