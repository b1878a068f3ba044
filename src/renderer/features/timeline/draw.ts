import type { NetworkSpan, TimelineBin, TimelineResult } from '../../../contract/api';
import type { Category } from '../../../contract/categories';
import type { PermissionStatus } from '../../../contract/records';
import { categoryColor, withAlpha } from '../../shared/category-colors';
import { diamondPoints, statusShape } from '../permissions/permission-status';
import { drawBinRaster, type RasterTrack } from './bin-raster';
import { binAlpha, networkAlpha } from './density';
import { sessionSpan, type SessionIndex } from './hit-test';
import {
  BAR_AREA,
  BAR_TOP,
  LANE_HEIGHT,
  laneLoaded,
  NET_HEIGHT,
  NET_TOP,
  trackBox,
  type LaneLayout,
} from './lane-layout';
import { MARK_CY, MARK_RADIUS, placeMarks, type MarkIndex } from './marks';
import { stateMarkBox, stateMarkKind, type MarkBox } from './state-mark';
import { msToPx, type TimeRange, type Viewport } from './time-window';

export type BinIndex = Map<string, Map<Category, TimelineBin[]>>;

/** Groups bins by lane and category. */
export function indexBins(bins: readonly TimelineBin[]): BinIndex {
  const index: BinIndex = new Map();
  for (const b of bins) {
    let byCat = index.get(b.lane);
    if (!byCat) {
      byCat = new Map();
      index.set(b.lane, byCat);
    }
    const list = byCat.get(b.category);
    if (list) list.push(b);
    else byCat.set(b.category, [b]);
  }
  return index;
}

/** Groups network spans by lane. */
export function indexNetwork(spans: readonly NetworkSpan[]): Map<string, NetworkSpan[]> {
  const index = new Map<string, NetworkSpan[]>();
  for (const s of spans) {
    const list = index.get(s.lane);
    if (list) list.push(s);
    else index.set(s.lane, [s]);
  }
  return index;
}

export interface DrawInput {
  ctx: CanvasRenderingContext2D;
  width: number;
  height: number;
  scrollTop: number;
  viewport: Viewport;
  layout: LaneLayout;
  result: Pick<TimelineResult, 'mode' | 'binMs'>;
  sessions: SessionIndex;
  bins: BinIndex;
  maxBinCount: number;
  network: Map<string, NetworkSpan[]>;
  maxHits: number;
  /** Permission records drawn as diamonds over their lane. */
  marks: MarkIndex;
  nights: TimeRange[];
  /** Days the sources do not cover (comparison bands): hatched, never drawn as "no activity". */
  noData?: TimeRange[];
  /** Per device, the days its access logs do not cover: hatched across that device's lanes. */
  noDataByDevice?: ReadonlyMap<number, readonly TimeRange[]>;
  gridMs: number[];
  selectedId: string | null;
  hoverId: string | null;
  hatch: CanvasPattern | null;
  /** Dashes of the inferred-background band (see `makeDash`). */
  dash: CanvasPattern | null;
}

const NETWORK_COLOR = '#64748b';
/** The background band: near-black so it reads on every category colour and in black and white. */
export const STATE_MARK_COLOR = '#0f172a';
const DASH_ON = 4;
const DASH_OFF = 3;

/** A diagonal hatch used on the unknown side of open sessions. */
export function makeHatch(ctx: CanvasRenderingContext2D): CanvasPattern | null {
  const tile = document.createElement('canvas');
  tile.width = 6;
  tile.height = 6;
  const t = tile.getContext('2d');
  if (!t) return null;
  t.strokeStyle = 'rgba(255,255,255,0.85)';
  t.lineWidth = 1.5;
  t.beginPath();
  t.moveTo(0, 6);
  t.lineTo(6, 0);
  t.stroke();
  return ctx.createPattern(tile, 'repeat');
}

