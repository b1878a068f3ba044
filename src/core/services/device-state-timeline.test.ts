import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { binList } from '../../contract/timeline-bins';
import type { Filter } from '../../contract/filter';
import { addCoverage, addState, addStateSource } from '../db/queries/device-state-testing';
import { accessPair } from '../testing/apr-fixture';
import { tempCase, type TempCase } from '../testing/temp-case';
import { sessionWhere, whereSql } from './filter-sql';
import { importFile } from './import-run';
import { TIMELINE_SESSION_LIMIT } from './timeline-exact';

const H = 3_600_000;
const START = Date.UTC(2024, 4, 1);

let t: TempCase;
beforeEach(() => {
  t = tempCase();
});
afterEach(() => t.cleanup());

describe('the timeline under the device-state filter', () => {
  it('counts only the chosen states in binned views too (the rollup cannot tell them)', async () => {
    // More sessions than the timeline lists one by one, one every 10 minutes for 40 days.
    const n = TIMELINE_SESSION_LIMIT + 800;
    const lines: string[] = [];
    for (let i = 0; i < n; i += 1)
      lines.push(
        ...accessPair({
          app: 'com.example.shop',
          category: 'photos',
          id: `S${i}`,
          ms: START + i * 10 * 60_000,
          durationMs: 1_000,
          offsetMin: 0,
        }),
      );
    const o = await importFile({
      db: t.session.db,
      path: t.write('a.ndjson', lines),
      deviceId: t.deviceId,
    });
    expect(o.status).toBe('imported');
    // Locked for the first two days only.
    const db = t.session.db;
    const src = addStateSource(db, t.deviceId);
    addCoverage(db, t.deviceId, src, 'lock', START, START + 48 * H);
    addState(db, t.deviceId, src, 'lock', 'locked', START, START + 48 * H, 'SBLock rowid 1');
    const filter: Filter = { deviceStates: ['locked'] };
    const w = sessionWhere(filter, 0);
    const want = db
      .prepare(`SELECT COUNT(*) FROM access_sessions s ${whereSql(w)}`)
      .pluck()
      .get(...w.params) as number;
    expect(want).toBe(288);
    const r = t.session.queries.timeline({ filter, width: 200 });
    const shown =
      r.mode === 'bins' ? binList(r.bins).reduce((sum, b) => sum + b.count, 0) : r.sessions.length;
    expect(shown).toBe(want);
    expect(r.total).toBe(want);
  });
});
