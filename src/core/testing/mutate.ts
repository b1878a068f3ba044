import fc from 'fast-check';

// Mutations for property-based tests: what damaged or crafted evidence looks like at the byte
// level (flipped bits, truncation, numbers a crafted file puts in lengths and offsets, repeated
// runs) and at the line level (deleted, duplicated or rewritten lines, extreme numbers and
// dates, odd encodings). Tests only.

/** Numbers a crafted file would put in a length, count, offset or reference. */
export const extremeBigInt: fc.Arbitrary<bigint> = fc.constantFrom(
  0n,
  1n,
  7n,
  8n,
  0x7fn,
  0xffn,
  0xffffn,
  0x7fffffffn,
  0xffffffffn,
  2n ** 53n,
  2n ** 62n,
  2n ** 63n - 1n,
  2n ** 64n - 1n,
);

/** One change to a byte string. */
export type ByteMutation =
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'write'; at: number; value: bigint; size: 1 | 2 | 4 | 8 }
  | { kind: 'trailer'; field: 6 | 7 | 8 | 16 | 24; value: bigint }
  | { kind: 'repeat'; at: number; length: number; times: number };

/** Byte mutations; `trailer` writes into the last 32 bytes (a binary plist's trailer). */
export const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    mask: fc.integer({ min: 1, max: 255 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('write' as const),
    at: fc.nat(),
    value: extremeBigInt,
    size: fc.constantFrom(1 as const, 2 as const, 4 as const, 8 as const),
  }),
  fc.record({
    kind: fc.constant('trailer' as const),
    field: fc.constantFrom(6 as const, 7 as const, 8 as const, 16 as const, 24 as const),
    value: extremeBigInt,
  }),
  fc.record({
    kind: fc.constant('repeat' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 64 }),
    times: fc.integer({ min: 2, max: 200 }),
  }),
);

function writeBigEndian(b: Uint8Array, at: number, size: number, value: bigint): void {
  for (let i = 0; i < size && at + i < b.length; i += 1)
    b[at + i] = Number((value >> BigInt(8 * (size - 1 - i))) & 0xffn);
}

/** Applies byte mutations in turn; positions wrap around the current length. */
export function mutateBytes(input: Uint8Array, mutations: readonly ByteMutation[]): Buffer {
  let b = Buffer.from(input);
  for (const m of mutations) {
    if (b.length === 0) break;
    switch (m.kind) {
      case 'flip':
        b[m.at % b.length] = (b[m.at % b.length] ?? 0) ^ m.mask;
        break;
      case 'truncate':
        b = b.subarray(0, m.at % b.length);
        break;
      case 'write':
        writeBigEndian(b, m.at % b.length, m.size, m.value);
        break;
      case 'trailer': {
        // A binary plist's 32-byte trailer: offset size (6), ref size (7), then three u64.
        const at = b.length - 32 + m.field;
        if (at >= 0) writeBigEndian(b, at, m.field < 8 ? 1 : 8, m.value);
        break;
      }
      case 'repeat': {
        const at = m.at % b.length;
        const chunk = b.subarray(at, at + m.length);
        b = Buffer.concat([
          b.subarray(0, at),
          ...Array<Buffer>(m.times).fill(chunk),
          b.subarray(at),
        ]);
        break;
      }
      default: {
        const never: never = m;
        throw new Error(`unknown mutation ${JSON.stringify(never)}`);
      }
    }
  }
  return b;
}

