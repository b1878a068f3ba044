import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Filter } from '../../contract/filter';
import { emptyFindingsCase, fillFindingsCase } from '../testing/findings-case';
import { rebuildRollup } from '../db/rollup';
import { fuzzOptions } from '../testing/fuzz';
import { fillHalfHours } from '../testing/half-hours';
import { tempCase, type TempCase } from '../testing/temp-case';
import { SESSION_END_SQL, sessionWhere, whereSql } from './filter-sql';
import {
  byDeviceSessions,
  caseShape,
  exactBinRows,
  exactBinRowsGrouped,
  stateBinRows,
  statsBinRows,
  wholeHoursCountable,
  windowBinRows,
  windowBinRowsByRow,
  windowOnRollupHours,
  windowTerms,
  type BinRow,
} from './timeline-stats';
import { minutesOfDay } from '../../contract/filter';
import { FINDINGS_CASE_START } from '../testing/findings-case';
import { findingsCaseFilterFields } from '../testing/findings-case-filter';

const filter: fc.Arbitrary<Filter> = fc.record(
  {
    ...findingsCaseFilterFields,
    minSeconds: fc.oneof(
      fc.constantFrom(0.5, 1, 29.999, 30, 45, 61, 200, 899.5),
      fc.double({ min: 0.001, max: 1000, noNaN: true }),
    ),
  },
  { requiredKeys: ['minSeconds'] },
) as fc.Arbitrary<Filter>;

let t: TempCase;
beforeAll(() => {
  t = tempCase();
});
afterAll(() => t.cleanup());

function reset(): void {
  emptyFindingsCase(t.session.db);
}

const order = (rows: BinRow[]): BinRow[] =>
  [...rows].sort(
    (a, b) =>
      a.deviceId - b.deviceId ||
      a.appId - b.appId ||
      (a.category < b.category ? -1 : a.category > b.category ? 1 : 0) ||
      a.bucket - b.bucket,
  );

/** The reference: every session of the filter, grouped by device, app, category and bucket. */
function scanRows(f: Filter, level: number, from: number, to: number): BinRow[] {
  const w = sessionWhere(f, 0);
  const bucket = `((s.local_day - ((s.local_day % ${level}) + ${level}) % ${level}) / ${level})`;
  return t.session.db
    .prepare(
      `SELECT s.device_id AS deviceId, s.app_id AS appId, s.category, ${bucket} AS bucket,
              COUNT(*) AS sessions, COALESCE(SUM(s.duration_ms), 0) AS busyMs
       FROM access_sessions s ${whereSql(w, [`${bucket} >= ?`, `${bucket} <= ?`])}
       GROUP BY s.device_id, s.app_id, s.category, ${bucket}`,
    )
    .all(...w.params, from, to) as BinRow[];
}

describe('timeline bins from the session stats', () => {
  it('equal the sessions at or over any minimum duration, counted and summed', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        filter,
        fc.constantFrom(1, 7, 28),
        fc.integer({ min: -2, max: 3 }),
        fc.integer({ min: 0, max: 20 }),
        // Some durations below zero, as an export whose end precedes its begin gives.
        fc.boolean(),
        (seed, f, level, lo, width, negative) => {
          reset();
          fillFindingsCase(t.session.db, seed);
          if (negative) {
            t.session.db.exec(
              'UPDATE access_sessions SET duration_ms = -duration_ms WHERE id % 2 = 0',
            );
            rebuildRollup(t.session.db);
          }
          // Buckets around the case's two weeks (from 2024-05-01), some of them empty.
          const first = Math.floor(19844 / level) + lo;
          const last = first + Math.floor(width / level);
          const lane = { sql: [], params: [] };
          expect(order(statsBinRows(t.session.db, f, level, first, last, lane))).toEqual(
            order(scanRows(f, level, first, last)),
          );
        },
      ),
      fuzzOptions(80),
    );
  });
});

const hhmm = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 0, 15, 30, 59))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);

/** Whether a device-local minute of the day lies in a window (from a time to itself: all day). */
const inWindow = (m: number, from: string, to: string): boolean => {
  const a = minutesOfDay(from);
  const b = minutesOfDay(to);
  return a === b ? true : a < b ? m >= a && m < b : m >= a || m < b;
};

