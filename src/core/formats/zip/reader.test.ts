import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportWarning } from '../../../contract/warnings';
import { DEFAULT_ZIP_LIMITS, ZipError, openZip, withPrivateTempDir, withZip } from './index';
import { buildZip, writeZipFile, type TestZipEntry } from './testing/write-zip';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zip-reader-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let counter = 0;
const write = (entries: TestZipEntry[], options?: Parameters<typeof buildZip>[1]) =>
  writeZipFile(dir, `t${++counter}.zip`, entries, options);

async function rejection(p: Promise<unknown>): Promise<ZipError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ZipError);
    return err as ZipError;
  }
  throw new Error('expected a ZipError');
}

async function drain(it: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of it) {
    // consume
  }
}

describe('zlib.crc32', () => {
  it('is the standard CRC-32 (check value of "123456789")', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
    expect(crc32('6789', crc32('12345'))).toBe(0xcbf43926);
  });
});

describe('openZip: listing and reading', () => {
  it('lists stored and deflated entries with their sizes, methods, CRCs and times', async () => {
    const text = 'Current AppOps Service state:\n  Settings:\n'.repeat(50);
    const path = await write([
      { name: 'version.txt', data: '2.0', method: 'store' },
      { name: 'FS/', data: '', method: 'store' },
      { name: 'FS/data/anr/trace.txt', data: text },
    ]);
    await withZip(path, async (zip) => {
      expect(zip.zip64).toBe(false);
      expect(zip.problems).toEqual([]);
      expect(zip.entries.map((e) => [e.name, e.path, e.method, e.isDirectory])).toEqual([
        ['version.txt', 'version.txt', 0, false],
        ['FS/', 'FS', 0, true],
        ['FS/data/anr/trace.txt', 'FS/data/anr/trace.txt', 8, false],
      ]);
      const trace = zip.findEntry('FS/data/anr/trace.txt')!;
      expect(trace.uncompressedSize).toBe(Buffer.byteLength(text));
      expect(trace.compressedSize).toBeLessThan(trace.uncompressedSize);
      expect(trace.crc32).toBe(crc32(text));
      expect(trace.modified).toBe('2022-03-29 12:00:00');
      expect(trace.refusal).toBeNull();
      expect(await zip.readEntryText(zip.findEntry('version.txt')!)).toBe('2.0');
      expect(await zip.readEntryText(trace)).toBe(text);
      expect(zip.bytesInflated).toBe(3 + Buffer.byteLength(text));
    });
  });

  it('reads ZIP64 end records and extra fields', async () => {
    const path = await write(
      [
        { name: 'a.txt', data: 'alpha\n', zip64: true },
        { name: 'b.txt', data: 'beta\n', method: 'store', zip64: true },
      ],
      { zip64: true },
    );
    await withZip(path, async (zip) => {
      expect(zip.zip64).toBe(true);
      expect(zip.entries.map((e) => [e.name, e.zip64, e.uncompressedSize])).toEqual([
        ['a.txt', true, 6],
        ['b.txt', true, 5],
      ]);
      expect(await zip.readEntryText(zip.entries[1]!)).toBe('beta\n');
      expect(await zip.readEntryText(zip.entries[0]!)).toBe('alpha\n');
    });
  });

  it('streams a large entry line by line across chunks, with CRLF accepted', async () => {
    const lines = Array.from({ length: 120_000 }, (_, i) => `line ${i} ${'x'.repeat(i % 40)}`);
    const path = await write([{ name: 'main.txt', data: lines.join('\r\n') + '\r\n' }]);
    await withZip(path, async (zip) => {
      const warnings: ImportWarning[] = [];
      let n = 0;
      let last = '';
      for await (const l of zip.readEntryLines(zip.entries[0]!, {
        warn: (w) => warnings.push(w),
      })) {
        n += 1;
        expect(l.line).toBe(n);
        last = l.text;
      }
      expect(n).toBe(120_000);
      expect(last).toBe(lines.at(-1));
      expect(warnings.map((w) => w.code)).toEqual(['CRLF_LINE_ENDINGS']);
    });
  });

  it('hashes an entry as stored (SHA-256 of its uncompressed bytes)', async () => {
    const path = await write([{ name: 'x.txt', data: 'abc' }]);
    await withZip(path, async (zip) => {
      expect(await zip.hashEntry(zip.entries[0]!)).toBe(
        'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      );
    });
  });

  it('lists an empty archive', async () => {
    const path = await write([]);
    await withZip(path, async (zip) => expect(zip.entries).toEqual([]));
  });

  it('reports duplicate names', async () => {
    const path = await write([
      { name: 'dumpsys.txt', data: 'one' },
      { name: 'dumpsys.txt', data: 'two' },
    ]);
    await withZip(path, async (zip) => {
      expect(zip.problems).toEqual(['The name "dumpsys.txt" appears 2 times in the archive.']);
      expect(await zip.readEntryText(zip.findEntry('dumpsys.txt')!)).toBe('one');
    });
  });

  it('refuses reads after close', async () => {
    const path = await write([{ name: 'a', data: 'a' }]);
    const zip = await openZip(path);
    const entry = zip.entries[0]!;
    await zip.close();
    await zip.close();
    expect((await rejection(zip.readEntry(entry))).code).toBe('CLOSED');
  });
});

describe('openZip: unsafe names', () => {
  it('flags traversal, absolute, drive-letter, backslash and control-byte names, never as paths', async () => {
    const names = [
      '../evil.txt',
      'a/../../b.txt',
      '/etc/passwd',
      'C:/Windows/x.txt',
      'dir\\x.txt',
      'a//b.txt',
      'bad\u0001name',
    ];
    const path = await write(names.map((name) => ({ name, data: 'x' })));
    await withZip(path, async (zip) => {
      expect(zip.entries.map((e) => e.path)).toEqual(names.map(() => null));
      expect(zip.entries.map((e) => e.unsafeReason)).toEqual([
        'the name climbs out of the archive with ".."',
        'the name climbs out of the archive with ".."',
        'the name is an absolute path',
        'the name starts with a drive letter',
        'the name contains a backslash',
        'the name has an empty or "." segment',
        'the name contains control characters',
      ]);
      expect(zip.problems).toHaveLength(names.length);
      expect(zip.findEntry('evil.txt')).toBeUndefined();
      expect(zip.findEntry('etc/passwd')).toBeUndefined();
      // Content reads stay possible (nothing is written anywhere).
      expect(await zip.readEntryText(zip.entries[0]!)).toBe('x');
    });
  });
});

describe('openZip: refusals and bounds', () => {
  it('stops inflating a bomb whose header lies about its size', async () => {
    const zeros = Buffer.alloc(10 * 1024 * 1024);
    const path = await write([
      { name: 'bomb.txt', rawData: deflateRawSync(zeros), declaredSize: 1000, crc: crc32(zeros) },
    ]);
    await withZip(path, async (zip) => {
      const bomb = zip.entries[0]!;
      expect(bomb.refusal).toBeNull(); // declared 1000 bytes: nothing to suspect yet
      const err = await rejection(zip.readEntry(bomb));
      expect(err.code).toBe('SIZE_MISMATCH');
      expect(err.message).toMatch(/inflates beyond its declared size of 1000 bytes/);
      // Inflation stopped at the first output chunk past the declared size.
      expect(zip.bytesInflated).toBeLessThan(1000 + 128 * 1024);
    });
  });

  it('refuses an honest entry above the declared-ratio limit, and reads it when allowed', async () => {
    const zeros = Buffer.alloc(4 * 1024 * 1024);
    const path = await write([{ name: 'zeros.bin', data: zeros }]);
    await withZip(path, async (zip) => {
      expect(zip.entries[0]!.refusal?.code).toBe('LIMIT');
      expect(zip.entries[0]!.refusal?.message).toMatch(/compression ratio of \d+:1.*ZIP bomb/);
      expect((await rejection(zip.readEntry(zip.entries[0]!))).code).toBe('LIMIT');
    });
    await withZip(
      path,
      async (zip) => {
        expect(zip.entries[0]!.refusal).toBeNull();
        const out = await zip.readEntry(zip.entries[0]!, { maxBytes: 8 * 1024 * 1024 });
        expect(out.length).toBe(zeros.length);
      },
      { maxCompressionRatio: 2000 },
    );
  });

  it('refuses entries above the per-entry limit and whole reads above maxBytes', async () => {
    const path = await write([{ name: 'big.txt', data: 'y'.repeat(5000) }]);
    await withZip(
      path,
      async (zip) => {
        expect(zip.entries[0]!.refusal).toEqual({
          code: 'LIMIT',
          message: 'the entry declares 5000 bytes, more than the per-entry limit of 1000',
        });
      },
      { maxEntryBytes: 1000 },
    );
    await withZip(path, async (zip) => {
      const err = await rejection(zip.readEntry(zip.entries[0]!, { maxBytes: 4096 }));
      expect(err.code).toBe('LIMIT');
      expect(err.message).toMatch(/5000 bytes, more than the 4096 bytes allowed/);
    });
  });

  it('counts inflated bytes across reads against the total limit', async () => {
    const path = await write([
      { name: 'a.txt', data: 'a'.repeat(600) },
      { name: 'b.txt', data: 'b'.repeat(600) },
    ]);
    await withZip(
      path,
      async (zip) => {
        expect(await zip.readEntryText(zip.entries[0]!)).toHaveLength(600);
        const err = await rejection(zip.readEntry(zip.entries[1]!));
        expect(err.code).toBe('LIMIT');
        expect(err.message).toMatch(/limit of 1000 bytes inflated/);
      },
      { maxTotalBytes: 1000 },
    );
  });

  it('refuses archives listing more entries than allowed', async () => {
    const path = await write([1, 2, 3].map((i) => ({ name: `${i}.txt`, data: 'x' })));
    const err = await rejection(openZip(path, { maxEntries: 2 }));
    expect(err.code).toBe('LIMIT');
    expect(err.message).toBe('The archive lists 3 entries, more than the limit of 2.');
    expect(DEFAULT_ZIP_LIMITS.maxEntries).toBe(100_000);
  });

  it('refuses encrypted entries with a message', async () => {
    const path = await write([{ name: 'secret.txt', data: 'x', flags: 0x0001 }]);
    await withZip(path, async (zip) => {
      const e = zip.entries[0]!;
      expect(e.encrypted).toBe(true);
      expect(e.refusal?.code).toBe('ENCRYPTED');
      const err = await rejection(zip.readEntryText(e));
      expect(err.code).toBe('ENCRYPTED');
      expect(err.message).toBe(
        'The entry "secret.txt" cannot be read: the entry is encrypted; encrypted ZIP entries are not read.',
      );
    });
  });

  it('refuses unsupported compression methods by name', async () => {
    const path = await write([{ name: 'x.bz2', data: 'BZh9', methodNumber: 12 }]);
    await withZip(path, async (zip) => {
      expect(zip.entries[0]!.refusal).toEqual({
        code: 'UNSUPPORTED',
        message: 'compression method 12 (bzip2) is not supported (only stored and deflate)',
      });
    });
  });

  it('detects a CRC-32 mismatch after reading the data', async () => {
    const path = await write([{ name: 'x.txt', data: 'hello', crc: 0x12345678 }]);
    await withZip(path, async (zip) => {
      const err = await rejection(zip.readEntry(zip.entries[0]!));
      expect(err.code).toBe('CRC_MISMATCH');
      expect(err.message).toMatch(/expected 12345678, got 3610a686/);
    });
  });

  it('refuses a local header that names another file than the central directory', async () => {
    const path = await write([{ name: 'report.txt', localName: 'REPORT.txt', data: 'x' }]);
    await withZip(path, async (zip) => {
      const err = await rejection(zip.readEntry(zip.entries[0]!));
      expect(err.code).toBe('CORRUPT');
      expect(err.message).toMatch(/names a different file \("REPORT.txt"\)/);
    });
  });

  it('refuses entries whose data overlap (overlapping-files bomb)', async () => {
    const buf = buildZip([
      { name: 'a.txt', data: 'a'.repeat(100) },
      { name: 'b.txt', data: 'b'.repeat(100) },
    ]);
    // Point the second central record at the first local header.
    const cd = buf.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    const second = buf.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), cd + 4);
    buf.writeUInt32LE(0, second + 42);
    const path = join(dir, 'overlap.zip');
    await writeFile(path, buf);
    await withZip(path, async (zip) => {
      expect(zip.entries.map((e) => e.refusal?.message)).toEqual([
        'its data overlaps the entry "b.txt"',
        'its data overlaps the entry "a.txt"',
      ]);
    });
  });

  it('reports a truncated deflate stream', async () => {
    const text = Buffer.from(Array.from({ length: 2000 }, (_, i) => `row ${i}`).join('\n'));
    const full = deflateRawSync(text);
    const path = await write([
      {
        name: 'cut.txt',
        rawData: full.subarray(0, full.length >> 1),
        crc: crc32(text),
        declaredSize: text.length,
      },
    ]);
    await withZip(path, async (zip) => {
      const err = await rejection(drain(zip.openEntryStream(zip.entries[0]!)));
      expect(err.code).toBe('TRUNCATED');
    });
  });

  it('refuses a truncated archive and a file that is no ZIP', async () => {
    const full = buildZip([{ name: 'a.txt', data: 'a'.repeat(300) }]);
    const cut = join(dir, 'cut.zip');
    await writeFile(cut, full.subarray(0, full.length - 30));
    const err = await rejection(openZip(cut));
    expect(err.code).toBe('TRUNCATED');
    expect(err.message).toMatch(/truncated/);

    const text = join(dir, 'plain.txt');
    await writeFile(text, 'Current AppOps Service state:\n'.repeat(5));
    const err2 = await rejection(openZip(text));
    expect(err2.code).toBe('NOT_ZIP');
  });

  it('refuses a central directory that points past the data', async () => {
    const buf = buildZip([{ name: 'a.txt', data: 'abc' }]);
    buf.writeUInt32LE(buf.length + 100, buf.length - 22 + 16);
    const path = join(dir, 'badcd.zip');
    await writeFile(path, buf);
    expect((await rejection(openZip(path))).code).toBe('TRUNCATED');
  });

  it('never modifies the archive', async () => {
    const path = await write([{ name: 'a.txt', data: 'abc' }]);
    const before = await readFile(path);
    const mtime = (await stat(path)).mtimeMs;
    await withZip(path, async (zip) => zip.readEntryText(zip.entries[0]!));
    expect((await readFile(path)).equals(before)).toBe(true);
    expect((await stat(path)).mtimeMs).toBe(mtime);
  });
});

describe('withPrivateTempDir', () => {
  it('gives a 0700 folder and removes it even when the callback throws', async () => {
    let seen = '';
    await expect(
      withPrivateTempDir(async (d) => {
        seen = d;
        expect((await stat(d)).mode & 0o777).toBe(0o700);
        await writeFile(join(d, 'x'), 'x');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(seen.startsWith(tmpdir())).toBe(true);
    await expect(stat(seen)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
