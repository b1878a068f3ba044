import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzOptions } from '../../testing/fuzz';
import { dosStamp, dosStampText } from './dos-time';

const text = (at: Date): string | null => {
  const { date, time } = dosStamp(at);
  return dosStampText(date, time);
};

describe('DOS entry times', () => {
  it('are the instant in UTC, to the two seconds below it, whatever the machine zone', () => {
    expect(text(new Date('2026-12-06T23:59:59.999Z'))).toBe('2026-12-06 23:59:58');
    expect(text(new Date('2024-02-29T00:00:01Z'))).toBe('2024-02-29 00:00:00');
  });

  it('clamp instants the fields cannot hold to the nearest end, and never overflow a field', () => {
    expect(text(new Date('1970-01-01T00:00:00Z'))).toBe('1980-01-01 00:00:00');
    expect(text(new Date(Number.NaN))).toBe('1980-01-01 00:00:00');
    expect(text(new Date('2200-06-01T12:00:00Z'))).toBe('2107-12-31 23:59:58');
    expect(text(new Date(8.64e15))).toBe('2107-12-31 23:59:58');
  });

  it('refuse fields that name no day: month 0 or 13, February 30, hour 24', () => {
    expect(dosStampText(0, 0)).toBeNull();
    expect(dosStampText((46 << 9) | (0 << 5) | 1, 0)).toBeNull();
    expect(dosStampText((46 << 9) | (13 << 5) | 1, 0)).toBeNull();
    expect(dosStampText((46 << 9) | (2 << 5) | 30, 0)).toBeNull();
    expect(dosStampText((46 << 9) | (2 << 5) | 1, 24 << 11)).toBeNull();
  });

  it('read back as the instant for every instant, clamped and cut to two seconds', () => {
    const lo = Date.UTC(1980, 0, 1);
    const hi = Date.UTC(2107, 11, 31, 23, 59, 58);
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => {
        const { date, time } = dosStamp(new Date(ms));
        expect(date).toBeGreaterThanOrEqual(0);
        expect(date).toBeLessThanOrEqual(0xffff);
        expect(time).toBeLessThanOrEqual(0xffff);
        const clamped = Math.min(hi, Math.max(lo, ms));
        const cut = new Date(clamped - (clamped % 2000));
        expect(dosStampText(date, time)).toBe(cut.toISOString().slice(0, 19).replace('T', ' '));
      }),
      fuzzOptions(300),
    );
  });
});