describe('timeline bins for an hours window not on whole hours', () => {
  it('equal the sessions anchored in the window, counted and summed', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        filter.map((f) => ({ ...f, minSeconds: undefined })),
        hhmm,
        hhmm,
        fc.constantFrom(1, 7, 28),
        fc.integer({ min: -2, max: 3 }),
        fc.integer({ min: 0, max: 20 }),
        // Packed values kept under 2^53, or so low that some durations (or all) do not pack.
        fc.constantFrom(undefined, 1e9, 1e6, 10),
        // Cells found through an array, or through a map.
        fc.constantFrom(undefined, 0),
        // Some durations below zero, as an export whose end precedes its begin gives.
        fc.boolean(),
        (seed, base, from, to, level, lo, width, packLimit, denseKeys, negative) => {
          reset();
          fillFindingsCase(t.session.db, seed);
          if (negative) {
            t.session.db.exec(
              'UPDATE access_sessions SET duration_ms = -duration_ms WHERE id % 2 = 0',
            );
            rebuildRollup(t.session.db);
          }
          const f: Filter = { ...base, hours: { from, to } };
          const first = Math.floor(19844 / level) + lo;
          const last = first + Math.floor(width / level);
          const lane = { sql: [], params: [] };
          const scan = order(scanRows(f, level, first, last));
          expect(
            order(
              windowBinRows(t.session.db, f, level, first, last, lane, { packLimit, denseKeys }),
            ),
          ).toEqual(scan);
          expect(order(windowBinRowsByRow(t.session.db, f, level, first, last, lane))).toEqual(
            scan,
          );
        },
      ),
      fuzzOptions(80),
    );
  });

  it('widen to whole hours that hold every minute of the window', () => {
    fc.assert(
      fc.property(hhmm, hhmm, (from, to) => {
        const wide = wholeHoursCountable({ hours: { from, to } }).hours;
        if (wide) {
          expect(wide.from.endsWith(':00') && wide.to.endsWith(':00')).toBe(true);
          expect(wide.from).not.toBe(wide.to);
        }
        for (let m = 0; m < 1440; m += 1)
          if (inWindow(m, from, to)) expect(!wide || inWindow(m, wide.from, wide.to)).toBe(true);
      }),
      fuzzOptions(200),
    );
  });
});

const halfHour = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 30))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);

describe('timeline bins for an hours window on half hours', () => {
  it('equal the sessions anchored in the window, from the rollup with its half hours', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        filter.map((f) => ({ ...f, minSeconds: undefined })),
        halfHour,
        halfHour,
        fc.constantFrom(1, 7, 28),
        fc.integer({ min: -2, max: 3 }),
        fc.integer({ min: 0, max: 20 }),
        (seed, base, from, to, level, lo, width) => {
          reset();
          fillFindingsCase(t.session.db, seed);
          fillHalfHours(t.session.db);
          const f: Filter = { ...base, hours: { from, to } };
          const first = Math.floor(19844 / level) + lo;
          const last = first + Math.floor(width / level);
          const terms = windowTerms(f.hours!) ?? { count: 'r.sessions', busy: 'r.busy_ms' };
          const w = sessionWhere({ devices: f.devices, apps: f.apps, categories: f.categories }, 0);
          const where = whereSql(
            {
              clauses: w.clauses.map((c) => c.replace(/(^|[^\w.])s\./g, '$1r.')),
              params: w.params,
            },
            ['r.level = ?', 'r.bucket >= ?', 'r.bucket <= ?', `${terms.count} != 0`],
          );
          const rows = t.session.db
            .prepare(
              `SELECT r.device_id AS deviceId, r.app_id AS appId, r.category, r.bucket,
                      ${terms.count} AS sessions, ${terms.busy} AS busyMs
               FROM session_rollup r ${where}`,
            )
            .all(...w.params, level, first, last) as BinRow[];
          expect(order(rows)).toEqual(order(scanRows(f, level, first, last)));
        },
      ),
      fuzzOptions(60),
    );
  });

  it('are read from the rollup only for ends on half hours', () => {
    fc.assert(
      fc.property(hhmm, hhmm, (from, to) => {
        const onHalves = minutesOfDay(from) % 30 === 0 && minutesOfDay(to) % 30 === 0;
        expect(windowOnRollupHours({ from, to }, true)).toBe(onHalves);
        if (!onHalves) expect(() => windowTerms({ from, to })).toThrow(/not on half hours/);
      }),
      fuzzOptions(200),
    );
  });
});

describe('timeline bins for app states', () => {
  it('equal the sessions of the chosen states, counted and summed', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        filter.map((f) => ({ ...f, minSeconds: undefined })),
        // Repeats too: a state chosen twice still counts its sessions once.
        fc.array(fc.constantFrom('foreground', 'background', 'unknown'), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.constantFrom(1, 7, 28),
        fc.integer({ min: -2, max: 3 }),
        fc.integer({ min: 0, max: 20 }),
        (seed, base, states, level, lo, width) => {
          reset();
          fillFindingsCase(t.session.db, seed);
          const f: Filter = { ...base, states };
          const first = Math.floor(19844 / level) + lo;
          const last = first + Math.floor(width / level);
          const lane = { sql: [], params: [] };
          expect(order(stateBinRows(t.session.db, f, level, first, last, lane))).toEqual(
            order(scanRows(f, level, first, last)),
          );
        },
      ),
      fuzzOptions(80),
    );
  });
});

