import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { binList } from '../../contract/timeline-bins';
import { accessLine, accessPair, networkLine } from '../testing/apr-fixture';
import { tempCase, type TempCase } from '../testing/temp-case';
import { importFile } from './import-run';
import { exactBinFloor } from './timeline-rollup';

let t: TempCase;
const H = 3_600_000;
// 2024-05-01 00:00 UTC; the device is at +02:00, so local times are UTC + 2 h.
const DAY = Date.UTC(2024, 4, 1);
const local = (h: number, m = 0) => DAY + (h - 2) * H + m * 60_000;

beforeEach(async () => {
  t = tempCase();
  const lines = [
    ...accessPair({
      app: 'com.tencent.xin',
      category: 'photos',
      id: 'N1',
      ms: local(1, 30),
      durationMs: 60_000,
      offsetMin: 120,
    }),
    ...accessPair({
      app: 'com.tencent.xin',
      category: 'photos',
      id: 'N2',
      ms: local(3),
      durationMs: 5_000,
      offsetMin: 120,
    }),
    ...accessPair({
      app: 'com.tencent.xin',
      category: 'location',
      id: 'D1',
      ms: local(12),
      durationMs: 30_000,
      offsetMin: 120,
    }),
    ...accessPair({
      app: 'com.apple.camera',
      category: 'camera',
      id: 'C1',
      ms: local(23, 30),
      durationMs: 2 * H,
      offsetMin: 120,
    }),
    accessLine({
      app: 'com.apple.camera',
      category: 'microphone',
      id: 'OPEN',
      kind: 'intervalBegin',
      ms: local(5, 59),
      offsetMin: 120,
    }),
    networkLine({
      app: 'com.tencent.xin',
      domain: 'wx.qq.com',
      firstMs: local(1),
      lastMs: local(2),
      hits: 7,
      domainType: 1,
      domainOwner: 'Tencent',
    }),
  ];
  await importFile({ db: t.session.db, path: t.write('r.ndjson', lines), deviceId: t.deviceId });
});
afterEach(() => t.cleanup());

const ids = (filter: Parameters<TempCase['session']['queries']['summary']>[0]) =>
  t.session.queries
    .timeline({ filter, width: 1000 })
    .sessions.map((s) => s.id.split(':')[2])
    .sort();

describe('summary', () => {
  it('counts sessions, open sessions, totals over closed ones and device-local night sessions', () => {
    const rows = t.session.queries.summary({});
    const photos = rows.find((r) => r.category === 'photos')!;
    expect(photos).toMatchObject({
      app: 'com.tencent.xin',
      sessions: 2,
      openSessions: 0,
      totalMs: 65_000,
      longestMs: 60_000,
      nightSessions: 2,
    });
    expect(photos.first).toEqual({ ms: local(1, 30), offsetMin: 120 });
    expect(photos.last).toEqual({ ms: local(3) + 5_000, offsetMin: 120 });
    const mic = rows.find((r) => r.category === 'microphone')!;
    expect(mic).toMatchObject({
      sessions: 1,
      openSessions: 1,
      totalMs: null,
      longestMs: null,
      nightSessions: 1,
    });
    const evening = t.session.queries.summary({}, { from: '22:00', to: '02:00' });
    expect(evening.find((r) => r.category === 'camera')?.nightSessions).toBe(1);
    expect(evening.find((r) => r.category === 'photos')?.nightSessions).toBe(1);
  });
});

describe('filters', () => {
  it('filters by category, app identifier (case-insensitive) and minimum duration', () => {
    expect(ids({ categories: ['photos'] })).toEqual(['N1', 'N2']);
    expect(ids({ apps: ['COM.APPLE.CAMERA'] })).toEqual(['C1', 'OPEN']);
    expect(ids({ minSeconds: 30 })).toEqual(['C1', 'D1', 'N1']);
  });

  it('filters hours of day in device-local time, wrapping past midnight', () => {
    expect(ids({ hours: { from: '00:00', to: '06:00' } })).toEqual(['N1', 'N2', 'OPEN']);
    expect(ids({ hours: { from: '23:00', to: '02:00' } })).toEqual(['C1', 'N1']);
  });

  it('uses half-open ranges where a session counts when it overlaps', () => {
    // C1 runs 23:30 to 01:30 local; it overlaps the next local day.
    expect(ids({ from: '2024-05-02' })).toEqual(['C1']);
    expect(ids({ to: '2024-05-01T01:30:00+02:00' })).toEqual([]);
    expect(ids({ to: '2024-05-01T01:30:00.001+02:00' })).toEqual(['N1']);
    expect(ids({ from: '2024-05-01T01:31:00+02:00', to: '2024-05-01T03:00:00+02:00' })).toEqual([]);
    expect(ids({ from: '2024-05-01T01:30:59.999+02:00', to: '2024-05-01T03:00:00+02:00' })).toEqual(
      ['N1'],
    );
    expect(ids({ from: '2024-05-01', to: '2024-05-02' })).toEqual(['C1', 'D1', 'N1', 'N2', 'OPEN']);
  });
});

