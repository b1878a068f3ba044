import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEVICE_STATE_CHOICES, deviceStateChoices } from '../../contract/filter';
import { deviceStateAt, DeviceStateSweep } from '../db/queries/device-state';
import { fillDeviceStates } from '../findings/test-device-states';
import { fillFindingsCase } from '../testing/findings-case';
import { fuzzOptions } from '../testing/fuzz';
import { tempCase, type TempCase } from '../testing/temp-case';
import { sessionWhere, whereSql } from './filter-sql';

// A fresh case per run: the generator writes devices by label.
function withCase<T>(run: (c: TempCase) => T): T {
  const c = tempCase();
  try {
    return run(c);
  } finally {
    c.cleanup();
  }
}

describe('device state filter', () => {
  it('keeps exactly the sessions whose state at their start, per deviceStateAt, is chosen', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.uniqueArray(fc.constantFrom(...DEVICE_STATE_CHOICES), { minLength: 1, maxLength: 4 }),
        (caseSeed, chosen) =>
          withCase((c) => {
            const db = c.session.db;
            const { devices } = fillFindingsCase(db, caseSeed);
            fillDeviceStates(db, devices, caseSeed);
            const w = sessionWhere({ deviceStates: chosen }, 0);
            const got = (
              db
                .prepare(`SELECT s.id FROM access_sessions s ${whereSql(w)} ORDER BY s.id`)
                .pluck()
                .all(...w.params) as number[]
            ).join(',');
            const all = db
              .prepare(
                'SELECT id, device_id AS deviceId, start_ms AS startMs FROM access_sessions ORDER BY id',
              )
              .all() as { id: number; deviceId: number; startMs: number | null }[];
            const want = all
              .filter((s) => {
                const state =
                  s.startMs === null
                    ? { screen: null, locked: null }
                    : deviceStateAt(db, s.deviceId, s.startMs);
                return deviceStateChoices(state).some((x) => chosen.includes(x));
              })
              .map((s) => s.id)
              .join(',');
            expect(got).toBe(want);
          }),
      ),
      fuzzOptions(40),
    );
  });

  it('the streaming sweep answers as deviceStateAt at every session start, in start order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (seed) =>
        withCase((c) => {
          const db = c.session.db;
          const { devices } = fillFindingsCase(db, seed);
          fillDeviceStates(db, devices, seed);
          for (const d of devices) {
            const starts = db
              .prepare(
                'SELECT start_ms FROM access_sessions WHERE device_id = ? AND start_ms IS NOT NULL ORDER BY start_ms',
              )
              .pluck()
              .all(d) as number[];
            const sweep = new DeviceStateSweep(db, d);
            try {
              for (const ms of starts) expect(sweep.at(ms)).toEqual(deviceStateAt(db, d, ms));
              // An instant out of order is still answered, and the sweep goes on from where it was.
              if (starts.length > 1) {
                expect(sweep.at(starts[0]!)).toEqual(deviceStateAt(db, d, starts[0]!));
                const last = starts.at(-1)!;
                expect(sweep.at(last + 1)).toEqual(deviceStateAt(db, d, last + 1));
              }
            } finally {
              sweep.close();
            }
          }
        }),
      ),
      fuzzOptions(30),
    );
  });

  it('counts an access no coverage window covers as unknown, never as in use', () =>
    withCase((c) => {
      const db = c.session.db;
      const { devices } = fillFindingsCase(db, 7);
      const count = (choice: (typeof DEVICE_STATE_CHOICES)[number]): number => {
        const w = sessionWhere({ deviceStates: [choice] }, 0);
        return db
          .prepare(`SELECT COUNT(*) FROM access_sessions s ${whereSql(w)}`)
          .pluck()
          .get(...w.params) as number;
      };
      const total = db.prepare('SELECT COUNT(*) FROM access_sessions').pluck().get() as number;
      expect(devices.length).toBeGreaterThan(0);
      expect(count('unknown')).toBe(total);
      expect(count('in-use')).toBe(0);
    }));
});
