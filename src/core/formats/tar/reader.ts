import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { fileKind, unsafeNameReason } from '../zip/reader';

// A read-only, streaming reader of tar archives, gzip-compressed or not (sysdiagnose archives
// are `.tar.gz`). It trusts nothing in the archive: every header checksum is verified, sizes are
// parsed strictly, the bytes actually decompressed are counted against the limits, names are
// checked for traversal, and links are reported but never followed. Nothing is extracted to disk.
// Layout: POSIX.1-2017 pax (ustar headers, extended headers `x`/`g`), GNU tar's `L`/`K` long
// names and base-256 sizes.

const BLOCK = 512;
const MAX_EXTENSIONS_IN_A_ROW = 8;
const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** Bounds applied while reading an archive. */
export interface TarLimits {
  /** Most entries (headers of files, folders, links…) the archive may hold. */
  maxEntries: number;
  /** Largest content of one entry, declared and counted. Larger entries are listed with a refusal. */
  maxEntryBytes: number;
  /** Most bytes decompressed from the archive, all entries and skipped data together. */
  maxTotalBytes: number;
  /** Largest PAX extended header or GNU long name/link record. */
  maxExtensionBytes: number;
}

export const DEFAULT_TAR_LIMITS: Readonly<TarLimits> = Object.freeze({
  maxEntries: 200_000,
  maxEntryBytes: 2 * GiB,
  maxTotalBytes: 16 * GiB,
  maxExtensionBytes: 1 * MiB,
});

export type TarErrorCode =
  'NOT_TAR' | 'TRUNCATED' | 'CORRUPT' | 'BAD_CHECKSUM' | 'LIMIT' | 'UNSUPPORTED' | 'CLOSED';

