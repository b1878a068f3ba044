import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withZip } from '../formats/zip';
import { importFile } from '../services/import-run';
import { accessPair, networkLine } from '../testing/apr-fixture';
import { fuzzing, fuzzOptions } from '../testing/fuzz';
import { tempCase, type TempCase } from '../testing/temp-case';
import { exportBundle } from './export-bundle';
import { installationKey } from './signing-key';
import { verifyBundle, type BundleCheck } from './verify-bundle';

// Random damage to a real bundle: byte flips, overwrites, truncation, insertion and deletion,
// anywhere or in the last bytes (the central directory and end record). Verify must always
// answer (never throw or hang), and must never call a changed file intact unless (1) only bytes
// that carry no content changed: the "version made by" and external attributes of a central
// record (the creating system and permission bits; file types other than plain files are
// refused), modification times changed alike in both headers, or the spare bits of a deflate
// stream's last byte, none of which the signature or the manifest can cover, and (2) every reader
// still extracts exactly the original files: the central directory's reading and a streaming
// reader's, which walks the local headers from the first byte.

let t: TempCase;
let original: Buffer;
let centralOriginal: [string, string][];
let streamingOriginal: [string, string][];
let fingerprint: string;
let probe: string;
/** Offsets in the original bundle whose bytes carry no content (see above). */
let contentless: Set<number>;

beforeAll(async () => {
  t = tempCase();
  const lines = [
    ...accessPair({
      app: 'com.example.a',
      category: 'microphone',
      id: 'M',
      ms: Date.UTC(2024, 4, 2, 3),
      durationMs: 90_000,
    }),
    networkLine({
      app: 'com.example.a',
      domain: 'api.example',
      firstMs: Date.UTC(2024, 4, 2),
      lastMs: Date.UTC(2024, 4, 2, 1),
    }),
  ];
  await importFile({ db: t.session.db, path: t.write('apr.ndjson', lines), deviceId: t.deviceId });
  const key = installationKey(join(t.dir, 'user'));
  fingerprint = key.fingerprint;
  const out = join(t.dir, 'bundle.zip');
  await exportBundle(t.session, { out, filter: {}, version: '1', key });
  original = readFileSync(out);
  probe = join(t.dir, 'probe.zip');
  centralOriginal = (await centralView(out))!;
  streamingOriginal = streamingView(original)!;
  expect(centralOriginal.map(([n]) => n)).toEqual(streamingOriginal.map(([n]) => n));
  expect((await verifyBundle(out, fingerprint)).ok).toBe(true);
  contentless = await contentlessBytes(out);
});

async function contentlessBytes(path: string): Promise<Set<number>> {
  const out = new Set<number>();
  const add = (from: number, count: number): void => {
    for (let i = 0; i < count; i++) out.add(from + i);
  };
  const cdOffset = original.readUInt32LE(original.length - 6);
  for (let p = cdOffset; p < original.length - 22; p += 46 + original.readUInt16LE(p + 28)) {
    add(p + 4, 2);
    add(p + 12, 4);
    add(p + 38, 4);
  }
  await withZip(path, async (zip) => {
    for (const e of zip.entries) {
      add(e.localHeaderOffset + 10, 4);
      add(e.localHeaderOffset + 30 + Buffer.byteLength(e.name) + e.compressedSize - 1, 1);
    }
  });
  return out;
}
afterAll(() => t.cleanup());

/** Every entry as the central directory lists it, read by the tolerant reader; null if any fails. */
async function centralView(path: string): Promise<[string, string][] | null> {
  try {
    return await withZip(path, async (zip) => {
      const out: [string, string][] = [];
      for (const e of zip.entries) out.push([e.name, (await zip.readEntry(e)).toString('latin1')]);
      return out;
    });
  } catch {
    return null;
  }
}

/**
 * Every entry as a streaming reader finds it: local headers one after the other from offset 0,
 * deflate data read to the end of its stream, a data descriptor skipped when flagged.
 */
