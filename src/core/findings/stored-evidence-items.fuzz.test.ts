import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzOptions } from '../testing/fuzz';
import { storedIds } from './stored';
import {
  base64Bytes,
  leanEvidenceKeys,
  noEscapes,
  storedEvidenceItems,
} from './stored-evidence-items';

const SEPARATOR = Buffer.from(',\n      ');

// Ids and keys that stress what the bytes are read for: quotes, backslashes, control characters,
// lone surrogates, non-ASCII text, and the `","`, `],[` and `,"` the lists are cut at.
const text = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9:.-]{0,12}$/),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom(
    '","',
    '],[',
    ',"',
    '"]',
    ']',
    '[1,',
    '\\',
    '\n',
    '\u0000',
    '\u001f',
    '\ud800',
    '\udc00x',
    '\ud83d\ude00',
    'é',
    '\u2028',
    '',
  ),
);
const base64 = fc.uint8Array({ maxLength: 48 }).map((b) => Buffer.from(b).toString('base64'));
const lean = fc
  .record({
    device: fc.oneof(fc.nat(20), fc.constant(0), fc.integer({ min: 0, max: 2 ** 53 - 1 })),
    keys: fc.array(text, { maxLength: 12 }),
    extra: fc.array(text, { maxLength: 4 }),
    places: fc.option(base64, { nil: undefined }),
  })
  .map(({ device, keys, extra, places }) =>
    JSON.stringify(places === undefined ? [device, keys, extra] : [device, keys, extra, places]),
  );
const full = fc.array(text, { maxLength: 12 }).map((ids) => JSON.stringify(ids));
const limit = fc.oneof(fc.constant(5_000), fc.nat(14));

/** One byte put in, replaced or taken out of a column. */
interface Edit {
  op: 'put' | 'replace' | 'drop';
  at: number;
  /** On the last three bytes, where the column's end is read. */
  nearEnd: boolean;
  byte: number;
}

/**
 * One or two edits putting in, replacing or taking out one of `bytes`; a third of them fall on
 * the last three bytes, where the column's end is read.
 */
function editsOf(bytes: fc.Arbitrary<number>): fc.Arbitrary<Edit[]> {
  const edit = fc.record({
    op: fc.constantFrom<Edit['op']>('put', 'replace', 'drop'),
    at: fc.nat(),
    nearEnd: fc.nat(2).map((n) => n === 0),
    byte: bytes,
  });
  return fc.array(edit, { minLength: 1, maxLength: 2 });
}

/** The column's bytes with the edits made, one after the other. */
function edited(column: string, edits: readonly Edit[]): Buffer {
  let bytes = Buffer.from(column);
  for (const e of edits) {
    const at = e.nearEnd ? Math.max(0, bytes.length - 1 - (e.at % 3)) : e.at % (bytes.length + 1);
    const put = e.op === 'drop' ? [] : [e.byte];
    const after = e.op === 'put' ? at : at + 1;
    bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(put), bytes.subarray(after)]);
  }
  return bytes;
}

/** The items as the text path writes them: each id's JSON, separated. */
const reference = (ids: string[]): Buffer =>
  Buffer.from(ids.map((id) => JSON.stringify(id)).join(SEPARATOR.toString()));

/** The fast path's answer, checked against the text path whenever it gives one. */
function checked(column: Buffer, max: number): boolean {
  const out = { bytes: Buffer.alloc(Math.floor(Math.random() * 64)) };
  const r = storedEvidenceItems(column, max, SEPARATOR, out);
  if (r === null) return false;
  const ids = storedIds(column.toString('utf8'), max);
  if (ids === null) throw new Error('the text path refuses a column the byte path took');
  expect(r.count).toBe(ids.length);
  expect(out.bytes.subarray(0, r.length).equals(reference(ids))).toBe(true);
  return true;
}

/** Whether every id of a well-formed column is written without an escape, within the limit. */
function plain(column: string, max: number): boolean {
  const ids = storedIds(column, Number.MAX_SAFE_INTEGER)!;
  return ids.length <= max && ids.every((id) => !JSON.stringify(id).slice(1, -1).includes('\\'));
}

