import { brushX, select, type BrushBehavior, type D3BrushEvent, type Selection } from 'd3';
import { useEffect, useEffectEvent, useRef } from 'react';
import { drawNoData, drawOverview, prepareCanvas } from './draw';
import { msToPx, pxToMs, type TimeRange, type Viewport } from './time-window';

interface Props {
  /** The whole extent mapped to the strip's width. */
  full: Viewport | null;
  columns: Float64Array;
  /** Stretches no device's access logs cover: hatched. */
  noData?: TimeRange[];
  /** The current window, or null when the whole extent is shown. */
  window: TimeRange | null;
  onWindow: (range: TimeRange | null) => void;
}

const HEIGHT = 34;

/** The whole extent in miniature, with the current window as a movable brush. */
export function TimelineOverview({ full, columns, noData, window: current, onWindow }: Props) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const svgRef = useRef<SVGSVGElement>(null);
  const brushRef = useRef<{
    brush: BrushBehavior<unknown>;
    layer: Selection<SVGGElement, unknown, null, undefined>;
  } | null>(null);
  const width = full?.width ?? 0;
  const fromMs = full?.fromMs ?? 0;
  const toMs = full?.toMs ?? 0;

  const emit = useEffectEvent((sel: [number, number] | null) => {
    if (!full) return;
    if (sel === null || sel[1] - sel[0] < 2) onWindow(null);
    else onWindow({ fromMs: pxToMs(sel[0], full), toMs: pxToMs(sel[1], full) });
  });

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || width <= 0) return;
    const ctx = prepareCanvas(canvas, width, HEIGHT);
    if (!ctx) return;
    drawOverview(ctx, columns, width, HEIGHT);
    if (noData && noData.length > 0) drawNoData(ctx, noData, { fromMs, toMs, width }, HEIGHT);
  }, [columns, width, noData, fromMs, toMs]);

  useEffect(() => {
    const svg = svgRef.current;
    if (!svg || width <= 0 || toMs <= fromMs) return;
    const root = select(svg);
    root.selectAll('*').remove();
    const layer = root.append('g').attr('class', 'brush overview-brush');
    const brush = brushX<unknown>()
      .extent([
        [0, 0],
        [width, HEIGHT],
      ])
      .on('brush end', (event: D3BrushEvent<unknown>) => {
        if (!event.sourceEvent) return;
        emit(event.selection ? (event.selection as [number, number]) : null);
      });
    layer.call(brush);
    brushRef.current = { brush, layer };
    return () => {
      brushRef.current = null;
    };
  }, [width, fromMs, toMs]);

  useEffect(() => {
    const b = brushRef.current;
    if (!b || width <= 0 || toMs <= fromMs) return;
    const full_ = { fromMs, toMs, width };
    if (current === null) b.layer.call(b.brush.move, null);
    else {
      const x0 = Math.max(0, msToPx(current.fromMs, full_));
      const x1 = Math.min(width, msToPx(current.toMs, full_));
      b.layer.call(b.brush.move, x1 - x0 >= 1 ? [x0, x1] : [x0, Math.min(width, x0 + 2)]);
    }
  }, [current, width, fromMs, toMs]);

  return (
    <div
      className="overview"
      data-testid="timeline-overview"
      data-nodata={noData?.length ?? 0}
      style={{ height: HEIGHT }}
    >
      <canvas ref={canvasRef} style={{ width, height: HEIGHT }} aria-hidden="true" />
      <svg
        ref={svgRef}
        width={Math.max(0, width)}
        height={HEIGHT}
        role="img"
        aria-label="Overview of the whole period. Drag to choose the visible window."
      />
    </div>
  );
}
