import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyFindingsCase, fillFindingsCase } from '../testing/findings-case';
import { fuzzOptions } from '../testing/fuzz';
import { tempCase, type TempCase } from '../testing/temp-case';
import { decodeStatsCells, durationCount } from './session-stats-cells';
import { rebuildSessionStats } from './session-stats-rebuild';

let t: TempCase;
beforeAll(() => {
  t = tempCase();
});
afterAll(() => t.cleanup());

/** Every session stats blob of the case, with the durations its cells hold. */
function blobsWithDurations(): { blob: Buffer; durations: number }[] {
  const blobs = t.session.db.prepare('SELECT cells FROM session_stats').pluck().all() as Buffer[];
  return blobs.map((blob) => {
    let durations = 0;
    decodeStatsCells(blob, (cell) => {
      durations += cell.durations.length;
    });
    return { blob, durations };
  });
}

describe('durationCount', () => {
  it('is the number of durations a blob holds, whatever categories it names', () => {
    const check = (seed: number): void => {
      emptyFindingsCase(t.session.db);
      fillFindingsCase(t.session.db, seed);
      rebuildSessionStats(t.session.db);
      const all = blobsWithDurations();
      for (const { blob, durations } of all) expect(durationCount(blob)).toBe(durations);
    };
    // A case whose blobs name six categories: the count was read from inside their names.
    check(2147483624);
    fc.assert(fc.property(fc.integer(), check), fuzzOptions(30));
  });
});
