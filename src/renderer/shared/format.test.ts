import { describe, expect, it } from 'vitest';
import {
  formatBoth,
  formatBytes,
  formatCount,
  formatDuration,
  formatWallClock,
  formatWhen,
  formatWhenCompact,
  offsetLabel,
  plural,
  shortHash,
} from './format';

describe('formatDuration', () => {
  it('picks a unit by magnitude', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(1500)).toBe('1.5 s');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(245_000)).toBe('4 min 05 s');
    expect(formatDuration(2 * 3_600_000 + 3 * 60_000)).toBe('2 h 03 min');
    expect(formatDuration(3 * 86_400_000 + 4 * 3_600_000)).toBe('3 d 04 h');
  });

  it('shows a dash for unknown durations', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(Number.NaN)).toBe('—');
  });
});

describe('time formatting', () => {
  const ms = Date.UTC(2024, 4, 1, 22, 30, 5);

  it('renders wall-clock time at an offset', () => {
    expect(formatWallClock(ms, 120)).toBe('2024-05-02 00:30:05');
    expect(formatWallClock(ms, -300)).toBe('2024-05-01 17:30:05');
  });

  it('renders local or UTC by mode', () => {
    expect(formatWhen(ms, 120, 'local')).toBe('2024-05-02 00:30:05 (UTC+02:00)');
    expect(formatWhen(ms, 120, 'utc')).toBe('2024-05-01 22:30:05 UTC');
    expect(formatWhen(null, 0, 'utc')).toBe('—');
  });

  it('renders compact table times', () => {
    expect(formatWhenCompact(ms, 120, 'local')).toBe('2024-05-02 00:30:05 +02:00');
    expect(formatWhenCompact(ms, 120, 'utc')).toBe('2024-05-01 22:30:05 Z');
    expect(formatWhenCompact(null, 120, 'utc')).toBe('—');
  });

  it('renders both forms for details', () => {
    expect(formatBoth(ms, 120)).toEqual({
      local: '2024-05-02T00:30:05.000+02:00',
      utc: '2024-05-01T22:30:05.000Z',
    });
  });

  it('labels offsets', () => {
    expect(offsetLabel(120)).toBe('UTC+02:00');
    expect(offsetLabel(-210)).toBe('UTC-03:30');
  });
});

describe('numbers', () => {
  it('groups thousands', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(-1000)).toBe('-1,000');
    expect(formatCount(12.5)).toBe('12.5');
    expect(formatCount(null)).toBe('—');
  });

  it('formats bytes, hashes and plurals', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(2048)).toBe('2.0 KB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MB');
    expect(shortHash('a'.repeat(64))).toBe(`${'a'.repeat(10)}…aaaa`);
    expect(shortHash('abc')).toBe('abc');
    expect(plural(1, 'session')).toBe('1 session');
    expect(plural(2000, 'session')).toBe('2,000 sessions');
  });
});
