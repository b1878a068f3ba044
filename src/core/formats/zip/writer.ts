import { createHash, type Hash } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';
import { constants, crc32, createDeflateRaw } from 'node:zlib';
import { dosStamp, type DosStamp } from './dos-time';
import { foldName, unsafeNameReason } from './reader';

/** What was written for one entry: its name, uncompressed size and the sha256 of its content. */
export interface WrittenEntry {
  name: string;
  size: number;
  sha256: string;
}

interface Central {
  name: Buffer;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
  method: number;
  time: number;
  date: number;
}

/** The largest entry (and archive) the writer makes: what a zip without its 64-bit extension holds. */
export const MAX_ENTRY_BYTES = 0xffff_fffe;

// Level 2 deflates a bundle's CSVs about three times as fast as the default 6, for entries about
// 16 % larger (measured on generated session CSVs: 0.170 of the text against 0.146).
const DEFLATE_LEVEL = 2;

/**
 * What an entry holds: a buffer, a string, or chunks of either. A buffer handed over is read while
 * the next chunks are asked for: it must not be changed afterwards.
 */
export type EntryContent =
  string | Uint8Array | AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

/** What deflating an entry's content came to: its sizes, CRC-32 and sha256 (of the content). */
export interface DeflatedContent {
  size: number;
  compressed: number;
  crc: number;
  sha256: string;
}

/** Content deflated into a file of its own, to be copied into an archive by `addPrepared`. */
export interface PreparedEntry extends DeflatedContent {
  path: string;
  /**
   * Whether its deflate stream ends (with a final block); one that does not ends at a byte
   * boundary (a sync flush), so that another part's stream can follow it in one entry.
   */
  final: boolean;
}

/** How content is deflated into a file of its own. */
export interface PrepareOptions {
  /** Ends the stream with a final block (by default) or with a sync flush, for a part to follow. */
  final?: boolean;
  /**
   * Hashes the content into this hash, left open for the parts that follow (the entry's
   * `sha256` is then that of the content so far). `false`: the content is not hashed and the
   * entry's `sha256` is empty, for a part whose whole entry is hashed elsewhere.
   */
  hash?: Hash | false;
}

// A deflate stream's last block when nothing is left to say: a final block of fixed codes
// holding only its end (bits 1, 01, then seven zeros), as zlib ends a stream after a sync flush.
const EMPTY_FINAL_BLOCK = Buffer.from([0x03, 0x00]);

/** The CRC-32 polynomial, bits reversed (as zlib's `crc32` computes). */
const CRC_POLY = 0xedb88320;

/** `a` times `b` modulo the CRC polynomial, both as reflected 32-bit values. */
function crcMultiply(a: number, b: number): number {
  let product = 0;
  let m = 0x80000000;
  for (; m !== 0; m >>>= 1) {
    if ((a & m) !== 0) product ^= b;
    b = b & 1 ? (b >>> 1) ^ CRC_POLY : b >>> 1;
  }
  return product >>> 0;
}

/**
 * The CRC-32 of two pieces of content one after the other, from each piece's CRC-32 and the
 * second's length: the first's CRC shifted over the second's bits (multiplied by x^(8 len)), added
 * to the second's.
 */
export function crc32Combine(crc1: number, crc2: number, length2: number): number {
  // x^(2^k) modulo the polynomial for k = 3 (a byte), 4, ...: squared at each bit of the length.
  let power = crcMultiply(0x40000000, 0x40000000); // x^2
  power = crcMultiply(power, power); // x^4
  power = crcMultiply(power, power); // x^8: one byte
  let shift = 0x80000000; // x^0
  for (let n = length2; n > 0; n = Math.floor(n / 2)) {
    if (n % 2 === 1) shift = crcMultiply(shift, power);
    power = crcMultiply(power, power);
  }
  return (crcMultiply(crc1 >>> 0, shift) ^ crc2) >>> 0;
}

// Blocks handed to zlib and not yet deflated. zlib deflates on the thread pool while this thread
// makes the next block; waiting for each block before making the next (a stream's 'drain') left
// one of the two idle at any time. Two keep both busy; the memory held is a few blocks.
const BLOCKS_IN_FLIGHT = 2;

// zlib's output buffer: a 64 KB block deflates in one pass of the thread pool (at the default
// 16 KB, content that deflates poorly takes several, each waiting for this thread in between).
const DEFLATE_CHUNK = 1 << 17;

/**
 * Deflates `content` (as an entry named `name`), handing each compressed chunk to `write` in
 * order, and hashes it on the way; refuses content past 4 GiB.
 */
