import { describe, expect, it } from 'vitest';
import { APPLE_EPOCH_SECONDS, parsePlist, writeBinaryPlist } from '../../../formats/plist';
import { osanalyticsAddailyManifest, readAddaily } from './osanalytics-addaily';

// Synthetic baseline shaped like reference ios-backup.md §10; process names are placeholders.
const day = new Date(Date.UTC(2024, 0, 2));

describe('readAddaily', () => {
  it('reads one record per process', () => {
    const plist = parsePlist(
      writeBinaryPlist({
        netUsageBaseline: {
          exampled: [day, 10, 20, 30, 40],
          'com.example.app': [700_000_000, 1, 2, 3n, 4.5],
        },
        otherKey: 1,
      }),
    );
    const { records, problems } = readAddaily(plist);
    expect(problems).toEqual([]);
    expect(records).toEqual([
      {
        process: 'exampled',
        dateMs: day.getTime(),
        wifiIn: 10,
        wifiOut: 20,
        cellIn: 30,
        cellOut: 40,
        locator: 'netUsageBaseline key exampled',
      },
      {
        process: 'com.example.app',
        dateMs: (700_000_000 + APPLE_EPOCH_SECONDS) * 1000,
        wifiIn: 1,
        wifiOut: 2,
        cellIn: 3,
        cellOut: 4.5,
        locator: 'netUsageBaseline key com.example.app',
      },
    ]);
  });

  it('keeps short, long and odd arrays as far as they go', () => {
    const { records, problems } = readAddaily({
      netUsageBaseline: {
        short: [day, 1],
        long: [day, 1, 2, 3, 4, 5],
        odd: ['today', 1, 'x', 3, 4],
        notArray: { a: 1 },
      },
    });
    expect(records.map((r) => [r.process, r.dateMs, r.wifiIn, r.wifiOut, r.cellOut])).toEqual([
      ['short', day.getTime(), 1, null, null],
      ['long', day.getTime(), 1, 2, 4],
      ['odd', null, 1, null, 4],
    ]);
    expect(problems).toEqual([
      'netUsageBaseline key short: has 2 values, expected 5 (date, Wi-Fi in/out, cellular in/out)',
      'netUsageBaseline key long: has 6 values, expected 5 (date, Wi-Fi in/out, cellular in/out)',
      'netUsageBaseline key odd: date is a string, not a time',
      'netUsageBaseline key odd: wifiOut is a string, not a number',
      'netUsageBaseline key notArray: is a dict, not an array; skipped',
    ]);
  });

  it('reports a missing baseline or a non-dict root', () => {
    expect(readAddaily({ other: 1 })).toEqual({
      records: [],
      problems: ['addaily plist netUsageBaseline is missing, not a dict'],
    });
    expect(readAddaily('x')).toEqual({
      records: [],
      problems: ['addaily plist is a string, not a dict'],
    });
  });

  it('declares that it names no destinations', () => {
    expect(osanalyticsAddailyManifest.doesNotProve.join(' ')).toMatch(/destination/i);
  });
});
