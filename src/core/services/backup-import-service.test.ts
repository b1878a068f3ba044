import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BridgeEvents, ImportFinished, ImportProgress } from '../../contract/events';
import { DEMO_ZONE, writeDemoBackup } from '../testing/ios-backup-demo';
import { tempCase, type TempCase } from '../testing/temp-case';
import { BackupImportService } from './backup-import-service';

let t: TempCase;
let events: { event: keyof BridgeEvents; payload: unknown }[];
let service: BackupImportService;
beforeEach(() => {
  t = tempCase();
  events = [];
  service = new BackupImportService(
    (event, payload) => events.push({ event, payload }),
    () => undefined,
  );
});
afterEach(() => {
  service.dispose();
  t.cleanup();
});

function finished(): Promise<ImportFinished> {
  return new Promise((resolve) => {
    const check = setInterval(() => {
      const f = events.find((e) => e.event === 'onImportFinished');
      if (f) {
        clearInterval(check);
        events.splice(events.indexOf(f), 1);
        resolve(f.payload as ImportFinished);
      }
    }, 5);
  });
}

describe('BackupImportService', () => {
  it('inspects a backup folder and refuses what is not one', async () => {
    const dir = join(t.dir, 'enc');
    writeDemoBackup(dir, { password: 'pw' });
    const i = await service.inspect(t.session, dir);
    expect(i.backup).toMatchObject({
      deviceName: "Ana's iPhone",
      encrypted: true,
      model: 'iPhone 13',
    });
    expect(i.backup.udid).toMatch(/^•+/);
    expect([i.keysCached, i.boundDevice]).toEqual([false, null]);
    expect(i.derivationSeconds).toBeGreaterThanOrEqual(0);
    await expect(service.inspect(t.session, t.dir)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(service.inspect(t.session, join(dir, 'Info.plist'))).rejects.toThrow(
      /not a folder/,
    );
  });

  it('imports with progress, keeps the keys for the session and never sends the password in an event', async () => {
    const dir = join(t.dir, 'enc');
    writeDemoBackup(dir, { password: 'secret-words' });
    const wrongId = service.start(t.session, { path: dir, password: 'nope' }, () => undefined);
    const wrong = await finished();
    expect(wrong).toMatchObject({ importId: wrongId, cancelled: false });
    expect(wrong.outcomes).toEqual([
      expect.objectContaining({
        status: 'refused',
        error: expect.stringMatching(/password is wrong/),
      }),
    ]);
    expect(t.session.sources()).toEqual([]);

    let settled = 0;
    service.start(
      t.session,
      { path: dir, password: 'secret-words', label: 'Ana' },
      () => (settled += 1),
    );
    const ok = await finished();
    expect(settled).toBe(1);
    expect(ok.outcomes.map((o) => o.status)).toEqual(Array(7).fill('imported'));
    const phases = events
      .filter((e) => e.event === 'onImportProgress')
      .map((e) => (e.payload as ImportProgress).phase);
    expect(phases).toContain('unlocking');
    expect(phases).toContain('artifacts');
    expect(phases.at(-1)).toBe('done');
    expect(JSON.stringify(events)).not.toContain('secret-words');

    const again = await service.inspect(t.session, dir);
    expect(again).toMatchObject({ keysCached: true, boundDevice: { label: 'Ana' } });
    service.start(t.session, { path: dir }, () => undefined);
    const cached = await finished();
    expect(cached.outcomes[0]).toMatchObject({ importer: 'ios-backup', status: 'imported' });
    expect(cached.outcomes.slice(1).map((o) => o.status)).toEqual(
      Array(6).fill('already-imported'),
    );
  });

  it('names the time zone each stored part was placed in, and whether the examiner gave it', async () => {
    const dir = join(t.dir, 'zone');
    writeDemoBackup(dir);
    service.start(t.session, { path: dir }, () => undefined);
    const own = await finished();
    expect(own.outcomes.map((o) => o.timeZone)).toEqual(
      own.outcomes.map(() => ({ zone: DEMO_ZONE, offsets: [], source: 'device' })),
    );

    const other = join(t.dir, 'given');
    writeDemoBackup(other, { udid: '00008110-0000000000000002', extraDomains: 1 });
    service.start(t.session, { path: other, timeZone: 'Asia/Shanghai' }, () => undefined);
    const given = await finished();
    expect(given.outcomes[0]?.timeZone).toEqual({
      zone: 'Asia/Shanghai',
      offsets: [],
      source: 'examiner',
    });
    // Parts already in the case (same bytes) were not placed again, so they name no zone.
    for (const o of given.outcomes.slice(1))
      expect(o.timeZone === undefined).toBe(o.status !== 'imported');
  });

  it('cancels a running import with nothing stored', async () => {
    const dir = join(t.dir, 'plain');
    writeDemoBackup(dir);
    const id = service.start(t.session, { path: dir }, () => undefined);
    expect(() => service.start(t.session, { path: dir }, () => undefined)).toThrow(
      /already running/,
    );
    expect(service.cancel('other')).toBe(false);
    expect(service.cancel(id)).toBe(true);
    const f = await finished();
    expect(f).toMatchObject({
      cancelled: true,
      outcomes: [expect.objectContaining({ status: 'cancelled' })],
    });
    expect(t.session.sources()).toEqual([]);
    expect(service.busy).toBe(false);
  });
});
