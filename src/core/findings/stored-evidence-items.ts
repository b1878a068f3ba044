import { isAscii, isUtf8 } from 'node:buffer';

/**
 * A stored evidence column turned straight into the items of a JSON array of its ids, as bytes,
 * without making a string of each id. A column is stored as the text `JSON.stringify` writes for
 * either a list of full ids (`["s:1:k", …]`) or lean evidence (`[device, [keys], [extra ids],
 * "places"]`, whose ids are `s:<device>:<key>` then the extra ids). An id without a backslash in
 * its stored text needed no escaping, so the ids' JSON in the output is the stored bytes between
 * the quotes, after `s:<device>:` for a key. Columns in any other form (an id that needs escaping,
 * more ids than asked for, text JSON.stringify does not write) are left to the caller's parse.
 */

const QUOTE = 0x22;
const COMMA = 0x2c;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const ZERO = 0x30;
const NINE = 0x39;

/** Where a column's places begin (its last `,"`, as `withoutPlaces` cuts), or -1 when it has none. */
function placesAt(column: Buffer): number {
  const n = column.length;
  const first = column[1]!;
  if (n < 4 || column[0] !== OPEN || first < ZERO || first > NINE) return -1;
  if (column[n - 1] !== CLOSE || column[n - 2] !== QUOTE) return -1;
  return column.lastIndexOf(',"');
}

/**
 * True when no byte in `from..to` is a backslash or a control character (below 0x20): the bytes
 * of JSON strings holding no escape. Four bytes at a time where the memory allows.
 */
export function noEscapes(bytes: Uint8Array, from: number, to: number): boolean {
  let i = from;
  const plain = (b: number): boolean => b >= 0x20 && b !== 0x5c;
  while (i < to && (bytes.byteOffset + i) % 4 !== 0) if (!plain(bytes[i++]!)) return false;
  const words = Math.max(0, Math.floor((to - i) / 4));
  if (words > 0) {
    const view = new Int32Array(bytes.buffer, bytes.byteOffset + i, words);
    for (let w = 0; w < words; w += 1) {
      const v = view[w]!;
      const x = v ^ 0x5c5c5c5c;
      // Some byte of v is below 0x20, or some byte of x is zero (a backslash in v), exactly when
      // this sets a high bit (the borrow of a lower byte can set one only above such a byte).
      if ((((v - 0x20202020) & ~v) | ((x - 0x01010101) & ~x)) & 0x80808080) return false;
    }
    i += words * 4;
  }
  while (i < to) if (!plain(bytes[i++]!)) return false;
  return true;
}

/** The pieces written around the ids of one list: before its first, between two, after its last. */
interface Joins {
  /** Before the list's first id when it is the first of all. */
  open: Buffer;
  /** Before the list's first id when ids came before (from an earlier list). */
  openAfter: Buffer;
  /** Between two ids of the list: the quote closing one and what opens the next. */
  between: Buffer;
}

/** The pieces for ids written as `"<prefix><stored bytes>"`, separated by `separator`. */
function joins(prefix: string, separator: Uint8Array): Joins {
  const open = Buffer.from(`"${prefix}`, 'latin1');
  const openAfter = Buffer.concat([separator, open]);
  return { open, openAfter, between: Buffer.concat([Buffer.from('"'), openAfter]) };
}

/** Where a list is read in the column and written in the output. */
interface Cursor {
  /** Position in the column: just after the list's `[`, then just after its `]`. */
  at: number;
  /** Bytes written so far. */
  to: number;
  /** Ids written so far. */
  count: number;
}

/**
 * Walks the JSON list of strings at `at` (just after its `[`), handing `each` where each string's
 * bytes begin and end; each quote after an opening one is taken to close it, so the caller checks
 * that the list holds no backslash. `each` returning false stops the walk. Returns where the list
 * ends (just after its `]`), or -1 when it is not a list of strings ending before `end` or was
 * stopped.
 */
