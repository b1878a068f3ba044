import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mbFileBlob } from '../../testing/ios-backup-fixture';
import { fuzzOptions } from '../../testing/fuzz';
import { byteMutation as mutation, mutateBytes as mutate } from '../../testing/mutate';
import { parsePlist, readMbFile, unarchive } from './index';
import { PlistError, PlistUid, type PlistValue } from './types';
import { writeBinaryPlist, writeXmlPlist } from './writer';

// Property-based tests of the plist parsers: whatever the bytes, a parser returns a value or
// throws its own PlistError (never a RangeError from a crafted length, a stack overflow from
// crafted nesting, or anything else), and it returns: lengths, offsets and counts are checked
// against the input before anything is allocated.

/** Runs a parser; true when it returned or threw PlistError, else the unexpected error is thrown. */
function parsesOrRefuses(fn: () => unknown): true {
  try {
    fn();
  } catch (e) {
    if (e instanceof PlistError) return true;
    throw e;
  }
  return true;
}

const leaf: fc.Arbitrary<PlistValue> = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 10 }),
  fc.integer(),
  fc.constantFrom(0, -1, 2 ** 53 - 1, -(2 ** 53), 255, 256, 65_535, 65_536, 2 ** 32),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.date({
    min: new Date('0001-01-01T00:00:00Z'),
    max: new Date('9999-12-31T23:59:59Z'),
    noInvalidDate: true,
  }),
  fc.uint8Array({ maxLength: 24 }),
);

const plistTree: fc.Arbitrary<PlistValue> = fc.letrec<{
  value: PlistValue;
  array: PlistValue[];
  dict: { [k: string]: PlistValue };
}>((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('dict')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  dict: fc
    .array(fc.tuple(fc.string({ maxLength: 8 }), tie('value')), { maxLength: 5 })
    .map((entries) => {
      const d = Object.create(null) as { [k: string]: PlistValue };
      for (const [k, v] of entries) d[k] = v;
      return d;
    }),
})).value;

/** A value as the parsers return it: integers within the safe range come back as numbers. */
function normalised(v: PlistValue): PlistValue {
  if (typeof v === 'bigint')
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(v)
      : v;
  if (Array.isArray(v)) return v.map(normalised);
  if (
    v !== null &&
    typeof v === 'object' &&
    !(v instanceof Date) &&
    !(v instanceof Uint8Array) &&
    !(v instanceof PlistUid)
  ) {
    const d = Object.create(null) as { [k: string]: PlistValue };
    for (const [k, x] of Object.entries(v)) d[k] = normalised(x);
    return d;
  }
  return v;
}

/** Text mutations of an XML plist: markup a hostile file would carry. */
const xmlInsert = fc.oneof(
  fc.constantFrom(
    '<array>',
    '</array>',
    '<dict>',
    '</dict>',
    '<key>k</key>',
    '<string>',
    '<integer>99999999999999999999999</integer>',
    '<real>nan</real>',
    '<date>0000-00-00T99:99:99Z</date>',
    '<data>!!!</data>',
    '&amp;',
    '&#x110000;',
    '&#99999999999;',
    '&unknown;',
    '<!--',
    '<![CDATA[',
    '<!DOCTYPE plist [<!ENTITY x "y">]>',
    '<?xml version="1.0" encoding="x-unknown"?>',
    '<dict><key>CF$UID</key><integer>-1</integer></dict>',
    '\uD800',
    '\u0000',
    '\r\n',
  ),
  fc.string({ maxLength: 12 }),
);

describe('binary plist parser (property-based)', () => {
  it('returns or throws PlistError for any mutation of a valid binary plist', () => {
    fc.assert(
      fc.property(plistTree, fc.array(mutation, { minLength: 1, maxLength: 4 }), (value, ms) =>
        parsesOrRefuses(() => parsePlist(mutate(writeBinaryPlist(value), ms))),
      ),
      fuzzOptions(300),
    );
  });

  it('reads back every unmutated value it wrote', () => {
    fc.assert(
      fc.property(plistTree, (value) => {
        expect(parsePlist(writeBinaryPlist(value))).toEqual(normalised(value));
      }),
      fuzzOptions(100),
    );
  });

  it('refuses arbitrary bytes behind the bplist00 magic with PlistError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (tail) =>
        parsesOrRefuses(() => parsePlist(Buffer.concat([Buffer.from('bplist00'), tail]))),
      ),
      fuzzOptions(300),
    );
  });

  it('refuses containers nested past the limit, and shared references past the expansion cap', () => {
    // An array holding itself n levels deep, written by hand: object i refers to object i + 1.
    const deep = (n: number, refSize: 1 | 2 | 4): Uint8Array => {
      const objects: Buffer[] = [];
      for (let i = 0; i < n; i += 1) {
        const ref = Buffer.alloc(refSize);
        ref.writeUIntBE(i + 1, 0, refSize);
        objects.push(Buffer.concat([Buffer.from([0xa1]), ref]));
      }
      objects.push(Buffer.from([0x09]));
      return withTable(objects, refSize);
    };
    for (const n of [513, 5_000, 60_000]) {
      expect(() => parsePlist(deep(n, 4))).toThrow(PlistError);
    }
    // Object i is an array of 15 references to object i + 1: 15^40 values once expanded.
    const wide: Buffer[] = [];
    for (let i = 0; i < 40; i += 1)
      wide.push(Buffer.concat([Buffer.from([0xaf, 0x10, 15]), Buffer.alloc(15, i + 1)]));
    wide.push(Buffer.from([0x09]));
    expect(() => parsePlist(withTable(wide, 1))).toThrow(/expand to more than/);
  });
});

