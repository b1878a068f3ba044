import type { TimelineBin } from '../../../contract/api';
import { msToPx, type Viewport } from './time-window';

/** One track's bins and where the track sits on the canvas (CSS pixels). */
export interface RasterTrack {
  y: number;
  h: number;
  /** `#rrggbb`. */
  color: string;
  bins: readonly TimelineBin[];
}

const rgbCache = new Map<string, [number, number, number]>();

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
 * Writes the bins of every track into an RGBA pixel buffer (`w` × `h` device pixels, `scale`
 * device pixels per CSS pixel): each pixel column of a track takes the strongest bin over it.
 * Returns the buffer, which the caller puts on the canvas in one operation.
 */
export function rasterizeBins(
  tracks: readonly RasterTrack[],
  viewport: Viewport,
  binMs: number,
  alpha: (bin: TimelineBin) => number,
  size: { w: number; h: number; scale: number },
  out?: Uint8ClampedArray<ArrayBuffer>,
): Uint8ClampedArray<ArrayBuffer> {
  const { w, h, scale } = size;
  const buf =
    out && out.length === w * h * 4 ? out : new Uint8ClampedArray(new ArrayBuffer(w * h * 4));
  buf.fill(0);
  const column = new Float32Array(w);
  for (const t of tracks) {
    const top = Math.max(0, Math.round(t.y * scale));
    const bottom = Math.min(h, Math.round((t.y + t.h) * scale));
    if (bottom <= top) continue;
    column.fill(0);
    let lo = w;
    let hi = -1;
    for (const b of t.bins) {
      const x0 = Math.floor(msToPx(b.startMs, viewport) * scale);
      const x1 = Math.max(x0 + 1, Math.ceil(msToPx(b.startMs + binMs, viewport) * scale));
      const from = Math.max(0, x0);
      const to = Math.min(w, x1);
      if (to <= from) continue;
      const a = alpha(b);
      for (let x = from; x < to; x += 1) if (a > column[x]!) column[x] = a;
      if (from < lo) lo = from;
      if (to - 1 > hi) hi = to - 1;
    }
    if (hi < lo) continue;
    const [r, g, bl] = rgb(t.color);
    for (let x = lo; x <= hi; x += 1) {
      const a = column[x]!;
      if (a <= 0) continue;
      const a8 = Math.round(a * 255);
      for (let y = top; y < bottom; y += 1) {
        const i = (y * w + x) * 4;
        buf[i] = r;
        buf[i + 1] = g;
        buf[i + 2] = bl;
        buf[i + 3] = a8;
      }
    }
  }
  return buf;
}

let scratch: HTMLCanvasElement | null = null;
let scratchBuf: Uint8ClampedArray<ArrayBuffer> | undefined;

/**
 * Draws the tracks' bins onto `ctx` through one pixel buffer and one `drawImage`: a year of
 * daily bins over dozens of tracks is tens of thousands of rectangles, which a software canvas
 * cannot fill within a frame.
 */
export function drawBinRaster(
  ctx: CanvasRenderingContext2D,
  tracks: readonly RasterTrack[],
  viewport: Viewport,
  height: number,
  binMs: number,
  alpha: (bin: TimelineBin) => number,
): void {
  if (tracks.length === 0) return;
  const scale = ctx.getTransform().a || 1;
  const w = Math.max(1, Math.round(viewport.width * scale));
  const h = Math.max(1, Math.round(height * scale));
  scratchBuf = rasterizeBins(tracks, viewport, binMs, alpha, { w, h, scale }, scratchBuf);
  scratch ??= document.createElement('canvas');
  if (scratch.width !== w) scratch.width = w;
  if (scratch.height !== h) scratch.height = h;
  const sctx = scratch.getContext('2d');
  if (!sctx) return;
  sctx.putImageData(new ImageData(scratchBuf, w, h), 0, 0);
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.drawImage(scratch, 0, 0);
  ctx.restore();
}
