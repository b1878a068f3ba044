import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findingsWithEvidence, refreshFindings, storedFindingParams } from '../findings';
import { fillFindingsCase } from '../testing/findings-case';
import { fuzzing, fuzzOptions } from '../testing/fuzz';
import { tempCase } from '../testing/temp-case';
import {
  csvNeed,
  evidencePlacesMany,
  placeBytes,
  placeWords,
  type EvidencePlaceBytes,
} from './evidence-sources';
import { findingsCsvBytes, leanEvidenceOf } from './extras';
import { KEEP_TEXT, NO_REDACTION, type Redactor } from './redaction';

/** Each place as `write` puts it, with what it says a cell needs. */
function written(places: EvidencePlaceBytes, count: number): { text: string; need: number }[] {
  return Array.from({ length: count }, (_, i) => {
    const parts: Buffer[] = [];
    const need = places.write(
      {
        bytes: (b) => parts.push(Buffer.from(b)),
        text: (t) => parts.push(Buffer.from(t)),
        number: (n) => parts.push(Buffer.from(String(n))),
      },
      i,
    );
    return { text: Buffer.concat(parts).toString('utf8'), need };
  });
}

describe('the places of evidence kept with the stored findings', () => {
  it(
    'are worded as a search of the sessions words them, for every finding of any case',
    () => {
      let withEdges = 0;
      let leanRows = 0;
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 1_000_000 }),
          fc.boolean(),
          // File names as a redaction may leave them: with a comma, a quote, other characters.
          // Or none: the rewrite of a redactor without redaction (places written from numbers).
          fc.constantFrom('week', 'we,ek', 'we"ek', 'wéek', '=week', null),
          // Some interval keys holding what a CSV cell or a JSON string escapes, or not.
          fc.constantFrom('', ',', '"', 'é', '\\', '\t', '\n', '\u2028', ' ', "'", '\u007f'),
          // A redaction that rewrites some ids, or none.
          fc.boolean(),
          (seed, gone, renamed, odd, redacting) => {
            const t = tempCase();
            try {
              const db = t.session.db;
              db.exec('DELETE FROM apps; DELETE FROM devices');
              fillFindingsCase(db, seed);
              // Sources in two files, one without a hash: edges may lie in different files.
              db.exec("UPDATE sources SET file_name = 'week-' || (id % 2) || '.ndjson'");
              db.exec("UPDATE sources SET sha256 = '' WHERE id = 2");
              if (odd !== '')
                db.prepare(
                  'UPDATE access_sessions SET interval_key = interval_key || ? WHERE id % 5 = 0',
                ).run(odd);
              refreshFindings(db);
              // A source dropped after the findings were stored: its edges name a source the case
              // no longer lists (as a removal does until the findings are computed again).
              if (gone) db.exec('PRAGMA foreign_keys = OFF; DELETE FROM sources WHERE id = 1');
              const rewrite =
                renamed === null
                  ? KEEP_TEXT
                  : (s: string): string => s.replace(/week-\d/g, renamed);
              const { findings, evidenceOf, evidenceWithEdges } = findingsWithEvidence(
                db,
                {},
                storedFindingParams(db),
                5,
              );
              const words = placeWords(db, rewrite);
              const bytes = placeBytes(db, rewrite);
              const search = evidencePlacesMany(db, rewrite);
              for (const f of findings) {
                const { ids, edges } = evidenceWithEdges(f);
                expect(ids).toEqual(evidenceOf(f));
                if (edges === null) continue;
                withEdges += 1;
                const worded = words(ids, edges);
                expect(worded).toEqual(search(ids));
                // The bytes form: the same places, each written as its words, with its cell's need.
                const asBytes = bytes(ids, edges);
                expect(asBytes.sources).toEqual(worded.sources);
                expect(ids.map((_, i) => asBytes.whereAt(i))).toEqual(worded.where);
                expect(written(asBytes, ids.length)).toEqual(
                  worded.where.map((w) => ({ text: w, need: csvNeed(w) })),
                );
              }
              // findings.csv written from the places' bytes is the file written from their words.
              const rows = findings.map((f) => ({
                shown: f,
                evidence: () => evidenceWithEdges(f).ids,
              }));
              // Ids holding `kB` rewritten, as a redacted app's name would be.
              const redactor: Redactor = redacting
                ? {
                    ...NO_REDACTION,
                    text: (v) => v.replace(/kB/g, 'redacted-app-1'),
                    mentions: (v) => v.includes('kB'),
                  }
                : NO_REDACTION;
              const lean = leanEvidenceOf(db, bytes);
              const csv = (form: 'words' | 'bytes' | 'lean'): Buffer =>
                Buffer.concat([
                  ...findingsCsvBytes(
                    form === 'lean'
                      ? rows.map((r) => ({
                          ...r,
                          lean: () => {
                            const l = lean(r.shown);
                            if (l) leanRows += 1;
                            return l;
                          },
                        }))
                      : rows,
                    (i, ids) => {
                      const edges = evidenceWithEdges(findings[i]!).edges;
                      if (edges === null) return search(ids);
                      return form === 'words' ? words(ids, edges) : bytes(ids, edges);
                    },
                    redactor,
                    100,
                  ),
                ]);
              const reference = csv('words').toString('utf8');
              expect(csv('bytes').toString('utf8')).toBe(reference);
              // Written from the stored columns' bytes where they allow it: the same file.
              expect(csv('lean').toString('utf8')).toBe(reference);
            } finally {
              t.cleanup();
            }
          },
        ),
        fuzzOptions(12),
      );
      expect(withEdges).toBeGreaterThan(0);
      expect(leanRows).toBeGreaterThan(0);
      // Each case is built and its findings computed: no time limit while `npm run fuzz` runs many.
    },
    fuzzing() ? 0 : 60_000,
  );
});
