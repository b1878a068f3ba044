import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  captureAppops,
  captureGetprop,
  capturePackages,
  captureUsagestats,
} from '../../testing/android-capture';
import { fuzzOptions } from '../../testing/fuzz';
import { readLineBatches } from '../line-reader';
import { AppOpsParser, parseAppOps } from './appops';
import { GetpropParser, parseGetprop } from './getprop';
import { PackagesParser, parsePackages } from './packages';
import { DumpSplitter, splitDumpsys } from './sections';
import type { AppOpEvent } from './types';
import { UsageStatsParser, parseUsageStats } from './usagestats';

const RULE = '-'.repeat(79);
const SPLIT_LINES = [
  RULE,
  'DUMP OF SERVICE appops:',
  'DUMP OF SERVICE HIGH package:',
  'DUMP OF SERVICE usagestats:',
  '--------- 0.050s was the duration of dumpsys appops, ending at: 2025-06-18 19:20:45',
  '--------- 0.020s was the duration of dumpsys package',
  '------ SYSTEM PROPERTIES (getprop) ------',
  "------ 0.1s was the duration of 'SYSTEM PROPERTIES' ------",
  '------ UPTIME (uptime) ------',
  '== dumpstate: 2025-06-18 19:20:45',
  '----',
  '',
  '   ',
  'Current AppOps Service state:',
  '  Uid u0a1:',
  '[ro.product.model]: [Pixel 7]',
  'some line',
];

// Property tests of the line-fed parsers: whatever the lines (drawn from real-shaped dumps of
// every appops layout, usagestats, package and getprop, in any order) and however the bytes are
// cut into chunks, feeding the lines from the line reader gives what the whole-text parser gives;
// and an app-op event handed on is final (later lines never change it).

const APPOPS_LINES = [
  ...captureAppops().split('\n'),
  // Android 9 (states under one Access:/Reject:, duration and running on lines of their own).
  '      CAMERA (allow): ',
  '          Access: top   = 2026-08-03 16:40:00.000 (-12m46s995ms)',
  '                  fg    = 2026-08-03 15:00:00.500 (-1h52m46s495ms)',
  '                  bg    = 2026-08-03 15:00:00.500',
  '          Reject: bg    = 2026-08-03 14:00:00.000 (-2h52m46s995ms)',
  '          duration=+24ms',
  '          Running start at: +2m0s0ms',
  // Android ≤ 8.1 one-line ops.
  '      WAKE_LOCK: mode=allow; time=+23m48s927ms ago; duration=+39ms',
  '      READ_SMS: mode=ignore; time=+2d0h0m0s0ms ago; rejectTime=+5s0ms ago (running)',
  // Android 10 keys, proxies, relative times in any order.
  '          Access: [bg-tpd] 2024-03-30 12:00:00.000 (-23h0m0s0ms) proxy[uid=10187, pkg=com.x, attributionTag=null]',
  '          Access: [fg-tp] 2024-03-30 12:00:00.000 (-2m0s0ms) duration=+1m0s0ms',
  '          Access: [top-s] 2024-03-31 11:58:00.000 duration=+5ms',
  '  Uid u0a202:',
  '    Package com.example.vendor:',
  '        null=[',
  '        ]',
  // Discrete accesses and the Android 16 table; history.
  'Discrete accesses:',
  'Uid: u0a5',
  'Package: com.example.d',
  'CAMERA:',
  'Attribution: null',
  'Access [top-s] at 2026-07-23 18:26:00.000 for 60000 milliseconds',
  'UID|PACKAGE_NAME|DEVICE_ID|OP_NAME|ATTRIBUTION_TAG|UID_STATE|OP_FLAGS|ATTR_FLAGS|CHAIN_ID|ACCESS_TIME|DURATION',
  '10005|com.example.t|0|CAMERA|null|top|s|0|0|2026-07-23 18:26:00.000|12',
  'History:',
  'snapshot:',
  'begin = 2026-07-23 18:00:00.000',
  'end = 2026-07-23 19:00:00.000',
  '  Uid u0a5:',
  '    Package com.example.h:',
  '      CAMERA:',
  '        [top-s] = access=3, reject=1, duration=+1m3s8ms',
  'DUMP OF SERVICE usagestats:',
  'DUMP OF SERVICE appops:',
  'Access: garbage',
  '',
];
const USAGE_LINES = [
  ...captureUsagestats().split('\n'),
  'user=10',
  '  In-memory daily stats',
  '    timeRange="x"',
  '    package=com.example.a totalTimeUsed="01:02" lastTimeUsed="2025-06-18 10:00:00" appLaunchCount=3',
  '    time="2025-06-18 10:00:00" type=ACTIVITY_RESUMED package=com.example.a class=A',
  '    time="2025-06-18 10:00:01" package=com.example.a',
  '  Last 24 hour events (timeRange="x" )',
  '    time="4/4/2017 22:46" type=ACTIVITY_PAUSED package=com.example.a',
  '    something else',
];
const PACKAGE_LINES = [
  ...capturePackages().split('\n'),
  '      User 10: ceDataInode=1 installed=true',
  '        firstInstallTime=2025-01-01 00:00:00',
  '        firstInstallTime=not a time',
  '      runtime permissions:',
  '        ???',
  '  APEX session state:',
];
const GETPROP_LINES = [
  ...captureGetprop().split('\n'),
  '[multi.line]: [first',
  'second',
  'third]',
  '[ro.product.model]: [Other]',
  'not a property',
];

