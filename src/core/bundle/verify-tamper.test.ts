import { spawnSync } from 'node:child_process';
import { createHash, createPublicKey, sign, verify } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/test-support';
import { withZip } from '../formats/zip';
import { buildZip, type TestZipEntry, type TestZipOptions } from '../formats/zip/testing/write-zip';
import { importFile } from '../services/import-run';
import { accessPair, networkLine } from '../testing/apr-fixture';
import { tempCase, type TempCase } from '../testing/temp-case';
import { exportBundle } from './export-bundle';
import { fingerprint, signBytes, type SigningKey } from './signing-key';
import {
  attackableEd25519,
  der,
  explicitEcKeyEndingIn,
  oldFingerprint,
  pem,
  rsaKeyEndingIn,
  type ForgedKey,
} from './testing/forge-keys';
import { verifyBundle } from './verify-bundle';

// Each attack on an evidence bundle, built byte by byte from a real exported bundle: verify
// (the core call and the CLI) must refuse it and name the reason.

let t: TempCase;
let examiner: SigningKey;
let examinerRaw: Buffer;
let bundlePath: string;
/** The exported bundle's entries in order, as name and bytes. */
let original: [string, Buffer][];
let counter = 0;

beforeAll(async () => {
  t = tempCase();
  const lines = [
    ...accessPair({
      app: 'com.example.chat',
      category: 'camera',
      id: 'A1',
      ms: Date.UTC(2024, 4, 1, 23),
      durationMs: 60_000,
    }),
    networkLine({
      app: 'com.example.chat',
      domain: 'tracker.example',
      firstMs: Date.UTC(2024, 4, 1),
      lastMs: Date.UTC(2024, 4, 1, 2),
    }),
  ];
  await importFile({ db: t.session.db, path: t.write('apr.ndjson', lines), deviceId: t.deviceId });
  const pair = attackableEd25519();
  examinerRaw = pair.raw;
  examiner = {
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    publicPem: pair.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    fingerprint: fingerprint(pair.publicKey),
  };
  bundlePath = join(t.dir, 'bundle.zip');
  await exportBundle(t.session, { out: bundlePath, filter: {}, version: '1.0.0', key: examiner });
  original = await withZip(bundlePath, async (zip) => {
    const out: [string, Buffer][] = [];
    for (const e of zip.entries) out.push([e.name, Buffer.from(await zip.readEntry(e))]);
    return out;
  });
});
afterAll(() => t.cleanup());

function file(name: string): Buffer {
  const found = original.find(([n]) => n === name);
  if (!found) throw new Error(`no ${name} in the bundle`);
  return found[1];
}

/** The events.csv an attacker wants read instead: the camera session moved to the afternoon. */
function forgedEvents(): Buffer {
  const text = file('events.csv').toString('utf8');
  const forged = text.replace(/T23:00:00/g, 'T14:00:00');
  expect(forged).not.toBe(text);
  return Buffer.from(forged, 'utf8');
}

/** The bundle's entries for the test writer, with changes to some of them. */
function entries(changes: Record<string, Partial<TestZipEntry>> = {}): TestZipEntry[] {
  return original.map(([name, data]) => ({ name, data, ...changes[name] }));
}

function save(bytes: Uint8Array): string {
  const path = join(t.dir, `tampered-${++counter}.zip`);
  writeFileSync(path, bytes);
  return path;
}

/** The export instant the signed manifest states, which every entry carries as its time. */
function exportedAt(): Date {
  return new Date(
    (JSON.parse(file('manifest.json').toString('utf8')) as { exportedAt: string }).exportedAt,
  );
}

function zipOf(list: TestZipEntry[], options?: TestZipOptions): string {
  return save(buildZip(list, { modified: exportedAt(), ...options }));
}

