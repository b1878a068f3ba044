import { describe, expect, it } from 'vitest';
import type { Device, SourceInfo } from '../../../contract/api';
import type { Filter } from '../../../contract/filter';
import type { CompareColumn, CompareColumnInfo, CompareRow } from '../../../contract/records';
import {
  bandFilter,
  buildColumns,
  cellMark,
  change,
  backupOnlyDevices,
  DAY_MS,
  dayStretches,
  daysExtent,
  defaultPicked,
  isShare,
  metricValue,
  METRICS,
  narrowRows,
  nightShare,
  noDataRanges,
  periodLabel,
  sampleOf,
  sessionsByDevice,
  splitAt,
  type Metric,
} from './compare-model';

const H = 3_600_000;
/** 2024-05-01 as a day number (days since 1970-01-01). */
const D = Date.UTC(2024, 4, 1) / DAY_MS;

function device(id: number, label: string, platform: Device['platform'] = 'ios'): Device {
  return {
    id,
    label,
    platform,
    model: null,
    osVersion: null,
    timeZone: null,
    offsetMin: null,
    identifiers: { udid: null, serial: null, imei: null, phoneNumber: null },
    sources: 1,
    createdAt: 0,
  };
}

function col(patch: Partial<CompareColumn> = {}): CompareColumn {
  return {
    label: 'A',
    observedDays: 10,
    sessions: 0,
    sessionsPerDay: 0,
    nightSessions: 0,
    medianSeconds: null,
    longestSeconds: null,
    backgroundShare: null,
    ...patch,
  };
}

function row(columns: CompareColumn[], patch: Partial<CompareRow> = {}): CompareRow {
  return {
    app: 'com.tencent.xin',
    appName: 'WeChat',
    apps: ['com.tencent.xin'],
    category: 'photos',
    columns,
    ...patch,
  };
}

/** A row whose columns carry these sessions-per-day values (null: no observed day). */
const perDayRow = (values: (number | null)[]): CompareRow =>
  row(
    values.map((v, i) =>
      col({ label: `C${i}`, sessionsPerDay: v, observedDays: v === null ? 0 : 10 }),
    ),
  );

function info(patch: Partial<CompareColumnInfo> = {}): CompareColumnInfo {
  return { label: 'A', deviceId: 1, from: null, to: null, days: [], offsetMin: 0, ...patch };
}

/** The UTC instant at which device-local day `day` starts, at `offsetMin`. */
const startOf = (day: number, offsetMin: number): number => day * DAY_MS - offsetMin * 60_000;

const devices = [device(1, 'Alice'), device(2, 'Bob', 'android'), device(3, 'Carol')];

describe('periodLabel', () => {
  it('writes DEVICE:FROM..TO, with empty ends left empty', () => {
    expect(periodLabel('Alice', { from: '2024-05-01', to: '2024-06-01' })).toBe(
      'Alice:2024-05-01..2024-06-01',
    );
    expect(periodLabel('Alice', { from: '', to: '2024-06-01' })).toBe('Alice:..2024-06-01');
    expect(periodLabel('Alice', { from: '2024-05-01', to: '' })).toBe('Alice:2024-05-01..');
  });
});

describe('buildColumns: devices', () => {
  it('makes one column per picked device, in picking order, labelled by the device', () => {
    expect(buildColumns('devices', devices, [3, 1], [])).toEqual({
      columns: [
        { label: 'Carol', deviceId: 3 },
        { label: 'Alice', deviceId: 1 },
      ],
    });
  });

  it('asks for two devices when fewer known ones are picked', () => {
    const problem = { problem: 'Pick two devices or more to compare.' };
    expect(buildColumns('devices', devices, [], [])).toEqual(problem);
    expect(buildColumns('devices', devices, [2], [])).toEqual(problem);
    // An id that is no longer in the case does not count.
    expect(buildColumns('devices', devices, [2, 99], [])).toEqual(problem);
  });

  it('ignores the periods in devices mode', () => {
    const r = buildColumns('devices', devices, [1, 2], [{ deviceId: 3, from: 'x', to: '' }]);
    expect(r).toEqual({
      columns: [
        { label: 'Alice', deviceId: 1 },
        { label: 'Bob', deviceId: 2 },
      ],
    });
  });
});

