import { describe, expect, it } from 'vitest';
import { importFile } from '../services/import-run';
import { accessPair } from '../testing/apr-fixture';
import { tempCase } from '../testing/temp-case';
import { rebuildRollup, RollupDeltas } from './rollup';

describe('RollupDeltas', () => {
  it('sums 200,000 day cells in distinct weeks into week and four-week cells', () => {
    const deltas = new RollupDeltas();
    // One day in each of 200,000 weeks: as many week cells, more than a call takes as arguments.
    for (let w = 0; w < 200_000; w += 1) deltas.add(1, 1, 'photos', w * 7, 600, 1000, 1);
    const levels = (deltas as unknown as { allLevels(): { level: number }[] }).allLevels();
    expect(levels.filter((d) => d.level === 1)).toHaveLength(200_000);
    expect(levels.filter((d) => d.level === 7)).toHaveLength(200_000);
    expect(levels.filter((d) => d.level === 28)).toHaveLength(50_000);
  });
});

describe('the day rows of the heatmap', () => {
  it('follow every import as a rebuild from the sessions would give them', async () => {
    const t = tempCase();
    try {
      const db = t.session.db;
      const day = (d: number, h: number): number => Date.UTC(2024, 4, d, h);
      const lines = (ids: number[]): string[] =>
        ids.flatMap((i) =>
          accessPair({
            app: `com.example.app${i % 3}`,
            category: i % 2 ? 'photos' : 'camera',
            id: `I${i}`,
            ms: day(1 + (i % 5), i % 24),
            durationMs: 1000 * i,
            offsetMin: 60,
          }),
        );
      for (const [name, ids] of [
        ['a.ndjson', [1, 2, 3, 4, 5, 6]],
        ['b.ndjson', [5, 6, 7, 8, 30, 31]],
      ] as const) {
        const o = await importFile({
          db,
          path: t.write(name, lines([...ids])),
          deviceId: t.deviceId,
        });
        expect(o.status).toBe('imported');
      }
      const kept = db.prepare('SELECT * FROM session_day_hours ORDER BY device_id, day').all();
      db.exec('SAVEPOINT rebuild');
      rebuildRollup(db);
      const rebuilt = db.prepare('SELECT * FROM session_day_hours ORDER BY device_id, day').all();
      db.exec('ROLLBACK TO rebuild; RELEASE rebuild');
      expect(kept.length).toBeGreaterThan(0);
      expect(kept).toEqual(rebuilt);
    } finally {
      t.cleanup();
    }
  });
});