async function deflateContent(
  name: string,
  content: EntryContent,
  write: (chunk: Uint8Array) => Promise<void>,
  options: PrepareOptions = {},
): Promise<DeflatedContent> {
  const hash = options.hash === false ? null : (options.hash ?? createHash('sha256'));
  let crc = 0;
  let size = 0;
  let compressed = 0;
  const deflate = createDeflateRaw({
    level: DEFLATE_LEVEL,
    chunkSize: DEFLATE_CHUNK,
    finishFlush: options.final === false ? constants.Z_SYNC_FLUSH : constants.Z_FINISH,
  });
  const pending: Promise<void>[] = [];
  const drained = new Promise<void>((resolve, reject) => {
    deflate.on('data', (chunk: Buffer) => {
      compressed += chunk.length;
      pending.push(write(chunk));
    });
    deflate.on('end', () => resolve());
    deflate.on('error', reject);
  });
  // Settled by the end or the catch below: never an unhandled rejection meanwhile.
  drained.catch(() => undefined);
  // Each block handed to zlib, until it is deflated; a failure rejects `drained` instead.
  const inFlight: Promise<void>[] = [];
  const feed = async (chunk: Uint8Array | string): Promise<void> => {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (buf.length === 0) return;
    hash?.update(buf);
    crc = crc32(buf, crc);
    size += buf.length;
    if (size > MAX_ENTRY_BYTES) throw new Error(`The entry ${name} would exceed 4 GiB.`);
    inFlight.push(new Promise<void>((resolve) => deflate.write(buf, () => resolve())));
    if (inFlight.length >= BLOCKS_IN_FLIGHT) await Promise.race([inFlight.shift()!, drained]);
    // Keep the file writes in order and bounded.
    if (pending.length > 64) await Promise.all(pending.splice(0));
  };
  try {
    if (typeof content === 'string' || content instanceof Uint8Array) await feed(content);
    else {
      // Small pieces (CSV lines) are copied into blocks of bytes before they are hashed and
      // deflated: each piece can be dropped at once, rather than kept in a list until the block
      // is joined (millions of lines would otherwise outlive the young generation of the heap).
      const BLOCK = 1 << 16;
      let block = Buffer.allocUnsafe(BLOCK);
      let used = 0;
      const flush = async (): Promise<void> => {
        if (used === 0) return;
        const full = block.subarray(0, used);
        block = Buffer.allocUnsafe(BLOCK);
        used = 0;
        await feed(full);
      };
      for await (const chunk of content) {
        if (typeof chunk !== 'string' || chunk.length * 3 > BLOCK) {
          await flush();
          await feed(chunk);
          continue;
        }
        // A UTF-8 character takes at most 3 bytes per UTF-16 unit.
        if (used + chunk.length * 3 > BLOCK) await flush();
        used += block.write(chunk, used, 'utf8');
      }
      await flush();
    }
    deflate.end();
    await drained;
    await Promise.all(pending.splice(0));
  } finally {
    // A failure leaves no write of this entry running on.
    await Promise.allSettled(pending.splice(0));
    deflate.destroy();
  }
  const sha256 = hash === null ? '' : options.hash ? hash.copy().digest('hex') : hash.digest('hex');
  return { size, compressed, crc: crc >>> 0, sha256 };
}

/** Copies a prepared part's deflated bytes through `buf` to `write`, checking their length. */
async function copyPart(
  name: string,
  part: PreparedEntry,
  buf: Buffer,
  write: (chunk: Uint8Array) => Promise<void>,
): Promise<void> {
  const fh = await open(part.path, 'r');
  try {
    let copied = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, copied);
      if (bytesRead === 0) break;
      copied += bytesRead;
      if (copied > part.compressed) break;
      await write(buf.subarray(0, bytesRead));
    }
    if (copied !== part.compressed)
      throw new Error(
        `The prepared content of ${name} holds ${copied} bytes, not the ${part.compressed} deflated.`,
      );
  } finally {
    await fh.close();
  }
}

/** Appends to `fh` one buffer after another, in the order asked, however the caller awaits. */
function writesInOrder(fh: FileHandle): (buf: Uint8Array) => Promise<void> {
  let chain: Promise<unknown> = Promise.resolve();
  return (buf) => {
    const next = chain.then(() => fh.write(buf));
    chain = next;
    return next.then(() => undefined);
  };
}

/**
 * Deflates `content` into a new file at `path` (refusing one that exists), for an archive to copy
 * with `addPrepared`: a large entry can be written by another thread while the archive is.
 */
export async function deflateToFile(
  path: string,
  name: string,
  content: EntryContent,
  options: PrepareOptions = {},
): Promise<PreparedEntry> {
  const fh = await open(path, 'wx', 0o600);
  try {
    return {
      ...(await deflateContent(name, content, writesInOrder(fh), options)),
      path,
      final: options.final !== false,
    };
  } finally {
    await fh.close();
  }
}

/**
 * Writes a ZIP archive entry by entry, streaming each entry's content (deflated) straight to the
 * file with a data descriptor, so large entries never sit in memory. Entries and the archive stay
 * under 4 GiB (no ZIP64).
 */
export class ZipWriter {
  private offset = 0;
  /** File writes run one after the other, in the order they were asked for. */
  private readonly append: (buf: Uint8Array) => Promise<void>;
  private readonly central: Central[] = [];
  private readonly names = new Set<string>();

  private constructor(
    private readonly fh: FileHandle,
    private readonly stamp: DosStamp,
  ) {
    this.append = writesInOrder(fh);
  }