/** A refusal or a defect of the archive, in plain words. */
export class TarError extends Error {
  override readonly name = 'TarError';
  constructor(
    readonly code: TarErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** What an entry is. Only `file` entries have readable content. */
export type TarEntryType =
  | 'file'
  | 'directory'
  | 'symlink'
  | 'hardlink'
  | 'character-device'
  | 'block-device'
  | 'fifo'
  | 'other';

/** One entry of the archive, as its headers describe it (after PAX and GNU long names). */
export interface TarEntry {
  /** Position among the archive's entries (0-based; extension headers are not counted). */
  index: number;
  /** The stored name, decoded. Never a file path. */
  name: string;
  /**
   * The name as a safe relative path (leading `./` and trailing `/` removed; `''` for the
   * archive's root folder), or null when the name is unsafe (see `unsafeReason`).
   */
  path: string | null;
  /** Why the name is unsafe (traversal, absolute, backslash, NUL or control characters). */
  unsafeReason: string | null;
  type: TarEntryType;
  /** The type flag as stored (`'0'`, `'5'`, `'2'`…; `'\0'` for old regular files). */
  typeFlag: string;
  /** Bytes of content stored after the header. */
  size: number;
  /** The target of a symbolic or hard link, as stored; never followed. */
  linkName: string | null;
  /** Permission bits and mode as stored, or null when the field is unreadable. */
  mode: number | null;
  /** Modification time in seconds since 1970 (UTC) as stored, or null. */
  mtime: number | null;
  /** Why the content will not be read, or null for readable files. */
  refusal: { code: TarErrorCode; message: string } | null;
}

/** An entry while the archive is read: its description and, for files, its content. */
export interface TarMember extends TarEntry {
  /**
   * Streams the entry's content. Only for readable files, only once, and only before the
   * iteration moves on to the next entry (the archive is read as a stream).
   */
  content(): AsyncGenerator<Buffer>;
}

/** Where an archive comes from: a file path, its bytes, or a stream of its bytes. */
export type TarSource = string | Uint8Array | AsyncIterable<Uint8Array>;

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/**
 * Reads a tar archive (gzip-compressed or plain) entry by entry without holding it in memory.
 * Throws `TarError` on a damaged, truncated or oversized archive; entries that cannot be read
 * (links, devices, FIFOs, oversized or unsafe names) are yielded with a `refusal`.
 */
export async function* readTar(
  source: TarSource,
  limits?: Partial<TarLimits>,
): AsyncGenerator<TarMember> {
  const lim: TarLimits = { ...DEFAULT_TAR_LIMITS, ...limits };
  const label = typeof source === 'string' ? source : 'the archive';
  const raw = await openSource(source);
  const reader = new BlockReader(decompress(raw, label), lim, label);
  try {
    yield* readEntries(reader, lim, label);
  } finally {
    await reader.close();
  }
}

/** Options of `extractMembers`. */
export interface ExtractOptions {
  /** Largest content read into memory per member (default 512 MiB). */
  maxBytes?: number;
  limits?: Partial<TarLimits>;
}

/** A member pulled out of an archive by `extractMembers`. */
export interface ExtractedMember {
  entry: TarEntry;
  data: Buffer;
}

/**
 * Reads the regular files whose safe path matches one of the glob `patterns` (`*` within a
 * folder name, `**` across folders, `?` one character) into memory, in archive order. A name
 * stored twice is returned twice: which copy counts is the caller's decision.
 */
export async function extractMembers(
  source: TarSource,
  patterns: readonly string[],
  options: ExtractOptions = {},
): Promise<ExtractedMember[]> {
  const max = options.maxBytes ?? 512 * MiB;
  const res = patterns.map(globToRegExp);
  const out: ExtractedMember[] = [];
  for await (const m of readTar(source, options.limits)) {
    if (m.type !== 'file' || m.path === null || m.refusal !== null) continue;
    const path = m.path;
    if (!res.some((re) => re.test(path))) continue;
    if (m.size > max) {
      throw new TarError(
        'LIMIT',
        `The member "${m.name}" is ${m.size} bytes, more than the ${max} bytes allowed for reading it whole.`,
      );
    }
    const parts: Buffer[] = [];
    for await (const chunk of m.content()) parts.push(chunk);
    out.push({ entry: describe(m), data: Buffer.concat(parts) });
  }
  return out;
}

/** A glob over safe archive paths as a regular expression (`**`, `*`, `?`; case-sensitive). */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (pattern.startsWith('**/', i)) {
      re += '(?:[^/]*/)*';
      i += 3;
    } else if (pattern.startsWith('**', i)) {
      re += '.*';
      i += 2;
    } else if (c === '*') {
      re += '[^/]*';
      i += 1;
    } else if (c === '?') {
      re += '[^/]';
      i += 1;
    } else {
      re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
      i += 1;
    }
  }
  return new RegExp(`^${re}$`);
}

async function openSource(source: TarSource): Promise<AsyncIterable<Buffer>> {
  if (typeof source !== 'string' && Symbol.asyncIterator in source) {
    const stream = source;
    return (async function* () {
      for await (const chunk of stream)
        yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    })();
  }
  if (typeof source !== 'string') {
    const bytes = Buffer.from(source);
    return (async function* () {
      yield bytes;
    })();
  }
  // O_NONBLOCK: a FIFO opens at once instead of waiting for a writer, and is refused below.
  const handle = await open(source, OPEN_FLAGS);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      throw new TarError('NOT_TAR', `${source} is ${fileKind(stats)}, not an archive file.`);
    }
  } catch (err) {
    await handle.close();
    throw err;
  }
  return handle.createReadStream({ highWaterMark: 256 * KiB });
}

