import { describe, expect, it } from 'vitest';
import { isIanaTimeZone } from '../../../contract/time';
import { formatWallMs, isEpochZeroInZone, parseLocalTime, zonedInstant } from './local-time';

const wall = (text: string): number => {
  const t = parseLocalTime(text);
  if (!t) throw new Error(`bad test time ${text}`);
  return t.wallMs;
};
const iso = (ms: number) => new Date(ms).toISOString();

describe('parseLocalTime', () => {
  it('reads seconds and milliseconds as UTC fields', () => {
    expect(parseLocalTime('2025-06-18 07:41:07')).toEqual({
      text: '2025-06-18 07:41:07',
      wallMs: Date.UTC(2025, 5, 18, 7, 41, 7),
    });
    expect(parseLocalTime('2025-06-18 07:41:07.412')?.wallMs).toBe(
      Date.UTC(2025, 5, 18, 7, 41, 7, 412),
    );
    expect(parseLocalTime('2025-06-18 07:41:07.4')?.wallMs).toBe(
      Date.UTC(2025, 5, 18, 7, 41, 7, 400),
    );
  });

  it('checks every field, including leap days', () => {
    expect(parseLocalTime('2024-02-29 23:59:59')?.wallMs).toBe(Date.UTC(2024, 1, 29, 23, 59, 59));
    expect(parseLocalTime('2023-02-29 00:00:00')).toBeNull();
    expect(parseLocalTime('1900-02-29 00:00:00')).toBeNull();
    expect(parseLocalTime('2000-02-29 00:00:00')).not.toBeNull();
    expect(parseLocalTime('2025-04-31 00:00:00')).toBeNull();
    expect(parseLocalTime('2025-13-01 00:00:00')).toBeNull();
    expect(parseLocalTime('2025-00-01 00:00:00')).toBeNull();
    expect(parseLocalTime('2025-06-00 00:00:00')).toBeNull();
    expect(parseLocalTime('2025-06-18 24:00:00')).toBeNull();
    expect(parseLocalTime('2025-06-18 23:60:00')).toBeNull();
    expect(parseLocalTime('2025-06-18 23:59:60')).toBeNull();
  });

  it('refuses other shapes, such as locale-formatted times', () => {
    expect(parseLocalTime('4/4/2017 22:46')).toBeNull();
    expect(parseLocalTime('2025-06-18T07:41:07')).toBeNull();
    expect(parseLocalTime('2025-06-18 07:41')).toBeNull();
    expect(parseLocalTime(' 2025-06-18 07:41:07')).toBeNull();
    expect(parseLocalTime('2025-06-18 07:41:07.1234')).toBeNull();
    expect(parseLocalTime('')).toBeNull();
  });

  it('keeps years below 100 as written', () => {
    expect(new Date(wall('0050-03-01 00:00:00')).getUTCFullYear()).toBe(50);
  });

  it('formats back', () => {
    expect(formatWallMs(wall('2025-06-18 07:41:07.412'))).toBe('2025-06-18 07:41:07.412');
    expect(formatWallMs(wall('2025-06-18 07:41:07'))).toBe('2025-06-18 07:41:07');
  });
});

