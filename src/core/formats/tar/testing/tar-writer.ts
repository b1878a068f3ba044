import { gzipSync } from 'node:zlib';

// A minimal tar writer for tests: ustar headers, optional PAX and GNU long-name records, and
// hooks to damage the output. Not used outside tests.

/** One entry to write. */
export interface TestTarEntry {
  name: string;
  /** Type flag character; default '0' (regular file). */
  type?: string;
  content?: Uint8Array | string;
  linkName?: string;
  /** Declared size when it should differ from the content length. */
  size?: number;
  /** Write the name as a PAX `path` record instead of in the header. */
  pax?: Record<string, string>;
  /** Write the name as a GNU `L` long-name record. */
  gnuLongName?: boolean;
  /** Split the name into the ustar prefix and name fields. */
  prefix?: string;
  /** Overwrite the checksum field with this value. */
  checksum?: number;
}

/** Builds a tar archive (with the two-block end marker unless `end` is false). */
export function buildTar(entries: readonly TestTarEntry[], end = true): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const content =
      typeof e.content === 'string' ? Buffer.from(e.content) : Buffer.from(e.content ?? []);
    if (e.pax !== undefined) {
      const body = Buffer.from(
        Object.entries(e.pax)
          .map(([k, v]) => paxRecord(k, v))
          .join(''),
      );
      parts.push(header({ name: 'PaxHeader', type: 'x', size: body.length }), pad(body));
    }
    let name = e.name;
    if (e.gnuLongName === true) {
      const body = Buffer.from(`${e.name}\0`);
      parts.push(
        header({ name: '././@LongLink', type: 'L', size: body.length, gnu: true }),
        pad(body),
      );
      name = e.name.slice(0, 99);
    }
    parts.push(
      header({
        name,
        type: e.type ?? '0',
        size: e.size ?? content.length,
        linkName: e.linkName,
        prefix: e.prefix,
        checksum: e.checksum,
        gnu: e.gnuLongName === true,
      }),
      pad(content),
    );
  }
  if (end) parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** Builds a gzip-compressed tar archive. */
export function buildTarGz(entries: readonly TestTarEntry[], end = true): Buffer {
  return gzipSync(buildTar(entries, end));
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len)
    len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

function pad(b: Buffer): Buffer {
  const rest = (512 - (b.length % 512)) % 512;
  return rest === 0 ? b : Buffer.concat([b, Buffer.alloc(rest)]);
}

function header(h: {
  name: string;
  type: string;
  size: number;
  linkName?: string;
  prefix?: string;
  checksum?: number;
  gnu?: boolean;
}): Buffer {
  const b = Buffer.alloc(512);
  b.write(h.name, 0, 100, 'utf8');
  b.write('0000644\0', 100, 'latin1');
  b.write('0000000\0', 108, 'latin1');
  b.write('0000000\0', 116, 'latin1');
  b.write(`${h.size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  b.write('14130000000\0', 136, 'latin1');
  b.write(h.type, 156, 'latin1');
  if (h.linkName !== undefined) b.write(h.linkName, 157, 100, 'utf8');
  if (h.gnu === true) b.write('ustar  \0', 257, 'latin1');
  else b.write('ustar\u000000', 257, 'latin1');
  if (h.prefix !== undefined) b.write(h.prefix, 345, 155, 'utf8');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of b) sum += byte;
  const stored = h.checksum ?? sum;
  b.write(`${stored.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return b;
}
