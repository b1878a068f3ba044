import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildZip, writeZipFile } from '../../formats/zip/testing/write-zip';
import { AndroidInputError, readAndroidInput } from './input';

// Hand-written outputs in the Android 14 shapes of android-sources.md (illustrative values).
const RULE = '-'.repeat(79);
const APPOPS = [
  'Current AppOps Service state:',
  '  Uid u0a245:',
  '    Package com.example.social:',
  '      READ_MEDIA_IMAGES (allow): ',
  '        null=[',
  '          Access: [bg-s] 2025-06-18 07:41:07.412 (-11h39m37s717ms)',
  '        ]',
].join('\n');
const USAGESTATS = [
  'user=0',
  '  Last 24 hour events (timeRange="17/6/2025, 7:20 p. m. – 18/6/2025, 7:20 p. m." )',
  '    time="2025-06-18 07:40:36" type=DEVICE_STARTUP package=android flags=0x0',
].join('\n');
const PACKAGE = [
  'Database versions:',
  '  Internal:',
  'Packages:',
  '  Package [com.example.social] (1a2b3c):',
  '    userId=10245',
].join('\n');
const GETPROP = [
  '[persist.sys.timezone]: [Europe/Lisbon]',
  '[ro.build.fingerprint]: [examplebrand/exampleproduct/exampledevice:14/UP1A.231005.007/1:user/release-keys]',
  '[ro.build.version.release]: [14]',
  '[ro.build.version.sdk]: [34]',
  '[ro.product.manufacturer]: [ExampleBrand]',
  '[ro.product.model]: [Example 1]',
].join('\n');

function dumpsys(services: [string, string][], at = '2025-06-18 19:20:47'): string {
  const out = ['Currently running services:', ...services.map(([n]) => `  ${n}`)];
  for (const [name, body] of services) {
    out.push(RULE, `DUMP OF SERVICE ${name}:`, body);
    out.push(`--------- 0.050s was the duration of dumpsys ${name}, ending at: ${at}`);
  }
  return out.join('\n') + '\n';
}

const MAIN = [
  '========================================================',
  '== dumpstate: 2025-06-18 19:20:45',
  '========================================================',
  '',
  'Build: UP1A.231005.007',
  'Bootloader: EX1234',
  '------ SYSTEM PROPERTIES (getprop) ------',
  GETPROP,
  "------ 0.034s was the duration of 'SYSTEM PROPERTIES' ------",
  '------ DUMPSYS (/system/bin/dumpsys) ------',
  dumpsys([
    ['appops', APPOPS],
    ['cpuinfo', 'Load: 1.0'],
    ['package', PACKAGE],
    ['usagestats', USAGESTATS],
    ['netstats', 'Active interfaces:'],
  ]).trimEnd(),
  "------ 2.5s was the duration of 'DUMPSYS' ------",
].join('\n');

const sha = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
const size = (data: string) => Buffer.byteLength(data);

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'android-input-test-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
let n = 0;
async function folder(files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = join(root, `d${++n}`);
  await mkdir(dir);
  for (const [name, data] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), data);
  }
  return dir;
}

async function rejection(p: Promise<unknown>): Promise<AndroidInputError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AndroidInputError);
    return err as AndroidInputError;
  }
  throw new Error('expected an AndroidInputError');
}

const MAIN_NAME = 'bugreport-UP1A.231005.007-2025-06-18-19-20-45.txt';

