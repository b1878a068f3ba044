import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { binList, emptyBins } from '../../contract/timeline-bins';
import type { TimelineResult } from '../../contract/api';
import type { Filter } from '../../contract/filter';
import { AppError } from '../model/errors';
import { accessLine, accessPair } from '../testing/apr-fixture';
import { tempCase, type TempCase } from '../testing/temp-case';
import { importFile } from './import-run';
import { TIMELINE_SESSION_LIMIT } from './timeline-exact';

const M = 60_000;
const H = 3_600_000;
const DAY = 86_400_000;

/** The UTC instant of device-local `h:m` on 2024-05-`day` at `offsetMin`. */
const at = (day: number, h: number, m: number, offsetMin: number): number =>
  Date.UTC(2024, 4, day, h, m) - offsetMin * M;

let t: TempCase;
let deviceB: number;

beforeEach(() => {
  t = tempCase();
  deviceB = t.session.createDevice({ label: 'Phone B' }).id;
});
afterEach(() => t.cleanup());

async function load(deviceId: number, name: string, lines: string[]): Promise<void> {
  const outcome = await importFile({ db: t.session.db, path: t.write(name, lines), deviceId });
  expect(outcome.status).toBe('imported');
}

function tod(filter: Filter, range?: { fromMs: number; toMs: number }, width = 1000) {
  return t.session.queries.timeOfDay({ filter, width, ...(range ? { range } : {}) });
}

/** Interval ids of the sessions, with their ms of the day. */
const placed = (r: TimelineResult): [string, number][] =>
  r.sessions.map((s) => [s.id.split(':').slice(2).join(':'), s.anchorMs]);

describe('time of day: folding', () => {
  it('puts sessions at the same local time on different days at the same ms of the day', async () => {
    const off = 120;
    await load(t.deviceId, 'a.ndjson', [
      ...accessPair({
        app: 'com.tencent.xin',
        category: 'photos',
        id: 'D1',
        ms: at(1, 7, 30, off),
        durationMs: 90_000,
        offsetMin: off,
      }),
      ...accessPair({
        app: 'com.tencent.xin',
        category: 'photos',
        id: 'D2',
        ms: at(2, 7, 30, off),
        durationMs: 30_000,
        offsetMin: off,
      }),
      ...accessPair({
        app: 'com.tencent.xin',
        category: 'photos',
        id: 'D9',
        ms: at(9, 7, 30, off),
        durationMs: 60_000,
        offsetMin: off,
      }),
    ]);
    const r = tod({});
    expect(r.extent).toEqual({ fromMs: 0, toMs: DAY });
    expect(r.range).toEqual({ fromMs: 0, toMs: DAY });
    expect(r.mode).toBe('sessions');
    expect(r.binMs).toBeNull();
    expect(r.total).toBe(3);
    expect(placed(r).sort()).toEqual([
      ['D1', 7.5 * H],
      ['D2', 7.5 * H],
      ['D9', 7.5 * H],
    ]);
    // Start and end move with the anchor, so each session keeps its duration.
    const byId = new Map(r.sessions.map((s) => [s.id, s]));
    expect(byId.get(`s:${t.deviceId}:D1`)).toMatchObject({
      startMs: 7.5 * H,
      endMs: 7.5 * H + 90_000,
      offsetMin: 0,
      open: false,
      category: 'photos',
      lane: `${t.deviceId}:${r.lanes[0]!.appId}`,
    });
    expect(byId.get(`s:${t.deviceId}:D2`)?.endMs).toBe(7.5 * H + 30_000);
    expect(r.lanes).toHaveLength(1);
    expect(r.lanes[0]).toMatchObject({
      deviceId: t.deviceId,
      deviceLabel: 'Phone A',
      app: 'com.tencent.xin',
      sessions: 3,
      totalMs: 180_000,
    });
  });

  it('folds each device in its own local time', async () => {
    const utc = Date.UTC(2024, 4, 3, 10, 0);
    await load(t.deviceId, 'a.ndjson', [
      ...accessPair({
        app: 'com.tencent.xin',
        category: 'camera',
        id: 'EAST',
        ms: utc,
        durationMs: 5_000,
        offsetMin: 120,
      }),
    ]);
    await load(deviceB, 'b.ndjson', [
      ...accessPair({
        app: 'com.tencent.xin',
        category: 'camera',
        id: 'WEST',
        ms: utc,
        durationMs: 5_000,
        offsetMin: -300,
      }),
    ]);
    const r = tod({});
    expect(placed(r).sort()).toEqual([
      ['EAST', 12 * H],
      ['WEST', 5 * H],
    ]);
    const lanes = new Map(r.lanes.map((l) => [l.key, l.deviceLabel]));
    for (const s of r.sessions) {
      const [, device] = s.id.split(':');
      expect(lanes.get(s.lane)).toBe(Number(device) === deviceB ? 'Phone B' : 'Phone A');
    }
    expect(placed(tod({ devices: [deviceB] }))).toEqual([['WEST', 5 * H]]);
  });

  it('uses each session’s own offset (both sides of a DST change) and keeps open sessions', async () => {
    await load(t.deviceId, 'a.ndjson', [
      ...accessPair({
        app: 'com.apple.camera',
        category: 'camera',
        id: 'WINTER',
        ms: Date.UTC(2024, 2, 20, 7, 0),
        durationMs: 1_000,
        offsetMin: 60,
      }),
      ...accessPair({
        app: 'com.apple.camera',
        category: 'camera',
        id: 'SUMMER',
        ms: Date.UTC(2024, 3, 20, 6, 0),
        durationMs: 1_000,
        offsetMin: 120,
      }),
      accessLine({
        app: 'com.apple.camera',
        category: 'microphone',
        id: 'OPEN',
        kind: 'intervalBegin',
        ms: at(5, 22, 15, 120),
        offsetMin: 120,
      }),
      ...accessPair({
        app: 'com.apple.camera',
        category: 'camera',
        id: 'LATE',
        ms: at(6, 23, 30, 120),
        durationMs: H,
        offsetMin: 120,
      }),
    ]);
    const r = tod({});
    expect(placed(r).sort()).toEqual([
      ['LATE', 23.5 * H],
      ['OPEN', 22.25 * H],
      ['SUMMER', 8 * H],
      ['WINTER', 8 * H],
    ]);
    const open = r.sessions.find((s) => s.id.endsWith(':OPEN'))!;
    expect(open).toMatchObject({ open: true, startMs: 22.25 * H, endMs: null });
    // Past midnight a session keeps its length beyond the end of the folded day.
    const late = r.sessions.find((s) => s.id.endsWith(':LATE'))!;
    expect([late.startMs, late.endMs]).toEqual([23.5 * H, 24.5 * H]);
  });
});