/** Verify and the CLI both refuse the bundle, naming `reason`. */
async function expectRefused(path: string, reason: RegExp, fp?: string): Promise<void> {
  const check = await verifyBundle(path, fp);
  expect(check.ok, check.problems.join('\n')).toBe(false);
  expect(check.problems).toContainEqual(expect.stringMatching(reason));
  const cli = await runCli(['verify', path, ...(fp ? ['--fingerprint', fp] : [])]);
  expect(cli.code).toBe(1);
  expect(cli.stdout).toMatch(/NOT INTACT/);
  const said = cli.stderr.split('\n').map((l) => l.replace(/^snoopscope: /, ''));
  expect(said).toContainEqual(expect.stringMatching(reason));
  const json = await runCli(['verify', path, '--json']);
  expect(json.code).toBe(1);
  expect((JSON.parse(json.stdout) as { ok: boolean }).ok).toBe(false);
}

/** What Python's zipfile extracts under `name`, or null when python3 is absent. */
function pythonReads(path: string, name: string): Buffer | null {
  const r = spawnSync(
    'python3',
    [
      '-c',
      'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))',
      path,
      name,
    ],
    { maxBuffer: 1 << 26 },
  );
  if (r.error) {
    console.warn('python3 not found: what Python extracts was not checked');
    return null;
  }
  expect(r.status, r.stderr.toString()).toBe(0);
  return r.stdout;
}

/** What Info-ZIP unzip prints for `name`, or null when unzip is absent. */
function unzipReads(path: string, name: string): Buffer | null {
  const r = spawnSync('unzip', ['-p', path, name], { maxBuffer: 1 << 26 });
  if (r.error) {
    console.warn('unzip not found: what unzip extracts was not checked');
    return null;
  }
  return r.stdout;
}

describe('the exported bundle and its rebuilt copy', () => {
  it('verify as intact, so every failure below comes from the one defect built into it', async () => {
    const real = await verifyBundle(bundlePath, examiner.fingerprint);
    expect(real).toMatchObject({ ok: true, problems: [], fingerprint: examiner.fingerprint });
    const rebuilt = await verifyBundle(zipOf(entries()), examiner.fingerprint);
    expect(rebuilt).toMatchObject({ ok: true, problems: [] });
    for (const [name] of original) {
      if (name === 'manifest.json' || name === 'manifest.sig' || name === 'signer.pub.pem')
        continue;
      expect(real.files).toContainEqual({ name, status: 'ok' });
    }
  });
});