/** A bplist00 file of the given encoded objects, with an offset table and a trailer. */
function withTable(objects: Buffer[], refSize: number): Uint8Array {
  const header = Buffer.from('bplist00');
  const offsets: number[] = [];
  let at = header.length;
  for (const o of objects) {
    offsets.push(at);
    at += o.length;
  }
  const table = Buffer.alloc(offsets.length * 4);
  offsets.forEach((o, i) => table.writeUInt32BE(o, i * 4));
  const trailer = Buffer.alloc(32);
  trailer[6] = 4;
  trailer[7] = refSize;
  trailer.writeBigUInt64BE(BigInt(objects.length), 8);
  trailer.writeBigUInt64BE(0n, 16);
  trailer.writeBigUInt64BE(BigInt(at), 24);
  return Buffer.concat([header, ...objects, table, trailer]);
}

describe('XML plist parser (property-based)', () => {
  const xmlValue = plistTree.filter((v) => {
    try {
      writeXmlPlist(v);
      return true;
    } catch {
      return false;
    }
  });

  it('returns or throws PlistError for any byte mutation of a valid XML plist', () => {
    fc.assert(
      fc.property(xmlValue, fc.array(mutation, { minLength: 1, maxLength: 4 }), (value, ms) =>
        parsesOrRefuses(() => parsePlist(mutate(Buffer.from(writeXmlPlist(value)), ms))),
      ),
      fuzzOptions(300),
    );
  });

  it('returns or throws PlistError when hostile markup is spliced into a valid XML plist', () => {
    fc.assert(
      fc.property(
        xmlValue,
        fc.array(fc.tuple(fc.nat(), xmlInsert), { minLength: 1, maxLength: 5 }),
        (value, inserts) => {
          let text = writeXmlPlist(value);
          for (const [at, piece] of inserts) {
            const i = at % (text.length + 1);
            text = text.slice(0, i) + piece + text.slice(i);
          }
          return parsesOrRefuses(() => parsePlist(Buffer.from(text)));
        },
      ),
      fuzzOptions(300),
    );
  });

  it('reads UTF-16 encodings and refuses nesting far past the limit', () => {
    fc.assert(
      fc.property(xmlValue, fc.constantFrom('utf16le', 'utf16be'), (value, encoding) => {
        const le = Buffer.from(`\ufeff${writeXmlPlist(value)}`, 'utf16le');
        const bytes = encoding === 'utf16le' ? le : Buffer.from(le).swap16();
        return parsesOrRefuses(() => parsePlist(bytes));
      }),
      fuzzOptions(100),
    );
    const nested = `<plist>${'<array>'.repeat(100_000)}${'</array>'.repeat(100_000)}</plist>`;
    expect(() => parsePlist(Buffer.from(nested))).toThrow(/nest deeper than 512/);
  });
});

describe('NSKeyedArchiver and Manifest.db file blobs (property-based)', () => {
  const blob = fc
    .record({
      path: fc.string({ maxLength: 30 }),
      size: fc.nat(),
      key: fc.option(fc.uint8Array({ minLength: 44, maxLength: 44 }), { nil: undefined }),
      target: fc.option(fc.string({ maxLength: 30 }), { nil: undefined }),
    })
    .map((f) =>
      mbFileBlob(f.path, {
        size: f.size,
        encryptionKey: f.key,
        protectionClass: f.key ? 3 : undefined,
        target: f.target,
      }),
    );

  it('decodes a file blob or throws PlistError, whatever the mutation', () => {
    fc.assert(
      fc.property(blob, fc.array(mutation, { minLength: 1, maxLength: 3 }), (b, ms) =>
        parsesOrRefuses(() => readMbFile(mutate(b, ms))),
      ),
      fuzzOptions(300),
    );
  });

  it('resolves any archive-shaped tree or throws PlistError (cycles, dangling UIDs, odd classes)', () => {
    const uidOrValue = fc.oneof(
      leaf,
      fc.nat({ max: 12 }).map((n) => new PlistUid(n)),
    );
    const object = fc.oneof(
      uidOrValue,
      fc.array(uidOrValue, { maxLength: 4 }),
      fc.record({
        'NS.keys': fc.array(uidOrValue, { maxLength: 3 }),
        'NS.objects': fc.array(uidOrValue, { maxLength: 3 }),
        $class: uidOrValue,
      }),
      fc.record({
        $classname: fc.string({ maxLength: 6 }),
        $classes: fc.array(fc.string({ maxLength: 6 })),
      }),
      fc.record({ 'NS.time': leaf, $class: uidOrValue }),
    );
    fc.assert(
      fc.property(fc.array(object, { minLength: 1, maxLength: 12 }), uidOrValue, (objects, top) =>
        parsesOrRefuses(() =>
          unarchive({
            $archiver: 'NSKeyedArchiver',
            $version: 100000,
            $top: { root: top },
            $objects: objects,
          }),
        ),
      ),
      fuzzOptions(300),
    );
  });
});
