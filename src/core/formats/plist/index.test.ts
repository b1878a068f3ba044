import { describe, expect, it } from 'vitest';
import {
  asArray,
  asBool,
  asData,
  asDate,
  asDict,
  asNumber,
  asString,
  asUid,
  parsePlist,
  PlistUid,
  writeBinaryPlist,
  writeXmlPlist,
  type PlistValue,
} from './index';
import { plistErrorOf } from './test-support';

const utf8 = (s: string) => new TextEncoder().encode(s);
const XML = writeXmlPlist({ count: 42, foo: 'bar' });

function utf16(s: string, bigEndian: boolean, bom: boolean): Uint8Array {
  const units = (bom ? '\ufeff' : '') + s;
  const out = new Uint8Array(units.length * 2);
  for (let i = 0; i < units.length; i++) {
    const u = units.charCodeAt(i);
    out[2 * i + (bigEndian ? 0 : 1)] = u >> 8;
    out[2 * i + (bigEndian ? 1 : 0)] = u & 0xff;
  }
  return out;
}

const messageOf = (fn: () => unknown): string => plistErrorOf(fn).message;

describe('parsePlist chooses the format', () => {
  it('reads binary plists', () => {
    expect(parsePlist(writeBinaryPlist({ a: [1, 'b'] }))).toEqual({ a: [1, 'b'] });
  });

  it('reads XML plists after a BOM or whitespace, with or without a declaration', () => {
    const expected = { count: 42, foo: 'bar' };
    expect(parsePlist(utf8(XML))).toEqual(expected);
    expect(parsePlist(Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8(XML)]))).toEqual(expected);
    expect(parsePlist(utf8(`\n\t  ${XML}`))).toEqual(expected);
    expect(parsePlist(utf8('<plist version="1.0"><string>x</string></plist>'))).toBe('x');
    expect(parsePlist(utf8('<!DOCTYPE plist SYSTEM "x.dtd"><plist><true/></plist>'))).toBe(true);
  });

  it('reads UTF-16 XML plists in either byte order, with or without a BOM', () => {
    const text = '<?xml version="1.0" encoding="UTF-16"?><plist><string>Ванкувер</string></plist>';
    for (const bigEndian of [false, true]) {
      for (const bom of [false, true]) {
        expect(parsePlist(utf16(text, bigEndian, bom))).toBe('Ванкувер');
      }
    }
  });

  it('honours an 8-bit encoding named in the XML declaration', () => {
    const latin1 = Uint8Array.from(
      '<?xml version="1.0" encoding="ISO-8859-1"?><plist><string>caf\xe9</string></plist>',
      (c) => c.charCodeAt(0),
    );
    expect(parsePlist(latin1)).toBe('café');
  });

  it('refuses invalid UTF-8 in an XML plist', () => {
    const bad = Uint8Array.from([
      ...utf8('<plist><string>'),
      0xc3,
      0x28,
      ...utf8('</string></plist>'),
    ]);
    expect(messageOf(() => parsePlist(bad))).toMatch(
      /XML plist declared or detected as utf-8 holds invalid bytes/,
    );
  });

  it('says what the input looks like when it is not a plist', () => {
    const cases: Array<[Uint8Array, string]> = [
      [new Uint8Array(0), 'empty input'],
      [utf8('SQLite format 3\0rest'), 'an SQLite database'],
      [Uint8Array.of(0x6d, 0x62, 0x64, 0x62, 5, 0, 1), 'a Manifest.mbdb backup index'],
      [Uint8Array.of(0x50, 0x4b, 3, 4, 0), 'a ZIP archive'],
      [utf8('  {"a": 1}'), 'JSON'],
      [utf8('<html><body>'), 'XML or HTML other than a plist, starting "<html><body>"'],
      [utf8('hello world\n'), 'text starting "hello world"'],
      [Uint8Array.of(0, 1, 2, 250), 'binary data starting 00 01 02 fa'],
    ];
    for (const [buf, looks] of cases) {
      expect(messageOf(() => parsePlist(buf))).toBe(
        `not a property list (looks like ${looks}) (at byte 0)`,
      );
    }
  });

  it('refuses other binary plist versions by name', () => {
    expect(messageOf(() => parsePlist(utf8('bplist15' + ' '.repeat(40))))).toMatch(
      /unsupported version "bplist15"/,
    );
  });

  it('reports XML errors with their line', () => {
    expect(
      messageOf(() => parsePlist(utf8('<?xml version="1.0"?>\n<plist>\n<dict>\n</plist>'))),
    ).toBe('XML plist: expected </dict>, found </plist> (line 4)');
  });
});

describe('accessors', () => {
  const date = new Date('2021-01-01T00:00:00Z');
  const data = Uint8Array.of(1);
  const uid = new PlistUid(1);
  const dict = parsePlist(writeBinaryPlist({ n: 1 }));
  const values: PlistValue[] = ['s', 1.5, 7n, 2n ** 60n, true, date, data, uid, [1], dict, null];

  it('each returns its type and null for every other', () => {
    expect(values.map(asString)).toEqual(['s', ...Array<null>(10).fill(null)]);
    expect(values.map(asNumber)).toEqual([
      null,
      1.5,
      7,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
    expect(values.map(asBool)).toEqual([
      null,
      null,
      null,
      null,
      true,
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
    expect(values.map(asDate)).toEqual([
      null,
      null,
      null,
      null,
      null,
      date,
      null,
      null,
      null,
      null,
      null,
    ]);
    expect(values.map(asData)).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
      data,
      null,
      null,
      null,
      null,
    ]);
    expect(values.map(asUid)).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      uid,
      null,
      null,
      null,
    ]);
    expect(values.map(asArray)).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      [1],
      null,
      null,
    ]);
    expect(values.map(asDict)).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      dict,
      null,
    ]);
  });

  it('take undefined from a missing key', () => {
    const d = asDict(dict);
    expect(asNumber(d?.['n'])).toBe(1);
    expect(asString(d?.['missing'])).toBeNull();
    expect(asDict(undefined)).toBeNull();
  });

  it('refuse invalid dates', () => {
    expect(asDate(new Date(NaN))).toBeNull();
  });
});
