import { describe, expect, it } from 'vitest';
import { parseBinaryPlist } from './binary';
import { PlistError, PlistUid, type PlistValue } from './types';
import { writeBinaryPlist } from './writer';
import { plistErrorOf } from './test-support';

interface Layout {
  offsetSize?: number;
  refSize?: number;
  top?: number;
  /** Overrides the object count written in the trailer. */
  numObjects?: bigint;
  /** Overrides the offset table offset written in the trailer. */
  tableOffset?: bigint;
  /** Overrides individual offset table entries. */
  offsets?: Record<number, number>;
  /** Extra offset table entries after those of the objects. */
  extraOffsets?: number[];
}

/** Builds a bplist00 by hand from object bodies (marker byte first). */
function bplist(objects: number[][], layout: Layout = {}): Uint8Array {
  const offsetSize = layout.offsetSize ?? 1;
  const refSize = layout.refSize ?? 1;
  const bytes: number[] = [...'bplist00'].map((c) => c.charCodeAt(0));
  const offsets: number[] = [];
  for (const body of objects) {
    offsets.push(bytes.length);
    bytes.push(...body);
  }
  const tableOffset = bytes.length;
  offsets.forEach((offset, i) => bytes.push(...be(layout.offsets?.[i] ?? offset, offsetSize)));
  for (const offset of layout.extraOffsets ?? []) bytes.push(...be(offset, offsetSize));
  bytes.push(0, 0, 0, 0, 0, 0, offsetSize, refSize);
  bytes.push(...be64(layout.numObjects ?? BigInt(objects.length)));
  bytes.push(...be64(BigInt(layout.top ?? 0)));
  bytes.push(...be64(layout.tableOffset ?? BigInt(tableOffset)));
  return Uint8Array.from(bytes);
}

function be(value: number, size: number): number[] {
  const out: number[] = [];
  let v = value;
  for (let i = 0; i < size; i++) {
    out.unshift(v % 256);
    v = Math.floor(v / 256);
  }
  return out;
}

function be64(value: bigint): number[] {
  const out: number[] = [];
  for (let i = 7; i >= 0; i--) out.push(Number((value >> BigInt(i * 8)) & 0xffn));
  return out;
}

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const f64 = (v: number): number[] => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, v);
  return [...b];
};
const f32 = (v: number): number[] => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, v);
  return [...b];
};

/** Parses a plist whose top object is the first body. */
const one = (body: number[]): PlistValue => parseBinaryPlist(bplist([body]));

const errorOf = plistErrorOf;

