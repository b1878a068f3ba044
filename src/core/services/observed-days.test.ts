import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localDayNumber } from '../../contract/time';
import { join } from 'node:path';
import { importAndroid } from './android-import';
import { writeAndroidCapture } from '../testing/android-capture';
import { accessPair } from '../testing/apr-fixture';
import { tempCase, type TempCase } from '../testing/temp-case';
import { columnFacts, compare } from './compare';
import { importFile } from './import-run';
import {
  clipRanges,
  filterDays,
  observedDevices,
  observedRanges,
  rangeDays,
} from './observed-days';

let t: TempCase;
beforeEach(() => {
  t = tempCase();
});
afterEach(() => t.cleanup());

const DAY_MS = 86_400_000;
/** 2024-05-01 00:00 at +08:00. */
const MAY1 = Date.UTC(2024, 4, 1) - 8 * 3_600_000;
const day = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;

/** An export with one photo read at 10:00 device-local (+08:00) on each of the given May days. */
async function importDays(deviceId: number, name: string, days: number[]): Promise<void> {
  const lines = days.flatMap((d, i) =>
    accessPair({
      app: 'com.tencent.xin',
      category: 'photos',
      id: `${name}-${i}`,
      ms: MAY1 + (d - 1) * DAY_MS + 10 * 3_600_000,
      durationMs: 30_000,
      offsetMin: 480,
    }),
  );
  const outcome = await importFile({
    db: t.session.db,
    path: t.write(`${name}.ndjson`, lines),
    deviceId,
  });
  expect(outcome.status).toBe('imported');
}

/** A source of a backup artifact (permission records) dated over a long span. */
function addBackupSource(deviceId: number, fromMs: number, toMs: number): void {
  t.session.db
    .prepare(
      `INSERT INTO sources (device_id, importer_id, importer_version, original_path, file_name, size,
         sha256, imported_at, data_from, data_to, record_rows)
       VALUES (?, 'ios-backup-tcc', '1', 'TCC.db', 'TCC.db', 0, ?, 0, ?, ?, 12)`,
    )
    .run(deviceId, `tcc-${deviceId}-${fromMs}`, fromMs, toMs);
}