/** Horizontal dashes (dark, then gap) for the band of an inferred background state. */
export function makeDash(ctx: CanvasRenderingContext2D): CanvasPattern | null {
  const tile = document.createElement('canvas');
  tile.width = DASH_ON + DASH_OFF;
  tile.height = 1;
  const t = tile.getContext('2d');
  if (!t) return null;
  t.fillStyle = STATE_MARK_COLOR;
  t.fillRect(0, 0, DASH_ON, 1);
  return ctx.createPattern(tile, 'repeat');
}

/**
 * The background band along the foot of a session bar: solid when Android reported the state,
 * dashed (on white) when it was inferred from usage records. A white line above keeps it apart
 * from the bar where the bar is tall enough.
 */
function drawStateBand(
  ctx: CanvasRenderingContext2D,
  box: MarkBox,
  inferred: boolean,
  dash: CanvasPattern | null,
): void {
  ctx.fillStyle = '#ffffff';
  if (box.gap) ctx.fillRect(box.x, box.y - 1, box.w, box.h + 1);
  else ctx.fillRect(box.x, box.y, box.w, box.h);
  ctx.fillStyle = inferred ? (dash ?? NETWORK_COLOR) : STATE_MARK_COLOR;
  ctx.fillRect(box.x, box.y, box.w, box.h);
}

function diamondPath(ctx: CanvasRenderingContext2D, x: number, y: number, r: number): void {
  ctx.beginPath();
  diamondPoints(x, y, r).forEach(([px, py], i) =>
    i === 0 ? ctx.moveTo(px, py) : ctx.lineTo(px, py),
  );
  ctx.closePath();
}

/**
 * One permission mark: a diamond in its category's colour whose fill tells the status (filled
 * granted, hollow denied, left half limited, dashed outline undetermined), on a white halo so
 * it reads over session bars.
 */
export function drawMark(
  ctx: CanvasRenderingContext2D,
  x: number,
  y: number,
  status: PermissionStatus,
  color: string,
  r = MARK_RADIUS,
): void {
  const shape = statusShape(status);
  diamondPath(ctx, x, y, r);
  ctx.lineWidth = 3.5;
  ctx.strokeStyle = 'rgba(255,255,255,0.95)';
  ctx.stroke();
  ctx.fillStyle = shape === 'filled' ? color : '#ffffff';
  ctx.fill();
  if (shape === 'half') {
    const [top, , bottom, left] = diamondPoints(x, y, r);
    if (top && bottom && left) {
      ctx.beginPath();
      ctx.moveTo(top[0], top[1]);
      ctx.lineTo(bottom[0], bottom[1]);
      ctx.lineTo(left[0], left[1]);
      ctx.closePath();
      ctx.fillStyle = color;
      ctx.fill();
    }
    diamondPath(ctx, x, y, r);
  }
  ctx.lineWidth = shape === 'hollow' ? 2 : 1.5;
  ctx.strokeStyle = color;
  if (shape === 'dashed') ctx.setLineDash([2, 2]);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.lineWidth = 1;
}

/** A dense cluster of marks: a dark tag with their count (the tooltip lists them). */
function drawCluster(ctx: CanvasRenderingContext2D, x: number, y: number, count: number): void {
  const text = count > 99 ? '99+' : String(count);
  ctx.font = '600 9px system-ui, sans-serif';
  const w = Math.max(2 * MARK_RADIUS + 2, ctx.measureText(text).width + 6);
  const h = 2 * MARK_RADIUS;
  ctx.beginPath();
  ctx.roundRect(x - w / 2, y - h / 2, w, h, 3);
  ctx.lineWidth = 3;
  ctx.strokeStyle = 'rgba(255,255,255,0.95)';
  ctx.stroke();
  ctx.fillStyle = '#334155';
  ctx.fill();
  ctx.fillStyle = '#ffffff';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, x, y + 0.5);
  ctx.lineWidth = 1;
}

