import { describe, expect, it } from 'vitest';
import {
  DumpSplitter,
  DumpTooLargeError,
  detectSingleDump,
  looksLikeDumpsysText,
  splitDumpsys,
} from './sections';

const RULE = '-'.repeat(79);

// A hand-written bugreport main text in the Android 10+ shape (android-sources.md §6).
const BUGREPORT = [
  '========================================================',
  '== dumpstate: 2025-06-18 19:20:45',
  '========================================================',
  '',
  'Build: UP1A.231005.007',
  "Build fingerprint: 'examplebrand/exampleproduct/exampledevice:14/UP1A.231005.007/1:user/release-keys'",
  'Bootloader: EX1234',
  'Bugreport format version: 2.0',
  '------ SYSTEM PROPERTIES (getprop) ------', // 9
  '[persist.sys.timezone]: [Europe/Lisbon]',
  '[ro.build.version.sdk]: [34]',
  "------ 0.034s was the duration of 'SYSTEM PROPERTIES' ------", // 12
  '------ DUMPSYS CRITICAL (/system/bin/dumpsys) ------', // 13
  RULE,
  'DUMP OF SERVICE CRITICAL cpuinfo:', // 15
  'Load: 1.0 / 1.0 / 1.0',
  '--------- 0.010s was the duration of dumpsys cpuinfo, ending at: 2025-06-18 19:20:46',
  "------ 0.1s was the duration of 'DUMPSYS CRITICAL' ------", // 18
  'stray line between commands',
  '------ DUMPSYS (/system/bin/dumpsys) ------', // 20
  RULE,
  'DUMP OF SERVICE appops:', // 22
  'Current AppOps Service state:',
  '  Uid u0a245:',
  RULE, // a rule not followed by a header stays in the body
  '    Package com.example.social:',
  '',
  '--------- 0.053s was the duration of dumpsys appops, ending at: 2025-06-18 19:20:47',
  '',
  RULE,
  'DUMP OF SERVICE HIGH netstats:', // 31
  'Active interfaces:',
  '--------- 0.002s was the duration of dumpsys notnetstats, ending at: 2025-06-18 19:20:48',
  RULE,
  'DUMP OF SERVICE usagestats:', // 35
  'user=0',
  '  Last 24 hour events (timeRange="…" )',
  '',
  '',
].join('\n');

describe('splitDumpsys', () => {
  it('splits a bugreport on start markers and reads its header', () => {
    const { header, sections, problems } = splitDumpsys(BUGREPORT);
    expect(header).toEqual({
      dumpstateTime: '2025-06-18 19:20:45',
      dumpstateLine: 2,
      build: 'UP1A.231005.007',
      buildFingerprint:
        'examplebrand/exampleproduct/exampledevice:14/UP1A.231005.007/1:user/release-keys',
      bootloader: 'EX1234',
    });
    expect(
      sections.map((s) => [s.service, s.kind, s.priority, s.headerLine, s.startLine, s.lineCount]),
    ).toEqual([
      ['getprop', 'command', null, 9, 10, 2],
      ['command:DUMPSYS CRITICAL', 'command', null, 13, 14, 0],
      ['cpuinfo', 'dumpsys', 'CRITICAL', 15, 16, 1],
      ['command:DUMPSYS', 'command', null, 20, 21, 0],
      ['appops', 'dumpsys', null, 22, 23, 4],
      ['netstats', 'dumpsys', 'HIGH', 31, 32, 1],
      ['usagestats', 'dumpsys', null, 35, 36, 2],
    ]);
    const by = (name: string) => sections.find((s) => s.service === name)!;
    expect(by('getprop').text).toBe(
      '[persist.sys.timezone]: [Europe/Lisbon]\n[ro.build.version.sdk]: [34]',
    );
    expect(by('cpuinfo').endedAt).toBe('2025-06-18 19:20:46');
    expect(by('appops').text).toBe(
      [
        'Current AppOps Service state:',
        '  Uid u0a245:',
        RULE,
        '    Package com.example.social:',
      ].join('\n'),
    );
    expect(by('appops').endedAt).toBe('2025-06-18 19:20:47');
    expect(by('usagestats').endedAt).toBeNull();
    expect(by('usagestats').text).toBe('user=0\n  Last 24 hour events (timeRange="…" )');
    // The netstats section ends with another service's end line: kept, and reported.
    expect(by('netstats').endedAt).toBe('2025-06-18 19:20:48');
    expect(by('netstats').endMarkerService).toBe('notnetstats');
    expect(problems).toEqual([
      {
        line: 33,
        message:
          'The section "netstats" (header on line 31) ends with the end line of dumpsys "notnetstats"; the text may be assembled from several captures.',
      },
    ]);
  });

  it('numbers body lines so startLine + index is the line in the whole text', () => {
    const lines = BUGREPORT.split('\n');
    for (const s of splitDumpsys(BUGREPORT).sections) {
      s.text
        .split('\n')
        .filter(() => s.lineCount > 0)
        .forEach((l, i) => expect(lines[s.startLine - 1 + i]).toBe(l));
    }
  });

  it('accepts a header without its rule, CRLF endings and end lines without a time', () => {
    const text = [
      'some text',
      '',
      'DUMP OF SERVICE package:',
      'Packages:',
      '--------- 2.9s was the duration of dumpsys package',
      '----------------------------',
      RULE,
      'DUMP OF SERVICE NORMAL appops:',
      'Current AppOps Service state:',
    ].join('\r\n');
    const { sections, problems, header } = splitDumpsys(text);
    expect(header.dumpstateTime).toBeNull();
    expect(problems).toEqual([]);
    expect(
      sections.map((s) => [s.service, s.priority, s.text, s.endMarkerService, s.endedAt]),
    ).toEqual([
      ['package', null, 'Packages:', 'package', null],
      ['appops', 'NORMAL', 'Current AppOps Service state:', null, null],
    ]);
  });

  it('returns no sections for text without markers', () => {
    expect(splitDumpsys('Current AppOps Service state:\n  Settings:\n').sections).toEqual([]);
    expect(splitDumpsys('').sections).toEqual([]);
  });
});