describe('parseBinaryPlist: object types', () => {
  it('reads null, booleans and fill', () => {
    expect(one([0x00])).toBeNull();
    expect(one([0x08])).toBe(false);
    expect(one([0x09])).toBe(true);
    expect(one([0x0f])).toBeNull();
  });

  it('reads unsigned 1-, 2- and 4-byte integers', () => {
    expect(one([0x10, 0x2a])).toBe(42);
    expect(one([0x10, 0xff])).toBe(255);
    expect(one([0x11, 0x01, 0x00])).toBe(256);
    expect(one([0x11, 0xff, 0xff])).toBe(65535);
    expect(one([0x12, 0x00, 0x01, 0x00, 0x00])).toBe(65536);
    expect(one([0x12, 0xff, 0xff, 0xff, 0xff])).toBe(4294967295);
  });

  it('reads 8-byte integers as signed, bigint beyond the safe range', () => {
    expect(one([0x13, ...Array<number>(8).fill(0xff)])).toBe(-1);
    expect(one([0x13, 0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])).toBe(
      Number.MAX_SAFE_INTEGER,
    );
    expect(one([0x13, 0x00, 0x20, 0, 0, 0, 0, 0, 0])).toBe(2n ** 53n);
    expect(one([0x13, 0x7f, ...Array<number>(7).fill(0xff)])).toBe(2n ** 63n - 1n);
    expect(one([0x13, 0x80, 0, 0, 0, 0, 0, 0, 0])).toBe(-(2n ** 63n));
    expect(one([0x13, 0xff, 0xe0, 0, 0, 0, 0, 0, 0])).toBe(-(2n ** 53n));
  });

  it('reads 16-byte integers (unsigned 64-bit values above INT64_MAX)', () => {
    expect(one([0x14, ...Array<number>(8).fill(0), ...Array<number>(8).fill(0xff)])).toBe(
      2n ** 64n - 1n,
    );
    expect(one([0x14, ...Array<number>(15).fill(0), 7])).toBe(7);
    expect(one([0x14, ...Array<number>(16).fill(0xff)])).toBe(-1);
  });

  it('reads 4- and 8-byte reals', () => {
    expect(one([0x22, ...f32(1.5)])).toBe(1.5);
    expect(one([0x23, ...f64(-2.25)])).toBe(-2.25);
    expect(one([0x23, ...f64(635363625.519218)])).toBe(635363625.519218);
    expect(Number.isNaN(one([0x23, ...f64(NaN)]))).toBe(true);
  });

  it('reads dates as seconds since 2001-01-01', () => {
    expect(one([0x33, ...f64(0)])).toEqual(new Date('2001-01-01T00:00:00Z'));
    expect(one([0x33, ...f64(1.5)])).toEqual(new Date('2001-01-01T00:00:01.500Z'));
    expect(one([0x33, ...f64(-978307200)])).toEqual(new Date(0));
  });

  it('reads data with inline and extended lengths', () => {
    expect(one([0x43, 1, 2, 3])).toEqual(Uint8Array.of(1, 2, 3));
    expect(one([0x40])).toEqual(new Uint8Array(0));
    const twenty = Array.from({ length: 20 }, (_, i) => i);
    expect(one([0x4f, 0x10, 20, ...twenty])).toEqual(Uint8Array.from(twenty));
    const big = Array.from({ length: 300 }, (_, i) => i & 0xff);
    expect(one([0x4f, 0x11, 0x01, 0x2c, ...big])).toEqual(Uint8Array.from(big));
  });

  it('returns data that does not alias the input buffer', () => {
    const buf = bplist([[0x42, 7, 8]]);
    const data = parseBinaryPlist(buf) as Uint8Array;
    buf[9] = 0;
    expect(data).toEqual(Uint8Array.of(7, 8));
  });

  it('reads ASCII strings with inline and extended lengths', () => {
    expect(one([0x55, ...ascii('hello')])).toBe('hello');
    expect(one([0x50])).toBe('');
    const long = 'x'.repeat(30);
    expect(one([0x5f, 0x10, 30, ...ascii(long)])).toBe(long);
    expect(one([0x5f, 0x12, 0, 0, 0, 15, ...ascii('fifteen chars!!')])).toBe('fifteen chars!!');
  });

  it('keeps non-ASCII bytes in an ASCII string (UTF-8 if valid, else Latin-1)', () => {
    expect(one([0x56, 0x68, 0xc3, 0xa9, 0x6c, 0x6c, 0x6f])).toBe('héllo');
    expect(one([0x52, 0x41, 0xe9])).toBe('Aé');
  });

  it('reads UTF-16BE strings, surrogate pairs and lone surrogates included', () => {
    expect(one([0x63, 0x00, 0xe9, 0xd8, 0x3d, 0xde, 0x00])).toBe('é😀');
    expect(one([0x61, 0xd8, 0x00])).toBe('\ud800');
    const units = Array.from({ length: 16 }, () => [0x04, 0x16]).flat();
    expect(one([0x6f, 0x10, 16, ...units])).toBe('Ж'.repeat(16));
  });

  it('reads UTF-8 strings (type 0x7), length in bytes', () => {
    expect(one([0x76, 0x68, 0xc3, 0xa9, 0x6c, 0x6c, 0x6f])).toBe('héllo');
  });

  it('reads UIDs of 1, 2 and 4 bytes', () => {
    expect(one([0x80, 0x05])).toEqual(new PlistUid(5));
    expect(one([0x81, 0x01, 0x00])).toEqual(new PlistUid(256));
    expect(one([0x83, 0x00, 0x01, 0x00, 0x00])).toEqual(new PlistUid(65536));
  });

  it('reads arrays, sets and ordered sets as arrays', () => {
    const items = [[0x10, 1], [0x51, 0x61], [0x09]];
    expect(parseBinaryPlist(bplist([[0xa3, 1, 2, 3], ...items]))).toEqual([1, 'a', true]);
    expect(parseBinaryPlist(bplist([[0xc3, 1, 2, 3], ...items]))).toEqual([1, 'a', true]);
    expect(parseBinaryPlist(bplist([[0xb3, 1, 2, 3], ...items]))).toEqual([1, 'a', true]);
    expect(one([0xa0])).toEqual([]);
  });

  it('reads dicts with ASCII and UTF-16 keys', () => {
    const buf = bplist([[0xd2, 1, 2, 3, 4], [0x51, 0x61], [0x61, 0x00, 0xe9], [0x10, 1], [0xa0]]);
    expect(parseBinaryPlist(buf)).toEqual({ a: 1, é: [] });
  });

  it('treats "__proto__" and "constructor" keys as plain data', () => {
    const buf = bplist([
      [0xd2, 1, 2, 3, 3],
      [0x59, ...ascii('__proto__')],
      [0x5b, ...ascii('constructor')],
      [0x10, 9],
    ]);
    const dict = parseBinaryPlist(buf) as Record<string, PlistValue>;
    expect(Object.keys(dict)).toEqual(['__proto__', 'constructor']);
    expect(dict['__proto__']).toBe(9);
    expect(Object.getPrototypeOf(dict)).toBeNull();
  });

  it('reads a dict with more than 14 entries (extended count)', () => {
    const n = 20;
    const keyRefs = Array.from({ length: n }, (_, i) => 1 + i);
    const objects = [
      [0xdf, 0x10, n, ...keyRefs, ...keyRefs.map(() => n + 1)],
      ...Array.from({ length: n }, (_, i) => [0x53, ...ascii(`k${String(i).padStart(2, '0')}`)]),
      [0x10, 5],
    ];
    const dict = parseBinaryPlist(bplist(objects)) as Record<string, PlistValue>;
    expect(Object.keys(dict)).toHaveLength(n);
    expect(dict['k19']).toBe(5);
  });

  it('honours 2-byte refs, 2-, 4- and 8-byte offsets and a top object other than 0', () => {
    const objects = [
      [0x55, ...ascii('first')],
      [0xa2, 0x00, 0x00, 0x00, 0x02],
      [0x10, 3],
    ];
    for (const offsetSize of [2, 4, 8]) {
      const buf = bplist(objects, { offsetSize, refSize: 2, top: 1 });
      expect(parseBinaryPlist(buf)).toEqual(['first', 3]);
    }
  });

  it('reads objects shared by several references once', () => {
    const buf = bplist([
      [0xa2, 1, 1],
      [0xa1, 2],
      [0x10, 1],
    ]);
    const value = parseBinaryPlist(buf) as PlistValue[];
    expect(value).toEqual([[1], [1]]);
    expect(value[0]).toBe(value[1]);
  });

  it('accepts a buffer that is a view into a larger ArrayBuffer', () => {
    const inner = bplist([[0x23, ...f64(2.5)]]);
    const outer = new Uint8Array(inner.length + 10);
    outer.set(inner, 5);
    expect(parseBinaryPlist(outer.subarray(5, 5 + inner.length))).toBe(2.5);
  });
});

