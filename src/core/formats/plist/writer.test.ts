import { describe, expect, it } from 'vitest';
import { parseBinaryPlist } from './binary';
import { parsePlist } from './index';
import { PlistError, PlistUid, type PlistValue } from './types';
import { writeBinaryPlist, writeXmlPlist } from './writer';
import { parseXmlPlist } from './xml';

const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7) & 0xff);

// Values that come back exactly as written. Integers within the safe range come back as
// numbers, so bigints here are all outside it.
const SCALARS: Array<[string, PlistValue]> = [
  ['true', true],
  ['false', false],
  ['zero', 0],
  ['1-byte int', 255],
  ['2-byte int', 256],
  ['2-byte int max', 65535],
  ['4-byte int', 65536],
  ['4-byte int max', 2 ** 32 - 1],
  ['8-byte int', 2 ** 32],
  ['negative int', -1],
  ['safe max', Number.MAX_SAFE_INTEGER],
  ['safe min', Number.MIN_SAFE_INTEGER],
  ['bigint above safe', 2n ** 53n],
  ['bigint below safe', -(2n ** 53n) - 1n],
  ['int64 min', -(2n ** 63n)],
  ['int64 max', 2n ** 63n - 1n],
  ['uint64 above int64 (16-byte form)', 2n ** 63n],
  ['uint64 max', 2n ** 64n - 1n],
  ['real', 1.5],
  ['negative real', -2.25e-10],
  ['huge real', 1e300],
  ['empty string', ''],
  ['ASCII string', 'hello'],
  ['14-char string', 'fourteen chars'],
  ['15-char string (extended count)', 'fifteen chars!!'],
  ['long string', 'x'.repeat(300)],
  ['Unicode string', 'Ванкувер é 中文'],
  ['astral string', 'emoji 😀 here'],
  ['empty data', new Uint8Array(0)],
  ['short data', Uint8Array.of(1, 2, 3)],
  ['44-byte data', bytes(44)],
  ['long data', bytes(1000)],
  ['empty array', []],
  ['empty dict', {}],
];

const BINARY_ONLY: Array<[string, PlistValue]> = [
  ['null', null],
  ['negative zero', -0],
  ['infinity', Infinity],
  ['lone surrogate', 'a\ud800b'],
  ['date with milliseconds', new Date('2023-05-20T01:40:55.339Z')],
  ['date before 2001', new Date('1970-01-01T00:00:00Z')],
  ['UID 0', new PlistUid(0)],
  ['UID 1 byte', new PlistUid(255)],
  ['UID 2 bytes', new PlistUid(256)],
  ['UID 4 bytes', new PlistUid(70_000)],
  ['UID 8 bytes', new PlistUid(2 ** 32)],
];

const XML_ONLY: Array<[string, PlistValue]> = [
  ['date to the second', new Date('2021-09-13T05:32:01Z')],
  ['date before 1970', new Date('1900-02-28T23:59:59Z')],
  ['UID', new PlistUid(70_000)],
  ['markup characters', '<a href="x">&amp;</a> ]]> \'q\''],
  ['control characters', 'tab\tnl\ncr\rnul\0bell\x07'],
  ['negative zero', -0],
  ['infinities', [Infinity, -Infinity]],
];

const NESTED: PlistValue = {
  'Installed Applications': ['com.google.Translate', 'com.apple.Maps'],
  Lockdown: { ProductVersion: '14.3', ProductType: 'iPhone9,3', nested: [[[{ deep: true }]]] },
  IsEncrypted: false,
  BackupKeyBag: bytes(200),
  // Computed, so it is an own key rather than the literal's prototype.
  ['__proto__']: 'a key, not a prototype',
  constructor: 1,
  ключ: 'значение',
};