describe('buildColumns: periods', () => {
  it('labels periods like the CLI and leaves open ends out of the request', () => {
    const r = buildColumns(
      'periods',
      devices,
      [],
      [
        { deviceId: 1, from: '', to: '2024-05-10' },
        { deviceId: 1, from: '2024-05-10', to: '' },
        { deviceId: 2, from: '2024-05-01', to: '2024-05-08' },
        { deviceId: 3, from: '', to: '' },
      ],
    );
    expect(r).toEqual({
      columns: [
        { label: 'Alice:..2024-05-10', deviceId: 1, to: '2024-05-10' },
        { label: 'Alice:2024-05-10..', deviceId: 1, from: '2024-05-10' },
        { label: 'Bob:2024-05-01..2024-05-08', deviceId: 2, from: '2024-05-01', to: '2024-05-08' },
        { label: 'Carol:..', deviceId: 3 },
      ],
    });
    if ('columns' in r) {
      expect('from' in r.columns[0]!).toBe(false);
      expect('to' in r.columns[1]!).toBe(false);
    }
  });

  it('asks for two periods', () => {
    const problem = { problem: 'Add two periods or more to compare.' };
    expect(buildColumns('periods', devices, [1, 2], [])).toEqual(problem);
    expect(buildColumns('periods', devices, [1, 2], [{ deviceId: 1, from: '', to: '' }])).toEqual(
      problem,
    );
  });

  it('names the first period whose device is unknown', () => {
    expect(
      buildColumns(
        'periods',
        devices,
        [],
        [
          { deviceId: 1, from: '', to: '2024-05-10' },
          { deviceId: 0, from: '2024-05-10', to: '' },
          { deviceId: 42, from: '', to: '' },
        ],
      ),
    ).toEqual({ problem: 'Period 2: pick a device.' });
  });

  it('refuses a reversed or empty period, naming it', () => {
    const first = { deviceId: 1, from: '2024-05-01', to: '2024-05-05' };
    expect(
      buildColumns(
        'periods',
        devices,
        [],
        [first, { deviceId: 1, from: '2024-05-09', to: '2024-05-02' }],
      ),
    ).toEqual({ problem: 'Period 2 ends before it starts.' });
    expect(
      buildColumns(
        'periods',
        devices,
        [],
        [{ deviceId: 2, from: '2024-05-03', to: '2024-05-03' }, first],
      ),
    ).toEqual({ problem: 'Period 1 ends before it starts.' });
    // Across a month and a year the dates still order correctly.
    expect(
      buildColumns(
        'periods',
        devices,
        [],
        [first, { deviceId: 1, from: '2023-12-31', to: '2024-01-01' }],
      ),
    ).toEqual({
      columns: [
        {
          label: 'Alice:2024-05-01..2024-05-05',
          deviceId: 1,
          from: '2024-05-01',
          to: '2024-05-05',
        },
        {
          label: 'Alice:2023-12-31..2024-01-01',
          deviceId: 1,
          from: '2023-12-31',
          to: '2024-01-01',
        },
      ],
    });
  });

  it('refuses two identical periods (duplicate labels) but not the same dates on two devices', () => {
    const p = { deviceId: 1, from: '2024-05-01', to: '2024-05-05' };
    expect(buildColumns('periods', devices, [], [p, { ...p }])).toEqual({
      problem: 'Two periods are the same.',
    });
    expect(
      buildColumns('periods', devices, [], [{ ...p, from: '' }, p, { ...p, from: '' }]),
    ).toEqual({ problem: 'Two periods are the same.' });
    const r = buildColumns('periods', devices, [], [p, { ...p, deviceId: 2 }]);
    expect('columns' in r ? r.columns.map((c) => c.label) : r).toEqual([
      'Alice:2024-05-01..2024-05-05',
      'Bob:2024-05-01..2024-05-05',
    ]);
  });
});

