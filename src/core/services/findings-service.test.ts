import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { daily, writeSessions } from '../findings/test-sessions';
import { runFindings } from '../findings';
import { AppError } from '../model/errors';
import { tempCase, type TempCase } from '../testing/temp-case';
import { findingEvidencePage, queryKeyFindings } from './findings-service';

let t: TempCase;
beforeEach(() => {
  t = tempCase();
  writeSessions(t.session.db, t.deviceId, daily('com.tencent.xin', 'photos', 12, 130, 45));
});
afterEach(() => t.cleanup());

describe('findings service', () => {
  it('reads a finding’s evidence a page at a time, as the list would give it', () => {
    const f = runFindings(t.session.db, {}).find((x) => x.rule === 'night-access')!;
    const whole = f.evidence;
    expect(whole.length).toBe(12);
    const first = findingEvidencePage(t.session.db, { filter: {}, findingId: f.id, limit: 5 });
    const second = findingEvidencePage(t.session.db, {
      filter: {},
      findingId: f.id,
      offset: 5,
      limit: 5,
    });
    const last = findingEvidencePage(t.session.db, {
      filter: {},
      findingId: f.id,
      offset: 10,
      limit: 5,
    });
    expect([...first.ids, ...second.ids, ...last.ids]).toEqual(whole);
    expect([first.total, last.offset, last.ids.length]).toEqual([12, 10, 2]);
    expect(
      findingEvidencePage(t.session.db, { filter: {}, findingId: f.id, offset: 5000 }).ids,
    ).toEqual([]);
  });

  it('refuses an unknown finding or something that is not a finding id, in words', () => {
    const call = (findingId: string): unknown =>
      findingEvidencePage(t.session.db, { filter: {}, findingId });
    expect(() => call('f:night-access:99:x:photos')).toThrowError(AppError);
    expect(() => call('f:night-access:99:x:photos')).toThrowError(/No finding .* for this filter/);
    expect(() => call('s:1:abc')).toThrowError(/is not a finding id/);
  });

  it('gives the key findings of the devices named', () => {
    expect(queryKeyFindings(t.session.db, [t.deviceId])[0]!.key[0]!.app).toBe('com.tencent.xin');
  });
});
