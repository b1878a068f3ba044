import { deflateRawSync, inflateRawSync } from 'node:zlib';
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

/** Encodes entries as a block body: raw DEFLATE of `<line>\t<text>\n` per entry. */
export function encodeBlock(entries: readonly (readonly [number, string])[]): Buffer {
  let text = '';
  for (const [line, raw] of entries) text += `${line}\t${raw}\n`;
  return deflateRawSync(Buffer.from(text, 'utf8'), { level: DEFLATE_LEVEL });
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
    if (sourceId === this.sourceId && this.entries.length > 0 && line >= this.entries[0]![0]) {
      return this.gatheredLine(line);
    }
    return this.reader.get(sourceId, line);
  }

  /** This store as a lookup function. */
  lookup(): LineLookup {
    return (sourceId, line) => this.get(sourceId, line);
  }

  /** Stores the lines still gathered. */
  finish(): void {
    this.flush();
  }

  private gatheredLine(line: number): string | null {
    let lo = 0;
    let hi = this.entries.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const n = this.entries[mid]![0];
      if (n === line) return this.entries[mid]![1];
      if (n < line) lo = mid + 1;
      else hi = mid - 1;
    }
    return null;
  }

  private flush(): void {
    if (this.entries.length === 0) return;
    const body = encodeBlock(this.entries);
    this.insert.run(
      this.sourceId,
      this.entries[0]![0],
      this.entries[this.entries.length - 1]![0],
      this.entries.length,
      body,
    );
    this.bytesStored += body.length;
    this.entries = [];
    this.gathered = 0;
  }
}