  /**
   * Creates the archive; refuses to overwrite an existing file. Every entry carries `modified`
   * (in UTC) as its time, so a reader can check each entry's time against one stated instant.
   */
  static async create(path: string, modified = new Date()): Promise<ZipWriter> {
    return new ZipWriter(await open(path, 'wx', 0o644), dosStamp(modified));
  }

  private write(buf: Uint8Array): Promise<void> {
    this.offset += buf.length;
    if (this.offset > MAX_ENTRY_BYTES)
      return Promise.reject(new Error('The archive would exceed 4 GiB.'));
    return this.append(buf);
  }

  /** Adds one entry from a buffer, a string or chunks; returns its size and sha256. */
  add(name: string, content: EntryContent): Promise<WrittenEntry> {
    return this.entry(name, (write) => deflateContent(name, content, write));
  }

  /**
   * Adds one entry whose content was deflated beforehand into files of their own (see
   * {@link deflateToFile}), one part or several in order, copying their bytes; every part but the
   * last must end without a final block. `sha256` is the whole content's (by default the one
   * part's). Returns the entry's size and sha256.
   */
  addPrepared(
    name: string,
    parts: PreparedEntry | readonly PreparedEntry[],
    sha256?: string,
  ): Promise<WrittenEntry> {
    const all = Array.isArray(parts) ? parts : [parts as PreparedEntry];
    return this.entry(name, async (write) => {
      if (all.length === 0) throw new Error(`The entry ${name} was given no prepared part.`);
      // One buffer for the whole copy: each write is done before the next read.
      const buf = Buffer.allocUnsafe(1 << 20);
      let crc = 0;
      let size = 0;
      let compressed = 0;
      for (const [i, part] of all.entries()) {
        if (i < all.length - 1 && part.final)
          throw new Error(`A part of ${name} before its last ends its deflate stream.`);
        await copyPart(name, part, buf, write);
        crc = i === 0 ? part.crc : crc32Combine(crc, part.crc, part.size);
        size += part.size;
        compressed += part.compressed;
      }
      // A last part left open is closed here.
      if (!all[all.length - 1]!.final) {
        await write(EMPTY_FINAL_BLOCK);
        compressed += EMPTY_FINAL_BLOCK.length;
      }
      if (size > MAX_ENTRY_BYTES) throw new Error(`The entry ${name} would exceed 4 GiB.`);
      return { size, compressed, crc, sha256: sha256 ?? all[0]!.sha256 };
    });
  }

  private async entry(
    name: string,
    body: (write: (chunk: Uint8Array) => Promise<void>) => Promise<DeflatedContent>,
  ): Promise<WrittenEntry> {
    // The names a strict reader (verify) accepts, and no others: a bundle the writer completes
    // must never fail its own verification.
    const unsafe = name.endsWith('/') ? 'it names a folder' : unsafeNameReason(name);
    if (unsafe !== null) throw new Error(`Unsafe entry name ${JSON.stringify(name)}: ${unsafe}.`);
    if (this.names.has(foldName(name)))
      throw new Error(
        `The archive already has an entry named ${name} (letter case and Unicode form aside).`,
      );
    this.names.add(foldName(name));
    const nameBuf = Buffer.from(name, 'utf8');
    const { time, date } = this.stamp;
    const offset = this.offset;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0808, 6); // data descriptor follows; names are UTF-8
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt16LE(nameBuf.length, 26);
    await this.write(local);
    await this.write(nameBuf);

    const { crc, compressed, size, sha256 } = await body((chunk) => this.write(chunk));
    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(crc, 4);
    descriptor.writeUInt32LE(compressed, 8);
    descriptor.writeUInt32LE(size, 12);
    await this.write(descriptor);
    this.central.push({ name: nameBuf, crc, compressed, size, offset, method: 8, time, date });
    return { name, size, sha256 };
  }

  /** Writes the central directory and closes the file. */
  async finish(): Promise<void> {
    const start = this.offset;
    for (const c of this.central) {
      const h = Buffer.alloc(46);
      h.writeUInt32LE(0x02014b50, 0);
      h.writeUInt16LE(20, 4);
      h.writeUInt16LE(20, 6);
      h.writeUInt16LE(0x0808, 8);
      h.writeUInt16LE(c.method, 10);
      h.writeUInt16LE(c.time, 12);
      h.writeUInt16LE(c.date, 14);
      h.writeUInt32LE(c.crc, 16);
      h.writeUInt32LE(c.compressed, 20);
      h.writeUInt32LE(c.size, 24);
      h.writeUInt16LE(c.name.length, 28);
      h.writeUInt32LE(c.offset, 42);
      await this.write(h);
      await this.write(c.name);
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.central.length, 8);
    end.writeUInt16LE(this.central.length, 10);
    end.writeUInt32LE(this.offset - start, 12);
    end.writeUInt32LE(start, 16);
    await this.write(end);
    await this.fh.close();
  }

  /** Closes the file without finishing it (after a failure); the caller removes it. */
  async abort(): Promise<void> {
    await this.fh.close().catch(() => undefined);
  }
}
