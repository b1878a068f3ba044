import type { Statement } from 'better-sqlite3';
import { STATE_SQL } from './session-state';
import { rebuildSessionStates } from './session-states';
import type { Db } from './open';

/**
 * A summary of the sessions for comparisons, per device and bucket of device-local days, by app
 * and category: the sessions by device-local hour of their anchor (for any night window of whole
 * hours), the durations of closed sessions, kept whole (an exact median needs every value), and
 * the counts of sessions whose app state is known and of those in the background. The bucket
 * levels are the rollup's: days, weeks and four-week spans.
 *
 * One row holds all the app × category cells of its device and bucket: a comparison over a year
 * reads a few dozen rows per device, not thousands, and the durations (ascending, stored as
 * differences, mostly two bytes each) take a quarter of their size as numbers.
 */
export const STATS_LEVELS = [1, 7, 28] as const;

export const SESSION_STATS_TABLE_SQL = `
CREATE TABLE session_stats (
  level INTEGER NOT NULL,
  device_id INTEGER NOT NULL,
  bucket INTEGER NOT NULL,
  cells BLOB NOT NULL,
  PRIMARY KEY (level, device_id, bucket)
) STRICT;`;

/** A session's app state as compared: reported, else inferred, else unknown. */
export type SessionState = 'foreground' | 'background' | 'unknown';

/** The change of one day cell, collected during a write and applied at its end. */
export interface StatsDelta {
  deviceId: number;
  appId: number;
  category: string;
  /** The device-local day. */
  bucket: number;
  /** Sessions counted in and out, by device-local hour of their anchor. */
  counts: number[];
  background: number;
  known: number;
  /** Closed durations counted in and out. */
  added: Float64Array;
  removed: Float64Array;
}

/** One app × category cell of a bucket. */
export interface StatsCell {
  appId: number;
  category: string;
  /** Sessions by device-local hour (0-23) of their anchor. */
  hours: number[];
  background: number;
  known: number;
  /** Closed sessions' durations (whole ms), ascending. */
  durations: Float64Array;
}

/** A decoded cell, handed to a visitor and reused for the next: keep only `durations`. */
export interface CellView {
  appId: number;
  category: string;
  hours: Int32Array;
  background: number;
  known: number;
  durations: Float64Array;
}

let repairs = 0;

/**
 * How many cells a write found out of step with its change and recomputed from the sessions
 * since the process started. Never expected: tests check it stays unchanged.
 */
export function repairedStatsCells(): number {
  return repairs;
}

const sum = (values: ArrayLike<number>): number => {
  let n = 0;
  for (let i = 0; i < values.length; i += 1) n += values[i]!;
  return n;
};

export function bucketOf(day: number, level: number): number {
  return Math.floor(day / level);
}

const EMPTY = new Float64Array(0);
const NO_BYTES = new Uint8Array(0);
/** A difference this large or larger is written in full after an escape word. */
const WIDE = 0xffff;

/** Where the last `wideAt` read ended. */
let wideEnd = 0;

/**
 * The difference written in full (a varint) after an escape word, read from `pos`; `wideEnd` is
 * set past it. The common two-byte differences stay inline in the decoding loops.
 */
function wideAt(bytes: Uint8Array, pos: number): number {
  let at = pos;
  let b = bytes[at++]!;
  let d = b & 127;
  let scale = 128;
  while (b >= 128) {
    b = bytes[at++]!;
    d += (b & 127) * scale;
    scale *= 128;
  }
  wideEnd = at;
  return d;
}
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/**
 * A cell with more durations than this keeps, before them, their sum and a checkpoint every this
 * many: a count at or above a least duration then searches the checkpoints and reads at most this
 * many durations instead of all of them. Written into each blob, so a blob stays readable (and
 * is rewritten with checkpoints of the current spacing) if the spacing changes.
 */
export const STATS_CHECKPOINT_EVERY = 64;

/** A checkpoint field's width in bytes, above which the cell is written without checkpoints. */
const MAX_FIELD_BYTES = 8;

/**
 * What `readHead` found at the start of a cell's durations: the sum of all of them (NaN when the
 * cell keeps none), where its checkpoint table starts, its number of entries (0 when none, or
 * when the table would not fit in the cell's bytes), the width of each entry's three fields
 * (the value less the first; the bytes of the wide differences before it; the sum of the values
 * before it less as many times the first) and where the first duration is written.
 */
let headTotal = NaN;
let headTable = 0;
let headEntries = 0;
let headValueWidth = 0;
let headExtraWidth = 0;
let headSumWidth = 0;
let headFirst = 0;

/**
 * Reads the head of a cell's durations (`n` of them, written from `start` to `end`, in a blob
 * whose checkpoints are `every` apart): see `headTotal`. Bounds-safe for any bytes: a table that
 * does not fit before `end` counts as no table.
 */
function readHead(bytes: Uint8Array, start: number, end: number, n: number, every: number): void {
  headTotal = NaN;
  headEntries = 0;
  if (every <= 0 || n <= every) {
    headFirst = start;
    return;
  }
  let z = wideAt(bytes, start);
  headTotal = z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  z = wideAt(bytes, wideEnd);
  headValueWidth = z & 15;
  headExtraWidth = (z >>> 4) & 15;
  headSumWidth = (z >>> 8) & 15;
  headTable = wideEnd;
  headFirst = wideEnd;
  if (
    z >= 4096 ||
    headValueWidth > MAX_FIELD_BYTES ||
    headExtraWidth > MAX_FIELD_BYTES ||
    headSumWidth > MAX_FIELD_BYTES
  )
    return;
  const entries = Math.floor((n - 1) / every);
  const size = entries * (headValueWidth + headExtraWidth + headSumWidth);
  headFirst = headTable + size;
  if (headFirst <= end) headEntries = entries;
  else headFirst = end;
}

/** A little-endian whole number of `width` bytes at `pos` (0 past the end of `bytes`). */
function fixedAt(bytes: Uint8Array, pos: number, width: number): number {
  let v = 0;
  let scale = 1;
  for (let k = 0; k < width; k += 1) {
    v += (bytes[pos + k] ?? 0) * scale;
    scale *= 256;
  }
  return v;
}

