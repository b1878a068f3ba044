import { scaleUtc } from 'd3';
import type { Viewport } from './time-window';

/**
 * A d3 UTC scale over wall-clock time at a fixed offset: shifting the domain by the offset makes
 * d3's UTC ticks and labels read as the device's local clock.
 */
export function wallClockScale(v: Viewport, offsetMin: number) {
  const off = offsetMin * 60_000;
  return scaleUtc()
    .domain([new Date(v.fromMs + off), new Date(v.toMs + off)])
    .range([0, v.width]);
}

/** How many ticks fit a width. */
export function tickCount(width: number): number {
  return Math.max(2, Math.floor(width / 120));
}

/** Tick instants (UTC ms) of the wall-clock axis, for grid lines. */
export function axisTicks(v: Viewport, offsetMin: number): number[] {
  if (v.width <= 0 || v.toMs <= v.fromMs) return [];
  const off = offsetMin * 60_000;
  return wallClockScale(v, offsetMin)
    .ticks(tickCount(v.width))
    .map((d) => d.getTime() - off);
}