describe('time of day: range', () => {
  beforeEach(async () => {
    const off = 480;
    await load(t.deviceId, 'a.ndjson', [
      ...accessPair({
        app: 'com.tencent.xin',
        category: 'photos',
        id: 'EARLY',
        ms: at(1, 1, 0, off),
        durationMs: 10 * M,
        offsetMin: off,
      }),
      ...accessPair({
        app: 'com.tencent.xin',
        category: 'photos',
        id: 'ACROSS',
        ms: at(2, 5, 50, off),
        durationMs: 20 * M,
        offsetMin: off,
      }),
      ...accessPair({
        app: 'com.tencent.xin',
        category: 'photos',
        id: 'INSIDE',
        ms: at(3, 9, 0, off),
        durationMs: 5 * M,
        offsetMin: off,
      }),
      ...accessPair({
        app: 'com.tencent.xin',
        category: 'photos',
        id: 'LAST',
        ms: at(1, 11, 59, off),
        durationMs: 5 * M,
        offsetMin: off,
      }),
      ...accessPair({
        app: 'com.tencent.xin',
        category: 'photos',
        id: 'NOON',
        ms: at(4, 12, 0, off),
        durationMs: 5 * M,
        offsetMin: off,
      }),
      ...accessPair({
        app: 'com.tencent.xin',
        category: 'photos',
        id: 'EVENING',
        ms: at(2, 19, 0, off),
        durationMs: 5 * M,
        offsetMin: off,
      }),
    ]);
  });

  it('selects the sessions overlapping a part of the day, and only those', () => {
    const r = tod({}, { fromMs: 6 * H, toMs: 12 * H });
    expect(r.range).toEqual({ fromMs: 6 * H, toMs: 12 * H });
    expect(r.extent).toEqual({ fromMs: 0, toMs: DAY });
    expect(placed(r)).toEqual([
      ['ACROSS', 5 * H + 50 * M],
      ['INSIDE', 9 * H],
      ['LAST', 11 * H + 59 * M],
    ]);
    expect(r.total).toBe(3);
    expect(r.lanes[0]?.sessions).toBe(3);
    expect(placed(tod({}, { fromMs: 0, toMs: 2 * H }))).toEqual([['EARLY', H]]);
    expect(placed(tod({}, { fromMs: 13 * H, toMs: 18 * H }))).toEqual([]);
  });

  it('clamps the range to the day', () => {
    const r = tod({}, { fromMs: -5 * H, toMs: DAY + 5 * H });
    expect(r.range).toEqual({ fromMs: 0, toMs: DAY });
    expect(r.total).toBe(6);
  });

  it('refuses an empty or reversed range', () => {
    for (const range of [
      { fromMs: 5 * H, toMs: 5 * H },
      { fromMs: 8 * H, toMs: 3 * H },
      { fromMs: DAY, toMs: DAY + H },
      { fromMs: -2 * H, toMs: 0 },
    ]) {
      let caught: unknown = null;
      try {
        tod({}, range);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(AppError);
      expect((caught as AppError).code).toBe('INVALID_INPUT');
      expect((caught as AppError).message).toBe('The time-of-day range is empty.');
    }
  });

  // Ranges are half-open, as on the absolute timeline.
  it('leaves out a session that ends exactly where the range starts, like the timeline', () => {
    // ACROSS runs 05:50–06:10 local (+08:00).
    const absolute = t.session.queries.timeline({
      filter: {},
      width: 1000,
      range: { fromMs: at(2, 6, 10, 480), toMs: at(2, 12, 0, 480) },
    });
    expect(absolute.sessions.map((s) => s.id)).toEqual([]);
    expect(placed(tod({}, { fromMs: 6 * H + 10 * M, toMs: 8 * H }))).toEqual([]);
  });
});

describe('time of day: bins', () => {
  const N = TIMELINE_SESSION_LIMIT + 200;
  const off = -420;

  beforeEach(async () => {
    // Session i on local day 1 + (i % 13), at minute 5 × (i % 288) + 1: 5-minute bin i % 288.
    const lines: string[] = [];
    for (let i = 0; i < N; i += 1) {
      const day = 1 + (i % 13);
      const minute = 5 * (i % 288) + 1;
      lines.push(
        ...accessPair({
          app: i % 2 === 0 ? 'com.tencent.xin' : 'com.google.Maps',
          category: i % 2 === 0 ? 'photos' : 'location',
          id: `B${i}`,
          ms: at(day, 0, minute, off),
          durationMs: 2_000,
          offsetMin: off,
        }),
      );
    }
    await load(t.deviceId, 'many.ndjson', lines);
  }, 60_000);

  it('switches to bins whose counts add up to the session count', () => {
    const r = tod({});
    expect(r.mode).toBe('bins');
    expect(r.binMs).toBe(300_000);
    expect(r.sessions).toEqual([]);
    expect(r.total).toBe(N);
    expect(binList(r.bins).reduce((n, b) => n + b.count, 0)).toBe(N);
    expect(r.lanes.reduce((n, l) => n + l.sessions, 0)).toBe(N);
    expect(r.lanes.map((l) => [l.app, l.sessions]).sort()).toEqual([
      ['com.google.Maps', N / 2],
      ['com.tencent.xin', N / 2],
    ]);
    for (const b of binList(r.bins)) {
      expect(b.startMs % 300_000).toBe(0);
      expect(b.startMs).toBeGreaterThanOrEqual(0);
      expect(b.startMs).toBeLessThan(DAY);
    }
    // 5,200 sessions over 288 bins: bins 0..15 hold 19, the rest 18 (split by app on parity).
    const perBin = new Map<number, number>();
    for (const b of binList(r.bins)) perBin.set(b.startMs, (perBin.get(b.startMs) ?? 0) + b.count);
    expect(perBin.size).toBe(288);
    expect(perBin.get(0)).toBe(Math.ceil((N - 0) / 288));
    expect(perBin.get(287 * 300_000)).toBe(Math.floor(N / 288));
    const firstBin = binList(r.bins).filter((b) => b.startMs === 0);
    expect(firstBin.map((b) => b.busyMs).reduce((a, b) => a + b, 0)).toBe(2_000 * perBin.get(0)!);
  });

  it('gives single sessions again once the range holds few', () => {
    const r = tod({}, { fromMs: 0, toMs: H });
    expect(r.mode).toBe('sessions');
    const expected = Array.from({ length: N }, (_, i) => i).filter((i) => i % 288 < 12).length;
    expect(r.sessions).toHaveLength(expected);
    expect(r.total).toBe(expected);
    expect(r.sessions.every((s) => s.anchorMs % 300_000 === M)).toBe(true);
  });

  it('counts only what the filter keeps before choosing bins', () => {
    // Half the sessions stay under the limit, so they come back one by one.
    const r = tod({ apps: ['com.google.Maps'] });
    expect(r.mode).toBe('sessions');
    expect(r.total).toBe(N / 2);
    expect(r.sessions).toHaveLength(N / 2);
    expect(new Set(r.sessions.map((s) => s.category))).toEqual(new Set(['location']));
    expect(r.lanes.map((l) => l.app)).toEqual(['com.google.Maps']);
  });
});

describe('time of day: filter', () => {
  beforeEach(async () => {
    const offA = 120;
    const offB = -240;
    await load(t.deviceId, 'a.ndjson', [
      ...accessPair({
        app: 'com.tencent.xin',
        category: 'photos',
        id: 'A1',
        ms: at(1, 2, 0, offA),
        durationMs: 1_000,
        offsetMin: offA,
      }),
      ...accessPair({
        app: 'com.tencent.xin',
        category: 'location',
        id: 'A2',
        ms: at(2, 3, 0, offA),
        durationMs: 1_000,
        offsetMin: offA,
      }),
      ...accessPair({
        app: 'com.google.Maps',
        category: 'location',
        id: 'A3',
        ms: at(3, 4, 0, offA),
        durationMs: 1_000,
        offsetMin: offA,
      }),
      ...accessPair({
        app: 'com.google.Maps',
        category: 'location',
        id: 'A4',
        ms: at(4, 23, 50, offA),
        durationMs: 1_000,
        offsetMin: offA,
      }),
    ]);
    await load(deviceB, 'b.ndjson', [
      ...accessPair({
        app: 'com.tencent.xin',
        category: 'photos',
        id: 'B1',
        ms: at(1, 5, 0, offB),
        durationMs: 1_000,
        offsetMin: offB,
      }),
      ...accessPair({
        app: 'com.tencent.xin',
        category: 'camera',
        id: 'B2',
        ms: at(3, 6, 0, offB),
        durationMs: 1_000,
        offsetMin: offB,
      }),
    ]);
  });

  const ids = (f: Filter) =>
    placed(tod(f))
      .map(([id]) => id)
      .sort();

  it('applies apps, categories and devices', () => {
    expect(ids({})).toEqual(['A1', 'A2', 'A3', 'A4', 'B1', 'B2']);
    expect(ids({ apps: ['com.google.Maps'] })).toEqual(['A3', 'A4']);
    expect(ids({ categories: ['photos'] })).toEqual(['A1', 'B1']);
    expect(ids({ categories: ['photos', 'camera'], apps: ['com.tencent.xin'] })).toEqual([
      'A1',
      'B1',
      'B2',
    ]);
    expect(ids({ devices: [deviceB] })).toEqual(['B1', 'B2']);
    expect(ids({ devices: [t.deviceId], categories: ['location'] })).toEqual(['A2', 'A3', 'A4']);
    expect(ids({ apps: ['com.example.none'] })).toEqual([]);
  });

  it('applies from and to dates as device-local days (to exclusive)', () => {
    expect(ids({ from: '2024-05-02' })).toEqual(['A2', 'A3', 'A4', 'B2']);
    expect(ids({ to: '2024-05-03' })).toEqual(['A1', 'A2', 'B1']);
    expect(ids({ from: '2024-05-02', to: '2024-05-04' })).toEqual(['A2', 'A3', 'B2']);
    expect(ids({ from: '2024-05-04', devices: [t.deviceId] })).toEqual(['A4']);
  });

  it('answers an empty result with no lanes', () => {
    const r = tod({ from: '2024-06-01' });
    expect(r).toMatchObject({
      mode: 'sessions',
      sessions: [],
      bins: emptyBins(),
      lanes: [],
      total: 0,
    });
  });
});
