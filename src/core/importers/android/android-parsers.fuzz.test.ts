import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  captureAppops,
  captureDumpsys,
  captureGetprop,
  capturePackages,
  captureUsagestats,
} from '../../testing/android-capture';
import { fuzzOptions } from '../../testing/fuzz';
import {
  byteMutation,
  encodeText,
  lineMutation,
  mutateBytes,
  mutateLine,
  oddToken,
  textEncoding,
  type LineMutation,
} from '../../testing/mutate';
import { parseAppOps } from './appops';
import { probePath } from '../../services/import-pipeline';
import { detect } from '../registry';
import { parseGetprop } from './getprop';
import { AndroidInputError, readAndroidInput } from './input';
import { parsePackages } from './packages';
import { DumpSplitter, detectSingleDump } from './sections';
import { parseUsageStats } from './usagestats';

// Property-based tests of the Android parsers on real-shaped dumps (testing/android-capture.ts
// and the layouts below): any mutation leaves the parser returning, with finite numbers; a
// mutation of one record line costs that line's record at most, every other record is still read.

/** Android 10 and Android ≤ 8.1 layouts, with uid-level modes, proxies and an OEM op. */
const APPOPS_OLDER = [
  'Current AppOps Service state:',
  '  Uid u0a201:',
  '    state=cch',
  '      COARSE_LOCATION: mode=ignore',
  '    Package com.example.social:',
  '      READ_CONTACTS (allow):',
  '          Access: [bg-tpd] 2024-03-30 12:00:00.000 (-23h0m0s0ms)',
  '      WRITE_SMS (ignore):',
  '          Reject: [fg-s]2024-03-31 09:30:00.250 (-2h29m59s750ms)',
  '      CAMERA (allow):',
  '          Access: [top-s] 2024-03-31 11:58:00.000 (-2m0s0ms) duration=+1m0s0ms',
  '          Running start at: +2m0s0ms',
  '      TOAST_WINDOW (allow):',
  '          Access: [bg-s] 2024-03-31 10:00:00.000 (-2h0m0s0ms) duration=+1s942ms proxy[uid=0, pkg=null]',
  '  Uid u0a202:',
  '    Package com.example.vendor:',
  '      VENDOROP(10001) (allow):',
  '          Access: [fg-s] 2024-03-31 11:59:59.999 (-1ms)',
  '  Uid u0a12:',
  '    Package com.example.sync:',
  '      WAKE_LOCK: mode=allow; time=+23m48s927ms ago; duration=+39ms',
  '      READ_SMS: mode=ignore; time=+2d0h0m0s0ms ago; rejectTime=+5s0ms ago',
  '',
].join('\n');

/** Android 9: states listed under one Access:/Reject: line (only checked for never failing). */
const APPOPS_9 = [
  'Current AppOps Service state:',
  '  Uid u0a77:',
  '    Package com.example.reader:',
  '      CAMERA (allow): ',
  '          Access: top   = 2026-08-03 16:40:00.000 (-12m46s995ms)',
  '                  fg    = 2026-08-03 15:00:00.500 (-1h52m46s495ms)',
  '          Reject: bg    = 2026-08-03 14:00:00.000 (-2h52m46s995ms)',
  '          duration=+24ms',
  '',
].join('\n');

const lines = (text: string): string[] => text.split('\n');

/**
 * Mutates one line after its first word (indentation and keyword kept), or deletes or repeats it:
 * the line stays the kind of line it was, so only its own record may change.
 */
function mutateRecordLine(all: readonly string[], index: number, m: LineMutation): string[] {
  if (m.kind === 'delete' || m.kind === 'duplicate')
    return mutateLine(all, { ...m, line: index }).lines;
  const line = all[index]!;
  const head = /^\s*\S+\s?/.exec(line)?.[0] ?? '';
  const rest = line.slice(head.length);
  const changed =
    m.kind === 'insert'
      ? mutateLine([rest], { kind: 'replace-token', line: 0, token: 0, by: m.text }).lines[0]!
      : mutateLine([rest], { ...m, line: 0 }).lines[0]!;
  const out = [...all];
  out[index] = head + changed;
  return out;
}

