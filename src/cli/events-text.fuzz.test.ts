import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatInstant } from '../contract/time';
import { CaseSession } from '../core/services/case-service';
import { accessEvents, accessEventText } from '../core/services/access-events';
import { ByteText, instantBytes, instantFormatter } from '../core/services/event-text';
import { fuzzOptions } from '../core/testing/fuzz';
import {
  fillSessionCase,
  instantArb,
  offsetArb,
  sessionCaseArb,
} from '../core/bundle/testing/session-rows';
import { csvRecord, eventsCsvTable } from './events-command';

let dir: string;
let c: CaseSession;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'snoopscope-events-text-'));
  c = CaseSession.create(join(dir, 'case.snoopcase'));
  // Sessions may name a source the case no longer holds, as after a source was removed.
  c.db.pragma('foreign_keys = OFF');
});
afterAll(() => {
  c.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('access events written from the rows', () => {
  it('are the JSON lines and CSV rows of the records, byte for byte', () => {
    fc.assert(
      fc.property(sessionCaseArb, fc.integer({ min: 1, max: 300 }), (x, chunk) => {
        fillSessionCase(c.db, x);
        const records = [...accessEvents(c, {})];
        const json = records.map((r) => JSON.stringify(r) + '\n').join('');
        expect([...accessEventText(c, {}, { format: 'jsonl' }, chunk)].join('')).toBe(json);
        for (const kinds of [['access'], ['access', 'network', 'reject', 'usage']] as const) {
          const table = eventsCsvTable(kinds);
          const csv = records.map((r) => csvRecord(r, table)).join('');
          expect(
            [...accessEventText(c, {}, { format: 'csv', columns: table.columns }, chunk)].join(''),
          ).toBe(csv);
        }
      }),
      fuzzOptions(60),
    );
  });

  it('writes numbers and instants as bytes of the text String and formatInstant give', () => {
    const at = instantBytes();
    fc.assert(
      fc.property(
        fc.oneof(fc.nat(), fc.maxSafeNat(), fc.integer(), fc.double()),
        fc.oneof(instantArb, fc.double({ min: -1e16, max: 1e16 })),
        fc.oneof(offsetArb, fc.double({ min: -2000, max: 2000 })),
        (n, ms, off) => {
          // A tiny piece size: every write past it grows the buffer.
          const out = new ByteText(1);
          out.number(n);
          at(out, ms, off);
          expect(out.take().toString('utf8')).toBe(String(n) + formatInstant(ms, off));
        },
      ),
      fuzzOptions(500),
    );
  });

  it('formats instants as formatInstant does', () => {
    const format = instantFormatter();
    fc.assert(
      fc.property(
        fc.oneof(instantArb, fc.double({ min: -1e16, max: 1e16 }), fc.constantFrom(NaN, -0)),
        fc.oneof(offsetArb, fc.double({ min: -2000, max: 2000 })),
        (ms, off) => {
          expect(format(ms, off)).toBe(formatInstant(ms, off));
        },
      ),
      fuzzOptions(500),
    );
  });
});
