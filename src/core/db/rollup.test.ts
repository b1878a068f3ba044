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

describe('the rollup cells of an import', () => {
  it('are written as a rebuild gives them when they need more column sets than statements are kept', async () => {
    const t = tempCase();
    try {
      const db = t.session.db;
      // One session a cell, each at its own hour and length class: 24 x 11 column sets, more
      // than the 256 sparse statements kept, so the last cells go through the full statement.
      const lengths = [
        500, 1000, 5000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000,
      ];
      const lines = lengths.flatMap((durationMs, k) =>
        Array.from({ length: 24 }, (_, h) =>
          accessPair({
            app: `com.example.app${k}.h${h}`,
            category: 'photos',
            id: `I${k}-${h}`,
            ms: Date.UTC(2024, 4, 1 + k, h, 10),
            durationMs,
            offsetMin: 0,
          }),
        ).flat(),
      );
      const o = await importFile({ db, path: t.write('a.ndjson', lines), deviceId: t.deviceId });
      expect(o.status).toBe('imported');
      const read = (): unknown[] =>
        db
          .prepare(
            'SELECT * FROM session_rollup ORDER BY level, bucket, device_id, app_id, category',
          )
          .all();
      const kept = read();
      db.exec('SAVEPOINT rebuild');
      rebuildRollup(db);
      const rebuilt = read();
      db.exec('ROLLBACK TO rebuild; RELEASE rebuild');
      expect(kept).toHaveLength(3 * 24 * 11);
      expect(kept).toEqual(rebuilt);
    } finally {
      t.cleanup();
    }
  });
});
