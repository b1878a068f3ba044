import { mkdtempSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzOptions } from '../../testing/fuzz';
import { zipEntries } from '../../testing/zip-entries';
import { withZip } from './reader';
import { crc32Combine, deflateToFile, ZipWriter } from './writer';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'snoopscope-zip-parts-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bytes = fc.uint8Array({ maxLength: 3000 });

describe('an entry joined from parts deflated apart', () => {
  it('has the CRC-32 of its content from the parts’ CRCs', () => {
    fc.assert(
      fc.property(bytes, bytes, (a, b) => {
        expect(crc32Combine(crc32(a), crc32(b), b.length)).toBe(crc32(Buffer.concat([a, b])) >>> 0);
      }),
      fuzzOptions(300),
    );
    // Lengths far past the pieces above: 2^32 - 1 bytes of zeros after a known CRC.
    const zeros = Buffer.alloc(1 << 20);
    expect(crc32Combine(crc32('a'), crc32(zeros), zeros.length)).toBe(
      crc32(zeros, crc32('a')) >>> 0,
    );
  });

  let n = 0;
  it('reads back as the parts in order, with the whole content’s size, CRC and sha256', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            bytes,
            fc.string({ maxLength: 200 }).map((t) => Buffer.from(t)),
          ),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        fc.boolean(),
        fc.boolean(),
        async (contents, lastOpen, lastUnhashed) => {
          n += 1;
          const hash = createHash('sha256');
          const parts = [];
          for (const [i, c] of contents.entries()) {
            const last = i === contents.length - 1;
            // A last part written without a hash (as a bundle's events.csv tail is) is hashed
            // afterwards, in order; its own sha256 is empty.
            const unhashed = last && lastUnhashed;
            const part = await deflateToFile(join(dir, `p${n}-${i}`), 'events.csv', [c], {
              final: last && !lastOpen,
              hash: unhashed ? false : hash,
            });
            if (unhashed) {
              expect(part.sha256).toBe('');
              hash.update(c);
            }
            parts.push(part);
          }
          const whole = Buffer.concat(contents);
          const sha256 = hash.digest('hex');
          expect(sha256).toBe(createHash('sha256').update(whole).digest('hex'));
          const path = join(dir, `z${n}.zip`);
          const zip = await ZipWriter.create(path);
          const written = await zip.addPrepared('events.csv', parts, sha256);
          await zip.finish();
          expect(written).toEqual({ name: 'events.csv', size: whole.length, sha256 });
          expect((await zipEntries(path)).get('events.csv')!.equals(whole)).toBe(true);
          // The strict reader checks the stored CRC and sizes against the content.
          await withZip(
            path,
            async (z) => {
              expect(z.problems).toEqual([]);
              const got = await z.readEntry(z.findEntry('events.csv')!, { maxBytes: 1 << 20 });
              expect(got.equals(whole)).toBe(true);
            },
            undefined,
            { strict: true },
          );
        },
      ),
      fuzzOptions(40),
    );
  });

  it('is refused when a part before the last ends its stream', async () => {
    const a = await deflateToFile(join(dir, 'final-a'), 'x', ['one']);
    const b = await deflateToFile(join(dir, 'final-b'), 'x', ['two']);
    const zip = await ZipWriter.create(join(dir, 'refused.zip'));
    await expect(zip.addPrepared('x', [a, b])).rejects.toThrow(/before its last/);
    await zip.abort();
  });
});