function eachString(
  column: Buffer,
  at: number,
  end: number,
  each: (from: number, to: number) => boolean,
): number {
  if (column[at] === CLOSE) return at + 1;
  if (column[at] !== QUOTE) return -1;
  for (;;) {
    const q = column.indexOf(QUOTE, at + 1);
    if (q < 0 || q >= end || !each(at + 1, q)) return -1;
    if (column[q + 1] === COMMA && column[q + 2] === QUOTE) {
      at = q + 2;
      continue;
    }
    return column[q + 1] === CLOSE ? q + 2 : -1;
  }
}

/**
 * Copies the strings of the JSON list at `c.at` into `out`, each as its joins and its stored bytes
 * (the column holds no backslash before `end`, so each quote after an opening one closes it);
 * false when the list is not one of strings ending before `end`, or the ids pass `limit`.
 */
function copyList(
  column: Buffer,
  end: number,
  c: Cursor,
  out: Buffer,
  j: Joins,
  limit: number,
): boolean {
  let p = c.to;
  let first = true;
  const after = eachString(column, c.at, end, (from, to) => {
    p += (first ? (c.count === 0 ? j.open : j.openAfter) : j.between).copy(out, p);
    first = false;
    p += column.copy(out, p, from, to);
    c.count += 1;
    return c.count <= limit;
  });
  if (after < 0) return false;
  if (!first) {
    out[p] = QUOTE;
    c.to = p + 1;
  }
  c.at = after;
  return true;
}

/** The length of the JSON integer at `from` when it is written as `${n}` writes it; else 0. */
function integerLength(column: Buffer, from: number, end: number): number {
  let i = from;
  while (i < end && column[i]! >= ZERO && column[i]! <= NINE) i += 1;
  if (i === from || i - from > 21) return 0;
  const digits = column.toString('latin1', from, i);
  return String(Number(digits)) === digits ? i - from : 0;
}

/**
 * The ids of a stored evidence column (at most `limit`) as the items of a JSON array: each id's
 * JSON text, with `separator` between two (`"a",<separator>"b"`), written into `out.bytes` from
 * its start (a larger buffer is put there when it is too small). Returns their length in bytes and
 * how many ids they are; null when the column is not in the plain form (see above), which the
 * caller then parses as text.
 */
export function storedEvidenceItems(
  column: Buffer,
  limit: number,
  separator: Uint8Array,
  out: { bytes: Buffer },
): { length: number; count: number } | null {
  const places = placesAt(column);
  // The evidence ends before its places, else before the column's last `]`.
  const end = places >= 0 ? places : column.length - 1;
  if (end < 1 || column[0] !== OPEN) return null;
  if (places < 0 && column[end] !== CLOSE) return null;
  if (!noEscapes(column, 1, end) || !isUtf8(column.subarray(0, end))) return null;
  const digits = integerLength(column, 1, end);
  // At most one id per three bytes (`"",`), each with its joins.
  const bound = end + (Math.floor(end / 3) + 2) * (separator.length + digits + 8);
  if (out.bytes.length < bound)
    out.bytes = Buffer.allocUnsafe(Math.max(bound, out.bytes.length * 2));
  const bytes = out.bytes;
  const c: Cursor = { at: 1, to: 0, count: 0 };
  if (digits === 0) {
    // Full ids: one list, the whole column.
    if (places >= 0 || !copyList(column, end, c, bytes, joins('', separator), limit)) return null;
    return c.at === column.length ? { length: c.to, count: c.count } : null;
  }
  // Lean evidence: `[device,[keys],[extra ids]`, then `]` or the places.
  c.at = 1 + digits;
  if (column[c.at] !== COMMA || column[c.at + 1] !== OPEN) return null;
  c.at += 2;
  const keys = joins(`s:${column.toString('latin1', 1, 1 + digits)}:`, separator);
  if (!copyList(column, end, c, bytes, keys, limit)) return null;
  if (column[c.at] !== COMMA || column[c.at + 1] !== OPEN) return null;
  c.at += 2;
  if (!copyList(column, end, c, bytes, joins('', separator), limit)) return null;
  return c.at === end ? { length: c.to, count: c.count } : null;
}

