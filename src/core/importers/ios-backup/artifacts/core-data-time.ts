import { APPLE_EPOCH_SECONDS } from '../../../formats/plist';

/** Milliseconds between the Unix epoch and Core Data's reference date, 2001-01-01T00:00:00Z. */
export const CORE_DATA_EPOCH_MS = APPLE_EPOCH_SECONDS * 1000;

/** Earliest accepted instant by default: the reference date itself (iOS predates nothing earlier). */
export const DEFAULT_MIN_MS = CORE_DATA_EPOCH_MS;

/** Latest accepted instant by default: 2050-01-01T00:00:00Z. */
export const DEFAULT_MAX_MS = Date.UTC(2050, 0, 1);

/** Bounds, in epoch ms, outside which a converted time is refused as implausible. */
export interface CoreDataTimeBounds {
  minMs?: number;
  maxMs?: number;
}

/** A converted Core Data time: `ms` null when the column held no time (null or 0). */
export type CoreDataTimeResult = { ok: true; ms: number | null } | { ok: false; reason: string };

/**
 * Converts a Core Data / Cocoa time (seconds since 2001-01-01 UTC, possibly fractional) to epoch ms.
 * Null, undefined and 0 mean "no time" (Core Data's unset value); NaN, infinities, non-numbers
 * and instants outside the bounds are refused with a reason. The result is rounded to whole ms.
 */
export function parseCoreDataTime(
  value: unknown,
  bounds: CoreDataTimeBounds = {},
): CoreDataTimeResult {
  if (value === null || value === undefined) return { ok: true, ms: null };
  let seconds: number;
  if (typeof value === 'number') seconds = value;
  else if (typeof value === 'bigint') seconds = Number(value);
  else return { ok: false, reason: `not a number (${typeof value})` };
  if (!Number.isFinite(seconds)) return { ok: false, reason: `not a finite number (${seconds})` };
  if (seconds === 0) return { ok: true, ms: null };
  const ms = Math.round(CORE_DATA_EPOCH_MS + seconds * 1000);
  const min = bounds.minMs ?? DEFAULT_MIN_MS;
  const max = bounds.maxMs ?? DEFAULT_MAX_MS;
  if (ms < min || ms >= max) {
    // Unix seconds stored by mistake land ~31 years late; say so, since it is the usual cause.
    const asUnix = seconds * 1000;
    const hint = asUnix >= min && asUnix < max ? '; it would be plausible as Unix seconds' : '';
    return {
      ok: false,
      reason: `${seconds} s after 2001-01-01 is ${describeInstant(ms)}, outside ${describeInstant(min)} … ${describeInstant(max)}${hint}`,
    };
  }
  return { ok: true, ms };
}

/** Like `parseCoreDataTime`, but null for both "no time" and a refused value. */
export function coreDataTimeToMs(value: unknown, bounds: CoreDataTimeBounds = {}): number | null {
  const r = parseCoreDataTime(value, bounds);
  return r.ok ? r.ms : null;
}

/** Whether epoch ms lie within the bounds (defaults as for Core Data times). */
export function isPlausibleEpochMs(ms: number, bounds: CoreDataTimeBounds = {}): boolean {
  return (
    Number.isFinite(ms) &&
    ms >= (bounds.minMs ?? DEFAULT_MIN_MS) &&
    ms < (bounds.maxMs ?? DEFAULT_MAX_MS)
  );
}

function describeInstant(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? `${ms} ms` : d.toISOString();
}
