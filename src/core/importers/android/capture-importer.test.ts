import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildZip } from '../../formats/zip/testing/write-zip';
import type { ImportRecord } from '../../model/import-records';
import {
  CAPTURE_ZONE,
  captureDumpsys,
  captureGetprop,
  writeAndroidCapture,
} from '../../testing/android-capture';
import { tempCase, type TempCase } from '../../testing/temp-case';
import { androidCaptureImporter } from './capture-importer';
import { androidDumpsysImporter } from './dumpsys-importer';
import { BATCH_RECORDS } from './read-capture';
import { inputAt, parseAll } from './testing-parse';

let t: TempCase;
beforeEach(() => {
  t = tempCase();
});
afterEach(() => t.cleanup());

const ofType = <K extends ImportRecord['type']>(
  records: readonly ImportRecord[],
  type: K,
): Extract<ImportRecord, { type: K }>[] =>
  records.filter((r): r is Extract<ImportRecord, { type: K }> => r.type === type);

/** An appops text of `n` accesses (one per package), all in the capture's zone. */
function manyAccesses(n: number): string {
  const lines = ['Current AppOps Service state:'];
  for (let i = 0; i < n; i++)
    lines.push(
      `  Uid u0a${100 + i}:`,
      `    Package com.example.app${i}:`,
      '      CAMERA (allow):',
      `          Access: [top-s] 2025-06-18 07:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000 (-1h0m0s0ms)`,
    );
  return lines.join('\n') + '\n';
}