describe('zonedInstant', () => {
  it('reads an ordinary summer time in Lisbon (UTC+1), Zurich (UTC+2) and Shanghai (UTC+8)', () => {
    const w = wall('2025-06-18 07:41:07.412');
    expect(zonedInstant(w, 'Europe/Lisbon')).toEqual({
      ms: Date.UTC(2025, 5, 18, 6, 41, 7, 412),
      offsetMin: 60,
      ambiguous: false,
      skipped: false,
    });
    expect(zonedInstant(w, 'Europe/Zurich').offsetMin).toBe(120);
    expect(iso(zonedInstant(w, 'Europe/Zurich').ms)).toBe('2025-06-18T05:41:07.412Z');
    expect(zonedInstant(w, 'Asia/Shanghai')).toMatchObject({ offsetMin: 480, skipped: false });
    expect(iso(zonedInstant(w, 'Asia/Shanghai').ms)).toBe('2025-06-17T23:41:07.412Z');
    expect(zonedInstant(w, 'UTC')).toEqual({
      ms: w,
      offsetMin: 0,
      ambiguous: false,
      skipped: false,
    });
  });

  it('reads winter times with the standard offset', () => {
    expect(zonedInstant(wall('2025-01-15 12:00:00'), 'Europe/Lisbon').offsetMin).toBe(0);
    expect(zonedInstant(wall('2025-01-15 12:00:00'), 'Europe/Zurich').offsetMin).toBe(60);
    expect(zonedInstant(wall('2025-01-15 12:00:00'), 'America/New_York')).toEqual({
      ms: Date.UTC(2025, 0, 15, 17, 0, 0),
      offsetMin: -300,
      ambiguous: false,
      skipped: false,
    });
  });

  it('shifts a skipped spring-forward time forward by the gap (New York 2025-03-09 02:30)', () => {
    const r = zonedInstant(wall('2025-03-09 02:30:00'), 'America/New_York');
    // Read at EST (−5): 07:30Z, which the clock shows as 03:30 EDT.
    expect(r).toEqual({
      ms: Date.UTC(2025, 2, 9, 7, 30),
      offsetMin: -240,
      ambiguous: false,
      skipped: true,
    });
    // The last minute before the gap and the first after it are ordinary.
    expect(zonedInstant(wall('2025-03-09 01:59:59'), 'America/New_York')).toMatchObject({
      ms: Date.UTC(2025, 2, 9, 6, 59, 59),
      offsetMin: -300,
      skipped: false,
    });
    expect(zonedInstant(wall('2025-03-09 03:00:00'), 'America/New_York')).toMatchObject({
      ms: Date.UTC(2025, 2, 9, 7, 0),
      offsetMin: -240,
      skipped: false,
    });
  });

  it('takes the earlier instant of a repeated fall-back time (New York 2025-11-02 01:30)', () => {
    expect(zonedInstant(wall('2025-11-02 01:30:00'), 'America/New_York')).toEqual({
      ms: Date.UTC(2025, 10, 2, 5, 30),
      offsetMin: -240,
      ambiguous: true,
      skipped: false,
    });
    expect(zonedInstant(wall('2025-11-02 02:00:00'), 'America/New_York')).toEqual({
      ms: Date.UTC(2025, 10, 2, 7, 0),
      offsetMin: -300,
      ambiguous: false,
      skipped: false,
    });
  });

  it('handles the European transitions in Lisbon (01:00 UTC) and Zurich', () => {
    expect(zonedInstant(wall('2025-03-30 01:30:00'), 'Europe/Lisbon')).toEqual({
      ms: Date.UTC(2025, 2, 30, 1, 30),
      offsetMin: 60,
      ambiguous: false,
      skipped: true,
    });
    expect(zonedInstant(wall('2025-10-26 01:30:00'), 'Europe/Lisbon')).toEqual({
      ms: Date.UTC(2025, 9, 26, 0, 30),
      offsetMin: 60,
      ambiguous: true,
      skipped: false,
    });
    expect(zonedInstant(wall('2025-03-30 02:15:00'), 'Europe/Zurich')).toEqual({
      ms: Date.UTC(2025, 2, 30, 1, 15),
      offsetMin: 120,
      ambiguous: false,
      skipped: true,
    });
    expect(zonedInstant(wall('2025-10-26 02:15:00'), 'Europe/Zurich')).toEqual({
      ms: Date.UTC(2025, 9, 26, 0, 15),
      offsetMin: 120,
      ambiguous: true,
      skipped: false,
    });
  });

  it('knows that Shanghai and UTC have no transitions', () => {
    for (const w of ['2025-03-09 02:30:00', '2025-10-26 01:30:00', '2025-11-02 01:30:00']) {
      expect(zonedInstant(wall(w), 'Asia/Shanghai')).toMatchObject({
        offsetMin: 480,
        ambiguous: false,
        skipped: false,
      });
      expect(zonedInstant(wall(w), 'UTC')).toMatchObject({ ms: wall(w), ambiguous: false });
    }
  });

  it('uses historic rules: Lisbon was UTC+1 in 1970', () => {
    expect(zonedInstant(wall('1970-01-01 01:00:00'), 'Europe/Lisbon')).toMatchObject({
      ms: 0,
      offsetMin: 60,
    });
  });

  it('refuses an unknown zone', () => {
    expect(() => zonedInstant(0, 'Mars/Olympus')).toThrow(RangeError);
    expect(() => zonedInstant(0, '+01:00')).toThrow(/Unknown time zone/);
  });
});

describe('isIanaTimeZone', () => {
  it('accepts IANA names and refuses the rest', () => {
    expect(isIanaTimeZone('Europe/Lisbon')).toBe(true);
    expect(isIanaTimeZone('UTC')).toBe(true);
    expect(isIanaTimeZone('America/Argentina/Buenos_Aires')).toBe(true);
    expect(isIanaTimeZone('Etc/GMT+3')).toBe(true);
    expect(isIanaTimeZone('Mars/Olympus')).toBe(false);
    expect(isIanaTimeZone('+01:00')).toBe(false);
    expect(isIanaTimeZone('')).toBe(false);
  });
});

describe('isEpochZeroInZone', () => {
  const t = (text: string) => {
    const v = parseLocalTime(text);
    if (!v) throw new Error(text);
    return v;
  };

  it('recognises the epoch printed in the device zone', () => {
    expect(isEpochZeroInZone(t('1970-01-01 01:00:00'), 'Europe/Lisbon')).toBe(true);
    expect(isEpochZeroInZone(t('1970-01-01 01:00:00'), 'Europe/Zurich')).toBe(true);
    expect(isEpochZeroInZone(t('1970-01-01 08:00:00'), 'Asia/Shanghai')).toBe(true);
    expect(isEpochZeroInZone(t('1969-12-31 19:00:00'), 'America/New_York')).toBe(true);
    expect(isEpochZeroInZone(t('1970-01-01 00:00:00'), 'UTC')).toBe(true);
  });

  it('does not take the epoch of another zone, or a real time, for "never"', () => {
    expect(isEpochZeroInZone(t('1970-01-01 01:00:00'), 'UTC')).toBe(false);
    expect(isEpochZeroInZone(t('1970-01-01 00:00:00'), 'Europe/Lisbon')).toBe(false);
    expect(isEpochZeroInZone(t('1970-01-01 01:00:01'), 'Europe/Lisbon')).toBe(false);
    expect(isEpochZeroInZone(t('2025-06-18 01:00:00'), 'Europe/Lisbon')).toBe(false);
  });

  it('without a zone, accepts the epoch as printed in any zone', () => {
    expect(isEpochZeroInZone(t('1970-01-01 01:00:00'), null)).toBe(true);
    expect(isEpochZeroInZone(t('1969-12-31 19:00:00'), null)).toBe(true);
    expect(isEpochZeroInZone(t('1970-01-01 05:30:00'), null)).toBe(true);
    expect(isEpochZeroInZone(t('1970-01-01 01:00:01'), null)).toBe(false);
    expect(isEpochZeroInZone(t('2025-06-18 01:00:00'), null)).toBe(false);
    expect(isEpochZeroInZone(t('1970-01-01 01:00:00'), 'Not/AZone')).toBe(true);
  });
});