// One shading function per bin size and busiest bin, so the raster's per-track cache (keyed on
// the function) holds while the same result is redrawn.
let shade: { key: string; fn: (b: TimelineBin) => number } | null = null;

function binAlphaOf(binMs: number, maxCount: number): (b: TimelineBin) => number {
  const key = `${binMs}:${maxCount}`;
  if (shade?.key !== key) shade = { key, fn: (b) => binAlpha(b, binMs, maxCount) };
  return shade.fn;
}

/** The grey under the hatch of a no-data stretch (the legend's swatch uses the same). */
export const NO_DATA_FILL = 'rgba(100, 116, 139, 0.12)';
/** The hatch lines of a no-data stretch: dark enough to tell it from an empty, quiet stretch. */
export const NO_DATA_LINE = 'rgba(71, 85, 105, 0.5)';

const noDataPatterns = new WeakMap<CanvasRenderingContext2D, CanvasPattern | null>();

/** The diagonal hatch of no-data stretches, made once per canvas. */
function noDataPattern(ctx: CanvasRenderingContext2D): CanvasPattern | null {
  if (noDataPatterns.has(ctx)) return noDataPatterns.get(ctx) ?? null;
  let pattern: CanvasPattern | null = null;
  if (typeof document !== 'undefined') {
    const tile = document.createElement('canvas');
    tile.width = 7;
    tile.height = 7;
    const t = tile.getContext('2d');
    if (t) {
      t.strokeStyle = NO_DATA_LINE;
      t.lineWidth = 1;
      t.beginPath();
      // One "/" per tile, continued across its corners so the lines join up.
      t.moveTo(-1, 8);
      t.lineTo(8, -1);
      t.moveTo(-1, 1);
      t.lineTo(1, -1);
      t.moveTo(6, 8);
      t.lineTo(8, 6);
      t.stroke();
      pattern = ctx.createPattern(tile, 'repeat');
    }
  }
  noDataPatterns.set(ctx, pattern);
  return pattern;
}

/**
 * Greys and hatches stretches without data, so they read apart from quiet days: every view (the
 * timeline's lanes and overview, the comparison's bands, the heatmap's rows) draws them this way.
 */
export function drawNoData(
  ctx: CanvasRenderingContext2D,
  ranges: readonly TimeRange[],
  v: Viewport,
  height: number,
  top = 0,
): void {
  const hatch = ranges.length > 0 ? noDataPattern(ctx) : null;
  for (const r of ranges) {
    const x0 = Math.max(0, msToPx(r.fromMs, v));
    const x1 = Math.min(v.width, msToPx(r.toMs, v));
    if (x1 <= x0) continue;
    // A stretch narrower than a pixel still shows: a one-day gap in a year must not vanish.
    const w = Math.max(1, x1 - x0);
    ctx.fillStyle = NO_DATA_FILL;
    ctx.fillRect(x0, top, w, height);
    if (hatch) {
      ctx.fillStyle = hatch;
      ctx.fillRect(x0, top, w, height);
    }
  }
}

/** The fill of a lane whose sessions are not loaded yet: flat, unlike the hatch of no data. */
const NOT_LOADED_FILL = 'rgba(148, 163, 184, 0.16)';

/** A lane scrolled into view before its sessions arrive: greyed and labelled, never left blank. */
function drawNotLoaded(ctx: CanvasRenderingContext2D, top: number, width: number): void {
  ctx.fillStyle = NOT_LOADED_FILL;
  ctx.fillRect(0, top + BAR_TOP, width, BAR_AREA);
  ctx.fillStyle = '#475569';
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  ctx.fillText('Loading this lane…', 8, top + BAR_TOP + BAR_AREA / 2);
}