describe('the Android capture importers', () => {
  it('give a capture folder’s phone first, then one member per file, each with the clock', async () => {
    const dir = writeAndroidCapture(join(t.dir, 'cap'));
    const sources = await parseAll(dir);
    expect(sources.map((s) => s.name)).toEqual([
      'cap',
      'appops.txt',
      'getprop.txt',
      'package.txt',
      'usagestats.txt',
    ]);
    expect(sources[0]!.records).toEqual([
      expect.objectContaining({
        type: 'device',
        identity: { column: 'serial', value: '2A281FDH300ABC' },
        facts: expect.objectContaining({ model: 'Pixel 7', time_zone: CAPTURE_ZONE, sdk: 34 }),
      }),
    ]);
    const all = sources.flatMap((s) => s.records);
    expect(ofType(all, 'access-interval')).toHaveLength(3);
    expect(ofType(all, 'reject')).toHaveLength(1);
    expect(ofType(all, 'usage')).toHaveLength(7);
    const proxied = ofType(all, 'access-interval').find((r) => r.proxy !== null)!;
    expect(proxied).toMatchObject({
      app: 'com.android.providers.contacts',
      linked: { app: 'com.google.android.gm', line: 22 },
      start: { offsetMin: 60 },
    });
    for (const s of sources.slice(1))
      expect(ofType(s.records, 'clock')).toEqual([
        expect.objectContaining({
          clock: { zone: CAPTURE_ZONE, offsets: [], source: 'device' },
          details: expect.objectContaining({
            sections: [expect.objectContaining({ origin: s.name, line: 1 })],
          }),
        }),
      ]);
  });

  it('read a bugreport zip as one source of its own, the phone before its records', async () => {
    const main = `== dumpstate: 2025-06-18 19:20:45\n${captureDumpsys()}${'-'.repeat(79)}\n------ SYSTEM PROPERTIES (getprop) ------\n${captureGetprop()}`;
    const zipPath = join(t.dir, 'bugreport.zip');
    writeFileSync(
      zipPath,
      buildZip([
        { name: 'version.txt', data: '2.0' },
        { name: 'main_entry.txt', data: 'bugreport-x.txt\n' },
        { name: 'bugreport-x.txt', data: main, method: 'deflate' },
      ]),
    );
    // The container hands the zip whole to the dumpsys importer, which stores every Android source.
    const items = [];
    for await (const batch of androidCaptureImporter.parse(await inputAt(zipPath), {
      hints: {},
      signal: new AbortController().signal,
      cache: { get: () => undefined, set: () => {} },
      onProgress: () => {},
    }))
      items.push(...batch);
    expect(items).toEqual([
      expect.objectContaining({ type: 'member', importer: androidDumpsysImporter.manifest.id }),
    ]);
    const sources = await parseAll(zipPath);
    expect(sources.map((s) => s.name)).toEqual(['bugreport.zip']);
    const records = sources[0]!.records;
    expect(records[0]).toMatchObject({ type: 'device', facts: { time_zone: CAPTURE_ZONE } });
    expect(ofType(records, 'access-interval')).toHaveLength(3);
    expect(ofType(records, 'usage')).toHaveLength(7);
    expect(ofType(records, 'clock')[0]!.details).toMatchObject({
      captureTime: { text: '2025-06-18 19:20:45' },
      sections: expect.arrayContaining([
        expect.objectContaining({ service: 'appops', origin: 'bugreport-x.txt' }),
        expect.objectContaining({ service: 'getprop', origin: 'bugreport-x.txt' }),
      ]),
    });
  });

  it('hand records on in batches of about a thousand, never a whole file at once', async () => {
    const path = join(t.dir, 'appops.txt');
    writeFileSync(path, manyAccesses(5_000));
    const [source] = await parseAll(path, { importer: androidDumpsysImporter, timeZone: 'UTC' });
    expect(ofType(source!.records, 'access-interval')).toHaveLength(5_000);
    // A batch is taken once it holds a thousand records, at the end of a line batch.
    expect(source!.largestBatch).toBeLessThan(BATCH_RECORDS * 2);
    expect(source!.largestBatch).toBeGreaterThan(1);
  });

  it('stop reading when the parse is left early', async () => {
    const path = join(t.dir, 'appops.txt');
    writeFileSync(path, manyAccesses(20_000));
    const parse = androidDumpsysImporter.parse(await inputAt(path), {
      timeZone: 'UTC',
      hints: {},
      signal: new AbortController().signal,
      cache: { get: () => undefined, set: () => {} },
      onProgress: () => {},
    });
    let records = 0;
    for await (const batch of parse) {
      records += batch.filter((r) => r.type === 'access-interval').length;
      if (records > 0) break;
    }
    expect(records).toBeGreaterThan(0);
    expect(records).toBeLessThan(20_000);
  });

  it('link a proxied access whichever of its two lines comes first', async () => {
    const blamed = [
      '  Uid u0a60:',
      '    Package com.android.providers.contacts:',
      '      READ_CONTACTS (allow):',
      '          Access: [fg-upd] 2025-06-18 12:05:36.918 (-7h15m8s82ms) proxy[uid=10187, pkg=com.google.android.gm, attributionTag=null]',
    ];
    const proxy = [
      '  Uid u0a187:',
      '    Package com.google.android.gm:',
      '      READ_CONTACTS (allow):',
      '          Access: [fg-up] 2025-06-18 12:05:36.918 (-7h15m8s82ms)',
    ];
    for (const [name, order] of [
      ['blamed-first.txt', [...blamed, ...proxy]],
      ['proxy-first.txt', [...proxy, ...blamed]],
    ] as const) {
      const path = join(t.dir, name);
      writeFileSync(path, ['Current AppOps Service state:', ...order, ''].join('\n'));
      const [source] = await parseAll(path, { importer: androidDumpsysImporter, timeZone: 'UTC' });
      const accesses = ofType(source!.records, 'access-interval');
      expect(accesses.map((a) => [a.app, a.linked?.app ?? null])).toEqual([
        ['com.android.providers.contacts', 'com.google.android.gm'],
      ]);
    }
  });

  it('ask for the phone’s zone when nothing places the capture’s times', async () => {
    const dir = writeAndroidCapture(join(t.dir, 'cap'), { zone: null });
    await expect(parseAll(dir)).rejects.toMatchObject({ code: 'TIMEZONE_REQUIRED' });
    const sources = await parseAll(dir, { timeZone: 'Europe/Berlin' });
    expect(sources[0]!.records[0]).toMatchObject({ facts: { time_zone: 'Europe/Berlin' } });
  });

  it('sniff capture folders and zips, and leave other inputs alone', () => {
    const folder = (entries: string[]) =>
      androidCaptureImporter.sniff({ kind: 'folder', name: 'x', entries }).confidence;
    expect(folder(['capture.json', 'appops.txt'])).toBeGreaterThan(0.9);
    expect(folder(['acquisition.json'])).toBeGreaterThan(0.8);
    expect(folder(['Manifest.db', 'Info.plist'])).toBe(0);
    expect(folder(['a.ndjson'])).toBe(0);
    const file = (head: string, name = 'x.zip') =>
      androidCaptureImporter.sniff({
        kind: 'file',
        name,
        size: head.length,
        head: Buffer.from(head, 'latin1'),
      }).confidence;
    expect(file('PK\x03\x04....version.txt')).toBeGreaterThan(0.8);
    expect(file('PK\x03\x04....report.csv')).toBeLessThan(0.25);
    expect(file('{"type":"access"}', 'a.ndjson')).toBe(0);
    const text = (head: string) =>
      androidDumpsysImporter.sniff({
        kind: 'file',
        name: 'x.txt',
        size: head.length,
        head: Buffer.from(head),
      }).confidence;
    expect(text('Current AppOps Service state:\n  Uid u0a1:\n')).toBeGreaterThan(0.8);
    expect(text('These are my notes.\n')).toBe(0);
  });
});

describe('a capture folder with a subfolder', () => {
  it('reads only its own files', async () => {
    const dir = writeAndroidCapture(join(t.dir, 'cap'));
    mkdirSync(join(dir, 'nested'));
    writeFileSync(join(dir, 'nested', 'appops.txt'), manyAccesses(3));
    const sources = await parseAll(dir);
    expect(sources.map((s) => s.name)).not.toContain('nested/appops.txt');
  });
});
