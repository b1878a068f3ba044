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

/** Builds bins as columns: lanes and categories are given an index when first met. */
export class BinColumns {
  readonly columns: TimelineBins = emptyBins();
  private readonly lanes = new Map<string, number>();
  private readonly categories = new Map<Category, number>();

  /** The index of a lane key in the columns' lanes. */
  lane(key: string): number {
    let i = this.lanes.get(key);
    if (i === undefined) {
      i = this.columns.lanes.length;
      this.lanes.set(key, i);
      this.columns.lanes.push(key);
    }
    return i;
  }

  /** The index of a category in the columns' categories. */
  category(category: Category): number {
    let i = this.categories.get(category);
    if (i === undefined) {
      i = this.columns.categories.length;
      this.categories.set(category, i);
      this.columns.categories.push(category);
    }
    return i;
  }

  /** Adds one bin of lane and category indexes from `lane()` and `category()`. */
  push(lane: number, category: number, startMs: number, count: number, busyMs: number): void {
    const c = this.columns;
    c.lane.push(lane);
    c.category.push(category);
    c.startMs.push(startMs);
    c.count.push(count);
    c.busyMs.push(busyMs);
  }
}
