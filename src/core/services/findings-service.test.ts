import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { daily, writeSessions } from '../findings/test-sessions';
import { refreshFindings, runFindings } from '../findings';
import { LIST_EXPRESSION } from '../findings/stored';
import { AppError } from '../model/errors';
import { tempCase, type TempCase } from '../testing/temp-case';
import {
  findingEvidencePage,
  findingListItem,
  queryFindingsList,
  queryKeyFindings,
} from './findings-service';

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

  it('lists the stored findings without caveats and details, which an opened finding gives', () => {
    writeSessions(t.session.db, t.deviceId, daily('com.example.cam', 'camera', 20, 30, 600), 30);
    refreshFindings(t.session.db);
    const full = runFindings(t.session.db, {}, undefined, undefined, { evidenceLimit: 0 });
    expect(full.length).toBeGreaterThan(1);
    const list = queryFindingsList(t.session.db, {}, {}, undefined, {
      evidenceLimit: 0,
      list: true,
    });
    expect(list).toEqual(full.map(findingListItem));
    expect(list.every((f) => f.caveat === '' && Object.keys(f.details).length === 0)).toBe(true);
    // What the list leaves out comes with the opened finding's first page.
    for (const f of full) {
      const page = findingEvidencePage(t.session.db, { filter: {}, findingId: f.id, limit: 1 });
      expect(page.finding).toEqual(f);
      expect(page.finding.caveat).not.toBe('');
    }
    // Without `list`, the findings as they always were.
    expect(queryFindingsList(t.session.db, {}, {}, undefined, { evidenceLimit: 0 })).toEqual(full);
  });

  it('lists findings the stored ones do not answer (a period) as computed, without caveats', () => {
    const filter = { from: '2024-05-01', to: '2024-05-10' };
    const full = runFindings(t.session.db, filter, undefined, undefined, { evidenceLimit: 0 });
    expect(full.length).toBeGreaterThan(0);
    expect(
      queryFindingsList(t.session.db, filter, {}, undefined, { evidenceLimit: 0, list: true }),
    ).toEqual(full.map(findingListItem));
  });

  it('reads the list from the index alone, whose expression the read repeats word for word', () => {
    const plan = t.session.db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT id, rule, seq, evidence_total, ${LIST_EXPRESSION}
         FROM stored_findings INDEXED BY stored_findings_list WHERE device_id = 1 AND rule = ?`,
      )
      .all('night-access') as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toContain('COVERING INDEX stored_findings_list');
  });

  it('lists a damaged stored finding as the full read does: computed again, not as an empty item', () => {
    refreshFindings(t.session.db);
    const read = (list: boolean) =>
      queryFindingsList(t.session.db, {}, {}, undefined, { evidenceLimit: 0, list });
    const before = [read(false), read(true)];
    expect(before[1]!.length).toBeGreaterThan(0);
    for (const list of [false, true]) {
      t.session.db.exec("UPDATE stored_findings SET finding = '{not json'");
      expect(read(list)).toEqual(before[Number(list)]);
    }
  });

  it('gives the key findings of the devices named', () => {
    expect(queryKeyFindings(t.session.db, [t.deviceId])[0]!.key[0]!.app).toBe('com.tencent.xin');
  });
});
