import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Filter } from '../../contract/filter';
import { eventsCsvTable } from '../../cli/events-command';
import { fillSessionCase, sessionCaseArb } from '../bundle/testing/session-rows';
import { fuzzing, fuzzOptions } from '../testing/fuzz';
import { CaseSession } from './case-service';
import { beginAccessEvents } from './events-parallel';
import { accessEventBytes, type AccessLineFormat } from './access-events';

let dir: string;
let c: CaseSession;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'snoopscope-events-parallel-'));
  c = CaseSession.create(join(dir, 'case.snoopcase'));
  // Sessions may name a source the case no longer holds, as after a source was removed.
  c.db.pragma('foreign_keys = OFF');
});
afterAll(() => {
  c.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Which of the case's devices and categories a filter keeps, and its other terms. */
const filterTermsArb = fc.record(
  {
    devices: fc.subarray([0, 1, 2], { minLength: 1 }),
    categories: fc.subarray(['photos', 'location', 'camera'] as const, { minLength: 1 }),
    minSeconds: fc.integer({ min: 0, max: 5 }),
    states: fc.subarray(['foreground', 'background', 'unknown'] as const, { minLength: 1 }),
  },
  { requiredKeys: [] },
);
/** No filter more often than not: a filter keeps few of a small case's sessions. */
const filterArb = fc.oneof(
  { arbitrary: fc.constant({}), weight: 3 },
  { arbitrary: filterTermsArb, weight: 2 },
);

/**
 * Slice bounds around and on the generated anchor instants (0 to 5): a slice may hold one
 * instant, none, or several, and bounds fall on instants that several sessions share.
 */
const boundsArb = fc
  .uniqueArray(fc.integer({ min: -1, max: 7 }), { minLength: 1, maxLength: 9 })
  .map((b) => [...b].sort((x, y) => x - y));

/** Piece sizes and in-flight bounds as small as one line, so every wait and hand-over runs. */
const sizesArb = fc.record({
  chunkBytes: fc.integer({ min: 1, max: 400 }),
  workerChunkBytes: fc.integer({ min: 1, max: 400 }),
  maxChunks: fc.integer({ min: 1, max: 3 }),
  aheadBytes: fc.integer({ min: 0, max: 20_000 }),
  workerPauseMs: fc.constantFrom(0, 8),
  /** Every third piece written waits this long (ms; -1: not at all). */
  sinkPauseMs: fc.constantFrom(-1, 1, 3),
});

describe('access events written by two threads', () => {
  it(
    'are the bytes one thread writes, in the same order, for any case, filter and slices',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          sessionCaseArb,
          filterArb,
          boundsArb,
          sizesArb,
          fc.constantFrom('jsonl', 'csv'),
          fc.integer({ min: 2, max: 8 }),
          async (
            x,
            f: Partial<typeof filterTermsArb extends fc.Arbitrary<infer T> ? T : never>,
            bounds,
            sizes,
            format,
            copies,
          ) => {
            // The sessions again and again (each its own key): slices of many rows and ties.
            fillSessionCase(c.db, {
              ...x,
              sessions: Array.from({ length: copies }, () => x.sessions).flat(),
            });
            const ids = c.db
              .prepare('SELECT id FROM devices ORDER BY id')
              .pluck()
              .all() as number[];
            const filter: Filter = {
              ...f,
              devices: f.devices?.map((i) => ids[i]!),
              categories: f.categories ? [...f.categories] : undefined,
              states: f.states ? [...f.states] : undefined,
            };
            const how: AccessLineFormat =
              format === 'csv'
                ? { format: 'csv', columns: eventsCsvTable(['access']).columns }
                : { format: 'jsonl' };
            const expected = Buffer.concat([...accessEventBytes(c, filter, how)]);
            console.error('run', expected.length, JSON.stringify(bounds), JSON.stringify(sizes));
            const { sinkPauseMs, ...tuning } = sizes;
            const run = await beginAccessEvents(c, filter, how, { ...tuning, bounds, minRows: 0 });
            const pieces: Buffer[] = [];
            try {
              expect(run?.threads).toBe(2);
              await run!.write(async (b) => {
                pieces.push(Buffer.from(b));
                // A slow output lets the worker get ahead and wait for room; a slow worker lets the
                // command's thread work ahead.
                if (sinkPauseMs >= 0 && pieces.length % 3 === 0)
                  await new Promise((r) => setTimeout(r, sinkPauseMs));
              });
            } finally {
              await run?.close();
              c.db.exec('COMMIT');
            }
            expect(Buffer.concat(pieces).toString('utf8')).toBe(expected.toString('utf8'));
          },
        ),
        fuzzOptions(12),
      );
    },
    fuzzing() ? 0 : 60_000,
  );
});