describe('splitAt', () => {
  it('gives everything before the date and everything from it on', () => {
    const periods = splitAt(2, '2024-05-10');
    expect(periods).toEqual([
      { deviceId: 2, from: '', to: '2024-05-10' },
      { deviceId: 2, from: '2024-05-10', to: '' },
    ]);
    expect(buildColumns('periods', devices, [], periods)).toEqual({
      columns: [
        { label: 'Bob:..2024-05-10', deviceId: 2, to: '2024-05-10' },
        { label: 'Bob:2024-05-10..', deviceId: 2, from: '2024-05-10' },
      ],
    });
  });
});

describe('bandFilter', () => {
  const base: Filter = {
    devices: [1, 2, 3],
    apps: ['com.google.Maps'],
    categories: ['location'],
    from: '2024-01-01',
    to: '2024-12-31',
    hours: { from: '22:00', to: '06:00' },
    minSeconds: 5,
  };

  it('puts the column’s device and period in place of the sidebar’s devices and dates', () => {
    expect(
      bandFilter(base, { label: 'x', deviceId: 2, from: '2024-05-01', to: '2024-05-08' }, null),
    ).toEqual({
      devices: [2],
      apps: ['com.google.Maps'],
      categories: ['location'],
      from: '2024-05-01',
      to: '2024-05-08',
      hours: { from: '22:00', to: '06:00' },
      minSeconds: 5,
    });
  });

  it('drops the sidebar dates at an open end of the period', () => {
    const f = bandFilter(base, { label: 'x', deviceId: 3, to: '2024-05-08' }, null);
    expect(f.from).toBeUndefined();
    expect('from' in f).toBe(false);
    expect(f.to).toBe('2024-05-08');
    const open = bandFilter(base, { label: 'x', deviceId: 3 }, null);
    expect('from' in open || 'to' in open).toBe(false);
    expect(open.devices).toEqual([3]);
  });

  it('narrows to the drilled app (all its paired ids) and category', () => {
    const f = bandFilter(
      base,
      { label: 'x', deviceId: 1 },
      { apps: ['com.tencent.mm', 'com.tencent.xin'], category: 'photos' },
    );
    expect(f.apps).toEqual(['com.tencent.mm', 'com.tencent.xin']);
    expect(f.categories).toEqual(['photos']);
    expect(f.devices).toEqual([1]);
  });

  it('leaves the sidebar filter untouched', () => {
    const copy = structuredClone(base);
    bandFilter(base, { label: 'x', deviceId: 2 }, { apps: ['a'], category: 'camera' });
    expect(base).toEqual(copy);
  });
});

describe('narrowRows', () => {
  const rows = [
    row([col()], { app: 'com.tencent.xin', appName: 'WeChat', category: 'photos' }),
    row([col()], {
      app: 'com.tencent.mm',
      appName: 'WeChat',
      apps: ['com.tencent.mm', 'com.tencent.xin'],
      category: 'location',
    }),
    row([col()], {
      app: 'com.google.Maps',
      appName: null,
      apps: ['com.google.Maps'],
      category: 'location',
    }),
  ];
  const keys = (f: Filter) => narrowRows(rows, f).map((r) => `${r.app}/${r.category}`);

  it('keeps every row without app or category filters (devices and dates do not narrow)', () => {
    expect(keys({})).toHaveLength(3);
    expect(keys({ apps: [], categories: [], devices: [9], from: '2030-01-01' })).toHaveLength(3);
  });

  it('matches apps by any paired identifier or by display name', () => {
    expect(keys({ apps: ['com.tencent.xin'] })).toEqual([
      'com.tencent.xin/photos',
      'com.tencent.mm/location',
    ]);
    expect(keys({ apps: ['WeChat'] })).toEqual([
      'com.tencent.xin/photos',
      'com.tencent.mm/location',
    ]);
    expect(keys({ apps: ['com.google.Maps'] })).toEqual(['com.google.Maps/location']);
    expect(keys({ apps: ['Maps'] })).toEqual([]);
  });

  it('matches categories, and both filters together', () => {
    expect(keys({ categories: ['location'] })).toEqual([
      'com.tencent.mm/location',
      'com.google.Maps/location',
    ]);
    expect(keys({ apps: ['WeChat'], categories: ['location', 'camera'] })).toEqual([
      'com.tencent.mm/location',
    ]);
  });
});

