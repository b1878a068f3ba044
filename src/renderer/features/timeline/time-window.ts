/** A visible time window in UTC epoch ms. */
export interface TimeRange {
  fromMs: number;
  toMs: number;
}

/** A window mapped onto a pixel width. */
export interface Viewport extends TimeRange {
  width: number;
}

/** The narrowest window the timeline zooms to. */
export const MIN_SPAN_MS = 1000;

/** Pixel position of an instant. */
export function msToPx(ms: number, v: Viewport): number {
  const span = v.toMs - v.fromMs;
  return span <= 0 ? 0 : ((ms - v.fromMs) / span) * v.width;
}

/** Instant at a pixel position. */
export function pxToMs(px: number, v: Viewport): number {
  return v.width <= 0 ? v.fromMs : v.fromMs + (px / v.width) * (v.toMs - v.fromMs);
}

/** The data extent with a little room on each side, and at least a minute wide. */
export function paddedExtent(extent: TimeRange): TimeRange {
  const span = Math.max(extent.toMs - extent.fromMs, 60_000);
  const mid = (extent.fromMs + extent.toMs) / 2;
  const half = (span * 1.04) / 2;
  return { fromMs: Math.floor(mid - half), toMs: Math.ceil(mid + half) };
}

/** Keeps a window inside bounds (shifting it, then shrinking it if wider than the bounds). */
export function clampRange(r: TimeRange, bounds: TimeRange | null): TimeRange {
  let { fromMs, toMs } = r;
  if (toMs - fromMs < MIN_SPAN_MS) {
    const mid = (fromMs + toMs) / 2;
    fromMs = mid - MIN_SPAN_MS / 2;
    toMs = mid + MIN_SPAN_MS / 2;
  }
  if (!bounds) return { fromMs, toMs };
  const span = toMs - fromMs;
  const boundSpan = bounds.toMs - bounds.fromMs;
  if (span >= boundSpan) return { fromMs: bounds.fromMs, toMs: bounds.toMs };
  if (fromMs < bounds.fromMs) return { fromMs: bounds.fromMs, toMs: bounds.fromMs + span };
  if (toMs > bounds.toMs) return { fromMs: bounds.toMs - span, toMs: bounds.toMs };
  return { fromMs, toMs };
}

/** Zooms by `factor` (< 1 zooms in) keeping `anchorMs` at the same screen position. */
export function zoomRange(
  r: TimeRange,
  factor: number,
  anchorMs: number,
  bounds: TimeRange | null,
): TimeRange {
  const f = Number.isFinite(factor) && factor > 0 ? factor : 1;
  const anchor = Math.min(Math.max(anchorMs, r.fromMs), r.toMs);
  let fromMs = anchor - (anchor - r.fromMs) * f;
  let toMs = anchor + (r.toMs - anchor) * f;
  if (toMs - fromMs < MIN_SPAN_MS) {
    const t = r.toMs - r.fromMs <= 0 ? 0.5 : (anchor - r.fromMs) / (r.toMs - r.fromMs);
    fromMs = anchor - MIN_SPAN_MS * t;
    toMs = fromMs + MIN_SPAN_MS;
  }
  return clampRange({ fromMs, toMs }, bounds);
}

/** Moves the window by `deltaMs`. */
export function panRange(r: TimeRange, deltaMs: number, bounds: TimeRange | null): TimeRange {
  return clampRange({ fromMs: r.fromMs + deltaMs, toMs: r.toMs + deltaMs }, bounds);
}

/**
 * The view a zoom or pan key asks for: `+`/`=` zoom in, `-`/`_` zoom out (about the middle),
 * arrows pan by a fifth, `0` fits (null). Undefined when the key is none of them.
 */
export function viewForKey(
  key: string,
  shown: TimeRange,
  bounds: TimeRange | null,
): TimeRange | null | undefined {
  const mid = (shown.fromMs + shown.toMs) / 2;
  const span = shown.toMs - shown.fromMs;
  switch (key) {
    case '+':
    case '=':
      return zoomRange(shown, 0.5, mid, bounds);
    case '-':
    case '_':
      return zoomRange(shown, 2, mid, bounds);
    case 'ArrowLeft':
      return panRange(shown, -span * 0.2, bounds);
    case 'ArrowRight':
      return panRange(shown, span * 0.2, bounds);
    case '0':
      return null;
    default:
      return undefined;
  }
}

/** True when two windows are the same to the millisecond. */
export function sameRange(a: TimeRange | null, b: TimeRange | null): boolean {
  if (a === null || b === null) return a === b;
  return Math.round(a.fromMs) === Math.round(b.fromMs) && Math.round(a.toMs) === Math.round(b.toMs);
}

/** Rounds a window to whole milliseconds for a query. */
export function roundRange(r: TimeRange): TimeRange {
  return { fromMs: Math.floor(r.fromMs), toMs: Math.ceil(r.toMs) };
}

/** A wheel event's zoom factor: one notch (100 px) zooms by about 20%. */
export function wheelZoomFactor(deltaY: number, deltaMode: number): number {
  const px = deltaMode === 1 ? deltaY * 16 : deltaMode === 2 ? deltaY * 400 : deltaY;
  const clamped = Math.max(-400, Math.min(400, px));
  return Math.exp(clamped * 0.002);
}
