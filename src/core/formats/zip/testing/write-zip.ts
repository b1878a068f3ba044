import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { dosStamp } from '../dos-time';

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
  /** Set the UTF-8 name flag (default true). */
  utf8?: boolean;
  /** Write the name as these bytes instead of `name` in UTF-8 (both headers). */
  nameBytes?: Uint8Array;
  /**
   * Follow the data with a data descriptor (signature, CRC-32, sizes), flag bit 3 set and the
   * local CRC-32 and sizes zero, as the bundle writer does; `descriptorBytes` replaces it.
   */
  descriptor?: boolean;
  descriptorBytes?: Uint8Array;
  /** The entry's time in both headers (in UTC); default `TestZipOptions.modified`. */
  modified?: Date;
  /** Local header fields that differ from the central directory. */
  local?: {
    flags?: number;
    method?: number;
    crc?: number;
    compressedSize?: number;
    size?: number;
    versionNeeded?: number;
    time?: number;
    extra?: Uint8Array;
  };
  /** Extra field bytes in the central record. */
  centralExtra?: Uint8Array;
  /** The entry's comment in the central record. */
  entryComment?: string;
  /** "Version made by" (default 0x031e: Unix, 3.0) and external attributes (default regular file 0644). */
  versionMadeBy?: number;
  externalAttributes?: number;
  /** Internal attributes of the central record (bit 0: text); default 0. */
  internalAttributes?: number;
  /** Bytes written before this entry's local header (offsets account for them). */
  gapBefore?: Uint8Array;
  /** The local header offset the central record declares, instead of the real one. */
  declaredOffset?: number;
}

export interface TestZipOptions {
  /** Every entry's time (in UTC) unless the entry gives one; default 2022-03-29 12:00:00. */
  modified?: Date;
  /** Write ZIP64 end records (and saturate the classic ones). */
  zip64?: boolean;
  comment?: string;
  /** Comment bytes (instead of `comment`); `commentLength` overrides the declared length. */
  commentBytes?: Uint8Array;
  commentLength?: number;
  /** Bytes before the first entry; central offsets account for them (like a self-extractor). */
  prefix?: Uint8Array;
  /** Bytes between the last entry and the central directory. */
  beforeCentral?: Uint8Array;
  /** Bytes between the central directory and the end record. */
  afterCentral?: Uint8Array;
  /** Bytes after the end record and its comment. */
  trailing?: Uint8Array;
}

/** Builds a ZIP archive in memory. */
export function buildZip(entries: TestZipEntry[], options: TestZipOptions = {}): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  const prefix = Buffer.from(options.prefix ?? new Uint8Array());
  parts.push(prefix);
  let offset = prefix.length;
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
    const name = e.nameBytes ? Buffer.from(e.nameBytes) : Buffer.from(e.name, 'utf8');
    const localName = e.localName !== undefined ? Buffer.from(e.localName, 'utf8') : name;
    const dd = e.descriptor === true || e.descriptorBytes !== undefined;
    const flags = (e.utf8 === false ? 0 : 0x0800) | (dd ? 0x0008 : 0) | (e.flags ?? 0);
    const z64 = e.zip64 === true;
    const l = e.local ?? {};
    const at = e.modified ?? options.modified;
    const stamp = at ? dosStamp(at) : { time: 0x6000, date: ((2022 - 1980) << 9) | (3 << 5) | 29 };
    if (e.gapBefore) {
      parts.push(Buffer.from(e.gapBefore));
      offset += e.gapBefore.length;
    }

    const localExtra = Buffer.from(l.extra ?? (z64 ? extra64([size, csize]) : new Uint8Array()));
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(l.versionNeeded ?? (z64 ? 45 : 20), 4);
    local.writeUInt16LE(l.flags ?? flags, 6);
    local.writeUInt16LE(l.method ?? method, 8);
    local.writeUInt16LE(l.time ?? stamp.time, 10);
    local.writeUInt16LE(stamp.date, 12);
    local.writeUInt32LE((l.crc ?? (dd ? 0 : crc)) >>> 0, 14);
    local.writeUInt32LE(l.compressedSize ?? (z64 ? 0xffffffff : dd ? 0 : csize), 18);
    local.writeUInt32LE(l.size ?? (z64 ? 0xffffffff : dd ? 0 : size), 22);
    local.writeUInt16LE(localName.length, 26);
    local.writeUInt16LE(localExtra.length, 28);
    parts.push(local, localName, localExtra, Buffer.from(stored));
    let descriptor = Buffer.alloc(0);
    if (e.descriptorBytes) descriptor = Buffer.from(e.descriptorBytes);
    else if (dd) {
      descriptor = Buffer.alloc(16);
      descriptor.writeUInt32LE(0x08074b50, 0);
      descriptor.writeUInt32LE(crc >>> 0, 4);
      descriptor.writeUInt32LE(csize, 8);
      descriptor.writeUInt32LE(size, 12);
    }
    parts.push(descriptor);

    const centralExtra = Buffer.from(
      e.centralExtra ?? (z64 ? extra64([size, csize, offset]) : new Uint8Array()),
    );
    const entryComment = Buffer.from(e.entryComment ?? '', 'utf8');
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(e.versionMadeBy ?? 0x031e, 4);
    c.writeUInt16LE(z64 ? 45 : 20, 6);
    c.writeUInt16LE(flags, 8);
    c.writeUInt16LE(method, 10);
    c.writeUInt16LE(stamp.time, 12);
    c.writeUInt16LE(stamp.date, 14);
    c.writeUInt32LE(crc >>> 0, 16);
    c.writeUInt32LE(z64 ? 0xffffffff : csize, 20);
    c.writeUInt32LE(z64 ? 0xffffffff : size, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt16LE(centralExtra.length, 30);
    c.writeUInt16LE(entryComment.length, 32);
    c.writeUInt16LE(0, 34);
    c.writeUInt16LE(e.internalAttributes ?? 0, 36);
    c.writeUInt32LE(e.externalAttributes ?? (e.name.endsWith('/') ? 0x41ed0010 : 0x81a40000), 38);
    c.writeUInt32LE(z64 ? 0xffffffff : (e.declaredOffset ?? offset), 42);
    central.push(c, name, centralExtra, entryComment);

    offset +=
      local.length + localName.length + localExtra.length + stored.length + descriptor.length;
  }

  if (options.beforeCentral) {
    parts.push(Buffer.from(options.beforeCentral));
    offset += options.beforeCentral.length;
  }
  const cd = Buffer.concat(central);
  const cdOffset = offset;
  const afterCentral = Buffer.from(options.afterCentral ?? new Uint8Array());
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
    loc.writeBigUInt64LE(BigInt(cdOffset + cd.length + afterCentral.length), 8);
    loc.writeUInt32LE(1, 16);
    tail.push(rec, loc);
  }
  const comment = options.commentBytes
    ? Buffer.from(options.commentBytes)
    : Buffer.from(options.comment ?? '', 'utf8');
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(anyZip64 ? 0xffff : entries.length, 8);
  eocd.writeUInt16LE(anyZip64 ? 0xffff : entries.length, 10);
  eocd.writeUInt32LE(anyZip64 ? 0xffffffff : cd.length, 12);
  eocd.writeUInt32LE(anyZip64 ? 0xffffffff : cdOffset, 16);
  eocd.writeUInt16LE(options.commentLength ?? comment.length, 20);
  const trailing = Buffer.from(options.trailing ?? new Uint8Array());
  return Buffer.concat([...parts, cd, afterCentral, ...tail, eocd, comment, trailing]);
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
