import Database from 'better-sqlite3';
import fc from 'fast-check';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINDINGS_CASE_START, emptyFindingsCase, fillFindingsCase } from '../testing/findings-case';
import { fuzzOptions } from '../testing/fuzz';
import { refreshNetworkLatest, staleNetworkDevices } from '../db/queries/network-latest';
import { tempCase, type TempCase } from '../testing/temp-case';

let t: TempCase;
beforeAll(() => {
  t = tempCase();
});
afterAll(() => t.cleanup());

function reset(): void {
  t.session.db.exec(
    'DELETE FROM network_latest; DELETE FROM network_spans; DELETE FROM network_latest_state',
  );
  emptyFindingsCase(t.session.db);
}

/** The network spans of a range read from every row: what the timeline's indexed read must give. */
function reference(range: { fromMs: number; toMs: number }) {
  return t.session.db
    .prepare(
      `SELECT n.device_id || ':' || n.app_id AS lane, MIN(COALESCE(n.first_ms, n.last_ms)) AS firstMs,
              MAX(COALESCE(n.last_ms, n.first_ms)) AS lastMs, SUM(COALESCE(n.hits, 0)) AS hits,
              COUNT(DISTINCT n.domain_lower) AS domains
       FROM network_observations n NOT INDEXED
       WHERE COALESCE(n.first_ms, n.last_ms) < ? AND COALESCE(n.last_ms, n.first_ms) >= ?
       GROUP BY n.device_id, n.app_id, n.source_id`,
    )
    .all(range.toMs, range.fromMs) as {
    lane: string;
    firstMs: number;
    lastMs: number;
    hits: number;
    domains: number;
  }[];
}

const order = <T extends { lane: string; firstMs: number; lastMs: number; hits: number }>(
  xs: T[],
) =>
  [...xs].sort(
    (a, b) =>
      a.lane.localeCompare(b.lane) ||
      a.firstMs - b.firstMs ||
      a.lastMs - b.lastMs ||
      a.hits - b.hits,
  );

describe('timeline network spans', () => {
  it('read through the time indexes equal those read from every row', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: -2, max: 16 }),
        fc.integer({ min: 1, max: 400 }),
        (seed, startDay, hours) => {
          reset();
          fillFindingsCase(t.session.db, seed);
          const fromMs = FINDINGS_CASE_START + startDay * 86_400_000;
          const range = { fromMs, toMs: fromMs + hours * 3_600_000 };
          const r = t.session.queries.timeline({ filter: {}, range, width: 800 });
          // Spans are drawn on the lanes of sessions (not on those of permission marks only).
          const lanes = new Set(r.lanes.filter((l) => l.sessions > 0).map((l) => l.key));
          expect(order(r.network)).toEqual(
            order(reference(range).filter((n) => lanes.has(n.lane))),
          );
          const extent = t.session.queries.extent();
          const all = t.session.db
            .prepare(
              'SELECT MIN(COALESCE(first_ms, last_ms)) AS a, MAX(COALESCE(last_ms, first_ms)) AS b FROM network_observations NOT INDEXED',
            )
            .get() as { a: number | null; b: number | null };
          if (extent && all.a !== null) {
            expect(extent.fromMs).toBeLessThanOrEqual(all.a);
            expect(extent.toMs).toBeGreaterThanOrEqual(all.b!);
          }
        },
      ),
      fuzzOptions(60),
    );
  });

  it('are read again for one range once the case changes, and kept across its other filters', () => {
    const range = { fromMs: FINDINGS_CASE_START, toMs: FINDINGS_CASE_START + 20 * 86_400_000 };
    const spans = (filter = {}) =>
      order(t.session.queries.timeline({ filter, range, width: 800 }).network);
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        // The same range each run: spans kept from the run before would be another case's.
        reset();
        fillFindingsCase(t.session.db, seed);
        if (seed % 2 === 0) refreshNetworkLatest(t.session.db, staleNetworkDevices(t.session.db));
        const r = t.session.queries.timeline({ filter: {}, range, width: 800 });
        const lanes = new Set(r.lanes.filter((l) => l.sessions > 0).map((l) => l.key));
        expect(order(r.network)).toEqual(order(reference(range).filter((n) => lanes.has(n.lane))));
        // A filter of categories only draws the spans of the lanes it keeps.
        const photos = t.session.queries.timeline({
          filter: { categories: ['photos'] },
          range,
          width: 800,
        });
        const kept = new Set(photos.lanes.filter((l) => l.sessions > 0).map((l) => l.key));
        expect(order(photos.network)).toEqual(
          order(reference(range).filter((n) => kept.has(n.lane))),
        );
      }),
      fuzzOptions(20),
    );
    // A case with spans on its lanes, kept as an import keeps them.
    for (let seed = 1; spans().length === 0; seed += 1) {
      reset();
      fillFindingsCase(t.session.db, seed);
      refreshNetworkLatest(t.session.db, staleNetworkDevices(t.session.db));
    }
    // Another connection (an import in its worker) empties them.
    const other = new Database(join(t.dir, 'case.snoopcase'));
    other.exec('DELETE FROM network_spans');
    other.close();
    expect(spans()).toEqual([]);
  });
});
