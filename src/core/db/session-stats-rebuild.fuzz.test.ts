import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyFindingsCase, fillFindingsCase } from '../testing/findings-case';
import { fuzzOptions } from '../testing/fuzz';
import { tempCase, type TempCase } from '../testing/temp-case';
import { rebuildSessionStats, rebuildSessionStatsInBatches } from './session-stats-rebuild';

let t: TempCase;
beforeAll(() => {
  t = tempCase();
});
afterAll(() => t.cleanup());

/** Every stored row of the session stats and of the sessions by app state, in key order. */
function statsRows(): unknown[] {
  const db = t.session.db;
  return [
    db
      .prepare('SELECT level, device_id, bucket, hex(cells) FROM session_stats ORDER BY 1, 2, 3')
      .raw()
      .all(),
    db.prepare('SELECT * FROM session_state_rollup ORDER BY 1, 2, 3, 4, 5').raw().all(),
  ];
}

describe('rebuildSessionStatsInBatches', () => {
  it('gives the rows of the rebuild that holds every session, whatever the batch size', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 400 }), (seed, batch) => {
        const db = t.session.db;
        emptyFindingsCase(db);
        fillFindingsCase(db, seed);
        // Gaps between ids, as removals leave them, and ids that do not follow time.
        db.exec('DELETE FROM access_sessions WHERE id % 5 = 2');
        db.exec('UPDATE access_sessions SET id = -id WHERE id % 7 = 3');
        rebuildSessionStats(db);
        const whole = statsRows();
        rebuildSessionStatsInBatches(db, batch);
        expect(statsRows()).toEqual(whole);
      }),
      fuzzOptions(40),
    );
  });

  it('reads a case whose ids lie past 2^53 in one pass, counting each session once', () => {
    const db = t.session.db;
    emptyFindingsCase(db);
    fillFindingsCase(db, 11);
    db.exec('UPDATE access_sessions SET id = id + 9007199254741001 WHERE id % 2 = 0');
    rebuildSessionStats(db);
    const whole = statsRows();
    rebuildSessionStatsInBatches(db, 3);
    expect(statsRows()).toEqual(whole);
  });

  it('empties the stats of a case without sessions', () => {
    const db = t.session.db;
    emptyFindingsCase(db);
    fillFindingsCase(db, 5);
    rebuildSessionStats(db);
    db.exec('DELETE FROM access_sessions');
    rebuildSessionStatsInBatches(db, 10);
    expect(statsRows()).toEqual([[], []]);
  });
});