describe('nightShare and metricValue', () => {
  const c = col({
    sessions: 8,
    nightSessions: 2,
    sessionsPerDay: 0.8,
    medianSeconds: 12.5,
    longestSeconds: 90,
    backgroundShare: 0.25,
  });

  it('gives night sessions over sessions, null without sessions', () => {
    expect(nightShare(c)).toBe(0.25);
    expect(nightShare(col({ sessions: 0, nightSessions: 0 }))).toBeNull();
  });

  it('reads each metric from its field', () => {
    const values = (['perDay', 'night', 'median', 'longest', 'background'] as Metric[]).map((m) =>
      metricValue(c, m),
    );
    expect(values).toEqual([0.8, 0.25, 12.5, 90, 0.25]);
  });

  it('has no night share without observed days, and passes nulls through', () => {
    expect(
      metricValue(col({ sessions: 3, nightSessions: 3, observedDays: 0 }), 'night'),
    ).toBeNull();
    expect(metricValue(col({ sessions: 0, observedDays: 4 }), 'night')).toBeNull();
    expect(metricValue(col({ sessions: 4, nightSessions: 0, observedDays: 4 }), 'night')).toBe(0);
    const empty = col({ sessionsPerDay: null, observedDays: 0 });
    expect(metricValue(empty, 'perDay')).toBeNull();
    expect(metricValue(empty, 'median')).toBeNull();
    expect(metricValue(empty, 'longest')).toBeNull();
    expect(metricValue(empty, 'background')).toBeNull();
  });
});

describe('change', () => {
  const value = (r: CompareRow, m: Metric, kind: 'devices' | 'periods') =>
    change(r, m, kind)?.value;

  it('is the spread for devices, the same whatever the order of the columns', () => {
    expect(change(perDayRow([1, 3]), 'perDay', 'devices')).toEqual({
      kind: 'spread',
      value: 2,
      high: [1],
      low: [0],
    });
    expect(change(perDayRow([3, 1]), 'perDay', 'devices')).toEqual({
      kind: 'spread',
      value: 2,
      high: [0],
      low: [1],
    });
    expect(value(perDayRow([1, 5, 3]), 'perDay', 'devices')).toBe(4);
    expect(value(perDayRow([5, 1, 3]), 'perDay', 'devices')).toBe(4);
    expect(change(perDayRow([2, 2, 2]), 'perDay', 'devices')).toMatchObject({ value: 0, high: [] });
  });

  it('is the last minus the first for periods, signed by time', () => {
    expect(value(perDayRow([1, 3]), 'perDay', 'periods')).toBe(2);
    expect(value(perDayRow([3, 1]), 'perDay', 'periods')).toBe(-2);
    expect(value(perDayRow([5, 1, 3]), 'perDay', 'periods')).toBe(-2);
    expect(change(perDayRow([null, 1, 3]), 'perDay', 'periods')).toBeNull();
  });

  it('skips null columns for devices and is null with fewer than two values', () => {
    expect(value(perDayRow([2, null, 4.5]), 'perDay', 'devices')).toBe(2.5);
    expect(value(perDayRow([null, 4, null, 1]), 'perDay', 'devices')).toBe(3);
    expect(change(perDayRow([null, 4]), 'perDay', 'devices')).toBeNull();
    expect(change(perDayRow([null, null]), 'perDay', 'devices')).toBeNull();
    expect(change(perDayRow([7]), 'perDay', 'devices')).toBeNull();
    expect(change(row([]), 'perDay', 'devices')).toBeNull();
  });

  it('works on the metric asked for', () => {
    const r = row([
      col({ medianSeconds: 30, longestSeconds: 100, sessions: 4, nightSessions: 1 }),
      col({ medianSeconds: 10, longestSeconds: 400, sessions: 4, nightSessions: 3 }),
    ]);
    expect(value(r, 'median', 'periods')).toBe(-20);
    expect(value(r, 'median', 'devices')).toBe(20);
    expect(value(r, 'longest', 'devices')).toBe(300);
    expect(value(r, 'night', 'devices')).toBe(0.5);
    expect(change(r, 'background', 'devices')).toBeNull();
  });
});

