import { describe, expect, it } from 'vitest';
import type { Device, TimelineLane, TimelineSession } from '../../../contract/api';
import { binColumns, emptyBins } from '../../../contract/timeline-bins';
import { offsetForZone, pickAxisOffset } from './axis-offset';
import { laneHitAt } from './lane-hit';
import { binAlpha, networkAlpha, overviewColumns } from './density';
import {
  BAR_TOP,
  buildLayout,
  hasSeveralDevices,
  LANE_HEIGHT,
  laneLabel,
  laneLoaded,
  lanesLoadedText,
  laneWindow,
  NET_TOP,
  partAt,
  trackBox,
} from './lane-layout';

const lane = (key: string, deviceId = 1, appName: string | null = null): TimelineLane => ({
  key,
  deviceId,
  deviceLabel: `Phone ${deviceId}`,
  appId: 1,
  app: `com.example.${key}`,
  appName,
  sessions: 1,
  totalMs: 1,
});

const session = (
  id: string,
  laneKey: string,
  category: TimelineSession['category'],
  offsetMin = 60,
): TimelineSession => ({
  id,
  lane: laneKey,
  category,
  startMs: 0,
  endMs: 10,
  anchorMs: 0,
  offsetMin,
  open: false,
  state: 'unknown',
  stateSource: null,
});

const device = (id: number, timeZone: string | null): Device => ({
  id,
  label: `Phone ${id}`,
  platform: 'ios',
  model: null,
  osVersion: null,
  timeZone,
  offsetMin: null,
  identifiers: { udid: null, serial: null, imei: null, phoneNumber: null },
  sources: 0,
  createdAt: 0,
});

describe('lane layout', () => {
  const layout = buildLayout({
    lanes: [lane('a'), lane('b')],
    sessions: [
      session('1', 'a', 'location'),
      session('2', 'a', 'camera'),
      session('3', 'b', 'photos'),
    ],
    bins: emptyBins(),
  });

  it('gives each lane one track per category in canonical order', () => {
    expect(layout.tracks.get('a')).toEqual(['camera', 'location']);
    expect(layout.tracks.get('b')).toEqual(['photos']);
  });

  it('locates tracks and the network strip', () => {
    const two = trackBox(1, 2);
    expect(partAt(BAR_TOP + 1, layout)).toEqual({
      kind: 'track',
      laneIndex: 0,
      category: 'camera',
    });
    expect(partAt(two.y + two.h / 2, layout)).toEqual({
      kind: 'track',
      laneIndex: 0,
      category: 'location',
    });
    expect(partAt(LANE_HEIGHT + BAR_TOP + 3, layout)).toEqual({
      kind: 'track',
      laneIndex: 1,
      category: 'photos',
    });
    expect(partAt(NET_TOP + 1, layout)).toEqual({ kind: 'network', laneIndex: 0 });
    expect(partAt(LANE_HEIGHT * 5, layout)).toBeNull();
    expect(partAt(-1, layout)).toBeNull();
  });

  it('splits the bar area among tracks', () => {
    expect(trackBox(0, 1)).toEqual({ y: BAR_TOP, h: 20 });
    const a = trackBox(0, 3);
    const b = trackBox(1, 3);
    expect(b.y).toBeGreaterThan(a.y + a.h - 0.001);
  });

  it('labels lanes', () => {
    expect(laneLabel(lane('x', 1, 'Camera+'), false)).toBe('Camera+');
    expect(laneLabel(lane('x', 2, null), true)).toBe('com.example.x · Phone 2');
    expect(laneLabel(lane('x', 1, '  '), false)).toBe('com.example.x');
    expect(hasSeveralDevices([lane('a', 1), lane('b', 1)])).toBe(false);
    expect(hasSeveralDevices([lane('a', 1), lane('b', 2)])).toBe(true);
  });
});

describe('density', () => {
  it('scales bins by busy share or count', () => {
    expect(binAlpha({ count: 0, busyMs: 0 }, 1000, 10)).toBe(0);
    const low = binAlpha({ count: 1, busyMs: 10 }, 1000, 10);
    const high = binAlpha({ count: 10, busyMs: 1000 }, 1000, 10);
    expect(low).toBeGreaterThan(0.1);
    expect(high).toBeCloseTo(1);
    expect(high).toBeGreaterThan(low);
  });

  it('scales network hits logarithmically', () => {
    expect(networkAlpha(1000, 1000)).toBeCloseTo(1);
    expect(networkAlpha(1, 1000)).toBeLessThan(0.5);
    expect(networkAlpha(5, 0)).toBe(0.35);
  });

  it('builds overview columns scaled to one', () => {
    const cols = overviewColumns(
      {
        binMs: 100,
        bins: binColumns([
          { lane: 'a', category: 'camera', startMs: 0, count: 4, busyMs: 1 },
          { lane: 'a', category: 'camera', startMs: 500, count: 1, busyMs: 1 },
        ]),
        sessions: [],
      },
      { fromMs: 0, toMs: 1000, width: 10 },
    );
    expect(cols).toHaveLength(10);
    expect(Math.max(...cols)).toBeCloseTo(1);
    expect(cols[5]).toBeGreaterThan(0);
    expect(cols[3]).toBe(0);
  });
});

