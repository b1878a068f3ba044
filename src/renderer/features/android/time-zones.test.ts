import { describe, expect, it } from 'vitest';
import { checkTimeZone, COMMON_TIME_ZONES, zoneSuggestions } from './time-zones';

describe('time zones', () => {
  it('lists only zones this runtime knows, without repeats', () => {
    for (const z of COMMON_TIME_ZONES)
      expect(() => new Intl.DateTimeFormat('en', { timeZone: z })).not.toThrow();
    expect(new Set(COMMON_TIME_ZONES).size).toBe(COMMON_TIME_ZONES.length);
  });

  it('suggests the examiner zone first, once, and ignores an unknown one', () => {
    const s = zoneSuggestions('Europe/Lisbon');
    expect(s[0]).toBe('Europe/Lisbon');
    expect(s.filter((z) => z === 'Europe/Lisbon')).toHaveLength(1);
    expect(zoneSuggestions('America/Lima')[0]).toBe('America/Lima');
    expect(zoneSuggestions('Mars/Olympus')[0]).toBe(COMMON_TIME_ZONES[0]);
    expect(zoneSuggestions(null)).toEqual([...COMMON_TIME_ZONES]);
  });

  it('turns a field into a request value: empty, a known zone, or why not', () => {
    expect(checkTimeZone('')).toEqual({ ok: true, zone: undefined });
    expect(checkTimeZone('  Europe/Lisbon ')).toEqual({ ok: true, zone: 'Europe/Lisbon' });
    const bad = checkTimeZone('Mars/Olympus');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problem).toContain('Mars/Olympus');
    // A bare offset has no daylight-saving rules: not a zone.
    expect(checkTimeZone('+01:00').ok).toBe(false);
    expect(checkTimeZone(' ', true).ok).toBe(false);
  });
});
