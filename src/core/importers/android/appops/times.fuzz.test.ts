import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzOptions } from '../../../testing/fuzz';
import { parseLocalTimeAt } from './times';

/** The time as a `Date` round trip reads it: null when the day does not survive (31 April). */
function byDate(year: number, month: number, day: number, rest: number[]): number | null {
  const [hour, minute, second, ms] = rest as [number, number, number, number];
  const wallMs = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  return new Date(wallMs).getUTCDate() === day ? wallMs : null;
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

describe('parseLocalTimeAt', () => {
  it('accepts and rejects every day of every month as a Date round trip does', () => {
    fc.assert(
      fc.property(
        // Years 0-99 (read by Date.UTC as 1900-1999), century years and any other.
        fc.oneof(
          fc.integer({ min: 0, max: 120 }),
          fc.constantFrom(1600, 1900, 2000, 2100),
          fc.integer({ min: 0, max: 9999 }),
        ),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        fc.tuple(
          fc.integer({ min: 0, max: 23 }),
          fc.integer({ min: 0, max: 59 }),
          fc.integer({ min: 0, max: 59 }),
          fc.integer({ min: 0, max: 999 }),
        ),
        fc.string({ maxLength: 3 }),
        (year, month, day, rest, before) => {
          const [h, mi, s, ms] = rest;
          const text = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)} ${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(ms, 3)}`;
          const parsed = parseLocalTimeAt(`${before}${text} (x)`, before.length);
          const expected = byDate(year, month, day, rest);
          expect(parsed?.wallMs ?? null).toBe(expected);
          if (parsed) expect(parsed.text).toBe(text);
        },
      ),
      fuzzOptions(300),
    );
  });

  it('rejects the 29th of February of years that are not leap years, the year 0 read as 1900 too', () => {
    expect(parseLocalTimeAt('2023-02-29 00:00:00.000', 0)).toBeNull();
    expect(parseLocalTimeAt('1900-02-29 00:00:00.000', 0)).toBeNull();
    expect(parseLocalTimeAt('0000-02-29 00:00:00.000', 0)).toBeNull();
    expect(parseLocalTimeAt('2000-02-29 00:00:00.000', 0)?.wallMs).toBe(Date.UTC(2000, 1, 29));
    expect(parseLocalTimeAt('2024-04-31 00:00:00.000', 0)).toBeNull();
    expect(parseLocalTimeAt('2024-04-30 23:59:59.999', 0)?.text).toBe('2024-04-30 23:59:59.999');
  });
});
