import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DeviceStateRecord } from '../../model/import-records';
import { fuzzing, fuzzOptions } from '../../testing/fuzz';
import { MAX_STEP_WARNINGS } from './open-states';
import { UsageStateTracker } from './usagestats-states';

const T = Date.UTC(2022, 0, 4);

const event = fc.record({
  user: fc.constantFrom(0, 10, null),
  type: fc.constantFrom(
    'SCREEN_INTERACTIVE',
    'SCREEN_NON_INTERACTIVE',
    'KEYGUARD_SHOWN',
    'KEYGUARD_HIDDEN',
    'ACTIVITY_RESUMED',
    'ACTIVITY_PAUSED',
    'ACTIVITY_STOPPED',
    'DEVICE_SHUTDOWN',
    'DEVICE_STARTUP',
    'FOREGROUND_SERVICE_START',
  ),
  packageName: fc.constantFrom('com.a', 'com.b', null),
  // Times forward, equal, back, and at the extremes of what an instant may hold.
  ms: fc.oneof(
    fc.integer({ min: T, max: T + 3_600_000 }),
    fc.constantFrom(T, T + 1, 0, -1, 8.64e15, -8.64e15, NaN, Infinity),
  ),
});

const overlaps = (a: DeviceStateRecord, b: DeviceStateRecord): boolean =>
  a.from.ms < b.to!.ms && b.from.ms < a.to!.ms;

describe('usagestats events in any order', () => {
  it(
    'never give overlapping or reversed intervals of one kind for one user, and warn of every step back',
    () => {
      fc.assert(
        fc.property(fc.array(event, { maxLength: 40 }), (events) => {
          const t = new UsageStateTracker('usagestats.txt');
          const byUser = new Map<string, DeviceStateRecord[]>();
          const coverage: { fromMs: number; toMs: number }[] = [];
          const warnings: string[] = [];
          const take = (rs: ReturnType<UsageStateTracker['end']>, user: string | null) => {
            for (const r of rs) {
              if (r.type === 'warning') warnings.push(r.warning.locator);
              if (r.type === 'device-state-coverage' && r.kind === 'screen') coverage.push(r);
              if (r.type !== 'device-state') continue;
              // `end` gives every user's records; the locator's line names the user's event.
              const key =
                user ?? String(events[Number(/line (\d+)$/.exec(r.locator)![1]) - 1]!.user);
              byUser.set(key, [...(byUser.get(key) ?? []), r]);
            }
          };
          events.forEach((e, k) =>
            take(t.event({ ...e, line: k + 1 }, { ms: e.ms, offsetMin: 0 }), String(e.user)),
          );
          take(t.end(), null);
          for (const rs of byUser.values()) {
            for (const r of rs) {
              expect(r.to).not.toBeNull();
              expect(r.to!.ms).toBeGreaterThanOrEqual(r.from.ms);
              // Every state lies inside a coverage window of the section (one per user).
              expect(
                coverage.some((c) => c.fromMs <= r.from.ms && r.to!.ms <= c.toMs),
                JSON.stringify([r, coverage]),
              ).toBe(true);
            }
            for (let a = 0; a < rs.length; a++)
              for (let b = a + 1; b < rs.length; b++)
                if (rs[a]!.kind === rs[b]!.kind)
                  expect(overlaps(rs[a]!, rs[b]!), JSON.stringify([rs[a], rs[b]])).toBe(false);
          }
          // A step back: a finite time earlier than the same user's finite time before it.
          const last = new Map<string, number>();
          let steps = 0;
          for (const e of events) {
            if (!Number.isFinite(e.ms)) continue;
            const prev = last.get(String(e.user));
            if (prev !== undefined && e.ms < prev) steps += 1;
            last.set(String(e.user), e.ms);
          }
          expect(warnings).toHaveLength(
            Math.min(steps, MAX_STEP_WARNINGS) + (steps > MAX_STEP_WARNINGS ? 1 : 0),
          );
        }),
        fuzzOptions(300),
      );
    },
    fuzzing() ? 0 : 20_000,
  );
});
