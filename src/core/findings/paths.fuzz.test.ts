import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Filter } from '../../contract/filter';
import { FINDING_RULES, type FindingParams, type FindingRule } from '../../contract/findings';
import { fillFindingsCase } from '../testing/findings-case';
import { fuzzOptions } from '../testing/fuzz';
import { tempCase, type TempCase } from '../testing/temp-case';
import { runFindings } from './engine';
import { isSessionRule } from './session-rules';
import { appRanges, refreshFindings } from './stored';
import { setStoredFindingParams } from './stored-params';
import { fillDeviceStates } from './test-device-states';
import { findingsCaseFilterFields } from '../testing/findings-case-filter';

// The SQL path and the stored findings must say exactly what the reference scan says: the same
// findings, in the same order, with the same figures, titles and evidence.

const hhmm = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 30))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);

const params: fc.Arbitrary<FindingParams> = fc.record(
  {
    'night-access.from': hhmm,
    'night-access.to': hhmm,
    'frequent-access.perDay': fc.constantFrom(0.5, 1, 2, 4),
    'regular-polling.minAccesses': fc.integer({ min: 1, max: 12 }),
    'regular-polling.maxCv': fc.constantFrom(0.05, 0.25, 0.6, 2),
    'long-access.seconds': fc.constantFrom(1, 30, 60, 120),
    'new-sensitive-permission.days': fc.constantFrom(1, 5, 30),
  },
  { requiredKeys: [] },
);

const day = fc.integer({ min: 0, max: 15 }).map((d) => `2024-05-${String(d + 1).padStart(2, '0')}`);

/** Filters of every kind, on the devices (ids 1-3), apps and categories the generator writes. */
const filter: fc.Arbitrary<Filter> = fc.record(
  {
    ...findingsCaseFilterFields,
    from: day,
    to: day,
    hours: fc.record({ from: hhmm, to: hhmm }),
    minSeconds: fc.constantFrom(0, 10, 61),
    states: fc.uniqueArray(fc.constantFrom('foreground', 'background', 'unknown'), {
      maxLength: 2,
    }),
    deviceStates: fc.uniqueArray(fc.constantFrom('in-use', 'screen-off', 'locked', 'unknown'), {
      maxLength: 2,
    }),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<Filter>;

/** Devices, apps and categories only: what the stored findings answer. */
const storedFilter: fc.Arbitrary<Filter> = filter.map((f) => ({
  ...(f.devices ? { devices: f.devices } : {}),
  ...(f.apps ? { apps: f.apps } : {}),
  ...(f.categories ? { categories: f.categories } : {}),
}));

let t: TempCase;
beforeAll(() => {
  t = tempCase();
});
afterAll(() => t.cleanup());

/** Empties the case's records, keeping its schema. */
function reset(): void {
  t.session.db.exec(`DELETE FROM device_states; DELETE FROM device_state_coverage;
    DELETE FROM stored_findings; DELETE FROM stored_findings_state;
    DELETE FROM access_sessions; DELETE FROM usage_records; DELETE FROM reject_records;
    DELETE FROM permission_records; DELETE FROM network_observations; DELETE FROM session_rollup;
    DELETE FROM session_stats; DELETE FROM apps; DELETE FROM sources; DELETE FROM devices;
    DELETE FROM case_meta WHERE key = 'finding_params'`);
}

describe('findings paths', () => {
  it('the SQL path finds what the scan finds, for any records, filter and parameters', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        filter,
        params,
        fc.constantFrom(undefined, 0, 3, 5000),
        (seed, f, p, limit) => {
          reset();
          const { devices } = fillFindingsCase(t.session.db, seed);
          fillDeviceStates(t.session.db, devices, seed);
          const scan = runFindings(t.session.db, f, p, undefined, {
            path: 'scan',
            evidenceLimit: limit,
          });
          const fast = runFindings(t.session.db, f, p, undefined, {
            stored: false,
            evidenceLimit: limit,
          });
          expect(fast).toEqual(scan);
        },
      ),
      fuzzOptions(60),
    );
  });

  it('stored findings computed a range of apps at a time are those computed at once', () => {
    fc.assert(
      fc.property(fc.integer(), params, fc.integer({ min: 1, max: 6 }), (seed, p, chunk) => {
        reset();
        const { devices } = fillFindingsCase(t.session.db, seed);
        fillDeviceStates(t.session.db, devices, seed);
        setStoredFindingParams(t.session.db, p);
        refreshFindings(t.session.db, undefined, chunk);
        for (const d of devices) {
          expect(runFindings(t.session.db, { devices: [d] }, p)).toEqual(
            runFindings(t.session.db, { devices: [d] }, p, undefined, { stored: false }),
          );
          // Stored in the order the rules list them, although made a group at a time: the record
          // rules', then each range's in rule order, each rule's in sequence.
          const rows = t.session.db
            .prepare(
              'SELECT rule, seq, app_id AS app FROM stored_findings WHERE device_id = ? ORDER BY id',
            )
            .all(d) as { rule: FindingRule; seq: number; app: number | null }[];
          const ranges = appRanges(t.session.db, d, chunk);
          const call = (r: (typeof rows)[number]): number =>
            isSessionRule(r.rule)
              ? 1 + ranges.findIndex((g) => r.app! >= g.from && r.app! <= g.to)
              : 0;
          const rank = (r: FindingRule): number => FINDING_RULES.indexOf(r);
          expect(rows).toEqual(
            [...rows].sort(
              (a, b) => call(a) - call(b) || rank(a.rule) - rank(b.rule) || a.seq - b.seq,
            ),
          );
        }
      }),
      fuzzOptions(40),
    );
  });

  it('the stored findings answer what the SQL path answers, and follow a change of parameters', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        storedFilter,
        params,
        params,
        fc.constantFrom(undefined, 0, 2, 150),
        (seed, f, p, next, limit) => {
          reset();
          const { devices } = fillFindingsCase(t.session.db, seed);
          fillDeviceStates(t.session.db, devices, seed);
          setStoredFindingParams(t.session.db, p);
          refreshFindings(t.session.db, devices.slice(0, 1));
          // The other devices are stale: the query brings them up to date first.
          const live = runFindings(t.session.db, f, p, undefined, {
            stored: false,
            evidenceLimit: limit,
          });
          expect(runFindings(t.session.db, f, p, undefined, { evidenceLimit: limit })).toEqual(
            live,
          );
          const inScope = devices.filter(
            (d, i) => i === 0 || !f.devices || f.devices.length === 0 || f.devices.includes(d),
          );
          expect(
            t.session.db.prepare('SELECT device_id FROM stored_findings_state').pluck().all(),
          ).toEqual(inScope);
          // New parameters make every device stale; the next query stores them again.
          setStoredFindingParams(t.session.db, next);
          expect(runFindings(t.session.db, f, next, undefined, { evidenceLimit: limit })).toEqual(
            runFindings(t.session.db, f, next, undefined, { stored: false, evidenceLimit: limit }),
          );
        },
      ),
      fuzzOptions(40),
    );
  });
});