describe('forged signer keys', () => {
  /** The bundle with events.csv forged, the manifest updated and re-signed by `key`. */
  function resigned(key: ForgedKey): { path: string; manifest: Buffer; sig: Buffer } {
    const events = forgedEvents();
    const manifest = JSON.parse(file('manifest.json').toString('utf8')) as {
      files: { name: string; size: number; sha256: string }[];
    };
    for (const f of manifest.files)
      if (f.name === 'events.csv') {
        f.sha256 = createHash('sha256').update(events).digest('hex');
        f.size = events.length;
      }
    const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2) + '\n');
    const sig = sign(null, manifestBytes, key.privateKey);
    const path = zipOf(
      entries({
        'events.csv': { data: events },
        'manifest.json': { data: manifestBytes },
        'manifest.sig': { data: sig.toString('base64') + '\n' },
        'signer.pub.pem': { data: key.publicPem },
      }),
    );
    return { path, manifest: manifestBytes, sig };
  }

  it.each([
    ['an RSA key whose public exponent ends in the examiner key', 'RSA', rsaKeyEndingIn],
    [
      'an EC key with explicit curve parameters whose point is the examiner key',
      'EC \\(elliptic-curve\\)',
      explicitEcKeyEndingIn,
    ],
  ] as const)(
    'refuses %s by its type, before its bytes are used',
    async (_what, typeName, forge) => {
      const key = forge(examinerRaw);
      const { path, manifest, sig } = resigned(key);
      // The attack is real: the key's DER ends in the examiner's key, so the old fingerprint
      // (SHA-256 of the last 32 bytes) is the examiner's, and the forged signature verifies.
      expect(key.der.subarray(-32).equals(examinerRaw)).toBe(true);
      const pub = createPublicKey(key.publicPem);
      expect(oldFingerprint(pub)).toBe(examiner.fingerprint);
      expect(verify(null, manifest, pub, sig)).toBe(true);

      const check = await verifyBundle(path, examiner.fingerprint);
      expect(check.ok).toBe(false);
      expect(check.fingerprint).toBeNull();
      const reason = new RegExp(
        `^signer\\.pub\\.pem holds an? ${typeName} key; Snoopscope bundles are signed with Ed25519 only\\.$`,
      );
      expect(check.problems[0]).toMatch(reason);
      expect(check.problems).not.toContainEqual(
        expect.stringMatching(/does not match its signature/),
      );
      await expectRefused(path, reason, examiner.fingerprint);
    },
  );

  it('refuses a private key, a certificate, two blocks, text around the key and other encodings of an Ed25519 key', async () => {
    const examinerDer = examiner.publicKey.export({ format: 'der', type: 'spki' });
    const privatePem = examiner.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    // The same key, DER with a long-form length: BER that some parsers accept.
    const longForm = Buffer.concat([Buffer.from([0x30, 0x81, 0x2a]), examinerDer.subarray(2)]);
    // The same 32 bytes inside an SPKI that carries parameters after the OID.
    const withParams = der(
      0x30,
      der(0x30, der(0x06, Buffer.from('2b6570', 'hex')), der(0x05)),
      der(0x03, Buffer.from([0]), examinerRaw),
    );
    const cases: [string, RegExp][] = [
      [privatePem, /holds a private key, not a public key/],
      [pem('CERTIFICATE', examinerDer), /holds a certificate/],
      [examiner.publicPem + examiner.publicPem, /holds 2 PEM blocks/],
      [examiner.publicPem + privatePem, /holds 2 PEM blocks \(PUBLIC KEY, PRIVATE KEY\)/],
      [`Signed by the examiner\n${examiner.publicPem}`, /text outside its PUBLIC KEY block/],
      [pem('PUBLIC KEY', longForm), /Ed25519 key in a non-standard encoding/],
      [pem('PUBLIC KEY', withParams), /Ed25519 key in a non-standard encoding/],
      ['not a key at all\n', /holds no PEM block/],
    ];
    for (const [text, reason] of cases) {
      const path = zipOf(entries({ 'signer.pub.pem': { data: text } }));
      const check = await verifyBundle(path, examiner.fingerprint);
      expect(check.fingerprint, text).toBeNull();
      await expectRefused(path, reason, examiner.fingerprint);
    }
  });

  it('refuses a signature that is not 64 bytes of canonical base64', async () => {
    const sig = file('manifest.sig').toString('utf8').trim();
    // The last digit before "==" carries 4 unused bits: flipping one keeps the signature bytes.
    const digits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const last = digits[digits.indexOf(sig.at(-3)!) ^ 1]!;
    const loose = `${sig.slice(0, -3)}${last}==`;
    expect(Buffer.from(loose, 'base64').equals(Buffer.from(sig, 'base64'))).toBe(true);
    for (const text of [`${sig}\n\n`, ` ${sig}`, loose, `${sig}AAAA`]) {
      const path = zipOf(entries({ 'manifest.sig': { data: text } }));
      await expectRefused(
        path,
        /manifest\.sig does not hold an Ed25519 signature|does not match its signature/,
      );
    }
  });

  it('refuses a manifest that names another signer than the key it carries', async () => {
    const other = attackableEd25519();
    const manifest = JSON.parse(file('manifest.json').toString('utf8')) as {
      signer: { fingerprint: string };
    };
    manifest.signer.fingerprint = fingerprint(other.publicKey);
    const bytes = Buffer.from(JSON.stringify(manifest, null, 2) + '\n');
    const path = zipOf(
      entries({
        'manifest.json': { data: bytes },
        'manifest.sig': { data: signBytes(examiner, bytes) + '\n' },
      }),
    );
    await expectRefused(path, /manifest\.json names the signer .* but the bundle carries the key/);
  });
});

