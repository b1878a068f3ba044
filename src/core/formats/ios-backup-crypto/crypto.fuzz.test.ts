import fc from 'fast-check';
import { createCipheriv, getCiphers } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fuzzOptions } from '../../testing/fuzz';
import { byteMutation, mutateBytes } from '../../testing/mutate';
import { aesKeyUnwrap, aesKeyWrap } from './aes-kw';
import type { ClassKeys } from './decrypt';
import { decryptFile, decryptFileChunks, decryptManifestDb } from './decrypt';
import { BackupCryptoError } from './errors';

// Property-based tests of RFC 3394 key unwrapping and of payload-file and Manifest.db decryption,
// whose inputs (wrapped keys, 44-byte key blobs, ciphertext, recorded sizes) come from whoever
// made the backup. Unwrapping returns the wrapped key or null, never another key; decryption
// returns the plaintext, throws a CORRUPT BackupCryptoError, or — where AES-CBC cannot tell, a
// changed ciphertext block with valid padding — returns other bytes of the recorded size.

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');

/**
 * RFC 3394 §2.2.1 key wrap, written from the RFC's outline for these tests so the module's
 * unwrap is checked against an independent implementation: A = IV; for j = 0..5, i = 1..n:
 * B = AES(K, A | R[i]); A = MSB64(B) ^ t with t = n·j + i; R[i] = LSB64(B).
 */
function referenceWrap(kek: Uint8Array, keyData: Uint8Array): Buffer {
  const aes = createCipheriv('aes-256-ecb', kek, null).setAutoPadding(false);
  const n = keyData.length / 8;
  let a = Buffer.from(IV);
  const r = Array.from({ length: n }, (_, i) => Buffer.from(keyData.subarray(8 * i, 8 * i + 8)));
  for (let j = 0; j <= 5; j++) {
    for (let i = 0; i < n; i++) {
      const b = aes.update(Buffer.concat([a, r[i]!]));
      a = Buffer.from(b.subarray(0, 8));
      a.writeBigUInt64BE(a.readBigUInt64BE(0) ^ BigInt(n * j + i + 1), 0);
      r[i] = Buffer.from(b.subarray(8, 16));
    }
  }
  return Buffer.concat([a, ...r]);
}

/** Runs an unwrap; its result, or the RangeError message for an impossible length. */
function unwrapOrRangeError(kek: Uint8Array, wrapped: Uint8Array): Uint8Array | null | string {
  try {
    return aesKeyUnwrap(kek, wrapped);
  } catch (e) {
    if (e instanceof RangeError) return e.message;
    throw e;
  }
}

const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
/** Key data of an allowed size: 2 to 32 semiblocks (16 to 256 bytes). */
const keyData = fc
  .integer({ min: 2, max: 32 })
  .chain((n) => fc.uint8Array({ minLength: 8 * n, maxLength: 8 * n }));

