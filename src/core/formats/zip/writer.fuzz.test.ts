import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzing, fuzzOptions } from '../../testing/fuzz';
import { withZip } from './reader';
import { ZipWriter, type WrittenEntry } from './writer';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zip-writer-fuzz-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Pieces around the writer's block of a megabyte: tiny ones, texts whose UTF-8 is longer than
// their length, and buffers of about half a block and more that are not copied into blocks.
const piece: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.string({ maxLength: 40, unit: 'grapheme' }),
  fc.constantFrom('é', '😀', 'a,b\r\n', ''),
  fc.integer({ min: 0, max: 700_000 }).map((n) => 'x€'.repeat(n >> 1)),
  fc
    .tuple(fc.integer({ min: 0, max: 1_200_000 }), fc.integer({ min: 0, max: 255 }))
    .map(([n, seed]) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff)),
);

const bytesOf = (p: string | Uint8Array): Buffer =>
  typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p);

let n = 0;

describe('ZipWriter entries written from pieces', () => {
  it(
    'hold the pieces joined, in order, with their size and sha256',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(piece, { maxLength: 8 }), { minLength: 1, maxLength: 3 }),
          async (entries) => {
            const path = join(dir, `w${++n}.zip`);
            const zip = await ZipWriter.create(path);
            const written: WrittenEntry[] = [];
            for (const [i, pieces] of entries.entries())
              written.push(await zip.add(`e${i}.bin`, pieces));
            await zip.finish();
            await withZip(
              path,
              async (z) => {
                expect(z.problems).toEqual([]);
                for (const [i, pieces] of entries.entries()) {
                  const expected = Buffer.concat(pieces.map(bytesOf));
                  const got = await z.readEntry(z.findEntry(`e${i}.bin`)!, {
                    maxBytes: 64 << 20,
                  });
                  expect(got.equals(expected)).toBe(true);
                  expect(written[i]).toEqual({
                    name: `e${i}.bin`,
                    size: expected.length,
                    sha256: createHash('sha256').update(expected).digest('hex'),
                  });
                }
              },
              undefined,
              { strict: true },
            );
            await rm(path);
          },
        ),
        fuzzOptions(25),
      );
    },
    fuzzing() ? 0 : 60_000,
  );
});
