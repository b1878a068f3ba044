import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DayWindow, Filter } from '../../../contract/filter';
import { emptyFindingsCase, fillFindingsCase } from '../../testing/findings-case';
import { fuzzOptions } from '../../testing/fuzz';
import { tempCase, type TempCase } from '../../testing/temp-case';
import { nightParts } from './summary';

const hhmm = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 0, 15, 30))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);

const filter: fc.Arbitrary<Filter> = fc.record(
  {
    devices: fc.uniqueArray(fc.integer({ min: 1, max: 4 }), { maxLength: 2 }),
    apps: fc.uniqueArray(fc.constantFrom('com.a.one', 'shared', 'com.c.three', 'one'), {
      maxLength: 2,
    }),
    categories: fc.uniqueArray(fc.constantFrom('photos', 'camera', 'location', 'other'), {
      maxLength: 2,
    }),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<Filter>;

let t: TempCase;
beforeAll(() => {
  t = tempCase();
});
afterAll(() => t.cleanup());

function reset(): void {
  emptyFindingsCase(t.session.db);
}

describe('summary and heatmap', () => {
  it('from the session stats equals the summary over every session', () => {
    fc.assert(
      fc.property(fc.integer(), filter, hhmm, hhmm, (seed, f, from, to) => {
        reset();
        fillFindingsCase(t.session.db, seed);
        const night: DayWindow = { from, to };
        const q = t.session.queries;
        expect(q.summary(f, night)).toEqual(q.summary(f, night, 'scan'));
      }),
      fuzzOptions(80),
    );
  });

  it('heatmap from the rollup equals the heatmap over every session', () => {
    fc.assert(
      fc.property(fc.integer(), filter, (seed, f) => {
        reset();
        fillFindingsCase(t.session.db, seed);
        const q = t.session.queries;
        expect(q.heatmap(f)).toEqual(q.heatmap(f, 'scan'));
      }),
      fuzzOptions(80),
    );
  });

  it('splits a night window into whole hours and the minutes left over', () => {
    expect(nightParts({ from: '00:00', to: '06:00' })).toEqual({
      hours: [0, 1, 2, 3, 4, 5],
      minutes: [],
    });
    expect(nightParts({ from: '22:30', to: '01:15' })).toEqual({
      hours: [0, 23],
      minutes: [
        [60, 75],
        [1350, 1380],
      ],
    });
    expect(nightParts({ from: '05:00', to: '05:00' }).hours).toHaveLength(24);
  });
});