describe('axis offset', () => {
  it('reads offsets of IANA zones', () => {
    const summer = Date.UTC(2024, 6, 1);
    expect(offsetForZone('Europe/Berlin', summer)).toBe(120);
    expect(offsetForZone('America/New_York', summer)).toBe(-240);
    expect(offsetForZone('Asia/Kolkata', summer)).toBe(330);
    expect(offsetForZone('UTC', summer)).toBe(0);
    expect(offsetForZone('Not/AZone', summer)).toBeNull();
  });

  it('prefers the first lane session, then device history, then zones', () => {
    const lanes = [lane('a', 2), lane('b', 1)];
    expect(
      pickAxisOffset(
        { lanes, sessions: [session('1', 'b', 'camera', 60), session('2', 'a', 'camera', 180)] },
        [],
        new Map(),
        0,
      ),
    ).toEqual({
      offsetMin: 180,
      source: 'session',
    });
    expect(
      pickAxisOffset({ lanes, sessions: [] }, [device(2, null)], new Map([[2, -300]]), 0),
    ).toEqual({
      offsetMin: -300,
      source: 'device',
    });
    expect(
      pickAxisOffset({ lanes, sessions: [] }, [device(2, 'Asia/Tokyo')], new Map(), 0),
    ).toEqual({
      offsetMin: 540,
      source: 'zone',
    });
    expect(pickAxisOffset(null, [], new Map(), 0)).toEqual({ offsetMin: 0, source: 'unknown' });
  });
});

describe('a window of lanes', () => {
  it('holds the lanes in view with a margin, moving in steps', () => {
    for (let first = 0; first < 400; first += 7)
      for (const count of [1, 5, 20, 33]) {
        const w = laneWindow(first, count);
        expect(w.offset).toBeLessThanOrEqual(Math.max(0, first - 10));
        expect(w.offset + w.limit).toBeGreaterThanOrEqual(first + count + 10);
        expect(w.offset % 10).toBe(0);
        expect(w.limit % 10).toBe(0);
      }
    // A short scroll keeps the same window: the lanes loaded already hold the lanes in view.
    expect(laneWindow(21, 20)).toEqual(laneWindow(29, 20));
  });

  it('marks the lanes outside an answer for some lanes as not loaded, and says which are', () => {
    const lanes = ['a', 'b', 'c', 'd'].map((k) => lane(k));
    const some = buildLayout({
      lanes,
      sessions: [],
      bins: emptyBins(),
      lanesLoaded: { offset: 1, count: 2 },
    });
    expect([0, 1, 2, 3].map((i) => laneLoaded(some, i))).toEqual([false, true, true, false]);
    const all = buildLayout({ lanes, sessions: [], bins: emptyBins() });
    expect([0, 1, 2, 3].map((i) => laneLoaded(all, i))).toEqual([true, true, true, true]);
    expect(lanesLoadedText({ lanes, lanesLoaded: { offset: 1, count: 2 } })).toBe(
      'lanes 2–3 of 4 loaded',
    );
    expect(lanesLoadedText({ lanes })).toBe('');
  });
});

describe('what lies under the pointer in a lane not loaded', () => {
  it('is said to be loading, not quiet', () => {
    const lanes = ['a', 'b'].map((k) => lane(k));
    const input = {
      layout: buildLayout({
        lanes,
        sessions: [],
        bins: emptyBins(),
        lanesLoaded: { offset: 0, count: 1 },
      }),
      result: { mode: 'sessions' as const, binMs: null },
      sessions: new Map(),
      bins: new Map(),
      network: new Map(),
      marks: new Map(),
      markInfo: new Map(),
      offsetMin: 0,
      timeMode: 'local' as const,
    };
    const viewport = { fromMs: 0, toMs: 1000, width: 100 };
    expect(laneHitAt(input, viewport, 50, LANE_HEIGHT + BAR_TOP + 2)?.content.title).toBe(
      'Loading',
    );
    expect(laneHitAt(input, viewport, 50, BAR_TOP + 2)).toBeNull();
  });
});
