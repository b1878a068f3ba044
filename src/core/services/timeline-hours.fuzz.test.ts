import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimelineBin } from '../../contract/api';
import type { Filter } from '../../contract/filter';
import { binList } from '../../contract/timeline-bins';
import { DAY_MS, rebuildRollup } from '../db/rollup';
import { emptyFindingsCase, fillFindingsCase, FINDINGS_CASE_START } from '../testing/findings-case';
import { fuzzOptions } from '../testing/fuzz';
import { tempCase, type TempCase } from '../testing/temp-case';
import { CaseMemo, deviceOffsets } from './case-memo';
import { sessionWhere, whereSql } from './filter-sql';
import { emptyTimeline } from './timeline-parts';
import { HOUR_BIN_SIZES, hourBins, hourBinsServe } from './timeline-rollup';
import { findingsCaseFilter } from '../testing/findings-case-filter';

let t: TempCase;
beforeAll(() => {
  t = tempCase();
});
afterAll(() => t.cleanup());

/** Windows on half hours, wrapping midnight or not, some of them a whole day or one half hour. */
const halfHour = fc.integer({ min: 0, max: 47 }).map((h) => {
  const m = h * 30;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${m % 60 === 0 ? '00' : '30'}`;
});
const filter: fc.Arbitrary<Filter> = fc
  .tuple(
    findingsCaseFilter,
    fc.option(fc.record({ from: halfHour, to: halfHour }), { nil: undefined }),
  )
  .map(([f, hours]) => (hours ? { ...f, hours } : f));

const sortBins = (bins: TimelineBin[]): TimelineBin[] =>
  [...bins].sort(
    (a, b) =>
      (a.lane < b.lane ? -1 : a.lane > b.lane ? 1 : 0) ||
      (a.category < b.category ? -1 : a.category > b.category ? 1 : 0) ||
      a.startMs - b.startMs,
  );

/**
 * The reference: every session of the filter, grouped by device, app, category, device-local day
 * and block of `binMs` of its local start; a block placed at its local start with the device's
 * latest offset, kept when it overlaps the range.
 */
function scanBins(
  f: Filter,
  binMs: number,
  range: { fromMs: number; toMs: number },
  offsets: Map<number, number>,
): TimelineBin[] {
  const w = sessionWhere(f, 0);
  const minutes = binMs / 60_000;
  const rows = t.session.db
    .prepare(
      `SELECT s.device_id AS deviceId, s.app_id AS appId, s.category, s.local_day AS day,
              s.anchor_minute / ${minutes} AS block, COUNT(*) AS count,
              COALESCE(SUM(s.duration_ms), 0) AS busyMs
       FROM access_sessions s ${whereSql(w, [])}
       GROUP BY s.device_id, s.app_id, s.category, s.local_day, s.anchor_minute / ${minutes}`,
    )
    .all(...w.params) as {
    deviceId: number;
    appId: number;
    category: TimelineBin['category'];
    day: number;
    block: number;
    count: number;
    busyMs: number;
  }[];
  return rows
    .map((r) => ({
      lane: `${r.deviceId}:${r.appId}`,
      category: r.category,
      startMs: r.day * DAY_MS + r.block * binMs - (offsets.get(r.deviceId) ?? 0) * 60_000,
      count: r.count,
      busyMs: r.busyMs,
    }))
    .filter((b) => b.startMs < range.toMs && b.startMs + binMs > range.fromMs);
}

describe('timeline bins of whole hours from the rollup’s day cells', () => {
  it('equal the sessions grouped by block of device-local hours, with their lanes’ totals', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        filter,
        fc.constantFrom(...HOUR_BIN_SIZES),
        // Ranges around the case's two weeks, from part of an hour to weeks, on and off the hour
        // (ends on the hour meet blocks that start or end there).
        fc.oneof(
          fc.integer({ min: -3 * 24 * 60, max: 17 * 24 * 60 }),
          fc.integer({ min: -3 * 24, max: 17 * 24 }).map((h) => h * 60),
        ),
        fc.oneof(
          fc.integer({ min: 1, max: 12 * 24 * 60 }),
          fc.integer({ min: 1, max: 12 * 24 }).map((h) => h * 60),
        ),
        (seed, f, binMs, fromMin, lengthMin) => {
          emptyFindingsCase(t.session.db);
          fillFindingsCase(t.session.db, seed);
          const db = t.session.db;
          const memo = new CaseMemo(db);
          const offsets = deviceOffsets(db, memo);
          const range = {
            fromMs: FINDINGS_CASE_START + fromMin * 60_000,
            toMs: FINDINGS_CASE_START + (fromMin + lengthMin) * 60_000,
          };
          expect(hourBinsServe(f, true)).toBe(true);
          const got = hourBins(
            db,
            memo,
            f,
            range,
            binMs,
            { sql: [], params: [] },
            offsets,
            emptyTimeline(null, null),
          );
          const want = scanBins(f, binMs, range, offsets);
          expect(got.mode).toBe('bins');
          expect(got.binMs).toBe(binMs);
          expect(got.range).toEqual(range);
          expect(sortBins(binList(got.bins))).toEqual(sortBins(want));
          // Each lane's totals are those of its bins in view; no lane without one.
          const totals = new Map<string, { sessions: number; busyMs: number }>();
          for (const b of want) {
            const x = totals.get(b.lane) ?? { sessions: 0, busyMs: 0 };
            x.sessions += b.count;
            x.busyMs += b.busyMs;
            totals.set(b.lane, x);
          }
          expect(
            Object.fromEntries(
              got.lanes.map((l) => [l.key, { sessions: l.sessions, busyMs: l.totalMs }]),
            ),
          ).toEqual(Object.fromEntries(totals));
          expect(got.total).toBe(want.reduce((n, b) => n + b.count, 0));
        },
      ),
      fuzzOptions(60),
    );
  });

  it('keep a block that overlaps the range by a millisecond, and not one that only touches it', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.constantFrom(...HOUR_BIN_SIZES),
        fc.nat(),
        (seed, binMs, pick) => {
          emptyFindingsCase(t.session.db);
          fillFindingsCase(t.session.db, seed);
          const db = t.session.db;
          const memo = new CaseMemo(db);
          const offsets = deviceOffsets(db, memo);
          const all = scanBins({}, binMs, { fromMs: -1e15, toMs: 1e15 }, offsets);
          if (all.length === 0) return;
          const b = all[pick % all.length]!;
          const bins = (fromMs: number, toMs: number): TimelineBin[] =>
            binList(
              hourBins(
                db,
                memo,
                {},
                { fromMs, toMs },
                binMs,
                { sql: [], params: [] },
                offsets,
                emptyTimeline(null, null),
              ).bins,
            ).filter(
              (x) => x.lane === b.lane && x.category === b.category && x.startMs === b.startMs,
            );
          const end = b.startMs + binMs;
          expect(bins(end, end + binMs)).toEqual([]);
          expect(bins(b.startMs - binMs, b.startMs)).toEqual([]);
          expect(bins(end - 1, end + binMs)).toEqual([b]);
          expect(bins(b.startMs - binMs, b.startMs + 1)).toEqual([b]);
        },
      ),
      fuzzOptions(40),
    );
  });

  it('answer a timeline whose bins are whole hours once it has more sessions than the limit', () => {
    emptyFindingsCase(t.session.db);
    const db = t.session.db;
    const device = Number(
      db
        .prepare("INSERT INTO devices (label, platform, created_at) VALUES ('Busy', 'ios', 0)")
        .run().lastInsertRowid,
    );
    const app = Number(
      db.prepare("INSERT INTO apps (device_id, identifier) VALUES (?, 'com.busy.app')").run(device)
        .lastInsertRowid,
    );
    // A session every 20 s for a week at +02:00, 30 s each: 30,240 sessions.
    const insert = db.prepare(
      `INSERT INTO access_sessions (device_id, interval_key, app_id, category, raw_category, start_ms,
         start_offset, end_ms, end_offset, anchor_ms, anchor_offset, anchor_minute, local_day,
         duration_ms, open)
       VALUES (?, ?, ?, ?, ?, ?, 120, ?, 120, ?, 120, ?, ?, 30000, 0)`,
    );
    const week = 7 * DAY_MS;
    db.transaction(() => {
      for (let ms = 0, i = 0; ms < week; ms += 20_000, i += 1) {
        const at = FINDINGS_CASE_START + ms;
        const local = at + 120 * 60_000;
        const category = i % 3 === 0 ? 'camera' : 'photos';
        insert.run(
          device,
          `k${i}`,
          app,
          category,
          category,
          at,
          at + 30_000,
          at,
          Math.floor((local % DAY_MS) / 60_000),
          Math.floor(local / DAY_MS),
        );
      }
    })();
    rebuildRollup(db);
    const q = t.session.queries;
    const range = { fromMs: FINDINGS_CASE_START, toMs: FINDINGS_CASE_START + week };
    // 60 px for a week: bins of at least 5.6 h, so 6 h ones, which the day cells hold.
    const wide = q.timeline({ filter: {}, range, width: 60 });
    expect(wide.mode).toBe('bins');
    expect(wide.binMs).toBe(21_600_000);
    const want = scanBins({}, 21_600_000, range, new Map([[device, 120]]));
    expect(sortBins(binList(wide.bins))).toEqual(sortBins(want));
    // Blocks of device-local hours: 00:00 at +02:00 is 22:00 UTC.
    expect(new Set(binList(wide.bins).map((b) => new Date(b.startMs).getUTCHours()))).toEqual(
      new Set([22, 4, 10, 16]),
    );
    expect(wide.total).toBe(30_240);
    // An hours window that keeps fewer sessions than that (7,560) is read from the sessions:
    // exact bins on the UTC grid (00:00–06:00 at +02:00 is 22:00–04:00 UTC, in the blocks from
    // 18:00 and 00:00 UTC). Bins of an hours window from the day cells are compared with the
    // sessions above.
    const night = q.timeline({
      filter: { hours: { from: '00:00', to: '06:00' } },
      range,
      width: 60,
    });
    expect(night.mode).toBe('bins');
    expect(new Set(binList(night.bins).map((b) => new Date(b.startMs).getUTCHours()))).toEqual(
      new Set([18, 0]),
    );
  });

  it('serve hours windows on the hours the rollup keeps, and no minimum duration or dates', () => {
    expect(hourBinsServe({ hours: { from: '00:00', to: '06:00' } }, false)).toBe(true);
    expect(hourBinsServe({ hours: { from: '22:30', to: '06:00' } }, true)).toBe(true);
    expect(hourBinsServe({ hours: { from: '22:30', to: '06:00' } }, false)).toBe(false);
    expect(hourBinsServe({ hours: { from: '22:15', to: '06:00' } }, true)).toBe(false);
    expect(hourBinsServe({ minSeconds: 60 }, true)).toBe(false);
    expect(hourBinsServe({ from: '2024-05-02' }, true)).toBe(false);
    expect(hourBinsServe({ states: ['background'] }, true)).toBe(false);
    expect(hourBinsServe({ devices: [1], apps: ['x'], categories: ['photos'] }, true)).toBe(true);
  });
});
