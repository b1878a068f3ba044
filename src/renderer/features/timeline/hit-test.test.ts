import { describe, expect, it } from 'vitest';
import type { NetworkSpan, TimelineBin, TimelineSession } from '../../../contract/api';
import {
  hitBin,
  hitNetwork,
  hitSession,
  indexSessions,
  MIN_BAR_PX,
  OPEN_STUB_PX,
  sessionSpan,
} from './hit-test';
import type { Viewport } from './time-window';

const v: Viewport = { fromMs: 0, toMs: 1000, width: 1000 };

function session(
  id: string,
  startMs: number | null,
  endMs: number | null,
  extra: Partial<TimelineSession> = {},
): TimelineSession {
  return {
    id,
    lane: 'L1',
    category: 'camera',
    startMs,
    endMs,
    anchorMs: startMs ?? endMs ?? 0,
    offsetMin: 120,
    open: startMs === null || endMs === null,
    state: 'unknown',
    stateSource: null,
    ...extra,
  };
}

describe('sessionSpan', () => {
  it('maps closed sessions and widens tiny ones', () => {
    expect(sessionSpan(session('a', 100, 300), v)).toEqual({
      x0: 100,
      x1: 300,
      openStart: false,
      openEnd: false,
    });
    expect(sessionSpan(session('b', 100, 100), v).x1).toBe(100 + MIN_BAR_PX);
  });

  it('draws open ends as stubs on the unknown side', () => {
    expect(sessionSpan(session('c', 200, null), v)).toEqual({
      x0: 200,
      x1: 200 + OPEN_STUB_PX,
      openStart: false,
      openEnd: true,
    });
    expect(sessionSpan(session('d', null, 500), v)).toEqual({
      x0: 500 - OPEN_STUB_PX,
      x1: 500,
      openStart: true,
      openEnd: false,
    });
    const both = sessionSpan(session('e', null, null, { anchorMs: 400 }), v);
    expect(both.openStart && both.openEnd).toBe(true);
  });
});

describe('hitSession', () => {
  const list = [session('wide', 100, 600), session('narrow', 300, 320), session('far', 800, 850)];

  it('prefers the narrowest bar containing the point', () => {
    expect(hitSession(list, 310, v)?.id).toBe('narrow');
    expect(hitSession(list, 200, v)?.id).toBe('wide');
  });

  it('accepts near misses within tolerance and rejects the rest', () => {
    expect(hitSession(list, 852, v)?.id).toBe('far');
    expect(hitSession(list, 700, v)).toBeNull();
  });

  it('finds open sessions by their stub', () => {
    expect(hitSession([session('open', 900, null)], 915, v)?.id).toBe('open');
  });
});

describe('indexSessions', () => {
  it('groups by lane and category in visual order', () => {
    const idx = indexSessions([
      session('b', 500, 600),
      session('a', 100, 200),
      session('m', 50, 60, { category: 'microphone' }),
      session('z', 10, 20, { lane: 'L2' }),
    ]);
    expect(
      idx
        .get('L1')
        ?.get('camera')
        ?.map((s) => s.id),
    ).toEqual(['a', 'b']);
    expect(
      idx
        .get('L1')
        ?.get('microphone')
        ?.map((s) => s.id),
    ).toEqual(['m']);
    expect(
      idx
        .get('L2')
        ?.get('camera')
        ?.map((s) => s.id),
    ).toEqual(['z']);
  });
});

describe('bins and network', () => {
  it('finds the bin under the cursor', () => {
    const bins: TimelineBin[] = [
      { lane: 'L1', category: 'camera', startMs: 0, count: 1, busyMs: 5 },
      { lane: 'L1', category: 'camera', startMs: 100, count: 2, busyMs: 50 },
    ];
    expect(hitBin(bins, 100, 150, v)?.count).toBe(2);
    expect(hitBin(bins, 100, 500, v)).toBeNull();
  });

  it('finds network spans under the cursor', () => {
    const spans: NetworkSpan[] = [
      { lane: 'L1', firstMs: 100, lastMs: 200, hits: 3, domains: 1 },
      { lane: 'L1', firstMs: 150, lastMs: 400, hits: 9, domains: 2 },
    ];
    expect(hitNetwork(spans, 160, v)).toHaveLength(2);
    expect(hitNetwork(spans, 300, v)).toHaveLength(1);
    expect(hitNetwork(spans, 900, v)).toHaveLength(0);
  });
});
