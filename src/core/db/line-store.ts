import { deflateRaw, deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Db } from './open';

/** Bytes of line text gathered before a block is compressed and stored. */
const BLOCK_BYTES = 64 * 1024;
/** Blocks kept decoded by a reader: lookups in line order touch one block after another. */
const CACHED_BLOCKS = 8;
/**
 * DEFLATE level of the blocks: level 1 compresses about three times faster than the default 6;
 * the blocks of a real App Privacy Report come out about 12 % larger (8.4 times smaller than the
 * lines instead of 9.4).
 */
const DEFLATE_LEVEL = 1;

/**
 * Blocks handed to the background at once: past this many the store compresses what is left
 * itself, so a caller that never waits (`settle`) holds no more.
 */
const MAX_PENDING = 64;
/** The newest blocks `settle` leaves being compressed: the next record batch is read meanwhile. */
const SETTLED_LIMIT = 4;
/**
 * Blocks handed to the thread pool and not yet called back, at most. A job keeps its block until
 * its callback runs, which needs the event loop: a caller that never yields (a synchronous
 * builder) would otherwise keep every block of the source; past this, blocks are compressed here.
 */
const MAX_IN_FLIGHT = 8;

/** A UTF-16 surrogate without its pair: UTF-8 cannot hold it, so such a line stays in its row. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Finds the text of a source's line, or null when no block of that source holds it. */
export type LineLookup = (sourceId: number, line: number) => string | null;

interface Block {
  sourceId: number;
  first: number;
  last: number;
  lines: Map<number, string>;
}

/** The text a block body compresses: `<line>\t<text>\n` per entry. */
function blockText(entries: readonly (readonly [number, string])[]): Buffer {
  let text = '';
  for (const [line, raw] of entries) text += `${line}\t${raw}\n`;
  return Buffer.from(text, 'utf8');
}

/** Encodes entries as a block body: raw DEFLATE of `<line>\t<text>\n` per entry. */
export function encodeBlock(entries: readonly (readonly [number, string])[]): Buffer {
  return deflateRawSync(blockText(entries), { level: DEFLATE_LEVEL });
}

/** A block handed to the background compressor, kept readable until it is stored. */
interface PendingBlock {
  entries: [number, string][];
  input: Buffer;
  /** The compressed body once the background is done; null before, or when it failed. */
  body: Buffer | null;
  settled: boolean;
  /** Resolves once the background is done with the block. */
  done: Promise<void>;
}

/** Decodes a block body into its lines by number; an entry that does not parse is left out. */
export function decodeBlock(body: Uint8Array): Map<number, string> {
  const text = inflateRawSync(body).toString('utf8');
  const out = new Map<number, string>();
  let at = 0;
  while (at < text.length) {
    const end = text.indexOf('\n', at);
    const stop = end === -1 ? text.length : end;
    const tab = text.indexOf('\t', at);
    if (tab > at && tab < stop) {
      const n = Number(text.slice(at, tab));
      if (Number.isSafeInteger(n)) out.set(n, text.slice(tab + 1, stop));
    }
    at = stop + 1;
  }
  return out;
}

/**
 * Reads lines from the stored blocks of any source, keeping the last few blocks decoded, so
 * reading the lines of many sessions in their order inflates each block about once.
 */
export class LineReader {
  private readonly find;
  private readonly cache: Block[] = [];

  constructor(db: Db) {
    this.find = db.prepare(
      `SELECT first_line AS first, last_line AS last, body FROM source_line_blocks
       WHERE source_id = ? AND first_line <= ? ORDER BY first_line DESC LIMIT 1`,
    );
  }

  /** The text of a line, or null when no block holds it. */
  get(sourceId: number, line: number): string | null {
    for (const b of this.cache)
      if (b.sourceId === sourceId && line >= b.first && line <= b.last)
        return b.lines.get(line) ?? null;
    const row = this.find.get(sourceId, line) as
      { first: number; last: number; body: Buffer } | undefined;
    if (!row || line > row.last) return null;
    let lines: Map<number, string>;
    try {
      lines = decodeBlock(row.body);
    } catch {
      // A damaged block: its lines read as missing, never as other text.
      return null;
    }
    this.cache.unshift({ sourceId, first: row.first, last: row.last, lines });
    if (this.cache.length > CACHED_BLOCKS) this.cache.pop();
    return lines.get(line) ?? null;
  }

  /** This reader as a lookup function. */
  lookup(): LineLookup {
    return (sourceId, line) => this.get(sourceId, line);
  }
}

/**
 * Keeps the access lines of the source being written, in the order they are read, in compressed
 * blocks. `hold` says whether the store keeps a line (the caller then leaves the raw-line column
 * NULL); lines out of order, repeated with other text, or that a block cannot hold exactly stay
 * with their row. Lives for one transaction; `finish` stores what is still gathered.
 */
