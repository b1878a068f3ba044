import { describe, expect, it } from 'vitest';
import {
  CORE_DATA_EPOCH_MS,
  coreDataTimeToMs,
  isPlausibleEpochMs,
  parseCoreDataTime,
} from './core-data-time';

describe('parseCoreDataTime', () => {
  it('converts seconds since 2001-01-01 UTC, fractions included', () => {
    expect(CORE_DATA_EPOCH_MS).toBe(Date.UTC(2001, 0, 1));
    expect(parseCoreDataTime(1)).toEqual({ ok: true, ms: Date.UTC(2001, 0, 1, 0, 0, 1) });
    // 702917094.726444 s is 2023-04-11T14:44:54.726Z (a ZFIRSTTIMESTAMP seen in a real DataUsage.sqlite).
    expect(parseCoreDataTime(702917094.726444)).toEqual({
      ok: true,
      ms: Date.UTC(2023, 3, 11, 14, 44, 54, 726),
    });
    expect(parseCoreDataTime(0.0004)).toEqual({ ok: true, ms: CORE_DATA_EPOCH_MS });
    expect(parseCoreDataTime(10n)).toEqual({ ok: true, ms: CORE_DATA_EPOCH_MS + 10_000 });
  });

  it('treats null, undefined and 0 as no time', () => {
    expect(parseCoreDataTime(null)).toEqual({ ok: true, ms: null });
    expect(parseCoreDataTime(undefined)).toEqual({ ok: true, ms: null });
    expect(parseCoreDataTime(0)).toEqual({ ok: true, ms: null });
  });

  it('refuses NaN, infinities and non-numbers', () => {
    for (const v of [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      '702917094',
      {},
      true,
    ]) {
      const r = parseCoreDataTime(v);
      expect(r.ok).toBe(false);
    }
  });

  it('refuses absurd years and hints at Unix seconds stored by mistake', () => {
    const before = parseCoreDataTime(-86_400);
    expect(before).toMatchObject({ ok: false });
    const unix = parseCoreDataTime(1_681_224_294);
    expect(unix.ok).toBe(false);
    if (!unix.ok) expect(unix.reason).toMatch(/2054-.*plausible as Unix seconds/);
    expect(parseCoreDataTime(1e15).ok).toBe(false);
  });

  it('honours custom bounds', () => {
    expect(parseCoreDataTime(-86_400, { minMs: Date.UTC(1970, 0, 1) })).toEqual({
      ok: true,
      ms: Date.UTC(2000, 11, 31),
    });
    expect(parseCoreDataTime(702917094, { maxMs: Date.UTC(2020, 0, 1) }).ok).toBe(false);
  });
});

describe('coreDataTimeToMs / isPlausibleEpochMs', () => {
  it('collapses refusals to null', () => {
    expect(coreDataTimeToMs(Number.NaN)).toBeNull();
    expect(coreDataTimeToMs(60)).toBe(CORE_DATA_EPOCH_MS + 60_000);
  });

  it('checks the default window', () => {
    expect(isPlausibleEpochMs(Date.UTC(2023, 0, 1))).toBe(true);
    expect(isPlausibleEpochMs(0)).toBe(false);
    expect(isPlausibleEpochMs(Date.UTC(2050, 0, 1))).toBe(false);
    expect(isPlausibleEpochMs(Number.NaN)).toBe(false);
  });
});
