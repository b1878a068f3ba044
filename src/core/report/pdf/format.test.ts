import { describe, expect, it } from 'vitest';
import { formatInstant } from './format';

describe('instants in the report', () => {
  it('are written in each zone as asked, however often and in whatever order the zones come', () => {
    const d = new Date(Date.UTC(2024, 2, 31, 0, 30, 5));
    const berlin = '2024-03-31 01:30:05 UTC+01:00 (Europe/Berlin)';
    const tokyo = '2024-03-31 09:30:05 UTC+09:00 (Asia/Tokyo)';
    for (let i = 0; i < 3; i += 1) {
      expect(formatInstant(d, 'Europe/Berlin')).toBe(berlin);
      expect(formatInstant(d, 'Asia/Tokyo')).toBe(tokyo);
    }
    // The same zone across a change of offset (summer time begins at 01:00 UTC that day).
    expect(formatInstant(new Date(Date.UTC(2024, 2, 31, 1, 30)), 'Europe/Berlin')).toBe(
      '2024-03-31 03:30:00 UTC+02:00 (Europe/Berlin)',
    );
    expect(formatInstant(d, 'UTC')).toBe('2024-03-31 00:30:05 UTC+00:00 (UTC)');
  });

  it('fall back to UTC for a zone the runtime does not know, every time it is asked', () => {
    const d = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));
    for (let i = 0; i < 2; i += 1)
      expect(formatInstant(d, 'Not/AZone')).toBe('2024-01-02 03:04:05 UTC');
    expect(formatInstant(new Date(Number.NaN), 'Europe/Berlin')).toBe('not a valid time');
  });
});
