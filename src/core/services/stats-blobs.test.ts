import Database from 'better-sqlite3';
import fc from 'fast-check';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyFindingsCase, fillFindingsCase } from '../testing/findings-case';
import { fuzzOptions } from '../testing/fuzz';
import { tempCase, type TempCase } from '../testing/temp-case';
import { statsBlobs } from './stats-blobs';

let t: TempCase;
beforeAll(() => {
  t = tempCase();
});
afterAll(() => t.cleanup());

/** The blobs as the table holds them now, read straight. */
function stored(level: number, from: number, to: number, devices: number[] | null) {
  return (
    t.session.db
      .prepare(
        `SELECT device_id, bucket, cells FROM session_stats WHERE level = ? AND bucket >= ? AND bucket <= ?
         ${devices ? `AND device_id IN (${devices.map(() => '?').join(', ')})` : ''}`,
      )
      .raw()
      .all(level, from, to, ...(devices ?? [])) as [number, number, Uint8Array][]
  ).map(([d, b, c]) => [d, b, Buffer.from(c).toString('hex')]);
}

const hex = (rows: [number, number, Uint8Array][]) =>
  rows.map(([d, b, c]) => [d, b, Buffer.from(c).toString('hex')]);

function bounds(level: number): { lo: number; hi: number } {
  const r = t.session.db
    .prepare('SELECT MIN(bucket) AS lo, MAX(bucket) AS hi FROM session_stats WHERE level = ?')
    .get(level) as { lo: number | null; hi: number | null };
  return { lo: r.lo ?? 0, hi: r.hi ?? 0 };
}

describe('statsBlobs', () => {
  it('gives the blobs the table holds, through changes by this connection and another, whatever is kept', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            // Each step: a change to the case or not, then a read of some range.
            change: fc.constantFrom('none', 'refill', 'other-delete', 'other-update'),
            seed: fc.integer(),
            level: fc.constantFrom(1, 7, 28),
            from: fc.integer({ min: -3, max: 20 }),
            width: fc.integer({ min: 0, max: 40 }),
            devices: fc.option(fc.uniqueArray(fc.integer({ min: 1, max: 4 }), { maxLength: 3 })),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        fc.constantFrom(0, 64, 4096, 32 << 20),
        (steps, limit) => {
          emptyFindingsCase(t.session.db);
          fillFindingsCase(t.session.db, 1);
          for (const s of steps) {
            if (s.change === 'refill') {
              emptyFindingsCase(t.session.db);
              fillFindingsCase(t.session.db, s.seed);
            } else if (s.change !== 'none') {
              const other = new Database(join(t.dir, 'case.snoopcase'));
              if (s.change === 'other-delete')
                other.exec(
                  'DELETE FROM session_stats WHERE rowid IN (SELECT rowid FROM session_stats LIMIT 3)',
                );
              else
                other
                  .prepare("UPDATE session_stats SET cells = CAST(x'00' || cells AS BLOB)")
                  .run();
              other.close();
            }
            const { lo } = bounds(s.level);
            const from = lo + s.from;
            const to = from + s.width;
            const got = statsBlobs(t.session.db, s.level, from, to, s.devices, limit);
            expect(hex(got)).toEqual(stored(s.level, from, to, s.devices));
          }
        },
      ),
      fuzzOptions(40),
    );
  });

  it('reads a blob once while the case stays the same, again once it changes', () => {
    emptyFindingsCase(t.session.db);
    fillFindingsCase(t.session.db, 3);
    const { lo, hi } = bounds(1);
    const first = statsBlobs(t.session.db, 1, lo, hi, null);
    expect(first.length).toBeGreaterThan(1);
    const again = statsBlobs(t.session.db, 1, lo, hi, null);
    // The very same bytes: kept, not read again.
    expect(again.every(([, , c], i) => c === first[i]![2])).toBe(true);
    // An overlapping range reads only what it lacks.
    const part = statsBlobs(t.session.db, 1, lo + 1, hi, null);
    expect(
      part.every(([d, b, c]) => first.some(([d2, b2, c2]) => d2 === d && b2 === b && c2 === c)),
    ).toBe(true);
    const other = new Database(join(t.dir, 'case.snoopcase'));
    other
      .prepare("UPDATE session_stats SET cells = CAST(x'00' || cells AS BLOB) WHERE level = 1")
      .run();
    other.close();
    const after = statsBlobs(t.session.db, 1, lo, hi, null);
    expect(after.some(([, , c], i) => c !== first[i]![2])).toBe(true);
    expect(hex(after)).toEqual(stored(1, lo, hi, null));
  });

  it('keeps at most its limit, and still gives a blob larger than it', () => {
    emptyFindingsCase(t.session.db);
    fillFindingsCase(t.session.db, 5);
    const { lo, hi } = bounds(1);
    const sizes = stored(1, lo, hi, null).map(([, , c]) => String(c).length / 2);
    expect(sizes.length).toBeGreaterThan(6);
    const total = sizes.reduce((n, v) => n + v, 0);
    const limit = Math.floor(total / 3);
    const one = statsBlobs(t.session.db, 1, lo, hi, null, limit);
    // Read again one by one, the most recently read first: those kept are found (a blob found
    // lets none go), until the first that was let go.
    let keptBytes = 0;
    for (const [d, b, c] of [...one].reverse()) {
      const [again] = statsBlobs(t.session.db, 1, b, b, [d], limit);
      expect(hex([again!])).toEqual(hex([[d, b, c]]));
      if (again![2] !== c) break;
      keptBytes += c.length;
    }
    expect(keptBytes).toBeGreaterThan(0);
    expect(keptBytes).toBeLessThanOrEqual(limit);
    expect(keptBytes).toBeGreaterThan(limit - Math.max(...sizes));
    // A blob over the limit is given, never kept.
    const small = Math.min(...sizes) - 1;
    const a = statsBlobs(t.session.db, 1, lo, hi, null, small);
    const b = statsBlobs(t.session.db, 1, lo, hi, null, small);
    expect(hex(b)).toEqual(hex(one));
    expect(b.every(([, , c], i) => c !== a[i]![2])).toBe(true);
  });

  it('keeps the blobs of each level apart, whatever their buckets', () => {
    emptyFindingsCase(t.session.db);
    const put = t.session.db.prepare(
      'INSERT INTO session_stats (level, device_id, bucket, cells) VALUES (?, ?, ?, ?)',
    );
    put.run(1, 1, 50, Buffer.from([1, 2, 3]));
    put.run(7, 1, 50, Buffer.from([7, 7]));
    put.run(28, 1, 50, Buffer.from([28]));
    for (const level of [1, 7, 28, 1, 28])
      expect(hex(statsBlobs(t.session.db, level, 50, 50, null))).toEqual(
        stored(level, 50, 50, null),
      );
  });

  it('lets go of the blob read longest ago, a blob read again counting as read then', () => {
    emptyFindingsCase(t.session.db);
    const put = t.session.db.prepare(
      'INSERT INTO session_stats (level, device_id, bucket, cells) VALUES (1, 1, ?, ?)',
    );
    for (const bucket of [10, 11, 12]) put.run(bucket, Buffer.alloc(100, bucket));
    const read = (bucket: number) => statsBlobs(t.session.db, 1, bucket, bucket, null, 200)[0]![2];
    const a = read(10);
    const b = read(11);
    expect(read(10)).toBe(a);
    read(12); // room for two: 11, read longest ago, goes
    expect(read(10)).toBe(a);
    expect(read(11)).not.toBe(b);
  });
});