describe('RFC 3394 AES key unwrap (property-based)', () => {
  it('unwraps what the RFC algorithm wraps, and wraps to the same bytes', () => {
    fc.assert(
      fc.property(key32, keyData, (kek, data) => {
        const wrapped = referenceWrap(kek, data);
        expect(wrapped.length).toBe(data.length + 8);
        expect(hex(aesKeyUnwrap(kek, wrapped) ?? new Uint8Array(0))).toBe(hex(data));
        expect(hex(aesKeyWrap(kek, data))).toBe(hex(wrapped));
      }),
      fuzzOptions(200),
    );
  });

  it.skipIf(!getCiphers().includes('id-aes256-wrap'))(
    'the test wrap agrees with OpenSSL id-aes256-wrap',
    () => {
      fc.assert(
        fc.property(key32, keyData, (kek, data) => {
          const native = createCipheriv('id-aes256-wrap', kek, IV);
          const wrapped = Buffer.concat([native.update(data), native.final()]);
          expect(hex(referenceWrap(kek, data))).toBe(hex(wrapped));
        }),
        fuzzOptions(100),
      );
    },
  );

  it('returns null for any flipped bit and for any other KEK, never another key', () => {
    fc.assert(
      fc.property(
        key32,
        keyData,
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        fc.boolean(),
        (kek, data, at, bit, inKek) => {
          const wrapped = referenceWrap(kek, data);
          const damaged = Buffer.from(inKek ? kek : wrapped);
          damaged[at % damaged.length]! ^= 1 << bit;
          expect(inKek ? aesKeyUnwrap(damaged, wrapped) : aesKeyUnwrap(kek, damaged)).toBeNull();
        },
      ),
      fuzzOptions(300),
    );
  });

  it('refuses a cut or extended wrapped key: null, or a RangeError for an impossible length', () => {
    fc.assert(
      fc.property(
        key32,
        keyData,
        fc.integer({ min: -40, max: 40 }).filter((d) => d !== 0),
        fc.boolean(),
        fc.uint8Array({ minLength: 40, maxLength: 40 }),
        (kek, data, change, atFront, extra) => {
          const wrapped = referenceWrap(kek, data);
          const changed =
            change < 0
              ? atFront
                ? wrapped.subarray(-change)
                : wrapped.subarray(0, Math.max(0, wrapped.length + change))
              : atFront
                ? Buffer.concat([extra.subarray(0, change), wrapped])
                : Buffer.concat([wrapped, extra.subarray(0, change)]);
          const result = unwrapOrRangeError(kek, changed);
          if (changed.length < 24 || changed.length % 8 !== 0) {
            expect(result).toBe(
              `AES key unwrap needs at least 24 bytes in whole 8-byte blocks, got ${changed.length} bytes.`,
            );
          } else {
            expect(result).toBeNull();
          }
        },
      ),
      fuzzOptions(300),
    );
  });

  it('returns null for random data and never changes its inputs', () => {
    fc.assert(
      fc.property(
        key32,
        fc
          .integer({ min: 3, max: 40 })
          .chain((n) => fc.uint8Array({ minLength: 8 * n, maxLength: 8 * n })),
        (kek, wrapped) => {
          const [kekBefore, wrappedBefore] = [hex(kek), hex(wrapped)];
          expect(aesKeyUnwrap(kek, wrapped)).toBeNull();
          expect([hex(kek), hex(wrapped)]).toEqual([kekBefore, wrappedBefore]);
        },
      ),
      fuzzOptions(200),
    );
  });

  it('refuses a KEK that is not 32 bytes with a RangeError', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }).filter((k) => k.length !== 32),
        fc.uint8Array({ maxLength: 64 }),
        (kek, wrapped) => {
          expect(unwrapOrRangeError(kek, wrapped)).toBe(
            `AES key wrap needs a 32-byte key-encryption key, got ${kek.length} bytes.`,
          );
        },
      ),
      fuzzOptions(100),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Decryption. Files are encrypted here as a backup holds them (test-backup.ts): a fresh 32-byte
// key, AES-256-CBC with a zero IV and PKCS#7 padding, and a 44-byte key blob of a u32le class and
// the key wrapped with the class key. Keys and plaintexts come from fast-check, so a failure
// replays from its seed.

/** `length` bytes expanded from a seed (AES-CTR keystream): large plaintexts cost no generation. */
function bytesFrom(seed: Uint8Array, length: number): Buffer {
  const ctr = createCipheriv('aes-128-ctr', seed.subarray(0, 16), Buffer.alloc(16));
  return ctr.update(Buffer.alloc(length));
}

function cbcEncrypt(key: Uint8Array, plain: Uint8Array): Buffer {
  const cipher = createCipheriv('aes-256-cbc', key, Buffer.alloc(16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]);
}

function keyBlob(protectionClass: number, classKey: Uint8Array, key: Uint8Array): Buffer {
  const blob = Buffer.alloc(4);
  blob.writeUInt32LE(protectionClass >>> 0, 0);
  return Buffer.concat([blob, referenceWrap(classKey, key)]);
}

interface EncryptedFile {
  plain: Buffer;
  fileKey: Uint8Array;
  ciphertext: Buffer;
  blob: Buffer;
  protectionClass: number;
  classKeys: ClassKeys;
}

/** Plaintext sizes around the block size, ordinary ones, and a few large ones. */
const plainSize = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(0, 1, 15, 16, 17, 31, 32, 33, 48) },
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 5000 }) },
  { weight: 2, arbitrary: fc.constant(65_536 + 7) },
  { weight: 1, arbitrary: fc.constant(1 << 20) },
);

const encryptedFile: fc.Arbitrary<EncryptedFile> = fc
  .record({
    size: plainSize,
    seed: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    fileKey: key32,
    protectionClass: fc.integer({ min: 1, max: 11 }),
    classKeys: fc.array(key32, { minLength: 11, maxLength: 11 }),
  })
  .map(({ size, seed, fileKey, protectionClass, classKeys }) => {
    const plain = bytesFrom(seed, size);
    const pad = 16 - (size % 16);
    const keys = new Map(classKeys.map((k, i) => [i + 1, k] as const));
    return {
      plain,
      fileKey,
      ciphertext: cbcEncrypt(fileKey, Buffer.concat([plain, Buffer.alloc(pad, pad)])),
      blob: keyBlob(protectionClass, keys.get(protectionClass)!, fileKey),
      protectionClass,
      classKeys: keys,
    };
  });

