import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzing, fuzzOptions } from '../../testing/fuzz';
import { ZipError, withZip } from './index';
import { buildZip } from './testing/write-zip';

// Damaged archives (bytes flipped, overwritten, cut, inserted) never make the reader throw
// anything but a ZipError with a sentence, tolerant or strict, listing or reading, and never hang.

let dir: string;
let original: Buffer;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'zip-fuzz-'));
  original = buildZip([
    { name: 'a.txt', data: 'Current AppOps Service state:\n'.repeat(20) },
    { name: 'b/c.csv', data: 'id,app\n1,x\n', method: 'store' },
    { name: 'd.json', data: '{"k":[1,2,3]}', descriptor: true },
    { name: 'e.txt', data: '' },
  ]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const edit = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    f: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
    value: fc.integer({ min: 1, max: 255 }),
  }),
  fc.record({
    kind: fc.constant('cut' as const),
    f: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
    value: fc.constant(0),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    f: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
    value: fc.integer({ min: 0, max: 255 }),
  }),
);

function damage(
  buf: Buffer,
  edits: { kind: 'flip' | 'cut' | 'insert'; f: number; value: number }[],
): Buffer {
  let b = Buffer.from(buf);
  for (const e of edits) {
    if (b.length === 0) break;
    const at = Math.floor(e.f * b.length);
    if (e.kind === 'flip') b[at] = b[at]! ^ e.value;
    else if (e.kind === 'cut') b = b.subarray(0, at);
    else b = Buffer.concat([b.subarray(0, at), Buffer.from([e.value]), b.subarray(at)]);
  }
  return b;
}

describe('the ZIP reader under random damage', () => {
  it(
    'throws only ZipErrors with a message, tolerant or strict, and always finishes',
    async () => {
      const path = join(dir, 'probe.zip');
      await fc.assert(
        fc.asyncProperty(
          fc.array(edit, { minLength: 1, maxLength: 4 }),
          fc.boolean(),
          async (edits, strict) => {
            writeFileSync(path, damage(original, edits));
            try {
              await withZip(
                path,
                async (zip) => {
                  expect(zip.problems.every((p) => typeof p === 'string' && p !== '')).toBe(true);
                  for (const e of zip.entries) {
                    try {
                      await zip.readEntry(e);
                    } catch (err) {
                      expect(err).toBeInstanceOf(ZipError);
                    }
                  }
                },
                undefined,
                { strict },
              );
            } catch (err) {
              expect(err).toBeInstanceOf(ZipError);
              expect((err as ZipError).message).toMatch(/\.$/);
            }
          },
        ),
        fuzzOptions(300),
      );
    },
    fuzzing() ? 0 : 60_000,
  );
});
