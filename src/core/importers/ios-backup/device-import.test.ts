import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../db/audit';
import { importFile } from '../../services/import-run';
import { accessPair } from '../../testing/apr-fixture';
import { writeSyntheticBackup } from '../../testing/ios-backup-fixture';
import { tempCase, type TempCase } from '../../testing/temp-case';
import { importBackupDevice } from '../../services/backup-import';

let t: TempCase;
beforeEach(() => {
  t = tempCase();
});
afterEach(() => t.cleanup());

const UDID = '00008110-001A2B3C4D5E6F70';

describe('a backup binds its phone to a device', () => {
  it('records identity, model, iOS, time zone and app names, which then show for the App Privacy Report too', async () => {
    await importFile({
      db: t.session.db,
      path: t.write(
        'apr.ndjson',
        accessPair({
          app: 'com.tencent.xin',
          category: 'photos',
          id: 'X',
          ms: Date.UTC(2024, 4, 1),
          durationMs: 1000,
        }),
      ),
      deviceId: t.deviceId,
    });
    const dir = join(t.dir, 'backup');
    writeSyntheticBackup(dir, {
      storeApps: { 'com.tencent.xin': { name: 'WeChat', version: '8.0.50' } },
      domainApps: ['org.example.sideloaded'],
    });
    const r = await importBackupDevice(t.session, dir, { label: 'Phone A' });
    expect(r.device).toMatchObject({
      id: t.deviceId,
      label: 'Phone A',
      platform: 'ios',
      model: 'iPhone 13',
      osVersion: '17.5.1',
      timeZone: 'Europe/Zurich',
      identifiers: {
        udid: UDID,
        serial: 'F2LTX0ABHG7F',
        imei: '356938035643809',
        phoneNumber: null,
      },
    });
    expect([r.apps, r.namedApps]).toEqual([2, 1]);
    // The synthetic backup holds no artifact files: each is a note, not an error.
    expect(r.problems).toHaveLength(5);
    for (const p of r.problems) expect(p).toMatch(/not in this backup/);
    expect(r.artifacts).toEqual([]);
    expect(t.session.queries.summary({})[0]).toMatchObject({
      app: 'com.tencent.xin',
      appName: 'WeChat',
    });
    // A second backup of the same phone, without a label, attaches to the same device.
    const again = await importBackupDevice(t.session, dir);
    expect(again.device.id).toBe(t.deviceId);
    expect(verifyAudit(t.session.db).intact).toBe(true);
  });

  it('refuses a folder that is not a backup by name, even when it holds other evidence', async () => {
    const dir = join(t.dir, 'exports');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'apr.ndjson'),
      accessPair({
        app: 'a.b',
        category: 'photos',
        id: 'Y',
        ms: Date.UTC(2024, 4, 1),
        durationMs: 1,
      }).join('\n'),
    );
    await expect(importBackupDevice(t.session, dir, { label: 'Phone B' })).rejects.toMatchObject({
      code: 'IMPORT_REFUSED',
      message: expect.stringMatching(/does not name its phone \(no UDID/),
    });
    expect(t.session.sources()).toEqual([]);
  });

  it('creates a device named after the phone when no label is given', async () => {
    const dir = join(t.dir, 'b');
    writeSyntheticBackup(dir, { deviceName: 'Phone A' });
    const r = await importBackupDevice(t.session, dir);
    expect(r.device.label).toBe('Phone A (2)');
  });

  it('refuses a label bound to another phone, and a phone already bound to another label', async () => {
    const one = join(t.dir, 'one');
    const two = join(t.dir, 'two');
    writeSyntheticBackup(one);
    writeSyntheticBackup(two, { udid: '00008110-00FFFFFFFFFFFFFF' });
    await importBackupDevice(t.session, one, { label: 'Phone A' });
    await expect(importBackupDevice(t.session, two, { label: 'Phone A' })).rejects.toThrow(
      /already bound to another phone/,
    );
    await expect(importBackupDevice(t.session, one, { label: 'Phone B' })).rejects.toThrow(
      /already the device "Phone A"/,
    );
    expect(t.session.devices().map((d) => d.label)).toEqual(['Phone A']);
  });

  it('reads an encrypted backup with its password, and refuses a wrong or missing one', async () => {
    const dir = join(t.dir, 'enc');
    writeSyntheticBackup(dir, {
      password: 'correct horse',
      timeZone: 'Asia/Shanghai',
      domainApps: ['com.tencent.xin'],
    });
    await expect(
      importBackupDevice(t.session, dir, { label: 'Enc', password: 'wrong' }),
    ).rejects.toThrow(/password is wrong/);
    expect(t.session.deviceByLabel('Enc')).toBeNull();
    await expect(importBackupDevice(t.session, dir, { label: 'Enc' })).rejects.toMatchObject({
      code: 'PASSWORD_REQUIRED',
    });
    expect(t.session.deviceByLabel('Enc')).toBeNull();
    const progress: number[] = [];
    const r = await importBackupDevice(t.session, dir, {
      label: 'Enc',
      password: 'correct horse',
      onProgress: (f) => progress.push(f),
    });
    expect([r.timeZone, r.apps]).toEqual(['Asia/Shanghai', 1]);
    expect(progress.at(-1)).toBe(1);
  });

  it('takes the time zone from the examiner when the backup has none, and checks it', async () => {
    const dir = join(t.dir, 'nozone');
    writeSyntheticBackup(dir, { timeZone: null });
    expect((await importBackupDevice(t.session, dir, { label: 'Z' })).problems.join(' ')).toMatch(
      /--timezone/,
    );
    await expect(
      importBackupDevice(t.session, dir, { label: 'Z', timeZone: 'Mars/Olympus' }),
    ).rejects.toThrow(/Unknown time zone/);
    expect(
      (await importBackupDevice(t.session, dir, { label: 'Z', timeZone: 'America/New_York' }))
        .device.timeZone,
    ).toBe('America/New_York');
  });
});
