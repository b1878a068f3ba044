import fc from 'fast-check';
import { pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fuzzOptions } from '../../testing/fuzz';
import { byteMutation, mutateBytes } from '../../testing/mutate';
import { aesKeyWrap } from './aes-kw';
import { deriveKeyStages } from './derive';
import { BackupCryptoError } from './errors';
import type { Keybag, KeybagClass, KeybagRecord } from './keybag';
import {
  buildKeybag,
  encodeKeybagRecords,
  KEY_TYPE_CURVE25519,
  keybagRecords,
  MAX_KEYBAG_ITERATIONS,
  parseKeybag,
  WRAP_PASSCODE,
} from './keybag';
import { createTestBackupKeys } from './test-backup';
import type { SkippedClass } from './unlock';
import { unlockKeybag } from './unlock';

// Property-based tests of the backup keybag (Manifest.plist:BackupKeyBag), which comes from
// whoever made the backup: whatever the bytes, parseKeybag returns a keybag that keeps its
// documented guarantees or throws a MALFORMED BackupCryptoError naming what is wrong; unlocking a
// keybag it returned yields only 32-byte keys that the password really wrapped.

const MALFORMED = 'The backup keybag is malformed: ';
const HEADER_TAGS = ['VERS', 'TYPE', 'WRAP', 'ITER', 'DPWT', 'DPIC', 'SALT', 'DPSL', 'HMCK'];
const CLASS_TAGS = ['CLAS', 'WRAP', 'KTYP', 'WPKY', 'PBKY'];
const NUMBER_TAGS = new Set(['VERS', 'TYPE', 'WRAP', 'ITER', 'DPWT', 'DPIC', 'CLAS', 'KTYP']);

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The refusal message of a keybag, or null when it parses; any other error is rethrown. */
function refusal(buf: Uint8Array): string | null {
  try {
    parseKeybag(buf);
    return null;
  } catch (e) {
    if (e instanceof BackupCryptoError && e.code === 'MALFORMED') {
      expect(e.message.startsWith(MALFORMED)).toBe(true);
      return e.message.slice(MALFORMED.length);
    }
    throw e;
  }
}

/** Parses, or null when refused as MALFORMED; checks what a parsed keybag guarantees. */
function parseOrRefuse(buf: Uint8Array): Keybag | null {
  if (refusal(buf) !== null) return null;
  const kb = parseKeybag(buf);
  const inRange = (n: number) => Number.isInteger(n) && n >= 1 && n <= MAX_KEYBAG_ITERATIONS;
  expect(inRange(kb.iterations)).toBe(true);
  if (kb.dpic !== undefined) expect(inRange(kb.dpic)).toBe(true);
  expect(kb.dpic === undefined).toBe(kb.dpsl === undefined);
  const classes = kb.classes.map((c) => c.protectionClass);
  expect(new Set(classes).size).toBe(classes.length);
  // Values are views into the input: nothing is copied or allocated from a length field.
  const views = [kb.uuid, kb.salt, kb.dpsl, kb.hmck];
  for (const c of kb.classes) views.push(c.uuid, c.wpky, c.pbky);
  for (const v of views) {
    if (v === undefined) continue;
    expect(v.buffer).toBe(buf.buffer);
    expect(v.byteOffset).toBeGreaterThanOrEqual(buf.byteOffset);
    expect(v.byteOffset + v.length).toBeLessThanOrEqual(buf.byteOffset + buf.length);
  }
  for (const c of kb.classes) {
    if (c.wpky === undefined) continue;
    expect(c.wpky.length % 8).toBe(0);
    expect(c.wpky.length).toBeGreaterThanOrEqual(24);
  }
  return kb;
}

/** A keybag as plain data (hex for bytes, no absent fields), for comparing parses. */
function plain(kb: Keybag): unknown {
  const data = (v: unknown): unknown => {
    if (v instanceof Uint8Array) return hex(v);
    if (Array.isArray(v)) return v.map(data);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v)
          .filter(([, x]) => x !== undefined)
          .map(([k, x]) => [k, data(x)]),
      );
    }
    return v;
  };
  return data(kb);
}

