import { PlistUid, isPlistDict, type PlistDict, type PlistValue } from './types';

// Narrowing helpers for untyped plists. Each takes `undefined` too, because a dict lookup
// under noUncheckedIndexedAccess yields it: `asString(asDict(v)?.['Name'])`.

/** The value as a dict, or null when it is anything else. */
export function asDict(value: PlistValue | undefined): PlistDict | null {
  return isPlistDict(value) ? value : null;
}

/** The value as an array (sets included), or null when it is anything else. */
export function asArray(value: PlistValue | undefined): PlistValue[] | null {
  return Array.isArray(value) ? value : null;
}

/** The value as a string, or null when it is anything else. */
export function asString(value: PlistValue | undefined): string | null {
  return typeof value === 'string' ? value : null;
}

/** The value as a number (integer or real, or a bigint within the safe range), else null. */
export function asNumber(value: PlistValue | undefined): number | null {
  if (typeof value === 'number') return value;
  if (
    typeof value === 'bigint' &&
    value >= BigInt(Number.MIN_SAFE_INTEGER) &&
    value <= BigInt(Number.MAX_SAFE_INTEGER)
  ) {
    return Number(value);
  }
  return null;
}

/** The value as a boolean, or null when it is anything else. */
export function asBool(value: PlistValue | undefined): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

/** The value as bytes, or null when it is anything else. */
export function asData(value: PlistValue | undefined): Uint8Array | null {
  return value instanceof Uint8Array ? value : null;
}

/** The value as a valid Date, or null when it is anything else. */
export function asDate(value: PlistValue | undefined): Date | null {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value : null;
}

/** The value as a UID, or null when it is anything else. */
export function asUid(value: PlistValue | undefined): PlistUid | null {
  return value instanceof PlistUid ? value : null;
}
