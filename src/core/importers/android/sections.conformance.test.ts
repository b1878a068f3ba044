import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedFixtures } from '../../testing/shared-fixtures';
import { detectSingleDump, splitDumpsys } from './sections';

// Real third-party data (MVT tests/artifacts), read in place and never copied. Both main texts
// are trimmed and assembled from several captures (fixtures README, android-sources.md §6).
const dir = sharedFixtures('android');

describe.skipIf(dir === null)('conformance: splitting real main texts (MVT)', () => {
  const read = (path: string) => readFileSync(join(dir!, path), 'utf8');

  it('splits the bugreport dumpstate.txt into its 5 services on start markers only', () => {
    const { header, sections, problems } = splitDumpsys(
      read('android_data/bugreport/dumpstate.txt'),
    );
    // The trimmed text has no `== dumpstate:` header.
    expect(header).toEqual({
      dumpstateTime: null,
      dumpstateLine: null,
      build: null,
      buildFingerprint: null,
      bootloader: null,
    });
    expect(
      sections.map((s) => [
        s.service,
        s.priority,
        s.headerLine,
        s.startLine,
        s.lineCount,
        s.endedAt,
        s.endMarkerService,
      ]),
    ).toEqual([
      ['AAS', null, 16, 17, 0, '2022-03-29 23:14:26', 'AAS'],
      ['appops', null, 19, 20, 100, '2022-03-29 23:14:27', 'appops'],
      ['appwidget', null, 123, 124, 2, '2022-08-17 15:31:55', 'overlay'],
      ['package', null, 129, 130, 119, '2022-03-29 23:14:27', 'appops'],
      ['platform_compat', null, 251, 252, 15, null, null],
    ]);
    const appops = sections[1]!;
    expect(appops.text.split('\n')[0]).toBe('Current AppOps Service state:');
    expect(appops.text.split('\n').at(-1)).toBe('      WRITE_EXTERNAL_STORAGE (allow):');
    expect(sections[3]!.text.split('\n')[0]).toBe('Database versions:');
    // The end lines that name another service are reported, not trusted.
    expect(problems.map((p) => p.line)).toEqual([127, 249]);
    expect(problems[0]!.message).toMatch(/"appwidget" .* dumpsys "overlay"/);
  });

  it('splits the AndroidQF dumpsys.txt into its 7 services, headers with or without the rule', () => {
    const text = read('androidqf/dumpsys.txt');
    const { sections, problems } = splitDumpsys(text);
    expect(problems).toEqual([]);
    expect(sections.map((s) => [s.service, s.startLine, s.lineCount, s.endedAt])).toEqual([
      ['accessibility', 4, 44, '2022-01-28 17:37:22'],
      ['package', 53, 95, '2022-01-28 17:37:43'],
      ['appops', 151, 100, null],
      ['adb', 254, 10, '2024-03-21 11:07:22'],
      ['dbinfo', 267, 23, null],
      ['batterystats', 294, 88, '2024-03-21 11:07:22'],
      ['platform_compat', 385, 15, null],
    ]);
    // Every body line is the line of the whole text at startLine + index.
    const lines = text.split('\n');
    for (const s of sections) {
      expect(s.text.split('\n')).toEqual(
        lines.slice(s.startLine - 1, s.startLine - 1 + s.lineCount),
      );
    }
    // Both fixtures carry the same trimmed appops dump.
    const bugreport = splitDumpsys(read('android_data/bugreport/dumpstate.txt'));
    expect(sections[2]!.text).toBe(bugreport.sections[1]!.text);
  });

  it('recognises the single outputs of android_data by content', () => {
    const kinds = Object.fromEntries(
      [
        'dumpsys_appops.txt',
        'dumpsys_packages.txt',
        'getprop.txt',
        'dumpsys_battery.txt',
        'dumpsys_accessibility.txt',
        'dumpsys_adb.txt',
        'ps.txt',
        'bugreport/dumpstate.txt',
      ].map((f) => [f, detectSingleDump(read(`android_data/${f}`))]),
    );
    expect(kinds).toEqual({
      'dumpsys_appops.txt': 'appops',
      'dumpsys_packages.txt': 'package',
      'getprop.txt': 'getprop',
      'dumpsys_battery.txt': 'batterystats',
      'dumpsys_accessibility.txt': null,
      'dumpsys_adb.txt': null, // has a DUMP OF SERVICE header: split it instead
      'ps.txt': null,
      'bugreport/dumpstate.txt': null,
    });
    expect(detectSingleDump(read('androidqf/getprop.txt'))).toBe('getprop');
    expect(detectSingleDump(read('androidqf/settings_random.txt'))).toBeNull();
  });
});