/** The ids of a lean stored evidence column, as byte ranges of the column. */
export interface LeanKeys {
  /** `s:<device>:`, the start of every session id, as bytes. */
  prefix: Buffer;
  /** How many ids: the stored keys then the other ids, at most the limit asked for. */
  count: number;
  /** How many of them are session ids (the first ones), each its prefix and its key. */
  sessions: number;
  /** The other ids' text, in order (`count - sessions` of them). */
  extra: string[];
  /**
   * Where each id's stored text (a session's key) begins and ends in the column: views of the
   * scratch `leanEvidenceKeys` was given, as `places` is.
   */
  starts: Int32Array;
  ends: Int32Array;
  /**
   * Where each key's session was read: four 32-bit little-endian numbers a key (begin source and
   * line, end source and line; negative for none), or null when the column's places do not hold
   * one set for every stored key. A view of the scratch `leanEvidenceKeys` was given: valid until
   * it is given again.
   */
  places: Buffer | null;
}

/** Each base64 digit's value by its byte, -1 for any other byte. */
const BASE64_DIGITS = (() => {
  const t = new Int8Array(256).fill(-1);
  const digits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < 64; i += 1) t[digits.charCodeAt(i)] = i;
  return t;
})();

/**
 * The bytes the base64 text `from..to` of `text` encodes, decoded into `into.bytes` (a larger
 * buffer is put there when it is too small) and returned as a view of it, when the text is
 * canonical (groups of four digits, the last padded with `=` as `toString('base64')` writes it,
 * the bits after the last byte zero): the text that encoding the bytes again gives. Null for any
 * other text.
 */
export function base64Bytes(
  text: Uint8Array,
  from: number,
  to: number,
  into: { bytes: Buffer },
): Buffer | null {
  const length = to - from;
  if (length % 4 !== 0) return null;
  const pad = length === 0 ? 0 : text[to - 1] !== 0x3d ? 0 : text[to - 2] !== 0x3d ? 1 : 2;
  const size = (length / 4) * 3 - pad;
  if (into.bytes.length < size)
    into.bytes = Buffer.allocUnsafe(Math.max(size, into.bytes.length * 2));
  const out = into.bytes;
  const d = BASE64_DIGITS;
  let p = 0;
  const whole = to - (pad > 0 ? 4 : 0);
  for (let i = from; i < whole; i += 4) {
    const a = d[text[i]!]!;
    const b = d[text[i + 1]!]!;
    const c = d[text[i + 2]!]!;
    const e = d[text[i + 3]!]!;
    if ((a | b | c | e) < 0) return null;
    const v = (a << 18) | (b << 12) | (c << 6) | e;
    out[p++] = v >>> 16;
    out[p++] = (v >>> 8) & 0xff;
    out[p++] = v & 0xff;
  }
  if (pad > 0) {
    const a = d[text[whole]!]!;
    const b = d[text[whole + 1]!]!;
    const c = pad === 1 ? d[text[whole + 2]!]! : 0;
    if ((a | b | c) < 0) return null;
    const v = (a << 18) | (b << 12) | (c << 6);
    // The bits past the last byte are zero in canonical text.
    if ((pad === 2 ? v & 0xffff : v & 0xff) !== 0) return null;
    out[p++] = v >>> 16;
    if (pad === 1) out[p++] = (v >>> 8) & 0xff;
  }
  return out.subarray(0, p);
}

/** How many commas `from..to` of `bytes` holds. */
function commas(bytes: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = bytes.indexOf(COMMA, from); i >= 0 && i < to; i = bytes.indexOf(COMMA, i + 1))
    n += 1;
  return n;
}