describe('sampleOf', () => {
  it('names the sample beside each figure', () => {
    const c = col({
      sessions: 10,
      nightSessions: 4,
      observedDays: 5,
      knownStateSessions: 8,
      closedSessions: 9,
    });
    expect(sampleOf(c, 'perDay')).toBe('10 in 5 d');
    expect(sampleOf(c, 'night')).toBe('4 of 10');
    expect(sampleOf(c, 'background')).toBe('of 8');
    expect(sampleOf(c, 'median')).toBe('n=9');
    expect(sampleOf(c, 'longest')).toBe('n=9');
    expect(sampleOf(col({ observedDays: 0 }), 'night')).toBeNull();
  });
});

describe('defaultPicked', () => {
  it('leaves a device without access sessions (a backup alone) out by default', () => {
    const sessions = sessionsByDevice([
      { deviceId: 1, counts: { sessions: 5 } as SourceInfo['counts'] },
      { deviceId: 2, counts: { sessions: 0 } as SourceInfo['counts'] },
      { deviceId: 3, counts: { sessions: 2 } as SourceInfo['counts'] },
      { deviceId: 3, counts: { sessions: 1 } as SourceInfo['counts'] },
    ]);
    expect(sessions).toEqual(
      new Map([
        [1, 5],
        [2, 0],
        [3, 3],
      ]),
    );
    expect(defaultPicked([device(1, 'A'), device(2, 'B'), device(3, 'C')], sessions)).toEqual([
      1, 3,
    ]);
    expect(defaultPicked([device(1, 'A'), device(2, 'B'), device(3, 'C')], null)).toEqual([
      1, 2, 3,
    ]);
    expect(
      defaultPicked(
        [1, 2, 3, 4, 5, 6].map((id) => device(id, `D${id}`)),
        null,
      ),
    ).toEqual([1, 2, 3, 4]);
  });

  it('tells a device whose sources all come from a backup', () => {
    expect(
      backupOnlyDevices([
        { deviceId: 1, importer: 'ios-app-privacy-report' },
        { deviceId: 1, importer: 'ios-backup-tcc' },
        { deviceId: 2, importer: 'ios-backup-tcc' },
        { deviceId: 2, importer: 'ios-backup-data-usage' },
        { deviceId: 3, importer: 'android-dumpsys' },
      ]),
    ).toEqual(new Set([2]));
  });
});

describe('cellMark', () => {
  const marks = (r: CompareRow, m: Metric = 'perDay') => r.columns.map((_, i) => cellMark(r, i, m));

  it('marks the highest and lowest of a clear spread, and nothing in between', () => {
    expect(marks(perDayRow([1, 2]))).toEqual(['low', 'high']);
    expect(marks(perDayRow([4, 1, 2]))).toEqual(['high', 'low', null]);
    expect(marks(perDayRow([0, 0.6]))).toEqual(['low', 'high']);
  });

  it('marks ties at the top or bottom alike', () => {
    expect(marks(perDayRow([3, 1, 3]))).toEqual(['high', 'low', 'high']);
  });

  it('leaves small spreads unmarked: below the floor, or less than half again the smaller', () => {
    expect(marks(perDayRow([0, 0.4]))).toEqual([null, null]);
    expect(marks(perDayRow([10, 14.9]))).toEqual([null, null]);
    expect(marks(perDayRow([10, 15]))).toEqual(['low', 'high']);
    expect(marks(perDayRow([2, 2]))).toEqual([null, null]);
  });

  it('uses a floor of one second for durations and ten points for shares', () => {
    const secs = row([col({ medianSeconds: 1 }), col({ medianSeconds: 1.9 })]);
    expect(marks(secs, 'median')).toEqual([null, null]);
    const secs2 = row([col({ longestSeconds: 1 }), col({ longestSeconds: 2 })]);
    expect(marks(secs2, 'longest')).toEqual(['low', 'high']);
    const share = row([col({ backgroundShare: 0.05 }), col({ backgroundShare: 0.14 })]);
    expect(marks(share, 'background')).toEqual([null, null]);
    const share2 = row([col({ backgroundShare: 0.05 }), col({ backgroundShare: 0.2 })]);
    expect(marks(share2, 'background')).toEqual(['low', 'high']);
    const night = row([
      col({ sessions: 10, nightSessions: 1 }),
      col({ sessions: 10, nightSessions: 5 }),
    ]);
    expect(marks(night, 'night')).toEqual(['low', 'high']);
  });

  it('is null for null cells, with fewer than two values, and out of range', () => {
    expect(marks(perDayRow([null, 1, 5]))).toEqual([null, 'low', 'high']);
    expect(marks(perDayRow([null, 5]))).toEqual([null, null]);
    expect(cellMark(perDayRow([1, 5]), 2, 'perDay')).toBeNull();
    expect(cellMark(perDayRow([1, 5]), -1, 'perDay')).toBeNull();
  });
});