function pick<T>(items: readonly T[], n: number): T {
  return items[n % items.length]!;
}

/** Line indexes whose content starts with one of the prefixes. */
function indexesOf(text: string, test: (content: string) => boolean): number[] {
  return lines(text)
    .map((l, i) => (test(l.trim()) ? i : -1))
    .filter((i) => i >= 0);
}

const finite = (n: number | null): boolean => n === null || Number.isFinite(n);

/** The text's lines after every mutation in turn. */
function damageLines(text: string, ms: readonly LineMutation[]): string[] {
  let all = lines(text);
  for (const m of ms) all = mutateLine(all, m).lines;
  return all;
}

/** Expects every record but the one on line `index` to be read again after that line's mutation. */
function expectOthersKept<R extends { line: number; rawLine: string }>(
  parse: (text: string) => readonly R[],
  key: (record: R) => string,
  text: string,
  index: number,
  m: LineMutation,
): void {
  const before = parse(text).filter((e) => e.line - 1 !== index);
  const after = new Set(parse(mutateRecordLine(lines(text), index, m).join('\n')).map(key));
  for (const e of before) expect(after, e.rawLine).toContain(key(e));
}

describe('dumpsys appops (property-based)', () => {
  const corpus = [captureAppops(), captureAppops(86_400_000), APPOPS_OLDER];
  const key = (e: ReturnType<typeof parseAppOps>['records'][number]): string =>
    JSON.stringify([
      e.packageName,
      e.op,
      e.kind,
      e.uidState,
      e.flag,
      e.time?.text,
      e.rawLine.trim(),
    ]);

  it('reads every other record when one record line is damaged, deleted or repeated', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), lineMutation, (which, at, m) => {
        const text = pick(corpus, which);
        const targets = indexesOf(
          text,
          (c) => c.startsWith('Access:') || c.startsWith('Reject:') || / time=\+/.test(c),
        );
        const index = pick(targets, at);
        expectOthersKept((t) => parseAppOps(t).records, key, text, index, m);
      }),
      fuzzOptions(300),
    );
  });

  it('returns finite numbers whatever lines are damaged, including headers and blocks', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...corpus, APPOPS_9),
        fc.array(lineMutation, { minLength: 1, maxLength: 6 }),
        (text, ms) => {
          const all = damageLines(text, ms);
          const r = parseAppOps(all.join('\n'));
          for (const e of r.records) {
            expect(
              finite(e.time?.wallMs ?? null) && finite(e.relativeMs) && finite(e.durationMs),
            ).toBe(true);
          }
          for (const h of r.history) expect(finite(h.durationMs)).toBe(true);
        },
      ),
      fuzzOptions(300),
    );
  });
});

describe('dumpsys usagestats (property-based)', () => {
  const text = captureUsagestats();
  const key = (e: ReturnType<typeof parseUsageStats>['records'][number]): string =>
    JSON.stringify([e.type, e.packageName, e.className, e.instanceId, e.time.text]);

  it('reads every other event when one event line is damaged, deleted or repeated', () => {
    const targets = indexesOf(text, (c) => c.startsWith('time='));
    fc.assert(
      fc.property(fc.nat(), lineMutation, (at, m) => {
        const index = pick(targets, at);
        expectOthersKept((t) => parseUsageStats(t).records, key, text, index, m);
      }),
      fuzzOptions(300),
    );
  });

  it('returns finite times whatever lines are damaged', () => {
    fc.assert(
      fc.property(fc.array(lineMutation, { minLength: 1, maxLength: 6 }), (ms) => {
        const all = damageLines(text, ms);
        const r = parseUsageStats(all.join('\n'));
        for (const e of r.records) expect(Number.isFinite(e.time.wallMs)).toBe(true);
        for (const s of r.dailyStats) expect(finite(s.totalTimeUsedMs)).toBe(true);
      }),
      fuzzOptions(300),
    );
  });
});