/**
 * Where the ids of lean columns are, reused from one column to the next: each answer of
 * `leanEvidenceKeys` is read from these until they are given again.
 */
export class LeanScratch {
  /** The places, decoded. */
  places = { bytes: Buffer.alloc(0) };
  starts = new Int32Array(256);
  ends = new Int32Array(256);
  count = 0;

  /** Notes where one more id begins and ends. */
  push(start: number, end: number): void {
    if (this.count === this.starts.length) {
      const starts = new Int32Array(this.count * 2);
      const ends = new Int32Array(this.count * 2);
      starts.set(this.starts);
      ends.set(this.ends);
      this.starts = starts;
      this.ends = ends;
    }
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.count += 1;
  }
}

/**
 * Reads the JSON list of strings at `at` (just after its `[`, before `end`), noting in `ids` where
 * each of the first ones (while it holds fewer than `limit`) begins and ends. Each string must be
 * ASCII without a comma, an escape or a control character. Returns how many strings the list
 * holds and where it ends (just after its `]`), or null for a list in any other form.
 */
function plainList(
  column: Buffer,
  at: number,
  end: number,
  ids: LeanScratch,
  limit: number,
): { stored: number; at: number } | null {
  let stored = 0;
  const after = eachString(column, at, end, (from, to) => {
    stored += 1;
    if (ids.count < limit) ids.push(from, to);
    return true;
  });
  if (after < 0) return null;
  if (stored === 0) return { stored, at: after };
  // The strings' only commas are the ones between them.
  const to = after - 1;
  if (!noEscapes(column, at, to) || !isAscii(column.subarray(at, to))) return null;
  return commas(column, at, to) === stored - 1 ? { stored, at: after } : null;
}

/**
 * The ids of a lean stored evidence column (`[device,[keys],[extra ids],"places"]`, the form
 * `JSON.stringify` writes), as byte ranges of the column, when each key and id is ASCII without a
 * comma, an escape or a control character (so each id's JSON text is the id as it is, and a CSV
 * cell holds it unquoted); at most `limit` ids, as `storedEvidenceWithEdges` reads them. Null for
 * any other column (full ids, an id in any other form, no places, text `JSON.stringify` does not
 * write), which the caller then parses.
 */
export function leanEvidenceKeys(
  column: Buffer,
  limit: number,
  scratch = new LeanScratch(),
): LeanKeys | null {
  const placesFrom = placesAt(column);
  // The places are a string of their own: its quotes are not one byte.
  if (placesFrom < 0 || placesFrom + 2 > column.length - 2) return null;
  const digits = integerLength(column, 1, placesFrom);
  if (digits === 0) return null;
  let at = 1 + digits;
  if (column[at] !== COMMA || column[at + 1] !== OPEN) return null;
  scratch.count = 0;
  const keys = plainList(column, at + 2, placesFrom, scratch, limit);
  if (!keys) return null;
  const sessions = scratch.count;
  at = keys.at;
  if (column[at] !== COMMA || column[at + 1] !== OPEN) return null;
  const others = plainList(column, at + 2, placesFrom, scratch, limit);
  if (!others || others.at !== placesFrom) return null;
  const places = base64Bytes(column, placesFrom + 2, column.length - 2, scratch.places);
  if (places === null) return null;
  const { count, starts, ends } = scratch;
  const extra: string[] = [];
  for (let i = sessions; i < count; i += 1)
    extra.push(column.toString('latin1', starts[i]!, ends[i]!));
  return {
    prefix: Buffer.from(`s:${column.toString('latin1', 1, 1 + digits)}:`, 'latin1'),
    count,
    sessions,
    extra,
    starts: starts.subarray(0, count),
    ends: ends.subarray(0, count),
    places: places.length === keys.stored * 16 ? places : null,
  };
}