describe('noDataRanges', () => {
  it('merges consecutive missing days east of UTC (+08:00), placed at local midnight', () => {
    const off = 480;
    const c = info({ days: [D, D + 1, D + 4], offsetMin: off });
    const range = { fromMs: startOf(D, off), toMs: startOf(D + 5, off) - 1 };
    expect(noDataRanges(c, range)).toEqual([
      { fromMs: startOf(D + 2, off), toMs: startOf(D + 4, off) },
    ]);
    expect(startOf(D + 2, off)).toBe(Date.UTC(2024, 4, 2, 16));
  });

  it('places local days west of UTC (−05:00) and clips to the range', () => {
    const off = -300;
    const c = info({ days: [D + 1, D + 3], offsetMin: off });
    // From the middle of local day D to the middle of local day D+4.
    const range = { fromMs: startOf(D, off) + 12 * H, toMs: startOf(D + 4, off) + 6 * H };
    expect(noDataRanges(c, range)).toEqual([
      { fromMs: range.fromMs, toMs: startOf(D + 1, off) },
      { fromMs: startOf(D + 2, off), toMs: startOf(D + 3, off) },
      { fromMs: startOf(D + 4, off), toMs: range.toMs },
    ]);
    expect(startOf(D + 2, off)).toBe(Date.UTC(2024, 4, 3, 5));
  });

  it('gives the same days at different instants for different offsets', () => {
    const range = { fromMs: Date.UTC(2024, 4, 1) - 24 * H, toMs: Date.UTC(2024, 4, 5) };
    const east = noDataRanges(info({ days: [D, D + 1, D + 2, D + 3], offsetMin: 600 }), range);
    const west = noDataRanges(info({ days: [D, D + 1, D + 2, D + 3], offsetMin: -600 }), range);
    expect(east).toEqual([
      { fromMs: range.fromMs, toMs: Date.UTC(2024, 3, 30, 14) },
      { fromMs: Date.UTC(2024, 4, 4, 14), toMs: range.toMs },
    ]);
    expect(west).toEqual([{ fromMs: range.fromMs, toMs: Date.UTC(2024, 4, 1, 10) }]);
  });

  it('is the whole range without observed days, and empty when every day is observed', () => {
    const range = { fromMs: startOf(D, 60) + H, toMs: startOf(D + 3, 60) - H };
    expect(noDataRanges(info({ days: [], offsetMin: 60 }), range)).toEqual([range]);
    expect(noDataRanges(info({ days: [D, D + 1, D + 2], offsetMin: 60 }), range)).toEqual([]);
  });

  it('treats observed days outside the period as no data (from inclusive, to exclusive)', () => {
    const off = 120;
    const c = info({
      days: [D, D + 1, D + 2, D + 3, D + 4],
      offsetMin: off,
      from: '2024-05-02',
      to: '2024-05-04',
    });
    const range = { fromMs: startOf(D, off), toMs: startOf(D + 5, off) - 1 };
    expect(noDataRanges(c, range)).toEqual([
      { fromMs: startOf(D, off), toMs: startOf(D + 1, off) },
      { fromMs: startOf(D + 3, off), toMs: range.toMs },
    ]);
  });

  it('honours an open-ended period on either side', () => {
    const days = [D, D + 1, D + 2, D + 3];
    const range = { fromMs: startOf(D, 0), toMs: startOf(D + 4, 0) - 1 };
    expect(noDataRanges(info({ days, to: '2024-05-03' }), range)).toEqual([
      { fromMs: startOf(D + 2, 0), toMs: range.toMs },
    ]);
    expect(noDataRanges(info({ days, from: '2024-05-03' }), range)).toEqual([
      { fromMs: startOf(D, 0), toMs: startOf(D + 2, 0) },
    ]);
  });

  it('stays exact over very long ranges', () => {
    const first = D - 10_000;
    const range = { fromMs: startOf(first, 0), toMs: startOf(D, 0) - 1 };
    expect(noDataRanges(info({ days: [] }), range)).toEqual([range]);
    const mid = first + 5001;
    const out = noDataRanges(info({ days: [mid] }), range);
    expect(out).toEqual([
      { fromMs: range.fromMs, toMs: startOf(mid, 0) },
      { fromMs: startOf(mid + 1, 0), toMs: range.toMs },
    ]);
  });

  // The day starting exactly at the view's end has no width in view: it is not a stretch.
  it('reports nothing when a fully observed view ends exactly at local midnight', () => {
    const off = 480;
    const c = info({ days: [D, D + 1, D + 2], offsetMin: off });
    const range = { fromMs: startOf(D, off), toMs: startOf(D + 3, off) };
    expect(noDataRanges(c, range)).toEqual([]);
  });
});