describe('readAndroidInput: bugreport zip', () => {
  it('reads the main text named by main_entry.txt and records every file read', async () => {
    const dir = await folder({});
    const zipPath = await writeZipFile(dir, 'bugreport.zip', [
      { name: 'version.txt', data: '2.0', method: 'store' },
      { name: 'main_entry.txt', data: `${MAIN_NAME}\n` },
      { name: MAIN_NAME, data: MAIN },
      { name: 'FS/data/anr/anr_2025-06-18', data: 'anr' },
      { name: '../evil.txt', data: 'x' },
    ]);
    const zipBytes = await readFile(zipPath);
    const input = await readAndroidInput(zipPath);
    expect(input.kind).toBe('bugreport');
    expect(input.files).toEqual([
      { name: 'bugreport.zip', size: zipBytes.length, sha256: sha(zipBytes) },
      { name: 'main_entry.txt', size: MAIN_NAME.length + 1, sha256: sha(`${MAIN_NAME}\n`) },
      { name: MAIN_NAME, size: size(MAIN), sha256: sha(MAIN) },
    ]);
    expect(input.sections.map((s) => [s.service, s.origin, s.startLine])).toEqual([
      ['getprop', MAIN_NAME, 8],
      ['appops', MAIN_NAME, 24],
      ['package', MAIN_NAME, 38],
      ['usagestats', MAIN_NAME, 46],
      ['netstats', MAIN_NAME, 52],
    ]);
    const mainLines = MAIN.split('\n');
    for (const s of input.sections) {
      expect(s.text.split('\n')).toEqual(
        mainLines.slice(s.startLine - 1, s.startLine - 1 + s.text.split('\n').length),
      );
    }
    expect(input.sections.find((s) => s.service === 'appops')!.text).toBe(APPOPS);
    expect(input.sections.find((s) => s.service === 'getprop')!.text).toBe(GETPROP);
    expect(input.sections.find((s) => s.service === 'appops')!.endedAt).toBe('2025-06-18 19:20:47');
    expect(input.found).toEqual(['getprop', 'appops', 'package', 'usagestats', 'netstats']);
    expect(input.missing).toEqual([]);
    expect(input.captureTime).toEqual({
      text: '2025-06-18 19:20:45',
      source: `${MAIN_NAME} line 2: dumpstate header`,
    });
    expect(input.header).toMatchObject({ build: 'UP1A.231005.007', bootloader: 'EX1234' });
    expect(input.properties).toEqual({
      sdk: '34',
      release: '14',
      fingerprint:
        'examplebrand/exampleproduct/exampledevice:14/UP1A.231005.007/1:user/release-keys',
      manufacturer: 'ExampleBrand',
      model: 'Example 1',
      timeZone: 'Europe/Lisbon',
    });
    expect(input.ignored).toEqual([
      'version.txt',
      'FS/data/anr/anr_2025-06-18',
      '../evil.txt (the name climbs out of the archive with "..")',
    ]);
    expect(input.problems).toEqual([
      'bugreport.zip: The entry "../evil.txt" has an unsafe name: the name climbs out of the archive with "..".',
    ]);
    // Nothing was written beside the evidence.
    expect(await readdir(dir)).toEqual(['bugreport.zip']);
  });

  it('takes a bugreport-*.txt entry when main_entry.txt names a missing entry', async () => {
    const dir = await folder({});
    const path = await writeZipFile(dir, 'br.zip', [
      { name: 'version.txt', data: '2.0' },
      { name: 'main_entry.txt', data: 'gone.txt' },
      { name: MAIN_NAME, data: MAIN },
    ]);
    const input = await readAndroidInput(path);
    expect(input.kind).toBe('bugreport');
    expect(input.sections).toHaveLength(5);
    expect(input.problems).toEqual([
      'main_entry.txt names "gone.txt", which is not an entry of the archive.',
    ]);
  });

  it('takes the first entry of a zip without version.txt when it is a main text', async () => {
    const dir = await folder({});
    const path = await writeZipFile(dir, 'old.zip', [
      { name: 'dumpstate-2016.txt', data: MAIN },
      { name: 'other.txt', data: 'x' },
    ]);
    const input = await readAndroidInput(path);
    expect(input.kind).toBe('bugreport');
    expect(input.found).toEqual(['getprop', 'appops', 'package', 'usagestats', 'netstats']);
    expect(input.problems).toEqual([
      'old.zip has no version.txt or main_entry.txt; its first entry "dumpstate-2016.txt" was taken as the main text.',
    ]);
  });

  it('reports repeated sections of one service', async () => {
    const text = dumpsys([
      ['appops', APPOPS],
      ['appops', APPOPS],
    ]);
    const dir = await folder({});
    const path = await writeZipFile(dir, 'br.zip', [
      { name: 'version.txt', data: '2.0' },
      { name: 'main_entry.txt', data: 'main.txt' },
      { name: 'main.txt', data: text },
    ]);
    const input = await readAndroidInput(path);
    expect(input.sections.map((s) => s.service)).toEqual(['appops', 'appops']);
    expect(input.problems).toEqual([
      'main.txt holds 2 "appops" sections (headers on lines 5, 15); all are kept.',
    ]);
  });

  it('refuses an encrypted main text', async () => {
    const dir = await folder({});
    const path = await writeZipFile(dir, 'enc.zip', [
      { name: 'version.txt', data: '2.0' },
      { name: 'main_entry.txt', data: 'main.txt' },
      { name: 'main.txt', data: MAIN, flags: 1 },
    ]);
    const err = await rejection(readAndroidInput(path));
    expect(err.message).toBe(
      'The main text "main.txt" cannot be read: the entry is encrypted; encrypted ZIP entries are not read.',
    );
  });

  it('names what an unknown zip holds', async () => {
    const dir = await folder({});
    const path = await writeZipFile(dir, 'photos.zip', [
      { name: 'a.jpg', data: '\xff\xd8' },
      { name: 'b.jpg', data: '\xff\xd8' },
    ]);
    const err = await rejection(readAndroidInput(path));
    expect(err.message).toMatch(
      /^photos\.zip is a ZIP archive with 2 entries \(a\.jpg, b\.jpg\) but neither a bugreport/,
    );
  });

  it('turns a damaged archive into an AndroidInputError', async () => {
    const dir = await folder({});
    const full = buildZip([{ name: 'main_entry.txt', data: 'x' }]);
    await writeFile(join(dir, 'cut.zip'), full.subarray(0, full.length - 10));
    const err = await rejection(readAndroidInput(join(dir, 'cut.zip')));
    expect(err.message).toMatch(/^cut\.zip: .*truncated/);
  });
});