describe('DumpSplitter', () => {
  it('keeps only the chosen sections, still listing the others with their end times', () => {
    const s = new DumpSplitter({ keep: (name) => name === 'appops' });
    for (const line of BUGREPORT.split('\n')) s.push(line);
    const { sections } = s.finish();
    expect(sections.filter((x) => x.kept).map((x) => x.service)).toEqual(['appops']);
    const cpu = sections.find((x) => x.service === 'cpuinfo')!;
    expect(cpu).toMatchObject({
      kept: false,
      text: '',
      lineCount: 1,
      endedAt: '2025-06-18 19:20:46',
    });
    expect(sections.find((x) => x.service === 'usagestats')!.lineCount).toBe(2);
  });

  it('finds the end line of a long unkept section from its tail', () => {
    const s = new DumpSplitter({ keep: () => false });
    s.push('DUMP OF SERVICE package:');
    for (let i = 0; i < 1000; i++) s.push(`line ${i}`);
    s.push('--------- 1.0s was the duration of dumpsys package, ending at: 2025-01-01 00:00:00');
    s.push('');
    const [pkg] = s.finish().sections;
    expect(pkg).toMatchObject({ lineCount: 1000, endedAt: '2025-01-01 00:00:00', text: '' });
  });

  it('throws a clear error when kept text passes the bound', () => {
    const s = new DumpSplitter({ maxKeptChars: 100 });
    s.push('DUMP OF SERVICE appops:');
    expect(() => {
      for (let i = 0; i < 20; i++) s.push('0123456789');
    }).toThrow(DumpTooLargeError);
    const s2 = new DumpSplitter({ maxKeptChars: 100, keep: (n) => n !== 'appops' });
    s2.push('DUMP OF SERVICE appops:');
    for (let i = 0; i < 20; i++) s2.push('0123456789');
    expect(s2.finish().sections).toHaveLength(1);
  });
});

describe('detectSingleDump', () => {
  it('recognises appops, getprop, package and usagestats outputs by their first lines', () => {
    expect(detectSingleDump('\nCurrent AppOps Service state:\n  Settings:\n')).toBe('appops');
    expect(
      detectSingleDump('\n[af.fast_track_multiplier]: [1]\n[ro.build.version.sdk]: [34]\n'),
    ).toBe('getprop');
    expect(detectSingleDump('Database versions:\n  Internal:\n')).toBe('package');
    expect(
      detectSingleDump('Libraries:\n  x\nPackages:\n  Package [com.example.social] (1a2b3c):\n'),
    ).toBe('package');
    expect(
      detectSingleDump(
        'user=0\n  Last 24 hour events (timeRange="…" )\n    time="2025-06-18 07:40:36"',
      ),
    ).toBe('usagestats');
    expect(detectSingleDump('user=0\n  In-memory daily stats\n')).toBe('usagestats');
  });

  it('returns null for other outputs and for texts with section markers', () => {
    expect(detectSingleDump('')).toBeNull();
    expect(detectSingleDump('USER PID PPID VSZ RSS WCHAN ADDR S NAME\nroot 1 0')).toBeNull();
    expect(detectSingleDump('user=0\nsomething else\n')).toBeNull();
    expect(detectSingleDump('[a]: [1]\nnot a property\n')).toBeNull();
    expect(detectSingleDump('DUMP OF SERVICE appops:\nCurrent AppOps Service state:\n')).toBeNull();
    expect(looksLikeDumpsysText('DUMP OF SERVICE appops:\nCurrent AppOps Service state:\n')).toBe(
      true,
    );
    expect(looksLikeDumpsysText('x\n== dumpstate: 2025-06-18 19:20:45\n')).toBe(true);
    expect(looksLikeDumpsysText('Current AppOps Service state:\n')).toBe(false);
  });
});