/** A text of lines drawn from a pool, with LF or CRLF endings, and chunk sizes to cut it by. */
function textOf(pool: readonly string[]) {
  return fc.record({
    lines: fc.array(fc.constantFrom(...pool), { maxLength: 60 }),
    crlf: fc.boolean(),
    finalNewline: fc.boolean(),
    cuts: fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 20 }),
  });
}

type Drawn = { lines: string[]; crlf: boolean; finalNewline: boolean; cuts: number[] };

function joined(d: Drawn): string {
  const nl = d.crlf ? '\r\n' : '\n';
  return d.lines.join(nl) + (d.finalNewline && d.lines.length > 0 ? nl : '');
}

/** The text's bytes cut into chunks of the drawn sizes (repeated), through the line reader. */
async function feed(d: Drawn, push: (line: string, lineNo: number) => void): Promise<void> {
  const bytes = Buffer.from(joined(d), 'utf8');
  async function* chunks(): AsyncGenerator<Uint8Array> {
    let at = 0;
    for (let i = 0; at < bytes.length; i++) {
      const n = d.cuts[i % d.cuts.length]!;
      yield bytes.subarray(at, at + n);
      at += n;
    }
  }
  for await (const batch of readLineBatches(chunks(), { warn: () => {} }))
    for (const l of batch) push(l.text, l.line);
}

