import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openZip } from '../../formats/zip/index';
import { writeZipFile } from '../../formats/zip/testing/write-zip';
import { sharedFixtures } from '../../testing/shared-fixtures';
import { AndroidInputError, readAndroidInput } from './input';

// Real third-party data (MVT tests/artifacts), read in place and never copied into the project
// (fixtures README). The fixture folders are read-only; a test that needs a bugreport *zip*
// builds one in a private temporary folder and removes it.
const dir = sharedFixtures('android');

const sha256 = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

describe.skipIf(dir === null)('conformance: reading real Android inputs (MVT)', () => {
  const at = (p: string) => join(dir!, p);

  it('reads the extracted bugreport: appops and package, timed by the appops end line', async () => {
    const input = await readAndroidInput(at('android_data/bugreport'));
    expect(input.kind).toBe('bugreport-folder');
    expect(input.files).toEqual([
      {
        name: 'main_entry.txt',
        size: 14,
        sha256: await sha256(at('android_data/bugreport/main_entry.txt')),
      },
      {
        name: 'dumpstate.txt',
        size: 14_011,
        sha256: await sha256(at('android_data/bugreport/dumpstate.txt')),
      },
    ]);
    expect(input.sections.map((s) => [s.service, s.origin, s.startLine, s.endedAt])).toEqual([
      ['appops', 'dumpstate.txt', 20, '2022-03-29 23:14:27'],
      // Its end line names dumpsys appops: not taken as the package dump's end.
      ['package', 'dumpstate.txt', 130, null],
    ]);
    expect(input.found).toEqual(['appops', 'package']);
    expect(input.missing).toEqual(['usagestats', 'getprop']);
    expect(input.captureTime).toEqual({
      text: '2022-03-29 23:14:27',
      source: 'dumpstate.txt line 121: end line of dumpsys appops',
    });
    expect(input.header).toBeNull();
    expect(input.ignored).toEqual(['FS/']);
    expect(input.problems).toHaveLength(3);
    expect(input.problems[0]).toBe(
      'The bugreport has no version.txt; main_entry.txt was followed anyway.',
    );
  });

  it('reads the same bugreport once zipped, hashing each entry as stored', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'snoopscope-conformance-'));
    try {
      const read = (p: string) => readFile(at(`android_data/bugreport/${p}`));
      const zipPath = await writeZipFile(tmp, 'bugreport.zip', [
        { name: 'version.txt', data: '2.0', method: 'store' },
        { name: 'main_entry.txt', data: await read('main_entry.txt') },
        { name: 'dumpstate.txt', data: await read('dumpstate.txt') },
        {
          name: 'FS/data/tombstones/tombstone_00',
          data: await read('FS/data/tombstones/tombstone_00'),
        },
        {
          name: 'FS/data/tombstones/tombstone_01',
          data: await read('FS/data/tombstones/tombstone_01'),
        },
      ]);
      const input = await readAndroidInput(zipPath);
      expect(input.kind).toBe('bugreport');
      expect(input.files.slice(1)).toEqual([
        {
          name: 'main_entry.txt',
          size: 14,
          sha256: await sha256(at('android_data/bugreport/main_entry.txt')),
        },
        {
          name: 'dumpstate.txt',
          size: 14_011,
          sha256: await sha256(at('android_data/bugreport/dumpstate.txt')),
        },
      ]);
      expect(input.sections.map((s) => [s.service, s.startLine])).toEqual([
        ['appops', 20],
        ['package', 130],
      ]);
      expect(input.ignored).toEqual([
        'version.txt',
        'FS/data/tombstones/tombstone_00',
        'FS/data/tombstones/tombstone_01',
      ]);
      // Same problems as the folder, less the missing version.txt.
      expect(input.problems).toHaveLength(2);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('reads the AndroidQF folder: dumpsys.txt, getprop.txt, packages.json, settings', async () => {
    const before = await readdir(at('androidqf'));
    const input = await readAndroidInput(at('androidqf'));
    expect(input.kind).toBe('androidqf-folder');
    expect(input.files.map((f) => [f.name, f.size])).toEqual([
      ['dumpsys.txt', 21_246],
      ['getprop.txt', 377],
      ['packages.json', 11_359],
      ['settings_random.txt', 279],
    ]);
    expect(input.files[0]!.sha256).toBe(await sha256(at('androidqf/dumpsys.txt')));
    expect(input.sections.map((s) => [s.service, s.origin, s.startLine])).toEqual([
      ['package', 'dumpsys.txt', 53],
      ['appops', 'dumpsys.txt', 151],
      ['batterystats', 'dumpsys.txt', 294],
      ['getprop', 'getprop.txt', 1],
      ['packages-json', 'packages.json', 1],
      ['settings:random', 'settings_random.txt', 1],
    ]);
    const packages = JSON.parse(
      input.sections.find((s) => s.service === 'packages-json')!.text,
    ) as { name: string }[];
    expect(packages).toHaveLength(7);
    expect(packages[0]!.name).toBe('com.whatsapp');
    expect(input.missing).toEqual(['usagestats']);
    // No acquisition.json here; the package dump's end line is the only time printed.
    expect(input.captureTime).toEqual({
      text: '2022-01-28 17:37:43',
      source: 'dumpsys.txt line 148: end line of dumpsys package',
    });
    // The trimmed getprop holds no build or zone: unknown, never guessed.
    expect(input.properties).toEqual({
      sdk: null,
      release: null,
      fingerprint: null,
      manufacturer: null,
      model: null,
      timeZone: null,
    });
    expect(input.ignored).toEqual(['backup.ab', 'files.json', 'ps.txt', 'root_binaries.json']);
    expect(input.problems).toEqual([]);
    expect(await readdir(at('androidqf'))).toEqual(before);
  });

  it('reads androidqf.zip: one getprop.txt under a folder prefix', async () => {
    const input = await readAndroidInput(at('androidqf.zip'));
    expect(input.kind).toBe('androidqf-zip');
    expect(input.files).toEqual([
      { name: 'androidqf.zip', size: 492, sha256: await sha256(at('androidqf.zip')) },
      // The same bytes as androidqf/getprop.txt.
      {
        name: 'androidqfzip/getprop.txt',
        size: 377,
        sha256: await sha256(at('androidqf/getprop.txt')),
      },
    ]);
    expect(input.sections.map((s) => [s.service, s.origin])).toEqual([
      ['getprop', 'androidqfzip/getprop.txt'],
    ]);
    expect(input.sections[0]!.text.split('\n').filter((l) => l.startsWith('['))).toHaveLength(10);
    expect(input.missing).toEqual(['appops', 'usagestats', 'package']);
    expect(input.captureTime).toBeNull();

    const zip = await openZip(at('androidqf.zip'));
    try {
      expect(
        zip.entries.map((e) => [e.name, e.method, e.compressedSize, e.uncompressedSize]),
      ).toEqual([
        ['androidqfzip/', 0, 0, 0],
        ['androidqfzip/getprop.txt', 8, 172, 377],
      ]);
      expect(zip.entries[1]!.crc32).toBe(0x39ba62d1);
    } finally {
      await zip.close();
    }
  });

  it('reads android_data as a folder of plain outputs, recognised by content', async () => {
    const input = await readAndroidInput(at('android_data'));
    expect(input.kind).toBe('dumpsys-folder');
    expect(input.sections.map((s) => [s.service, s.origin])).toEqual([
      ['appops', 'dumpsys_appops.txt'],
      ['batterystats', 'dumpsys_battery.txt'],
      ['package', 'dumpsys_packages.txt'],
      ['getprop', 'getprop.txt'],
    ]);
    expect(input.missing).toEqual(['usagestats']);
    expect(input.ignored).toContain('ps.txt');
    expect(input.ignored).toContain('bugreport/');
    expect(input.ignored).toContain('dumpsys_adb.txt (dumpsys adb: no section needed)');
  });

  it('reads one plain file and refuses what is not an Android input', async () => {
    const input = await readAndroidInput(at('android_data/dumpsys_appops.txt'));
    expect(input.kind).toBe('file');
    expect(input.sections).toHaveLength(1);
    expect(input.sections[0]!.text.split('\n')).toHaveLength(
      (await readFile(at('android_data/dumpsys_appops.txt'), 'utf8')).trimEnd().split('\n').length,
    );
    await expect(readAndroidInput(at('android_data/ps.txt'))).rejects.toThrow(
      new AndroidInputError(
        'ps.txt looks like plain text, not a bugreport, AndroidQF output or dumpsys appops/usagestats/package or getprop output.',
      ),
    );
    await expect(readAndroidInput(at('android_backup/backup.ab'))).rejects.toThrow(
      /^backup\.ab looks like an Android backup \(\.ab\)/,
    );
  });
});
