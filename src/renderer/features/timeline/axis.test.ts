import { describe, expect, it } from 'vitest';
import { axisTicks, tickCount, wallClockScale } from './axis';

const H = 3_600_000;
const t0 = Date.UTC(2024, 4, 1, 0, 0, 0);

describe('wall-clock axis', () => {
  it('places ticks on local hour boundaries', () => {
    const v = { fromMs: t0, toMs: t0 + 12 * H, width: 600 };
    const ticks = axisTicks(v, 150);
    expect(ticks.length).toBeGreaterThan(1);
    for (const t of ticks) {
      const localMinutes = ((t + 150 * 60_000) / 60_000) % 60;
      expect(localMinutes).toBe(0);
    }
  });

  it('maps the window onto the width', () => {
    const v = { fromMs: t0, toMs: t0 + H, width: 100 };
    const s = wallClockScale(v, 60);
    expect(s(new Date(t0 + H / 2 + H))).toBeCloseTo(50);
  });

  it('handles degenerate input', () => {
    expect(axisTicks({ fromMs: 5, toMs: 5, width: 100 }, 0)).toEqual([]);
    expect(tickCount(10)).toBe(2);
  });
});