describe('line-fed Android parsers', () => {
  it('appops: the lines from the line reader give what parseAppOps gives, and each event handed on is final', async () => {
    await fc.assert(
      fc.asyncProperty(textOf(APPOPS_LINES), async (d) => {
        const handed: { ev: AppOpEvent; seq: number; json: string }[] = [];
        const history: unknown[] = [];
        const problems: unknown[] = [];
        const parser = new AppOpsParser({
          event: (ev, seq) => handed.push({ ev, seq, json: JSON.stringify(ev) }),
          history: (h) => history.push(h),
          problem: (p) => problems.push(p),
        });
        await feed(d, (line, n) => parser.push(line, n));
        parser.end();
        for (const h of handed) expect(JSON.stringify(h.ev)).toBe(h.json);
        const whole = parseAppOps(joined(d));
        expect(handed.map((h) => h.seq).sort((a, b) => a - b)).toEqual(
          whole.records.map((_, i) => i),
        );
        expect([...handed].sort((a, b) => a.seq - b.seq).map((h) => h.ev)).toEqual(whole.records);
        expect(history).toEqual(whole.history);
        expect(problems).toEqual(whole.problems);
        expect(parser.layout).toEqual(whole.layout);
      }),
      fuzzOptions(200),
    );
  });

  it('usagestats: the lines from the line reader give what parseUsageStats gives', async () => {
    await fc.assert(
      fc.asyncProperty(textOf(USAGE_LINES), async (d) => {
        const records: { line: number }[] = [];
        const daily: unknown[] = [];
        const problems: { line: number | null }[] = [];
        const parser = new UsageStatsParser({
          event: (e) => records.push(e),
          dailyStat: (s) => daily.push(s),
          problem: (p) => problems.push(p),
        });
        await feed(d, (line, n) => parser.push(line, n));
        parser.end();
        const whole = parseUsageStats(joined(d));
        expect(records.sort((a, b) => a.line - b.line)).toEqual(whole.records);
        expect(problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0))).toEqual(whole.problems);
        expect(daily).toEqual(whole.dailyStats);
        expect(parser.users).toEqual(whole.users);
      }),
      fuzzOptions(200),
    );
  });

  it('package: the lines from the line reader give what parsePackages gives', async () => {
    await fc.assert(
      fc.asyncProperty(textOf(PACKAGE_LINES), async (d) => {
        const records: unknown[] = [];
        const problems: unknown[] = [];
        const parser = new PackagesParser({
          package: (p) => records.push(p),
          problem: (p) => problems.push(p),
        });
        await feed(d, (line, n) => parser.push(line, n));
        parser.end();
        const whole = parsePackages(joined(d));
        expect(records).toEqual(whole.records);
        expect(problems).toEqual(whole.problems);
      }),
      fuzzOptions(200),
    );
  });

  it('getprop: the lines from the line reader give what parseGetprop gives', async () => {
    await fc.assert(
      fc.asyncProperty(textOf(GETPROP_LINES), async (d) => {
        const parser = new GetpropParser();
        await feed(d, (line, n) => parser.push(line, n));
        parser.end();
        const whole = parseGetprop(joined(d));
        expect(parser.props).toEqual(whole.props);
        expect(parser.problems).toEqual(whole.problems);
      }),
      fuzzOptions(200),
    );
  });

  it('sections: a streamed split passes on the lines of each kept section, as the text split keeps them', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...SPLIT_LINES), { maxLength: 300 }),
        fc.subarray(['appops', 'package', 'getprop', 'usagestats', 'command:UPTIME']),
        (lines, kept) => {
          const keep = (service: string) => kept.includes(service);
          const streamed: { service: string; start: number; lines: [string, number][] }[] = [];
          const splitter = new DumpSplitter({
            keep,
            stream: (service, start) => {
              const section = { service, start, lines: [] as [string, number][] };
              streamed.push(section);
              return { line: (text, n) => section.lines.push([text, n]), end: () => {} };
            },
          });
          for (const l of lines) splitter.push(l);
          const split = splitter.finish();
          const whole = splitDumpsys(lines.join('\n'), { keep });
          expect(split.sections.map((x) => ({ ...x, text: '' }))).toEqual(
            whole.sections.map((x) => ({ ...x, text: '' })),
          );
          expect(split.header).toEqual(whole.header);
          expect(split.problems).toEqual(whole.problems);
          const keptWhole = whole.sections.filter((x) => x.kept);
          expect(streamed.map((x) => x.service)).toEqual(keptWhole.map((x) => x.service));
          streamed.forEach((x, i) => {
            const w = keptWhole[i]!;
            expect(x.start).toBe(w.startLine);
            expect(x.lines.map(([text]) => text).join('\n')).toBe(w.text);
            expect(x.lines.map(([, n]) => n)).toEqual(x.lines.map((_, k) => w.startLine + k));
          });
        },
      ),
      fuzzOptions(300),
    );
  });
});