export class LineStore {
  /** Bytes of line text held by this store (what the rows no longer hold). */
  bytesHeld = 0;
  /** Bytes of the stored blocks. */
  bytesStored = 0;
  private entries: [number, string][] = [];
  /** Full blocks being compressed by the thread pool, in line order; stored in that order. */
  private pending: PendingBlock[] = [];
  /** Jobs in the thread pool whose callback has not run yet. */
  private inFlight = 0;
  private gathered = 0;
  private last = -1;
  private lastText = '';
  private readonly insert;
  private readonly reader: LineReader;

  constructor(
    db: Db,
    private readonly sourceId: number,
  ) {
    this.insert = db.prepare(
      'INSERT INTO source_line_blocks (source_id, first_line, last_line, lines, body) VALUES (?, ?, ?, ?, ?)',
    );
    this.reader = new LineReader(db);
  }

  /** Takes a line of this source; true when the store keeps it exactly. */
  hold(line: number, text: string): boolean {
    if (line === this.last) return text === this.lastText;
    if (line < this.last || !Number.isSafeInteger(line)) return false;
    // The body separates entries by line feed and must give back the same string.
    if (text.includes('\n') || LONE_SURROGATE.test(text)) return false;
    this.entries.push([line, text]);
    this.last = line;
    this.lastText = text;
    this.gathered += text.length;
    this.bytesHeld += text.length;
    if (this.gathered >= BLOCK_BYTES) this.flush();
    return true;
  }

  /** The text of a line of any source, this one's unstored lines included. */
  get(sourceId: number, line: number): string | null {
    if (sourceId === this.sourceId) {
      if (this.entries.length > 0 && line >= this.entries[0]![0])
        return findLine(this.entries, line);
      for (let i = this.pending.length - 1; i >= 0; i -= 1) {
        const entries = this.pending[i]!.entries;
        if (line >= entries[0]![0]) return findLine(entries, line);
      }
    }
    return this.reader.get(sourceId, line);
  }

  /** This store as a lookup function. */
  lookup(): LineLookup {
    return (sourceId, line) => this.get(sourceId, line);
  }

  /** Stores every block: the lines still gathered and those still being compressed. */
  finish(): void {
    this.flush();
    this.storeSettled(true);
  }

  /**
   * Hands the gathered lines to the thread pool as one block, so compressing it overlaps the
   * reading of what follows; blocks are stored in line order once compressed.
   */
  private flush(): void {
    this.storeSettled(false);
    const entries = this.entries;
    if (entries.length === 0) return;
    this.entries = [];
    this.gathered = 0;
    let markDone = (): void => undefined;
    const block: PendingBlock = {
      entries,
      input: blockText(entries),
      body: null,
      settled: false,
      done: new Promise((resolve) => (markDone = resolve)),
    };
    this.pending.push(block);
    if (this.pending.length > MAX_PENDING) {
      this.storeSettled(true);
      return;
    }
    if (this.inFlight >= MAX_IN_FLIGHT) {
      block.body = deflateRawSync(block.input, { level: DEFLATE_LEVEL });
      block.settled = true;
      markDone();
      return;
    }
    this.inFlight += 1;
    deflateRaw(block.input, { level: DEFLATE_LEVEL }, (error, body) => {
      this.inFlight -= 1;
      if (!error) block.body = body;
      block.settled = true;
      markDone();
    });
  }

  /**
   * Waits until every block but the last few handed over is compressed, and stores those. Call
   * between record batches: the background's results only arrive while the caller waits, and a
   * caller that reads on without waiting ends up compressing them itself.
   */
  async settle(): Promise<void> {
    const blocks = this.pending.slice(0, Math.max(0, this.pending.length - SETTLED_LIMIT));
    for (const b of blocks) await b.done;
    this.storeSettled(false);
  }

  /**
   * Stores the pending blocks from the first on, while they are compressed; with `all`, every
   * one, compressing here those the thread pool has not finished (or failed).
   */
  private storeSettled(all: boolean): void {
    let n = 0;
    for (const b of this.pending) {
      if (!all && !b.settled) break;
      const body = b.body ?? deflateRawSync(b.input, { level: DEFLATE_LEVEL });
      this.insert.run(
        this.sourceId,
        b.entries[0]![0],
        b.entries[b.entries.length - 1]![0],
        b.entries.length,
        body,
      );
      this.bytesStored += body.length;
      n += 1;
    }
    if (n > 0) this.pending = this.pending.slice(n);
  }
}

/** The text of a line in entries sorted by line number, or null. */
function findLine(entries: readonly (readonly [number, string])[], line: number): string | null {
  let lo = 0;
  let hi = entries.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const n = entries[mid]![0];
    if (n === line) return entries[mid]![1];
    if (n < line) lo = mid + 1;
    else hi = mid - 1;
  }
  return null;
}