// Yields the archive's bytes, gunzipped when they start with the gzip magic number.
async function* decompress(raw: AsyncIterable<Buffer>, label: string): AsyncGenerator<Buffer> {
  const it = raw[Symbol.asyncIterator]();
  let first = await it.next();
  while (!first.done && first.value.length === 0) first = await it.next();
  if (first.done) return;
  const head = first.value;
  async function* all(): AsyncGenerator<Buffer> {
    yield head;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  const stream = Readable.from(all(), { objectMode: false });
  if (!(head[0] === 0x1f && (head.length < 2 || head[1] === 0x8b))) {
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) yield chunk;
    } catch (err) {
      if (err instanceof TarError) throw err;
      throw new TarError('CORRUPT', `${capital(label)} could not be read: ${messageOf(err)}.`);
    } finally {
      stream.destroy();
      await it.return?.();
    }
    return;
  }
  const gunzip = createGunzip();
  pipeline(stream, gunzip, () => {});
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) yield chunk;
  } catch (err) {
    if (err instanceof TarError) throw err;
    const message = messageOf(err);
    if (/unexpected end/i.test(message)) {
      throw new TarError('TRUNCATED', `The gzip data of ${label} ends early (truncated file).`);
    }
    throw new TarError('CORRUPT', `The gzip data of ${label} is damaged: ${message}.`);
  } finally {
    gunzip.destroy();
    stream.destroy();
    await it.return?.();
  }
}

// Reads exact byte counts from a chunk stream and counts every byte against the total limit.
class BlockReader {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private ended = false;
  private total = 0;

  constructor(
    private readonly chunks: AsyncGenerator<Buffer>,
    private readonly limits: TarLimits,
    private readonly label: string,
  ) {}

  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    const r = await this.chunks.next();
    if (r.done) {
      this.ended = true;
      return false;
    }
    this.total += r.value.length;
    if (this.total > this.limits.maxTotalBytes) {
      throw new TarError(
        'LIMIT',
        `${capital(this.label)} decompresses to more than the limit of ${this.limits.maxTotalBytes} bytes.`,
      );
    }
    const rest = this.buf.subarray(this.pos);
    this.buf = rest.length > 0 ? Buffer.concat([rest, r.value]) : r.value;
    this.pos = 0;
    return true;
  }

  /** Exactly `n` bytes, or null at a clean end of data (nothing left). */
  async read(n: number): Promise<Buffer | null> {
    while (this.buf.length - this.pos < n) {
      if (!(await this.fill())) {
        if (this.buf.length - this.pos === 0) return null;
        throw new TarError(
          'TRUNCATED',
          `${capital(this.label)} ends in the middle of a header (truncated file).`,
        );
      }
    }
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Yields exactly `n` bytes in chunks; `what` names the data in the truncation message. */
  async *take(n: number, what: string): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.pos >= this.buf.length && !(await this.fill())) {
        throw new TarError(
          'TRUNCATED',
          `${capital(this.label)} ends inside ${what} (truncated file).`,
        );
      }
      const k = Math.min(left, this.buf.length - this.pos);
      const out = this.buf.subarray(this.pos, this.pos + k);
      this.pos += k;
      left -= k;
      yield out;
    }
  }

  async skip(n: number, what: string): Promise<void> {
    for await (const _ of this.take(n, what)) {
      // Counting and truncation checks happen in `take`.
    }
  }

  /** Reads and discards everything left. */
  async drain(): Promise<void> {
    this.pos = this.buf.length;
    while (await this.fill()) this.pos = this.buf.length;
  }

  async close(): Promise<void> {
    await this.chunks.return(undefined);
  }
}

interface Pending {
  path?: string;
  linkPath?: string;
  size?: number;
}

