import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listAudit, verifyAudit } from '../db/audit';
import { tempCase, type TempCase } from '../testing/temp-case';
import { setStoredFindingParams, storedFindingParams } from './stored-params';

let t: TempCase;
beforeEach(() => {
  t = tempCase();
});
afterEach(() => t.cleanup());

describe('stored rule parameters', () => {
  it('keeps the examiner’s parameters in the case and audits each change', () => {
    expect(storedFindingParams(t.session.db)).toEqual({});
    setStoredFindingParams(t.session.db, {
      'long-access.seconds': 90,
      'night-access.from': '23:00',
    });
    expect(storedFindingParams(t.session.db)).toEqual({
      'long-access.seconds': 90,
      'night-access.from': '23:00',
    });
    // The same values again change nothing and write no entry.
    setStoredFindingParams(t.session.db, {
      'night-access.from': '23:00',
      'long-access.seconds': 90,
    });
    setStoredFindingParams(t.session.db, {});
    expect(storedFindingParams(t.session.db)).toEqual({});
    const entries = listAudit(t.session.db).filter((e) => e.action === 'finding-parameters');
    expect(entries.map((e) => e.details.after)).toEqual([
      {},
      { 'long-access.seconds': 90, 'night-access.from': '23:00' },
    ]);
    expect(verifyAudit(t.session.db).intact).toBe(true);
    expect(() => setStoredFindingParams(t.session.db, { 'long-access.seconds': -1 })).toThrow();
    expect(() => setStoredFindingParams(t.session.db, { 'no-such.rule': 1 })).toThrow();
  });
});
