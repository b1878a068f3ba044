import type { TimelineMark } from '../../../contract/api';
import { BAR_AREA, BAR_TOP } from './lane-layout';
import { msToPx, type Viewport } from './time-window';

/** Half-diagonal of a permission mark's diamond, in pixels. */
export const MARK_RADIUS = 6;
/** Vertical centre of the marks inside a lane (the middle of the bar area). */
export const MARK_CY = BAR_TOP + BAR_AREA / 2;
/** Horizontal distance between the centres of marks set side by side. */
export const MARK_STEP = 2 * MARK_RADIUS + 1;
/** The most marks of one cluster set side by side; larger clusters become one counted glyph. */
export const MAX_SPREAD = 3;

/** Marks grouped by lane, each list ordered by time. */
export type MarkIndex = Map<string, TimelineMark[]>;

/**
 * One glyph to draw: a single mark, or (for a dense cluster) the first of several marks with
 * their count. `x` is where it is drawn, which for a spread cluster is near, not at, its time.
 */
export interface PlacedMark {
  x: number;
  marks: TimelineMark[];
}

/** Groups marks by lane and orders each lane's marks by time, for drawing and hit-testing. */
export function indexMarks(marks: readonly TimelineMark[]): MarkIndex {
  const index: MarkIndex = new Map();
  for (const m of marks) {
    const list = index.get(m.lane);
    if (list) list.push(m);
    else index.set(m.lane, [m]);
  }
  for (const list of index.values()) list.sort((a, b) => a.atMs - b.atMs || (a.id < b.id ? -1 : 1));
  return index;
}

/** Number of marks per lane. */
export function markCounts(index: MarkIndex): Map<string, number> {
  return new Map([...index].map(([lane, list]) => [lane, list.length]));
}

/** First position in a time-ordered list whose time is at least `ms`. */
function lowerBound(list: readonly TimelineMark[], ms: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid]?.atMs ?? 0) < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The marks of a lane within the viewport, with room for the glyphs that reach in from its edges. */
export function visibleMarks(laneMarks: readonly TimelineMark[], v: Viewport): TimelineMark[] {
  const pad = ((v.toMs - v.fromMs) / Math.max(1, v.width)) * MARK_STEP * MAX_SPREAD;
  const from = lowerBound(laneMarks, v.fromMs - pad);
  const to = lowerBound(laneMarks, v.toMs + pad + 1);
  return laneMarks.slice(from, to);
}

/**
 * Where a lane's visible marks are drawn. Marks closer than a glyph's width form a cluster: up
 * to `MAX_SPREAD` are set side by side around the cluster's middle so none hides another;
 * larger clusters are drawn as one glyph that carries all their marks (and their count).
 */
export function placeMarks(laneMarks: readonly TimelineMark[], v: Viewport): PlacedMark[] {
  const out: PlacedMark[] = [];
  let cluster: { x: number; m: TimelineMark }[] = [];
  const flush = (): void => {
    if (cluster.length === 0) return;
    const mid = (cluster[0]!.x + cluster[cluster.length - 1]!.x) / 2;
    if (cluster.length <= MAX_SPREAD) {
      const n = cluster.length;
      cluster.forEach((c, i) =>
        out.push({ x: n === 1 ? c.x : mid + (i - (n - 1) / 2) * MARK_STEP, marks: [c.m] }),
      );
    } else out.push({ x: mid, marks: cluster.map((c) => c.m) });
    cluster = [];
  };
  for (const m of visibleMarks(laneMarks, v)) {
    const x = msToPx(m.atMs, v);
    const first = cluster[0];
    if (first && x - first.x >= 2 * MARK_RADIUS) flush();
    cluster.push({ x, m });
  }
  flush();
  return out;
}

/**
 * The glyph under a point (x in pixels, y relative to the lane's top), or null: the nearest
 * glyph whose diamond, plus `tolerance` pixels, contains the point.
 */
export function glyphAt(
  placed: readonly PlacedMark[],
  px: number,
  laneY: number,
  tolerance = 2,
): PlacedMark | null {
  const reach = MARK_RADIUS + tolerance;
  const dy = Math.abs(laneY - MARK_CY);
  if (dy > reach) return null;
  let best: PlacedMark | null = null;
  let bestD = Number.POSITIVE_INFINITY;
  for (const p of placed) {
    const d = Math.abs(p.x - px);
    // Inside a diamond |dx| + |dy| stays within its half-diagonal.
    if (d + dy <= reach && d < bestD) {
      best = p;
      bestD = d;
    }
  }
  return best;
}