describe('dayStretches', () => {
  it('joins consecutive days into first…last stretches', () => {
    expect(dayStretches([D, D + 1, D + 2, D + 8, D + 30, D + 31])).toBe(
      '2024-05-01…2024-05-03, 2024-05-09, 2024-05-31…2024-06-01',
    );
  });

  it('writes single days alone, and nothing for no days', () => {
    expect(dayStretches([D])).toBe('2024-05-01');
    expect(dayStretches([D, D + 2])).toBe('2024-05-01, 2024-05-03');
    expect(dayStretches([])).toBe('');
  });

  it('crosses month and year ends', () => {
    const nye = Date.UTC(2023, 11, 31) / DAY_MS;
    expect(dayStretches([nye - 1, nye, nye + 1])).toBe('2023-12-30…2024-01-01');
    expect(dayStretches([0])).toBe('1970-01-01');
  });
});

describe('daysExtent', () => {
  it('spans every column’s first to last day, each at its own offset', () => {
    const ext = daysExtent([
      info({ days: [D, D + 2], offsetMin: 480 }),
      info({ days: [D + 1, D + 3], offsetMin: -300 }),
    ]);
    expect(ext).toEqual({ fromMs: Date.UTC(2024, 3, 30, 16), toMs: Date.UTC(2024, 4, 5, 5) });
  });

  it('skips columns without days, and is null when none has any', () => {
    expect(daysExtent([info({ days: [] }), info({ days: [D], offsetMin: 0 })])).toEqual({
      fromMs: Date.UTC(2024, 4, 1),
      toMs: Date.UTC(2024, 4, 2),
    });
    expect(daysExtent([info({ days: [] }), info({ days: [] })])).toBeNull();
    expect(daysExtent([])).toBeNull();
  });
});

describe('locked share', () => {
  it('reads the locked share with its sample, and marks a clear spread', () => {
    const a = col({ lockedShare: 0.8, knownLockSessions: 10 });
    const b = col({ lockedShare: 0.1, knownLockSessions: 20 });
    expect(metricValue(a, 'locked')).toBe(0.8);
    expect(metricValue(col(), 'locked')).toBeNull();
    expect(sampleOf(a, 'locked')).toBe('of 10');
    expect(sampleOf(col(), 'locked')).toBeNull();
    const r = row([a, b]);
    expect(cellMark(r, 0, 'locked')).toBe('high');
    expect(cellMark(r, 1, 'locked')).toBe('low');
    expect(isShare('locked')).toBe(true);
    expect(METRICS.map((m) => m.id)).toContain('locked');
  });
});