const BIN_MS = [60_000, 900_000, 3_600_000, 21_600_000, 86_400_000, 604_800_000];

describe('exact timeline bins read packed', () => {
  it('equal the bins SQLite groups, in the same order', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.record(
          {
            devices: fc.uniqueArray(fc.integer({ min: 1, max: 4 }), { maxLength: 2 }),
            apps: fc.uniqueArray(fc.constantFrom('com.a.one', 'shared', 'com.c.three'), {
              maxLength: 2,
            }),
            categories: fc.uniqueArray(fc.constantFrom('photos', 'camera', 'other'), {
              maxLength: 2,
            }),
            minSeconds: fc.constantFrom(1, 45),
            hours: fc.constant({ from: '22:30', to: '06:00' }),
            states: fc.constant(['background' as const]),
          },
          { requiredKeys: [] },
        ) as fc.Arbitrary<Filter>,
        fc.constantFrom(...BIN_MS),
        // The view's range: from some hours before the case's start, for up to 20 days.
        fc.integer({ min: -3 * 86_400_000, max: 14 * 86_400_000 }),
        fc.integer({ min: 1, max: 20 * 86_400_000 }),
        fc.constantFrom(undefined, 1e12, 1e7, 10),
        fc.constantFrom(undefined, 0),
        // Durations below zero; a session whose device is not its app's; a category, an app or
        // a device the packing does not know.
        fc.constantFrom(
          'none',
          'negative',
          'foreign-device',
          'new-category',
          'new-app',
          'new-device',
        ),
        (seed, f, binMs, from, width, packLimit, denseKeys, twist) => {
          reset();
          fillFindingsCase(t.session.db, seed);
          const db = t.session.db;
          const shape = caseShape(db);
          if (twist === 'negative')
            db.exec('UPDATE access_sessions SET duration_ms = -duration_ms WHERE id % 3 = 0');
          else if (twist === 'foreign-device')
            db.exec(
              "UPDATE access_sessions SET device_id = (SELECT MAX(id) FROM devices), interval_key = 'moved' || id WHERE id % 4 = 0",
            );
          else if (twist === 'new-category')
            db.exec("UPDATE access_sessions SET category = 'zzz' WHERE id % 5 = 0");
          else if (twist === 'new-app') {
            db.exec(
              "INSERT INTO apps (device_id, identifier) VALUES ((SELECT MIN(id) FROM devices), 'com.later')",
            );
            db.exec(
              "UPDATE access_sessions SET app_id = (SELECT MAX(id) FROM apps), device_id = (SELECT MIN(id) FROM devices), interval_key = 'later' || id WHERE id % 2 = 0",
            );
          } else if (twist === 'new-device') {
            db.exec("INSERT INTO devices (label, platform, created_at) VALUES ('Later', 'ios', 0)");
            db.exec(
              "UPDATE access_sessions SET device_id = (SELECT MAX(id) FROM devices), interval_key = 'moved' || id WHERE id % 4 = 0",
            );
          }
          const maxDur = Number(
            db.prepare('SELECT COALESCE(MAX(duration_ms), 0) FROM access_sessions').pluck().get(),
          );
          const range = {
            fromMs: FINDINGS_CASE_START + from,
            toMs: FINDINGS_CASE_START + from + width,
          };
          const w = sessionWhere(f, maxDur);
          const where = whereSql(w, [
            's.anchor_ms < ?',
            's.anchor_ms > ?',
            `(${SESSION_END_SQL} > ? OR s.anchor_ms >= ?)`,
          ]);
          const params = [
            ...w.params,
            range.toMs,
            range.fromMs - maxDur - 1,
            range.fromMs,
            range.fromMs,
          ];
          const sessions = { where, params };
          const grouped = exactBinRowsGrouped(db, sessions, binMs);
          expect(
            exactBinRows(
              db,
              sessions,
              binMs,
              { above: range.fromMs - maxDur - 1, below: range.toMs },
              shape,
              { packLimit, denseKeys },
            ),
          ).toEqual(grouped);
          // A filter of devices, read through the index by device and instant.
          if (f.devices && f.devices.length > 0)
            expect(
              exactBinRows(
                db,
                byDeviceSessions(sessions, f.devices),
                binMs,
                { above: range.fromMs - maxDur - 1, below: range.toMs },
                shape,
                { packLimit, denseKeys },
              ),
            ).toEqual(grouped);
        },
      ),
      fuzzOptions(100),
    );
  });
});
