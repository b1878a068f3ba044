import type { NetworkSpan, TimelineBin, TimelineResult } from '../../../contract/api';
import type { Category } from '../../../contract/categories';
import { categoryColor, withAlpha } from '../../shared/category-colors';
import { binAlpha, networkAlpha } from './density';
import { sessionSpan, type SessionIndex } from './hit-test';
import { LANE_HEIGHT, NET_HEIGHT, NET_TOP, trackBox, type LaneLayout } from './lane-layout';
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
  nights: TimeRange[];
  gridMs: number[];
  selectedId: string | null;
  hoverId: string | null;
  hatch: CanvasPattern | null;
}

const NETWORK_COLOR = '#64748b';

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
  let selectedBox: { x: number; y: number; w: number; h: number } | null = null;
  let hoverBox: { x: number; y: number; w: number; h: number } | null = null;

  for (let i = first; i <= last; i += 1) {
    const lane = layout.lanes[i];
    if (!lane) continue;
    const top = i * LANE_HEIGHT - scrollTop;
    ctx.strokeStyle = 'rgba(148, 163, 184, 0.35)';
    ctx.beginPath();
    ctx.moveTo(0, top + LANE_HEIGHT - 0.5);
    ctx.lineTo(width, top + LANE_HEIGHT - 0.5);
    ctx.stroke();

    const tracks = layout.tracks.get(lane.key) ?? [];
    tracks.forEach((category, t) => {
      const box = trackBox(t, tracks.length);
      const y = top + box.y;
      const color = categoryColor(category);
      if (input.result.mode === 'bins') {
        const binMs = input.result.binMs ?? 0;
        for (const b of input.bins.get(lane.key)?.get(category) ?? []) {
          const x0 = msToPx(b.startMs, v);
          const x1 = Math.max(msToPx(b.startMs + binMs, v), x0 + 1);
          if (x1 < 0 || x0 > width) continue;
          ctx.fillStyle = withAlpha(color, binAlpha(b, binMs, input.maxBinCount));
          ctx.fillRect(x0, y, x1 - x0, box.h);
        }
        return;
      }
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
