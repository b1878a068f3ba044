import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DayWindow } from '../../../contract/filter';
import { emptyFindingsCase, fillFindingsCase } from '../../testing/findings-case';
import { fuzzOptions } from '../../testing/fuzz';
import { tempCase, type TempCase } from '../../testing/temp-case';
import { staleSummaryDevices } from '../summary-groups';
import { nightParts, refreshSummaryGroups, summaryFromGroups } from './summary';
import { findingsCaseFilter } from '../../testing/findings-case-filter';

const hhmm = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 0, 15, 30))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);

const filter = findingsCaseFilter;

let t: TempCase;
beforeAll(() => {
  t = tempCase();
});
afterAll(() => t.cleanup());

function reset(): void {
  emptyFindingsCase(t.session.db);
  t.session.db.exec('DELETE FROM summary_groups; DELETE FROM summary_groups_state');
}

describe('summary and heatmap', () => {
  it('from the session stats equals the summary over every session', () => {
    fc.assert(
      fc.property(fc.integer(), filter, hhmm, hhmm, (seed, f, from, to) => {
        reset();
        fillFindingsCase(t.session.db, seed);
        const night: DayWindow = { from, to };
        const q = t.session.queries;
        expect(q.summary(f, night)).toEqual(q.summary(f, night, 'scan'));
      }),
      fuzzOptions(80),
    );
  });

  it('from the groups kept per device equals the summary over every session', () => {
    fc.assert(
      fc.property(fc.integer(), filter, hhmm, hhmm, (seed, f, from, to) => {
        reset();
        const { devices } = fillFindingsCase(t.session.db, seed);
        const night: DayWindow = { from, to };
        const q = t.session.queries;
        // Not kept yet: the groups do not answer, and the summary still does.
        expect(summaryFromGroups(t.session.db, {}, night)).toBeNull();
        expect(q.summary(f, night)).toEqual(q.summary(f, night, 'scan'));
        expect(refreshSummaryGroups(t.session.db)).toEqual(devices);
        expect(staleSummaryDevices(t.session.db)).toEqual([]);
        const scan = q.summary(f, night, 'scan');
        expect(summaryFromGroups(t.session.db, f, night)).toEqual(scan);
        expect(q.summary(f, night)).toEqual(scan);
      }),
      fuzzOptions(80),
    );
  });

  it('from the groups only while no source of a device asked for came or went since', () => {
    reset();
    const { devices } = fillFindingsCase(t.session.db, 7);
    refreshSummaryGroups(t.session.db);
    const night: DayWindow = { from: '00:00', to: '06:00' };
    const db = t.session.db;
    expect(summaryFromGroups(db, {}, night)).not.toBeNull();
    db.prepare(
      `INSERT INTO sources (device_id, importer_id, importer_version, original_path, file_name, size, sha256, imported_at, data_from, data_to)
       VALUES (?, 'ios-app-privacy-report', '1', 'y', 'y', 0, 'new', 0, 0, 0)`,
    ).run(devices[0]);
    expect(staleSummaryDevices(db)).toEqual([devices[0]]);
    expect(summaryFromGroups(db, {}, night)).toBeNull();
    if (devices.length > 1)
      expect(summaryFromGroups(db, { devices: devices.slice(1) }, night)).not.toBeNull();
    // A removed source makes its device stale as well, and the stats then answer.
    refreshSummaryGroups(db);
    db.prepare("DELETE FROM sources WHERE sha256 = 'new'").run();
    expect(summaryFromGroups(db, {}, night)).toBeNull();
    expect(t.session.queries.summary({}, night)).toEqual(
      t.session.queries.summary({}, night, 'scan'),
    );
  });

  it('heatmap from the rollup equals the heatmap over every session', () => {
    fc.assert(
      fc.property(fc.integer(), filter, (seed, f) => {
        reset();
        fillFindingsCase(t.session.db, seed);
        const q = t.session.queries;
        expect(q.heatmap(f)).toEqual(q.heatmap(f, 'scan'));
      }),
      fuzzOptions(80),
    );
  });

  it('splits a night window into whole hours and the minutes left over', () => {
    expect(nightParts({ from: '00:00', to: '06:00' })).toEqual({
      hours: [0, 1, 2, 3, 4, 5],
      minutes: [],
    });
    expect(nightParts({ from: '22:30', to: '01:15' })).toEqual({
      hours: [0, 23],
      minutes: [
        [60, 75],
        [1350, 1380],
      ],
    });
    expect(nightParts({ from: '05:00', to: '05:00' }).hours).toHaveLength(24);
  });
});
