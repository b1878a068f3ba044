import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedFixtures } from '../../testing/shared-fixtures';
import { captureLocalTimeFromName, readPowerLogFile } from './reader';

// Real third-party data (plaso test_data/ios/powerlog_2021-12-16_05-54_84E2141B.PLSQL, an iPad
// mini 5 on iPadOS 15.0.2): read in place into memory, never copied (see shared/fixtures/README.md).
const dir = sharedFixtures('ios-sysdiagnose');
const NAME = 'powerlog_2021-12-16_05-54_84E2141B.PLSQL';
// The fixtures README gives the device's zone at capture: UTC-5.
const ZONE_OFFSET_MS = -5 * 3600_000;

describe.skipIf(dir === null)('conformance: real iPadOS 15 PowerLog (plaso)', () => {
  const path = (): string => join(dir!, NAME);

  it('the last corrected row lands on the capture time in the file name', async () => {
    const r = await readPowerLogFile(path());
    const local = captureLocalTimeFromName(NAME);
    expect(local).toBe('2021-12-16T05:54');
    const captureUtcMs = Date.parse(`${local}:00Z`) - ZONE_OFFSET_MS;
    const last = r.changes[r.changes.length - 1]!;
    expect(last.atMs).toBeGreaterThanOrEqual(captureUtcMs);
    expect(last.atMs).toBeLessThan(captureUtcMs + 60_000);
    // Uncorrected, the same row would sit more than ten minutes after the capture.
    expect(last.rawTimestamp * 1000 - captureUtcMs).toBeGreaterThan(10 * 60_000);
    expect(last.offsetBasis).toBe('in-effect');
    expect(last.offsetSeconds).toBeCloseTo(-631.94, 2);
    expect(last.locator).toEqual({
      table: 'PLScreenStateAgent_EventForward_ScreenState',
      rowid: 1019,
    });
  });

  it('reads every state table whole, with its seven time-offset records', async () => {
    const r = await readPowerLogFile(path());
    expect(r.problems).toEqual([]);
    expect(r.missingTables).toEqual([]);
    const counts: Record<string, number> = {};
    for (const c of r.changes) counts[c.kind] = (counts[c.kind] ?? 0) + 1;
    expect(counts).toEqual({
      lock: 6,
      screen: 18,
      'screen-app': 28,
      backlight: 17,
      'location-client': 65,
      camera: 1,
      'app-state': 188,
    });
    expect(r.timeOffsets.map((o) => Math.round(o.systemSeconds))).toEqual([
      -373, -412, -412, -412, -412, -412, -632,
    ]);
    for (let i = 1; i < r.changes.length; i++) {
      expect(r.changes[i]!.atMs).toBeGreaterThanOrEqual(r.changes[i - 1]!.atMs);
    }
  });

  it('gives the lock sequence of the capture day and keeps intervals inside coverage', async () => {
    const r = await readPowerLogFile(path());
    const lastDay = r.changes
      .filter((c) => c.kind === 'lock' && new Date(c.atMs).toISOString().startsWith('2021-12-16'))
      .map((c) => [new Date(c.atMs).toISOString().slice(11, 19), c.value]);
    expect(lastDay).toEqual([
      ['10:28:55', true],
      ['10:53:40', false],
      ['10:53:50', true],
      ['10:53:57', false],
    ]);
    // Rows older than the first time-offset record take its offset.
    const first = r.changes.find((c) => c.kind === 'lock')!;
    expect(first.offsetBasis).toBe('earliest');
    const cover = new Map(r.coverage.map((c) => [c.kind, c] as const));
    for (const i of r.intervals) {
      const c = cover.get(i.kind)!;
      expect(i.startMs).toBeGreaterThanOrEqual(c.startMs);
      expect(i.endMs).toBeLessThanOrEqual(c.endMs);
    }
    const screenApps = new Set(
      r.changes.filter((c) => c.kind === 'screen-app').map((c) => c.value),
    );
    expect(screenApps).toEqual(
      new Set([
        'com.apple.lock-screen',
        'com.apple.springboard.home-screen',
        'com.apple.springboard.passcode',
        'com.apple.Preferences',
      ]),
    );
  });

  it('leaves the evidence file and its folder untouched', async () => {
    const before = createHash('sha256').update(readFileSync(path())).digest('hex');
    const names = readdirSync(dir!).sort();
    await readPowerLogFile(path());
    expect(createHash('sha256').update(readFileSync(path())).digest('hex')).toBe(before);
    expect(readdirSync(dir!).sort()).toEqual(names);
  });
});
