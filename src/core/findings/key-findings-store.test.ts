import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renameApp } from '../catalog/rename-app';
import { refreshDerived, derivedStale } from '../services/refresh-derived';
import { tempCase, type TempCase } from '../testing/temp-case';
import { keyFindings } from './key-findings';
import { readKeyFindings, refreshKeyFindings, staleKeyFindingDevices } from './key-findings-store';
import { FindingsPendingError, serveStoredFindingsOnly } from './stored';
import { setStoredFindingParams } from './stored-params';
import { daily, writeSessions } from './test-sessions';

let t: TempCase;
beforeEach(() => {
  t = tempCase();
});
afterEach(() => t.cleanup());

/** WeChat reading photos at night, a shop reading them by day, Apple's Camera at night. */
function studyCase(deviceId = t.deviceId): void {
  writeSessions(t.session.db, deviceId, [
    ...daily('com.tencent.xin', 'photos', 12, 2 * 60 + 10, 45),
    ...daily('com.apple.camera', 'camera', 5, 60, 30),
    ...daily('com.apple.mobileslideshow', 'photos', 6, 20 * 60, 45),
    ...daily('com.example.shop', 'photos', 5, 9 * 60, 46),
  ]);
}

const kept = (deviceId: number) =>
  t.session.db
    .prepare('SELECT stamp, answer FROM stored_key_findings WHERE device_id = ?')
    .get(deviceId) as { stamp: string; answer: string } | undefined;

describe('kept key findings', () => {
  it('answer what computing them answers, and are then read from the table', () => {
    studyCase();
    const live = keyFindings(t.session.db);
    expect(live[0]!.key.length).toBeGreaterThan(0);
    expect(readKeyFindings(t.session.db)).toEqual(live);
    expect(kept(t.deviceId)).toBeDefined();
    // A second read takes the kept row: a marked copy of it comes back as kept.
    const marked = { ...JSON.parse(kept(t.deviceId)!.answer), observedDays: 999 };
    t.session.db
      .prepare('UPDATE stored_key_findings SET answer = ? WHERE device_id = ?')
      .run(JSON.stringify(marked), t.deviceId);
    expect(readKeyFindings(t.session.db)[0]!.observedDays).toBe(999);
  });

  it('are computed again after an import, a parameter change or an app renamed, never after a device renamed', () => {
    studyCase();
    readKeyFindings(t.session.db);
    expect(staleKeyFindingDevices(t.session.db)).toEqual([]);
    const check = (): void => {
      expect(staleKeyFindingDevices(t.session.db)).toEqual([t.deviceId]);
      expect(readKeyFindings(t.session.db)).toEqual(keyFindings(t.session.db));
      expect(staleKeyFindingDevices(t.session.db)).toEqual([]);
    };
    writeSessions(t.session.db, t.deviceId, daily('com.example.game', 'camera', 9, 3 * 60, 20));
    check();
    setStoredFindingParams(t.session.db, { 'night-access.from': '01:00' });
    check();
    renameApp(t.session.db, { identifier: 'com.tencent.xin', name: 'WeChat' });
    check();
    expect(readKeyFindings(t.session.db)[0]!.key[0]!.sentence).toMatch(/^WeChat /);
    t.session.renameDevice(t.deviceId, 'Phone of the source');
    expect(staleKeyFindingDevices(t.session.db)).toEqual([]);
    expect(readKeyFindings(t.session.db)[0]!.device).toBe('Phone of the source');
  });

  it('keep devices apart, in device order, for the devices asked for', () => {
    const b = t.session.createDevice({ label: 'Phone B', platform: 'ios' });
    studyCase();
    studyCase(b.id);
    expect(readKeyFindings(t.session.db, [b.id]).map((d) => d.deviceId)).toEqual([b.id]);
    expect(kept(t.deviceId)).toBeUndefined();
    expect(readKeyFindings(t.session.db).map((d) => [d.deviceId, d.device])).toEqual([
      [t.deviceId, 'Phone A'],
      [b.id, 'Phone B'],
    ]);
    expect(readKeyFindings(t.session.db)).toEqual(keyFindings(t.session.db));
  });

  it('are left to the worker on a connection that serves stored findings only', () => {
    studyCase();
    refreshDerived(t.session.db);
    writeSessions(t.session.db, t.deviceId, daily('com.example.game', 'camera', 9, 3 * 60, 20));
    const app = new Database(t.session.path, { readonly: true });
    try {
      serveStoredFindingsOnly(app as never);
      expect(() => readKeyFindings(app as never)).toThrow(FindingsPendingError);
    } finally {
      app.close();
    }
    expect(derivedStale(t.session.db)).toBe(true);
    expect(refreshDerived(t.session.db)).toBeNull();
    expect(derivedStale(t.session.db)).toBe(false);
    expect(readKeyFindings(t.session.db)).toEqual(keyFindings(t.session.db));
  });

  it('are computed without being kept on a read-only connection', () => {
    studyCase();
    const ro = new Database(t.session.path, { readonly: true });
    try {
      expect(readKeyFindings(ro as never)).toEqual(keyFindings(t.session.db));
    } finally {
      ro.close();
    }
    expect(kept(t.deviceId)).toBeUndefined();
  });

  it('stop before a device when the refresh is cancelled, keeping nothing for it', () => {
    studyCase();
    expect(() =>
      refreshKeyFindings(t.session.db, [t.deviceId], { isCancelled: () => true }),
    ).toThrow(/cancelled/);
    expect(kept(t.deviceId)).toBeUndefined();
    expect(staleKeyFindingDevices(t.session.db)).toEqual([t.deviceId]);
  });
});