describe('a zip that means one thing to every reader', () => {
  it('refuses a duplicate entry name (Python extracts the second copy)', async () => {
    const forged = forgedEvents();
    const path = zipOf([...entries(), { name: 'events.csv', data: forged }]);
    const py = pythonReads(path, 'events.csv');
    if (py) expect(py.equals(forged)).toBe(true);
    await expectRefused(path, /The name "events\.csv" appears 2 times in the archive/);
    const check = await verifyBundle(path);
    expect(check.files).toContainEqual({ name: 'events.csv', status: 'ambiguous' });
  });

  it('refuses a second central directory hidden in the zip comment (read by unzip and Python)', async () => {
    const real = buildZip(entries());
    const forged = buildZip(entries({ 'events.csv': { data: forgedEvents() } }));
    // The real end record's comment holds a whole forged zip and one more byte: this reader's
    // end record reaches the end of the file, the forged one (the last signature) does not.
    const end = Buffer.from(real.subarray(real.length - 22));
    end.writeUInt16LE(forged.length + 1, 20);
    const path = save(
      Buffer.concat([real.subarray(0, real.length - 22), end, forged, Buffer.from([0])]),
    );
    const py = pythonReads(path, 'events.csv');
    if (py) expect(py.equals(forgedEvents())).toBe(true);
    const unzip = unzipReads(path, 'events.csv');
    if (unzip) expect(unzip.equals(forgedEvents())).toBe(true);
    await expectRefused(
      path,
      /The archive carries a comment of \d+ bytes; a bundle's comment is empty/,
    );
  });

  it('refuses any comment, and bytes before the first entry or after the end record', async () => {
    await expectRefused(
      zipOf(entries(), { comment: 'hello' }),
      /The archive carries a comment of 5 bytes/,
    );
    await expectRefused(
      zipOf(entries(), { prefix: Buffer.alloc(100, 0x41) }),
      /The archive starts with 100 bytes before its first entry/,
    );
    await expectRefused(
      zipOf(entries(), { trailing: Buffer.from('appended') }),
      /8 bytes follow the end of central directory record/,
    );
  });

  it('refuses gaps and overlaps: the entries must tile the file up to the central directory', async () => {
    await expectRefused(
      zipOf(entries({ 'network.csv': { gapBefore: Buffer.alloc(7) } })),
      /7 bytes between the entries "events\.csv" and "network\.csv" belong to no entry/,
    );
    await expectRefused(
      zipOf(entries(), { beforeCentral: Buffer.alloc(9) }),
      /9 bytes between the last entry "signer\.pub\.pem" and the central directory belong to no entry/,
    );
    await expectRefused(
      zipOf(entries(), { afterCentral: Buffer.alloc(11) }),
      /11 bytes between the central directory and its end record belong to no entry/,
    );
    // network.csv declared to start 10 bytes into events.csv.
    const list = entries();
    const overlapping = buildZip(list);
    const offsets = await withZip(save(overlapping), async (zip) =>
      zip.entries.map((e) => e.localHeaderOffset),
    );
    list[1] = { ...list[1]!, declaredOffset: offsets[0]! + 10 };
    await expectRefused(zipOf(list), /starts inside the entry "events\.csv"|overlaps/);
  });

  it('refuses local headers that disagree with the central directory', async () => {
    const cases: [Partial<TestZipEntry>, RegExp][] = [
      [{ localName: 'evil.csv' }, /names another file \("evil\.csv"\)/],
      [{ local: { method: 0 } }, /gives compression method 0, the central directory 8/],
      [{ local: { flags: 0x0800 | 0x0002 } }, /gives flags 0x0802, the central directory 0x0800/],
      [{ local: { crc: 0x12345678 } }, /gives CRC-32 12345678/],
      [{ local: { size: 1 } }, /gives uncompressed size 1/],
      [{ local: { compressedSize: 3 } }, /gives compressed size 3/],
      [{ local: { versionNeeded: 45 } }, /gives version needed 45/],
      [{ local: { time: 0x1234 } }, /another modification time/],
    ];
    for (const [change, reason] of cases)
      await expectRefused(zipOf(entries({ 'events.csv': change })), reason);
  });

  it('refuses data descriptors that disagree or cannot be found, and deflate data that goes on past its end', async () => {
    const content = file('events.csv');
    const wrong = Buffer.alloc(16);
    wrong.writeUInt32LE(0x08074b50, 0);
    wrong.writeUInt32LE(1, 4);
    await expectRefused(
      zipOf(entries({ 'events.csv': { descriptorBytes: wrong } })),
      /The data descriptor of "events\.csv" gives another CRC-32 or size/,
    );
    await expectRefused(
      zipOf(entries({ 'events.csv': { method: 'store', descriptor: true } })),
      /"events\.csv" is stored with a data descriptor/,
    );
    // Bytes after the end of the deflate stream, inside the declared compressed size.
    await expectRefused(
      zipOf(
        entries({
          'events.csv': {
            rawData: Buffer.concat([deflateRawSync(content), Buffer.from('PK\x07\x08hidden')]),
          },
        }),
      ),
      /goes on for 10 bytes past the end of its deflate stream/,
    );
    // Python ignores the hidden bytes: the same content, another file.
  });

  it('refuses names that one file system takes for one file, folders, links and unsafe names', async () => {
    const more = (extra: TestZipEntry): string => zipOf([...entries(), extra]);
    await expectRefused(
      more({ name: 'Events.csv', data: forgedEvents() }),
      /The names "events\.csv" and "Events\.csv" differ only in letter case or Unicode form/,
    );
    await expectRefused(
      zipOf([
        ...entries(),
        { name: 'caf\u00e9.csv', data: 'a' },
        { name: 'cafe\u0301.csv', data: 'b' },
      ]),
      /differ only in letter case or Unicode form/,
    );
    await expectRefused(
      more({ name: 'events.csv/x.csv', data: 'x' }),
      /The entry "events\.csv" is a file, yet "events\.csv\/x\.csv" needs it as a folder/,
    );
    await expectRefused(more({ name: 'extra/', data: '' }), /folder entry "extra\/"/);
    await expectRefused(more({ name: '../evil.csv', data: 'x' }), /unsafe name: the name climbs/);
    await expectRefused(
      zipOf(entries({ 'events.csv': { externalAttributes: 0xa1ff0000 } })),
      /"events\.csv" is marked as a symbolic link/,
    );
    await expectRefused(
      zipOf(entries({ 'events.csv': { externalAttributes: 0x10 } })),
      /"events\.csv" is marked as a folder/,
    );
    await expectRefused(
      zipOf(entries({ 'events.csv': { externalAttributes: 0o104755 * 0x10000 } })),
      /"events\.csv" is marked as a file with set-id or sticky bits \(mode 104755\)/,
    );
    await expectRefused(
      zipOf(entries({ 'events.csv': { internalAttributes: 1 } })),
      /"events\.csv" has internal attributes 0x0001; .* rewrite line ends/,
    );
    await expectRefused(
      more({ name: 'x', nameBytes: Buffer.from([0x82, 0x2e, 0x63]), utf8: false, data: 'x' }),
      /holds non-ASCII bytes without the UTF-8 flag/,
    );
  });

  it('refuses encrypted entries, extra fields, entry comments and ZIP64 records', async () => {
    await expectRefused(
      zipOf(entries({ 'events.csv': { flags: 0x0001 } })),
      /"events\.csv" cannot be read: the entry is encrypted/,
    );
    // An Info-ZIP Unicode Path field (0x7075) gives unzip another name for the entry.
    const head = Buffer.alloc(9);
    head.writeUInt16LE(0x7075, 0);
    head.writeUInt16LE(13, 2);
    head[4] = 1;
    head.writeUInt32LE(crc32('events.csv'), 5);
    const unicodePath = Buffer.concat([head, Buffer.from('evil.csv')]);
    await expectRefused(
      zipOf(entries({ 'events.csv': { local: { extra: unicodePath } } })),
      /local header of "events\.csv" carries 17 bytes of extra fields/,
    );
    await expectRefused(
      zipOf(entries({ 'events.csv': { centralExtra: unicodePath } })),
      /"events\.csv" carries 17 bytes of extra fields in the central directory/,
    );
    await expectRefused(
      zipOf(entries({ 'events.csv': { entryComment: 'note' } })),
      /"events\.csv" carries a comment/,
    );
    await expectRefused(zipOf(entries(), { zip64: true }), /uses ZIP64 end records/);
  });

  it('refuses entries the manifest does not list, and manifests that list a name twice or a missing file', async () => {
    await expectRefused(
      zipOf([...entries(), { name: 'extra.txt', data: 'hello' }]),
      /^extra\.txt is in the bundle but not in the manifest/,
    );
    const manifest = JSON.parse(file('manifest.json').toString('utf8')) as {
      files: { name: string; size: number; sha256: string }[];
    };
    const twice = { ...manifest, files: [...manifest.files, manifest.files[0]!] };
    const bytes = Buffer.from(JSON.stringify(twice, null, 2) + '\n');
    const path = zipOf(
      entries({
        'manifest.json': { data: bytes },
        'manifest.sig': { data: signBytes(examiner, bytes) + '\n' },
      }),
    );
    await expectRefused(
      path,
      /^manifest\.json lists events\.csv more than once\.$/,
      examiner.fingerprint,
    );
    expect((await verifyBundle(path)).files).toContainEqual({
      name: 'events.csv',
      status: 'ambiguous',
    });
    await expectRefused(
      zipOf(entries().filter((e) => e.name !== 'network.csv')),
      /^network\.csv is listed in the manifest but missing from the bundle\.$/,
    );
  });
});

