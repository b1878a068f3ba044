import { describe, expect, it } from 'vitest';
import { importFile } from '../services/import-run';
import { accessPair } from '../testing/apr-fixture';
import { tempCase } from '../testing/temp-case';
import type { Db } from './open';
import { rebuildRollup, RollupDeltas } from './rollup';

describe('RollupDeltas', () => {
  /** The rollup cells a flush wrote, by level, bucket and app (hours 0-2 and the first thresholds). */
  function written(deltas: RollupDeltas, rollupOnly = false): Map<string, number[]> {
    const t = tempCase();
    try {
      const db = t.session.db;
      db.exec('BEGIN');
      if (rollupOnly) (deltas as unknown as { flushRollup(db: Db): void }).flushRollup(db);
      else deltas.flush(db);
      const rows = db
        .prepare(
          'SELECT level, bucket, app_id, h0, h1, h2, b0, b1, b2, n_ge_1, n_ge_5 FROM session_rollup',
        )
        .raw()
        .all() as number[][];
      db.exec('ROLLBACK');
      return new Map(rows.map(([level, bucket, app, ...v]) => [`${level}/${bucket}/${app}`, v]));
    } finally {
      t.cleanup();
    }
  }

  it('sums 140,000 day cells in distinct weeks into week and four-week cells', () => {
    const deltas = new RollupDeltas();
    // One day in each of 140,000 weeks: as many week cells, more than a call takes as arguments.
    for (let w = 0; w < 140_000; w += 1) deltas.add(1, 1, 'photos', w * 7, 600, 1000, 1);
    const keys = [...written(deltas, true).keys()];
    expect(keys.filter((k) => k.startsWith('1/'))).toHaveLength(140_000);
    expect(keys.filter((k) => k.startsWith('7/'))).toHaveLength(140_000);
    expect(keys.filter((k) => k.startsWith('28/'))).toHaveLength(35_000);
  });

  it('sums the days of a week into its cell and leaves each day cell as it was counted', () => {
    const deltas = new RollupDeltas();
    // Days 7 and 8 share week 1 and four-week span 0; day 30 has week 4 to itself. Another app's
    // sessions in between: a week's days are summed whatever else was counted between them.
    deltas.add(1, 1, 'photos', 7, 60, 2000, 1);
    deltas.add(1, 2, 'photos', 8, 60, 9000, 1);
    deltas.add(1, 1, 'photos', 8, 60, 5000, 1);
    deltas.add(1, 1, 'photos', 8, 120, 500, 1);
    deltas.add(1, 1, 'photos', 30, 60, 1000, 1);
    deltas.add(1, 2, 'photos', 8, 60, 9000, -1);
    const cells = written(deltas);
    // Columns: h0, h1, h2, b0, b1, b2, n_ge_1, n_ge_5.
    expect(cells.get('1/7/1')).toEqual([0, 1, 0, 0, 2000, 0, 1, 0]);
    expect(cells.get('1/8/1')).toEqual([0, 1, 1, 0, 5000, 500, 1, 1]);
    expect(cells.get('7/1/1')).toEqual([0, 2, 1, 0, 7000, 500, 2, 1]);
    expect(cells.get('28/0/1')).toEqual([0, 2, 1, 0, 7000, 500, 2, 1]);
    expect(cells.get('28/1/1')).toEqual([0, 1, 0, 0, 1000, 0, 1, 0]);
    expect(cells.get('7/4/1')).toEqual([0, 1, 0, 0, 1000, 0, 1, 0]);
    expect(cells.get('1/30/1')).toEqual([0, 1, 0, 0, 1000, 0, 1, 0]);
    // App 2's one session was counted in and out again: it left no cell.
    expect(cells.size).toBe(7);
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
