import { describe, expect, it } from 'vitest';
import type { TimelineMark } from '../../../contract/api';
import { emptyBins } from '../../../contract/timeline-bins';
import { overviewColumns } from './density';
import {
  glyphAt,
  indexMarks,
  MARK_CY,
  MARK_RADIUS,
  MARK_STEP,
  markCounts,
  MAX_SPREAD,
  placeMarks,
  visibleMarks,
} from './marks';
import type { Viewport } from './time-window';

const v: Viewport = { fromMs: 0, toMs: 1000, width: 1000 };

const mark = (id: string, atMs: number, lane = 'L1'): TimelineMark => ({
  id,
  lane,
  kind: 'permission',
  category: 'photos',
  status: 'granted',
  atMs,
  offsetMin: 120,
});

const ids = (placed: { marks: TimelineMark[] }[]) => placed.map((p) => p.marks.map((m) => m.id));

describe('timeline marks', () => {
  const index = indexMarks([mark('c', 500), mark('a', 100), mark('x', 300, 'L2'), mark('b', 104)]);
  const l1 = index.get('L1') ?? [];

  it('groups by lane and orders by time', () => {
    expect(l1.map((m) => m.id)).toEqual(['a', 'b', 'c']);
    expect(markCounts(index)).toEqual(
      new Map([
        ['L1', 3],
        ['L2', 1],
      ]),
    );
  });

  it('draws a lone mark at its time and sets close marks side by side', () => {
    const placed = placeMarks(l1, v);
    expect(ids(placed)).toEqual([['a'], ['b'], ['c']]);
    // a (100 px) and b (104 px) overlap: they straddle their middle, one glyph apart.
    expect(placed.map((p) => p.x)).toEqual([102 - MARK_STEP / 2, 102 + MARK_STEP / 2, 500]);
  });

  it('turns a dense cluster into one glyph that carries every mark', () => {
    const dense = Array.from({ length: MAX_SPREAD + 1 }, (_, i) => mark(`d${i}`, 200 + i));
    const placed = placeMarks(dense, v);
    expect(placed).toHaveLength(1);
    expect(placed[0]?.marks).toHaveLength(MAX_SPREAD + 1);
    expect(placed[0]?.x).toBe(200 + MAX_SPREAD / 2);
  });

  it('separates marks again when zoomed in', () => {
    const near = [mark('p', 200), mark('q', 201)];
    expect(placeMarks(near, v)).toHaveLength(2);
    const zoomed: Viewport = { fromMs: 195, toMs: 205, width: 1000 };
    expect(placeMarks(near, zoomed).map((p) => p.x)).toEqual([500, 600]);
  });

  it('hits the nearest glyph inside its diamond, and only at mark height', () => {
    const placed = placeMarks(l1, v);
    expect(glyphAt(placed, 500 + MARK_RADIUS, MARK_CY)?.marks[0]?.id).toBe('c');
    expect(glyphAt(placed, 500 + MARK_RADIUS + 3, MARK_CY)).toBeNull();
    expect(glyphAt(placed, 500, MARK_CY - MARK_RADIUS)?.marks[0]?.id).toBe('c');
    expect(glyphAt(placed, 500, MARK_CY + MARK_RADIUS + 3)).toBeNull();
    // A diamond's corner region: far both ways misses.
    expect(glyphAt(placed, 500 + MARK_RADIUS, MARK_CY + MARK_RADIUS)).toBeNull();
    expect(glyphAt(placed, 250, MARK_CY)).toBeNull();
    expect(glyphAt(placed, 102 + MARK_STEP / 2, MARK_CY)?.marks[0]?.id).toBe('b');
  });

  it('keeps the marks in and near the viewport for drawing', () => {
    expect(visibleMarks(l1, { fromMs: 300, toMs: 600, width: 1000 }).map((m) => m.id)).toEqual([
      'c',
    ]);
    expect(visibleMarks(l1, { fromMs: 600, toMs: 900, width: 1000 })).toEqual([]);
    // A mark just left of the edge still shows the part of its glyph that is inside.
    expect(visibleMarks(l1, { fromMs: 110, toMs: 400, width: 1000 }).map((m) => m.id)).toEqual([
      'a',
      'b',
    ]);
  });

  it('counts marks in the overview strip', () => {
    const cols = overviewColumns(
      { sessions: [], bins: emptyBins(), binMs: null, marks: [mark('a', 100), mark('b', 900)] },
      { fromMs: 0, toMs: 1000, width: 10 },
    );
    expect(cols[1]).toBe(1);
    expect(cols[9]).toBe(1);
    expect(cols[5]).toBe(0);
  });
});
