import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findingsWithEvidence, refreshFindings, storedFindingParams } from '../findings';
import { fillFindingsCase } from '../testing/findings-case';
import { fuzzing, fuzzOptions } from '../testing/fuzz';
import { tempCase } from '../testing/temp-case';
import { evidencePlacesMany, placeWords } from './evidence-sources';

describe('the places of evidence kept with the stored findings', () => {
  it(
    'are worded as a search of the sessions words them, for every finding of any case',
    () => {
      let withEdges = 0;
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.boolean(), (seed, gone) => {
          const t = tempCase();
          try {
            const db = t.session.db;
            db.exec('DELETE FROM apps; DELETE FROM devices');
            fillFindingsCase(db, seed);
            // Sources in two files, one without a hash: edges may lie in different files.
            db.exec("UPDATE sources SET file_name = 'week-' || (id % 2) || '.ndjson'");
            db.exec("UPDATE sources SET sha256 = '' WHERE id = 2");
            refreshFindings(db);
            // A source dropped after the findings were stored: its edges name a source the case
            // no longer lists (as a removal does until the findings are computed again).
            if (gone) db.exec('PRAGMA foreign_keys = OFF; DELETE FROM sources WHERE id = 1');
            const rewrite = (s: string): string => s.replace(/week-\d/g, 'week');
            const { findings, evidenceOf, evidenceWithEdges } = findingsWithEvidence(
              db,
              {},
              storedFindingParams(db),
              5,
            );
            const words = placeWords(db, rewrite);
            const search = evidencePlacesMany(db, rewrite);
            for (const f of findings) {
              const { ids, edges } = evidenceWithEdges(f);
              expect(ids).toEqual(evidenceOf(f));
              if (edges === null) continue;
              withEdges += 1;
              expect(words(ids, edges)).toEqual(search(ids));
            }
          } finally {
            t.cleanup();
          }
        }),
        fuzzOptions(12),
      );
      expect(withEdges).toBeGreaterThan(0);
      // Each case is built and its findings computed: no time limit while `npm run fuzz` runs many.
    },
    fuzzing() ? 0 : 60_000,
  );
});
