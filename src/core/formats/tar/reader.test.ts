import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { extractMembers, globToRegExp, readTar, TarError, type TarEntry } from './reader';
import { buildTar, buildTarGz, type TestTarEntry } from './testing/tar-writer';

const dir = mkdtempSync(join(tmpdir(), 'tar-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function list(
  source: string | Uint8Array,
  limits?: Parameters<typeof readTar>[1],
): Promise<{ entries: TarEntry[]; contents: Map<string, string> }> {
  const entries: TarEntry[] = [];
  const contents = new Map<string, string>();
  for await (const m of readTar(source, limits)) {
    entries.push(m);
    if (m.refusal === null && m.type === 'file') {
      const parts: Buffer[] = [];
      for await (const c of m.content()) parts.push(c);
      contents.set(m.path!, Buffer.concat(parts).toString());
    }
  }
  return { entries, contents };
}

async function failure(p: Promise<unknown>): Promise<TarError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TarError) return err;
    throw err;
  }
  throw new Error('expected a TarError');
}

describe('readTar', () => {
  it('reads files, folders and content from a gzip archive', async () => {
    const archive = buildTarGz([
      { name: 'sysdiagnose_x/', type: '5' },
      { name: 'sysdiagnose_x/a.txt', content: 'hello' },
      { name: 'sysdiagnose_x/b.bin', content: Buffer.alloc(1500, 7) },
    ]);
    const { entries, contents } = await list(archive);
    expect(entries.map((e) => [e.path, e.type, e.size])).toEqual([
      ['sysdiagnose_x', 'directory', 0],
      ['sysdiagnose_x/a.txt', 'file', 5],
      ['sysdiagnose_x/b.bin', 'file', 1500],
    ]);
    expect(contents.get('sysdiagnose_x/a.txt')).toBe('hello');
    expect(contents.get('sysdiagnose_x/b.bin')!.length).toBe(1500);
  });

  it('reads an archive streamed in small chunks (a container member or an importer input)', async () => {
    const archive = buildTarGz([
      { name: 'sysdiagnose_x/a.txt', content: 'hello' },
      { name: 'sysdiagnose_x/b.bin', content: Buffer.alloc(1500, 7) },
    ]);
    async function* pieces(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < archive.length; i += 7) yield new Uint8Array(archive.subarray(i, i + 7));
    }
    const seen: string[] = [];
    for await (const m of readTar(pieces())) {
      let n = 0;
      for await (const c of m.content()) n += c.length;
      seen.push(`${m.path}:${n}`);
    }
    expect(seen).toEqual(['sysdiagnose_x/a.txt:5', 'sysdiagnose_x/b.bin:1500']);
  });

  it('reads plain (uncompressed) tar too, and skips content the caller does not read', async () => {
    const archive = buildTar([
      { name: 'a', content: 'x'.repeat(700) },
      { name: 'b', content: 'yy' },
    ]);
    const names: string[] = [];
    let b = '';
    for await (const m of readTar(archive)) {
      names.push(m.name);
      if (m.name === 'b') for await (const c of m.content()) b += c.toString();
    }
    expect(names).toEqual(['a', 'b']);
    expect(b).toBe('yy');
  });

  it('reads an archive made by the system tar command from a file path', async () => {
    const src = join(dir, 'src');
    mkdirSync(join(src, 'logs', 'powerlogs'), { recursive: true });
    writeFileSync(join(src, 'logs', 'powerlogs', 'powerlog_2021.PLSQL'), 'sqlite');
    writeFileSync(join(src, 'logs', 'other.txt'), 'other');
    symlinkSync('other.txt', join(src, 'logs', 'link'));
    const long = 'd'.repeat(120);
    mkdirSync(join(src, long));
    writeFileSync(join(src, long, 'f'.repeat(110)), 'deep');
    const out = join(dir, 'sys.tar.gz');
    execFileSync('tar', ['-czf', out, '-C', src, '.']);
    const { entries, contents } = await list(out);
    expect(contents.get('logs/powerlogs/powerlog_2021.PLSQL')).toBe('sqlite');
    expect(contents.get(`${long}/${'f'.repeat(110)}`)).toBe('deep');
    const link = entries.find((e) => e.path === 'logs/link')!;
    expect(link.type).toBe('symlink');
    expect(link.linkName).toBe('other.txt');
    expect(link.refusal?.code).toBe('UNSUPPORTED');
    expect(entries.find((e) => e.path === '')?.type).toBe('directory');
  });

  it('honours PAX path and size records and GNU long names', async () => {
    const longName = `dir/${'n'.repeat(150)}.txt`;
    const archive = buildTarGz([
      { name: 'short', pax: { path: 'pax/named.txt', size: '3' }, content: 'abc', size: 3 },
      { name: longName, gnuLongName: true, content: 'gnu' },
      { name: 'file.txt', prefix: 'ustar/prefix', content: 'pre' },
    ]);
    const { contents } = await list(archive);
    expect(contents.get('pax/named.txt')).toBe('abc');
    expect(contents.get(longName)).toBe('gnu');
    expect(contents.get('ustar/prefix/file.txt')).toBe('pre');
  });

  it('refuses traversal, absolute, backslash and NUL names but goes on reading', async () => {
    const archive = buildTarGz([
      { name: '../evil', content: 'x' },
      { name: '/etc/passwd', content: 'x' },
      { name: 'a\\b', content: 'x' },
      { name: 'x', pax: { path: 'nul\0name' }, content: 'x' },
      { name: './', content: 'a file named like the root' },
      { name: 'ok.txt', content: 'fine' },
    ]);
    const { entries, contents } = await list(archive);
    expect(entries.slice(0, 5).map((e) => e.path)).toEqual([null, null, null, null, null]);
    expect(entries.slice(0, 5).every((e) => e.refusal?.code === 'CORRUPT')).toBe(true);
    expect(entries[0]!.unsafeReason).toMatch(/\.\./);
    expect(contents.get('ok.txt')).toBe('fine');
    const first = (await readTar(archive).next()).value!;
    await expect(first.content().next()).rejects.toThrow(/unsafe/);
  });

  it('lists links, devices and FIFOs without content', async () => {
    const archive = buildTarGz([
      { name: 'hard', type: '1', linkName: 'target' },
      { name: 'sym', type: '2', linkName: '/etc/shadow' },
      { name: 'chr', type: '3' },
      { name: 'blk', type: '4' },
      { name: 'fifo', type: '6' },
      { name: 'after', content: 'ok' },
    ]);
    const { entries, contents } = await list(archive);
    expect(entries.map((e) => e.type)).toEqual([
      'hardlink',
      'symlink',
      'character-device',
      'block-device',
      'fifo',
      'file',
    ]);
    expect(entries[1]!.linkName).toBe('/etc/shadow');
    expect(entries.slice(0, 5).every((e) => e.refusal !== null)).toBe(true);
    expect(contents.get('after')).toBe('ok');
  });

  it('detects a bad header checksum', async () => {
    const archive = buildTarGz([
      { name: 'a', content: 'x' },
      { name: 'b', content: 'y', checksum: 1 },
    ]);
    const err = await failure(list(archive));
    expect(err.code).toBe('BAD_CHECKSUM');
    expect(err.message).toBe('A header of the archive fails its checksum (damaged archive).');
  });

  it('says a file that is not a tar archive is not one', async () => {
    const err = await failure(
      list(gzipSync(Buffer.from('just some text, not a tar archive'.repeat(20)))),
    );
    expect(err.code).toBe('NOT_TAR');
  });

  it('detects truncation inside content, inside gzip data and before the end marker', async () => {
    const tar = buildTar([{ name: 'a', content: 'z'.repeat(5000) }]);
    expect((await failure(list(tar.subarray(0, 2000)))).code).toBe('TRUNCATED');
    const gz = buildTarGz([{ name: 'a', content: 'z'.repeat(5000) }]);
    expect((await failure(list(gz.subarray(0, gz.length - 10)))).code).toBe('TRUNCATED');
    const noEnd = buildTar([{ name: 'a', content: 'q' }], false);
    const err = await failure(list(noEnd));
    expect(err.code).toBe('TRUNCATED');
    expect(err.message).toMatch(/end-of-archive marker/);
  });

  it('counts bytes: entry count, per-entry size and total size limits', async () => {
    const archive = buildTarGz([
      { name: 'a', content: 'x'.repeat(2000) },
      { name: 'b', content: 'y' },
      { name: 'c', content: 'z' },
    ]);
    expect((await failure(list(archive, { maxEntries: 2 }))).code).toBe('LIMIT');
    const { entries, contents } = await list(archive, { maxEntryBytes: 1000 });
    expect(entries[0]!.refusal?.code).toBe('LIMIT');
    expect(contents.get('b')).toBe('y');
    expect((await failure(list(archive, { maxTotalBytes: 2048 }))).code).toBe('LIMIT');
  });

  it('refuses a PAX size that the header field does not carry and a malformed PAX record', async () => {
    const bad = buildTarGz([{ name: 'a', pax: { size: '-5' }, content: 'x' }]);
    expect((await failure(list(bad))).code).toBe('CORRUPT');
  });

  it('refuses a folder or FIFO path as the source', async () => {
    const err = await failure(list(dir));
    expect(err.code).toBe('NOT_TAR');
    expect(err.message).toBe(`${dir} is a folder, not an archive file.`);
  });

  it.skipIf(process.platform === 'win32')(
    'refuses a FIFO without waiting for a writer',
    async () => {
      const fifo = join(dir, 'archive.fifo');
      execFileSync('mkfifo', [fifo]);
      const err = await failure(list(fifo));
      expect(err.message).toBe(`${fifo} is a named pipe (FIFO), not an archive file.`);
    },
  );

  it('refuses content read after the iteration moved on', async () => {
    const archive = buildTarGz([
      { name: 'a', content: 'x' },
      { name: 'b', content: 'y' },
    ]);
    const it = readTar(archive);
    const first = (await it.next()).value!;
    await it.next();
    await expect(first.content().next()).rejects.toThrow(/moved past it/);
    await it.return(undefined);
  });
});

