import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseSession } from '../services/case-service';
import { formatUtc } from '../../contract/time';
import { sessionCsvLines } from '../services/export-service';
import { fuzzOptions } from '../testing/fuzz';
import { sessionCsvBytes, sessionCsvText, utcFormatter } from './events-csv';
import { KEEP_TEXT } from './redaction';
import { fillSessionCase, instantArb, sessionCaseArb } from './testing/session-rows';

let dir: string;
let c: CaseSession;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'snoopscope-events-csv-'));
  c = CaseSession.create(join(dir, 'case.snoopcase'));
  // Sessions may name a source the case no longer holds, as after a source was removed.
  c.db.pragma('foreign_keys = OFF');
});
afterAll(() => {
  c.close();
  rmSync(dir, { recursive: true, force: true });
});

const clock = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);

describe("a bundle's events.csv written from the rows", () => {
  it('is the sessions CSV byte for byte, rows counted, with any night window and redaction', () => {
    fc.assert(
      fc.property(
        sessionCaseArb,
        clock,
        clock,
        fc.constantFrom<'keep' | 'none' | 'mark' | 'drop'>('keep', 'none', 'mark', 'drop'),
        fc.integer({ min: 1, max: 400 }),
        (x, from, to, how, chunk) => {
          fillSessionCase(c.db, x);
          // A rewrite that changes text (as a redaction does), sometimes into formula starts; or
          // none: the one a redactor without redaction gives (ids written from their pieces), or
          // another that the writer cannot tell apart from any rewrite.
          const rewrite =
            how === 'keep'
              ? KEEP_TEXT
              : how === 'none'
                ? (t: string) => t
                : how === 'mark'
                  ? (t: string) => `=${t}`
                  : (t: string) => t.replace(/[a-c]/g, '');
          const night = { from, to };
          let expected: string[];
          try {
            expected = [...sessionCsvLines(c, {}, night, rewrite)];
          } catch (e) {
            // An instant no Date can hold has no UTC text: both refuse it alike.
            expect(() => [...sessionCsvText(c, {}, night, rewrite)]).toThrow((e as Error).message);
            return;
          }
          const counter = { rows: 0 };
          const got = [...sessionCsvText(c, {}, night, rewrite, counter, chunk)].join('');
          expect(got).toBe(expected.join(''));
          expect(counter.rows).toBe(expected.length - 1);
        },
      ),
      fuzzOptions(60),
    );
  });

  it('is the head before an instant and the tail from it, joined, wherever it is split', () => {
    fc.assert(
      fc.property(sessionCaseArb, fc.integer({ min: 0, max: 1000 }), (x, pick) => {
        fillSessionCase(c.db, x);
        const text = (part?: Parameters<typeof sessionCsvBytes>[6]): string =>
          Buffer.concat([
            ...sessionCsvBytes(c, {}, undefined, undefined, undefined, 100, part),
          ]).toString('utf8');
        let whole: string;
        try {
          whole = text();
        } catch {
          // An instant no Date can hold: the whole refuses as the parts do.
          return;
        }
        const instants = (
          c.db
            .prepare('SELECT DISTINCT anchor_ms FROM access_sessions ORDER BY 1')
            .pluck()
            .all() as number[]
        ).concat([Number.MAX_SAFE_INTEGER]);
        const at = instants[pick % instants.length]!;
        const asked: number[] = [];
        const head = text({
          stop: (ms) => {
            asked.push(ms);
            return ms >= at;
          },
        });
        const tail = text({ fromMs: at, header: false });
        expect(head + tail).toBe(whole);
        // Asked once for each instant, in order, up to the one it stops at.
        expect(asked).toEqual([...new Set(asked)].sort((a, b) => a - b));
      }),
      fuzzOptions(60),
    );
  });
});

describe('UTC times written without a Date each (network.csv, events.csv)', () => {
  it('are the text formatUtc gives, for any instant', () => {
    const utc = utcFormatter();
    fc.assert(
      fc.property(
        fc.oneof(
          instantArb,
          fc.double({ noNaN: true }),
          fc.constantFrom(-1, 0, 253_402_300_800_000),
        ),
        (ms) => {
          let expected: string;
          try {
            expected = formatUtc(ms);
          } catch (e) {
            expect(() => utc(ms)).toThrow((e as Error).message);
            return;
          }
          expect(utc(ms)).toBe(expected);
        },
      ),
      fuzzOptions(300),
    );
  });
});
