import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillFindingsCase } from '../testing/findings-case';
import { fuzzOptions } from '../testing/fuzz';
import { tempCase, type TempCase } from '../testing/temp-case';
import {
  describeEvidence,
  describeEvidenceMany,
  evidenceLocator,
  evidencePlacesMany,
  evidenceSourceLookup,
  sessionIdColon,
} from './evidence-sources';
import { parseSessionId } from '../services/session-ids';
import { KEEP_TEXT } from './redaction';

let t: TempCase;
beforeAll(() => {
  t = tempCase();
  t.session.db.exec('DELETE FROM apps; DELETE FROM devices');
  fillFindingsCase(t.session.db, 7);
  // Sources in two files, and one with no hash: a session's edges may lie in different files.
  t.session.db.exec("UPDATE sources SET file_name = 'week-' || (id % 2) || '.ndjson'");
  t.session.db.exec("UPDATE sources SET sha256 = '' WHERE id = 2");
});

/** Evidence ids: the case's sessions and records, and ids it cannot place. */
function evidenceIds(): fc.Arbitrary<string> {
  const sessions = (
    t.session.db.prepare('SELECT device_id, interval_key FROM access_sessions').raw().all() as [
      number,
      string,
    ][]
  ).map(([d, k]) => `s:${d}:${k}`);
  const records = ['e', 'n', 'p', 'r'].flatMap((p) => [1, 2, 3, 99_999].map((n) => `${p}:${n}`));
  return fc.oneof(
    fc.constantFrom(...sessions, ...records),
    fc.constantFrom(
      's:1:nope',
      's:x',
      'u:1',
      'm:2',
      'q:1',
      'e:1e3',
      '',
      's:99999999999999999999:a',
      's:1:',
      's::a',
      's:1:a\nb',
      's:01:a',
    ),
  );
}
afterAll(() => t.cleanup());

describe('evidence places read many at a time', () => {
  it('are those read one id at a time', () => {
    const db = t.session.db;
    const sessions = (
      db.prepare('SELECT device_id, interval_key FROM access_sessions').raw().all() as [
        number,
        string,
      ][]
    ).map(([d, k]) => `s:${d}:${k}`);
    const records = ['e', 'n', 'p', 'r'].flatMap((p) => [1, 2, 3, 99_999].map((n) => `${p}:${n}`));
    const id = fc.oneof(
      fc.constantFrom(...sessions, ...records),
      fc.constantFrom('s:1:nope', 's:x', 'u:1', 'm:2', 'q:1', 'e:1e3', ''),
    );
    const rewrite = (s: string): string => s.replace(/line/g, 'LINE');
    const one = describeEvidence(evidenceLocator(db), rewrite);
    const many = describeEvidenceMany(db, rewrite);
    fc.assert(
      fc.property(fc.array(id, { maxLength: 30 }), (ids) => {
        expect(many(ids)).toEqual(ids.map(one));
      }),
      fuzzOptions(200),
    );
  });

  it('with their provenance in one pass, are those read one id at a time', () => {
    const db = t.session.db;
    for (const rewrite of [
      // None: the places are then written from their line numbers.
      KEEP_TEXT,
      (s: string): string => s.replace(/line/g, 'LINE'),
      // A redaction that makes the two files one name.
      (s: string): string => s.replace(/week-\d/g, 'week'),
    ]) {
      const one = describeEvidence(evidenceLocator(db), rewrite);
      const lookup = evidenceSourceLookup(db, rewrite);
      for (const limit of [50, 3]) {
        const places = evidencePlacesMany(db, rewrite, limit);
        fc.assert(
          fc.property(fc.array(evidenceIds(), { maxLength: 30 }), (ids) => {
            const got = places(ids);
            expect(got.where).toEqual(ids.map(one));
            expect(got.sources).toEqual(lookup(ids, limit));
          }),
          fuzzOptions(100),
        );
      }
    }
  });
});

describe('session ids told apart without a match object', () => {
  it('are the ids parseSessionId reads, split where it splits them', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc
        .tuple(
          fc.constantFrom('s:', 'S:', 's;', ''),
          fc.oneof(fc.stringMatching(/^[0-9]{0,4}$/), fc.constantFrom('١', '0x1', '+1', '1e3')),
          fc.constantFrom(':', '', '::'),
          fc.oneof(
            fc.string({ maxLength: 6 }),
            fc.constantFrom('\n', 'a\r', '\u2028x', 'a\u2029', '😀', 'k:1', ' '),
          ),
        )
        .map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(text, (id) => {
        let expected: { deviceId: number; intervalKey: string } | null;
        try {
          expected = parseSessionId(id);
        } catch {
          expected = null;
        }
        const colon = sessionIdColon(id);
        const got =
          colon < 0
            ? null
            : { deviceId: Number(id.slice(2, colon)), intervalKey: id.slice(colon + 1) };
        expect(got).toEqual(expected);
      }),
      fuzzOptions(500),
    );
  });
});