/** The CORRUPT messages of decryption; none names key material. */
const CORRUPT_MESSAGES = [
  /^The file key is \d+ bytes; expected 44 \(class \+ wrapped key\)\.$/,
  /^No key was unlocked for protection class -?\d+( or -?\d+)?, which the file needs\.$/,
  /^The file key does not unwrap with the key of protection class -?\d+: /,
  /^The key of protection class -?\d+ is \d+ bytes, not 32\.$/,
  /^The encrypted file is empty; it should hold at least one block\.$/,
  /^The encrypted file is \d+ bytes, not a multiple of 16: it is truncated or damaged\.$/,
  /^The decrypted file has invalid PKCS#7 padding: /,
  /^The decrypted file is \d+ bytes but the backup records a size of .+\.$/,
  /^The encrypted file is longer than its recorded size of .+ bytes allows\.$/,
];

type Outcome = { bytes: string } | { corrupt: string };

function corruptOutcome(e: unknown): Outcome {
  if (!(e instanceof BackupCryptoError) || e.code !== 'CORRUPT') throw e;
  expect(CORRUPT_MESSAGES.some((m) => m.test(e.message))).toBe(true);
  return { corrupt: e.message };
}

function decryptOutcome(
  f: { ciphertext: Uint8Array; blob: Uint8Array; classKeys: ClassKeys },
  protectionClass: number | null,
  expectedSize: number | null,
): Outcome {
  try {
    const out = decryptFile(f.ciphertext, f.blob, protectionClass, f.classKeys, expectedSize);
    return { bytes: hex(out) };
  } catch (e) {
    return corruptOutcome(e);
  }
}

async function* inChunks(data: Uint8Array, sizes: readonly number[]): AsyncGenerator<Uint8Array> {
  let offset = 0;
  for (let i = 0; offset < data.length; i++) {
    const size = sizes[i % sizes.length]!;
    yield data.subarray(offset, offset + size);
    offset += size;
  }
}

async function chunkedOutcome(
  f: { ciphertext: Uint8Array; blob: Uint8Array; classKeys: ClassKeys },
  protectionClass: number | null,
  expectedSize: number | null,
  sizes: readonly number[],
): Promise<Outcome> {
  const parts: Uint8Array[] = [];
  try {
    for await (const part of decryptFileChunks(
      inChunks(f.ciphertext, sizes),
      f.blob,
      protectionClass,
      f.classKeys,
      expectedSize,
    )) {
      parts.push(part);
    }
    return { bytes: hex(Buffer.concat(parts)) };
  } catch (e) {
    return corruptOutcome(e);
  }
}

/** Chunk sizes a reader may deliver: unaligned, block-sized, and larger than the file. */
const chunkSizes = fc.array(
  fc.oneof(fc.integer({ min: 1, max: 40 }), fc.constantFrom(16, 4096, 1 << 20)),
  { minLength: 1, maxLength: 4 },
);

/** Both decryptors agree: the same bytes, or both CORRUPT (their messages may differ). */
function sameResult(a: Outcome, b: Outcome): void {
  if ('bytes' in a && 'bytes' in b) expect(b.bytes).toBe(a.bytes);
  else expect(['corrupt' in a, 'corrupt' in b]).toEqual([true, true]);
}

