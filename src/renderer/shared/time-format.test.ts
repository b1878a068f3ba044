import { scaleUtc } from 'd3';
import { describe, expect, it } from 'vitest';
import {
  axisTickFormat,
  clockTextValid,
  formatAxisTick,
  formatClock,
  formatDayNumber,
  formatHourRange,
  formatTimeOfDay,
  parseClock,
  parseIsoDate,
} from './time-format';

const H = 3_600_000;
const D = 24 * H;
/** A wall-clock date: UTC fields read as the device's clock. */
const at = (y: number, mo: number, d: number, h = 0, m = 0, s = 0, ms = 0): Date =>
  new Date(Date.UTC(y, mo - 1, d, h, m, s, ms));

describe('axis ticks on a 24-hour clock', () => {
  it('label hours and minutes as HH:MM, never 12-hour', () => {
    expect(formatAxisTick(at(2024, 5, 14, 0, 0), H)).toBe('Tue 14 May 00:00');
    expect(formatAxisTick(at(2024, 5, 14, 2, 15), 15 * 60_000)).toBe('02:15');
    expect(formatAxisTick(at(2024, 5, 14, 12, 0), H)).toBe('12:00');
    expect(formatAxisTick(at(2024, 5, 14, 14, 15), 15 * 60_000)).toBe('14:15');
    expect(formatAxisTick(at(2024, 5, 14, 14, 0), 3 * H)).toBe('14:00');
    expect(formatAxisTick(at(2024, 5, 14, 23, 59), 60_000)).toBe('23:59');
  });

  it('label seconds and milliseconds when the step is that fine', () => {
    expect(formatAxisTick(at(2024, 5, 14, 14, 15, 30), 5000)).toBe('14:15:30');
    expect(formatAxisTick(at(2024, 5, 14, 14, 16, 0), 5000)).toBe('14:16:00');
    expect(formatAxisTick(at(2024, 5, 14, 23, 59, 59, 250), 50)).toBe('23:59:59.250');
  });

  it('label days, months and years by the step', () => {
    expect(formatAxisTick(at(2024, 5, 14), D)).toBe('Tue 14 May');
    expect(formatAxisTick(at(2024, 5, 1), 7 * D)).toBe('Wed 1 May');
    expect(formatAxisTick(at(2024, 5, 1), 30 * D)).toBe('May 2024');
    expect(formatAxisTick(at(2025, 1, 1), 90 * D)).toBe('Jan 2025');
    expect(formatAxisTick(at(2025, 1, 1), 366 * D)).toBe('2025');
  });

  it('take the step from the ticks themselves', () => {
    const hours = [at(2024, 5, 13, 22), at(2024, 5, 14, 0), at(2024, 5, 14, 2)];
    const f = axisTickFormat(hours);
    expect(hours.map(f)).toEqual(['22:00', 'Tue 14 May 00:00', '02:00']);
    const days = [at(2024, 5, 13), at(2024, 5, 14)];
    expect(days.map(axisTickFormat(days))).toEqual(['Mon 13 May', 'Tue 14 May']);
    expect(axisTickFormat([at(2024, 5, 14)])(at(2024, 5, 14))).toBe('Tue 14 May');
  });

  it('tell 02:15 from 14:15 on every tick d3 places over a night, a day, a week and a year', () => {
    const spans = [
      [at(2024, 5, 14, 0), at(2024, 5, 14, 6)],
      [at(2024, 5, 14, 13, 50), at(2024, 5, 14, 14, 40)],
      [at(2024, 5, 14), at(2024, 5, 15)],
      [at(2024, 5, 10), at(2024, 5, 17)],
      [at(2024, 1, 1), at(2025, 1, 1)],
    ];
    for (const [a, b] of spans) {
      const ticks = scaleUtc().domain([a!, b!]).ticks(10);
      const f = axisTickFormat(ticks);
      for (const t of ticks) {
        const label = f(t);
        expect(label).not.toMatch(/AM|PM/i);
        // A label with a clock shows the tick's own 24-hour hour.
        const clock = /(\d{2}):(\d{2})/.exec(label);
        if (clock) expect(Number(clock[1])).toBe(t.getUTCHours());
      }
    }
  });

  it('keep the hour and minute of every minute of a day, on every step, in any year', () => {
    const steps = [1, 1000, 60_000, 15 * 60_000, H, D, 7 * D, 30 * D, 366 * D];
    for (const base of [Date.UTC(1969, 11, 31), Date.UTC(2024, 1, 29), Date.UTC(2099, 11, 31)])
      for (let minute = 0; minute < 1440; minute += 1) {
        const d = new Date(base + minute * 60_000 + (minute % 7) * 1000);
        for (const step of steps) {
          const label = formatAxisTick(d, step);
          expect(label).not.toMatch(/AM|PM/i);
          const clock = /(\d{2}):(\d{2})/.exec(label);
          if (clock) {
            expect(Number(clock[1])).toBe(d.getUTCHours());
            expect(Number(clock[2])).toBe(d.getUTCMinutes());
          }
        }
      }
  });
});

