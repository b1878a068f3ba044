// The cells of a session stats row: a bucket's cells encoded into the row's blob, and decoded
// back, all of them for a comparison or as stored for a write that changes some of them.
import {
  ByteReader,
  ByteWriter,
  cellLength,
  decodeDurations,
  headFirst,
  readHead,
  STATS_CHECKPOINT_EVERY,
  WIDE,
  wideAt,
  wideEnd,
} from './session-stats-codec';

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

const utf8 = new TextEncoder();

/**
 * A cell as stored, its durations still encoded: a write that changes only a cell's counts, or
 * other cells of its bucket, copies these bytes as they are.
 */
export interface StoredCell {
  appId: number;
  category: string;
  hours: readonly number[];
  background: number;
  known: number;
  count: number;
  /** The durations as stored, or (when they changed) as values to encode. */
  durations: Uint8Array | Float64Array;
}

/** A cell to store, its durations as values to encode. */
export function storedCell(c: StatsCell): StoredCell {
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
export function encodeCells(cells: StoredCell[], every = STATS_CHECKPOINT_EVERY): Uint8Array {
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

/** The order of cells in a row: by app id, then category. */
export function byCell(
  a: { appId: number; category: string },
  b: { appId: number; category: string },
) {
  return a.appId - b.appId || (a.category < b.category ? -1 : a.category > b.category ? 1 : 0);
}

/**
 * The cells of a blob in the order of `byCell`, their durations left encoded when the blob's
 * checkpoints have the current spacing (so they are copied as they are), decoded otherwise.
 */
export function readCells(blob: Uint8Array): StoredCell[] {
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
export function durationsOf(c: StoredCell): Float64Array {
  if (c.durations instanceof Float64Array) return c.durations;
  const out = new Float64Array(c.count);
  decodeDurations(c.durations, 0, c.durations.length, c.count, STATS_CHECKPOINT_EVERY, out, 0);
  return out;
}
