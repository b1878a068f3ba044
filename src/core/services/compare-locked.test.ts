import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addCoverage, addState, addStateSource } from '../db/queries/device-state-testing';
import { accessPair } from '../testing/apr-fixture';
import { tempCase, type TempCase } from '../testing/temp-case';
import { compareWith, dayOf } from './compare';
import { importFile } from './import-run';

const at = (d: number, h: number): number => Date.UTC(2024, 4, d, h);
const LOCK = 'PLSpringBoardAgent_EventForward_SBLock';

let t: TempCase;
beforeEach(() => {
  t = tempCase();
});
afterEach(() => t.cleanup());

describe('compare: share of accesses while locked', () => {
  it('takes each column’s locked sessions over those whose lock state is known', async () => {
    const starts = [at(1, 1), at(1, 3), at(1, 5), at(1, 9), at(2, 1), at(2, 2)];
    const lines = starts.flatMap((ms, i) =>
      accessPair({
        app: 'com.example.shop',
        category: 'photos',
        id: `I${i}`,
        ms,
        durationMs: 5_000,
        offsetMin: 0,
      }),
    );
    expect(
      (
        await importFile({
          db: t.session.db,
          path: t.write('a.ndjson', lines),
          deviceId: t.deviceId,
        })
      ).status,
    ).toBe('imported');
    // May 1: locked 00:00-04:00, unlocked 04:00-08:00; 09:00 lies outside the coverage (unknown).
    // May 2: locked all night.
    const db = t.session.db;
    const src = addStateSource(db, t.deviceId);
    addCoverage(db, t.deviceId, src, 'lock', at(1, 0), at(1, 8));
    addCoverage(db, t.deviceId, src, 'lock', at(2, 0), at(2, 6));
    addState(db, t.deviceId, src, 'lock', 'locked', at(1, 0), at(1, 4), `${LOCK} rowid 1`);
    addState(db, t.deviceId, src, 'lock', 'unlocked', at(1, 4), at(2, 0), `${LOCK} rowid 2`);
    addState(db, t.deviceId, src, 'lock', 'locked', at(2, 0), null, `${LOCK} rowid 3`);
    const specs = [
      {
        label: 'May 1',
        deviceId: t.deviceId,
        fromDay: dayOf('2024-05-01'),
        toDay: dayOf('2024-05-02'),
      },
      {
        label: 'May 2',
        deviceId: t.deviceId,
        fromDay: dayOf('2024-05-02'),
        toDay: dayOf('2024-05-03'),
      },
    ];
    for (const path of ['auto', 'scan'] as const) {
      const [row] = compareWith(db, specs, { from: '00:00', to: '06:00' }, path);
      expect(row!.columns.map((c) => [c.sessions, c.lockedShare, c.knownLockSessions])).toEqual([
        [4, 0.667, 3],
        [2, 1, 2],
      ]);
    }
  });

  it('gives no share for a device without state records', async () => {
    const lines = accessPair({
      app: 'com.example.shop',
      category: 'photos',
      id: 'I1',
      ms: at(1, 1),
      durationMs: 5_000,
      offsetMin: 0,
    });
    await importFile({ db: t.session.db, path: t.write('a.ndjson', lines), deviceId: t.deviceId });
    const spec = { deviceId: t.deviceId, fromDay: null, toDay: null };
    const [row] = compareWith(
      t.session.db,
      [
        { label: 'a', ...spec },
        { label: 'b', ...spec },
      ],
      { from: '00:00', to: '06:00' },
      'auto',
    );
    expect(row!.columns[0]).toMatchObject({ lockedShare: null, knownLockSessions: 0 });
  });
});
