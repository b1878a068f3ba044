import type { NetworkSpan, TimelineBin, TimelineSession } from '../../../contract/api';
import type { Category } from '../../../contract/categories';
import { msToPx, type Viewport } from './time-window';

/** How wide an open (unknown) end is drawn, in pixels. */
export const OPEN_STUB_PX = 28;
/** The narrowest bar drawn, so one-second sessions stay visible when zoomed out. */
export const MIN_BAR_PX = 2;

export interface BarSpan {
  x0: number;
  x1: number;
  /** The begin is unknown: the bar fades out to the left. */
  openStart: boolean;
  /** The end is unknown: the bar fades out to the right. */
  openEnd: boolean;
}

/** Horizontal extent of a session's bar in pixels. */
export function sessionSpan(s: TimelineSession, v: Viewport): BarSpan {
  if (s.startMs === null && s.endMs === null) {
    const x = msToPx(s.anchorMs, v);
    return { x0: x - OPEN_STUB_PX / 2, x1: x + OPEN_STUB_PX / 2, openStart: true, openEnd: true };
  }
  if (s.endMs === null) {
    const x0 = msToPx(s.startMs ?? s.anchorMs, v);
    return { x0, x1: x0 + OPEN_STUB_PX, openStart: false, openEnd: true };
  }
  if (s.startMs === null) {
    const x1 = msToPx(s.endMs, v);
    return { x0: x1 - OPEN_STUB_PX, x1, openStart: true, openEnd: false };
  }
  const x0 = msToPx(s.startMs, v);
  const x1 = Math.max(msToPx(s.endMs, v), x0 + MIN_BAR_PX);
  return { x0, x1, openStart: false, openEnd: s.open };
}

/** Sessions grouped by lane and category, each list ordered by its visual start. */
export type SessionIndex = Map<string, Map<Category, TimelineSession[]>>;

/** Groups sessions for hit-testing and drawing. */
export function indexSessions(sessions: readonly TimelineSession[]): SessionIndex {
  const index: SessionIndex = new Map();
  for (const s of sessions) {
    let byCat = index.get(s.lane);
    if (!byCat) {
      byCat = new Map();
      index.set(s.lane, byCat);
    }
    let list = byCat.get(s.category);
    if (!list) {
      list = [];
      byCat.set(s.category, list);
    }
    list.push(s);
  }
  const startOf = (s: TimelineSession): number => s.startMs ?? s.endMs ?? s.anchorMs;
  for (const byCat of index.values())
    for (const list of byCat.values()) list.sort((a, b) => startOf(a) - startOf(b));
  return index;
}

/**
 * The session under pixel `px` in one track: a bar containing the point wins (the narrowest
 * when bars overlap), else the nearest bar within `tolerance` pixels.
 */
export function hitSession(
  candidates: readonly TimelineSession[],
  px: number,
  v: Viewport,
  tolerance = 3,
): TimelineSession | null {
  let best: TimelineSession | null = null;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const s of candidates) {
    const { x0, x1 } = sessionSpan(s, v);
    if (px < x0 - tolerance || px > x1 + tolerance) continue;
    const inside = px >= x0 && px <= x1;
    // Inside hits rank by width (narrowest first), outside hits after them by distance.
    const score = inside ? x1 - x0 : 1e9 + Math.min(Math.abs(px - x0), Math.abs(px - x1));
    if (score < bestScore) {
      bestScore = score;
      best = s;
    }
  }
  return best;
}

/** The bin under pixel `px` among one track's bins. */
export function hitBin(
  bins: readonly TimelineBin[],
  binMs: number,
  px: number,
  v: Viewport,
): TimelineBin | null {
  for (const b of bins) {
    const x0 = msToPx(b.startMs, v);
    const x1 = Math.max(msToPx(b.startMs + binMs, v), x0 + 1);
    if (px >= x0 && px <= x1) return b;
  }
  return null;
}

/** Network spans of a lane under pixel `px` (there can be several snapshots). */
export function hitNetwork(
  spans: readonly NetworkSpan[],
  px: number,
  v: Viewport,
  tolerance = 2,
): NetworkSpan[] {
  return spans.filter((s) => {
    const x0 = msToPx(s.firstMs, v);
    const x1 = Math.max(msToPx(s.lastMs, v), x0 + MIN_BAR_PX);
    return px >= x0 - tolerance && px <= x1 + tolerance;
  });
}
