import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable, pipeline } from 'node:stream';
import { crc32, createInflateRaw } from 'node:zlib';
import type { ImportWarning } from '../../../contract/warnings';
import { readLineBatches, type SourceLine } from '../text/line-reader';
import { fileKind } from '../file-kind';
import { dosStampText } from './dos-time';

// A read-only ZIP reader for evidence containers (bugreports, AndroidQF output). It trusts
// nothing in the archive: every offset is checked against the file, every size against the
// limits, and the bytes actually inflated are counted (headers can lie). Nothing is extracted
// to disk. Layout: PKWARE APPNOTE.TXT 6.3 (sections 4.3.7 local header, 4.3.12 central
// directory, 4.3.14-4.3.16 ZIP64 and end of central directory records, 4.5.3 ZIP64 extra).

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;

const EOCD_SIZE = 22;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_EOCD_MIN_SIZE = 56;
const CENTRAL_HEADER_SIZE = 46;
const LOCAL_HEADER_SIZE = 30;
const MAX_COMMENT = 0xffff;

const FLAG_ENCRYPTED = 0x0001;
const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_STRONG_ENCRYPTION = 0x0040;
const FLAG_UTF8 = 0x0800;

const SIG_DATA_DESCRIPTOR = 0x08074b50;
const DATA_DESCRIPTOR_SIZE = 16;

const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;

const READ_CHUNK = 64 * 1024;

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** Bounds applied while listing and reading an archive. */
export interface ZipLimits {
  /** Most entries the central directory may list; more and the archive is refused. */
  maxEntries: number;
  /** Largest central directory read into memory (bytes). */
  maxCentralDirectoryBytes: number;
  /** Largest uncompressed size of one entry (declared, and bytes actually inflated). */
  maxEntryBytes: number;
  /** Most bytes inflated over the life of one opened archive, all reads together. */
  maxTotalBytes: number;
  /** Largest declared uncompressed/compressed ratio for entries of `ratioFloorBytes` or more. */
  maxCompressionRatio: number;
  /** Entries smaller than this (uncompressed) are exempt from the ratio check. */
  ratioFloorBytes: number;
}

export const DEFAULT_ZIP_LIMITS: Readonly<ZipLimits> = Object.freeze({
  maxEntries: 100_000,
  maxCentralDirectoryBytes: 64 * MiB,
  maxEntryBytes: 1 * GiB,
  maxTotalBytes: 4 * GiB,
  // Text rarely compresses beyond 20:1 and deflate cannot exceed about 1032:1; a declared
  // 500:1 on a large entry is a run of zeros at best and a ZIP bomb at worst.
  maxCompressionRatio: 500,
  ratioFloorBytes: 1 * MiB,
});

/** Default cap for `readEntry`/`readEntryText`, which hold the whole content in memory. */
export const DEFAULT_WHOLE_READ_BYTES = 64 * MiB;

export type ZipErrorCode =
  | 'NOT_ZIP'
  | 'TRUNCATED'
  | 'CORRUPT'
  | 'LIMIT'
  | 'ENCRYPTED'
  | 'UNSUPPORTED'
  | 'CRC_MISMATCH'
  | 'SIZE_MISMATCH'
  | 'CLOSED';

