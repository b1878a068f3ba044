import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimelineResult } from '../../contract/api';
import type { Filter } from '../../contract/filter';
import { localDayNumber, localMinuteOfDay } from '../../contract/time';
import { binList } from '../../contract/timeline-bins';
import { rebuildRollup } from '../db/rollup';
import { emptyFindingsCase, fillFindingsCase, FINDINGS_CASE_START } from '../testing/findings-case';
import { findingsCaseFilterFields } from '../testing/findings-case-filter';
import { fuzzOptions } from '../testing/fuzz';
import { tempCase, type TempCase } from '../testing/temp-case';

let t: TempCase;
beforeAll(() => {
  t = tempCase();
});
afterAll(() => t.cleanup());

const DAY = 86_400_000;

/** The parts of an answer that belong to lanes, each kept only for the lanes named. */
function ofLanes(r: TimelineResult, keys: ReadonlySet<string>) {
  return {
    sessions: r.sessions.filter((s) => keys.has(s.lane)),
    bins: binList(r.bins).filter((b) => keys.has(b.lane)),
    network: r.network.filter((n) => keys.has(n.lane)),
    marks: r.marks.filter((m) => keys.has(m.lane)),
  };
}

/** Every lane an answer's sessions, bins, spans and marks name. */
function lanesNamed(r: TimelineResult): Set<string> {
  return new Set([
    ...r.sessions.map((s) => s.lane),
    ...binList(r.bins).map((b) => b.lane),
    ...r.network.map((n) => n.lane),
    ...r.marks.map((m) => m.lane),
  ]);
}

describe('a timeline of some lanes', () => {
  it('lists every lane as the whole answer does, and holds the sessions of the lanes asked for', () => {
    const filter = fc.record(findingsCaseFilterFields, {
      requiredKeys: [],
    }) as fc.Arbitrary<Filter>;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        filter,
        fc.option(fc.tuple(fc.nat(14 * 24), fc.integer({ min: 1, max: 14 * 24 })), {
          nil: undefined,
        }),
        fc.nat(12),
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom(undefined, 'one', 'c'),
        (seed, f, hours, offset, limit, laneSearch) => {
          const db = t.session.db;
          emptyFindingsCase(db);
          fillFindingsCase(db, seed);
          const range = hours && {
            fromMs: FINDINGS_CASE_START + hours[0] * 3_600_000,
            toMs: FINDINGS_CASE_START + (hours[0] + hours[1]) * 3_600_000,
          };
          const request = {
            filter: f,
            width: 800,
            ...(range ? { range } : {}),
            ...(laneSearch ? { laneSearch } : {}),
          };
          const whole = t.session.queries.timeline(request);
          const some = t.session.queries.timeline({ ...request, lanes: { offset, limit } });
          expect(some.lanes.map((l) => l.key)).toEqual(whole.lanes.map((l) => l.key));
          const shown = whole.lanes.slice(offset, offset + limit);
          if (shown.length === whole.lanes.length) {
            expect(some).toEqual(whole);
            return;
          }
          expect(some.lanesLoaded).toEqual({ offset, count: shown.length });
          const keys = new Set(shown.map((l) => l.key));
          for (const lane of lanesNamed(some)) expect(keys.has(lane)).toBe(true);
          // Every lane keeps the whole answer's totals, in its order.
          expect(some.lanes).toEqual(whole.lanes);
          expect(some.total).toBe(whole.total);
          expect(some.observed).toEqual(whole.observed);
          if (whole.mode === 'sessions') {
            // Every session is sent when the whole answer sends them: the lanes' are the same.
            expect(some.mode).toBe('sessions');
            expect(ofLanes(some, keys)).toEqual(ofLanes(whole, keys));
          }
        },
      ),
      fuzzOptions(40),
    );
  });

  it('bins the lanes asked for as finely as if they were the only ones', () => {
    const db = t.session.db;
    emptyFindingsCase(db);
    const device = t.session.createDevice({ label: 'Study phone', platform: 'ios' }).id;
    const insert = db.prepare(
      `INSERT INTO access_sessions (device_id, interval_key, app_id, category, raw_category, start_ms, start_offset,
         end_ms, end_offset, anchor_ms, anchor_offset, anchor_minute, local_day, duration_ms, open, state)
       VALUES (?, ?, ?, ?, ?, ?, 0, ?, 0, ?, 0, ?, ?, ?, 0, 'unknown')`,
    );
    const start = Date.UTC(2024, 0, 1);
    const categories = ['photos', 'camera', 'location'];
    db.transaction(() => {
      for (let a = 0; a < 120; a += 1) {
        const app = Number(
          db
            .prepare('INSERT INTO apps (device_id, identifier) VALUES (?, ?)')
            .run(device, `com.study.app${a}`).lastInsertRowid,
        );
        // Busier apps first: 400 down to 162 sessions, every 97 minutes and a bit.
        for (let i = 0; i < 400 - 2 * a; i += 1) {
          const ms = start + i * 5_830_000 + a * 60_000;
          const category = categories[(i + a) % 3]!;
          insert.run(
            device,
            `k${a}-${i}`,
            app,
            category,
            category,
            ms,
            ms + 30_000,
            ms,
            localMinuteOfDay(ms, 0),
            localDayNumber(ms, 0),
            30_000,
          );
        }
      }
      rebuildRollup(db);
    })();
    // Four weeks from a local midnight, holding every session: any bins count them all.
    const range = { fromMs: start, toMs: start + 28 * DAY };
    const request = { filter: { devices: [device] }, width: 1200, range };
    const whole = t.session.queries.timeline(request);
    expect(whole.mode).toBe('bins');
    expect(whole.lanes).toHaveLength(120);
    expect(whole.binMs).toBeGreaterThanOrEqual(6 * 3_600_000);
    const some = t.session.queries.timeline({ ...request, lanes: { offset: 30, limit: 20 } });
    expect(some.mode).toBe('bins');
    expect(some.binMs).toBeLessThan(whole.binMs!);
    expect(some.binMs).toBeLessThanOrEqual(3 * 3_600_000);
    const keys = new Set(whole.lanes.slice(30, 50).map((l) => l.key));
    const sums = (r: TimelineResult): Map<string, number> => {
      const m = new Map<string, number>();
      for (const b of binList(r.bins)) {
        if (!keys.has(b.lane)) continue;
        const k = `${b.lane}|${b.category}`;
        m.set(k, (m.get(k) ?? 0) + b.count);
      }
      return m;
    };
    expect(sums(some)).toEqual(sums(whole));
    expect(sums(some).size).toBe(60);
    // A scroll asks for other lanes of the same view: the whole answer is not read again.
    const next = t.session.queries.timeline({ ...request, lanes: { offset: 50, limit: 20 } });
    expect(next.lanes.map((l) => l.key)).toEqual(whole.lanes.map((l) => l.key));
    expect(next.lanesLoaded).toEqual({ offset: 50, count: 20 });
  });
});
