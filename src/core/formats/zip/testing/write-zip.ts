import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';

// A small ZIP writer for tests: honest archives, and crafted ones whose headers lie.

/** One entry to write. Fields other than `name` and `data` craft defects on purpose. */
export interface TestZipEntry {
  name: string;
  data?: string | Uint8Array;
  /** `deflate` (default) or `store`. */
  method?: 'store' | 'deflate';
  /** Writes this method number instead (e.g. 12 for bzip2) with the data stored as is. */
  methodNumber?: number;
  /** Bytes written as the entry's compressed data instead of compressing `data`. */
  rawData?: Uint8Array;
  /** Declared uncompressed size (default: the real one). */
  declaredSize?: number;
  /** Declared compressed size (default: the real one). */
  declaredCompressedSize?: number;
  /** Declared CRC-32 (default: the real one). */
  crc?: number;
  /** Extra general-purpose flags (bit 0: encrypted). */
  flags?: number;
  /** Name written in the local header (default: `name`). */
  localName?: string;
  /** Use ZIP64 extra fields for this entry's sizes and offset. */
  zip64?: boolean;
}

export interface TestZipOptions {
  /** Write ZIP64 end records (and saturate the classic ones). */
  zip64?: boolean;
  comment?: string;
}

/** Builds a ZIP archive in memory. */
export function buildZip(entries: TestZipEntry[], options: TestZipOptions = {}): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const anyZip64 = options.zip64 === true || entries.some((e) => e.zip64);

  for (const e of entries) {
    const content =
      typeof e.data === 'string' ? Buffer.from(e.data, 'utf8') : (e.data ?? new Uint8Array());
    const method = e.methodNumber ?? (e.method === 'store' ? 0 : 8);
    const stored =
      e.rawData ??
      (method === 8 && e.methodNumber === undefined ? deflateRawSync(content) : content);
    const crc = e.crc ?? crc32(content);
    const size = e.declaredSize ?? content.length;
    const csize = e.declaredCompressedSize ?? stored.length;
    const name = Buffer.from(e.name, 'utf8');
    const localName = Buffer.from(e.localName ?? e.name, 'utf8');
    const flags = 0x0800 | (e.flags ?? 0);
    const z64 = e.zip64 === true;

    const localExtra = z64 ? extra64([size, csize]) : Buffer.alloc(0);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(z64 ? 45 : 20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0x6000, 10); // 12:00:00
    local.writeUInt16LE(((2022 - 1980) << 9) | (3 << 5) | 29, 12); // 2022-03-29
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(z64 ? 0xffffffff : csize, 18);
    local.writeUInt32LE(z64 ? 0xffffffff : size, 22);
    local.writeUInt16LE(localName.length, 26);
    local.writeUInt16LE(localExtra.length, 28);
    parts.push(local, localName, localExtra, Buffer.from(stored));

    const centralExtra = z64 ? extra64([size, csize, offset]) : Buffer.alloc(0);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(0x031e, 4);
    c.writeUInt16LE(z64 ? 45 : 20, 6);
    c.writeUInt16LE(flags, 8);
    c.writeUInt16LE(method, 10);
    c.writeUInt16LE(0x6000, 12);
    c.writeUInt16LE(((2022 - 1980) << 9) | (3 << 5) | 29, 14);
    c.writeUInt32LE(crc >>> 0, 16);
    c.writeUInt32LE(z64 ? 0xffffffff : csize, 20);
    c.writeUInt32LE(z64 ? 0xffffffff : size, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt16LE(centralExtra.length, 30);
    c.writeUInt16LE(0, 32);
    c.writeUInt16LE(0, 34);
    c.writeUInt16LE(0, 36);
    c.writeUInt32LE(e.name.endsWith('/') ? 0x41ed0010 : 0x81a40000, 38);
    c.writeUInt32LE(z64 ? 0xffffffff : offset, 42);
    central.push(c, name, centralExtra);

    offset += local.length + localName.length + localExtra.length + stored.length;
  }

  const cd = Buffer.concat(central);
  const cdOffset = offset;
  const tail: Buffer[] = [];
  if (anyZip64) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeUInt16LE(45, 12);
    rec.writeUInt16LE(45, 14);
    rec.writeBigUInt64LE(BigInt(entries.length), 24);
    rec.writeBigUInt64LE(BigInt(entries.length), 32);
    rec.writeBigUInt64LE(BigInt(cd.length), 40);
    rec.writeBigUInt64LE(BigInt(cdOffset), 48);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    loc.writeBigUInt64LE(BigInt(cdOffset + cd.length), 8);
    loc.writeUInt32LE(1, 16);
    tail.push(rec, loc);
  }
  const comment = Buffer.from(options.comment ?? '', 'utf8');
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(anyZip64 ? 0xffff : entries.length, 8);
  eocd.writeUInt16LE(anyZip64 ? 0xffff : entries.length, 10);
  eocd.writeUInt32LE(anyZip64 ? 0xffffffff : cd.length, 12);
  eocd.writeUInt32LE(anyZip64 ? 0xffffffff : cdOffset, 16);
  eocd.writeUInt16LE(comment.length, 20);
  return Buffer.concat([...parts, cd, ...tail, eocd, comment]);
}

/** Builds an archive and writes it to `dir/name`; returns the path. */
export async function writeZipFile(
  dir: string,
  name: string,
  entries: TestZipEntry[],
  options?: TestZipOptions,
): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, buildZip(entries, options));
  return path;
}

function extra64(values: number[]): Buffer {
  const b = Buffer.alloc(4 + values.length * 8);
  b.writeUInt16LE(0x0001, 0);
  b.writeUInt16LE(values.length * 8, 2);
  values.forEach((v, i) => b.writeBigUInt64LE(BigInt(v), 4 + i * 8));
  return b;
}
