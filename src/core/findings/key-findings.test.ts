import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempCase, type TempCase } from '../testing/temp-case';
import { runFindings } from './engine';
import { cannotProve, hoursPhrase, hoursWindow, keyFindings, lockedPhrase } from './key-findings';
import { daily, writeSessions } from './test-sessions';

let t: TempCase;
beforeEach(() => {
  t = tempCase();
});
afterEach(() => t.cleanup());

/** WeChat reading photos at 02:00 on 12 of 14 days; Apple's Camera using the camera at night. */
function journalistCase(): void {
  writeSessions(t.session.db, t.deviceId, [
    ...daily('com.tencent.xin', 'photos', 12, 2 * 60 + 10, 45),
    ...daily('com.tencent.xin', 'photos', 12, 14 * 60, 44),
    ...daily('com.apple.camera', 'camera', 5, 60, 30),
    ...daily('com.apple.mobileslideshow', 'photos', 6, 20 * 60, 45),
    ...daily('com.example.shop', 'photos', 5, 9 * 60, 46),
  ]);
}

describe('key findings', () => {
  it('name the app that deserves attention in one sentence, and leave out the expected', () => {
    journalistCase();
    const [device] = keyFindings(t.session.db);
    expect(device!.key.map((k) => k.app)).toEqual(['com.tencent.xin']);
    const k = device!.key[0]!;
    expect(k.appName ?? k.app).toBe('com.tencent.xin');
    expect(k.category).toBe('photos');
    expect(k.severity).toBe('high');
    expect(k.sessions).toBe(24);
    expect(k.activeDays).toBe(12);
    expect(k.observedDays).toBe(14);
    expect(k.intervals.systemSeconds).toBe(45);
    expect(k.window).toEqual({ from: '00:00', to: '06:00' });
    expect(k.sentence).toContain('24 times on 12 of 14 observed days (1.7 a day on average)');
    expect(k.sentence).toContain('in intervals of about 45 s');
    expect(k.sentence).toContain('cannot prove');
    expect(k.sentence).not.toMatch(/read for/i);
    expect(k.why).toMatch(/not something .* needs/);
    // Apple's own Camera at night is at most low, and is listed below with the rest.
    const camera = device!.others.find((o) => o.app === 'com.apple.camera');
    expect(camera?.severity).toBe('low');
    expect(device!.intervalClusters.map((c) => [c.category, c.seconds, c.apps])).toEqual([
      ['photos', 45, 3],
    ]);
  });

  it('are empty for a device without findings, and for devices not asked for', () => {
    const other = t.session.createDevice({ label: 'Phone B', platform: 'android' });
    journalistCase();
    const [b] = keyFindings(t.session.db, [other.id]);
    expect(b).toMatchObject({ deviceId: other.id, key: [], others: [], observedDays: 0 });
    expect(keyFindings(t.session.db, [other.id]).length).toBe(1);
  });

  it('list every finding not in the key ones under its app', () => {
    journalistCase();
    const [device] = keyFindings(t.session.db);
    const all = runFindings(t.session.db, {});
    const listed = [
      ...device!.key.flatMap((k) => k.findingIds),
      ...device!.others.flatMap((o) => o.findings.map((f) => f.id)),
    ];
    expect(listed.sort()).toEqual(all.map((f) => f.id).sort());
  });
});

describe('hours window', () => {
  it('takes the fewest hours holding three quarters, wrapping midnight', () => {
    const h = Array.from({ length: 24 }, () => 0);
    h[23] = 4;
    h[0] = 4;
    h[1] = 4;
    h[12] = 1;
    expect(hoursWindow(h)).toEqual({ from: 23, to: 26, share: 12 / 13 });
    expect(hoursPhrase(hoursWindow(h))).toBe(
      '92 % of them between 23:00 and 02:00 device-local time',
    );
    expect(hoursWindow(Array.from({ length: 24 }, () => 0))).toBeNull();
    // Three sessions at 01, 03 and 15 h: the hours themselves, not a 13-hour window.
    const few = Array.from({ length: 24 }, () => 0);
    few[1] = 1;
    few[3] = 1;
    few[15] = 1;
    expect(hoursPhrase(hoursWindow(few), few)).toBe(
      'in the device-local hours 01:00–02:00, 03:00–04:00 and 15:00–16:00',
    );
    expect(hoursPhrase(hoursWindow(Array.from({ length: 24 }, () => 1)))).toBe(
      'at every hour of the day',
    );
  });
});

describe('key findings and the device state', () => {
  it('say how many accesses the device recorded while locked, and what that cannot prove', () => {
    const locked = {
      rule: 'access-while-locked',
      count: 3,
      details: { stateBasis: 'powerlog' },
    } as unknown as Parameters<typeof lockedPhrase>[0][number];
    expect(lockedPhrase([locked])).toBe(
      '3 while the device was locked with its screen off (as recorded by PowerLog)',
    );
    expect(lockedPhrase([])).toBe('');
    expect(cannotProve('photos', ['access-while-locked'])).toBe(
      'the records cannot prove what the app did with the photo library, what it took, or that anything left the phone, nor who held the device',
    );
  });
});
