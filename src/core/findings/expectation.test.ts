import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../contract/findings';
import { tempCase, type TempCase } from '../testing/temp-case';
import { runFindings } from './engine';
import { expectednessOf, weighSeverity } from './expectation';
import { daily, writeSessions, type TestSession } from './test-sessions';

let t: TempCase;
beforeEach(() => {
  t = tempCase();
});
afterEach(() => t.cleanup());

const find = (fs: Finding[], rule: string, app: string, category: string): Finding => {
  const f = fs.find((x) => x.rule === rule && x.app === app && x.category === category);
  if (!f) throw new Error(`no ${rule} finding of ${app} / ${category}`);
  return f;
};

describe('severity by how unexpected the access is', () => {
  it('Camera app using the camera at night is low', () => {
    writeSessions(t.session.db, t.deviceId, daily('com.apple.camera', 'camera', 5, 60, 30));
    const f = find(runFindings(t.session.db, {}), 'night-access', 'com.apple.camera', 'camera');
    expect(f.details.ruleSeverity).toBe('high');
    expect(f.severity).toBe('low');
    expect(f.details.expectation).toBe('expected');
    expect(f.details.why).toMatch(
      /^The camera is what com\.apple\.camera is for \(category default/,
    );
  });

  it('a navigation app using the location in the background is low', () => {
    const android = t.session.createDevice({ label: 'Android', platform: 'android' });
    const bg: TestSession[] = daily('com.google.android.apps.maps', 'location', 4, 600, 20).map(
      (s) => ({ ...s, state: 'background' }),
    );
    writeSessions(t.session.db, android.id, bg);
    const f = find(
      runFindings(t.session.db, { devices: [android.id] }),
      'background-access',
      'com.google.android.apps.maps',
      'location',
    );
    expect([f.details.ruleSeverity, f.severity]).toEqual(['high', 'low']);
  });

  it('a messenger using the microphone at night is low (category default for messengers)', () => {
    writeSessions(t.session.db, t.deviceId, daily('com.tencent.xin', 'microphone', 4, 120, 300));
    const f = find(runFindings(t.session.db, {}), 'night-access', 'com.tencent.xin', 'microphone');
    expect(f.severity).toBe('low');
    expect(String(f.details.why)).toContain('category default for messengers');
  });

  it("Apple's own app is at most low whatever the resource", () => {
    writeSessions(t.session.db, t.deviceId, daily('com.apple.mobilesafari', 'location', 4, 90, 10));
    const f = find(
      runFindings(t.session.db, {}),
      'night-access',
      'com.apple.mobilesafari',
      'location',
    );
    expect([f.details.ruleSeverity, f.severity, f.details.expectation]).toEqual([
      'high',
      'low',
      'first-party',
    ]);
  });

  it('photos read at night by an app that does not need them rank one level higher', () => {
    // Two nights: the rule says medium; WeChat does not need the photo library.
    writeSessions(t.session.db, t.deviceId, daily('com.tencent.xin', 'photos', 2, 120, 45));
    const f = find(runFindings(t.session.db, {}), 'night-access', 'com.tencent.xin', 'photos');
    expect([f.details.ruleSeverity, f.severity]).toEqual(['medium', 'high']);
    expect(f.details.why).toBe(
      "The photo library is not something com.tencent.xin needs for its purpose (built-in catalog: messenger); accesses at night (00:00-06:00), on 2 nights, so this ranks one level above the rule's own medium.",
    );
  });

  it('contacts read at machine-regular gaps by an app that does not need them rank higher', () => {
    const s: TestSession[] = Array.from({ length: 10 }, (_, i) => ({
      app: 'com.tencent.xin',
      category: 'contacts',
      day: 0,
      minute: 8 * 60 + i * 30,
      seconds: 45,
    }));
    writeSessions(t.session.db, t.deviceId, s);
    const f = find(runFindings(t.session.db, {}), 'regular-polling', 'com.tencent.xin', 'contacts');
    expect([f.details.ruleSeverity, f.severity]).toEqual(['low', 'medium']);
  });

  it('a rule that says nothing of timing keeps its severity for an unexpected resource', () => {
    writeSessions(t.session.db, t.deviceId, daily('com.tencent.xin', 'location', 1, 600, 100));
    const f = find(runFindings(t.session.db, {}), 'long-access', 'com.tencent.xin', 'location');
    expect([f.details.ruleSeverity, f.severity]).toEqual(['low', 'low']);
  });

  it('an app the catalog does not know keeps the rule severity, and says why', () => {
    writeSessions(t.session.db, t.deviceId, daily('com.example.unknown', 'photos', 2, 120, 45));
    const f = find(runFindings(t.session.db, {}), 'night-access', 'com.example.unknown', 'photos');
    expect([f.details.ruleSeverity, f.severity, f.details.expectation]).toEqual([
      'medium',
      'medium',
      'unknown',
    ]);
    expect(String(f.details.why)).toContain('does not know com.example.unknown');
  });
});

describe('weighSeverity', () => {
  it('caps expected and first-party at low, raises unexpected probed resources on timing rules only', () => {
    const expected = { kind: 'expected', basis: 'b' } as const;
    const unexpected = { kind: 'unexpected', appKind: 'app' } as const;
    expect(weighSeverity('high', 'frequent-access', 'camera', expected)).toBe('low');
    expect(weighSeverity('info', 'frequent-access', 'camera', expected)).toBe('info');
    expect(weighSeverity('high', 'night-access', 'photos', { kind: 'first-party' })).toBe('low');
    expect(weighSeverity('low', 'background-access', 'location', unexpected)).toBe('medium');
    expect(weighSeverity('medium', 'screen-off-access', 'microphone', unexpected)).toBe('high');
    expect(weighSeverity('high', 'night-access', 'contacts', unexpected)).toBe('high');
    expect(weighSeverity('low', 'night-access', 'camera', unexpected)).toBe('low');
    expect(weighSeverity('low', 'frequent-access', 'photos', unexpected)).toBe('low');
    expect(weighSeverity('medium', 'night-access', 'other', unexpected)).toBe('medium');
    expect(weighSeverity('medium', 'profiling-domains', null, unexpected)).toBe('medium');
  });

  it('finds first-party only among iOS identifiers under com.apple.', () => {
    expect(expectednessOf('com.apple.mobilesafari', 'ios', 'location').kind).toBe('first-party');
    expect(expectednessOf('ABCDE12345.com.apple.mobilesafari', 'ios', 'location').kind).toBe(
      'first-party',
    );
    expect(expectednessOf('com.apple.mobilesafari', 'android', 'location').kind).not.toBe(
      'first-party',
    );
    expect(expectednessOf('com.apple.camera', 'ios', 'camera').kind).toBe('expected');
    expect(expectednessOf('com.tencent.mm', 'android', 'photos').kind).toBe('unexpected');
    expect(expectednessOf('com.tencent.mm', 'android', 'other').kind).toBe('unknown');
    expect(expectednessOf(null, 'ios', 'photos').kind).toBe('unknown');
  });
});
