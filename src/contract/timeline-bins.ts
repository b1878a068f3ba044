import type { TimelineBin, TimelineBins } from './api';
import type { Category } from './categories';

/** Bins with none in them. */
export function emptyBins(): TimelineBins {
  return { lanes: [], categories: [], lane: [], category: [], startMs: [], count: [], busyMs: [] };
}

/** How many bins the columns hold. */
export function binCount(bins: TimelineBins): number {
  return bins.count.length;
}

/** The bins one object each, in the columns' order. */
export function binList(bins: TimelineBins): TimelineBin[] {
  const out: TimelineBin[] = new Array<TimelineBin>(bins.count.length);
  for (let i = 0; i < out.length; i += 1)
    out[i] = {
      lane: bins.lanes[bins.lane[i]!]!,
      category: bins.categories[bins.category[i]!]!,
      startMs: bins.startMs[i]!,
      count: bins.count[i]!,
      busyMs: bins.busyMs[i]!,
    };
  return out;
}

/** The columns of a list of bins (lanes and categories listed in the order first met). */
export function binColumns(list: readonly TimelineBin[]): TimelineBins {
  const b = new BinColumns();
  for (const x of list)
    b.push(b.lane(x.lane), b.category(x.category), x.startMs, x.count, x.busyMs);
  return b.columns;
}

/** The most bins `BinColumns.reserve` makes room for at once: arrays stay in V8's fast elements. */
const MAX_RESERVED = 1 << 22;

/**
 * Builds bins as columns: lanes and categories are given an index when first met. `capacity`
 * (at least the bins to come, when known) sizes the columns once instead of growing them bin by
 * bin; `columns` holds exactly the bins pushed.
 */
export class BinColumns {
  private readonly built: TimelineBins = emptyBins();
  private readonly lanes = new Map<string, number>();
  private readonly categories = new Map<Category, number>();
  private size = 0;

  constructor(capacity = 0) {
    if (capacity > 0) {
      const c = this.built;
      c.lane = new Array<number>(capacity);
      c.category = new Array<number>(capacity);
      c.startMs = new Array<number>(capacity);
      c.count = new Array<number>(capacity);
      c.busyMs = new Array<number>(capacity);
    }
  }

  /**
   * Makes room for `n` bins in all, so adding them does not grow the columns step by step (each
   * step copies them). Past a few million the columns grow as they are filled instead.
   */
  reserve(n: number): void {
    const c = this.built;
    if (n <= c.count.length || n > MAX_RESERVED) return;
    const grow = (column: number[]): number[] => {
      const wider = new Array<number>(n);
      for (let i = 0; i < this.size; i += 1) wider[i] = column[i]!;
      return wider;
    };
    c.lane = grow(c.lane);
    c.category = grow(c.category);
    c.startMs = grow(c.startMs);
    c.count = grow(c.count);
    c.busyMs = grow(c.busyMs);
  }

  /** The bins pushed so far. */
  get columns(): TimelineBins {
    const c = this.built;
    if (c.count.length !== this.size) {
      c.lane.length = this.size;
      c.category.length = this.size;
      c.startMs.length = this.size;
      c.count.length = this.size;
      c.busyMs.length = this.size;
    }
    return c;
  }

  /** The index of a lane key in the columns' lanes. */
  lane(key: string): number {
    let i = this.lanes.get(key);
    if (i === undefined) {
      i = this.built.lanes.length;
      this.lanes.set(key, i);
      this.built.lanes.push(key);
    }
    return i;
  }

  /** The index of a category in the columns' categories. */
  category(category: Category): number {
    let i = this.categories.get(category);
    if (i === undefined) {
      i = this.built.categories.length;
      this.categories.set(category, i);
      this.built.categories.push(category);
    }
    return i;
  }

  /** Adds one bin of lane and category indexes from `lane()` and `category()`. */
  push(lane: number, category: number, startMs: number, count: number, busyMs: number): void {
    const c = this.built;
    const i = this.size;
    c.lane[i] = lane;
    c.category[i] = category;
    c.startMs[i] = startMs;
    c.count[i] = count;
    c.busyMs[i] = busyMs;
    this.size = i + 1;
  }
}
