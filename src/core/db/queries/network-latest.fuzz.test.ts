import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Filter } from '../../../contract/filter';
import { emptyFindingsCase, fillFindingsCase } from '../../testing/findings-case';
import { fuzzOptions } from '../../testing/fuzz';
import { tempCase, type TempCase } from '../../testing/temp-case';
import { staleNetworkDevices } from './network-latest';

const filter: fc.Arbitrary<Filter> = fc.record(
  {
    devices: fc.uniqueArray(fc.integer({ min: 1, max: 4 }), { maxLength: 2 }),
    apps: fc.uniqueArray(fc.constantFrom('com.a.one', 'shared', 'com.c.three', 'one'), {
      maxLength: 2,
    }),
    categories: fc.uniqueArray(fc.constantFrom('photos', 'camera'), { maxLength: 1 }),
    from: fc.constantFrom('2024-05-03', '2024-05-09'),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<Filter>;

let t: TempCase;
beforeAll(() => {
  t = tempCase();
});
afterAll(() => t.cleanup());

function reset(): void {
  t.session.db.exec('DELETE FROM network_latest; DELETE FROM network_latest_state');
  emptyFindingsCase(t.session.db);
}

describe('latest network snapshots', () => {
  it('kept per device equal those ranked from every snapshot, also after a new source', () => {
    fc.assert(
      fc.property(fc.integer(), filter, fc.boolean(), (seed, f, more) => {
        reset();
        const { devices } = fillFindingsCase(t.session.db, seed);
        const q = t.session.queries;
        expect(q.network(f)).toEqual(q.network(f, 'latest', 'scan'));
        expect(q.network(f, 'all')).toEqual(q.network(f, 'all', 'scan'));
        if (more) {
          // A later export of the first device: its rows become the latest.
          const db = t.session.db;
          const source = Number(
            db
              .prepare(
                `INSERT INTO sources (device_id, importer_id, importer_version, original_path, file_name, size, sha256, imported_at, data_from, data_to)
                 VALUES (?, 'ios-app-privacy-report', '1', 'y', 'y', 0, ?, 0, 0, 9e15)`,
              )
              .run(devices[0], `later-${seed}`).lastInsertRowid,
          );
          db.prepare(
            `INSERT INTO network_observations (device_id, app_id, source_id, line, domain, domain_lower, domain_type, hits, first_ms, last_ms, raw_line)
             SELECT device_id, app_id, ?, line + 1000, domain, domain_lower, domain_type, hits + 1, first_ms, last_ms, ''
             FROM network_observations WHERE device_id = ?`,
          ).run(source, devices[0]);
          expect(staleNetworkDevices(db, [devices[0]!])).toEqual([devices[0]]);
          expect(q.network(f)).toEqual(q.network(f, 'latest', 'scan'));
        }
      }),
      fuzzOptions(60),
    );
  });
});
