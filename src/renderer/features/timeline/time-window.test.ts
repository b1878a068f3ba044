import { describe, expect, it } from 'vitest';
import {
  clampRange,
  MIN_SPAN_MS,
  msToPx,
  paddedExtent,
  panRange,
  pxToMs,
  sameRange,
  wheelZoomFactor,
  viewForKey,
  zoomRange,
} from './time-window';

const H = 3_600_000;

describe('pixel mapping', () => {
  const v = { fromMs: 0, toMs: 1000, width: 100 };
  it('maps both ways', () => {
    expect(msToPx(500, v)).toBe(50);
    expect(pxToMs(25, v)).toBe(250);
    expect(msToPx(5, { fromMs: 5, toMs: 5, width: 10 })).toBe(0);
  });
});

describe('zoomRange', () => {
  const r = { fromMs: 0, toMs: 10 * H };

  it('keeps the anchor in place', () => {
    const z = zoomRange(r, 0.5, 2 * H, null);
    expect(z).toEqual({ fromMs: 1 * H, toMs: 6 * H });
    const before = (2 * H - r.fromMs) / (r.toMs - r.fromMs);
    const after = (2 * H - z.fromMs) / (z.toMs - z.fromMs);
    expect(after).toBeCloseTo(before);
  });

  it('never zooms below the minimum span', () => {
    const z = zoomRange({ fromMs: 0, toMs: 2000 }, 0.01, 1000, null);
    expect(z.toMs - z.fromMs).toBe(MIN_SPAN_MS);
  });

  it('zooming out stops at the bounds', () => {
    expect(zoomRange(r, 10, 5 * H, { fromMs: -H, toMs: 11 * H })).toEqual({
      fromMs: -H,
      toMs: 11 * H,
    });
  });

  it('ignores nonsense factors', () => {
    expect(zoomRange(r, Number.NaN, 0, null)).toEqual(r);
  });
});

describe('panRange and clampRange', () => {
  const bounds = { fromMs: 0, toMs: 100 * H };
  it('pans and stops at the edges', () => {
    expect(panRange({ fromMs: 10 * H, toMs: 20 * H }, 5 * H, bounds)).toEqual({
      fromMs: 15 * H,
      toMs: 25 * H,
    });
    expect(panRange({ fromMs: 10 * H, toMs: 20 * H }, -50 * H, bounds)).toEqual({
      fromMs: 0,
      toMs: 10 * H,
    });
    expect(panRange({ fromMs: 80 * H, toMs: 90 * H }, 50 * H, bounds)).toEqual({
      fromMs: 90 * H,
      toMs: 100 * H,
    });
  });

  it('widens tiny windows', () => {
    const c = clampRange({ fromMs: 100, toMs: 100 }, null);
    expect(c.toMs - c.fromMs).toBe(MIN_SPAN_MS);
  });
});

describe('helpers', () => {
  it('pads the extent', () => {
    const p = paddedExtent({ fromMs: 0, toMs: 100 * H });
    expect(p.fromMs).toBeLessThan(0);
    expect(p.toMs).toBeGreaterThan(100 * H);
    const tiny = paddedExtent({ fromMs: 0, toMs: 0 });
    expect(tiny.toMs - tiny.fromMs).toBeGreaterThanOrEqual(60_000);
  });

  it('compares ranges', () => {
    expect(sameRange({ fromMs: 1, toMs: 2 }, { fromMs: 1.2, toMs: 2 })).toBe(true);
    expect(sameRange(null, null)).toBe(true);
    expect(sameRange(null, { fromMs: 1, toMs: 2 })).toBe(false);
  });

  it('turns wheel deltas into factors', () => {
    expect(wheelZoomFactor(-100, 0)).toBeLessThan(1);
    expect(wheelZoomFactor(100, 0)).toBeGreaterThan(1);
    expect(wheelZoomFactor(3, 1)).toBeCloseTo(wheelZoomFactor(48, 0));
    expect(wheelZoomFactor(100000, 0)).toBeCloseTo(Math.exp(0.8));
  });
});

describe('viewForKey', () => {
  const shown = { fromMs: 10 * H, toMs: 20 * H };
  const bounds = { fromMs: 0, toMs: 100 * H };

  it('zooms about the middle, pans by a fifth and fits', () => {
    expect(viewForKey('+', shown, bounds)).toEqual({ fromMs: 12.5 * H, toMs: 17.5 * H });
    expect(viewForKey('=', shown, bounds)).toEqual({ fromMs: 12.5 * H, toMs: 17.5 * H });
    expect(viewForKey('-', shown, bounds)).toEqual({ fromMs: 5 * H, toMs: 25 * H });
    expect(viewForKey('_', shown, bounds)).toEqual({ fromMs: 5 * H, toMs: 25 * H });
    expect(viewForKey('ArrowLeft', shown, bounds)).toEqual({ fromMs: 8 * H, toMs: 18 * H });
    expect(viewForKey('ArrowRight', shown, bounds)).toEqual({ fromMs: 12 * H, toMs: 22 * H });
    expect(viewForKey('0', shown, bounds)).toBeNull();
  });

  it('keeps inside the bounds and ignores other keys', () => {
    expect(viewForKey('ArrowLeft', { fromMs: 0, toMs: 10 * H }, bounds)).toEqual({
      fromMs: 0,
      toMs: 10 * H,
    });
    expect(viewForKey('a', shown, bounds)).toBeUndefined();
    expect(viewForKey('Escape', shown, bounds)).toBeUndefined();
  });
});