/** The bytes a whole number 0 <= v needs written in full, little-endian (0 for 0). */
function fixedWidth(v: number): number {
  let n = 0;
  for (let x = v; x >= 1; x = Math.floor(x / 256)) n += 1;
  return n;
}

function varintLength(value: number): number {
  let n = 1;
  for (let v = value; v >= 128; v = Math.floor(v / 128)) n += 1;
  return n;
}

/** Appends unsigned varints (7 bits a byte, low first) and 16-bit words to a growing buffer. */
class ByteWriter {
  private buf: Uint8Array;
  private len = 0;

  /** `expected`: the bytes likely needed, to allocate once. */
  constructor(expected = 256) {
    this.buf = new Uint8Array(expected);
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  uint(value: number): void {
    this.room(value < 2 ** 56 ? 8 : varintLength(value));
    let v = value;
    while (v >= 128) {
      this.buf[this.len++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    this.buf[this.len++] = v;
  }

  /**
   * The differences of ascending values as 16-bit little-endian words; a difference of 65,535 or
   * more is the word 0xffff followed by the difference as a varint.
   */
  differences(values: Float64Array): void {
    this.room(values.length * 2);
    for (let i = 1; i < values.length; i += 1) {
      const d = values[i]! - values[i - 1]!;
      if (d < WIDE) {
        this.buf[this.len++] = d & 255;
        this.buf[this.len++] = d >>> 8;
      } else {
        this.room(10 + (values.length - i) * 2);
        this.buf[this.len++] = 255;
        this.buf[this.len++] = 255;
        this.uint(d);
      }
    }
  }

  /** A whole number 0 <= v < 256 ** width in `width` bytes, little-endian. */
  fixed(value: number, width: number): void {
    let v = value;
    for (let k = 0; k < width; k += 1) {
      this.buf[this.len++] = v % 256;
      v = Math.floor(v / 256);
    }
  }

  /**
   * Ascending values as stored: their byte length, then (when there are more than `every`) the
   * head `readHead` reads: their sum zigzag-mapped, the widths of the checkpoint fields and the
   * checkpoints of every `every`-th value; then the first zigzag-mapped and the differences (see
   * `differences`). A checkpoint field too large for `MAX_FIELD_BYTES` leaves the cell without
   * checkpoints (widths 15), its sum still written.
   */
  durations(values: Float64Array, every: number): void {
    const n = values.length;
    if (n === 0) {
      this.uint(0);
      return;
    }
    const first = values[0]!;
    let length = varintLength(zigzag(first));
    for (let i = 1; i < n; i += 1) {
      const d = values[i]! - values[i - 1]!;
      length += d < WIDE ? 2 : 2 + varintLength(d);
    }
    if (every <= 0 || n <= every) {
      this.uint(length);
      this.uint(zigzag(first));
      this.differences(values);
      return;
    }
    // The checkpoints' fields, relative to what is known at their place so they stay short:
    // the value less the first, the bytes of wide differences before it, the sum less its
    // share of the first.
    const entries = Math.floor((n - 1) / every);
    const fields = new Float64Array(entries * 3);
    let total = 0;
    let extra = 0;
    let maxValue = 0;
    let maxExtra = 0;
    let maxSum = 0;
    for (let i = 0, e = 0; i < n; i += 1) {
      const v = values[i]!;
      if (i > 0 && i % every === 0) {
        fields[e] = v - first;
        fields[e + 1] = extra;
        fields[e + 2] = total - i * first;
        maxValue = Math.max(maxValue, fields[e]!);
        maxExtra = Math.max(maxExtra, extra);
        maxSum = Math.max(maxSum, fields[e + 2]!);
        e += 3;
      }
      total += v;
      if (i + 1 < n) {
        const d = values[i + 1]! - v;
        if (d >= WIDE) extra += varintLength(d);
      }
    }
    let wv = fixedWidth(maxValue);
    let wx = fixedWidth(maxExtra);
    let ws = fixedWidth(maxSum);
    const table = wv <= MAX_FIELD_BYTES && wx <= MAX_FIELD_BYTES && ws <= MAX_FIELD_BYTES;
    if (!table) wv = wx = ws = 15;
    const widths = wv | (wx << 4) | (ws << 8);
    const tableBytes = table ? entries * (wv + wx + ws) : 0;
    length += varintLength(zigzag(total)) + varintLength(widths) + tableBytes;
    this.uint(length);
    this.uint(zigzag(total));
    this.uint(widths);
    if (table) {
      this.room(tableBytes);
      for (let e = 0; e < fields.length; e += 3) {
        this.fixed(fields[e]!, wv);
        this.fixed(fields[e + 1]!, wx);
        this.fixed(fields[e + 2]!, ws);
      }
    }
    this.uint(zigzag(first));
    this.differences(values);
  }

  bytes(b: Uint8Array): void {
    this.uint(b.length);
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  done(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

/**
 * A cell as stored, its durations still encoded: a write that changes only a cell's counts, or
 * other cells of its bucket, copies these bytes as they are.
 */
interface StoredCell {
  appId: number;
  category: string;
  hours: readonly number[];
  background: number;
  known: number;
  count: number;
  /** The durations as stored, or (when they changed) as values to encode. */
  durations: Uint8Array | Float64Array;
}

function storedCell(c: StatsCell): StoredCell {
  return {
    appId: c.appId,
    category: c.category,
    hours: c.hours,
    background: c.background,
    known: c.known,
    count: c.durations.length,
    durations: c.durations,
  };
}

/**
 * Encodes a bucket's cells: the category names once, the total number of durations, the spacing
 * of the cells' checkpoints (`STATS_CHECKPOINT_EVERY`), then per cell (by app id, then category)
 * its ids, hour counts and state counts as varints, and its durations (their count and byte
 * length, for a cell with more than the spacing their sum and checkpoints, the first, then the
 * differences: two bytes each, cheap to decode, as the durations of a busy cell mostly lie
 * within a minute of the next). Stored durations are copied as they are: `readCells` hands over
 * only those written with the current spacing, so `every` is another only for cells whose
 * durations are all values (`encodeStatsCells`).
 */
function encodeCells(cells: StoredCell[], every = STATS_CHECKPOINT_EVERY): Uint8Array {
  const sorted = [...cells].sort(
    (a, b) => a.appId - b.appId || (a.category < b.category ? -1 : a.category > b.category ? 1 : 0),
  );
  const categories = [...new Set(sorted.map((c) => c.category))].sort();
  const index = new Map(categories.map((c, i) => [c, i]));
  let count = 0;
  let bytes = 0;
  for (const c of sorted) {
    count += c.count;
    bytes += c.durations instanceof Uint8Array ? c.durations.length : c.count * 2 + 8;
  }
  const w = new ByteWriter(64 + categories.length * 16 + sorted.length * 48 + bytes);
  w.uint(categories.length);
  for (const c of categories) w.bytes(utf8.encode(c));
  w.uint(count);
  w.uint(every);
  w.uint(sorted.length);
  for (const c of sorted) {
    w.uint(c.appId);
    w.uint(index.get(c.category)!);
    // The hours with sessions as a bit mask, then their counts: a day's cell has few of them.
    let mask = 0;
    for (let h = 0; h < 24; h += 1) if (c.hours[h]! !== 0) mask |= 1 << h;
    w.uint(mask);
    for (let h = 0; h < 24; h += 1) if (c.hours[h]! !== 0) w.uint(c.hours[h]!);
    w.uint(c.background);
    w.uint(c.known);
    w.uint(c.count);
    if (c.durations instanceof Uint8Array) w.bytes(c.durations);
    else w.durations(c.durations, every);
  }
  return w.done();
}

/**
 * A bucket's cells encoded as the write path stores them, for tests and tools; `every`: the
 * checkpoint spacing written (another than the current one gives a blob as another version
 * would have written it).
 */
export function encodeStatsCells(
  cells: readonly StatsCell[],
  every = STATS_CHECKPOINT_EVERY,
): Uint8Array {
  return encodeCells(cells.map(storedCell), every);
}

/** Reads unsigned varints from a blob. */
class ByteReader {
  pos = 0;
  readonly bytes: Uint8Array;

  constructor(blob: Uint8Array) {
    // A plain view: element reads on one array type keep the decoding loop monomorphic.
    this.bytes = new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength);
  }

  uint(): number {
    const bytes = this.bytes;
    let b = bytes[this.pos++]!;
    if (b < 128) return b;
    let v = b & 127;
    let scale = 128;
    do {
      b = bytes[this.pos++]!;
      v += (b & 127) * scale;
      scale *= 128;
    } while (b >= 128);
    return v;
  }

  /** A blob's table of category names, which its cells refer to by index. */
  categories(): string[] {
    const out: string[] = [];
    // Bounded by the blob's bytes too: a count read from a crafted blob may be anything.
    for (let n = this.uint(); n > 0 && this.pos < this.bytes.length; n -= 1) {
      const len = this.uint();
      out.push(fromUtf8.decode(this.bytes.subarray(this.pos, this.pos + len)));
      this.pos += len;
    }
    return out;
  }
}

/**
 * Space for decoded durations, reused between reads: views taken from it stay valid until
 * `reset`, and a full buffer is replaced (the views keep the old one alive).
 */
export class DurationScratch {
  private buf = new Float64Array(1 << 16);
  private used = 0;

  take(n: number): Float64Array {
    if (this.used + n > this.buf.length) {
      this.buf = new Float64Array(Math.max(this.buf.length * 2, n));
      this.used = 0;
    }
    const view = this.buf.subarray(this.used, this.used + n);
    this.used += n;
    return view;
  }

  /** Forgets the views taken; `capacity` values will fit without a new buffer. */
  reset(capacity = 0): void {
    this.used = 0;
    if (capacity > this.buf.length) this.buf = new Float64Array(capacity);
  }
}

/** The number of durations a blob holds (to size the space they are decoded into). */
export function durationCount(blob: Uint8Array): number {
  const r = new ByteReader(blob);
  // Each name's length is read before the position moves past it: `r.pos += r.uint()` would add
  // it to the position from before its own varint, landing inside the name.
  for (let n = r.uint(); n > 0 && r.pos < r.bytes.length; n -= 1) {
    const length = r.uint();
    r.pos += length;
  }
  // Each duration takes a byte at least: a larger count is not the blob's.
  return Math.min(r.uint(), blob.length);
}

/**
 * The byte length of a cell's durations as read, at most the bytes left in the blob; `r` is
 * moved past it. The durations' count is then at most this length (each takes a byte at least).
 */
function cellLength(r: ByteReader): number {
  const length = r.uint();
  return Math.max(0, Math.min(length, r.bytes.length - r.pos));
}

/**
 * A cell's `n` durations written from `start` to `end` in a blob whose checkpoints are `every`
 * apart, decoded into `out` from `o` (values past its end are dropped).
 */
function decodeDurations(
  bytes: Uint8Array,
  start: number,
  end: number,
  n: number,
  every: number,
  out: Float64Array,
  o: number,
): void {
  if (n === 0) return;
  readHead(bytes, start, end, n, every);
  const z = wideAt(bytes, headFirst);
  let v = z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  out[o] = v;
  let pos = wideEnd;
  for (let i = 1; i < n; i += 1) {
    let d = bytes[pos]! | (bytes[pos + 1]! << 8);
    pos += 2;
    if (d === WIDE) {
      d = wideAt(bytes, pos);
      pos = wideEnd;
    }
    v += d;
    out[o + i] = v;
  }
}

/**
 * Decodes a bucket's cells, handing each to `visit` as one reused view; the durations of all
 * cells share one array (each cell gets a view of it), taken from `scratch` when given.
 */
export function decodeStatsCells(
  blob: Uint8Array,
  visit: (cell: CellView) => void,
  scratch?: DurationScratch,
): void {
  const r = new ByteReader(blob);
  const bytes = r.bytes;
  const categories = r.categories();
  const total = Math.min(r.uint(), bytes.length);
  const every = r.uint();
  const all = scratch ? scratch.take(total) : new Float64Array(total);
  const view: CellView = {
    appId: 0,
    category: '',
    hours: new Int32Array(24),
    background: 0,
    known: 0,
    durations: all,
  };
  let o = 0;
  for (let cells = r.uint(); cells > 0 && r.pos < bytes.length; cells -= 1) {
    view.appId = r.uint();
    view.category = categories[r.uint()]!;
    const mask = r.uint();
    for (let h = 0; h < 24; h += 1) view.hours[h] = mask & (1 << h) ? r.uint() : 0;
    view.background = r.uint();
    view.known = r.uint();
    const count = r.uint();
    const length = cellLength(r);
    const n = Math.min(count, length);
    const start = r.pos;
    r.pos = start + length;
    // The durations, decoded here rather than in a function of their own: one long-running
    // loop per bucket gets optimized within the first bucket, not after hundreds of short calls.
    if (n > 0) {
      readHead(bytes, start, r.pos, n, every);
      const z = wideAt(bytes, headFirst);
      let v = z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      all[o] = v;
      let pos = wideEnd;
      for (let i = 1; i < n; i += 1) {
        let d = bytes[pos]! | (bytes[pos + 1]! << 8);
        pos += 2;
        if (d === WIDE) {
          d = wideAt(bytes, pos);
          pos = wideEnd;
        }
        v += d;
        all[o + i] = v;
      }
    }
    view.durations = all.subarray(o, o + n);
    o += n;
    visit(view);
  }
}

/** A cell of a bucket with its closed durations counted, summed and the longest taken. */
export interface CellTotals {
  appId: number;
  category: string;
  /** Sessions starting in each device-local hour. */
  hours: Int32Array;
  /** Closed sessions (those with a duration). */
  closed: number;
  /** The sum of their durations. */
  totalMs: number;
  /** The longest of them (the last, as they are stored in ascending order); 0 when none. */
  longestMs: number;
}

/**
 * Decodes a bucket's cells as `decodeStatsCells` does, but hands each over with its durations'
 * count, sum and longest instead of the durations: never stored, for readers that need nothing
 * else of them (the summary). A cell with checkpoints gives its stored sum, and only the
 * durations after its last checkpoint are read for the longest.
 */
export function sumStatsCells(blob: Uint8Array, visit: (cell: CellTotals) => void): void {
  const r = new ByteReader(blob);
  const bytes = r.bytes;
  const categories = r.categories();
  r.uint(); // the number of durations of all cells
  const every = r.uint();
  const view: CellTotals = {
    appId: 0,
    category: '',
    hours: new Int32Array(24),
    closed: 0,
    totalMs: 0,
    longestMs: 0,
  };
  for (let cells = r.uint(); cells > 0 && r.pos < bytes.length; cells -= 1) {
    view.appId = r.uint();
    view.category = categories[r.uint()]!;
    const mask = r.uint();
    for (let h = 0; h < 24; h += 1) view.hours[h] = mask & (1 << h) ? r.uint() : 0;
    r.uint(); // background
    r.uint(); // known
    const count = r.uint();
    const length = cellLength(r);
    const n = Math.min(count, length);
    const start = r.pos;
    const end = start + length;
    r.pos = end;
    let total = 0;
    let v = 0;
    if (n > 0) {
      readHead(bytes, start, end, n, every);
      const z = wideAt(bytes, headFirst);
      const first = z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      let pos = wideEnd;
      v = first;
      let i = 1;
      if (headEntries > 0) {
        const at = headTable + (headEntries - 1) * (headValueWidth + headExtraWidth + headSumWidth);
        const last = headEntries * every;
        v = first + fixedAt(bytes, at, headValueWidth);
        const skip = 2 * last + fixedAt(bytes, at + headValueWidth, headExtraWidth);
        pos = Math.min(pos + skip, end);
        total = headTotal;
        for (i = last + 1; i < n; i += 1) {
          let d = bytes[pos]! | (bytes[pos + 1]! << 8);
          pos += 2;
          if (d === WIDE) {
            d = wideAt(bytes, pos);
            pos = wideEnd;
          }
          v += d;
        }
      } else {
        total = v;
        for (; i < n; i += 1) {
          let d = bytes[pos]! | (bytes[pos + 1]! << 8);
          pos += 2;
          if (d === WIDE) {
            d = wideAt(bytes, pos);
            pos = wideEnd;
          }
          v += d;
          total += v;
        }
      }
    }
    view.closed = n;
    view.totalMs = total;
    view.longestMs = n > 0 ? v : 0;
    visit(view);
  }
}

/**
 * Per cell of a bucket that `keep` accepts, the closed sessions whose duration is at least
 * `leastMs` and the sum of those durations, counted as the durations are read (never stored);
 * the durations of a cell `keep` refuses are skipped by their byte length, unread. `visit` is
 * called for every kept cell, with 0 and 0 when none reaches `leastMs`. A cell with checkpoints
 * is read from the last checkpoint under `leastMs` (a binary search) to the first duration at
 * or above it, at most `STATS_CHECKPOINT_EVERY` durations: the sum is the stored sum less the
 * durations under the least.
 *
 * The checkpoints are trusted as the case's writer made them: a crafted table gives wrong
 * figures, but every read stays within the cell's bytes and every walk ends.
 */
export function countStatsCellsAtLeast(
  blob: Uint8Array,
  leastMs: number,
  keep: (appId: number, category: string) => boolean,
  visit: (appId: number, category: string, sessions: number, sumMs: number) => void,
): void {
  const r = new ByteReader(blob);
  const bytes = r.bytes;
  const categories = r.categories();
  r.uint(); // the number of durations of all cells
  const every = r.uint();
  for (let cells = r.uint(); cells > 0 && r.pos < bytes.length; cells -= 1) {
    const appId = r.uint();
    const category = categories[r.uint()]!;
    const mask = r.uint();
    for (let h = 0; h < 24; h += 1) if (mask & (1 << h)) r.uint();
    r.uint(); // background
    r.uint(); // known
    const count = r.uint();
    const length = cellLength(r);
    const start = r.pos;
    const end = start + length;
    r.pos = end;
    if (!keep(appId, category)) continue;
    const n = Math.min(count, length);
    if (n === 0) {
      visit(appId, category, 0, 0);
      continue;
    }
    readHead(bytes, start, end, n, every);
    const z = wideAt(bytes, headFirst);
    const first = z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    const base = wideEnd;
    if (first >= leastMs) {
      // Every duration reaches the least: with a stored sum nothing more is read.
      if (!Number.isNaN(headTotal)) {
        visit(appId, category, n, headTotal);
        continue;
      }
    }
    // `i`: the last duration known to be under the least, `v` its value, `below` the sum
    // through it, `pos` where the difference to the next is written.
    let i = 0;
    let v = first;
    let below = first;
    let pos = base;
    if (headEntries > 0 && first < leastMs) {
      const width = headValueWidth + headExtraWidth + headSumWidth;
      // The last checkpoint under the least (0: the first duration).
      let lo = 0;
      let hi = headEntries;
      while (lo < hi) {
        const mid = lo + Math.ceil((hi - lo) / 2);
        if (first + fixedAt(bytes, headTable + (mid - 1) * width, headValueWidth) < leastMs)
          lo = mid;
        else hi = mid - 1;
      }
      if (lo > 0) {
        const at = headTable + (lo - 1) * width;
        i = lo * every;
        v = first + fixedAt(bytes, at, headValueWidth);
        const skip = 2 * i + fixedAt(bytes, at + headValueWidth, headExtraWidth);
        pos = Math.min(base + skip, end);
        below = fixedAt(bytes, at + headValueWidth + headExtraWidth, headSumWidth) + i * first + v;
      }
    }
    if (v < leastMs) {
      // Ascending: the values under the least come first. Bounded by the cell's bytes too, as
      // a crafted checkpoint may place `i` anywhere.
      while (i + 1 < n && pos + 1 < end) {
        let d = bytes[pos]! | (bytes[pos + 1]! << 8);
        let next = pos + 2;
        if (d === WIDE) {
          d = wideAt(bytes, next);
          next = wideEnd;
        }
        if (v + d >= leastMs) break;
        v += d;
        below += v;
        i += 1;
        pos = next;
      }
    } else {
      // Only without checkpoints' sum and with every duration at or above the least.
      i = -1;
      below = 0;
    }
    const sessions = n - i - 1;
    if (sessions <= 0) {
      visit(appId, category, 0, 0);
      continue;
    }
    if (!Number.isNaN(headTotal)) {
      visit(appId, category, sessions, headTotal - below);
      continue;
    }
    // A small cell keeps no sum: the durations at or above the least are read and summed.
    let at = i === -1 ? base : pos;
    let value = i === -1 ? first : v;
    let total = i === -1 ? first : 0;
    for (let k = Math.max(i + 1, 1); k < n; k += 1) {
      let d = bytes[at]! | (bytes[at + 1]! << 8);
      at += 2;
      if (d === WIDE) {
        d = wideAt(bytes, at);
        at = wideEnd;
      }
      value += d;
      total += value;
    }
    visit(appId, category, sessions, total);
  }
}

/** The order of cells in a row: by app id, then category. */
function byCell(a: { appId: number; category: string }, b: { appId: number; category: string }) {
  return a.appId - b.appId || (a.category < b.category ? -1 : a.category > b.category ? 1 : 0);
}

/**
 * The cells of a blob in the order of `byCell`, their durations left encoded when the blob's
 * checkpoints have the current spacing (so they are copied as they are), decoded otherwise.
 */
function readCells(blob: Uint8Array): StoredCell[] {
  const r = new ByteReader(blob);
  const categories = r.categories();
  r.uint(); // the number of durations
  const every = r.uint();
  const out: StoredCell[] = [];
  for (let cells = r.uint(); cells > 0 && r.pos < r.bytes.length; cells -= 1) {
    const appId = r.uint();
    const category = categories[r.uint()]!;
    const mask = r.uint();
    const hours = new Array<number>(24);
    for (let h = 0; h < 24; h += 1) hours[h] = mask & (1 << h) ? r.uint() : 0;
    const background = r.uint();
    const known = r.uint();
    const count = r.uint();
    const length = cellLength(r);
    const n = Math.min(count, length);
    let durations: Uint8Array | Float64Array = r.bytes.subarray(r.pos, r.pos + length);
    if (every !== STATS_CHECKPOINT_EVERY && n > 0) {
      durations = new Float64Array(n);
      decodeDurations(r.bytes, r.pos, r.pos + length, n, every, durations, 0);
    }
    r.pos += length;
    out.push({ appId, category, hours, background, known, count: n, durations });
  }
  // Rows are written in this order; a row that is not is put in it.
  for (let i = 1; i < out.length; i += 1)
    if (byCell(out[i - 1]!, out[i]!) > 0) return out.sort(byCell);
  return out;
}

/** A cell's durations, decoded. */
function durationsOf(c: StoredCell): Float64Array {
  if (c.durations instanceof Float64Array) return c.durations;
  const out = new Float64Array(c.count);
  decodeDurations(c.durations, 0, c.durations.length, c.count, STATS_CHECKPOINT_EVERY, out, 0);
  return out;
}

/**
 * Removes the values present in both lists (as multisets); both come back ascending. The lists
 * are the caller's to reorder.
 */
function cancel(added: Float64Array, removed: Float64Array): [Float64Array, Float64Array] {
  const a = added.sort();
  const r = removed.sort();
  if (a.length === 0 || r.length === 0) return [a, r];
  const keepA = new Float64Array(a.length);
  const keepR = new Float64Array(r.length);
  let i = 0;
  let j = 0;
  let na = 0;
  let nr = 0;
  while (i < a.length && j < r.length) {
    if (a[i] === r[j]) {
      i += 1;
      j += 1;
    } else if (a[i]! < r[j]!) keepA[na++] = a[i++]!;
    else keepR[nr++] = r[j++]!;
  }
  while (i < a.length) keepA[na++] = a[i++]!;
  while (j < r.length) keepR[nr++] = r[j++]!;
  return [keepA.subarray(0, na), keepR.subarray(0, nr)];
}

/** The lists joined into one. */
function join(lists: Float64Array[]): Float64Array {
  if (lists.length === 1) return lists[0]!;
  const out = new Float64Array(lists.reduce((n, l) => n + l.length, 0));
  let o = 0;
  for (const l of lists) {
    out.set(l, o);
    o += l.length;
  }
  return out;
}

/** `stored` plus `added` minus `removed` (all ascending), or null when a removed value is missing. */
function applyValues(
  stored: Float64Array,
  added: Float64Array,
  removed: Float64Array,
): Float64Array | null {
  if (removed.length === 0 && (added.length === 0 || stored.length === 0))
    return added.length === 0 ? stored : added;
  const size = stored.length + added.length - removed.length;
  if (size < 0) return null;
  const out = new Float64Array(size);
  let i = 0;
  let j = 0;
  let k = 0;
  let o = 0;
  while (i < stored.length || j < added.length) {
    const fromStored = j >= added.length || (i < stored.length && stored[i]! <= added[j]!);
    const v = fromStored ? stored[i++]! : added[j++]!;
    if (k < removed.length && removed[k] === v) {
      k += 1;
      continue;
    }
    if ((k < removed.length && removed[k]! < v) || o >= size) return null;
    out[o++] = v;
  }
  return k === removed.length && o === size ? out : null;
}

interface CellChange {
  appId: number;
  category: string;
  /** Not to be changed: it may be a day delta's own array. */
  hours: readonly number[];
  background: number;
  known: number;
  added: Float64Array;
  removed: Float64Array;
}

/** Statements over the table; prepare once per flush or rebuild. */
class StatsWriter {
  private readonly selectStmt;
  private readonly upsertStmt;
  private readonly deleteStmt;
  private readonly cellSessionsStmt;

  constructor(db: Db) {
    this.selectStmt = db.prepare(
      'SELECT cells FROM session_stats WHERE level = ? AND device_id = ? AND bucket = ?',
    );
    this.upsertStmt = db.prepare(
      `INSERT INTO session_stats (level, device_id, bucket, cells) VALUES (?, ?, ?, ?)
       ON CONFLICT (level, device_id, bucket) DO UPDATE SET cells = excluded.cells`,
    );
    this.deleteStmt = db.prepare(
      'DELETE FROM session_stats WHERE level = ? AND device_id = ? AND bucket = ?',
    );
    // The app index narrows to the app (an app id belongs to one device); the days are filtered.
    this.cellSessionsStmt = db.prepare(
      `SELECT s.anchor_minute / 60 AS hour, s.open = 0 AND s.duration_ms IS NOT NULL AS closed,
              s.duration_ms AS durationMs, ${STATE_SQL} AS state
       FROM access_sessions s
       WHERE s.app_id = ? AND s.device_id = ? AND s.category = ? AND s.local_day >= ? AND s.local_day < ?`,
    );
  }

  /** Stores a bucket's cells (those with sessions); a bucket without any is removed. */
  write(level: number, deviceId: number, bucket: number, cells: Iterable<StoredCell>): void {
    const kept = [...cells].filter((c) => sum(c.hours) > 0);
    if (kept.length === 0) this.deleteStmt.run(level, deviceId, bucket);
    else this.upsertStmt.run(level, deviceId, bucket, encodeCells(kept));
  }

  /** A row's stored cells in the order of `byCell` (none when it is not stored). */
  read(level: number, deviceId: number, bucket: number): StoredCell[] {
    const row = this.selectStmt.get(level, deviceId, bucket) as { cells: Buffer } | undefined;
    return row ? readCells(row.cells) : [];
  }

  /**
   * Applies the net changes of a bucket's cells to the stored row. A change that does not fit
   * what is stored (it would leave a count negative or remove a duration that is not there) is
   * not trusted: that cell is recomputed from the sessions instead.
   */
  apply(level: number, deviceId: number, bucket: number, changes: CellChange[]): void {
    const cells = this.merge(level, deviceId, bucket, this.read(level, deviceId, bucket), changes);
    this.write(level, deviceId, bucket, cells);
  }

  /**
   * A row's cells (in the order of `byCell`) with the net changes of some of them applied (see
   * `apply`), in the same order; cells left without sessions stay until `write`. The changes
   * (one per cell) are reordered.
   */
  merge(
    level: number,
    deviceId: number,
    bucket: number,
    stored: readonly StoredCell[],
    changes: CellChange[],
  ): StoredCell[] {
    changes.sort(byCell);
    const out: StoredCell[] = [];
    let i = 0;
    for (const ch of changes) {
      while (i < stored.length && byCell(stored[i]!, ch) < 0) out.push(stored[i++]!);
      const c = i < stored.length && byCell(stored[i]!, ch) === 0 ? stored[i++] : undefined;
      let hours: readonly number[] = ch.hours;
      if (c) {
        const sumHours = [...c.hours];
        for (let h = 0; h < 24; h += 1) sumHours[h]! += ch.hours[h]!;
        hours = sumHours;
      }
      const sessions = sum(hours);
      const background = (c?.background ?? 0) + ch.background;
      const known = (c?.known ?? 0) + ch.known;
      // The stored durations are decoded only when the change adds or removes some.
      const same = ch.added.length === 0 && ch.removed.length === 0;
      const values = same ? null : applyValues(c ? durationsOf(c) : EMPTY, ch.added, ch.removed);
      const count = same ? (c?.count ?? 0) : (values?.length ?? 0);
      const fits =
        (same || values !== null) &&
        hours.every((n) => n >= 0) &&
        background >= 0 &&
        known >= background &&
        sessions >= known &&
        sessions >= count;
      out.push(
        fits
          ? {
              appId: ch.appId,
              category: ch.category,
              hours,
              background,
              known,
              count,
              durations: same ? (c?.durations ?? NO_BYTES) : values!,
            }
          : storedCell(this.recompute(level, deviceId, bucket, ch.appId, ch.category)),
      );
    }
    while (i < stored.length) out.push(stored[i++]!);
    return out;
  }

  /** One cell computed from the sessions. */
  private recompute(
    level: number,
    deviceId: number,
    bucket: number,
    appId: number,
    category: string,
  ): StatsCell {
    const cell: StatsCell = {
      appId,
      category,
      hours: new Array<number>(24).fill(0),
      background: 0,
      known: 0,
      durations: EMPTY,
    };
    repairs += 1;
    const values: number[] = [];
    const rows = this.cellSessionsStmt.all(
      appId,
      deviceId,
      category,
      bucket * level,
      (bucket + 1) * level,
    ) as { hour: number; closed: number; durationMs: number | null; state: SessionState }[];
    for (const r of rows) {
      cell.hours[r.hour]! += 1;
      if (r.state !== 'unknown') cell.known += 1;
      if (r.state === 'background') cell.background += 1;
      if (r.closed === 1) values.push(r.durationMs!);
    }
    cell.durations = Float64Array.from(values).sort();
    return cell;
  }
}

/** The net change of one cell from the day changes that fall in it. */
function netChange(days: StatsDelta[]): CellChange | null {
  const first = days[0]!;
  // A single day's change is taken as it is; several days' are summed into new arrays.
  const hours = days.length === 1 ? first.counts : [...first.counts];
  const c: CellChange = {
    appId: first.appId,
    category: first.category,
    hours,
    background: first.background,
    known: first.known,
    added: join(days.map((d) => d.added)),
    removed: join(days.map((d) => d.removed)),
  };
  for (let i = 1; i < days.length; i += 1) {
    const d = days[i]!;
    for (let h = 0; h < 24; h += 1) hours[h]! += d.counts[h]!;
    c.background += d.background;
    c.known += d.known;
  }
  [c.added, c.removed] = cancel(c.added, c.removed);
  const unchanged =
    c.hours.every((n) => n === 0) &&
    c.background === 0 &&
    c.known === 0 &&
    c.added.length === 0 &&
    c.removed.length === 0;
  return unchanged ? null : c;
}

/**
 * The net changes of the day cells `days` at every level, handed over one stored row (level,
 * device, bucket) at a time. Changes that cancel out are left out; the delta lists are reordered.
 */
function eachRowChange(
  days: StatsDelta[],
  visit: (level: number, deviceId: number, bucket: number, changes: CellChange[]) => void,
): void {
  for (const level of STATS_LEVELS) {
    const rows = new Map<string, StatsDelta[]>();
    for (const d of days) {
      const key = `${d.deviceId}|${bucketOf(d.bucket, level)}`;
      const list = rows.get(key);
      if (list) list.push(d);
      else rows.set(key, [d]);
    }
    for (const list of rows.values()) {
      const cells = new Map<string, StatsDelta[]>();
      for (const d of list) {
        const key = `${d.appId}|${d.category}`;
        const c = cells.get(key);
        if (c) c.push(d);
        else cells.set(key, [d]);
      }
      const changes: CellChange[] = [];
      for (const c of cells.values()) {
        const change = netChange(c);
        if (change) changes.push(change);
      }
      if (changes.length > 0)
        visit(level, list[0]!.deviceId, bucketOf(list[0]!.bucket, level), changes);
    }
  }
}

/**
 * Applies the day cells' changes of a write to every level, one bucket row at a time. Changes
 * that cancel out (a session rewritten with the same duration and state) never reach the table.
 * The delta lists are reordered.
 */
export function applySessionStats(db: Db, deltas: Iterable<StatsDelta>): void {
  const days = [...deltas];
  if (days.length === 0) return;
  const writer = new StatsWriter(db);
  eachRowChange(days, (level, deviceId, bucket, changes) =>
    writer.apply(level, deviceId, bucket, changes),
  );
}

/** A signed whole number as an unsigned one: 0, -1, 1, -2, ... as 0, 1, 2, 3, ... */
function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

function unzigzag(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

/** Ascending whole numbers: their count, the first zigzag-mapped, then the differences. */
function writeAscending(w: ByteWriter, values: Float64Array): void {
  w.uint(values.length);
  if (values.length === 0) return;
  w.uint(zigzag(values[0]!));
  for (let i = 1; i < values.length; i += 1) w.uint(values[i]! - values[i - 1]!);
}

function readAscending(r: ByteReader): Float64Array {
  const n = r.uint();
  if (n === 0) return EMPTY;
  const out = new Float64Array(n);
  let v = unzigzag(r.uint());
  out[0] = v;
  for (let i = 1; i < n; i += 1) {
    v += r.uint();
    out[i] = v;
  }
  return out;
}

/** The changes held for one stored row, each part encoded (see `HeldStatsChanges.hold`). */
interface HeldRow {
  level: number;
  deviceId: number;
  bucket: number;
  parts: Uint8Array[];
}

/**
 * The session stats' changes of a long write, held encoded between its partial flushes and
 * applied once at its end, so each stored row is read and written once per write. A row holds
 * every app of its device and bucket: applied at every partial flush, each flush read and wrote
 * again the cells of all the apps written before it, a cost that grew with the square of the
 * source. Held encoded, the changes take about the bytes the rows themselves take.
 */
export class HeldStatsChanges {
  private readonly rows = new Map<string, HeldRow>();
  private readonly categories: string[] = [];
  private readonly categoryIds = new Map<string, number>();

  /** Whether nothing is held. */
  get empty(): boolean {
    return this.rows.size === 0;
  }

  private categoryId(category: string): number {
    let id = this.categoryIds.get(category);
    if (id === undefined) {
      id = this.categories.length;
      this.categories.push(category);
      this.categoryIds.set(category, id);
    }
    return id;
  }

  /**
   * Holds the day cells' changes: per row, its cells' net changes as varints (app id, category
   * number, mask of the hours changed and their zigzag-mapped changes, background and known,
   * then the durations added and removed). The delta lists are reordered.
   */
  hold(deltas: Iterable<StatsDelta>): void {
    const days = [...deltas];
    eachRowChange(days, (level, deviceId, bucket, changes) => {
      const key = `${level}|${deviceId}|${bucket}`;
      let row = this.rows.get(key);
      if (!row) {
        row = { level, deviceId, bucket, parts: [] };
        this.rows.set(key, row);
      }
      let values = 0;
      for (const c of changes) values += c.added.length + c.removed.length;
      const w = new ByteWriter(16 + changes.length * 40 + values * 3);
      w.uint(changes.length);
      for (const c of changes) {
        w.uint(c.appId);
        w.uint(this.categoryId(c.category));
        let mask = 0;
        for (let h = 0; h < 24; h += 1) if (c.hours[h]! !== 0) mask |= 1 << h;
        w.uint(mask);
        for (let h = 0; h < 24; h += 1) if (c.hours[h]! !== 0) w.uint(zigzag(c.hours[h]!));
        w.uint(zigzag(c.background));
        w.uint(zigzag(c.known));
        writeAscending(w, c.added);
        writeAscending(w, c.removed);
      }
      row.parts.push(w.done().slice());
    });
  }

  /** The changes of a held part, decoded. */
  private decode(part: Uint8Array): CellChange[] {
    const r = new ByteReader(part);
    const out: CellChange[] = [];
    for (let n = r.uint(); n > 0; n -= 1) {
      const appId = r.uint();
      const category = this.categories[r.uint()]!;
      const mask = r.uint();
      const hours = new Array<number>(24);
      for (let h = 0; h < 24; h += 1) hours[h] = mask & (1 << h) ? unzigzag(r.uint()) : 0;
      const background = unzigzag(r.uint());
      const known = unzigzag(r.uint());
      const added = readAscending(r);
      const removed = readAscending(r);
      out.push({ appId, category, hours, background, known, added, removed });
    }
    return out;
  }

  /**
   * Applies what is held together with `deltas` (the last changes of the write), each row once,
   * and forgets what was held. The delta lists are reordered.
   */
  apply(db: Db, deltas: Iterable<StatsDelta>): void {
    if (this.empty) {
      applySessionStats(db, deltas);
      return;
    }
    const last = new Map<string, CellChange[]>();
    eachRowChange([...deltas], (level, deviceId, bucket, changes) => {
      const key = `${level}|${deviceId}|${bucket}`;
      last.set(key, changes);
      if (!this.rows.has(key)) this.rows.set(key, { level, deviceId, bucket, parts: [] });
    });
    const writer = new StatsWriter(db);
    for (const [key, row] of this.rows) {
      // The parts are applied in turn to the row held in memory, one part decoded at a time.
      let cells = writer.read(row.level, row.deviceId, row.bucket);
      for (const part of row.parts)
        cells = writer.merge(row.level, row.deviceId, row.bucket, cells, this.decode(part));
      row.parts.length = 0;
      const own = last.get(key);
      if (own) cells = writer.merge(row.level, row.deviceId, row.bucket, cells, own);
      writer.write(row.level, row.deviceId, row.bucket, cells);
    }
    this.rows.clear();
  }
}

/** The session stats of one device's sessions (`rows`: its sessions' columns), written. */
function rebuildDeviceStats(rows: Statement, writer: StatsWriter, deviceId: number): void {
  interface DayCell {
    deviceId: number;
    appId: number;
    category: string;
    day: number;
    hours: number[];
    background: number;
    known: number;
    durations: number[];
  }
  const days = new Map<string, DayCell>();
  for (const r of rows.iterate(deviceId) as IterableIterator<
    [number, number, string, number, number, number, number | null, number]
  >) {
    const key = `${r[0]}|${r[1]}|${r[2]}|${r[3]}`;
    let c = days.get(key);
    if (!c) {
      c = {
        deviceId: r[0],
        appId: r[1],
        category: r[2],
        day: r[3],
        hours: new Array<number>(24).fill(0),
        background: 0,
        known: 0,
        durations: [],
      };
      days.set(key, c);
    }
    c.hours[r[4]]! += 1;
    if (r[7] !== 0) c.known += 1;
    if (r[7] === 2) c.background += 1;
    if (r[5] === 1) c.durations.push(r[6]!);
  }
  for (const level of STATS_LEVELS) {
    const buckets = new Map<
      string,
      { deviceId: number; bucket: number; cells: Map<string, DayCell[]> }
    >();
    for (const c of days.values()) {
      const bucket = bucketOf(c.day, level);
      const rowKey = `${c.deviceId}|${bucket}`;
      let row = buckets.get(rowKey);
      if (!row) {
        row = { deviceId: c.deviceId, bucket, cells: new Map() };
        buckets.set(rowKey, row);
      }
      const cellKey = `${c.appId}|${c.category}`;
      const parts = row.cells.get(cellKey);
      if (parts) parts.push(c);
      else row.cells.set(cellKey, [c]);
    }
    for (const row of buckets.values()) {
      const cells: StatsCell[] = [];
      for (const parts of row.cells.values()) {
        const durations = new Float64Array(parts.reduce((n, p) => n + p.durations.length, 0));
        const cell: StatsCell = {
          appId: parts[0]!.appId,
          category: parts[0]!.category,
          hours: new Array<number>(24).fill(0),
          background: 0,
          known: 0,
          durations,
        };
        let o = 0;
        for (const p of parts) {
          for (let h = 0; h < 24; h += 1) cell.hours[h]! += p.hours[h]!;
          cell.background += p.background;
          cell.known += p.known;
          durations.set(p.durations, o);
          o += p.durations.length;
        }
        durations.sort();
        cells.push(cell);
      }
      writer.write(level, row.deviceId, row.bucket, cells.map(storedCell));
    }
  }
}

/**
 * Recomputes the whole table, and the sessions by app state, from the sessions (also used by the
 * migrations that add them).
 */
export function rebuildSessionStats(db: Db): void {
  db.exec('DELETE FROM session_stats');
  // One device at a time, through the sessions' key index (it leads with the device): the day
  // cells of a whole case held at once took 700 MB at 10M sessions.
  const rows = db
    .prepare(
      `SELECT s.device_id, s.app_id, s.category, s.local_day, s.anchor_minute / 60,
              s.open = 0 AND s.duration_ms IS NOT NULL, s.duration_ms,
              CASE ${STATE_SQL} WHEN 'background' THEN 2 WHEN 'foreground' THEN 1 ELSE 0 END
       FROM access_sessions s WHERE s.device_id = ?`,
    )
    .raw(true);
  const nextDevice = db
    .prepare('SELECT MIN(device_id) FROM access_sessions WHERE device_id > ?')
    .pluck();
  const writer = new StatsWriter(db);
  let device = db.prepare('SELECT MIN(device_id) FROM access_sessions').pluck().get() as
    number | null;
  while (device !== null) {
    rebuildDeviceStats(rows, writer, device);
    device = nextDevice.get(device) as number | null;
  }
  rebuildSessionStates(db);
}
