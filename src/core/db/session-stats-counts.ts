// The readers of a session stats blob for the summary and the timeline: per cell, its closed
// sessions counted and summed, all of them or those from a least duration, without keeping the
// durations; a cell's checkpoints let them skip most of its bytes.
import {
  ByteReader,
  cellLength,
  fixedAt,
  headEntries,
  headExtraWidth,
  headFirst,
  headSumWidth,
  headTable,
  headTotal,
  headValueWidth,
  readHead,
  WIDE,
  wideAt,
  wideEnd,
} from './session-stats-codec';

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
