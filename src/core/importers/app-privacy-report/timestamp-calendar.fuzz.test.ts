import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIsoWithOffset } from '../../../contract/time';
import { fuzzOptions } from '../../testing/fuzz';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** The instant a calendar reading gives, worked out with a Date (null when the day rolls over). */
function byDate(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number) {
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  return date.getUTCFullYear() === y && date.getUTCDate() === d ? date.getTime() : null;
}

describe('parseIsoWithOffset calendar (property)', () => {
  it('takes a day only when its month has it, and places it as a Date does', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 999 }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        fc.boolean(),
        (y, mo, d, h, mi, s, ms, offset, release) => {
          const off = `${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
          // The release layout (read by position) and a layout the expression reads.
          const text = release
            ? `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}.${pad(ms, 3)}${off}`
            : `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}.${pad(ms, 3)}000${off}`;
          const base = byDate(y, mo, d, h, mi, s, ms);
          const got = parseIsoWithOffset(text);
          if (base === null) expect(got).toBeNull();
          else expect(got).toEqual({ ms: base - offset * 60_000, offsetMin: offset });
        },
      ),
      fuzzOptions(500),
    );
  });

  it('knows the last day of every month, leap years included', () => {
    for (const [text, ok] of [
      ['2024-02-29T00:00:00.000Z', true],
      ['2023-02-29T00:00:00.000Z', false],
      ['1900-02-29T00:00:00.000Z', false],
      ['2000-02-29T00:00:00.000Z', true],
      ['2023-04-31T00:00:00.000Z', false],
      ['2023-12-31T23:59:59.999+14:00', true],
      ['0100-02-29T00:00:00.000Z', false],
      ['0096-02-29T00:00:00.000Z', true],
    ] as const)
      expect(parseIsoWithOffset(text) !== null).toBe(ok);
  });
});