async function* readEntries(
  reader: BlockReader,
  lim: TarLimits,
  label: string,
): AsyncGenerator<TarMember> {
  let index = 0;
  let pending: Pending = {};
  let sawHeader = false;
  let extensions = 0;
  for (;;) {
    const header = await reader.read(BLOCK);
    if (header === null) {
      if (!sawHeader) throw new TarError('NOT_TAR', `${capital(label)} is empty.`);
      throw new TarError(
        'TRUNCATED',
        `${capital(label)} ends without the end-of-archive marker (truncated file).`,
      );
    }
    if (isZeroBlock(header)) {
      if (!sawHeader) throw new TarError('NOT_TAR', `${capital(label)} holds no tar entries.`);
      // The marker is two zero blocks; what follows is padding to the record size. It is read to
      // the end all the same (counted), so that gzip checks its CRC and length trailer.
      await reader.drain();
      return;
    }
    verifyChecksum(header, label, sawHeader);
    sawHeader = true;
    const typeFlag = String.fromCharCode(header[156]!);
    const storedSize = parseNumber(header, 124, 12, 'size', label);
    if (storedSize === null) {
      throw new TarError('CORRUPT', `A header of ${label} has an unreadable size field.`);
    }
    const padded = storedSize + ((BLOCK - (storedSize % BLOCK)) % BLOCK);

    if (typeFlag === 'x' || typeFlag === 'g' || typeFlag === 'L' || typeFlag === 'K') {
      extensions += 1;
      // Writers put one or two extension headers before an entry; a long run of them is a crafted
      // archive that would otherwise be read on without ever counting as an entry.
      if (extensions > MAX_EXTENSIONS_IN_A_ROW) {
        throw new TarError(
          'CORRUPT',
          `${capital(label)} holds more than ${MAX_EXTENSIONS_IN_A_ROW} extended headers in a row.`,
        );
      }
      if (storedSize > lim.maxExtensionBytes) {
        throw new TarError(
          'LIMIT',
          `An extended header of ${label} is ${storedSize} bytes, more than the ${lim.maxExtensionBytes} allowed.`,
        );
      }
      const parts: Buffer[] = [];
      for await (const c of reader.take(padded, 'an extended header')) parts.push(c);
      const data = Buffer.concat(parts).subarray(0, storedSize);
      if (typeFlag === 'L') pending.path = decodeText(stripTrailingNuls(data));
      else if (typeFlag === 'K') pending.linkPath = decodeText(stripTrailingNuls(data));
      else {
        const records = parsePax(data, label);
        // Global records apply to every later entry; a name or size there would rename or resize
        // them all, which no sysdiagnose writer does, so only the per-entry records are used.
        if (typeFlag === 'x') {
          if (records.has('path')) pending.path = records.get('path')!;
          if (records.has('linkpath')) pending.linkPath = records.get('linkpath')!;
          const size = records.get('size');
          if (size !== undefined) {
            if (!/^\d{1,16}$/.test(size) || !Number.isSafeInteger(Number(size))) {
              throw new TarError(
                'CORRUPT',
                `A PAX header of ${label} gives an invalid size "${size.slice(0, 40)}".`,
              );
            }
            pending.size = Number(size);
          }
        }
      }
      continue;
    }

    extensions = 0;
    if (index >= lim.maxEntries) {
      throw new TarError('LIMIT', `${capital(label)} holds more than ${lim.maxEntries} entries.`);
    }
    const size = pending.size ?? storedSize;
    const dataBytes =
      pending.size !== undefined ? size + ((BLOCK - (size % BLOCK)) % BLOCK) : padded;
    const name = pending.path ?? headerName(header);
    const linkName = pending.linkPath ?? (cString(header, 157, 100) || null);
    pending = {};
    const type = entryType(typeFlag);
    const { path, reason } = safePath(name, type);
    const entry: TarEntry = {
      index,
      name,
      path,
      unsafeReason: reason,
      type,
      typeFlag,
      size,
      linkName: type === 'symlink' || type === 'hardlink' ? linkName : null,
      mode: parseNumber(header, 100, 8, 'mode', label, true),
      mtime: parseNumber(header, 136, 12, 'mtime', label, true),
      refusal: refusalOf(type, typeFlag, size, reason, lim),
    };
    index += 1;
    let started = false;
    let consumed = 0;
    let stale = false;
    const member: TarMember = {
      ...entry,
      content: async function* () {
        if (stale)
          throw new TarError(
            'CLOSED',
            `The content of "${name}" can no longer be read: the archive has moved past it.`,
          );
        if (entry.refusal !== null) {
          throw new TarError(
            entry.refusal.code,
            `The entry "${name}" cannot be read: ${entry.refusal.message}.`,
          );
        }
        if (started) throw new TarError('CLOSED', `The content of "${name}" was already read.`);
        started = true;
        for await (const chunk of reader.take(size, `the content of "${name}"`)) {
          consumed += chunk.length;
          yield chunk;
          // A reader that kept this stream and resumed it after the archive moved on would get
          // another entry's bytes.
          if (stale) {
            throw new TarError(
              'CLOSED',
              `The content of "${name}" can no longer be read: the archive has moved past it.`,
            );
          }
        }
      },
    };
    yield member;
    stale = true;
    // Whatever the caller left unread (all of it, or the rest after a `break`) is skipped.
    await reader.skip(dataBytes - consumed, `the content of "${name}"`);
  }
}

