import type { TimelineMark, TimelineResult } from '../../../contract/api';
import { msToPx, type Viewport } from './time-window';

const MIN_ALPHA = 0.14;

/**
 * Opacity of an aggregated bin: the share of the bin spent in sessions (square root so short
 * activity stays visible) or its count relative to the busiest bin, whichever is larger.
 */
export function binAlpha(
  bin: { count: number; busyMs: number },
  binMs: number,
  maxCount: number,
): number {
  if (bin.count <= 0 && bin.busyMs <= 0) return 0;
  const busy = binMs > 0 ? Math.min(1, Math.max(0, bin.busyMs / binMs)) : 0;
  const count = maxCount > 0 ? Math.min(1, bin.count / maxCount) : 0;
  return MIN_ALPHA + (1 - MIN_ALPHA) * Math.max(Math.sqrt(busy), Math.sqrt(count));
}

/** Opacity of a network span by hits on a log scale. */
export function networkAlpha(hits: number, maxHits: number): number {
  if (maxHits <= 0) return 0.35;
  return 0.25 + 0.75 * (Math.log1p(Math.max(0, hits)) / Math.log1p(maxHits));
}

/**
 * Activity per pixel column for the overview strip, scaled to 0..1. Bins spread their count over
 * the columns they cover; sessions add one to every column they touch; permission marks add one
 * to their column.
 */
export function overviewColumns(
  result: Pick<TimelineResult, 'sessions' | 'bins' | 'binMs'> & {
    marks?: readonly TimelineMark[];
  },
  v: Viewport,
): Float64Array {
  const width = Math.max(0, Math.floor(v.width));
  const cols = new Float64Array(width);
  if (width === 0) return cols;
  const add = (fromMs: number, toMs: number, weight: number): void => {
    const a = Math.max(0, Math.floor(msToPx(fromMs, v)));
    const b = Math.min(width - 1, Math.floor(msToPx(toMs, v)));
    if (b < 0 || a > width - 1) return;
    const n = Math.max(1, b - a + 1);
    for (let i = a; i <= Math.max(a, b); i += 1) cols[i] = (cols[i] ?? 0) + weight / n;
  };
  const binMs = result.binMs ?? 0;
  const bins = result.bins;
  for (let i = 0; i < bins.count.length; i += 1)
    add(bins.startMs[i]!, bins.startMs[i]! + binMs, bins.count[i]!);
  for (const s of result.sessions) {
    const from = s.startMs ?? s.anchorMs;
    const to = s.endMs ?? s.anchorMs;
    const a = Math.floor(msToPx(from, v));
    const b = Math.floor(msToPx(to, v));
    add(from, to, Math.max(1, b - a + 1));
  }
  for (const m of result.marks ?? []) add(m.atMs, m.atMs, 1);
  let max = 0;
  for (const c of cols) max = Math.max(max, c);
  if (max > 0) for (let i = 0; i < width; i += 1) cols[i] = (cols[i] ?? 0) / max;
  return cols;
}
