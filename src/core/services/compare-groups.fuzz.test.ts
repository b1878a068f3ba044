import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DayWindow } from '../../contract/filter';
import { refreshSummaryGroups } from '../db/queries/summary';
import { emptyFindingsCase, fillFindingsCase } from '../testing/findings-case';
import { fuzzOptions } from '../testing/fuzz';
import { tempCase, type TempCase } from '../testing/temp-case';
import { compareWith, type CompareSpec } from './compare';

let t: TempCase;
beforeAll(() => {
  t = tempCase();
});
afterAll(() => t.cleanup());

function reset(): void {
  emptyFindingsCase(t.session.db);
  t.session.db.exec(
    'DELETE FROM summary_groups; DELETE FROM summary_groups_state; DELETE FROM app_pairings',
  );
}

// Days around the generated fortnight (local day 19844 is 2024-05-01), some outside it; whole
// devices (no days) most often, which the kept summary groups answer.
const day = fc.option(fc.integer({ min: 19835, max: 19865 }), { nil: null, freq: 1 });
const night = fc.constantFrom<DayWindow>(
  { from: '00:00', to: '06:00' },
  { from: '22:00', to: '02:00' },
  { from: '05:00', to: '05:00' },
);

describe('compare from the kept summary groups', () => {
  it('equals the comparison over every session, with apps paired or not', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.array(
          fc.record({
            deviceId: fc.integer({ min: 1, max: 3 }),
            fromDay: fc.oneof(fc.constant(null), day),
            toDay: fc.oneof(fc.constant(null), day),
          }),
          { minLength: 2, maxLength: 4 },
        ),
        night,
        fc.boolean(),
        (seed, columns, n, paired) => {
          reset();
          fillFindingsCase(t.session.db, seed);
          // Paired apps share a row: one device holding both reads their durations together.
          if (paired)
            t.session.db.exec(
              "INSERT INTO app_pairings (a, b, created_at) VALUES ('com.a.one', 'com.b.two', 0)",
            );
          refreshSummaryGroups(t.session.db);
          const specs: CompareSpec[] = columns.map((c, i) => ({ label: `c${i}`, ...c }));
          expect(compareWith(t.session.db, specs, n, 'auto')).toEqual(
            compareWith(t.session.db, specs, n, 'scan'),
          );
        },
      ),
      fuzzOptions(60),
    );
  });
});
