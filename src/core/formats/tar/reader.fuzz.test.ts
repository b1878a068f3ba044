import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fuzzing, fuzzOptions } from '../../testing/fuzz';
import { readTar, TarError } from './reader';
import { buildTar } from './testing/tar-writer';

const base = buildTar([
  { name: 'sysdiagnose/', type: '5' },
  { name: 'sysdiagnose/a.txt', content: 'hello world' },
  { name: 'x', pax: { path: 'sysdiagnose/pax-named.txt', size: '4' }, content: 'pax!', size: 4 },
  { name: `sysdiagnose/${'l'.repeat(130)}`, gnuLongName: true, content: 'long' },
  { name: 'sysdiagnose/link', type: '2', linkName: '../../etc/passwd' },
  { name: 'sysdiagnose/big.bin', content: Buffer.alloc(1300, 0x41) },
]);

// Reads everything, content included; small limits so that mutated sizes hit them quickly.
async function drain(bytes: Uint8Array): Promise<void> {
  for await (const m of readTar(bytes, { maxTotalBytes: 1 << 20, maxEntries: 50 })) {
    if (m.refusal === null && m.type === 'file') for await (const _ of m.content());
  }
}

const mutation = fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), {
  minLength: 1,
  maxLength: 8,
});

async function onlyTarErrors(bytes: Uint8Array): Promise<boolean> {
  try {
    await drain(bytes);
  } catch (err) {
    if (!(err instanceof TarError)) throw err;
    expect(err.message).not.toMatch(/\n\s+at /);
  }
  return true;
}

describe('readTar under mutation', () => {
  it(
    'mutated plain archives raise only TarError and end',
    async () => {
      await fc.assert(
        fc.asyncProperty(mutation, fc.nat(), async (changes, cut) => {
          const b = Buffer.from(base);
          for (const c of changes) b[c.at % b.length] = c.byte;
          return onlyTarErrors(b.subarray(0, b.length - (cut % 700)));
        }),
        fuzzOptions(300),
      );
    },
    fuzzing() ? 0 : 20_000,
  );

  it(
    'mutated gzip archives raise only TarError and end',
    async () => {
      const gz = gzipSync(base);
      await fc.assert(
        fc.asyncProperty(mutation, async (changes) => {
          const b = Buffer.from(gz);
          for (const c of changes) b[c.at % b.length] = c.byte;
          return onlyTarErrors(b);
        }),
        fuzzOptions(300),
      );
    },
    fuzzing() ? 0 : 20_000,
  );

  it(
    'random bytes raise only TarError',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), onlyTarErrors),
        fuzzOptions(300),
      );
    },
    fuzzing() ? 0 : 20_000,
  );
});