describe('writeBinaryPlist round-trips through parseBinaryPlist', () => {
  for (const [name, value] of [...SCALARS, ...BINARY_ONLY]) {
    it(name, () => {
      expect(parseBinaryPlist(writeBinaryPlist(value))).toEqual(value);
      expect(parseBinaryPlist(writeBinaryPlist([value, { v: value }]))).toEqual([
        value,
        { v: value },
      ]);
    });
  }

  it('NaN', () => {
    expect(Number.isNaN(parseBinaryPlist(writeBinaryPlist(NaN)))).toBe(true);
  });

  it('negative zero keeps its sign', () => {
    expect(Object.is(parseBinaryPlist(writeBinaryPlist(-0)), -0)).toBe(true);
  });

  it('nested containers, unusual keys included', () => {
    expect(Object.keys(NESTED as object)).toContain('__proto__');
    const back = parseBinaryPlist(writeBinaryPlist(NESTED));
    expect(back).toEqual(NESTED);
    expect(Object.keys(back as object)).toEqual(Object.keys(NESTED as object));
  });

  it('a dict with 20 keys and an array of 20 items (extended counts)', () => {
    const dict = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i]));
    const value = { dict, list: Array.from({ length: 20 }, (_, i) => `item ${i}`) };
    expect(parseBinaryPlist(writeBinaryPlist(value))).toEqual(value);
  });

  it('over 256 and over 65,536 objects (2- and 4-byte refs and offsets)', () => {
    for (const n of [300, 70_000]) {
      const value = Array.from({ length: n }, (_, i) => i);
      const buf = writeBinaryPlist(value);
      expect(buf[buf.length - 25]).toBe(n + 1 > 65_536 ? 4 : 2);
      expect(parseBinaryPlist(buf)).toEqual(value);
    }
  });

  it('refuses values it cannot write', () => {
    const cyclic: PlistValue[] = [];
    cyclic.push(cyclic);
    expect(() => writeBinaryPlist(cyclic)).toThrow(/contains itself/);
    expect(() => writeBinaryPlist(2n ** 64n)).toThrow(PlistError);
    expect(() => writeBinaryPlist(-(2n ** 63n) - 1n)).toThrow(/outside the 64-bit range/);
    expect(() => writeBinaryPlist(new Date(NaN))).toThrow(/invalid Date/);
    expect(() => writeBinaryPlist(new PlistUid(-1))).toThrow(/UID -1/);
  });

  it('refuses nesting its readers would refuse', () => {
    let deep: PlistValue = [];
    for (let i = 0; i < 600; i++) deep = [deep];
    expect(() => writeBinaryPlist(deep)).toThrow(/nested deeper than 512 levels/);
    expect(() => writeXmlPlist(deep)).toThrow(/nested deeper than 512 levels/);
    let ok: PlistValue = [];
    for (let i = 0; i < 500; i++) ok = [ok];
    expect(parseBinaryPlist(writeBinaryPlist(ok))).toEqual(ok);
    expect(parseXmlPlist(writeXmlPlist(ok))).toEqual(ok);
  });

  it('writes a shared (non-cyclic) value twice', () => {
    const shared = { a: 1 };
    expect(parseBinaryPlist(writeBinaryPlist([shared, shared]))).toEqual([{ a: 1 }, { a: 1 }]);
  });
});

describe('writeXmlPlist round-trips through parseXmlPlist', () => {
  for (const [name, value] of [...SCALARS, ...XML_ONLY]) {
    it(name, () => {
      expect(parseXmlPlist(writeXmlPlist(value))).toEqual(value);
      expect(parseXmlPlist(writeXmlPlist([value, { v: value }]))).toEqual([value, { v: value }]);
    });
  }

  it('NaN', () => {
    expect(Number.isNaN(parseXmlPlist(writeXmlPlist(NaN)))).toBe(true);
  });

  it('nested containers, unusual keys included', () => {
    const back = parseXmlPlist(writeXmlPlist(NESTED));
    expect(back).toEqual(NESTED);
    expect(Object.keys(back as object)).toEqual(Object.keys(NESTED as object));
  });

  it('writes the Apple layout that parsePlist recognises', () => {
    const text = writeXmlPlist({ count: 42, foo: 'bar' });
    expect(text).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n' +
        '<plist version="1.0">\n<dict>\n\t<key>count</key>\n\t<integer>42</integer>\n' +
        '\t<key>foo</key>\n\t<string>bar</string>\n</dict>\n</plist>\n',
    );
    expect(parsePlist(new TextEncoder().encode(text))).toEqual({ count: 42, foo: 'bar' });
  });

  it('writes dates to the whole second, as the format allows', () => {
    const back = parseXmlPlist(writeXmlPlist(new Date('2023-05-20T01:40:55.999Z')));
    expect(back).toEqual(new Date('2023-05-20T01:40:55Z'));
  });

  it('wraps long data over several lines', () => {
    const text = writeXmlPlist(bytes(200));
    expect(text.split('\n').length).toBeGreaterThan(6);
    expect(parseXmlPlist(text)).toEqual(bytes(200));
  });

  it('refuses values it cannot write', () => {
    expect(() => writeXmlPlist(null)).toThrow(/cannot write null/);
    expect(() => writeXmlPlist({ a: [null] })).toThrow(PlistError);
    const cyclic: { [key: string]: PlistValue } = {};
    cyclic['self'] = cyclic;
    expect(() => writeXmlPlist(cyclic)).toThrow(/contains itself/);
    expect(() => writeXmlPlist(2n ** 64n)).toThrow(/outside the 64-bit range/);
    expect(() => writeXmlPlist(new Date(NaN))).toThrow(/invalid Date/);
    expect(() => writeXmlPlist(new Date('+010000-01-01T00:00:00Z'))).toThrow(/year 10000/);
  });
});

describe('binary and XML writers agree', () => {
  it('a synthetic Info.plist reads the same from both forms', () => {
    const info: PlistValue = {
      'Device Name': 'iPhone',
      'Product Type': 'iPhone9,3',
      'Product Version': '14.3',
      'Last Backup Date': new Date('2021-01-20T10:00:00Z'),
      'Installed Applications': ['com.google.Translate'],
      'iTunes Files': { iTunesPrefs: bytes(10) },
    };
    expect(parsePlist(writeBinaryPlist(info))).toEqual(info);
    expect(parsePlist(new TextEncoder().encode(writeXmlPlist(info)))).toEqual(info);
  });
});
