import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { patchWalHeader } from '../../../formats/ios-backup-crypto/decrypt';
import { sharedFixtures } from '../../../testing/shared-fixtures';
import { readDataUsage } from './data-usage';

// Real third-party data (plaso test_data/ios/DataUsage.sqlite): read in place into memory, never
// opened by path (no -wal/-shm beside it) and never copied (see shared/fixtures/README.md).
const dir = sharedFixtures('ios-backup');

describe.skipIf(dir === null)('conformance: real DataUsage.sqlite (plaso)', () => {
  const load = () => {
    const bytes = readFileSync(join(dir!, 'artifacts', 'DataUsage.sqlite'));
    // The file is in WAL mode (header bytes 18/19 = 2) and only opens from memory once patched.
    return new Database(Buffer.from(patchWalHeader(bytes)), { readonly: true });
  };

  it('reads 887 usage rows and the 35 processes without usage, 2023-04-11 … 2023-05-20', () => {
    const db = load();
    try {
      expect(db.prepare('SELECT count(*) AS n FROM ZPROCESS').get()).toEqual({ n: 371 });
      expect(db.prepare('SELECT count(*) AS n FROM ZLIVEUSAGE').get()).toEqual({ n: 887 });
      const { records, problems } = readDataUsage(db);
      expect(problems).toEqual([]);
      const live = records.filter((r) => r.liveRowid !== null);
      const idle = records.filter((r) => r.liveRowid === null);
      expect(live).toHaveLength(887);
      expect(new Set(live.map((r) => r.liveRowid)).size).toBe(887);
      expect(idle).toHaveLength(35);
      expect(new Set(records.map((r) => r.processRowid)).size).toBe(371);
      // Every usage row names an existing process and carries Wi-Fi and cellular counts.
      expect(live.every((r) => r.process !== null && r.wifiIn !== null && r.cellOut !== null)).toBe(
        true,
      );

      const times = records.flatMap((r) => [r.firstSeenMs, r.lastSeenMs]).filter((t) => t !== null);
      expect(times).toHaveLength(records.length * 2);
      const day = (t: number) => new Date(t).toISOString().slice(0, 10);
      expect(day(Math.min(...times))).toBe('2023-04-11');
      expect(day(Math.max(...times))).toBe('2023-05-20');
      const liveTimes = live.map((r) => r.lastSeenMs ?? Number.NaN);
      expect(day(Math.min(...liveTimes))).toBe('2023-04-11');
      expect(day(Math.max(...liveTimes))).toBe('2023-05-20');
    } finally {
      db.close();
    }
  });

  it('names bundles and keeps the device-wide tracker row apart', () => {
    const db = load();
    try {
      const { records } = readDataUsage(db);
      const tracker = records.filter((r) => r.process === 'CumulativeUsageTracker');
      expect(tracker).toHaveLength(1);
      expect(tracker[0]).toMatchObject({
        bundleId: null,
        executable: 'CumulativeUsageTracker',
        kind: 255,
      });
      expect(
        records.find((r) => r.process === 'mDNSResponder/com.garmin.connect.mobile'),
      ).toMatchObject({
        bundleId: 'com.garmin.connect.mobile',
        executable: 'mDNSResponder',
      });
      expect(records.filter((r) => r.bundleId === null)).toHaveLength(1);
    } finally {
      db.close();
    }
  });
});
