import type { TimelineBin } from '../../../contract/api';
import type { Viewport } from './time-window';

/** One track's bins and where the track sits on the canvas (CSS pixels). */
export interface RasterTrack {
  y: number;
  h: number;
  /** `#rrggbb`. */
  color: string;
  bins: readonly TimelineBin[];
}

const rgbCache = new Map<string, [number, number, number]>();
let column = new Float32Array(0);

// Each track's bins as typed arrays of start and shade, kept while the same result (and the same
// shading function) is drawn again: the raster loop then touches no objects.
const packCache = new WeakMap<
  readonly TimelineBin[],
  { alpha: (bin: TimelineBin) => number; starts: Float64Array; alphas: Float32Array }
>();

function packed(
  bins: readonly TimelineBin[],
  alpha: (bin: TimelineBin) => number,
): { starts: Float64Array; alphas: Float32Array } {
  const hit = packCache.get(bins);
  if (hit && hit.alpha === alpha) return hit;
  const starts = new Float64Array(bins.length);
  const alphas = new Float32Array(bins.length);
  bins.forEach((b, i) => {
    starts[i] = b.startMs;
    alphas[i] = alpha(b);
  });
  const entry = { alpha, starts, alphas };
  packCache.set(bins, entry);
  return entry;
}

function rgb(hex: string): [number, number, number] {
  let c = rgbCache.get(hex);
  if (!c) {
    const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
    c = m ? [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)] : [100, 116, 139];
    rgbCache.set(hex, c);
  }
  return c;
}

/**
 * Writes the bins of every track into one RGBA row per track (`w` device pixels wide, `scale`
 * device pixels per CSS pixel): each pixel column takes the strongest bin over it. Returns the
 * rows, `tracks.length` × `w` pixels, which the caller stretches to each track's height.
 */
export function rasterizeBins(
  tracks: readonly RasterTrack[],
  viewport: Viewport,
  binMs: number,
  alpha: (bin: TimelineBin) => number,
  size: { w: number; scale: number },
  out?: Uint8ClampedArray<ArrayBuffer>,
): Uint8ClampedArray<ArrayBuffer> {
  const { w, scale } = size;
  const length = w * tracks.length * 4;
  // The buffer is reused between draws (and bands): a fresh one per frame is garbage to collect.
  const buf =
    out && out.length >= length
      ? out.subarray(0, length)
      : new Uint8ClampedArray(new ArrayBuffer(length));
  buf.fill(0);
  if (column.length !== w) column = new Float32Array(w);
  // Device pixels per ms, inlined: this loop runs for every bin of every visible track.
  const k = (viewport.width * scale) / (viewport.toMs - viewport.fromMs);
  const origin = viewport.fromMs;
  const binPx = binMs * k;
  tracks.forEach((t, row) => {
    column.fill(0);
    const { starts, alphas } = packed(t.bins, alpha);
    for (let n = 0; n < starts.length; n += 1) {
      const start = (starts[n]! - origin) * k;
      if (start >= w || start + binPx <= 0) continue;
      const x0 = Math.floor(start);
      const from = Math.max(0, x0);
      const to = Math.min(w, Math.max(x0 + 1, Math.ceil(start + binPx)));
      const a = alphas[n]!;
      for (let x = from; x < to; x += 1) if (a > column[x]!) column[x] = a;
    }
    const [r, g, bl] = rgb(t.color);
    const base = row * w * 4;
    for (let x = 0; x < w; x += 1) {
      const a = column[x]!;
      if (a <= 0) continue;
      const i = base + x * 4;
      buf[i] = r;
      buf[i + 1] = g;
      buf[i + 2] = bl;
      buf[i + 3] = Math.round(a * 255);
    }
  });
  return buf;
}

let scratch: HTMLCanvasElement | null = null;
let scratchBuf: Uint8ClampedArray<ArrayBuffer> | undefined;

/**
 * Draws the tracks' bins onto `ctx`: one pixel row per track put on a scratch canvas at once,
 * then each row stretched to its track. A year of daily bins over dozens of tracks is tens of
 * thousands of rectangles, which a software canvas cannot fill within a frame.
 */
export function drawBinRaster(
  ctx: CanvasRenderingContext2D,
  tracks: readonly RasterTrack[],
  viewport: Viewport,
  binMs: number,
  alpha: (bin: TimelineBin) => number,
): void {
  if (tracks.length === 0) return;
  const scale = ctx.getTransform().a || 1;
  const w = Math.max(1, Math.round(viewport.width * scale));
  const rows = rasterizeBins(tracks, viewport, binMs, alpha, { w, scale }, scratchBuf);
  if (!scratchBuf || rows.buffer !== scratchBuf.buffer) scratchBuf = rows;
  scratch ??= document.createElement('canvas');
  if (scratch.width !== w) scratch.width = w;
  if (scratch.height !== tracks.length) scratch.height = tracks.length;
  const sctx = scratch.getContext('2d');
  if (!sctx) return;
  sctx.putImageData(new ImageData(rows, w, tracks.length), 0, 0);
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.imageSmoothingEnabled = false;
  tracks.forEach((t, row) => {
    const top = Math.round(t.y * scale);
    const bottom = Math.round((t.y + t.h) * scale);
    if (bottom > top) ctx.drawImage(scratch!, 0, row, w, 1, 0, top, w, bottom - top);
  });
  ctx.restore();
}
