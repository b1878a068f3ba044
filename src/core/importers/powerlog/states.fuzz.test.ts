import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildPowerLog } from '../../formats/powerlog/testing/synthetic';
import type { DeviceStateRecord } from '../../model/import-records';
import { fuzzing, fuzzOptions } from '../../testing/fuzz';
import type { ParseItem } from '../importer';
import { bytesSource, testContext } from '../testing/source-input';
import { powerLogImporter } from '.';

// 2021-12-16 10:00:00 UTC in PowerLog seconds.
const T = Date.UTC(2021, 11, 16, 10) / 1000;
const NAME = 'powerlog_2021-12-16_05-54_84E2141B.PLSQL';

// Stored timestamps around T, and the time-offset rows that correct them: offsets that jump
// forward and back (by seconds to days) between rows, so corrected times may run backwards.
const stamp = fc.oneof(fc.integer({ min: T - 7200, max: T + 7200 }), fc.constantFrom(T, T + 1));
const offsetRow = fc.record({
  timestamp: stamp,
  system: fc.oneof(fc.integer({ min: -3600, max: 3600 }), fc.constantFrom(0, -86_400, 86_400)),
});
const rows = fc.record({
  PLStorageOperator_EventForward_TimeOffset: fc.array(offsetRow, { maxLength: 5 }),
  PLSpringBoardAgent_EventForward_SBLock: fc.array(
    fc.record({ timestamp: stamp, Locked: fc.constantFrom(0, 1) }),
    { maxLength: 12 },
  ),
  PLSpringBoardAgent_EventForward_SBBlank: fc.array(
    fc.record({ timestamp: stamp, Blanked: fc.constantFrom(0, 1) }),
    { maxLength: 12 },
  ),
  PLScreenStateAgent_EventForward_ScreenState: fc.array(
    fc.record({ timestamp: stamp, Display: fc.constant(0), bundleID: fc.constantFrom('a', 'b') }),
    { maxLength: 12 },
  ),
});

const overlaps = (a: DeviceStateRecord, b: DeviceStateRecord): boolean =>
  a.from.ms < b.to!.ms && b.from.ms < a.to!.ms;

describe('PowerLog states with time offsets that go back', () => {
  it(
    'never give overlapping or reversed intervals of one kind (one display)',
    async () => {
      await fc.assert(
        fc.asyncProperty(rows, async (r) => {
          const items: ParseItem[] = [];
          for await (const batch of powerLogImporter.parse(
            bytesSource(buildPowerLog(r), NAME),
            testContext({ timeZone: 'UTC' }),
          ))
            items.push(...batch);
          const states = items.filter((i): i is DeviceStateRecord => i.type === 'device-state');
          for (const s of states) expect(s.to!.ms).toBeGreaterThanOrEqual(s.from.ms);
          for (let a = 0; a < states.length; a++)
            for (let b = a + 1; b < states.length; b++)
              if (states[a]!.kind === states[b]!.kind)
                expect(overlaps(states[a]!, states[b]!)).toBe(false);
        }),
        fuzzOptions(100),
      );
    },
    fuzzing() ? 0 : 20_000,
  );
});