describe('observed days', () => {
  it('come from the access logs only: a backup artifact’s dates do not make days observed', async () => {
    await importDays(t.deviceId, 'first', [1, 2, 3]);
    await importDays(t.deviceId, 'second', [10, 11]);
    addBackupSource(t.deviceId, Date.UTC(2022, 0, 1), Date.UTC(2024, 5, 1));
    expect(observedRanges(t.session.db, t.deviceId)).toEqual([
      [day('2024-05-01'), day('2024-05-03')],
      [day('2024-05-10'), day('2024-05-11')],
    ]);
    // The comparison divides by the same days.
    const backupOnly = t.session.createDevice({ label: 'Backup only', platform: 'ios' });
    addBackupSource(backupOnly.id, Date.UTC(2023, 0, 1), Date.UTC(2024, 4, 20));
    const rows = compare(t.session.db, [
      { label: 'A', deviceId: t.deviceId, fromDay: null, toDay: null },
      { label: 'B', deviceId: backupOnly.id, fromDay: null, toDay: null },
    ]);
    expect(rows[0]!.columns.map((c) => [c.observedDays, c.sessionsPerDay])).toEqual([
      [5, 1],
      [0, null],
    ]);
  });

  it('of an Android capture come from its appops dump, not its usagestats, package or getprop files', async () => {
    const r = await importAndroid(t.session, writeAndroidCapture(join(t.dir, 'cap')), {
      label: 'Pixel',
    });
    const db = t.session.db;
    const sources = db
      .prepare(
        'SELECT file_name AS name, data_from AS a, data_to AS b FROM sources WHERE device_id = ? ORDER BY file_name',
      )
      .all(r.device.id) as { name: string; a: number | null; b: number | null }[];
    const appops = sources.find((x) => x.name === 'appops.txt')!;
    expect(sources.map((x) => x.name)).toEqual([
      'appops.txt',
      'getprop.txt',
      'package.txt',
      'usagestats.txt',
    ]);
    const offset = observedDevices(db, { devices: [r.device.id] })[0]!.offsetMin;
    expect(observedRanges(db, r.device.id)).toEqual([
      [localDayNumber(appops.a!, offset), localDayNumber(appops.b!, offset)],
    ]);
    // One capture, however many files it holds.
    const [facts] = columnFacts(db, [
      { label: 'P', deviceId: r.device.id, fromDay: null, toDay: null },
    ]);
    expect(facts).toMatchObject({ platform: 'android', androidCaptures: 1 });
    expect(facts!.sessions).toBeGreaterThan(0);
  });

  it('merge touching and overlapping exports into one stretch', async () => {
    await importDays(t.deviceId, 'a', [1, 2]);
    await importDays(t.deviceId, 'b', [3, 4]);
    await importDays(t.deviceId, 'c', [2, 6]);
    expect(observedRanges(t.session.db, t.deviceId)).toEqual([
      [day('2024-05-01'), day('2024-05-06')],
    ]);
  });

  it('are cut to the filter’s date range, a date being that local day and an end exclusive', async () => {
    await importDays(t.deviceId, 'a', [1, 2, 3, 4, 5, 6, 7]);
    const other = t.session.createDevice({ label: 'Other', platform: 'ios' });
    await importDays(other.id, 'b', [20]);
    const db = t.session.db;
    expect(
      observedDevices(db, { devices: [t.deviceId], from: '2024-05-03', to: '2024-05-05' }),
    ).toEqual([
      {
        deviceId: t.deviceId,
        label: 'Phone A',
        offsetMin: 480,
        ranges: [[day('2024-05-03'), day('2024-05-04')]],
      },
    ]);
    // An instant falls on the local day it lies in (02:00 +08:00 on May 6 is May 6 there).
    const cut = observedDevices(db, { from: '2024-05-05T18:00:00Z' });
    expect(cut.map((o) => [o.label, o.ranges])).toEqual([
      ['Phone A', [[day('2024-05-06'), day('2024-05-07')]]],
      ['Other', [[day('2024-05-20'), day('2024-05-20')]]],
    ]);
    expect(filterDays({ to: '2024-05-06T16:00:00Z' }, 480)).toEqual({
      fromDay: null,
      toDay: day('2024-05-06'),
    });
    expect(filterDays({ to: '2024-05-06T16:00:00.001Z' }, 480).toDay).toBe(day('2024-05-07'));
  });

  it('travel with the timeline and the heatmap, whose rows span them as well as the cells', async () => {
    await importDays(t.deviceId, 'first', [1, 2, 3]);
    await importDays(t.deviceId, 'second', [10, 11]);
    const q = t.session.queries;
    const timeline = q.timeline({ filter: {}, width: 800 });
    expect(timeline.observed?.[0]?.ranges).toHaveLength(2);
    // The photo filter narrows the cells to May 2, not the observed days.
    const heat = q.heatmap({ from: '2024-05-02', to: '2024-05-03' });
    expect(heat.cells.map((c) => c.day)).toEqual([day('2024-05-02')]);
    expect([heat.fromDay, heat.toDay]).toEqual([day('2024-05-02'), day('2024-05-02')]);
    const all = q.heatmap({ categories: ['photos'] });
    expect([all.fromDay, all.toDay]).toEqual([day('2024-05-01'), day('2024-05-11')]);
    expect(all.observed?.[0]?.ranges).toEqual([
      [day('2024-05-01'), day('2024-05-03')],
      [day('2024-05-10'), day('2024-05-11')],
    ]);
    // Nothing matches: no grid at all, whatever was observed.
    const none = q.heatmap({ categories: ['camera'] });
    expect([none.fromDay, none.toDay]).toEqual([null, null]);
  });

  it('kept with the case memo, follow every change of the case, whichever connection made it', async () => {
    await importDays(t.deviceId, 'first', [1, 2, 3]);
    const q = t.session.queries;
    const observed = () => q.timeline({ filter: {}, width: 800 }).observed;
    const fresh = () => observedDevices(t.session.db, {});
    expect(observed()).toEqual(fresh());
    // Another device, a device renamed and a source added: each seen at the next answer.
    const other = t.session.createDevice({ label: 'Other', platform: 'ios' });
    expect(observed()?.map((o) => o.label)).toEqual(['Phone A', 'Other']);
    t.session.db.prepare('UPDATE devices SET label = ? WHERE id = ?').run('Renamed', other.id);
    expect(observed()?.map((o) => o.label)).toEqual(['Phone A', 'Renamed']);
    const before = q.timeline({ filter: {}, width: 800 }).extent;
    await importDays(t.deviceId, 'second', [10, 11]);
    expect(observed()?.[0]?.ranges).toHaveLength(2);
    // The case's extent, kept the same way for each set of devices asked for.
    const after = q.timeline({ filter: {}, width: 800 }).extent;
    expect(after!.toMs).toBeGreaterThan(before!.toMs);
    expect(q.timeline({ filter: { devices: [t.deviceId] }, width: 800 }).extent).toEqual(after);
    expect(q.timeline({ filter: { devices: [other.id] }, width: 800 }).extent).toBeNull();
    // A second connection to the same case (the import worker, the CLI) commits a source.
    const writer = new Database(t.session.db.name);
    try {
      writer
        .prepare(
          `INSERT INTO sources (device_id, importer_id, importer_version, original_path, file_name, size,
             sha256, imported_at, data_from, data_to, access_rows)
           VALUES (?, 'ios-app-privacy-report', '1', 'x.ndjson', 'x.ndjson', 0, 'other', 0, ?, ?, 1)`,
        )
        .run(other.id, MAY1 + 20 * DAY_MS, MAY1 + 21 * DAY_MS);
    } finally {
      writer.close();
    }
    expect(observed()).toEqual(fresh());
    expect(observed()?.[1]?.ranges).toHaveLength(1);
    // A filter cuts what is kept without changing it.
    expect(
      q.timeline({ filter: { from: '2024-05-10' }, width: 800 }).observed?.[0]?.ranges,
    ).toEqual([[day('2024-05-10'), day('2024-05-11')]]);
    expect(observed()?.[0]?.ranges).toHaveLength(2);
  });

  it('stay bounded for a source dated over centuries', () => {
    addBackupSource(t.deviceId, 0, 1);
    t.session.db
      .prepare(
        `INSERT INTO sources (device_id, importer_id, importer_version, original_path, file_name, size,
           sha256, imported_at, data_from, data_to)
         VALUES (?, 'ios-app-privacy-report', '1', 'x', 'x', 0, 'wild', 0, ?, ?)`,
      )
      .run(t.deviceId, -8.64e15, 8.64e15);
    const ranges = observedRanges(t.session.db, t.deviceId);
    expect(ranges).toHaveLength(1);
    expect(rangeDays(ranges)).toBe(36_600);
    expect(ranges[0]![0]).toBe(localDayNumber(-8.64e15, 0));
  });

  it('clip helpers keep what lies inside and count days', () => {
    expect(
      clipRanges(
        [
          [1, 3],
          [5, 9],
          [12, 12],
        ],
        2,
        8,
      ),
    ).toEqual([
      [2, 3],
      [5, 8],
    ]);
    expect(clipRanges([[1, 3]], null, null)).toEqual([[1, 3]]);
    expect(
      rangeDays([
        [2, 3],
        [5, 8],
      ]),
    ).toBe(6);
  });
});
