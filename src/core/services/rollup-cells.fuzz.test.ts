import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzOptions } from '../testing/fuzz';
import { tempCase, type TempCase } from '../testing/temp-case';
import { rollupCells, rollupCellsByRow, type RollupCellQuery } from './rollup-cells';
import type { CaseShape } from './timeline-stats';

let t: TempCase;
beforeAll(() => {
  t = tempCase();
});
afterAll(() => t.cleanup());

const CATEGORIES = ['camera', 'location', 'photos', 'screenRecording', 'zz-unknown'];

/** A rollup cell as stored: any device, app, category, level, bucket and counts, crafted ones too. */
const cell = fc.record({
  level: fc.constantFrom(1, 7),
  device: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constantFrom(0, -1, 9, 2 ** 40)),
  app: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.constantFrom(0, -3, 500, 2 ** 45)),
  category: fc.constantFrom(...CATEGORIES),
  bucket: fc.oneof(fc.integer({ min: 100, max: 130 }), fc.constantFrom(-5, 2 ** 40)),
  sessions: fc.oneof(
    fc.integer({ min: 0, max: 50 }),
    fc.constantFrom(-1, 2 ** 31, 2 ** 52, Number.MAX_SAFE_INTEGER),
  ),
  busy: fc.oneof(fc.integer({ min: 0, max: 10 ** 9 }), fc.constantFrom(-7, 2 ** 53 - 1)),
  h3: fc.integer({ min: 0, max: 9 }),
});

type Row = [number, number, string, number, number, number];

function collect(read: (each: (...r: Row) => void) => void): Row[] {
  const out: Row[] = [];
  read((...r) => out.push(r));
  return out;
}

describe('rollupCells', () => {
  it('gives the cells the row-by-row read gives, in the same order, whatever the rollup holds', () => {
    let packed = 0;
    fc.assert(
      fc.property(
        fc.array(cell, { maxLength: 60 }),
        fc.integer({ min: 90, max: 125 }),
        fc.integer({ min: 0, max: 40 }),
        fc.constantFrom(1, 7),
        fc.subarray(CATEGORIES),
        fc.constantFrom('plain', 'hours', 'category'),
        fc.record({
          maxDevice: fc.integer({ min: 0, max: 10 }),
          maxApp: fc.integer({ min: 0, max: 600 }),
          categories: fc.subarray(CATEGORIES.slice(0, 4), { minLength: 0 }),
        }),
        fc.oneof(fc.constant(2 ** 53), fc.integer({ min: 1, max: 10 ** 7 })),
        (cells, fromBucket, width, level, wanted, kind, shape: CaseShape, packLimit) => {
          const db = t.session.db;
          db.exec('DELETE FROM session_rollup');
          const put = db.prepare(
            `INSERT OR REPLACE INTO session_rollup (level, device_id, app_id, category, bucket, sessions, busy_ms, h3)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          );
          for (const c of cells)
            put.run(c.level, c.device, c.app, c.category, c.bucket, c.sessions, c.busy, c.h3);
          const toBucket = fromBucket + width;
          const clauses = ['r.level = ?', 'r.bucket >= ?', 'r.bucket <= ?'];
          const params: (number | string)[] = [level, fromBucket, toBucket];
          if (kind === 'category' && wanted.length > 0) {
            clauses.unshift(`r.category IN (${wanted.map(() => '?').join(', ')})`);
            params.unshift(...wanted);
          }
          const q: RollupCellQuery = {
            from: `session_rollup r WHERE ${clauses.join(' AND ')}`,
            params,
            count: kind === 'hours' ? 'r.h3' : 'r.sessions',
            busy: kind === 'hours' ? 'r.h3 * 1000' : 'r.busy_ms',
            fromBucket,
            toBucket,
          };
          const expected = collect((each) => rollupCellsByRow(db, q, each));
          const sorted = { ...shape, categories: [...shape.categories].sort() };
          const got: Row[] = [];
          if (rollupCells(db, q, sorted, (...r) => got.push(r), packLimit) && expected.length > 0)
            packed += 1;
          expect(got).toEqual(expected);
        },
      ),
      fuzzOptions(300),
    );
    // The packed read itself was compared, not only its fallback.
    expect(packed).toBeGreaterThan(0);
  });

  it('reads each cell once, packed, when the case shape holds every cell', () => {
    const db = t.session.db;
    db.exec('DELETE FROM session_rollup');
    const put = db.prepare(
      'INSERT INTO session_rollup (level, device_id, app_id, category, bucket, sessions, busy_ms) VALUES (1, ?, ?, ?, ?, ?, ?)',
    );
    put.run(2, 7, 'photos', 40, 3, 9000);
    put.run(1, 3, 'camera', 41, 1, 500);
    put.run(1, 3, 'photos', 41, 0, 0);
    const q: RollupCellQuery = {
      from: 'session_rollup r WHERE r.level = ? AND r.bucket >= ? AND r.bucket <= ?',
      params: [1, 40, 41],
      count: 'r.sessions',
      busy: 'r.busy_ms',
      fromBucket: 40,
      toBucket: 41,
    };
    const shape: CaseShape = { maxDevice: 2, maxApp: 7, categories: ['camera', 'photos'] };
    const rows: Row[] = [];
    expect(rollupCells(db, q, shape, (...r) => rows.push(r))).toBe(true);
    expect(rows).toEqual([
      [2, 7, 'photos', 40, 3, 9000],
      [1, 3, 'camera', 41, 1, 500],
      [1, 3, 'photos', 41, 0, 0],
    ]);
    // A device the shape does not know: read row by row, with the same answer.
    const narrow = { ...shape, maxDevice: 1 };
    const again: Row[] = [];
    expect(rollupCells(db, q, narrow, (...r) => again.push(r))).toBe(false);
    expect(again).toEqual(rows);
  });
});