/** Paints the lanes currently scrolled into view. */
export function drawLanes(input: DrawInput): void {
  const { ctx, width, height, scrollTop, viewport: v, layout } = input;
  ctx.clearRect(0, 0, width, height);

  ctx.fillStyle = 'rgba(30, 41, 59, 0.045)';
  for (const n of input.nights) {
    const x0 = msToPx(n.fromMs, v);
    const x1 = msToPx(n.toMs, v);
    ctx.fillRect(x0, 0, x1 - x0, height);
  }
  if (input.noData && input.noData.length > 0) drawNoData(ctx, input.noData, v, height);
  ctx.strokeStyle = 'rgba(100, 116, 139, 0.16)';
  ctx.lineWidth = 1;
  for (const ms of input.gridMs) {
    const x = Math.round(msToPx(ms, v)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(x, 0);
    ctx.lineTo(x, height);
    ctx.stroke();
  }

  const first = Math.max(0, Math.floor(scrollTop / LANE_HEIGHT));
  const last = Math.min(layout.lanes.length - 1, Math.floor((scrollTop + height) / LANE_HEIGHT));
  if (input.noDataByDevice && input.noDataByDevice.size > 0)
    for (let i = first; i <= last; i += 1) {
      const lane = layout.lanes[i];
      const gaps = lane ? input.noDataByDevice.get(lane.deviceId) : undefined;
      if (gaps && gaps.length > 0)
        drawNoData(ctx, gaps, v, LANE_HEIGHT, i * LANE_HEIGHT - scrollTop);
    }
  let selectedBox: { x: number; y: number; w: number; h: number } | null = null;
  let hoverBox: { x: number; y: number; w: number; h: number } | null = null;
  let selectedMark: { x: number; y: number } | null = null;
  let hoverMark: { x: number; y: number } | null = null;

  if (input.result.mode === 'bins') {
    const raster: RasterTrack[] = [];
    for (let i = first; i <= last; i += 1) {
      const lane = layout.lanes[i];
      if (!lane) continue;
      const top = i * LANE_HEIGHT - scrollTop;
      const tracks = layout.tracks.get(lane.key) ?? [];
      tracks.forEach((category, t) => {
        const box = trackBox(t, tracks.length);
        const bins = input.bins.get(lane.key)?.get(category);
        if (bins) raster.push({ y: top + box.y, h: box.h, color: categoryColor(category), bins });
      });
    }
    const binMs = input.result.binMs ?? 0;
    drawBinRaster(ctx, raster, v, binMs, binAlphaOf(binMs, input.maxBinCount));
  }

  for (let i = first; i <= last; i += 1) {
    const lane = layout.lanes[i];
    if (!lane) continue;
    const top = i * LANE_HEIGHT - scrollTop;
    ctx.strokeStyle = 'rgba(148, 163, 184, 0.35)';
    ctx.beginPath();
    ctx.moveTo(0, top + LANE_HEIGHT - 0.5);
    ctx.lineTo(width, top + LANE_HEIGHT - 0.5);
    ctx.stroke();
    if (!laneLoaded(layout, i)) {
      drawNotLoaded(ctx, top, width);
      continue;
    }

    const tracks = layout.tracks.get(lane.key) ?? [];
    tracks.forEach((category, t) => {
      const box = trackBox(t, tracks.length);
      const y = top + box.y;
      const color = categoryColor(category);
      // Bins were drawn above, all tracks at once.
      if (input.result.mode === 'bins') return;
      for (const s of input.sessions.get(lane.key)?.get(category) ?? []) {
        const span = sessionSpan(s, v);
        if (span.x1 < 0 || span.x0 > width) continue;
        const w = span.x1 - span.x0;
        if (span.openStart || span.openEnd) {
          const g = ctx.createLinearGradient(span.x0, 0, span.x1, 0);
          const solid = withAlpha(color, 0.95);
          const faded = withAlpha(color, 0.08);
          g.addColorStop(0, span.openStart ? faded : solid);
          g.addColorStop(1, span.openEnd ? faded : solid);
          ctx.fillStyle = g;
          ctx.fillRect(span.x0, y, w, box.h);
          if (input.hatch) {
            ctx.fillStyle = input.hatch;
            ctx.fillRect(span.x0, y, w, box.h);
          }
          ctx.strokeStyle = withAlpha(color, 0.9);
          ctx.setLineDash([3, 2]);
          ctx.strokeRect(span.x0 + 0.5, y + 0.5, Math.max(1, w - 1), Math.max(1, box.h - 1));
          ctx.setLineDash([]);
        } else {
          ctx.fillStyle = color;
          ctx.fillRect(span.x0, y, w, box.h);
        }
        const mark = stateMarkKind(s);
        if (mark)
          drawStateBand(ctx, stateMarkBox(span, { y, h: box.h }), mark === 'inferred', input.dash);
        if (s.id === input.selectedId) selectedBox = { x: span.x0, y, w, h: box.h };
        else if (s.id === input.hoverId) hoverBox = { x: span.x0, y, w, h: box.h };
      }
    });

    for (const n of input.network.get(lane.key) ?? []) {
      const x0 = msToPx(n.firstMs, v);
      const x1 = Math.max(msToPx(n.lastMs, v), x0 + 2);
      if (x1 < 0 || x0 > width) continue;
      ctx.fillStyle = withAlpha(NETWORK_COLOR, networkAlpha(n.hits, input.maxHits) * 0.5);
      ctx.fillRect(x0, top + NET_TOP, x1 - x0, NET_HEIGHT);
    }

    for (const p of placeMarks(input.marks.get(lane.key) ?? [], v)) {
      const y = top + MARK_CY;
      const [m] = p.marks;
      if (!m) continue;
      if (p.marks.length === 1) drawMark(ctx, p.x, y, m.status, categoryColor(m.category));
      else drawCluster(ctx, p.x, y, p.marks.length);
      if (p.marks.some((x) => x.id === input.selectedId)) selectedMark = { x: p.x, y };
      else if (m.id === input.hoverId) hoverMark = { x: p.x, y };
    }
  }

  const outline = (
    b: { x: number; y: number; w: number; h: number } | null,
    color: string,
    lw: number,
  ): void => {
    if (!b) return;
    ctx.strokeStyle = color;
    ctx.lineWidth = lw;
    ctx.strokeRect(b.x - 1.5, b.y - 1.5, b.w + 3, b.h + 3);
    ctx.lineWidth = 1;
  };
  outline(hoverBox, 'rgba(15, 23, 42, 0.55)', 1);
  outline(selectedBox, '#0f172a', 2);
  const ring = (p: { x: number; y: number } | null, color: string, lw: number): void => {
    if (!p) return;
    diamondPath(ctx, p.x, p.y, MARK_RADIUS + 3.5);
    ctx.strokeStyle = color;
    ctx.lineWidth = lw;
    ctx.stroke();
    ctx.lineWidth = 1;
  };
  ring(hoverMark, 'rgba(15, 23, 42, 0.55)', 1);
  ring(selectedMark, '#0f172a', 2);
}

/** Paints the overview strip from column densities. */
export function drawOverview(
  ctx: CanvasRenderingContext2D,
  cols: Float64Array,
  width: number,
  height: number,
): void {
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = '#f1f5f9';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#475569';
  for (let x = 0; x < cols.length; x += 1) {
    const c = cols[x] ?? 0;
    if (c <= 0) continue;
    const h = Math.max(1.5, Math.sqrt(c) * (height - 4));
    ctx.fillRect(x, height - h, 1, h);
  }
}

/** Sets a canvas' backing store for the device pixel ratio and returns its context. */
export function prepareCanvas(
  canvas: HTMLCanvasElement,
  width: number,
  height: number,
): CanvasRenderingContext2D | null {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.floor(width * dpr));
  const h = Math.max(1, Math.floor(height * dpr));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}