describe('readAndroidInput: AndroidQF', () => {
  const acquisition = JSON.stringify({
    uuid: '6b0e9d2c-0000-4000-8000-000000000000',
    androidqf_version: 'v1.8.3',
    started: '2025-06-18T19:18:02.5+01:00',
    completed: '2025-06-18T19:25:40.1+01:00',
  });
  const packagesJson = JSON.stringify([{ name: 'com.example.social', installer: 'null' }]);

  it('reads an AndroidQF zip under a <UUID>/ prefix and dates it from acquisition.json', async () => {
    const dir = await folder({});
    const uuid = '6b0e9d2c-0000-4000-8000-000000000000';
    const dump = dumpsys([
      ['appops', APPOPS],
      ['usagestats', USAGESTATS],
      ['package', PACKAGE],
    ]);
    const path = await writeZipFile(dir, `${uuid}.zip`, [
      { name: `${uuid}/`, data: '', method: 'store' },
      { name: `${uuid}/acquisition.json`, data: acquisition },
      { name: `${uuid}/dumpsys.txt`, data: dump },
      { name: `${uuid}/getprop.txt`, data: GETPROP + '\n' },
      { name: `${uuid}/packages.json`, data: packagesJson },
      { name: `${uuid}/settings_secure.txt`, data: 'location_mode=3\n' },
      { name: `${uuid}/logcat.txt`, data: 'log' },
    ]);
    const input = await readAndroidInput(path);
    expect(input.kind).toBe('androidqf-zip');
    expect(input.files.map((f) => f.name)).toEqual([
      `${uuid}.zip`,
      `${uuid}/acquisition.json`,
      `${uuid}/dumpsys.txt`,
      `${uuid}/getprop.txt`,
      `${uuid}/packages.json`,
      `${uuid}/settings_secure.txt`,
    ]);
    expect(input.files[2]).toEqual({
      name: `${uuid}/dumpsys.txt`,
      size: size(dump),
      sha256: sha(dump),
    });
    expect(input.sections.map((s) => [s.service, s.startLine])).toEqual([
      ['acquisition', 1],
      ['appops', 7],
      ['usagestats', 17],
      ['package', 23],
      ['getprop', 1],
      ['packages-json', 1],
      ['settings:secure', 1],
    ]);
    expect(input.sections.find((s) => s.service === 'packages-json')!.text).toBe(packagesJson);
    expect(input.sections.find((s) => s.service === 'settings:secure')!.text).toBe(
      'location_mode=3',
    );
    expect(input.missing).toEqual([]);
    expect(input.captureTime).toEqual({
      text: '2025-06-18T19:25:40.1+01:00',
      source: `${uuid}/acquisition.json: completed`,
    });
    expect(input.properties.timeZone).toBe('Europe/Lisbon');
    expect(input.ignored).toEqual([`${uuid}/logcat.txt`]);
    expect(input.problems).toEqual([]);
  });

  it('refuses an age-encrypted AndroidQF archive by name and by content', async () => {
    const dir = await folder({
      'x.zip.age': 'age-encryption.org/v1\n-> X25519 abc\n',
      'renamed.bin': 'age-encryption.org/v1\n-> X25519 abc\n',
    });
    for (const name of ['x.zip.age', 'renamed.bin']) {
      const err = await rejection(readAndroidInput(join(dir, name)));
      expect(err.message).toMatch(new RegExp(`^${name.replace('.', '\\.')} is encrypted with age`));
      expect(err.message).toMatch(/age private key/);
    }
  });

  it('reads an AndroidQF folder and takes missing services from its bugreport.zip', async () => {
    const dir = await folder({
      'acquisition.json': acquisition,
      'dumpsys.txt': dumpsys([['appops', APPOPS]]),
      'getprop.txt': GETPROP,
      'packages.json': packagesJson,
      'backup.ab': 'ANDROID BACKUP\n5\n1\nnone\n',
      'apks/base.apk': 'PK',
    });
    const br = buildZip([
      { name: 'version.txt', data: '2.0' },
      { name: 'main_entry.txt', data: MAIN_NAME },
      { name: MAIN_NAME, data: MAIN },
    ]);
    await writeFile(join(dir, 'bugreport.zip'), br);
    const before = await snapshot(dir);
    const input = await readAndroidInput(dir);
    expect(input.kind).toBe('androidqf-folder');
    expect(input.sections.map((s) => [s.service, s.origin])).toEqual([
      ['acquisition', 'acquisition.json'],
      ['appops', 'dumpsys.txt'],
      ['getprop', 'getprop.txt'],
      ['packages-json', 'packages.json'],
      ['package', `bugreport.zip!/${MAIN_NAME}`],
      ['usagestats', `bugreport.zip!/${MAIN_NAME}`],
      ['netstats', `bugreport.zip!/${MAIN_NAME}`],
    ]);
    expect(input.files.map((f) => f.name)).toEqual([
      'acquisition.json',
      'dumpsys.txt',
      'getprop.txt',
      'packages.json',
      'bugreport.zip',
      'bugreport.zip!/main_entry.txt',
      `bugreport.zip!/${MAIN_NAME}`,
    ]);
    expect(input.files[4]!.sha256).toBe(sha(br));
    expect(input.captureTime?.source).toBe('acquisition.json: completed');
    expect(input.header?.dumpstateTime).toBe('2025-06-18 19:20:45');
    expect(input.ignored).toEqual(['apks/', 'backup.ab']);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('keeps an invalid packages.json as a section of its own without failing', async () => {
    const dir = await folder({ 'packages.json': '[{"name": ', 'dumpsys.txt': dumpsys([]) });
    const input = await readAndroidInput(dir);
    expect(input.kind).toBe('androidqf-folder');
    // The importer warns on packages.json's own source; the reader does not repeat it.
    expect(input.problems).toEqual([]);
    expect(input.sections.map((s) => [s.service, s.origin, s.text])).toEqual([
      ['packages-json', 'packages.json', '[{"name": '],
    ]);
    expect(input.missing).toEqual(['appops', 'usagestats', 'package', 'getprop']);
    expect(input.captureTime).toBeNull();
  });
});

describe('readAndroidInput: plain outputs', () => {
  it('reads a folder of plain outputs by content, whatever the names', async () => {
    const dir = await folder({
      'ops.txt': APPOPS + '\n',
      'usage.txt': USAGESTATS.replace(/\n/g, '\r\n'),
      'props.txt': GETPROP,
      'ps.txt': 'USER PID PPID VSZ RSS WCHAN ADDR S NAME\n',
      'notes.md': 'notes',
    });
    const before = await snapshot(dir);
    const input = await readAndroidInput(dir);
    expect(input.kind).toBe('dumpsys-folder');
    expect(input.sections.map((s) => [s.service, s.origin])).toEqual([
      ['appops', 'ops.txt'],
      ['getprop', 'props.txt'],
      ['usagestats', 'usage.txt'],
    ]);
    expect(input.sections[2]!.text).toBe(USAGESTATS);
    // Hashed as stored: the CRLF bytes, not the text handed on.
    expect(input.files.find((f) => f.name === 'usage.txt')!.sha256).toBe(
      sha(USAGESTATS.replace(/\n/g, '\r\n')),
    );
    expect(input.missing).toEqual(['package']);
    expect(input.ignored).toEqual(['notes.md', 'ps.txt']);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('reads one plain file', async () => {
    const dir = await folder({ 'dumpsys_package.txt': PACKAGE });
    const input = await readAndroidInput(join(dir, 'dumpsys_package.txt'));
    expect(input.kind).toBe('file');
    expect(input.sections).toEqual([
      {
        service: 'package',
        text: PACKAGE,
        origin: 'dumpsys_package.txt',
        startLine: 1,
        endedAt: null,
      },
    ]);
    expect(input.files).toEqual([
      { name: 'dumpsys_package.txt', size: size(PACKAGE), sha256: sha(PACKAGE) },
    ]);
  });

  it('reads a whole dumpsys text saved as one file and dates it from the appops end line', async () => {
    const dir = await folder({
      'dumpsys.log': dumpsys([
        ['package', PACKAGE],
        ['appops', APPOPS],
      ]),
    });
    const input = await readAndroidInput(join(dir, 'dumpsys.log'));
    expect(input.kind).toBe('file');
    expect(input.found).toEqual(['package', 'appops']);
    expect(input.captureTime).toEqual({
      text: '2025-06-18 19:20:47',
      source: 'dumpsys.log line 21: end line of dumpsys appops',
    });
  });

  it('names what an unknown file or folder looks like', async () => {
    const dir = await folder({ 'backup.ab': 'ANDROID BACKUP\n5\n1\nnone\n', 'x.json': '{}' });
    expect((await rejection(readAndroidInput(join(dir, 'backup.ab')))).message).toBe(
      'backup.ab looks like an Android backup (.ab), not a bugreport, AndroidQF output or dumpsys appops/usagestats/package or getprop output.',
    );
    expect((await rejection(readAndroidInput(dir))).message).toMatch(
      /is a folder with 2 entries \(backup\.ab, x\.json\); none is a bugreport/,
    );
    expect((await rejection(readAndroidInput(join(dir, 'absent.txt')))).message).toMatch(
      /absent\.txt cannot be opened: ENOENT/,
    );
  });

  it('stops with a clear error beyond the section text bound', async () => {
    const dir = await folder({ 'dumpsys.txt': dumpsys([['appops', APPOPS]]) });
    const err = await rejection(readAndroidInput(dir, { maxSectionChars: 100 }));
    expect(err.message).toMatch(/exceeds 100 characters/);
    const input = await readAndroidInput(dir, { services: ['usagestats'], maxSectionChars: 100 });
    expect(input.sections).toEqual([]);
  });
});

// Names, sizes and modification times of every file under a folder.
async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const p = join(e.parentPath, e.name);
    const s = await stat(p);
    out.push(`${p} ${s.size} ${s.mtimeMs}`);
  }
  return out.sort();
}