function describe(m: TarMember): TarEntry {
  const { index, name, path, unsafeReason, type, typeFlag, size, linkName, mode, mtime, refusal } =
    m;
  return { index, name, path, unsafeReason, type, typeFlag, size, linkName, mode, mtime, refusal };
}

function refusalOf(
  type: TarEntryType,
  typeFlag: string,
  size: number,
  reason: string | null,
  lim: TarLimits,
): TarEntry['refusal'] {
  if (reason !== null) return { code: 'CORRUPT', message: `its name is unsafe (${reason})` };
  switch (type) {
    case 'file':
      break;
    case 'directory':
      return { code: 'UNSUPPORTED', message: 'it is a folder' };
    case 'symlink':
    case 'hardlink':
      return { code: 'UNSUPPORTED', message: 'it is a link, which is listed but never followed' };
    case 'character-device':
    case 'block-device':
    case 'fifo':
      return { code: 'UNSUPPORTED', message: 'it is a device or FIFO, which is skipped by name' };
    default:
      return {
        code: 'UNSUPPORTED',
        message: `its entry type "${printable(typeFlag)}" is not a regular file`,
      };
  }
  if (size > lim.maxEntryBytes) {
    return {
      code: 'LIMIT',
      message: `it is ${size} bytes, more than the per-entry limit of ${lim.maxEntryBytes} bytes`,
    };
  }
  return null;
}

function entryType(flag: string): TarEntryType {
  switch (flag) {
    case '0':
    case '\0':
    case '7':
      return 'file';
    case '1':
      return 'hardlink';
    case '2':
      return 'symlink';
    case '3':
      return 'character-device';
    case '4':
      return 'block-device';
    case '5':
      return 'directory';
    case '6':
      return 'fifo';
    default:
      return 'other';
  }
}

function safePath(
  name: string,
  type: TarEntryType,
): { path: string | null; reason: string | null } {
  let rest = name;
  while (rest.startsWith('./')) rest = rest.slice(2);
  if (rest === '' || rest === '.' || rest === './') {
    // Only a folder may stand for the archive's root; anything else needs a name.
    if (type === 'directory') return { path: '', reason: null };
    return { path: null, reason: 'the name is empty or "."' };
  }
  const reason = unsafeNameReason(rest);
  if (reason !== null) return { path: null, reason };
  return { path: rest.replace(/\/$/, ''), reason: null };
}

function isZeroBlock(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

function verifyChecksum(header: Buffer, label: string, sawHeader: boolean): void {
  const stored = parseNumber(header, 148, 8, 'checksum', label, true);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : header[i]!;
    unsigned += b;
    signed += b >= 0x80 ? b - 0x100 : b;
  }
  // Some historical writers summed signed bytes; POSIX says unsigned. Either is accepted.
  if (stored !== null && (stored === unsigned || stored === signed)) return;
  if (!sawHeader) {
    throw new TarError(
      'NOT_TAR',
      `${capital(label)} is not a tar archive (its first header fails the tar checksum).`,
    );
  }
  throw new TarError('BAD_CHECKSUM', `A header of ${label} fails its checksum (damaged archive).`);
}