describe('storedEvidenceItems', () => {
  it('writes the bytes the text path writes, and takes every column whose ids need no escape', () => {
    fc.assert(
      fc.property(fc.oneof(lean, full), limit, (column, max) => {
        const took = checked(Buffer.from(column), max);
        expect(took).toBe(plain(column, max));
      }),
      fuzzOptions(500),
    );
  });

  it('never writes a damaged column differently from the text path, which may refuse it', () => {
    // Short columns whose ids hold brackets and commas, with bytes put in, replaced or taken out
    // one at a time: the fast path either gives the text path's ids or leaves the column to it
    // (and to its error when the column is not JSON).
    const short = fc.stringMatching(/^[a,[\]é]{0,3}$/);
    const column = fc.oneof(
      fc
        .tuple(
          fc.nat(12),
          fc.array(short, { maxLength: 3 }),
          fc.array(short, { maxLength: 2 }),
          fc.option(base64, { nil: undefined }),
        )
        .map(([d, k, x, p]) => JSON.stringify(p === undefined ? [d, k, x] : [d, k, x, p])),
      fc.array(short, { maxLength: 4 }).map((ids) => JSON.stringify(ids)),
    );
    const edits = editsOf(
      fc.oneof(
        fc.constantFrom(0x22, 0x2c, 0x5b, 0x5d, 0x5c, 0x0a, 0x00, 0x30, 0x31, 0x2d, 0x20, 0x61),
        fc.constantFrom(0x80, 0xbf, 0xc3, 0xe2, 0xed, 0xf0, 0xff),
      ),
    );
    let taken = 0;
    fc.assert(
      fc.property(column, edits, limit, (c, edits, max) => {
        const bytes = edited(c, edits);
        const ids = storedIds(bytes.toString('utf8'), max) ?? new Error('does not read');
        const out = { bytes: Buffer.alloc(0) };
        const r = storedEvidenceItems(bytes, max, SEPARATOR, out);
        if (r === null) return;
        taken += 1;
        expect(ids).toBeInstanceOf(Array);
        expect(r.count).toBe((ids as string[]).length);
        expect(out.bytes.subarray(0, r.length).equals(reference(ids as string[]))).toBe(true);
      }),
      fuzzOptions(3_000),
    );
    // Many damaged columns are still columns of plain ids (a letter for a letter, say).
    expect(taken).toBeGreaterThan(0);
  });

  it('writes many short ids, which take several times their column', () => {
    const tiny = fc.array(fc.constantFrom('', 'a', 'é'), { minLength: 200, maxLength: 1_500 });
    fc.assert(
      fc.property(
        fc.oneof(fc.nat(9), fc.constant(2 ** 53 - 1)),
        tiny,
        fc.array(fc.constantFrom('', 'b'), { maxLength: 300 }),
        fc.boolean(),
        (device, keys, extra, lean) => {
          const column = lean
            ? JSON.stringify([device, keys, extra, 'AAAA'])
            : JSON.stringify(keys);
          const took = checked(Buffer.from(column), 5_000);
          expect(took).toBe(plain(column, 5_000));
        },
      ),
      fuzzOptions(60),
    );
  });

  it('reads the columns JSON.stringify writes at the edges of its form', () => {
    const cases: [string, number, string[] | null][] = [
      ['[]', 9, []],
      ['[3,[],[]]', 9, []],
      ['[3,[],[],"AAAA"]', 9, []],
      ['[3,["a"],["n:1"],"AAAAAAAAAAAAAAAAAAAAAA=="]', 9, ['s:3:a', 'n:1']],
      ['[0,["","b"],[""]]', 9, ['s:0:', 's:0:b', '']],
      ['[12,["a","b","c"],["x"]]', 3, null],
      ['[12,["a","b","c"],["x"]]', 4, ['s:12:a', 's:12:b', 's:12:c', 'x']],
      ['["s:1:a","n:2"]', 2, ['s:1:a', 'n:2']],
      ['["s:1:a","n:2"]', 1, null],
      ['[3,["a\\"b"],[]]', 9, null],
      ['[3,["a"]]', 9, null],
      ['[3,["a"],"AAAA"]', 9, null],
      ['[03,["a"],[]]', 9, null],
      ['[1.5,["a"],[]]', 9, null],
      ['[3, ["a"],[]]', 9, null],
      ['[3,["a"],[]] ', 9, null],
      ['["a"]]', 9, null],
      ['["a""b"]', 9, null],
      ['[3,["a"],[],"AA","AA"]', 9, null],
      ['', 9, null],
    ];
    for (const [column, max, ids] of cases) {
      const out = { bytes: Buffer.alloc(0) };
      const r = storedEvidenceItems(Buffer.from(column), max, SEPARATOR, out);
      if (ids === null) expect(r, column).toBeNull();
      else {
        expect(r, column).not.toBeNull();
        expect(out.bytes.subarray(0, r!.length).toString(), column).toBe(reference(ids).toString());
      }
    }
  });
});

