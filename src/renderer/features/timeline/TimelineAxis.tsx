import { axisBottom, brushX, select, type D3BrushEvent } from 'd3';
import { useEffect, useEffectEvent, useRef } from 'react';
import { axisTickFormat, formatTimeOfDay } from '../../shared/time-format';
import { tickCount, wallClockScale } from './axis';
import { pxToMs, type TimeRange, type Viewport } from './time-window';

interface Props {
  viewport: Viewport;
  offsetMin: number;
  onSelectRange: (range: TimeRange) => void;
  /** The axis is one folded day: label hours and minutes only. */
  timeOfDay?: boolean;
}

const HEIGHT = 30;

/** The wall-clock time axis; dragging on it selects a range to zoom into. */
export function TimelineAxis({ viewport, offsetMin, onSelectRange, timeOfDay = false }: Props) {
  const ref = useRef<SVGSVGElement>(null);
  const select_ = useEffectEvent((x0: number, x1: number) => {
    onSelectRange({ fromMs: pxToMs(x0, viewport), toMs: pxToMs(x1, viewport) });
  });

  const { fromMs, toMs, width } = viewport;

  useEffect(() => {
    const svg = ref.current;
    if (!svg || width <= 0 || toMs <= fromMs) return;
    const root = select(svg);
    root.selectAll('*').remove();
    const scale = wallClockScale({ fromMs, toMs, width }, offsetMin);
    // The ticks are placed once and labelled by the app's 24-hour formatter: d3's own labels
    // follow a 12-hour clock ("02 PM", and "02:15" for 14:15).
    const ticks = scale.ticks(tickCount(width));
    const label = timeOfDay ? (d: Date) => formatTimeOfDay(d.getTime()) : axisTickFormat(ticks);
    const axis = axisBottom(scale)
      .tickValues(ticks)
      .tickFormat((d) => label(d as Date))
      .tickSizeOuter(0)
      .tickSize(6);
    root.append('g').attr('class', 'axis').attr('transform', 'translate(0,0)').call(axis);
    const brushLayer = root.append('g').attr('class', 'brush');
    const brush = brushX<unknown>()
      .extent([
        [0, 0],
        [width, HEIGHT],
      ])
      .on('end', (event: D3BrushEvent<unknown>) => {
        if (!event.sourceEvent || !event.selection) return;
        const [a, b] = event.selection as [number, number];
        brushLayer.call(brush.move, null);
        if (b - a >= 4) select_(a, b);
      });
    brushLayer.call(brush);
  }, [fromMs, toMs, width, offsetMin, timeOfDay]);

  return (
    <svg
      ref={ref}
      className="timeline-axis"
      width={Math.max(0, width)}
      height={HEIGHT}
      data-testid="timeline-axis"
      role="img"
      aria-label="Time axis. Drag along it to zoom into a time range."
    />
  );
}
