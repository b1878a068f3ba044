import { describe, expect, it } from 'vitest';
import { inDayWindow, parseDayWindow } from './filter';
import { formatInstant, localDayNumber, localMinuteOfDay, parseIsoWithOffset } from './time';

describe('parseIsoWithOffset', () => {
  it('reads the release format with milliseconds and an offset', () => {
    const r = parseIsoWithOffset('2022-04-27T10:53:24.555-04:00');
    expect(r).toEqual({ ms: Date.UTC(2022, 3, 27, 14, 53, 24, 555), offsetMin: -240 });
  });
  it('reads Z and 0 to 9 fractional digits', () => {
    expect(parseIsoWithOffset('2021-06-21T17:03:07Z')).toEqual({
      ms: Date.UTC(2021, 5, 21, 17, 3, 7),
      offsetMin: 0,
    });
    expect(parseIsoWithOffset('2021-06-21T17:03:07.1Z')?.ms).toBe(
      Date.UTC(2021, 5, 21, 17, 3, 7, 100),
    );
    expect(parseIsoWithOffset('2021-06-21T17:03:07.123456789+05:30')).toEqual({
      ms: Date.UTC(2021, 5, 21, 11, 33, 7, 123),
      offsetMin: 330,
    });
  });
  it('rejects impossible dates, missing zones and garbage', () => {
    expect(parseIsoWithOffset('2021-02-31T10:00:00Z')).toBeNull();
    expect(parseIsoWithOffset('2021-06-21T17:03:07')).toBeNull();
    expect(parseIsoWithOffset('2021-06-21T25:03:07Z')).toBeNull();
    expect(parseIsoWithOffset('yesterday')).toBeNull();
  });
  it('keeps years 0000-0099 as written instead of reading them as 1900-1999', () => {
    for (const t of ['0050-03-01T10:00:00Z', '0050-03-01T10:00:00.000+00:00']) {
      const r = parseIsoWithOffset(t);
      expect(r).not.toBeNull();
      expect(new Date(r?.ms ?? 0).getUTCFullYear()).toBe(50);
    }
    expect(parseIsoWithOffset('0000-01-01T00:00:00Z')?.ms).toBe(
      Date.UTC(2000, 0, 1) - 730485 * 86_400_000,
    );
    expect(parseIsoWithOffset('0001-02-29T00:00:00Z')).toBeNull();
  });
  it('refuses second 60 and offsets past 14:00 on both layouts', () => {
    for (const t of [
      '2022-04-27T10:53:60Z',
      '2022-04-27T10:53:60.000-04:00',
      '2022-04-27T10:53:24+14:30',
      '2022-04-27T10:53:24.555+14:59',
      '2022-04-27T10:53:24.555-14:01',
    ])
      expect(parseIsoWithOffset(t)).toBeNull();
    expect(parseIsoWithOffset('2022-04-27T10:53:24.555-14:00')?.offsetMin).toBe(-840);
  });
});

describe('formatInstant and local time', () => {
  it('formats in the recorded offset', () => {
    const ms = Date.UTC(2024, 2, 31, 0, 30, 0, 7);
    expect(formatInstant(ms, 120)).toBe('2024-03-31T02:30:00.007+02:00');
    expect(formatInstant(ms, -210)).toBe('2024-03-30T21:00:00.007-03:30');
  });
  it('computes device-local minute of day and day number from the offset at the instant', () => {
    const ms = Date.UTC(2024, 2, 30, 23, 30);
    expect(localMinuteOfDay(ms, 60)).toBe(30);
    expect(localDayNumber(ms, 60)).toBe(localDayNumber(Date.UTC(2024, 2, 31, 12), 0));
    expect(localMinuteOfDay(ms, -300)).toBe(18 * 60 + 30);
  });
});

describe('day windows', () => {
  it('is start-inclusive, end-exclusive and wraps past midnight', () => {
    const night = parseDayWindow('22:00-06:00')!;
    expect(inDayWindow(22 * 60, night)).toBe(true);
    expect(inDayWindow(5 * 60 + 59, night)).toBe(true);
    expect(inDayWindow(6 * 60, night)).toBe(false);
    expect(inDayWindow(12 * 60, night)).toBe(false);
    const early = parseDayWindow('00:00-06:00')!;
    expect(inDayWindow(0, early)).toBe(true);
    expect(inDayWindow(360, early)).toBe(false);
    expect(parseDayWindow('25:00-06:00')).toBeNull();
  });
});

describe('parseIsoWithOffset fast path', () => {
  it('agrees with the general reader on the release layout and rejects near misses', () => {
    for (const t of [
      '2022-04-27T10:53:24.555-04:00',
      '2024-03-31T02:30:00.007+02:00',
      '2021-01-01T00:00:00.000+14:00',
      '2021-12-31T23:59:59.999-12:00',
    ]) {
      const r = parseIsoWithOffset(t);
      const general = parseIsoWithOffset(t.replace(/\.(\d{3})/, '.$10'));
      expect(r).toEqual(general);
    }
    for (const t of [
      '2022-02-30T10:53:24.555-04:00',
      '2022-04-27T24:00:00.000+00:00',
      '2022-04-27T10:53:24.555*04:00',
      '2022-04-2710:53:24.5555-04:00',
      '2022-04-27T10:53:24.555+15:00',
    ]) {
      expect(parseIsoWithOffset(t)).toBeNull();
    }
  });
});
