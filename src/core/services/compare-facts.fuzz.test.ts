import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyFindingsCase, fillFindingsCase } from '../testing/findings-case';
import { fuzzOptions } from '../testing/fuzz';
import { tempCase, type TempCase } from '../testing/temp-case';
import { columnFacts, type CompareSpec } from './compare';

let t: TempCase;
beforeAll(() => {
  t = tempCase();
});
afterAll(() => t.cleanup());

function reset(): void {
  emptyFindingsCase(t.session.db);
}

// Days around the generated fortnight (local day 19844 is 2024-05-01), some outside it.
const day = fc.option(fc.integer({ min: 19835, max: 19865 }), { nil: null });

describe('compare column facts', () => {
  it('count the sessions of each column as the sessions themselves do', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.array(
          fc.record({ deviceId: fc.integer({ min: 1, max: 4 }), fromDay: day, toDay: day }),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        (seed, columns) => {
          reset();
          fillFindingsCase(t.session.db, seed);
          const specs: CompareSpec[] = columns.map((c, i) => ({ label: `c${i}`, ...c }));
          const count = t.session.db.prepare(
            `SELECT COUNT(*) FROM access_sessions WHERE device_id = ?
               AND (? IS NULL OR local_day >= ?) AND (? IS NULL OR local_day < ?)`,
          );
          expect(columnFacts(t.session.db, specs).map((f) => f.sessions)).toEqual(
            specs.map((s) => count.pluck().get(s.deviceId, s.fromDay, s.fromDay, s.toDay, s.toDay)),
          );
        },
      ),
      fuzzOptions(80),
    );
  });
});