describe('readTar, partial reads and extension runs', () => {
  it('skips the rest of a content stream the caller left early', async () => {
    const archive = buildTarGz([
      { name: 'a', content: 'a'.repeat(3000) },
      { name: 'b', content: 'bee' },
    ]);
    let b = '';
    for await (const m of readTar(archive)) {
      if (m.name === 'a') {
        for await (const _ of m.content()) break;
      } else for await (const c of m.content()) b += c.toString();
    }
    expect(b).toBe('bee');
  });

  it('refuses a long run of extended headers', async () => {
    const many: TestTarEntry[] = Array.from({ length: 10 }, () => ({
      name: 'x',
      type: 'L',
      content: 'name\0',
    }));
    const err = await failure(list(buildTarGz([...many, { name: 'f', content: 'x' }])));
    expect(err.code).toBe('CORRUPT');
    expect(err.message).toBe('The archive holds more than 8 extended headers in a row.');
  });
});

describe('extractMembers', () => {
  it('pulls the PowerLog files by pattern and nothing else', async () => {
    const entries: TestTarEntry[] = [
      {
        name: 'sysdiagnose_2021/logs/powerlogs/powerlog_2021-12-16_05-54_84E2141B.PLSQL',
        content: 'one',
      },
      { name: 'sysdiagnose_2021/logs/powerlogs/log_2021.PLSQL', content: 'two' },
      { name: 'sysdiagnose_2021/logs/other/powerlog_x.txt', content: 'no' },
      { name: 'sysdiagnose_2021/logs/powerlogs/evil', type: '2', linkName: '/etc/passwd' },
    ];
    const archive = buildTarGz(entries);
    const a = await extractMembers(archive, ['**/powerlog_*.PLSQL']);
    expect(a.map((m) => m.data.toString())).toEqual(['one']);
    const b = await extractMembers(archive, ['**/logs/powerlogs/*.PLSQL']);
    expect(b.map((m) => m.entry.path)).toEqual([
      'sysdiagnose_2021/logs/powerlogs/powerlog_2021-12-16_05-54_84E2141B.PLSQL',
      'sysdiagnose_2021/logs/powerlogs/log_2021.PLSQL',
    ]);
    expect(await extractMembers(archive, ['**/evil'])).toEqual([]);
    await expect(extractMembers(archive, ['**/*.PLSQL'], { maxBytes: 2 })).rejects.toThrow(
      /more than the 2 bytes/,
    );
  });

  it('globs match segments as documented', () => {
    expect(globToRegExp('**/*.PLSQL').test('a/b/c.PLSQL')).toBe(true);
    expect(globToRegExp('**/*.PLSQL').test('c.PLSQL')).toBe(true);
    expect(globToRegExp('*.PLSQL').test('a/c.PLSQL')).toBe(false);
    expect(globToRegExp('a?.txt').test('ab.txt')).toBe(true);
    expect(globToRegExp('a.txt').test('abtxt')).toBe(false);
  });
});
