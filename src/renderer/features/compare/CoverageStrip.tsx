import { useEffect, useRef } from 'react';
import { drawNoData, prepareCanvas } from '../timeline/draw';
import { msToPx, type TimeRange, type Viewport } from '../timeline/time-window';

const HEIGHT = 8;

/** A thin strip over a band: observed days in blue, days without data hatched grey. */
export function CoverageStrip({ viewport, noData }: { viewport: Viewport; noData: TimeRange[] }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas || viewport.width <= 0) return;
    const ctx = prepareCanvas(canvas, viewport.width, HEIGHT);
    if (!ctx) return;
    ctx.clearRect(0, 0, viewport.width, HEIGHT);
    ctx.fillStyle = 'rgba(37, 99, 235, 0.35)';
    ctx.fillRect(0, 2, viewport.width, HEIGHT - 4);
    for (const r of noData) {
      const x0 = Math.max(0, msToPx(r.fromMs, viewport));
      const x1 = Math.min(viewport.width, msToPx(r.toMs, viewport));
      if (x1 > x0) ctx.clearRect(x0, 0, x1 - x0, HEIGHT);
    }
    drawNoData(ctx, noData, viewport, HEIGHT);
  }, [viewport, noData]);
  return (
    <canvas
      ref={ref}
      className="cmp-coverage"
      data-testid="compare-coverage"
      style={{ width: viewport.width, height: HEIGHT }}
      role="img"
      aria-label={
        noData.length === 0
          ? 'Every day in view is observed.'
          : `${noData.length} stretch${noData.length === 1 ? '' : 'es'} in view without data (hatched).`
      }
    />
  );
}