function streamingView(buf: Buffer): [string, string][] | null {
  const out: [string, string][] = [];
  let p = 0;
  try {
    while (p + 30 <= buf.length && buf.readUInt32LE(p) === 0x04034b50) {
      const flags = buf.readUInt16LE(p + 6);
      const method = buf.readUInt16LE(p + 8);
      const size = buf.readUInt32LE(p + 18);
      const nameLen = buf.readUInt16LE(p + 26);
      const extraLen = buf.readUInt16LE(p + 28);
      const name = buf.subarray(p + 30, p + 30 + nameLen).toString('utf8');
      let q = p + 30 + nameLen + extraLen;
      let data: Buffer;
      if (method === 8) {
        const r = inflateRawSync(buf.subarray(q), {
          info: true,
          maxOutputLength: 1 << 26,
        }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
        data = r.buffer;
        q += (flags & 8) !== 0 ? r.engine.bytesWritten : size;
      } else if (method === 0 && (flags & 8) === 0) {
        data = buf.subarray(q, q + size);
        q += size;
      } else return null;
      if ((flags & 8) !== 0) q += buf.readUInt32LE(q) === 0x08074b50 ? 16 : 12;
      out.push([name, data.toString('latin1')]);
      p = q;
    }
  } catch {
    return null;
  }
  return out;
}

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number };

/** A position anywhere, or among the last 300 bytes, where the zip's directories are. */
const position = fc.oneof(
  fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }).map((f) => ({ tail: false, f })),
  fc.integer({ min: 1, max: 300 }).map((n) => ({ tail: true, f: n })),
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat(),
    value: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 24 }),
  }),
  fc.record({
    kind: fc.constant('delete' as const),
    at: fc.nat(),
    count: fc.integer({ min: 1, max: 24 }),
  }),
);

const damage = fc.array(fc.tuple(mutation, position), { minLength: 1, maxLength: 3 });

function apply(buf: Buffer, steps: [Mutation, { tail: boolean; f: number }][]): Buffer {
  let b = Buffer.from(buf);
  for (const [m, pos] of steps) {
    if (b.length === 0) break;
    const at = pos.tail
      ? Math.max(0, b.length - pos.f)
      : Math.min(b.length - 1, Math.floor(pos.f * b.length));
    switch (m.kind) {
      case 'flip':
        b[at] = b[at]! ^ (1 << m.bit);
        break;
      case 'set':
        b[at] = m.value;
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.count)]);
        break;
      default: {
        const never: never = m;
        throw new Error(`unknown mutation ${String(never)}`);
      }
    }
  }
  return b;
}

async function verifyInTime(path: string): Promise<BundleCheck> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('verify did not answer within 10 s')), 10_000);
  });
  try {
    return await Promise.race([verifyBundle(path, fingerprint), hang]);
  } finally {
    clearTimeout(timer);
  }
}

describe('verify under random damage', () => {
  it(
    'answers every damaged bundle, and calls one intact only when every reader extracts the original files',
    async () => {
      let intactButChanged = 0;
      await fc.assert(
        fc.asyncProperty(damage, async (steps) => {
          const bytes = apply(original, steps);
          fc.pre(!bytes.equals(original));
          writeFileSync(probe, bytes);
          const check = await verifyInTime(probe);
          expect(Array.isArray(check.problems)).toBe(true);
          expect(check.ok).toBe(check.problems.length === 0);
          if (!check.ok) return;
          intactButChanged += 1;
          expect(bytes.length).toBe(original.length);
          for (let i = 0; i < bytes.length; i++)
            if (bytes[i] !== original[i]) expect(contentless, `byte ${i} changed`).toContain(i);
          expect(await centralView(probe)).toEqual(centralOriginal);
          expect(streamingView(bytes)).toEqual(streamingOriginal);
        }),
        fuzzOptions(250),
      );
      if (fuzzing())
        console.log(`intact with only content-free bytes changed: ${intactButChanged} cases`);
    },
    fuzzing() ? 0 : 60_000,
  );
});
