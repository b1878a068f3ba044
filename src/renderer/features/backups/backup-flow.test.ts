import { describe, expect, it } from 'vitest';
import type { BackupInspection } from '../../../contract/api';
import type { ImportOutcome } from '../../../contract/records';
import {
  backupRefusal,
  backupRequest,
  draftLabel,
  dropNotice,
  isValidTimeZone,
  mergeBackups,
  missingTools,
  moveIndex,
  newDraft,
  splitDropped,
} from './backup-flow';

const inspection = (fields: {
  path?: string;
  encrypted?: boolean | null;
  keysCached?: boolean;
  bound?: { id: number; label: string } | null;
  deviceName?: string | null;
  format?: 'manifest-db' | 'manifest-mbdb' | 'unknown';
}): BackupInspection => ({
  backup: {
    path: fields.path ?? '/b/one',
    udid: null,
    serial: null,
    deviceName: fields.deviceName === undefined ? "Ana's iPhone" : fields.deviceName,
    productType: 'iPhone14,5',
    model: 'iPhone 13',
    iosVersion: '17.5.1',
    buildVersion: null,
    lastBackup: null,
    encrypted: fields.encrypted ?? false,
    snapshotState: 'finished',
    complete: true,
    format: fields.format ?? 'manifest-db',
    sizeBytes: null,
    error: null,
  },
  boundDevice: fields.bound ?? null,
  keysCached: fields.keysCached ?? false,
  derivationSeconds: null,
});

const refused = (error: string): ImportOutcome => ({
  path: '/b/one',
  sha256: null,
  importer: null,
  status: 'refused',
  counts: { lines: 0, access: 0, network: 0, sessions: 0, openSessions: 0, records: 0 },
  duplicateLines: 0,
  alreadyStored: 0,
  warnings: [],
  error,
  sourceId: null,
  deviceId: null,
  locator: null,
});

describe('backup import request', () => {
  it('names a new device after the phone unless the examiner typed a name', () => {
    const i = inspection({});
    expect(draftLabel(newDraft('/b/one'), i.backup)).toBe("Ana's iPhone");
    expect(backupRequest(newDraft('/b/one'), i, '')).toEqual({
      ok: true,
      request: { path: '/b/one', label: "Ana's iPhone" },
    });
    const typed = { ...newDraft('/b/one'), label: '  Subject A  ' };
    expect(backupRequest(typed, i, '')).toEqual({
      ok: true,
      request: { path: '/b/one', label: 'Subject A' },
    });
    const blank = { ...newDraft('/b/one'), label: ' ' };
    expect(backupRequest(blank, i, '')).toEqual({ ok: false, problem: 'Name the new device.' });
    expect(backupRequest(newDraft('/b/one'), inspection({ deviceName: null }), '').ok).toBe(false);
  });

  it('uses the bound device over any choice, else the chosen one', () => {
    const bound = inspection({ bound: { id: 7, label: 'Ana' } });
    expect(backupRequest(newDraft('/b/one', 3), bound, '')).toEqual({
      ok: true,
      request: { path: '/b/one', deviceId: 7 },
    });
    expect(backupRequest(newDraft('/b/one', 3), inspection({}), '')).toEqual({
      ok: true,
      request: { path: '/b/one', deviceId: 3 },
    });
  });

  it('checks the time zone override', () => {
    const i = inspection({});
    const zoned = { ...newDraft('/b/one', 1), timeZone: ' Europe/Zurich ' };
    expect(backupRequest(zoned, i, '')).toEqual({
      ok: true,
      request: { path: '/b/one', deviceId: 1, timeZone: 'Europe/Zurich' },
    });
    const wrong = { ...newDraft('/b/one', 1), timeZone: 'Mars/Olympus' };
    expect(backupRequest(wrong, i, '')).toMatchObject({ ok: false });
    expect(isValidTimeZone('')).toBe(true);
    expect(isValidTimeZone('America/New_York')).toBe(true);
    expect(isValidTimeZone('+02:00')).toBe(false);
    expect(isValidTimeZone('Nowhere/Town')).toBe(false);
  });

  it('asks for a password only when the keys are not unlocked yet', () => {
    const enc = inspection({ encrypted: true });
    expect(backupRequest(newDraft('/b/one', 1), enc, '')).toEqual({
      ok: false,
      problem: 'Enter the backup password.',
    });
    expect(backupRequest(newDraft('/b/one', 1), enc, 'secret')).toEqual({
      ok: true,
      request: { path: '/b/one', deviceId: 1, password: 'secret' },
    });
    const cached = inspection({ encrypted: true, keysCached: true });
    expect(backupRequest(newDraft('/b/one', 1), cached, 'typed anyway')).toEqual({
      ok: true,
      request: { path: '/b/one', deviceId: 1 },
    });
    expect(backupRequest(newDraft('/b/one', 1), inspection({}), 'not needed')).toEqual({
      ok: true,
      request: { path: '/b/one', deviceId: 1 },
    });
  });

  it('refuses the iOS 9 format up front', () => {
    expect(
      backupRequest(newDraft('/b/one', 1), inspection({ format: 'manifest-mbdb' }), '').ok,
    ).toBe(false);
  });
});

