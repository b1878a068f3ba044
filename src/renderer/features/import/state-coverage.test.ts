import { describe, expect, it } from 'vitest';
import type { SourceInfo } from '../../../contract/records';
import { stateCoverageGaps, stateCoverageMessage } from './state-coverage';

let n = 0;
const day = (d: number): number => Date.UTC(2024, 4, d, 12);

function source(
  deviceId: number,
  importer: string,
  from: number | null,
  to: number | null,
): SourceInfo {
  return {
    id: (n += 1),
    deviceId,
    importer,
    importerVersion: '1',
    path: '/x',
    fileName: 'x',
    size: 0,
    sha256: 'h',
    importedAt: 0,
    counts: { lines: 0, access: 0, network: 0, sessions: 0, openSessions: 0, records: 0 },
    duplicateLines: 0,
    alreadyStored: 0,
    warnings: 0,
    dataFrom: from,
    dataTo: to,
  };
}

describe('stateCoverageGaps', () => {
  it('names a device whose report and PowerLog cover no common time', () => {
    const sources = [
      source(1, 'ios-app-privacy-report', day(1), day(7)),
      source(1, 'ios-powerlog', day(10), day(12)),
    ];
    const [gap] = stateCoverageGaps(sources);
    expect(gap).toEqual({
      deviceId: 1,
      report: { fromMs: day(1), toMs: day(7) },
      powerlog: { fromMs: day(10), toMs: day(12) },
    });
    expect(stateCoverageMessage(gap!, 'iPhone')).toBe(
      'iPhone: the App Privacy Report (2024-05-01 to 2024-05-07) and the PowerLog (2024-05-10 to 2024-05-12, UTC) cover no common time, so whether the screen was on or the device locked is unknown for every access in the report. Take a sysdiagnose right after saving the report, so both cover the same days.',
    );
  });

  it('says nothing when they overlap, when either is missing, or for other devices', () => {
    expect(
      stateCoverageGaps([
        source(1, 'ios-app-privacy-report', day(1), day(7)),
        source(1, 'ios-powerlog', day(7), day(9)),
      ]),
    ).toEqual([]);
    expect(stateCoverageGaps([source(1, 'ios-app-privacy-report', day(1), day(7))])).toEqual([]);
    expect(stateCoverageGaps([source(1, 'ios-powerlog', day(1), day(7))])).toEqual([]);
    expect(
      stateCoverageGaps([
        source(1, 'ios-app-privacy-report', day(1), day(7)),
        source(2, 'ios-powerlog', day(10), day(12)),
      ]),
    ).toEqual([]);
    // A PowerLog without any stored time says nothing either way.
    expect(
      stateCoverageGaps([
        source(1, 'ios-app-privacy-report', day(1), day(7)),
        source(1, 'ios-powerlog', null, null),
      ]),
    ).toEqual([]);
  });

  it('checks only the devices asked for, and any pair of sources may overlap', () => {
    const sources = [
      source(1, 'ios-app-privacy-report', day(1), day(2)),
      source(1, 'ios-app-privacy-report', day(20), day(22)),
      source(1, 'ios-powerlog', day(21), day(21)),
      source(2, 'ios-app-privacy-report', day(1), day(2)),
      source(2, 'ios-powerlog', day(5), day(6)),
    ];
    expect(stateCoverageGaps(sources).map((g) => g.deviceId)).toEqual([2]);
    expect(stateCoverageGaps(sources, [1])).toEqual([]);
  });
});
