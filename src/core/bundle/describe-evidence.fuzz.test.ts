import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillFindingsCase } from '../testing/findings-case';
import { fuzzOptions } from '../testing/fuzz';
import { tempCase, type TempCase } from '../testing/temp-case';
import { describeEvidence, describeEvidenceMany, evidenceLocator } from './evidence-sources';

let t: TempCase;
beforeAll(() => {
  t = tempCase();
  t.session.db.exec('DELETE FROM apps; DELETE FROM devices');
  fillFindingsCase(t.session.db, 7);
});
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
});