describe('times of day', () => {
  it('write and read HH:MM on a 24-hour clock', () => {
    expect(formatClock(0)).toBe('00:00');
    expect(formatClock(12 * 60)).toBe('12:00');
    expect(formatClock(14 * 60 + 15)).toBe('14:15');
    expect(formatClock(23 * 60 + 59)).toBe('23:59');
    expect(formatClock(1440)).toBe('24:00');
    expect(parseClock('14:15')).toBe(855);
    expect(parseClock('2:15')).toBe(135);
    expect(parseClock('0000')).toBe(0);
    expect(parseClock('23:59')).toBe(1439);
    expect(parseClock('12:00')).toBe(720);
  });

  it('refuse what a 24-hour clock cannot hold', () => {
    for (const bad of ['2:15 PM', '24:01', '25:00', '12:60', '', 'noon', '1:5', '-1:00'])
      expect(parseClock(bad)).toBeNull();
    expect(parseClock('24:00')).toBeNull();
    expect(parseClock('24:00', true)).toBe(1440);
  });

  it('validate the text of a clock field as typed', () => {
    expect(clockTextValid('14:15')).toBe(true);
    expect(clockTextValid('2:15 PM')).toBe(false);
    expect(clockTextValid('')).toBe(false);
    expect(clockTextValid(' ', false, true)).toBe(true);
    expect(clockTextValid('24:00')).toBe(false);
    expect(clockTextValid('24:00', true)).toBe(true);
  });

  it('read typed days as YYYY-MM-DD only, real days only', () => {
    expect(parseIsoDate(' 2024-05-08 ')).toBe('2024-05-08');
    expect(parseIsoDate('2024-02-29')).toBe('2024-02-29');
    for (const bad of [
      '2023-02-29',
      '05/08/2024',
      '2024-5-8',
      '2024-13-01',
      '',
      '2024-05-08T00:00',
    ])
      expect(parseIsoDate(bad)).toBeNull();
  });

  it('name hours, days and folded-day instants', () => {
    expect(formatHourRange(0)).toBe('00:00–01:00');
    expect(formatHourRange(14)).toBe('14:00–15:00');
    expect(formatHourRange(23)).toBe('23:00–24:00');
    expect(formatDayNumber(Date.UTC(2024, 4, 14) / D)).toBe('Tue 2024-05-14');
    expect(formatTimeOfDay(0)).toBe('00:00');
    expect(formatTimeOfDay(14 * H + 15 * 60_000)).toBe('14:15');
    expect(formatTimeOfDay(23 * H + 59 * 60_000 + 30_000)).toBe('23:59:30');
    expect(formatTimeOfDay(D)).toBe('24:00');
  });
});