describe('dumpsys package (property-based)', () => {
  const text = capturePackages();
  const grants = (t: string): string[] =>
    parsePackages(t).records.flatMap((p) =>
      p.permissions.map((g) => JSON.stringify([p.packageName, g.name, g.kind, g.granted, g.user])),
    );

  it('reads every other permission when one permission line is damaged, deleted or repeated', () => {
    const targets = indexesOf(text, (c) => /^android\.permission\.[A-Z_]+(:|$)/.test(c));
    fc.assert(
      fc.property(fc.nat(), lineMutation, (at, m) => {
        const index = pick(targets, at);
        // Grants of the permission printed on the damaged line may change; no other may.
        const damaged = lines(text)[index]!.trim().split(':')[0]!;
        const after = new Set(grants(mutateRecordLine(lines(text), index, m).join('\n')));
        for (const g of grants(text)) {
          if ((JSON.parse(g) as string[])[1] === damaged) continue;
          expect(after, g).toContain(g);
        }
      }),
      fuzzOptions(300),
    );
  });

  it('returns whatever lines are damaged', () => {
    fc.assert(
      fc.property(fc.array(lineMutation, { minLength: 1, maxLength: 6 }), (ms) => {
        const all = damageLines(text, ms);
        const r = parsePackages(all.join('\n'));
        for (const p of r.records) {
          expect(p.firstInstallTime === null || Number.isFinite(p.firstInstallTime.wallMs)).toBe(
            true,
          );
        }
      }),
      fuzzOptions(300),
    );
  });
});

describe('getprop (property-based)', () => {
  const text = captureGetprop();

  it('reads every other property when one value is damaged', () => {
    const all = lines(text).filter((l) => l !== '');
    fc.assert(
      fc.property(fc.nat(), oddToken, (at, value) => {
        const index = at % all.length;
        const mutated = [...all];
        // Inside the brackets: a value may hold anything but a line break.
        mutated[index] = mutated[index]!.replace(
          /: \[.*\]$/,
          `: [${value.replace(/[\r\n\u2028\u2029]/g, ' ')}]`,
        );
        const before = parseGetprop(all.join('\n')).props;
        const after = parseGetprop(mutated.join('\n')).props;
        const damaged = /^\[([^\]]*)\]/.exec(all[index]!)?.[1];
        for (const [k, v] of before) if (k !== damaged) expect(after.get(k), k).toBe(v);
      }),
      fuzzOptions(300),
    );
  });

  it('returns whatever lines are damaged', () => {
    fc.assert(
      fc.property(fc.array(lineMutation, { minLength: 1, maxLength: 6 }), (ms) => {
        const all = damageLines(text, ms);
        parseGetprop(all.join('\n'));
      }),
      fuzzOptions(300),
    );
  });
});

describe('sections and input detection (property-based)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'snoopscope-android-fuzz-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;

  const sources = [
    captureDumpsys(),
    captureAppops(),
    captureUsagestats(),
    capturePackages(),
    captureGetprop(),
  ];

  it('splits and detects any damaged dump without failing', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...sources),
        fc.array(lineMutation, { maxLength: 6 }),
        (text, ms) => {
          const all = damageLines(text, ms);
          const splitter = new DumpSplitter({ maxKeptChars: 1_000_000 });
          for (const l of all) splitter.push(l);
          splitter.finish();
          detectSingleDump(all.join('\n'));
        },
      ),
      fuzzOptions(300),
    );
  });

  it('reads a damaged file in any encoding, or refuses it with AndroidInputError', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...sources),
        fc.array(lineMutation, { maxLength: 4 }),
        textEncoding,
        fc.array(byteMutation, { maxLength: 2 }),
        async (text, ms, encoding, bytes) => {
          const all = damageLines(text, ms);
          n += 1;
          const path = join(dir, `input-${n}.txt`);
          writeFileSync(path, mutateBytes(encodeText(all.join('\n'), encoding), bytes));
          // Recognising the file never throws, whatever the damage.
          const probed = await probePath(path);
          if (!('error' in probed)) expect(detect(probed.probe).verdicts.length).toBeGreaterThan(0);
          try {
            const input = await readAndroidInput(path);
            for (const s of input.sections) expect(typeof s.text).toBe('string');
          } catch (e) {
            if (!(e instanceof AndroidInputError)) throw e;
          } finally {
            rmSync(path);
          }
        },
      ),
      fuzzOptions(200),
    );
  });
});