describe('parseBinaryPlist: malformed input', () => {
  const valid = bplist([
    [0xa2, 1, 2],
    [0x51, 0x61],
    [0x10, 1],
  ]);

  it('refuses a wrong magic', () => {
    const buf = valid.slice();
    buf[3] = 0x78;
    expect(errorOf(() => parseBinaryPlist(buf)).message).toBe(
      'binary plist: missing the "bplist00" header (at byte 0)',
    );
  });

  it('refuses other binary plist versions', () => {
    const buf = valid.slice();
    buf.set(ascii('15'), 6);
    expect(errorOf(() => parseBinaryPlist(buf)).message).toMatch(/unsupported version "bplist15"/);
  });

  it('refuses input too short to hold a trailer', () => {
    const e = errorOf(() => parseBinaryPlist(Uint8Array.from(ascii('bplist00\x00\x00'))));
    expect(e.message).toMatch(/10 bytes is too short/);
    expect(errorOf(() => parseBinaryPlist(new Uint8Array(0))).message).toMatch(/header/);
  });

  it('refuses a truncated trailer', () => {
    const e = errorOf(() => parseBinaryPlist(valid.subarray(0, valid.length - 6)));
    expect(e.message).toMatch(/^binary plist trailer: /);
    expect(e.offset).not.toBeNull();
  });

  it('refuses bad offset and ref sizes', () => {
    const buf = valid.slice();
    buf[buf.length - 26] = 0;
    expect(errorOf(() => parseBinaryPlist(buf)).message).toMatch(/offset int size 0 is not 1 to 8/);
    const buf2 = valid.slice();
    buf2[buf2.length - 25] = 9;
    expect(errorOf(() => parseBinaryPlist(buf2)).message).toMatch(/object ref size 9/);
  });

  it('refuses an object offset outside the object area', () => {
    const buf = bplist(
      [
        [0xa1, 1],
        [0x10, 1],
      ],
      { offsets: { 1: 200 } },
    );
    const e = errorOf(() => parseBinaryPlist(buf));
    expect(e.message).toMatch(/object 1 has offset 200, outside the object area \(bytes 8 to 11\)/);
    expect(e.offset).toBe(13);
    const intoHeader = bplist(
      [
        [0xa1, 1],
        [0x10, 1],
      ],
      { offsets: { 1: 3 } },
    );
    expect(errorOf(() => parseBinaryPlist(intoHeader)).message).toMatch(/has offset 3/);
  });

  it('refuses an offset table outside the data', () => {
    const e = errorOf(() => parseBinaryPlist(bplist([[0x09]], { tableOffset: 10_000n })));
    expect(e.message).toMatch(/offset table offset 10000 is outside the data/);
    const e2 = errorOf(() => parseBinaryPlist(bplist([[0x09]], { tableOffset: 2n })));
    expect(e2.message).toMatch(/offset table offset 2 is outside the data/);
  });

  it('refuses an object reference beyond the object count', () => {
    const e = errorOf(() =>
      parseBinaryPlist(
        bplist([
          [0xa2, 1, 9],
          [0x10, 1],
        ]),
      ),
    );
    expect(e.message).toMatch(/object reference 9 is not below the object count 2/);
    expect(e.offset).toBe(10);
  });

  it('refuses reference cycles, direct and indirect', () => {
    expect(errorOf(() => parseBinaryPlist(bplist([[0xa1, 0]]))).message).toMatch(
      /reference cycle through object 0/,
    );
    const indirect = bplist([
      [0xa1, 1],
      [0xd1, 2, 0],
      [0x51, 0x6b],
    ]);
    expect(errorOf(() => parseBinaryPlist(indirect)).message).toMatch(/reference cycle/);
  });

  it('refuses two objects at the same offset', () => {
    const aliased = bplist([[0xa1, 1], [0x00]], { offsets: { 1: 8 } });
    const e = errorOf(() => parseBinaryPlist(aliased));
    expect(e.message).toMatch(/object 1 has offset 8, the same as an earlier object/);
    expect(e.offset).toBe(12);
  });

  it('refuses an absurd object count', () => {
    for (const numObjects of [2n ** 40n, 1000n]) {
      const e = errorOf(() => parseBinaryPlist(bplist([[0x09]], { numObjects })));
      expect(e.message).toMatch(new RegExp(`object count ${numObjects} needs a`));
    }
    // A table with room for 5 entries, but an object area of only 2 bytes.
    const crowded = bplist([[0x09], [0x08]], { numObjects: 5n, extraOffsets: [8, 9, 8] });
    expect(errorOf(() => parseBinaryPlist(crowded)).message).toMatch(
      /object count 5 exceeds the 2 bytes of the object area/,
    );
    const huge = errorOf(() => parseBinaryPlist(bplist([[0x09]], { numObjects: 2n ** 64n - 1n })));
    expect(huge.message).toMatch(/trailer object count 18446744073709551615 is too large/);
    const none = errorOf(() => parseBinaryPlist(bplist([[0x09]], { numObjects: 0n })));
    expect(none.message).toMatch(/object count is 0/);
  });

  it('refuses a top object beyond the object count', () => {
    expect(errorOf(() => parseBinaryPlist(bplist([[0x09]], { top: 1 }))).message).toMatch(
      /top object 1 is not below the object count 1/,
    );
  });

  it('refuses nesting deeper than 512 levels', () => {
    const n = 600;
    const objects = Array.from({ length: n }, (_, i) =>
      i === n - 1 ? [0xa0] : [0xa1, ...be(i + 1, 2)],
    );
    const e = errorOf(() => parseBinaryPlist(bplist(objects, { refSize: 2, offsetSize: 2 })));
    expect(e.message).toMatch(/nest deeper than 512 levels/);
  });

  it('refuses shared references that expand exponentially', () => {
    // 40 layers, each an array holding the next layer 14 times: 14^40 values once expanded.
    const layers = 40;
    const objects = Array.from({ length: layers }, (_, i) =>
      i === layers - 1 ? [0x09] : [0xae, ...Array<number>(14).fill(i + 1)],
    );
    const e = errorOf(() => parseBinaryPlist(bplist(objects, { offsetSize: 2 })));
    expect(e.message).toMatch(/shared references expand to more than \d+ values/);
  });

  it('refuses lengths and sizes that run past the object area', () => {
    expect(errorOf(() => one([0x4f, 0x10, 0xff, 1, 2])).message).toMatch(
      /data of object 0 \(255 bytes\) runs past the object area/,
    );
    expect(errorOf(() => one([0x55, 0x61])).message).toMatch(/ASCII string of object 0/);
    expect(errorOf(() => one([0x63, 0, 0x61])).message).toMatch(/UTF-16 string/);
    expect(errorOf(() => one([0x13, 1, 2])).message).toMatch(/integer of object 0/);
    expect(errorOf(() => one([0x23, 1, 2])).message).toMatch(/real of object 0/);
    expect(errorOf(() => one([0x33, 1])).message).toMatch(/date of object 0/);
    expect(errorOf(() => one([0x83, 1])).message).toMatch(/UID of object 0/);
    expect(
      errorOf(() => one([0xaf, 0x13, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])).message,
    ).toMatch(/too large|runs past/);
    expect(errorOf(() => one([0xa5, 0])).message).toMatch(/array references of object 0/);
    expect(errorOf(() => one([0xd2, 0, 0])).message).toMatch(/dict value references/);
  });

  it('refuses unknown markers and bad sizes', () => {
    expect(errorOf(() => one([0x90])).message).toMatch(/unknown marker 0x90/);
    expect(errorOf(() => one([0xe0])).message).toMatch(/unknown marker 0xe0/);
    expect(errorOf(() => one([0x0c])).message).toMatch(/unknown marker 0x0c/);
    expect(errorOf(() => one([0x15, 0])).message).toMatch(/integer of 32 bytes/);
    expect(errorOf(() => one([0x21, 0, 0])).message).toMatch(/real of 2 bytes/);
    expect(errorOf(() => one([0x32, 0, 0, 0, 0])).message).toMatch(/date of 4 bytes/);
  });

  it('refuses an extended length that is not an integer', () => {
    expect(errorOf(() => one([0x5f, 0x50, 0x61])).message).toMatch(/length marker 0x50/);
    expect(errorOf(() => one([0x5f, 0x14, 0x61])).message).toMatch(/length marker 0x14/);
  });

  it('refuses non-string dict keys', () => {
    const buf = bplist([
      [0xd1, 1, 1],
      [0x10, 1],
    ]);
    expect(errorOf(() => parseBinaryPlist(buf)).message).toMatch(
      /dict object 0 has a key \(object 1\) that is not a string/,
    );
  });

  it('refuses oversized UIDs, non-finite dates and invalid UTF-8', () => {
    expect(errorOf(() => one([0x87, ...Array<number>(8).fill(0xff)])).message).toMatch(
      /UID 18446744073709551615 is too large/,
    );
    expect(errorOf(() => one([0x33, ...f64(Infinity)])).message).toMatch(/date out of range/);
    expect(errorOf(() => one([0x72, 0xc3, 0x28])).message).toMatch(/not valid UTF-8/);
  });

  it('never throws anything but PlistError on truncated or corrupted input', () => {
    const sample = writeBinaryPlist({
      name: 'résumé',
      list: [1, -1, 2n ** 60n, 1.5, true, null, new Date(0), Uint8Array.of(1, 2, 3)],
      nested: { uid: new PlistUid(3), empty: {}, long: 'x'.repeat(40) },
    });
    for (let n = 0; n < sample.length; n++) {
      expect(() => parseBinaryPlist(sample.subarray(0, n))).toThrow(PlistError);
    }
    // A small deterministic generator, so a failure reproduces.
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 3000; round++) {
      const buf = sample.slice();
      const flips = 1 + Math.floor(random() * 4);
      for (let f = 0; f < flips; f++) {
        buf[Math.floor(random() * buf.length)] = Math.floor(random() * 256);
      }
      try {
        parseBinaryPlist(buf);
      } catch (e) {
        expect(e).toBeInstanceOf(PlistError);
      }
    }
  });
});