describe('backup import endings', () => {
  it('recognises a refusal of the whole backup, and whether the password was the reason', () => {
    const wrong = refused('The backup password is wrong; nothing was imported.');
    expect(backupRefusal({ importId: 'i', cancelled: false, outcomes: [wrong] })).toEqual({
      message: 'The backup password is wrong; nothing was imported.',
      password: true,
    });
    expect(
      backupRefusal({
        importId: 'i',
        cancelled: false,
        outcomes: [refused('The device "A" is already bound to another phone.')],
      }),
    ).toEqual({ message: 'The device "A" is already bound to another phone.', password: false });
    expect(backupRefusal({ importId: 'i', cancelled: false, outcomes: [wrong, wrong] })).toBe(null);
    expect(backupRefusal({ importId: 'i', cancelled: true, outcomes: [wrong] })).toBeNull();
    const artifact = { ...wrong, importer: 'ios-backup-tcc' };
    expect(backupRefusal({ importId: 'i', cancelled: false, outcomes: [artifact] })).toBeNull();
  });
});

describe('dropped paths', () => {
  it('sorts backups from files and says so when both were dropped', () => {
    const found = inspection({ path: '/drop/backup' });
    const split = splitDropped(
      ['/drop/report.ndjson', '/drop/backup', '/drop/other'],
      new Map([
        ['/drop/backup', found],
        ['/drop/report.ndjson', null],
      ]),
    );
    expect(split.backups).toEqual([found]);
    expect(split.files).toEqual(['/drop/report.ndjson', '/drop/other']);
    expect(dropNotice(1, 2)).toContain('1 backup folder and 2 files');
    expect(dropNotice(2, 0)).toContain('one at a time');
    expect(dropNotice(1, 0)).toBeNull();
    expect(dropNotice(0, 3)).toBeNull();
  });

  it('lists pinned backups first unless the search found them', () => {
    const a = inspection({ path: '/a' }).backup;
    const b = inspection({ path: '/b' }).backup;
    const c = inspection({ path: '/c' }).backup;
    expect(mergeBackups([c, a, c], [a, b]).map((x) => x.path)).toEqual(['/c', '/a', '/b']);
  });
});

describe('list keys and tools', () => {
  it('moves through a list with the keyboard', () => {
    expect(moveIndex(-1, 'ArrowDown', 3)).toBe(0);
    expect(moveIndex(2, 'ArrowDown', 3)).toBe(2);
    expect(moveIndex(0, 'ArrowUp', 3)).toBe(0);
    expect(moveIndex(2, 'ArrowUp', 3)).toBe(1);
    expect(moveIndex(1, 'End', 3)).toBe(2);
    expect(moveIndex(1, 'Home', 3)).toBe(0);
    expect(moveIndex(0, 'PageDown', 12)).toBe(5);
    expect(moveIndex(7, 'Enter', 12)).toBeNull();
    expect(moveIndex(0, 'ArrowDown', 0)).toBeNull();
  });

  it('names the missing backup tools', () => {
    expect(
      missingTools({ ideviceId: null, idevicebackup2: '/usr/bin/x', ideviceinfo: null }),
    ).toEqual(['idevice_id', 'ideviceinfo']);
    expect(missingTools({ ideviceId: '/a', idevicebackup2: '/b', ideviceinfo: '/c' })).toEqual([]);
  });
});