describe('decryptFile and decryptFileChunks (property-based)', () => {
  it('both decrypt what the backup encrypts to the same bytes, for any size and chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        encryptedFile,
        fc.boolean(),
        fc.boolean(),
        chunkSizes,
        async (f, classGiven, sizeGiven, sizes) => {
          const cls = classGiven ? f.protectionClass : null;
          const size = sizeGiven ? f.plain.length : null;
          expect(decryptOutcome(f, cls, size)).toEqual({ bytes: hex(f.plain) });
          expect(await chunkedOutcome(f, cls, size, sizes)).toEqual({ bytes: hex(f.plain) });
        },
      ),
      fuzzOptions(100),
    );
  });

  it('decryptFileChunks gives what decryptFile gives, for any chunking and any damage', async () => {
    await fc.assert(
      fc.asyncProperty(
        encryptedFile,
        fc.array(byteMutation, { maxLength: 3 }),
        fc.boolean(),
        chunkSizes,
        async (f, mutations, sizeGiven, sizes) => {
          const damaged = { ...f, ciphertext: mutateBytes(f.ciphertext, mutations) };
          const size = sizeGiven ? f.plain.length : null;
          sameResult(
            decryptOutcome(damaged, f.protectionClass, size),
            await chunkedOutcome(damaged, f.protectionClass, size, sizes),
          );
        },
      ),
      fuzzOptions(150),
    );
  });

  it('strips valid PKCS#7 padding and refuses anything else at the end of the plaintext', async () => {
    // Block-aligned plaintext encrypted as is, so its last bytes may or may not be padding.
    const tail = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 16 }),
      fc
        .tuple(fc.integer({ min: 0, max: 17 }), fc.integer({ min: 1, max: 16 }), fc.nat(15))
        .map(([n, count, at]) => {
          // n repeated `count` times, sometimes with one byte changed: near-valid padding.
          const b = new Uint8Array(count).fill(n);
          if (at < count && at % 2 === 1) b[at] = (n + 1) & 0xff;
          return b;
        }),
    );
    await fc.assert(
      fc.asyncProperty(encryptedFile, tail, chunkSizes, async (f, end, sizes) => {
        const body = f.plain.subarray(0, f.plain.length - (f.plain.length % 16));
        const head = Buffer.alloc((16 - (end.length % 16)) % 16, 0x41);
        const padded = Buffer.concat([body, head, end]);
        const file = { ...f, ciphertext: cbcEncrypt(f.fileKey, padded) };
        // PKCS#7 as the format defines it: last byte n, 1 ≤ n ≤ 16, the last n bytes all n.
        const n = padded[padded.length - 1]!;
        const valid = n >= 1 && n <= 16 && padded.subarray(padded.length - n).every((b) => b === n);
        const expected: Outcome = valid
          ? { bytes: hex(padded.subarray(0, padded.length - n)) }
          : {
              corrupt:
                'The decrypted file has invalid PKCS#7 padding: the file is damaged or its key is wrong.',
            };
        expect(decryptOutcome(file, f.protectionClass, null)).toEqual(expected);
        expect(await chunkedOutcome(file, f.protectionClass, null, sizes)).toEqual(expected);
      }),
      fuzzOptions(200),
    );
  });

  it('refuses a cut or extended ciphertext when the size is recorded', async () => {
    await fc.assert(
      fc.asyncProperty(
        encryptedFile,
        fc.integer({ min: -64, max: 64 }).filter((d) => d !== 0),
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        chunkSizes,
        async (f, change, extra, sizes) => {
          const ciphertext =
            change < 0
              ? f.ciphertext.subarray(0, Math.max(0, f.ciphertext.length + change))
              : Buffer.concat([f.ciphertext, extra.subarray(0, change)]);
          const damaged = { ...f, ciphertext };
          const whole = decryptOutcome(damaged, f.protectionClass, f.plain.length);
          expect(whole).toHaveProperty('corrupt');
          expect(
            await chunkedOutcome(damaged, f.protectionClass, f.plain.length, sizes),
          ).toHaveProperty('corrupt');
          // Without a recorded size, a cut at a block boundary may end in valid padding: then the
          // result is shorter than the plaintext, never the plaintext.
          const unsized = decryptOutcome(damaged, f.protectionClass, null);
          if ('bytes' in unsized) expect(unsized.bytes).not.toBe(hex(f.plain));
        },
      ),
      fuzzOptions(150),
    );
  });

  it('never returns the plaintext for a flipped ciphertext bit; with a recorded size, other bytes of that size or CORRUPT', () => {
    fc.assert(
      fc.property(
        encryptedFile,
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        fc.boolean(),
        (f, at, bit, sizeGiven) => {
          const ciphertext = Buffer.from(f.ciphertext);
          ciphertext[at % ciphertext.length]! ^= 1 << bit;
          const result = decryptOutcome(
            { ...f, ciphertext },
            f.protectionClass,
            sizeGiven ? f.plain.length : null,
          );
          if ('bytes' in result) {
            expect(result.bytes).not.toBe(hex(f.plain));
            if (sizeGiven) expect(result.bytes.length).toBe(2 * f.plain.length);
          }
        },
      ),
      fuzzOptions(200),
    );
  });

  it('returns the plaintext or CORRUPT for any damage to the key blob, never other bytes', () => {
    fc.assert(
      fc.property(
        encryptedFile,
        fc.array(byteMutation, { minLength: 1, maxLength: 3 }),
        fc.oneof(fc.constant(null), fc.integer({ min: -1, max: 12 }), fc.constant(0xffff_ffff)),
        (f, mutations, cls) => {
          const damaged = { ...f, blob: mutateBytes(f.blob, mutations) };
          for (const protectionClass of [cls, f.protectionClass]) {
            const result = decryptOutcome(damaged, protectionClass, f.plain.length);
            if ('bytes' in result) expect(result.bytes).toBe(hex(f.plain));
          }
        },
      ),
      fuzzOptions(200),
    );
  });

  it('refuses another backup’s class keys, and class keys that are not 32 bytes', () => {
    fc.assert(
      fc.property(
        encryptedFile,
        fc.array(fc.tuple(fc.integer({ min: 0, max: 12 }), fc.uint8Array({ maxLength: 48 })), {
          maxLength: 12,
        }),
        (f, entries) => {
          const classKeys = new Map(entries);
          const result = decryptOutcome({ ...f, classKeys }, f.protectionClass, null);
          const key = classKeys.get(f.protectionClass);
          if (key === undefined) {
            expect(result).toEqual({
              corrupt: `No key was unlocked for protection class ${f.protectionClass}, which the file needs.`,
            });
          } else if (key.length !== 32) {
            expect(result).toEqual({
              corrupt: `The key of protection class ${f.protectionClass} is ${key.length} bytes, not 32.`,
            });
          } else {
            expect(result).toEqual({
              corrupt: `The file key does not unwrap with the key of protection class ${f.protectionClass}: the key blob is damaged or belongs to another backup.`,
            });
          }
        },
      ),
      fuzzOptions(200),
    );
  });

  it('refuses any recorded size but the true one, extreme ones included, without allocating for it', async () => {
    const extreme = fc.oneof(
      fc.constantFrom(-1, 2 ** 31, 2 ** 32, 2 ** 53, Number.MAX_SAFE_INTEGER, Number.MAX_VALUE),
      fc.constantFrom(NaN, Infinity, -Infinity, 0.5),
      fc.integer({ min: 0, max: 6000 }),
    );
    await fc.assert(
      fc.asyncProperty(encryptedFile, extreme, chunkSizes, async (f, size, sizes) => {
        fc.pre(size !== f.plain.length);
        const expected = {
          corrupt: `The decrypted file is ${f.plain.length} bytes but the backup records a size of ${size}.`,
        };
        expect(decryptOutcome(f, f.protectionClass, size)).toEqual(expected);
        const chunked = await chunkedOutcome(f, f.protectionClass, size, sizes);
        expect(chunked).toHaveProperty('corrupt');
        expect(chunked).toEqual(
          f.ciphertext.length > size + 16
            ? {
                corrupt: `The encrypted file is longer than its recorded size of ${size} bytes allows.`,
              }
            : expected,
        );
      }),
      fuzzOptions(150),
    );
  });

  it('stops reading a stream as soon as it is longer than its recorded size allows', async () => {
    await fc.assert(
      fc.asyncProperty(encryptedFile, fc.integer({ min: 1, max: 4096 }), async (f, chunk) => {
        // The file followed by another MiB of blocks, delivered `chunk` bytes at a time.
        const stream = Buffer.concat([f.ciphertext, Buffer.alloc(1 << 20, 0x33)]);
        let pulled = 0;
        async function* source(): AsyncGenerator<Uint8Array> {
          for (let offset = 0; offset < stream.length; offset += chunk) {
            const part = stream.subarray(offset, offset + chunk);
            pulled += part.length;
            yield part;
          }
        }
        const chunks = decryptFileChunks(
          source(),
          f.blob,
          f.protectionClass,
          f.classKeys,
          f.plain.length,
        );
        const error = await (async () => {
          for await (const part of chunks) void part;
        })().then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(BackupCryptoError);
        expect((error as BackupCryptoError).message).toBe(
          `The encrypted file is longer than its recorded size of ${f.plain.length} bytes allows.`,
        );
        expect(pulled).toBeLessThanOrEqual(f.plain.length + 16 + chunk);
      }),
      fuzzOptions(100),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Manifest.db: page-aligned, unpadded; only its SQLite header shows a wrong key or damage.

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

const encryptedManifest = fc
  .record({
    blocks: fc.oneof(fc.integer({ min: 1, max: 300 }), fc.constant(65_536)),
    seed: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    dbKey: key32,
    protectionClass: fc.integer({ min: 1, max: 11 }),
    classKeys: fc.array(key32, { minLength: 11, maxLength: 11 }),
  })
  .map(({ blocks, seed, dbKey, protectionClass, classKeys }) => {
    const plain = Buffer.concat([SQLITE_HEADER, bytesFrom(seed, 16 * (blocks - 1))]);
    const keys = new Map(classKeys.map((k, i) => [i + 1, k] as const));
    return {
      plain,
      ciphertext: cbcEncrypt(dbKey, plain),
      blob: keyBlob(protectionClass, keys.get(protectionClass)!, dbKey),
      classKeys: keys as ClassKeys,
    };
  });

function manifestOutcome(encrypted: Uint8Array, blob: Uint8Array, classKeys: ClassKeys): Outcome {
  try {
    return { bytes: hex(decryptManifestDb(encrypted, blob, classKeys)) };
  } catch (e) {
    if (!(e instanceof BackupCryptoError) || e.code !== 'CORRUPT') throw e;
    expect(e.message).toMatch(
      /^The (Manifest\.db key is \d+ bytes; expected 44|Manifest\.db key does not unwrap|key of protection class \d+ is \d+ bytes|encrypted Manifest\.db is \d+ bytes, not a non-zero multiple of 16|decrypted Manifest\.db does not start with "SQLite format 3")|^No key was unlocked for protection class \d+, which the Manifest\.db needs\.$/,
    );
    return { corrupt: e.message };
  }
}

describe('decryptManifestDb (property-based)', () => {
  it('decrypts what the backup encrypts to the same bytes', () => {
    fc.assert(
      fc.property(encryptedManifest, (m) => {
        expect(manifestOutcome(m.ciphertext, m.blob, m.classKeys)).toEqual({ bytes: hex(m.plain) });
      }),
      fuzzOptions(60),
    );
  });

  it('refuses damage to the first block, a length that is not whole blocks, and a damaged key', () => {
    fc.assert(
      fc.property(
        encryptedManifest,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.integer({ min: -40, max: 40 }),
        fc.array(byteMutation, { maxLength: 3 }),
        (m, at, mask, change, keyMutations) => {
          const flipped = Buffer.from(m.ciphertext);
          flipped[at % 16]! ^= mask;
          expect(manifestOutcome(flipped, m.blob, m.classKeys)).toEqual({
            corrupt:
              'The decrypted Manifest.db does not start with "SQLite format 3": the ManifestKey or the file is damaged, or they belong to different backups.',
          });
          const resized =
            change < 0
              ? m.ciphertext.subarray(0, Math.max(0, m.ciphertext.length + change))
              : Buffer.concat([m.ciphertext, Buffer.alloc(change, 0x55)]);
          const whole = resized.length > 0 && resized.length % 16 === 0;
          const result = manifestOutcome(resized, m.blob, m.classKeys);
          if (whole) {
            // Whole blocks added or removed keep the first block and so the header: CBC cannot
            // tell, and the result is as long as the ciphertext given.
            expect(result).toHaveProperty('bytes');
            if ('bytes' in result) expect(result.bytes.length).toBe(2 * resized.length);
          } else {
            expect(result).toEqual({
              corrupt: `The encrypted Manifest.db is ${resized.length} bytes, not a non-zero multiple of 16: it is truncated or damaged.`,
            });
          }
          const keyResult = manifestOutcome(
            m.ciphertext,
            mutateBytes(m.blob, keyMutations),
            m.classKeys,
          );
          if ('bytes' in keyResult) expect(keyResult.bytes).toBe(hex(m.plain));
        },
      ),
      fuzzOptions(150),
    );
  });

  it('returns other bytes of the same size for damage past the first block (CBC cannot tell)', () => {
    fc.assert(
      fc.property(
        encryptedManifest.filter((m) => m.ciphertext.length > 16),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (m, at, mask) => {
          const flipped = Buffer.from(m.ciphertext);
          flipped[16 + (at % (flipped.length - 16))]! ^= mask;
          const result = manifestOutcome(flipped, m.blob, m.classKeys);
          expect(result).toHaveProperty('bytes');
          if ('bytes' in result) {
            expect(result.bytes.length).toBe(2 * m.plain.length);
            expect(result.bytes).not.toBe(hex(m.plain));
          }
        },
      ),
      fuzzOptions(100),
    );
  });
});
