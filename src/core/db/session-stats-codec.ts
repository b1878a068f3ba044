// The bytes of a session stats blob: varints, the two-byte differences of ascending durations
// with their escape for wide ones, and the head of a cell's durations (their sum and
// checkpoints), read with bounds checks so that any bytes are safe to read. `wideAt` and
// `readHead` leave what they read in this module's variables, which the decoding loops of the
// readers read directly.

/** No values, shared by every cell or list without any. */
export const EMPTY = new Float64Array(0);

/** A difference this large or larger is written in full after an escape word. */
export const WIDE = 0xffff;

/** Where the last `wideAt` read ended. */
export let wideEnd = 0;

/**
 * The difference written in full (a varint) after an escape word, read from `pos`; `wideEnd` is
 * set past it. The common two-byte differences stay inline in the decoding loops.
 */
export function wideAt(bytes: Uint8Array, pos: number): number {
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
export let headTotal = NaN;
export let headTable = 0;
export let headEntries = 0;
export let headValueWidth = 0;
export let headExtraWidth = 0;
export let headSumWidth = 0;
export let headFirst = 0;

/**
 * Reads the head of a cell's durations (`n` of them, written from `start` to `end`, in a blob
 * whose checkpoints are `every` apart): see `headTotal`. Bounds-safe for any bytes: a table that
 * does not fit before `end` counts as no table.
 */
export function readHead(
  bytes: Uint8Array,
  start: number,
  end: number,
  n: number,
  every: number,
): void {
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
export function fixedAt(bytes: Uint8Array, pos: number, width: number): number {
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

/** A signed whole number as an unsigned one: 0, -1, 1, -2, ... as 0, 1, 2, 3, ... */
export function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

export function unzigzag(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

/** Appends unsigned varints (7 bits a byte, low first) and 16-bit words to a growing buffer. */
export class ByteWriter {
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

/** Reads unsigned varints from a blob. */
export class ByteReader {
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
 * The byte length of a cell's durations as read, at most the bytes left in the blob; `r` is
 * moved past it. The durations' count is then at most this length (each takes a byte at least).
 */
export function cellLength(r: ByteReader): number {
  const length = r.uint();
  return Math.max(0, Math.min(length, r.bytes.length - r.pos));
}

/**
 * A cell's `n` durations written from `start` to `end` in a blob whose checkpoints are `every`
 * apart, decoded into `out` from `o` (values past its end are dropped).
 */
export function decodeDurations(
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