/** Text a hostile or damaged line may hold in place of a field. */
export const oddToken: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '-1',
    '0',
    '99999999999999999999999',
    '-9223372036854775809',
    '18446744073709551616',
    '1e308',
    'NaN',
    '0000-00-00 00:00:00.000',
    '0000-01-01 00:00:00.000',
    '9999-12-31 23:59:60.999',
    '2025-02-30 25:61:61.000',
    '1969-12-31 23:59:59.999',
    '275760-09-13 00:00:00.000',
    '+99999999d99h99m99s999ms',
    '-99999999d',
    '(-1d2h3m4s5ms)',
    '(-99999999999999999999d)',
    'duration=+99999999999999999999d',
    '+9999999999999d ago;',
    'uid=99999999999999999999,',
    '(running)',
    'null',
    '[',
    ']',
    '=',
    '"',
    '\u0000',
    '\ufffd',
    '\ud800',
    'é',
    '\u202e',
    'ＡＢＣ',
    ' '.repeat(2000),
  ),
  fc.string({ maxLength: 16 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
);

/** One change to the lines of a text. */
export type LineMutation =
  | { kind: 'delete'; line: number }
  | { kind: 'duplicate'; line: number; times: number }
  | { kind: 'replace-token'; line: number; token: number; by: string }
  | { kind: 'insert'; line: number; text: string }
  | { kind: 'flip'; line: number; at: number; mask: number }
  | { kind: 'cut'; line: number; at: number };

export const lineMutation: fc.Arbitrary<LineMutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), line: fc.nat() }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    line: fc.nat(),
    times: fc.integer({ min: 1, max: 50 }),
  }),
  fc.record({
    kind: fc.constant('replace-token' as const),
    line: fc.nat(),
    token: fc.nat(),
    by: oddToken,
  }),
  fc.record({ kind: fc.constant('insert' as const), line: fc.nat(), text: oddToken }),
  fc.record({
    kind: fc.constant('flip' as const),
    line: fc.nat(),
    at: fc.nat(),
    mask: fc.integer({ min: 1, max: 0x7f }),
  }),
  fc.record({ kind: fc.constant('cut' as const), line: fc.nat(), at: fc.nat() }),
);

/** Text put into a line never breaks it in two (that would be two mutations, not one). */
function oneLine(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]/g, ' ');
}

/**
 * Applies one line mutation to `lines` (wrapping `line` around the count) and returns the new
 * lines with the 0-based index of the line changed (null for a delete). No line break is added.
 */
export function mutateLine(
  lines: readonly string[],
  m: LineMutation,
): { lines: string[]; changed: number | null } {
  const out = [...lines];
  if (out.length === 0) return { lines: out, changed: null };
  const i = m.line % out.length;
  const line = out[i]!;
  switch (m.kind) {
    case 'delete':
      out.splice(i, 1);
      return { lines: out, changed: null };
    case 'duplicate':
      out.splice(i, 0, ...Array<string>(m.times).fill(line));
      return { lines: out, changed: i };
    case 'replace-token': {
      // Tokens are the runs between spaces, so the line keeps its indentation and shape.
      const parts = line.split(/( +)/);
      const words = parts.map((p, k) => (p.trim() === '' ? -1 : k)).filter((k) => k >= 0);
      if (words.length === 0) {
        out[i] = oneLine(m.by);
      } else {
        parts[words[m.token % words.length]!] = oneLine(m.by);
        out[i] = parts.join('');
      }
      return { lines: out, changed: i };
    }
    case 'insert':
      out.splice(i, 0, oneLine(m.text));
      return { lines: out, changed: i };
    case 'flip': {
      if (line.length === 0) return { lines: out, changed: i };
      const at = m.at % line.length;
      out[i] =
        line.slice(0, at) +
        oneLine(String.fromCharCode(line.charCodeAt(at) ^ m.mask)) +
        line.slice(at + 1);
      return { lines: out, changed: i };
    }
    case 'cut':
      out[i] = line.slice(0, m.at % (line.length + 1));
      return { lines: out, changed: i };
    default: {
      const never: never = m;
      throw new Error(`unknown mutation ${JSON.stringify(never)}`);
    }
  }
}

/** How a text file may be encoded on disk. */
export type TextEncoding = 'utf8' | 'utf8-bom' | 'crlf' | 'utf16le-bom' | 'latin1' | 'nul-padded';

export const textEncoding: fc.Arbitrary<TextEncoding> = fc.constantFrom(
  'utf8',
  'utf8-bom',
  'crlf',
  'utf16le-bom',
  'latin1',
  'nul-padded',
);

/** The bytes of a text in one of the encodings a damaged or converted file may have. */
export function encodeText(text: string, encoding: TextEncoding): Buffer {
  switch (encoding) {
    case 'utf8':
      return Buffer.from(text, 'utf8');
    case 'utf8-bom':
      return Buffer.from(`\ufeff${text}`, 'utf8');
    case 'crlf':
      return Buffer.from(text.replace(/\n/g, '\r\n'), 'utf8');
    case 'utf16le-bom':
      return Buffer.from(`\ufeff${text}`, 'utf16le');
    case 'latin1':
      return Buffer.from(text, 'latin1');
    case 'nul-padded':
      return Buffer.concat([Buffer.from(text, 'utf8'), Buffer.alloc(64)]);
    default: {
      const never: never = encoding;
      throw new Error(`unknown encoding ${String(never)}`);
    }
  }
}
