import { describe, expect, it } from 'vitest';
import type { TimelineBin } from '../../../contract/api';
import { rasterizeBins, type RasterTrack } from './bin-raster';

const bin = (startMs: number, count: number): TimelineBin => ({
  lane: 'l',
  category: 'photos',
  startMs,
  count,
  busyMs: 0,
});
const alpha = (b: TimelineBin): number => b.count / 10;
const pixel = (buf: Uint8ClampedArray, w: number, row: number, x: number): number[] => [
  ...buf.subarray((row * w + x) * 4, (row * w + x) * 4 + 4),
];

describe('rasterizeBins', () => {
  const viewport = { fromMs: 0, toMs: 1000, width: 10 };

  it('paints each bin over its pixel columns in the track colour with its alpha', () => {
    const tracks: RasterTrack[] = [{ y: 0, h: 5, color: '#ff8000', bins: [bin(200, 5)] }];
    const buf = rasterizeBins(tracks, viewport, 200, alpha, { w: 10, scale: 1 });
    expect(buf.length).toBe(10 * 4);
    expect(pixel(buf, 10, 0, 1)).toEqual([0, 0, 0, 0]);
    expect(pixel(buf, 10, 0, 2)).toEqual([255, 128, 0, 128]);
    expect(pixel(buf, 10, 0, 3)).toEqual([255, 128, 0, 128]);
    expect(pixel(buf, 10, 0, 4)).toEqual([0, 0, 0, 0]);
  });

  it('keeps the strongest bin where bins share a pixel, and one row per track', () => {
    const tracks: RasterTrack[] = [
      { y: 0, h: 5, color: '#000000', bins: [bin(0, 2), bin(50, 9)] },
      { y: 5, h: 5, color: '#0000ff', bins: [bin(900, 10)] },
    ];
    const buf = rasterizeBins(tracks, viewport, 50, alpha, { w: 10, scale: 1 });
    expect(pixel(buf, 10, 0, 0)[3]).toBe(Math.round(Math.fround(0.9) * 255));
    expect(pixel(buf, 10, 1, 9)).toEqual([0, 0, 255, 255]);
    expect(pixel(buf, 10, 1, 0)).toEqual([0, 0, 0, 0]);
  });

  it('gives a narrow bin one pixel, skips bins outside the view and scales to device pixels', () => {
    const tracks: RasterTrack[] = [
      { y: 0, h: 5, color: '#ffffff', bins: [bin(510, 10), bin(-500, 10), bin(1500, 10)] },
    ];
    const buf = rasterizeBins(tracks, viewport, 1, alpha, { w: 20, scale: 2 });
    const lit = Array.from({ length: 20 }, (_, x) => pixel(buf, 20, 0, x)[3]).map((a) => a! > 0);
    expect(lit.filter(Boolean)).toHaveLength(1);
    expect(lit[10]).toBe(true);
  });

  it('reuses a large enough buffer and clears what the last draw left', () => {
    const first = rasterizeBins(
      [{ y: 0, h: 5, color: '#ffffff', bins: [bin(0, 10)] }],
      viewport,
      1000,
      alpha,
      { w: 10, scale: 1 },
      new Uint8ClampedArray(new ArrayBuffer(400)),
    );
    const again = rasterizeBins(
      [{ y: 0, h: 5, color: '#ffffff', bins: [] }],
      viewport,
      1000,
      alpha,
      {
        w: 10,
        scale: 1,
      },
      first,
    );
    expect(again.buffer).toBe(first.buffer);
    expect([...again].every((v) => v === 0)).toBe(true);
  });
});
