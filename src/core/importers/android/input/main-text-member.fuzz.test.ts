import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportRecord } from '../../../model/import-records';
import { fuzzOptions } from '../../../testing/fuzz';
import { tempCase, type TempCase } from '../../../testing/temp-case';
import { readAndroidInput } from '../input';
import { inputNotes } from '../read-capture';
import { parseAll } from '../testing-parse';

// A bugreport folder's main text is split once, by the member that reads its records; the notes
// and the capture time that split gives must be those a read of the whole folder gives, whatever
// sections, end lines, headers and too-long lines the text holds.

const RULE = '-'.repeat(79);
const LONG = 'x'.repeat(1024 * 1024 + 8);
const LINES = [
  RULE,
  'DUMP OF SERVICE appops:',
  'DUMP OF SERVICE package:',
  'DUMP OF SERVICE usagestats:',
  'DUMP OF SERVICE netstats:',
  'DUMP OF SERVICE HIGH batterystats:',
  '------ SYSTEM PROPERTIES (getprop) ------',
  "------ 0.012s was the duration of 'SYSTEM PROPERTIES' ------",
  '--------- 0.05s was the duration of dumpsys appops, ending at: 2025-06-18 19:20:50',
  '--------- 0.05s was the duration of dumpsys package, ending at: 2025-06-18 19:20:51',
  '--------- 0.05s was the duration of dumpsys usagestats',
  '[ro.product.model]: [Pixel 7]',
  'Current AppOps Service state:',
  '  Uid u0a100:',
  '    Package com.example.app:',
  '      CAMERA (allow):',
  '          Access: [top-s] 2025-06-18 07:00:00.000 (-1h0m0s0ms)',
  'Packages:',
  '',
];

let t: TempCase;
let n = 0;
beforeAll(() => {
  t = tempCase();
});
afterAll(() => t.cleanup());

const SERVICES = ['appops', 'package', 'usagestats', 'netstats', 'batterystats'];

/** A dumpsys section: its header, a few lines, and an end line naming it, another or none. */
const section = fc
  .record({
    service: fc.constantFrom(...SERVICES),
    body: fc.array(fc.constantFrom(...LINES), { maxLength: 4 }),
    // Most sections end with their own end line, as in a real bugreport.
    end: fc.constantFrom('own', 'own', 'own', 'own', ...SERVICES, null),
    at: fc.constantFrom('2025-06-18 19:20:50', '2025-06-18 19:22:10', null),
  })
  .map(({ service, body, end, at }) => [
    RULE,
    `DUMP OF SERVICE ${service}:`,
    ...body,
    ...(end === null
      ? []
      : [
          `--------- 0.05s was the duration of dumpsys ${end === 'own' ? service : end}${at ? `, ending at: ${at}` : ''}`,
        ]),
  ]);

const text = fc
  .record({
    lines: fc
      .array(
        fc.oneof(
          { arbitrary: fc.constantFrom(...LINES).map((l) => [l]), weight: 1 },
          { arbitrary: section, weight: 3 },
        ),
        { maxLength: 25 },
      )
      .map((blocks) => blocks.flat()),
    header: fc.option(fc.constantFrom('2025-06-18 19:20:45', '2025-06-18 19:21:00'), {
      nil: null,
      freq: 2,
    }),
    long: fc.option(fc.nat(50), { nil: null }),
    crlf: fc.boolean(),
  })
  .map(({ lines, header, long, crlf }) => {
    const all = [...lines];
    // A dumpstate header is taken wherever it stands; it opens a real bugreport.
    if (header !== null) all.splice(Math.min(3, all.length), 0, `== dumpstate: ${header}`);
    if (long !== null) all.splice(Math.min(long, all.length), 0, LONG);
    return all.join(crlf ? '\r\n' : '\n');
  });

const warnings = (records: readonly ImportRecord[]): { locator: string; message: string }[] =>
  records.flatMap((r) => (r.type === 'warning' ? [r.warning] : []));

describe('a bugreport folder’s main text read by its member (property-based)', () => {
  it('gives the notes and the capture time of a read of the whole folder', async () => {
    await fc.assert(
      fc.asyncProperty(text, async (main) => {
        const dir = join(t.dir, `b${(n += 1)}`);
        mkdirSync(dir);
        try {
          writeFileSync(join(dir, 'version.txt'), '2.0');
          writeFileSync(join(dir, 'main_entry.txt'), 'bugreport-x.txt\n');
          writeFileSync(join(dir, 'bugreport-x.txt'), main);
          const whole = await readAndroidInput(dir);
          const sources = await parseAll(dir, { timeZone: 'UTC' });
          const container = sources.find((s) => s.name === `b${n}`);
          const member = sources.find((s) => s.name === 'bugreport-x.txt')!;
          const clock = member.records.find((r) => r.type === 'clock');
          expect(clock?.type === 'clock' ? clock.details?.captureTime : undefined).toEqual(
            whole.captureTime,
          );
          // The whole read names the file (and the line) before each of its notes.
          const expected = inputNotes(whole)
            .map((m) => m.replace(/^bugreport-x\.txt(?: line \d+)?: /, ''))
            .sort();
          const given = [
            ...warnings(container?.records ?? []),
            ...warnings(member.records).filter((w) =>
              /^(Line \d+ is longer|The section |bugreport-x\.txt holds )/.test(w.message),
            ),
          ]
            .map((w) => w.message)
            .sort();
          expect(given).toEqual(expected);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      fuzzOptions(100),
    );
  });
});