// Octal (space/NUL terminated) or GNU base-256 (high bit of the first byte set).
function parseNumber(
  b: Buffer,
  offset: number,
  length: number,
  what: string,
  label: string,
  lenient = false,
): number | null {
  const field = b.subarray(offset, offset + length);
  if ((field[0]! & 0x80) !== 0) {
    if (field[0] === 0xff) {
      if (lenient) return null;
      throw new TarError('CORRUPT', `A header of ${label} gives a negative ${what}.`);
    }
    let v = BigInt(field[0]! & 0x7f);
    for (let i = 1; i < field.length; i++) v = (v << 8n) | BigInt(field[i]!);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      if (lenient) return null;
      throw new TarError('CORRUPT', `A header of ${label} gives an implausibly large ${what}.`);
    }
    return Number(v);
  }
  let i = 0;
  while (i < field.length && field[i] === 0x20) i++;
  let v = 0;
  let digits = 0;
  for (; i < field.length; i++) {
    const c = field[i]!;
    if (c === 0 || c === 0x20) break;
    if (c < 0x30 || c > 0x37) {
      if (lenient) return null;
      throw new TarError('CORRUPT', `A header of ${label} has an invalid ${what} field.`);
    }
    v = v * 8 + (c - 0x30);
    digits++;
  }
  for (; i < field.length; i++) {
    if (field[i] !== 0 && field[i] !== 0x20) {
      if (lenient) return null;
      throw new TarError('CORRUPT', `A header of ${label} has an invalid ${what} field.`);
    }
  }
  if (digits === 0) return lenient ? null : 0;
  return v;
}

// POSIX pax records: "<length> <key>=<value>\n", the length counting the whole record.
function parsePax(data: Buffer, label: string): Map<string, string> {
  const out = new Map<string, string>();
  let p = 0;
  const bad = (): TarError =>
    new TarError('CORRUPT', `A PAX extended header of ${label} is malformed.`);
  while (p < data.length) {
    if (data[p] === 0) break;
    const sp = data.indexOf(0x20, p);
    if (sp < 0 || sp - p > 12) throw bad();
    const lenText = data.subarray(p, sp).toString('latin1');
    if (!/^[1-9]\d*$/.test(lenText)) throw bad();
    const len = Number(lenText);
    if (p + len > data.length || len <= sp - p + 2 || data[p + len - 1] !== 0x0a) throw bad();
    const record = data.subarray(sp + 1, p + len - 1);
    const eq = record.indexOf(0x3d);
    if (eq <= 0) throw bad();
    out.set(decodeText(record.subarray(0, eq)), decodeText(record.subarray(eq + 1)));
    p += len;
  }
  return out;
}

function headerName(header: Buffer): string {
  const name = cString(header, 0, 100);
  // POSIX ustar ("ustar\0" + "00") has a prefix field; GNU's "ustar  \0" uses those bytes otherwise.
  const magic = header.subarray(257, 263).toString('latin1');
  if (magic === 'ustar\0') {
    const prefix = cString(header, 345, 155);
    if (prefix !== '') return `${prefix}/${name}`;
  }
  return name;
}

function cString(b: Buffer, offset: number, length: number): string {
  const field = b.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return decodeText(end < 0 ? field : field.subarray(0, end));
}

function stripTrailingNuls(b: Buffer): Buffer {
  let end = b.length;
  while (end > 0 && b[end - 1] === 0) end--;
  return b.subarray(0, end);
}

function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return Buffer.from(bytes).toString('latin1');
  }
}

function printable(s: string): string {
  return s.replace(
    // eslint-disable-next-line no-control-regex -- control characters are shown escaped
    /[\u0000-\u001f\u007f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\.$/, '');
}

function capital(s: string): string {
  return s === 'the archive' ? 'The archive' : s;
}