describe('paths that are no bundle file', () => {
  /** Resolves with verify's answer, or fails after 5 s instead of hanging. */
  async function answer(path: string): Promise<Awaited<ReturnType<typeof verifyBundle>>> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`verify ${path} hangs`)), 5000);
    });
    try {
      return await Promise.race([verifyBundle(path), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function expectPathRefused(path: string, reason: string): Promise<void> {
    const check = await answer(path);
    expect(check).toEqual({
      ok: false,
      fingerprint: null,
      problems: [reason],
      notes: [],
      files: [],
    });
    const cli = await runCli(['verify', path]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toBe('NOT INTACT: the bundle could not be checked\n');
    expect(cli.stderr).toBe(`snoopscope: ${reason}\n`);
  }

  it('names a missing path, a folder and a device', async () => {
    const missing = join(t.dir, 'nope.zip');
    await expectPathRefused(missing, `${missing} does not exist.`);
    const folder = join(t.dir, 'folder.zip');
    mkdirSync(folder);
    await expectPathRefused(folder, `${folder} is a folder, not a bundle file.`);
    await expectPathRefused(
      join(bundlePath, 'x'),
      `${join(bundlePath, 'x')} does not exist: a part of the path is not a folder.`,
    );
    if (process.platform !== 'win32')
      await expectPathRefused('/dev/null', '/dev/null is a character device, not a bundle file.');
  });

  it('names a FIFO and a socket without waiting on them', async (ctx) => {
    if (process.platform === 'win32') ctx.skip();
    const fifo = join(t.dir, 'fifo.zip');
    const made = spawnSync('mkfifo', [fifo]);
    if (made.error || made.status !== 0) {
      console.warn('mkfifo not available: the FIFO case was not checked');
    } else {
      await expectPathRefused(fifo, `${fifo} is a named pipe (FIFO), not a bundle file.`);
      const link = join(t.dir, 'fifo-link.zip');
      symlinkSync(fifo, link);
      await expectPathRefused(
        link,
        `${link} is a symbolic link to a named pipe (FIFO), not to a bundle file.`,
      );
    }
    const socket = join(t.dir, 's.zip');
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      await expectPathRefused(socket, `${socket} is a socket, not a bundle file.`);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('follows a symbolic link to a regular file only', async (ctx) => {
    if (process.platform === 'win32') ctx.skip();
    const good = join(t.dir, 'link-to-bundle.zip');
    symlinkSync(bundlePath, good);
    expect((await answer(good)).ok).toBe(true);
    const toFolder = join(t.dir, 'link-to-folder.zip');
    symlinkSync(t.dir, toFolder);
    await expectPathRefused(
      toFolder,
      `${toFolder} is a symbolic link to a folder, not to a bundle file.`,
    );
    const dangling = join(t.dir, 'dangling.zip');
    symlinkSync(join(t.dir, 'gone.zip'), dangling);
    await expectPathRefused(
      dangling,
      `${dangling} is a symbolic link to a file that does not exist.`,
    );
  });

  it('refuses a file that is not a zip with the reason', async () => {
    const path = save(Buffer.from('just text'));
    const check = await verifyBundle(path);
    expect(check.ok).toBe(false);
    expect(check.problems).toEqual([
      expect.stringMatching(/cannot be read as a zip: The file is 9 bytes, too short/),
    ]);
  });
});