/** A refusal or a defect of the archive, in plain words. */
export class ZipError extends Error {
  override readonly name = 'ZipError';
  constructor(
    readonly code: ZipErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** One central-directory entry. Sizes and offsets are as declared and were range-checked. */
export interface ZipEntry {
  /** Position in the central directory (0-based). */
  index: number;
  /** The stored name, decoded (UTF-8 when flagged, else code page 437). Never a file path. */
  name: string;
  /**
   * The name as a safe relative path (`a/b.txt`, directories keep no trailing slash), or null
   * when the name is unsafe (see `unsafeReason`); only this is compared with expected names.
   */
  path: string | null;
  /** Why the name is unsafe (traversal, absolute, drive letter, backslash, control bytes). */
  unsafeReason: string | null;
  isDirectory: boolean;
  /** Compression method number (0 stored, 8 deflate; others are refused). */
  method: number;
  /** General-purpose bit flags. */
  flags: number;
  encrypted: boolean;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  /** True when any of the entry's fields came from a ZIP64 extra field. */
  zip64: boolean;
  /** DOS modification time as printed by the writer's clock (no zone): `YYYY-MM-DD HH:MM:SS`. */
  modified: string | null;
  /** Why this entry's content will not be read, or null when it can be. */
  refusal: ZipRefusal | null;
}

/** Why an entry's content is refused: a code and a sentence. */
export interface ZipRefusal {
  code: ZipErrorCode;
  message: string;
}

/** How an archive is opened. */
export interface OpenZipOptions {
  /**
   * Also report, as `problems`, every layout that two ZIP readers could read differently: bytes
   * that belong to no entry, an archive comment, local headers that disagree with the central
   * directory, extra fields, data descriptors that do not match, names that collide once case or
   * Unicode form is ignored, folders, links, encrypted or unreadable entries, ZIP64 records. For
   * signed evidence bundles, which must mean one thing to every reader; importers stay tolerant.
   * Reads then also refuse deflate data that goes on past the end of its stream.
   */
  strict?: boolean;
}

/** Options of a whole-entry read. */
export interface ReadEntryOptions {
  /** Refuse entries larger than this (uncompressed bytes); default 64 MiB. */
  maxBytes?: number;
}

/** Options of a line-by-line read. */
export interface ReadEntryLinesOptions {
  /** Lines longer than this are skipped with a warning (default 1 MiB). */
  maxLineBytes?: number;
  /** Receives BOM, CRLF, NUL and over-long line warnings. */
  warn?: (w: ImportWarning) => void;
}

// O_NONBLOCK makes opening a FIFO return at once instead of waiting for a writer; the file type
// is then checked on the opened handle, so a path swapped between a check and the open cannot
// make a read hang. Windows has no FIFOs to open and no such flag.
export { fileKind };

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/**
 * Opens a ZIP archive read-only and lists its central directory.
 * Throws `ZipError` when the path is not a regular file (never waiting on a FIFO), when the file
 * is not a ZIP, is truncated, spans several disks, or breaks a limit. Entries that cannot be read
 * (encrypted, unsupported method, too large, overlapping) are listed with a `refusal` instead of
 * failing the whole archive. Close it when done.
 */
export async function openZip(
  path: string,
  limits?: Partial<ZipLimits>,
  options: OpenZipOptions = {},
): Promise<ZipArchive> {
  const lim: ZipLimits = { ...DEFAULT_ZIP_LIMITS, ...limits };
  const strict = options.strict === true;
  const handle = await open(path, OPEN_FLAGS);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      throw new ZipError('NOT_ZIP', `${path} is ${fileKind(stats)}, not a ZIP file.`);
    }
    const { size } = stats;
    const layout = await readLayout(handle, size, lim);
    const { entries, records, findings } = await readCentralDirectory(handle, size, layout, lim);
    // One push each: a crafted archive can hold more findings than a call takes as arguments.
    if (strict)
      for (const f of await strictFindings(handle, size, layout, entries, records))
        findings.push(f);
    return new ZipArchive(handle, path, size, entries, layout, findings, lim, strict);
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/** Opens an archive, runs `fn` on it and closes it, even when `fn` throws. */
export async function withZip<T>(
  path: string,
  fn: (zip: ZipArchive) => Promise<T>,
  limits?: Partial<ZipLimits>,
  options?: OpenZipOptions,
): Promise<T> {
  const zip = await openZip(path, limits, options);
  try {
    return await fn(zip);
  } finally {
    await zip.close();
  }
}

/** An opened archive: its listing and bounded, CRC-checked reads of entry contents. */
export class ZipArchive {
  private closed = false;
  private inflated = 0;
  /** Archive-level findings that did not stop listing (duplicates, comment, prefix bytes…). */
  readonly problems: readonly string[];
  /** Names of the entries that any of `problems` concerns (duplicates, unsafe names…). */
  readonly flaggedNames: ReadonlySet<string>;

  /** @internal Use `openZip`. */
  constructor(
    private readonly handle: FileHandle,
    readonly path: string,
    /** Size of the archive file in bytes. */
    readonly size: number,
    readonly entries: readonly ZipEntry[],
    private readonly layout: Layout,
    findings: readonly Finding[],
    readonly limits: Readonly<ZipLimits>,
    /** Opened with `strict` (see `OpenZipOptions`). */
    readonly strict = false,
  ) {
    this.problems = findings.map((f) => f.message);
    this.flaggedNames = new Set(findings.flatMap((f) => f.names));
  }

  /** True when the archive used ZIP64 end records. */
  get zip64(): boolean {
    return this.layout.zip64;
  }

  /** The archive comment (code page 437 / UTF-8 as decoded). */
  get comment(): string {
    return this.layout.comment;
  }

  /** Bytes inflated so far by all reads of this archive. */
  get bytesInflated(): number {
    return this.inflated;
  }

  /** The first entry whose safe path equals `path` (no leading slash), if any. */
  findEntry(path: string): ZipEntry | undefined {
    return this.entries.find((e) => e.path === path);
  }

  /**
   * Streams an entry's uncompressed bytes. Throws `ZipError` on refusal, on inflating past the
   * declared size or a limit, on truncation, and (after the last chunk) on a size or CRC-32
   * mismatch: read to the end to have the content verified.
   */
  async *openEntryStream(entry: ZipEntry): AsyncGenerator<Buffer> {
    this.assertOpen();
    if (this.entries[entry.index] !== entry) {
      throw new ZipError('CORRUPT', `The entry "${entry.name}" does not belong to this archive.`);
    }
    if (entry.refusal !== null) throw refusalError(entry, entry.refusal);
    const dataStart = await this.locateData(entry);
    let produced = 0;
    let crc = 0;
    const count = (chunk: Buffer): void => {
      produced += chunk.length;
      this.inflated += chunk.length;
      if (produced > entry.uncompressedSize) {
        throw new ZipError(
          'SIZE_MISMATCH',
          `The entry "${entry.name}" inflates beyond its declared size of ${entry.uncompressedSize} bytes; reading stopped (the header does not match the data).`,
        );
      }
      if (produced > this.limits.maxEntryBytes) {
        throw new ZipError(
          'LIMIT',
          `The entry "${entry.name}" exceeds the per-entry limit of ${this.limits.maxEntryBytes} bytes.`,
        );
      }
      if (this.inflated > this.limits.maxTotalBytes) {
        throw new ZipError(
          'LIMIT',
          `Reading "${entry.name}" exceeds the limit of ${this.limits.maxTotalBytes} bytes inflated from this archive.`,
        );
      }
      crc = crc32(chunk, crc);
    };

    const raw = this.readRange(dataStart, entry.compressedSize, entry.name);
    let unused = 0;
    if (entry.method === METHOD_STORED) {
      for await (const chunk of raw) {
        count(chunk);
        yield chunk;
      }
    } else {
      const inflater = createInflateRaw();
      // Errors of the source (truncation) reach the inflater and so the loop below.
      pipeline(Readable.from(raw), inflater, () => {});
      try {
        for await (const chunk of inflater as AsyncIterable<Buffer>) {
          count(chunk);
          yield chunk;
        }
        // `bytesWritten` counts the compressed bytes zlib consumed before the stream's end.
        unused = entry.compressedSize - inflater.bytesWritten;
      } catch (err) {
        if (err instanceof ZipError) throw err;
        const message = err instanceof Error ? err.message : String(err);
        const truncated = /unexpected end/i.test(message);
        throw new ZipError(
          truncated ? 'TRUNCATED' : 'CORRUPT',
          truncated
            ? `The compressed data of "${entry.name}" ends early (truncated entry).`
            : `The compressed data of "${entry.name}" is invalid: ${message}.`,
        );
      } finally {
        inflater.destroy();
      }
    }
    if (produced !== entry.uncompressedSize) {
      throw new ZipError(
        'SIZE_MISMATCH',
        `The entry "${entry.name}" holds ${produced} bytes but its header declares ${entry.uncompressedSize}.`,
      );
    }
    if (crc >>> 0 !== entry.crc32) {
      throw new ZipError(
        'CRC_MISMATCH',
        `The entry "${entry.name}" fails its CRC-32 check (expected ${hex8(entry.crc32)}, got ${hex8(crc >>> 0)}).`,
      );
    }
    // zlib stops at the end of the deflate stream and ignores what follows. Bytes hidden there
    // are extracted by no one, but a streaming reader could take them for a data descriptor or
    // the next entry. Checked last, so damaged data is reported as damaged.
    if (this.strict && unused > 0) {
      throw new ZipError(
        'CORRUPT',
        `The compressed data of "${entry.name}" goes on for ${unused} bytes past the end of its deflate stream (hidden data).`,
      );
    }
  }

  /** Reads a whole entry into memory (bounded by `maxBytes`, default 64 MiB), CRC-checked. */
  async readEntry(entry: ZipEntry, options: ReadEntryOptions = {}): Promise<Buffer> {
    const max = options.maxBytes ?? DEFAULT_WHOLE_READ_BYTES;
    if (entry.uncompressedSize > max) {
      throw new ZipError(
        'LIMIT',
        `The entry "${entry.name}" is ${entry.uncompressedSize} bytes, more than the ${max} bytes allowed for reading it whole.`,
      );
    }
    const parts: Buffer[] = [];
    for await (const chunk of this.openEntryStream(entry)) parts.push(chunk);
    return Buffer.concat(parts);
  }

  /** Reads a whole entry as UTF-8 text (invalid bytes become U+FFFD; a BOM is dropped). */
  async readEntryText(entry: ZipEntry, options: ReadEntryOptions = {}): Promise<string> {
    return new TextDecoder('utf-8').decode(await this.readEntry(entry, options));
  }

  /**
   * Reads an entry line by line without holding it whole: an async iterable of numbered lines
   * (CR of CRLF stripped). The CRC-32 check runs when the last line has been read.
   */
  async *readEntryLines(
    entry: ZipEntry,
    options: ReadEntryLinesOptions = {},
  ): AsyncGenerator<SourceLine> {
    const warn = options.warn ?? (() => {});
    for await (const batch of readLineBatches(this.openEntryStream(entry), {
      warn,
      maxLineBytes: options.maxLineBytes,
    })) {
      yield* batch;
    }
  }

  /** SHA-256 (hex) of an entry's uncompressed content, streamed and CRC-checked. */
  async hashEntry(entry: ZipEntry): Promise<string> {
    const hash = createHash('sha256');
    for await (const chunk of this.openEntryStream(entry)) hash.update(chunk);
    return hash.digest('hex');
  }

  /** Closes the file handle; later reads throw. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new ZipError('CLOSED', `The archive ${this.path} is closed.`);
  }

  private async locateData(entry: ZipEntry): Promise<number> {
    const header = await readExact(this.handle, entry.localHeaderOffset, LOCAL_HEADER_SIZE);
    if (header === null) {
      throw new ZipError('TRUNCATED', `The local header of "${entry.name}" lies past the end.`);
    }
    if (header.readUInt32LE(0) !== SIG_LOCAL) {
      throw new ZipError(
        'CORRUPT',
        `The local header of "${entry.name}" at offset ${entry.localHeaderOffset} has no valid signature.`,
      );
    }
    const nameLen = header.readUInt16LE(26);
    const extraLen = header.readUInt16LE(28);
    const localName = await readExact(
      this.handle,
      entry.localHeaderOffset + LOCAL_HEADER_SIZE,
      nameLen,
    );
    if (localName === null) {
      throw new ZipError('TRUNCATED', `The local header of "${entry.name}" is cut short.`);
    }
    const localFlags = header.readUInt16LE(6);
    const decoded = decodeName(localName, (localFlags & FLAG_UTF8) !== 0).text;
    // A local name that differs from the central one is the classic way to show one file to
    // a lister and another to an extractor; refuse rather than guess.
    if (decoded !== entry.name) {
      throw new ZipError(
        'CORRUPT',
        `The local header of "${entry.name}" names a different file ("${decoded}").`,
      );
    }
    if (header.readUInt16LE(8) !== entry.method) {
      throw new ZipError(
        'CORRUPT',
        `The local header of "${entry.name}" gives another compression method than the central directory.`,
      );
    }
    const dataStart = entry.localHeaderOffset + LOCAL_HEADER_SIZE + nameLen + extraLen;
    if (dataStart + entry.compressedSize > this.layout.centralDirectoryOffset) {
      throw new ZipError(
        'TRUNCATED',
        `The data of "${entry.name}" runs past the start of the central directory (truncated or overlapping).`,
      );
    }
    return dataStart;
  }

  private async *readRange(start: number, length: number, name: string): AsyncGenerator<Buffer> {
    let pos = start;
    let left = length;
    while (left > 0) {
      this.assertOpen();
      const n = Math.min(READ_CHUNK, left);
      const buf = Buffer.allocUnsafe(n);
      const { bytesRead } = await this.handle.read(buf, 0, n, pos);
      if (bytesRead === 0) {
        throw new ZipError('TRUNCATED', `The data of "${name}" ends early (truncated file).`);
      }
      pos += bytesRead;
      left -= bytesRead;
      yield buf.subarray(0, bytesRead);
    }
  }
}

/** A problem of the archive in words, and the entries it concerns (none for the archive). */
interface Finding {
  message: string;
  names: string[];
}

/** A finding about the archive as a whole. */
function archiveFinding(message: string): Finding {
  return { message, names: [] };
}

interface Layout {
  zip64: boolean;
  entryCount: number;
  centralDirectoryOffset: number;
  centralDirectorySize: number;
  eocdOffset: number;
  comment: string;
  /** The comment length the end record declares. */
  commentLength: number;
  findings: Finding[];
}

/** Central-directory fields kept for the overlap and strict checks. */
interface CentralRecord {
  nameBytes: Buffer;
  versionMadeBy: number;
  versionNeeded: number;
  dosTime: number;
  dosDate: number;
  extraLength: number;
  commentLength: number;
  internalAttributes: number;
  externalAttributes: number;
}

async function readLayout(handle: FileHandle, size: number, lim: ZipLimits): Promise<Layout> {
  if (size < EOCD_SIZE) {
    throw new ZipError(
      'NOT_ZIP',
      `The file is ${size} bytes, too short for a ZIP archive (no end of central directory).`,
    );
  }
  const tailLen = Math.min(size, EOCD_SIZE + MAX_COMMENT);
  const tailStart = size - tailLen;
  const tail = await mustRead(handle, tailStart, tailLen);
  // Scan backwards; prefer a record whose comment length reaches exactly the end of the file,
  // so a signature inside the comment is not taken for the record.
  let found = -1;
  let fallback = -1;
  for (let i = tailLen - EOCD_SIZE; i >= 0; i--) {
    if (tail.readUInt32LE(i) !== SIG_EOCD) continue;
    const commentLen = tail.readUInt16LE(i + 20);
    if (i + EOCD_SIZE + commentLen === tailLen) {
      found = i;
      break;
    }
    if (fallback < 0) fallback = i;
  }
  const findings: Finding[] = [];
  if (found < 0 && fallback >= 0) {
    found = fallback;
    const after = tailLen - (found + EOCD_SIZE + tail.readUInt16LE(found + 20));
    findings.push(
      archiveFinding(
        after > 0
          ? `${after} bytes follow the end of central directory record and its comment: data was appended to the archive.`
          : `The archive comment is cut short: the file ends ${-after} bytes before the length its end record declares.`,
      ),
    );
  }
  if (found < 0) {
    const head = (await readExact(handle, 0, 4)) ?? Buffer.alloc(0);
    const looksZip = head.length === 4 && head.readUInt32LE(0) === SIG_LOCAL;
    throw new ZipError(
      looksZip ? 'TRUNCATED' : 'NOT_ZIP',
      looksZip
        ? 'The ZIP archive has no end of central directory record: the file is truncated.'
        : 'The file is not a ZIP archive (no end of central directory record).',
    );
  }
  const eocd = tail.subarray(found, found + EOCD_SIZE);
  const eocdOffset = tailStart + found;
  const commentLen = eocd.readUInt16LE(20);
  const commentBytes = tail.subarray(
    found + EOCD_SIZE,
    Math.min(tailLen, found + EOCD_SIZE + commentLen),
  );
  const comment = decodeName(commentBytes, false).text;
  const disk = eocd.readUInt16LE(4);
  const cdDisk = eocd.readUInt16LE(6);
  let entriesOnDisk: number = eocd.readUInt16LE(8);
  let entryCount: number = eocd.readUInt16LE(10);
  let cdSize: number = eocd.readUInt32LE(12);
  let cdOffset: number = eocd.readUInt32LE(16);
  let zip64 = false;
  let cdLimit = eocdOffset;

  const locatorOffset = eocdOffset - ZIP64_LOCATOR_SIZE;
  const locator = locatorOffset >= 0 ? await readExact(handle, locatorOffset, 20) : null;
  if (locator !== null && locator.readUInt32LE(0) === SIG_ZIP64_LOCATOR) {
    zip64 = true;
    const recordOffset = readU64(locator, 8, 'ZIP64 end of central directory offset');
    if (locator.readUInt32LE(16) > 1 || locator.readUInt32LE(4) !== 0) {
      throw new ZipError('UNSUPPORTED', 'Split or spanned ZIP archives are not supported.');
    }
    if (recordOffset + ZIP64_EOCD_MIN_SIZE > locatorOffset) {
      throw new ZipError(
        'CORRUPT',
        'The ZIP64 end of central directory record lies outside the archive.',
      );
    }
    const rec = await mustRead(handle, recordOffset, ZIP64_EOCD_MIN_SIZE);
    if (rec.readUInt32LE(0) !== SIG_ZIP64_EOCD) {
      throw new ZipError(
        'CORRUPT',
        'The ZIP64 end of central directory record has no valid signature.',
      );
    }
    if (rec.readUInt32LE(16) !== 0 || rec.readUInt32LE(20) !== 0) {
      throw new ZipError('UNSUPPORTED', 'Split or spanned ZIP archives are not supported.');
    }
    entriesOnDisk = readU64(rec, 24, 'entry count');
    entryCount = readU64(rec, 32, 'entry count');
    cdSize = readU64(rec, 40, 'central directory size');
    cdOffset = readU64(rec, 48, 'central directory offset');
    cdLimit = recordOffset;
  } else {
    if (disk !== 0 || cdDisk !== 0) {
      throw new ZipError('UNSUPPORTED', 'Split or spanned ZIP archives are not supported.');
    }
    if (entryCount === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      throw new ZipError(
        'CORRUPT',
        'The archive needs ZIP64 records (its counts are saturated) but has none: truncated or damaged.',
      );
    }
  }
  if (entriesOnDisk !== entryCount) {
    throw new ZipError('UNSUPPORTED', 'Split or spanned ZIP archives are not supported.');
  }
  if (entryCount > lim.maxEntries) {
    throw new ZipError(
      'LIMIT',
      `The archive lists ${entryCount} entries, more than the limit of ${lim.maxEntries}.`,
    );
  }
  if (cdSize > lim.maxCentralDirectoryBytes) {
    throw new ZipError(
      'LIMIT',
      `The central directory is ${cdSize} bytes, more than the limit of ${lim.maxCentralDirectoryBytes}.`,
    );
  }
  if (cdOffset + cdSize > cdLimit) {
    throw new ZipError(
      'TRUNCATED',
      `The central directory (offset ${cdOffset}, ${cdSize} bytes) lies past the end of the archive data: the file is truncated or damaged.`,
    );
  }
  return {
    zip64,
    entryCount,
    centralDirectoryOffset: cdOffset,
    centralDirectorySize: cdSize,
    eocdOffset,
    comment,
    commentLength: commentLen,
    findings,
  };
}

async function readCentralDirectory(
  handle: FileHandle,
  size: number,
  layout: Layout,
  lim: ZipLimits,
): Promise<{ entries: ZipEntry[]; records: CentralRecord[]; findings: Finding[] }> {
  const cd = await mustRead(handle, layout.centralDirectoryOffset, layout.centralDirectorySize);
  const entries: ZipEntry[] = [];
  const records: CentralRecord[] = [];
  const findings: Finding[] = [...layout.findings];
  let p = 0;
  for (let index = 0; index < layout.entryCount; index++) {
    if (p + CENTRAL_HEADER_SIZE > cd.length || cd.readUInt32LE(p) !== SIG_CENTRAL) {
      throw new ZipError(
        'CORRUPT',
        `The central directory ends after ${index} of ${layout.entryCount} entries (damaged or truncated).`,
      );
    }
    const flags = cd.readUInt16LE(p + 8);
    const method = cd.readUInt16LE(p + 10);
    const dosTime = cd.readUInt16LE(p + 12);
    const dosDate = cd.readUInt16LE(p + 14);
    const crc = cd.readUInt32LE(p + 16);
    let compressedSize: number = cd.readUInt32LE(p + 20);
    let uncompressedSize: number = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    let diskStart: number = cd.readUInt16LE(p + 34);
    let localHeaderOffset: number = cd.readUInt32LE(p + 42);
    const end = p + CENTRAL_HEADER_SIZE + nameLen + extraLen + commentLen;
    if (end > cd.length) {
      throw new ZipError('CORRUPT', `Central directory entry ${index} runs past its end.`);
    }
    const nameBytes = cd.subarray(p + CENTRAL_HEADER_SIZE, p + CENTRAL_HEADER_SIZE + nameLen);
    const extra = cd.subarray(
      p + CENTRAL_HEADER_SIZE + nameLen,
      p + CENTRAL_HEADER_SIZE + nameLen + extraLen,
    );
    const decoded = decodeName(nameBytes, (flags & FLAG_UTF8) !== 0);
    const name = decoded.text;

    let zip64 = false;
    const needs64 =
      uncompressedSize === 0xffffffff ||
      compressedSize === 0xffffffff ||
      localHeaderOffset === 0xffffffff ||
      diskStart === 0xffff;
    if (needs64) {
      const z = findExtra(extra, 0x0001);
      if (z === null) {
        throw new ZipError(
          'CORRUPT',
          `The entry "${name}" has saturated sizes but no ZIP64 extra field.`,
        );
      }
      let q = 0;
      const take = (what: string): number => {
        if (q + 8 > z.length) {
          throw new ZipError('CORRUPT', `The ZIP64 extra field of "${name}" is too short.`);
        }
        const v = readU64(z, q, what);
        q += 8;
        return v;
      };
      if (uncompressedSize === 0xffffffff) uncompressedSize = take('uncompressed size');
      if (compressedSize === 0xffffffff) compressedSize = take('compressed size');
      if (localHeaderOffset === 0xffffffff) localHeaderOffset = take('local header offset');
      if (diskStart === 0xffff) {
        if (q + 4 > z.length) {
          throw new ZipError('CORRUPT', `The ZIP64 extra field of "${name}" is too short.`);
        }
        diskStart = z.readUInt32LE(q);
      }
      zip64 = true;
    }

    const unsafeReason = decoded.invalid ? 'the name is not valid UTF-8' : unsafeNameReason(name);
    const isDirectory = name.endsWith('/');
    const path = unsafeReason === null ? name.replace(/\/$/, '') : null;
    const encrypted = (flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== 0 || method === 99; // 99: WinZip AES

    let refusal: ZipRefusal | null = null;
    const refuse = (code: ZipErrorCode, message: string) => (refusal ??= { code, message });
    if (encrypted) {
      refuse('ENCRYPTED', 'the entry is encrypted; encrypted ZIP entries are not read');
    }
    if (diskStart !== 0) {
      refuse('UNSUPPORTED', 'the entry starts on another disk of a split archive');
    }
    if (method !== METHOD_STORED && method !== METHOD_DEFLATE) {
      refuse(
        'UNSUPPORTED',
        `compression method ${method} (${methodName(method)}) is not supported (only stored and deflate)`,
      );
    }
    if (method === METHOD_STORED && compressedSize !== uncompressedSize) {
      refuse(
        'CORRUPT',
        `the entry is stored but declares ${compressedSize} stored and ${uncompressedSize} uncompressed bytes`,
      );
    }
    if (uncompressedSize > lim.maxEntryBytes) {
      refuse(
        'LIMIT',
        `the entry declares ${uncompressedSize} bytes, more than the per-entry limit of ${lim.maxEntryBytes}`,
      );
    }
    const ratio = uncompressedSize / Math.max(1, compressedSize);
    if (uncompressedSize >= lim.ratioFloorBytes && ratio > lim.maxCompressionRatio) {
      refuse(
        'LIMIT',
        `the entry declares a compression ratio of ${Math.round(ratio)}:1, above the limit of ${lim.maxCompressionRatio}:1 (possible ZIP bomb)`,
      );
    }
    if (localHeaderOffset + LOCAL_HEADER_SIZE + nameLen + compressedSize > size) {
      refuse('TRUNCATED', 'the entry data lies past the end of the file (truncated archive)');
    }

    entries.push({
      index,
      name,
      path,
      unsafeReason,
      isDirectory,
      method,
      flags,
      encrypted,
      crc32: crc,
      compressedSize,
      uncompressedSize,
      localHeaderOffset,
      zip64,
      modified: dosStampText(dosDate, dosTime),
      refusal,
    });
    records.push({
      nameBytes,
      versionMadeBy: cd.readUInt16LE(p + 4),
      versionNeeded: cd.readUInt16LE(p + 6),
      dosTime,
      dosDate,
      extraLength: extraLen,
      commentLength: commentLen,
      internalAttributes: cd.readUInt16LE(p + 36),
      externalAttributes: cd.readUInt32LE(p + 38),
    });
    p = end;
  }
  if (p !== cd.length) {
    findings.push(
      archiveFinding(
        `The central directory holds ${cd.length - p} bytes after its ${layout.entryCount} declared entries.`,
      ),
    );
  }
  markOverlaps(entries, records, layout.centralDirectoryOffset);
  const seen = new Map<string, number>();
  for (const e of entries) seen.set(e.name, (seen.get(e.name) ?? 0) + 1);
  for (const [name, n] of seen) {
    if (n > 1)
      findings.push({
        message: `The name "${name}" appears ${n} times in the archive.`,
        names: [name],
      });
  }
  for (const e of entries) {
    if (e.unsafeReason !== null) {
      findings.push({
        message: `The entry "${e.name}" has an unsafe name: ${e.unsafeReason}.`,
        names: [e.name],
      });
    }
  }
  const first = entries.reduce((m, e) => Math.min(m, e.localHeaderOffset), Infinity);
  if (entries.length > 0 && first > 0) {
    findings.push(archiveFinding(`The archive starts with ${first} bytes before its first entry.`));
  }
  return { entries, records, findings };
}

// Entries whose data ranges overlap (several central records pointing at the same bytes) are
// the "overlapping files" ZIP bomb; each such entry is refused.
function markOverlaps(entries: ZipEntry[], records: CentralRecord[], cdOffset: number): void {
  const sorted = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i]!;
    const next = sorted[i + 1];
    const minEnd =
      e.localHeaderOffset +
      LOCAL_HEADER_SIZE +
      records[e.index]!.nameBytes.length +
      e.compressedSize;
    const limit = next ? next.localHeaderOffset : cdOffset;
    if (minEnd <= limit) continue;
    e.refusal ??= {
      code: 'CORRUPT',
      message: next
        ? `its data overlaps the entry "${next.name}"`
        : 'its data runs into the central directory',
    };
    if (next && next.localHeaderOffset === e.localHeaderOffset) {
      next.refusal ??= { code: 'CORRUPT', message: `its data overlaps the entry "${e.name}"` };
    }
  }
}

// Unix file types in the high half of the external attributes (st_mode), and MS-DOS attributes
// in the low byte (APPNOTE 4.4.15; Info-ZIP's unzip reads the Unix half for most hosts).
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const S_ISPECIAL = 0o7000;
const DOS_VOLUME_LABEL = 0x08;
const DOS_DIRECTORY = 0x10;

// The strict layout (see `OpenZipOptions.strict`): the entries tile the file from offset 0, each
// local header repeats its central record, the central directory runs up to the end record, and
// the end record, with no comment, closes the file. Every other layout is a place where this
// reader, unzip, Python's zipfile or a streaming reader could see different files.
async function strictFindings(
  handle: FileHandle,
  size: number,
  layout: Layout,
  entries: readonly ZipEntry[],
  records: readonly CentralRecord[],
): Promise<Finding[]> {
  const out: Finding[] = [];
  const about = (names: string[], message: string): void => {
    out.push({ message, names });
  };
  if (layout.zip64) {
    about([], 'The archive uses ZIP64 end records; a Snoopscope bundle never does.');
  }
  if (layout.commentLength > 0) {
    about(
      [],
      `The archive carries a comment of ${layout.commentLength} bytes; a bundle's comment is empty, since a comment can hide a second central directory that other ZIP tools read instead.`,
    );
  }
  for (const e of entries) {
    const r = records[e.index]!;
    const n = [e.name];
    if (e.isDirectory) {
      about(n, `The archive holds a folder entry "${e.name}"; a bundle holds files only.`);
    }
    if (e.refusal !== null) about(n, `The entry "${e.name}" cannot be read: ${e.refusal.message}.`);
    if ((e.flags & FLAG_UTF8) === 0 && r.nameBytes.some((b) => b >= 0x80)) {
      about(
        n,
        `The name of "${e.name}" holds non-ASCII bytes without the UTF-8 flag, which ZIP tools decode differently.`,
      );
    }
    if (r.extraLength > 0) {
      about(
        n,
        `The entry "${e.name}" carries ${r.extraLength} bytes of extra fields in the central directory; a bundle's entries carry none (an extra field can give some ZIP tools another name or size).`,
      );
    }
    if (r.commentLength > 0) {
      about(n, `The entry "${e.name}" carries a comment; a bundle's entries carry none.`);
    }
    const kind = attributeKind(r.externalAttributes);
    if (kind !== null) {
      about(n, `The entry "${e.name}" is marked as ${kind}; a bundle holds plain files only.`);
    }
    // Bit 0 marks text, which some tools take as leave to rewrite line ends on extraction.
    if (r.internalAttributes !== 0) {
      about(
        n,
        `The entry "${e.name}" has internal attributes ${hex4(r.internalAttributes)}; a bundle's entries have none (a text mark lets some ZIP tools rewrite line ends).`,
      );
    }
    if ((e.flags & FLAG_DATA_DESCRIPTOR) !== 0 && e.method === METHOD_STORED) {
      about(
        n,
        `The entry "${e.name}" is stored with a data descriptor, whose position a streaming ZIP reader cannot find.`,
      );
    }
  }
  for (const f of nameClashes(entries)) out.push(f);

  const order = [...entries].sort(
    (a, b) => a.localHeaderOffset - b.localHeaderOffset || a.index - b.index,
  );
  let pos = 0;
  let prev: ZipEntry | null = null;
  for (const e of order) {
    // A gap before the first entry is reported by every reader already.
    if (prev !== null && e.localHeaderOffset > pos) {
      about(
        [prev.name, e.name],
        `${e.localHeaderOffset - pos} bytes between the entries "${prev.name}" and "${e.name}" belong to no entry (hidden data).`,
      );
    } else if (prev !== null && e.localHeaderOffset < pos) {
      about(
        [prev.name, e.name],
        `The entry "${e.name}" starts inside the entry "${prev.name}" (overlapping entries).`,
      );
    }
    const end = await checkLocalHeader(handle, size, e, records[e.index]!, about);
    // Where an entry ends is unknown without its local header or descriptor: stop tiling.
    if (end === null) return out;
    pos = end;
    prev = e;
  }
  const cdStart = layout.centralDirectoryOffset;
  if (pos < cdStart) {
    about(
      prev ? [prev.name] : [],
      prev
        ? `${cdStart - pos} bytes between the last entry "${prev.name}" and the central directory belong to no entry (hidden data).`
        : `${cdStart} bytes before the central directory belong to no entry (hidden data).`,
    );
  } else if (pos > cdStart && prev !== null) {
    about([prev.name], `The entry "${prev.name}" runs into the central directory.`);
  }
  const cdEnd = cdStart + layout.centralDirectorySize;
  if (!layout.zip64 && cdEnd < layout.eocdOffset) {
    about(
      [],
      `${layout.eocdOffset - cdEnd} bytes between the central directory and its end record belong to no entry (hidden data).`,
    );
  }
  return out;
}

// Compares an entry's local header (and data descriptor) with its central record; returns where
// the entry ends, or null when that cannot be told.
async function checkLocalHeader(
  handle: FileHandle,
  size: number,
  e: ZipEntry,
  r: CentralRecord,
  about: (names: string[], message: string) => void,
): Promise<number | null> {
  const n = [e.name];
  const at = e.localHeaderOffset;
  const header =
    at + LOCAL_HEADER_SIZE <= size ? await readExact(handle, at, LOCAL_HEADER_SIZE) : null;
  if (header === null || header.readUInt32LE(0) !== SIG_LOCAL) {
    about(n, `The entry "${e.name}" has no local header at offset ${at}.`);
    return null;
  }
  const nameLen = header.readUInt16LE(26);
  const extraLen = header.readUInt16LE(28);
  const localName = await readExact(handle, at + LOCAL_HEADER_SIZE, nameLen);
  if (localName === null) {
    about(n, `The local header of "${e.name}" is cut short by the end of the file.`);
    return null;
  }
  const flags = header.readUInt16LE(6);
  const differs = (what: string, local: string | number, central: string | number): void =>
    about(
      n,
      `The local header of "${e.name}" gives ${what} ${local}, the central directory ${central}.`,
    );
  if (!localName.equals(r.nameBytes)) {
    const shown = decodeName(localName, (flags & FLAG_UTF8) !== 0).text;
    about(
      n,
      `The local header of "${e.name}" names another file ("${shown}") than the central directory.`,
    );
  }
  if (header.readUInt16LE(4) !== r.versionNeeded) {
    differs('version needed', header.readUInt16LE(4), r.versionNeeded);
  }
  if (flags !== e.flags) differs('flags', hex4(flags), hex4(e.flags));
  if (header.readUInt16LE(8) !== e.method) {
    differs('compression method', header.readUInt16LE(8), e.method);
  }
  if (header.readUInt16LE(10) !== r.dosTime || header.readUInt16LE(12) !== r.dosDate) {
    about(
      n,
      `The local header of "${e.name}" gives another modification time than the central directory.`,
    );
  }
  // With a data descriptor the local header may leave CRC-32 and sizes as zero (APPNOTE 4.4.4).
  const descriptor = (e.flags & FLAG_DATA_DESCRIPTOR) !== 0;
  const agrees = (local: number, central: number): boolean =>
    local === central || (descriptor && local === 0);
  if (!agrees(header.readUInt32LE(14), e.crc32)) {
    differs('CRC-32', hex8(header.readUInt32LE(14)), hex8(e.crc32));
  }
  if (!agrees(header.readUInt32LE(18), e.compressedSize)) {
    differs('compressed size', header.readUInt32LE(18), e.compressedSize);
  }
  if (!agrees(header.readUInt32LE(22), e.uncompressedSize)) {
    differs('uncompressed size', header.readUInt32LE(22), e.uncompressedSize);
  }
  if (extraLen > 0) {
    about(
      n,
      `The local header of "${e.name}" carries ${extraLen} bytes of extra fields; a bundle's entries carry none (an extra field can give some ZIP tools another name or size).`,
    );
  }
  let end = at + LOCAL_HEADER_SIZE + nameLen + extraLen + e.compressedSize;
  if (!descriptor) return end;
  const d =
    end + DATA_DESCRIPTOR_SIZE <= size ? await readExact(handle, end, DATA_DESCRIPTOR_SIZE) : null;
  if (d === null || d.readUInt32LE(0) !== SIG_DATA_DESCRIPTOR) {
    about(
      n,
      `The entry "${e.name}" announces a data descriptor, but none with its signature follows its data.`,
    );
    return null;
  }
  if (
    d.readUInt32LE(4) !== e.crc32 ||
    d.readUInt32LE(8) !== e.compressedSize ||
    d.readUInt32LE(12) !== e.uncompressedSize
  ) {
    about(
      n,
      `The data descriptor of "${e.name}" gives another CRC-32 or size than the central directory.`,
    );
  }
  end += DATA_DESCRIPTOR_SIZE;
  return end;
}

// What the external attributes mark an entry as, when it is not a plain file. The Unix half is
// read whatever the host, as unzip does for most hosts when it is set.
function attributeKind(attributes: number): string | null {
  const mode = attributes >>> 16;
  const type = mode & S_IFMT;
  if (type === S_IFLNK) return 'a symbolic link';
  if (type === S_IFDIR || (attributes & DOS_DIRECTORY) !== 0) return 'a folder';
  if (type !== 0 && type !== S_IFREG) return `a special file (mode ${mode.toString(8)})`;
  if ((mode & S_ISPECIAL) !== 0)
    return `a file with set-id or sticky bits (mode ${mode.toString(8)})`;
  if ((attributes & DOS_VOLUME_LABEL) !== 0) return 'a volume label';
  return null;
}

// Names that one file system would take for one file: equal once letter case and Unicode
// normalisation are ignored (Windows, macOS), or a file that another name needs as a folder.
function nameClashes(entries: readonly ZipEntry[]): Finding[] {
  const out: Finding[] = [];
  const firstByKey = new Map<string, string>();
  const pairs = new Set<string>();
  for (const e of entries) {
    const key = foldName(e.name);
    const first = firstByKey.get(key);
    if (first === undefined) firstByKey.set(key, e.name);
    else if (first !== e.name && !pairs.has(`${first}\u0000${e.name}`)) {
      pairs.add(`${first}\u0000${e.name}`);
      out.push({
        names: [first, e.name],
        message: `The names "${first}" and "${e.name}" differ only in letter case or Unicode form: on many systems they are one file.`,
      });
    }
  }
  const files = new Map(
    entries.filter((e) => !e.isDirectory).map((e) => [foldName(e.name), e.name] as const),
  );
  for (const e of entries) {
    const parts = e.name.replace(/\/$/, '').split('/');
    for (let i = 1; i < parts.length; i++) {
      const file = files.get(foldName(parts.slice(0, i).join('/')));
      if (file === undefined) continue;
      out.push({
        names: [file, e.name],
        message: `The entry "${file}" is a file, yet "${e.name}" needs it as a folder: both cannot be extracted.`,
      });
      break;
    }
  }
  return out;
}

/** An entry name as file systems that ignore letter case and Unicode form compare it. */
export function foldName(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

/** Why an entry name is unsafe to extract (traversal, absolute, backslash…), or null when safe. */
export function unsafeNameReason(name: string): string | null {
  if (name.length === 0) return 'the name is empty';
  // eslint-disable-next-line no-control-regex -- control bytes in names are exactly what is checked
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'the name contains control characters';
  if (name.includes('\\')) return 'the name contains a backslash';
  if (name.startsWith('/')) return 'the name is an absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'the name starts with a drive letter';
  const parts = name.replace(/\/$/, '').split('/');
  if (parts.includes('..')) return 'the name climbs out of the archive with ".."';
  if (parts.some((s) => s === '' || s === '.')) return 'the name has an empty or "." segment';
  return null;
}

function findExtra(extra: Buffer, id: number): Buffer | null {
  let p = 0;
  while (p + 4 <= extra.length) {
    const tag = extra.readUInt16LE(p);
    const len = extra.readUInt16LE(p + 2);
    if (p + 4 + len > extra.length) return null;
    if (tag === id) return extra.subarray(p + 4, p + 4 + len);
    p += 4 + len;
  }
  return null;
}

async function mustRead(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = await readExact(handle, position, length);
  if (buf === null) throw new ZipError('TRUNCATED', 'The archive ends early (truncated file).');
  return buf;
}

function readU64(buf: Buffer, offset: number, what: string): number {
  const v = buf.readBigUInt64LE(offset);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ZipError('CORRUPT', `The archive's ${what} (${v}) is implausibly large.`);
  }
  return Number(v);
}

async function readExact(
  handle: FileHandle,
  position: number,
  length: number,
): Promise<Buffer | null> {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await handle.read(buf, got, length - got, position + got);
    if (bytesRead === 0) return null;
    got += bytesRead;
  }
  return buf;
}

// Code page 437, bytes 0x80-0xFF: the ZIP default when the UTF-8 flag is not set.
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

function decodeName(bytes: Uint8Array, utf8: boolean): { text: string; invalid: boolean } {
  if (utf8) {
    try {
      return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), invalid: false };
    } catch {
      return { text: new TextDecoder('utf-8').decode(bytes), invalid: true };
    }
  }
  let text = '';
  for (const b of bytes) text += b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80]!;
  return { text, invalid: false };
}

function methodName(method: number): string {
  switch (method) {
    case 9:
      return 'deflate64';
    case 12:
      return 'bzip2';
    case 14:
      return 'LZMA';
    case 93:
      return 'Zstandard';
    case 95:
      return 'XZ';
    case 98:
      return 'PPMd';
    default:
      return 'unknown';
  }
}

function refusalError(entry: ZipEntry, refusal: ZipRefusal): ZipError {
  return new ZipError(
    refusal.code,
    `The entry "${entry.name}" cannot be read: ${refusal.message}.`,
  );
}

function hex4(n: number): string {
  return `0x${n.toString(16).padStart(4, '0')}`;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}
