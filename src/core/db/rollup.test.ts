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

  it('sums the days of a week into its cell and leaves each day cell as it was counted', () => {
    const deltas = new RollupDeltas();
    // Days 7 and 8 share week 1 and four-week span 0; day 30 has week 4 to itself.
    deltas.add(1, 1, 'photos', 7, 60, 2000, 1);
    deltas.add(1, 1, 'photos', 8, 60, 5000, 1);
    deltas.add(1, 1, 'photos', 8, 120, 500, 1);
    deltas.add(1, 1, 'photos', 30, 60, 1000, 1);
    type Cell = { level: number; bucket: number; counts: number[]; busy: number[]; long: number[] };
    const levels = (deltas as unknown as { allLevels(): Cell[] }).allLevels();
    const cell = (level: number, bucket: number) =>
      levels.find((d) => d.level === level && d.bucket === bucket)!;
    expect(cell(1, 7).counts[1]).toBe(1);
    expect(cell(1, 7).busy[1]).toBe(2000);
    expect(cell(1, 8).counts.slice(0, 3)).toEqual([0, 1, 1]);
    expect(cell(1, 8).long[0]).toBe(1);
    expect(cell(7, 1).counts.slice(0, 3)).toEqual([0, 2, 1]);
    expect(cell(7, 1).busy.slice(0, 3)).toEqual([0, 7000, 500]);
    expect(cell(7, 1).long.slice(0, 2)).toEqual([2, 1]);
    expect(cell(28, 0).counts.slice(0, 3)).toEqual([0, 2, 1]);
    expect(cell(28, 1).counts.slice(0, 3)).toEqual([0, 1, 0]);
    expect(cell(7, 4).busy[1]).toBe(1000);
    // Summing the week did not change the days it was summed from.
    expect(cell(1, 7).counts.slice(0, 3)).toEqual([0, 1, 0]);
    expect(cell(1, 7).busy.slice(0, 3)).toEqual([0, 2000, 0]);
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