/** Byte offset of each record and of the end, for records encoded by encodeKeybagRecords. */
function offsets(records: readonly KeybagRecord[]): number[] {
  const out = [0];
  for (const r of records) {
    const length = typeof r.value === 'number' ? 4 : r.value.length;
    out.push(out[out.length - 1]! + 8 + length);
  }
  return out;
}

/** Index of the record that opens the first class (the second UUID), or the record count. */
function firstClassIndex(records: readonly KeybagRecord[]): number {
  let uuids = 0;
  for (let i = 0; i < records.length; i++) {
    if (records[i]!.tag === 'UUID' && ++uuids === 2) return i;
  }
  return records.length;
}

const u32 = fc.oneof(
  fc.integer({ min: 0, max: 0xffff_ffff }),
  fc.constantFrom(0, 1, 2, 3, 0x7fff_ffff, 0xffff_ffff),
);
const bytes = (maxLength: number) => fc.uint8Array({ maxLength });
const iterationCount = fc.oneof(
  fc.integer({ min: 1, max: MAX_KEYBAG_ITERATIONS }),
  fc.constantFrom(1, 10_000, 10_000_000, MAX_KEYBAG_ITERATIONS),
);

/** A class record as the format allows it: a password-wrapped WPKY is a wrapped 32-byte key. */
const keybagClass: fc.Arbitrary<KeybagClass> = fc
  .record({
    uuid: bytes(20),
    protectionClass: u32,
    wrap: fc.oneof(fc.constantFrom(0, 1, 2, 3), u32),
    keyType: fc.oneof(fc.constantFrom(0, 1), u32),
    hasWpky: fc.boolean(),
    wpkySeed: fc.uint8Array({ minLength: 72, maxLength: 72 }),
    deviceWpkyLength: fc.constantFrom(24, 32, 40, 48, 72),
    pbky: fc.option(bytes(40), { nil: undefined }),
  })
  .map(({ hasWpky, wpkySeed, deviceWpkyLength, ...c }) => {
    const length = (c.wrap & WRAP_PASSCODE) !== 0 ? 40 : deviceWpkyLength;
    return { ...c, wpky: hasWpky ? wpkySeed.subarray(0, length) : undefined };
  });

/** Any keybag the format allows (unique classes, counts in range, DPIC with DPSL). */
const validKeybag: fc.Arbitrary<Keybag> = fc
  .record({
    version: u32,
    type: u32,
    uuid: bytes(20),
    wrap: fc.option(u32, { nil: undefined }),
    salt: bytes(40),
    iterations: iterationCount,
    dpwt: fc.option(u32, { nil: undefined }),
    dp: fc.option(fc.tuple(iterationCount, bytes(40)), { nil: undefined }),
    hmck: fc.option(bytes(48), { nil: undefined }),
    classes: fc.uniqueArray(keybagClass, { selector: (c) => c.protectionClass, maxLength: 12 }),
  })
  .map(({ dp, ...kb }) => ({ ...kb, dpic: dp?.[0], dpsl: dp?.[1] }));

/** Four printable ASCII characters. */
const anyTag = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  minLength: 4,
  maxLength: 4,
});

/** A record whose tag means nothing where it is put (unknown, or of the other context). */
const strayRecord = fc.record({
  at: fc.nat(),
  tag: fc.oneof(anyTag, fc.constantFrom(...HEADER_TAGS, ...CLASS_TAGS)),
  value: fc.oneof(bytes(24), u32),
});

