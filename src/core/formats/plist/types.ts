/** A reference into an NSKeyedArchiver `$objects` array (binary marker 0x8, XML `CF$UID` dict). */
export class PlistUid {
  constructor(readonly value: number) {}
}

/**
 * A parsed property-list value. Dicts have no prototype (a key such as `__proto__` or
 * `constructor` is plain data), and parsers may return the same object for repeated references.
 */
export type PlistValue =
  | string
  | number
  | bigint
  | boolean
  | Date
  | Uint8Array
  | PlistUid
  | PlistValue[]
  | PlistDict
  | null;

/** A plist dictionary: string keys, any values. */
export type PlistDict = { [key: string]: PlistValue };

/** Where in the input a problem was found. */
export interface PlistErrorLocation {
  /** Byte offset in a binary plist. */
  offset?: number;
  /** 1-based line in an XML plist. */
  line?: number;
}

/** Malformed or unsupported property-list input; the message names the byte offset or line. */
export class PlistError extends Error {
  readonly offset: number | null;
  readonly line: number | null;

  constructor(message: string, where: PlistErrorLocation = {}) {
    const suffix =
      where.offset !== undefined
        ? ` (at byte ${where.offset})`
        : where.line !== undefined
          ? ` (line ${where.line})`
          : '';
    super(message + suffix);
    this.name = 'PlistError';
    this.offset = where.offset ?? null;
    this.line = where.line ?? null;
  }
}

/** Seconds between the Unix epoch and Apple's reference date, 2001-01-01T00:00:00Z. */
export const APPLE_EPOCH_SECONDS = 978_307_200;

/**
 * Epoch milliseconds of a plist date (seconds since 2001-01-01): the millisecond it falls in, as
 * other tools show sub-millisecond times. A value within the double's own rounding error of a
 * whole millisecond is that millisecond: a date written on one must not read back as the one before.
 */
export function appleDateMs(seconds: number): number {
  const ms = APPLE_EPOCH_SECONDS * 1000 + seconds * 1000;
  const whole = Math.round(ms);
  // A few units in the last place of the seconds value, in milliseconds.
  const slack = Math.abs(seconds) * 2 ** -52 * 1000 * 4 + 1e-6;
  return Math.abs(ms - whole) <= slack ? whole : Math.floor(ms);
}

/** How deep containers may nest before a parser refuses the input. */
export const MAX_PLIST_DEPTH = 512;

/** An empty dictionary without a prototype, so any key is plain data. */
export function createDict(): PlistDict {
  return Object.create(null) as PlistDict;
}

/** Whether a value is a plist dictionary (not an array, Date, Uint8Array or PlistUid). */
export function isPlistDict(value: PlistValue | undefined): value is PlistDict {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    !(value instanceof Uint8Array) &&
    !(value instanceof PlistUid)
  );
}

/** A short name for a value's plist type, for error messages. */
export function describePlistType(value: PlistValue | undefined): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a real';
  if (typeof value === 'bigint') return 'an integer';
  if (typeof value === 'boolean') return 'a boolean';
  if (value instanceof Date) return 'a date';
  if (value instanceof Uint8Array) return 'data';
  if (value instanceof PlistUid) return 'a UID';
  if (Array.isArray(value)) return 'an array';
  return 'a dict';
}