/** The ids a lean answer stands for: each session's prefix and key, then the other ids. */
function leanIdsOf(column: Buffer, k: NonNullable<ReturnType<typeof leanEvidenceKeys>>): string[] {
  return Array.from({ length: k.count }, (_, i) => {
    const stored = column.toString('latin1', k.starts[i]!, k.ends[i]!);
    if (i >= k.sessions) {
      expect(k.extra[i - k.sessions]).toBe(stored);
      return stored;
    }
    return k.prefix.toString('latin1') + stored;
  });
}

/** The lean answer checked against `JSON.parse`; false when there is none. */
function leanChecked(column: Buffer, max: number): boolean {
  const k = leanEvidenceKeys(column, max);
  if (k === null) return false;
  const parsed = JSON.parse(column.toString('utf8')) as [number, string[], string[], string];
  expect(leanIdsOf(column, k)).toEqual(storedIds(column.toString('utf8'), max));
  expect(k.sessions).toBe(Math.min(parsed[1].length, max));
  const places = Buffer.from(parsed[3], 'base64');
  expect(k.places).toEqual(places.length === parsed[1].length * 16 ? places : null);
  return true;
}

/** Whether a key or id is one a CSV cell and a JSON string hold as it is. */
const plainId = (id: string): boolean =>
  /^[\u0020-\u007f]*$/.test(id) && !id.includes(',') && !/["\\]/.test(id);

describe('leanEvidenceKeys', () => {
  it('reads the ids and places JSON.parse reads, for every lean column of plain ids', () => {
    const places = fc.oneof(
      base64,
      fc.nat(14).map((n) => Buffer.alloc(16 * n, 0xfe).toString('base64')),
    );
    fc.assert(
      fc.property(
        fc.record({
          device: fc.oneof(fc.nat(20), fc.integer({ min: 0, max: 2 ** 53 - 1 })),
          keys: fc.array(fc.oneof(text, fc.stringMatching(/^[A-Za-z0-9:.-]{0,12}$/)), {
            maxLength: 14,
          }),
          extra: fc.array(text, { maxLength: 4 }),
          places: fc.option(places, { nil: undefined }),
        }),
        limit,
        ({ device, keys, extra, places }, max) => {
          // Places of one set a key, when asked for many keys' worth.
          const p =
            places !== undefined && Buffer.from(places, 'base64').length % 16 === 0
              ? Buffer.alloc(16 * keys.length, 7).toString('base64')
              : places;
          const column = JSON.stringify(
            p === undefined ? [device, keys, extra] : [device, keys, extra, p],
          );
          const took = leanChecked(Buffer.from(column), max);
          expect(took).toBe(p !== undefined && [...keys, ...extra].every(plainId));
        },
      ),
      fuzzOptions(500),
    );
  });

  it('never reads a damaged column differently from JSON.parse, which may refuse it', () => {
    const short = fc.stringMatching(/^[a,[\]"é]{0,3}$/);
    const column = fc
      .tuple(
        fc.nat(12),
        fc.array(short, { maxLength: 3 }),
        fc.array(short, { maxLength: 2 }),
        fc.oneof(base64, fc.constant('AAAAAAAAAAAAAAAAAAAAAA==')),
      )
      .map(([d, k, x, p]) => JSON.stringify([d, k, x, p]));
    const edits = editsOf(
      fc.constantFrom(0x22, 0x2c, 0x5b, 0x5d, 0x5c, 0x0a, 0x00, 0x30, 0x3d, 0x41, 0x2b, 0xc3),
    );
    let taken = 0;
    fc.assert(
      fc.property(column, edits, limit, (c, edits, max) => {
        const bytes = edited(c, edits);
        if (leanEvidenceKeys(bytes, max) === null) return;
        taken += 1;
        // A column the fast path reads is JSON of the lean form, read the same way.
        expect(() => JSON.parse(bytes.toString('utf8'))).not.toThrow();
        leanChecked(bytes, max);
      }),
      fuzzOptions(3_000),
    );
    expect(taken).toBeGreaterThan(0);
  });

  it('refuses the forms it does not read', () => {
    for (const column of [
      '["s:1:a"]',
      '[3,["a"],[]]',
      '[3,["a"],[],"AAAA","AAAA"]',
      '[3,["a,b"],[],"AAAA"]',
      '[3,["a\\"b"],[],"AAAA"]',
      '[3,["é"],[],"AAAA"]',
      '[3,["a"],["n,1"],"AAAA"]',
      '[3,["a"],[],"AAA"]',
      '[3,["a"],[],"AA\\u0041A"]',
      '[03,["a"],[],"AAAA"]',
      '[3, ["a"],[],"AAAA"]',
    ])
      expect(leanEvidenceKeys(Buffer.from(column), 9), column).toBeNull();
    const k = leanEvidenceKeys(Buffer.from('[3,["a","b"],["n:1"],"AAAA"]'), 9)!;
    expect(leanIdsOf(Buffer.from('[3,["a","b"],["n:1"],"AAAA"]'), k)).toEqual([
      's:3:a',
      's:3:b',
      'n:1',
    ]);
    // Places that are not one set a key are not read as places.
    expect(k.places).toBeNull();
  });
});

describe('base64Bytes', () => {
  it('decodes exactly the text that encoding its bytes gives back, as Node decodes it', () => {
    const digit = fc.constantFrom(...'AQgw/+9zZa=', '-', ' ', '\n', 'é');
    const into = { bytes: Buffer.alloc(0) };
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('base64')),
          fc.array(digit, { maxLength: 12 }).map((d) => d.join('')),
        ),
        fc.nat(3),
        (text, at) => {
          // Somewhere inside other bytes, as the places are inside their column.
          const bytes = Buffer.concat([
            Buffer.alloc(at, 0x22),
            Buffer.from(text),
            Buffer.from('"]'),
          ]);
          const got = base64Bytes(bytes, at, bytes.length - 2, into);
          const node = Buffer.from(text, 'base64');
          const canonical = node.toString('base64') === text;
          expect(got !== null).toBe(canonical);
          if (got) expect(Buffer.from(got).equals(node)).toBe(true);
        },
      ),
      fuzzOptions(2_000),
    );
  });
});

describe('noEscapes', () => {
  it('finds a backslash or control byte wherever it lies, whatever the alignment', () => {
    const byte = fc.oneof(
      fc.integer({ min: 0x20, max: 0xff }).filter((b) => b !== 0x5c),
      fc.constantFrom(0x00, 0x01, 0x0a, 0x1f, 0x5c, 0x20, 0x5b, 0x5d, 0x7f, 0x80, 0x9f, 0xdc, 0xff),
    );
    fc.assert(
      fc.property(
        fc.array(byte, { maxLength: 40 }),
        fc.nat(3),
        fc.nat(40),
        fc.nat(40),
        (b, skew, x, y) => {
          const whole = Buffer.alloc(b.length + skew + 8);
          Buffer.from(b).copy(whole, skew);
          const bytes = whole.subarray(skew, skew + b.length);
          const from = Math.min(x, y, b.length);
          const to = Math.min(Math.max(x, y), b.length);
          const naive = bytes.subarray(from, to).every((v) => v >= 0x20 && v !== 0x5c);
          expect(noEscapes(bytes, from, to)).toBe(naive);
        },
      ),
      fuzzOptions(1_000),
    );
  });
});