describe('timeline, heatmap and network', () => {
  it('returns lanes sorted by activity and network spans per lane', () => {
    const r = t.session.queries.timeline({ filter: {}, width: 800 });
    expect(r.lanes.map((l) => [l.app, l.sessions])).toEqual([
      ['com.tencent.xin', 3],
      ['com.apple.camera', 2],
    ]);
    expect(r.mode).toBe('sessions');
    expect(r.network).toEqual([
      expect.objectContaining({ lane: r.lanes[0]!.key, hits: 7, domains: 1 }),
    ]);
    const narrow = t.session.queries.timeline({
      filter: {},
      width: 800,
      range: { fromMs: local(2), toMs: local(4) },
    });
    expect(narrow.sessions.map((s) => s.id.split(':')[2])).toEqual(['N2']);
    expect(
      t.session.queries.timeline({ filter: {}, width: 800, laneSearch: 'camera' }).lanes,
    ).toHaveLength(1);
  });

  it('bins by device-local hour and local day', () => {
    const cells = t.session.queries.heatmap({ categories: ['photos'] }).cells;
    expect(cells.map((c) => [c.hour, c.sessions])).toEqual([
      [1, 1],
      [3, 1],
    ]);
  });

  it('lists network rows with Apple’s profiling flag', () => {
    expect(t.session.queries.network({})).toEqual([
      expect.objectContaining({
        domain: 'wx.qq.com',
        profiling: true,
        domainOwner: 'Tencent',
        hits: 7,
        line: 10,
      }),
    ]);
  });
});

describe('timeline over many sessions', () => {
  it('switches to rollup bins whose lane totals equal the exact counts', async () => {
    const lines: string[] = [];
    const start = Date.UTC(2024, 0, 1);
    for (let i = 0; i < 30_000; i += 1) {
      lines.push(
        ...accessPair({
          app: `com.bulk.app${i % 3}`,
          category: i % 2 ? 'photos' : 'camera',
          id: `BULK-${i}`,
          ms: start + i * 300_000,
          durationMs: 1000,
          offsetMin: 60,
        }),
      );
    }
    await importFile({
      db: t.session.db,
      path: t.write('bulk.ndjson', lines),
      deviceId: t.deviceId,
    });
    const filter = { apps: ['com.bulk.app0', 'com.bulk.app1', 'com.bulk.app2'] };
    // Narrow enough that day-sized bins are wanted: served by the rollup's weekly level.
    const r = t.session.queries.timeline({ filter, width: 100 });
    expect(r.mode).toBe('bins');
    expect(r.binMs).toBe(7 * 86_400_000);
    const fine = t.session.queries.timeline({ filter, width: 1000 });
    expect(fine.binMs).toBe(21_600_000);
    expect(binList(fine.bins).reduce((n, b) => n + b.count, 0)).toBe(30_000);
    const exact = t.session.queries.summary(filter);
    for (const lane of r.lanes) {
      const expected = exact.filter((x) => x.app === lane.app).reduce((n, x) => n + x.sessions, 0);
      expect(lane.sessions).toBe(expected);
    }
    expect(binList(r.bins).reduce((n, b) => n + b.count, 0)).toBe(30_000);
    // A filter the rollup cannot answer is served from the sessions themselves.
    const nightFilter = { ...filter, hours: { from: '00:00', to: '06:00' } };
    const night = t.session.queries.timeline({ filter: nightFilter, width: 1000 });
    const nightExact = t.session.queries.summary(nightFilter).reduce((n, x) => n + x.sessions, 0);
    expect(night.total).toBe(nightExact);
    expect(nightExact).toBeGreaterThan(5000);
    // Whole-hour windows and local dates are answered from the rollup's per-hour counts.
    const mostHours = {
      ...filter,
      hours: { from: '01:00', to: '00:00' },
      from: '2024-01-02',
      to: '2024-04-10',
    };
    const fromRollup = t.session.queries.timeline({ filter: mostHours, width: 100 });
    const mostExact = t.session.queries.summary(mostHours).reduce((n, x) => n + x.sessions, 0);
    expect(fromRollup.mode).toBe('bins');
    expect(fromRollup.binMs).toBe(86_400_000);
    expect(fromRollup.total).toBe(mostExact);
    // A minimum duration the rollup counts is answered from it too.
    const long = t.session.queries.timeline({ filter: { ...filter, minSeconds: 1 }, width: 100 });
    expect([long.mode, long.total]).toEqual(['bins', 30_000]);
    expect(
      t.session.queries.timeline({ filter: { ...filter, minSeconds: 5 }, width: 100 }).total,
    ).toBe(0);
    const tooMany = t.session.queries.timeline({
      filter: { ...filter, minSeconds: 1 },
      width: 1000,
    });
    expect(tooMany.mode).toBe('bins');
    expect(binList(tooMany.bins).reduce((n, b) => n + b.count, 0)).toBe(30_000);
  });
});

describe('exact timeline bins', () => {
  it('widen so lanes x categories x bins stays within what the rollup path reads', () => {
    const year = 365 * 86_400_000;
    // 1,680 lanes x categories over a year: bins of a month, not of a day (613,000 bins).
    expect(exactBinFloor(86_400_000, year, 1680)).toBeCloseTo((year * 1680) / 20_000);
    expect((year / exactBinFloor(86_400_000, year, 1680)) * 1680).toBeLessThanOrEqual(20_000);
    // Few lanes keep the bins asked for.
    expect(exactBinFloor(3_600_000, 86_400_000, 5)).toBe(3_600_000);
  });
});