describe('parseKeybag (property-based)', () => {
  it('returns a keybag or throws MALFORMED for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (buf) => {
        parseOrRefuse(buf);
      }),
      fuzzOptions(500),
    );
  });

  it('returns a keybag or throws MALFORMED for any sequence of TLV records', () => {
    const record = fc.record({
      tag: fc.oneof(fc.constantFrom('UUID', ...HEADER_TAGS, ...CLASS_TAGS), anyTag),
      value: fc.oneof(bytes(48), u32, fc.constantFrom(0, MAX_KEYBAG_ITERATIONS + 1)),
    });
    fc.assert(
      fc.property(fc.array(record, { maxLength: 40 }), (records) => {
        parseOrRefuse(encodeKeybagRecords(records));
      }),
      fuzzOptions(500),
    );
  });

  it('returns a keybag or throws MALFORMED for any mutation of a valid keybag', () => {
    const keys = createTestBackupKeys({ password: 'pw', iterations: 1, dpic: 1 });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constant(keys.keybagBytes),
          validKeybag.map((kb) => buildKeybag(kb)),
        ),
        fc.array(byteMutation, { minLength: 1, maxLength: 4 }),
        (valid, mutations) => {
          parseOrRefuse(mutateBytes(valid, mutations));
        },
      ),
      fuzzOptions(300),
    );
  });

  it('reads back every valid keybag it is given, and writes the same bytes again', () => {
    fc.assert(
      fc.property(validKeybag, (kb) => {
        const buf = buildKeybag(kb);
        const parsed = parseOrRefuse(buf);
        expect(parsed).not.toBeNull();
        expect(plain(parsed!)).toEqual(plain(kb));
        expect(hex(buildKeybag(parsed!))).toBe(hex(buf));
      }),
      fuzzOptions(300),
    );
  });

  it('ignores unknown tags, and tags of the other context, wherever they are', () => {
    fc.assert(
      fc.property(validKeybag, fc.array(strayRecord, { minLength: 1, maxLength: 6 }), (kb, s) => {
        const records = keybagRecords(kb);
        for (const { at, tag, value } of s) {
          const i = at % (records.length + 1);
          const inHeader = i <= firstClassIndex(records);
          if (tag === 'UUID' || (inHeader ? HEADER_TAGS : CLASS_TAGS).includes(tag)) continue;
          records.splice(i, 0, { tag, value });
        }
        const parsed = parseOrRefuse(encodeKeybagRecords(records));
        expect(parsed).not.toBeNull();
        expect(plain(parsed!)).toEqual(plain(kb));
      }),
      fuzzOptions(300),
    );
  });

  it('refuses a header tag given twice, naming it and where', () => {
    fc.assert(
      fc.property(validKeybag, fc.nat(), fc.nat(), bytes(24), (kb, pick, where, value) => {
        const records = keybagRecords(kb);
        const end = firstClassIndex(records);
        const header = records.slice(0, end).filter((r) => r.tag !== 'UUID');
        const original = header[pick % header.length]!;
        const first = records.indexOf(original);
        const at = first + 1 + (where % (end - first));
        const copy = NUMBER_TAGS.has(original.tag) ? value.length : value;
        records.splice(at, 0, { tag: original.tag, value: copy });
        expect(refusal(encodeKeybagRecords(records))).toBe(
          `the header holds ${original.tag} twice (second at byte ${offsets(records)[at]}).`,
        );
      }),
      fuzzOptions(200),
    );
  });

  it('refuses a number that is not 4 bytes, naming the tag and where', () => {
    fc.assert(
      fc.property(
        validKeybag,
        fc.nat(),
        bytes(12).filter((b) => b.length !== 4),
        (kb, pick, value) => {
          const records = keybagRecords(kb);
          const numbers = records.flatMap((r, i) => (typeof r.value === 'number' ? [i] : []));
          const i = numbers[pick % numbers.length]!;
          const tag = records[i]!.tag;
          records[i] = { tag, value };
          expect(refusal(encodeKeybagRecords(records))).toBe(
            `${tag} at byte ${offsets(records)[i]} holds ${value.length} bytes instead of a 4-byte number.`,
          );
        },
      ),
      fuzzOptions(200),
    );
  });

  it('refuses a record whose length runs past the end, without reading or allocating it', () => {
    fc.assert(
      fc.property(validKeybag, fc.nat(), fc.nat(), (kb, pick, extra) => {
        const records = keybagRecords(kb);
        const at = offsets(records);
        const i = pick % records.length;
        const buf = Buffer.from(encodeKeybagRecords(records));
        const remaining = buf.length - at[i]! - 8;
        const claimed = remaining + 1 + (extra % (0xffff_ffff - remaining));
        buf.writeUInt32BE(claimed, at[i]! + 4);
        expect(refusal(buf)).toBe(
          `${records[i]!.tag} at byte ${at[i]} claims ${claimed} bytes but only ${remaining} remain.`,
        );
      }),
      fuzzOptions(300),
    );
  });

  it('refuses a keybag cut inside a record, naming the record', () => {
    fc.assert(
      fc.property(validKeybag, fc.nat(), fc.nat(), (kb, pick, cut) => {
        const records = keybagRecords(kb);
        const at = offsets(records);
        const i = pick % records.length;
        const start = at[i]!;
        const inside = 1 + (cut % (at[i + 1]! - start - 1));
        const buf = buildKeybag(kb).subarray(0, start + inside);
        const length = at[i + 1]! - start - 8;
        expect(refusal(buf)).toBe(
          inside < 8
            ? `truncated record at byte ${start}: ${inside} bytes left, a record header needs 8.`
            : `${records[i]!.tag} at byte ${start} claims ${length} bytes but only ${inside - 8} remain.`,
        );
      }),
      fuzzOptions(300),
    );
  });

  it('refuses a tag that is not 4 ASCII characters, naming where', () => {
    fc.assert(
      fc.property(
        validKeybag,
        fc.nat(),
        fc.nat(3),
        fc.oneof(fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0x7f, max: 0xff })),
        (kb, pick, char, byte) => {
          const records = keybagRecords(kb);
          const i = pick % records.length;
          const at = offsets(records)[i]!;
          const buf = Buffer.from(encodeKeybagRecords(records));
          buf[at + char] = byte;
          expect(refusal(buf)).toBe(
            `the record at byte ${at} does not start with a 4-character ASCII tag.`,
          );
        },
      ),
      fuzzOptions(200),
    );
  });

  it('refuses iteration counts out of range, and a DPIC or DPSL without the other', () => {
    const badCount = fc.oneof(
      fc.constant(0),
      fc.integer({ min: MAX_KEYBAG_ITERATIONS + 1, max: 0xffff_ffff }),
    );
    fc.assert(
      fc.property(
        validKeybag.filter((kb) => kb.dpic !== undefined),
        fc.constantFrom('ITER', 'DPIC', 'no DPIC', 'no DPSL'),
        badCount,
        (kb, change, count) => {
          let records = keybagRecords(kb);
          if (change === 'ITER' || change === 'DPIC') {
            records = records.map((r) => (r.tag === change ? { tag: change, value: count } : r));
          } else {
            const drop = change === 'no DPIC' ? 'DPIC' : 'DPSL';
            records = records.filter((r) => r.tag !== drop);
          }
          const expected = {
            ITER: `ITER is ${count}; an iteration count must be between 1 and 100,000,000.`,
            DPIC: `DPIC is ${count}; an iteration count must be between 1 and 100,000,000.`,
            'no DPIC': 'the header has a DPSL but no DPIC.',
            'no DPSL': 'the header has a DPIC but no DPSL.',
          }[change];
          expect(refusal(encodeKeybagRecords(records))).toBe(expected);
        },
      ),
      fuzzOptions(200),
    );
  });

  it('refuses a header without VERS, TYPE, SALT or ITER, naming the first missing', () => {
    const optional = ['VERS', 'TYPE', 'SALT', 'ITER', 'WRAP', 'DPWT', 'DPIC', 'DPSL', 'HMCK'];
    fc.assert(
      fc.property(validKeybag, fc.subarray(optional, { minLength: 1 }), (kb, drop) => {
        const records = keybagRecords(kb);
        const end = firstClassIndex(records);
        const kept = records.filter((r, i) => i >= end || !drop.includes(r.tag));
        const present = (tag: string) =>
          !drop.includes(tag) && records.slice(0, end).some((r) => r.tag === tag);
        const names: Record<string, string> = {
          VERS: 'the header has no VERS (version).',
          TYPE: 'the header has no TYPE.',
          SALT: 'the header has no SALT (PBKDF2 salt).',
          ITER: 'the header has no ITER (PBKDF2 iteration count).',
        };
        const missing = ['VERS', 'TYPE', 'SALT', 'ITER'].find((t) => !present(t));
        const buf = encodeKeybagRecords(kept);
        if (missing !== undefined) {
          expect(refusal(buf)).toBe(names[missing]);
        } else if (present('DPIC') !== present('DPSL')) {
          expect(refusal(buf)).toMatch(/^the header has a DP.. but no DP..\.$/);
        } else {
          const parsed = parseOrRefuse(buf);
          expect(parsed).not.toBeNull();
          expect(plain({ ...parsed!, classes: [] })).toEqual(
            plain({
              ...kb,
              ...(present('WRAP') ? {} : { wrap: undefined }),
              ...(present('DPWT') ? {} : { dpwt: undefined }),
              ...(present('DPIC') ? {} : { dpic: undefined, dpsl: undefined }),
              ...(present('HMCK') ? {} : { hmck: undefined }),
              classes: [],
            }),
          );
        }
      }),
      fuzzOptions(200),
    );
  });

  it('refuses a class without CLAS or WRAP, and a class listed twice', () => {
    fc.assert(
      fc.property(
        validKeybag.filter((kb) => kb.classes.length >= 2),
        fc.nat(),
        fc.nat(),
        fc.constantFrom('no CLAS', 'no WRAP', 'twice'),
        (kb, pickA, pickB, change) => {
          const n = kb.classes.length;
          const a = pickA % n;
          const b = (a + 1 + (pickB % (n - 1))) % n;
          const records = keybagRecords(kb);
          // Class records, in keybagRecords order: UUID, CLAS, WRAP, KTYP, then WPKY and PBKY.
          const starts = records.flatMap((r, i) => (r.tag === 'UUID' ? [i] : [])).slice(1);
          const startA = starts[a]!;
          let expected: string;
          if (change === 'twice') {
            const later = Math.max(a, b);
            const earlier = Math.min(a, b);
            const cls = kb.classes[earlier]!.protectionClass;
            records[starts[later]! + 1] = { tag: 'CLAS', value: cls };
            expected = `class ${cls} is listed twice.`;
          } else if (change === 'no CLAS') {
            expected = `the class record starting at byte ${offsets(records)[startA]} has no CLAS.`;
            records.splice(startA + 1, 1);
          } else {
            expected = `the record of class ${kb.classes[a]!.protectionClass} has no WRAP.`;
            records.splice(startA + 2, 1);
          }
          expect(refusal(encodeKeybagRecords(records))).toBe(expected);
        },
      ),
      fuzzOptions(200),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Unlocking: the KEK unwraps the password-wrapped WPKYs; the RFC 3394 integrity value decides.

/** How a generated class record's WPKY was made. */
interface ClassPlan {
  protectionClass: number;
  wrap: number;
  keyType: number;
  /** The class key wrapped into WPKY; null for a WPKY wrapped with another KEK or random. */
  key: Uint8Array | null;
  wpky: Uint8Array | undefined;
}

const classPlan = (kek: Uint8Array): fc.Arbitrary<Omit<ClassPlan, 'protectionClass'>> =>
  fc
    .record({
      wrap: fc.oneof(fc.constantFrom(1, 2, 3), u32),
      keyType: fc.oneof(fc.constantFrom(0, 1), u32),
      kind: fc.constantFrom('kek', 'kek', 'kek', 'other-kek', 'random', 'none'),
      // Mostly the documented 32-byte class key; sometimes another size a crafted keybag may hold.
      keyLength: fc.oneof(
        { weight: 4, arbitrary: fc.constant(32) },
        { weight: 1, arbitrary: fc.constantFrom(16, 24, 40, 64) },
      ),
      seed: fc.uint8Array({ minLength: 64, maxLength: 64 }),
      otherKek: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    })
    .map(({ wrap, keyType, kind, keyLength, seed, otherKek }) => {
      const key = seed.subarray(0, keyLength);
      switch (kind) {
        case 'kek':
          return { wrap, keyType, key, wpky: aesKeyWrap(kek, key) };
        case 'other-kek':
          return { wrap, keyType, key: null, wpky: aesKeyWrap(otherKek, key) };
        case 'random':
          return { wrap, keyType, key: null, wpky: Buffer.concat([seed, seed]).subarray(0, 40) };
        default:
          return { wrap, keyType, key: null, wpky: undefined };
      }
    });

const unlockCase = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .chain((kek) =>
    fc.record({
      kek: fc.constant(kek),
      classes: fc.uniqueArray(fc.tuple(u32, classPlan(kek)), {
        selector: ([cls]) => cls,
        minLength: 1,
        maxLength: 8,
      }),
    }),
  )
  .map(({ kek, classes }) => ({
    kek,
    plans: classes.map(([protectionClass, p]): ClassPlan => ({ protectionClass, ...p })),
  }));

function keybagOf(plans: readonly ClassPlan[]): Uint8Array {
  return buildKeybag({
    version: 5,
    type: 1,
    uuid: new Uint8Array(16),
    salt: new Uint8Array(20),
    iterations: 1,
    classes: plans.map((p) => ({
      uuid: new Uint8Array(16).fill(p.protectionClass & 0xff),
      protectionClass: p.protectionClass,
      wrap: p.wrap,
      keyType: p.keyType,
      wpky: p.wpky,
    })),
  });
}

describe('unlockKeybag over parsed keybags (property-based)', () => {
  it('yields exactly the 32-byte keys the KEK wrapped, and says why each other class has none', () => {
    fc.assert(
      fc.property(unlockCase, ({ kek, plans }) => {
        const kb = parseOrRefuse(keybagOf(plans));
        const passwordWrapped = (p: ClassPlan) => (p.wrap & WRAP_PASSCODE) !== 0;
        const odd = plans.find(
          (p) => passwordWrapped(p) && p.wpky !== undefined && p.wpky.length !== 40,
        );
        if (kb === null) {
          // The only thing wrong with these keybags: a password-wrapped key that is not 32 bytes.
          expect(odd).toBeDefined();
          expect(refusal(keybagOf(plans))).toBe(
            `the WPKY of class ${odd!.protectionClass} is ${odd!.wpky!.length} bytes, not an RFC 3394-wrapped 32-byte key.`,
          );
          return;
        }
        let unlocked;
        try {
          unlocked = unlockKeybag(kb, kek);
        } catch (e) {
          if (!(e instanceof BackupCryptoError)) throw e;
          const attempted = plans.filter((p) => passwordWrapped(p) && p.wpky !== undefined);
          if (attempted.length === 0) {
            expect(e.code).toBe('MALFORMED');
          } else {
            expect(e.code).toBe('WRONG_PASSWORD');
            expect(e.message).toBe('The backup password is wrong.');
            expect(attempted.every((p) => p.key === null)).toBe(true);
          }
          return;
        }
        for (const key of unlocked.classKeys.values()) expect(key.length).toBe(32);
        const expectedKeys = new Map<number, string>();
        const expectedSkips: SkippedClass[] = [];
        const failed: SkippedClass[] = [];
        for (const { protectionClass, keyType, wrap, wpky, key } of plans) {
          if (!passwordWrapped({ protectionClass, keyType, wrap, wpky, key })) {
            expectedSkips.push({ protectionClass, keyType, reason: 'not-password-wrapped' });
          } else if (wpky === undefined) {
            expectedSkips.push({ protectionClass, keyType, reason: 'no-wrapped-key' });
          } else if (key === null) {
            failed.push({ protectionClass, keyType, reason: 'integrity-check-failed' });
          } else {
            expectedKeys.set(protectionClass, hex(key));
          }
        }
        expect(
          new Map([...unlocked.classKeys].map(([cls, key]) => [cls, hex(key)] as const)),
        ).toEqual(expectedKeys);
        expect(unlocked.skipped).toEqual([...expectedSkips, ...failed]);
        expect(unlocked.curve25519Classes).toEqual(
          plans
            .filter((p) => expectedKeys.has(p.protectionClass))
            .filter((p) => p.keyType === KEY_TYPE_CURVE25519)
            .map((p) => p.protectionClass),
        );
      }),
      fuzzOptions(200),
    );
  });

  it('never yields a key the password did not wrap, whatever is done to the keybag', () => {
    const keys = createTestBackupKeys({ password: 'pw', iterations: 1, dpic: 1 });
    const genuine = new Set([...keys.classKeys.values()].map(hex));
    fc.assert(
      fc.property(
        fc.array(byteMutation, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        (mutations, rightKek) => {
          const kb = parseOrRefuse(mutateBytes(keys.keybagBytes, mutations));
          if (kb === null) return;
          const kek = rightKek ? keys.kek : Buffer.from(keys.kek).map((b) => b ^ 0x5a);
          try {
            const { classKeys } = unlockKeybag(kb, kek);
            expect(rightKek).toBe(true);
            for (const key of classKeys.values()) expect(genuine.has(hex(key))).toBe(true);
          } catch (e) {
            if (!(e instanceof BackupCryptoError)) throw e;
            expect(['MALFORMED', 'WRONG_PASSWORD']).toContain(e.code);
          }
        },
      ),
      fuzzOptions(300),
    );
  });

  it('refuses a KEK that is not 32 bytes with a RangeError', () => {
    const keys = createTestBackupKeys({ password: 'pw', iterations: 1, dpic: 1 });
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }).filter((k) => k.length !== 32),
        (kek) => {
          expect(() => unlockKeybag(keys.keybag, kek)).toThrow(
            new RangeError(`The key-encryption key must be 32 bytes, got ${kek.length}.`),
          );
        },
      ),
      fuzzOptions(100),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Key derivation from what a parsed keybag holds (low iteration counts: PBKDF2 is slow).

describe('deriveKeyStages over parsed keybags (property-based)', () => {
  it('derives the documented two-stage PBKDF2 key for any password, salts and small counts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: 'grapheme', maxLength: 8 })),
        bytes(40),
        fc.integer({ min: 1, max: 50 }),
        fc.option(fc.tuple(bytes(40), fc.integer({ min: 1, max: 50 })), { nil: undefined }),
        async (password, salt, iterations, dp) => {
          const kb = parseOrRefuse(
            buildKeybag({
              version: dp ? 5 : 3,
              type: 1,
              uuid: new Uint8Array(16),
              salt,
              iterations,
              ...(dp ? { dpsl: dp[0], dpic: dp[1] } : {}),
              classes: [],
            }),
          );
          const pw = Buffer.from(password, 'utf8');
          const round1 = dp ? pbkdf2Sync(pw, dp[0], dp[1], 32, 'sha256') : pw;
          const kek = pbkdf2Sync(round1, salt, iterations, 32, 'sha1');
          const derived = await deriveKeyStages(password, kb!);
          expect(hex(derived.round1)).toBe(hex(round1));
          expect(hex(derived.kek)).toBe(hex(kek));
        },
      ),
      fuzzOptions(60),
    );
  });

  it('refuses counts a keybag object may hold but the format does not allow, before any work', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('ITER', 'DPIC'),
        fc.oneof(
          fc.constantFrom(0, -1, 1.5, NaN, Infinity, -Infinity, MAX_KEYBAG_ITERATIONS + 1),
          fc.double().filter((x) => !Number.isInteger(x) || x < 1 || x > MAX_KEYBAG_ITERATIONS),
        ),
        async (tag, count) => {
          const kb: Keybag = {
            version: 5,
            type: 1,
            uuid: new Uint8Array(16),
            salt: new Uint8Array(20),
            iterations: tag === 'ITER' ? count : 1,
            dpic: tag === 'DPIC' ? count : 1,
            dpsl: new Uint8Array(20),
            classes: [],
          };
          const error = await deriveKeyStages('pw', kb).then(
            () => null,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(BackupCryptoError);
          expect((error as BackupCryptoError).code).toBe('MALFORMED');
          expect((error as BackupCryptoError).message).toBe(
            `${MALFORMED}${tag} is ${count}; an iteration count must be between 1 and 100,000,000.`,
          );
        },
      ),
      fuzzOptions(100),
    );
  });
});
