import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedFixtures } from '../../testing/shared-fixtures';
import { asArray, asDate, asDict, asNumber, asString, parsePlist } from './index';
import { readMbFile, unarchive } from './keyed-archive';
import { PlistUid, type PlistDict, type PlistValue } from './types';
import { writeBinaryPlist } from './writer';

// Real files from public repositories, read in place and never copied (shared/fixtures/README.md).
const dir = sharedFixtures('ios-backup');

const read = (...parts: string[]): Uint8Array => readFileSync(join(dir ?? '', ...parts));
const dict = (v: PlistValue | undefined): PlistDict => {
  const d = asDict(v);
  if (d === null) throw new Error('expected a dict');
  return d;
};
/** Whether two instants agree to the millisecond (plists store microseconds). */
const near = (actual: PlistValue | undefined, iso: string): boolean =>
  Math.abs((asDate(actual)?.getTime() ?? NaN) - Date.parse(iso)) < 1;

/** Writing a parsed plist back and parsing it again gives the same value. */
const roundTrips = (value: PlistValue): void => {
  expect(parsePlist(writeBinaryPlist(value))).toEqual(value);
};

describe.skipIf(dir === null)('conformance: real iOS backup plists', () => {
  it('artifacts/com.apple.MobileBackup.plist (plaso): backup history', () => {
    const top = dict(parsePlist(read('artifacts', 'com.apple.MobileBackup.plist')));
    expect(Object.keys(top)).toHaveLength(11);
    expect(near(top['AccountEnabledDate'], '2023-04-15T13:58:42.481Z')).toBe(true);
    const state = dict(top['BackupStateInfo']);
    expect(state['isCloud']).toBe(true);
    expect(state['isBackground']).toBe(false);
    expect(state['state']).toBe(4);
    expect(state['progress']).toBe(1);
    expect(near(state['date'], '2023-04-15T14:08:21.008Z')).toBe(true);
    const errors = asArray(state['errors']) ?? [];
    expect(errors).toHaveLength(10);
    expect(dict(errors[0])).toMatchObject({
      code: 0,
      domain: 'MBErrorDomain',
      localizedDescription: 'Backup succeeded',
    });
    expect(near(dict(errors[0])['date'], '2023-05-03T01:11:53.195Z')).toBe(true);
    expect(near(dict(errors[9])['date'], '2023-05-20T01:40:55.339Z')).toBe(true);
    const sizing = dict(top['PreflightSizing']);
    expect(Object.keys(sizing)).toHaveLength(65);
    expect(sizing['_TotalSize']).toBe(31198674);
    expect(sizing['AppDomain-net.whatsapp.WhatsApp']).toBe(2437);
    expect(dict(top['RemoteConfiguration'])['BackupPeriod']).toEqual(['86400.0']);
    expect(asString(asArray(top['LastOnConditionEvents'])?.[0])).toMatch(
      /^2023-05-17T18:07:23\.222-04:00\|/,
    );
    roundTrips(top);
  });

  it('artifacts/com.apple.identityservices.idstatuscache.plist (plaso): handle lookups', () => {
    const top = dict(
      parsePlist(read('artifacts', 'com.apple.identityservices.idstatuscache.plist')),
    );
    expect(Object.keys(top)).toHaveLength(16);
    expect(top['CacheVersion']).toBe(1);
    expect(dict(top['com.apple.private.alloy.sms'])).toEqual({});
    const madrid = dict(top['com.apple.madrid']);
    expect(Object.keys(madrid)).toHaveLength(4);
    // LookupDate is a real (seconds since 2001-01-01), not a date object.
    expect(dict(madrid['tel:+19195794674'])).toEqual({
      IDStatus: 1,
      LookupDate: 635455010.414698,
      ValidExpiry: 604799.9772809744,
    });
    const tincan = dict(top['com.apple.private.alloy.tincan.audio']);
    expect(Object.keys(tincan)).toHaveLength(23);
    expect(dict(tincan['mailto:thisisdfirtwo@gmail.com'])['IDStatus']).toBe(2);
    roundTrips(top);
  });

  it('sample_backup/Info.plist (XML dummy)', () => {
    expect(parsePlist(read('sample_backup', 'Info.plist'))).toEqual({ count: 42, foo: 'bar' });
  });

  it('sample_backup/Status.plist and Manifest.plist (binary dummies, with a UID)', () => {
    for (const name of ['Status.plist', 'Manifest.plist']) {
      const bytes = read('sample_backup', name);
      const value = parsePlist(bytes);
      // Not quite the Info.plist content: the binary dummies also hold uid = UID(1).
      expect(value).toEqual({ count: 42, foo: 'bar', uid: new PlistUid(1) });
      // The writer lays objects out as CoreFoundation does: same bytes.
      expect(Buffer.from(writeBinaryPlist(value)).equals(bytes)).toBe(true);
    }
  });

  it('sample_backup/12/12e90d5b… (com.google.Translate.plist payload)', () => {
    const top = dict(
      parsePlist(read('sample_backup', '12', '12e90d5b620bbdeaaa88de34607ebf880fa708f5')),
    );
    expect(Object.keys(top)).toHaveLength(29);
    expect(top['kTranslateOrderedLanguageCodesKey']).toEqual(['fr', 'ru', 'en']);
    expect(top['kTranslateVariantKey_zh-CN']).toBe('cmn-hans-cn');
    expect(top['GRWMessagingIOSVersionKey']).toBe('13.4.1');
    expect(dict(top['TranslateSettingsKeyLastInputModeIndexForLanguageKey'])).toEqual({});
    expect(near(top['GAIFirstInitTimeStamp'], '2021-09-13T05:32:01.576Z')).toBe(true);
    const cache = dict(top['GRWMessagingCacheUserDefaultsKey']);
    expect(cache['GRWCacheLastSyncLocale']).toBe('ru');
    expect(asString(cache['GRWCacheLastSyncUserID'])).toHaveLength(175);
    roundTrips(top);
  });

  it('sample_backup/Manifest.db: every file blob through readMbFile', () => {
    // An in-memory copy, so nothing is written beside the evidence (no -wal/-shm). The file is
    // in WAL mode (header bytes 18-19 = 2), which SQLite will not open from memory; the copy is
    // marked rollback-journal (1) instead. No Manifest.db-wal sits beside it, so nothing is lost.
    const bytes = Buffer.from(readFileSync(join(dir ?? '', 'sample_backup', 'Manifest.db')));
    expect([bytes[18], bytes[19]]).toEqual([2, 2]);
    bytes[18] = 1;
    bytes[19] = 1;
    const db = new Database(bytes);
    const rows = db
      .prepare('SELECT fileID, domain, relativePath, flags, file FROM Files ORDER BY rowid')
      .all() as Array<{
      fileID: string;
      domain: string;
      relativePath: string;
      flags: number;
      file: Buffer;
    }>;
    db.close();
    expect(rows).toHaveLength(6);

    const files = rows.map((row) => ({ row, file: readMbFile(row.file) }));
    for (const { row, file } of files) {
      expect(file.relativePath).toBe(row.relativePath);
      const type = (file.mode ?? 0) & 0o170000;
      expect(type).toBe({ 1: 0o100000, 2: 0o040000, 4: 0o120000 }[row.flags]);
      expect(file.encryptionKey).toBeNull();
      expect(file.digest).toBeNull();
      expect(file.flags).toBe(0);
      // The generic decoder sees the same object.
      expect(dict(unarchive(parsePlist(row.file))['root'])['$class']).toBe('MBFile');
    }

    const dirs = files.filter(({ row }) => row.flags === 2);
    expect(dirs.map(({ file }) => file.relativePath).sort()).toEqual([
      '',
      'Documents',
      'Library',
      'Library/Preferences',
    ]);
    for (const { row, file } of dirs) {
      expect(row.domain).toBe('AppDomain-com.google.Translate');
      expect(file).toMatchObject({ mode: 16877, userId: 501, groupId: 501, size: 0, target: null });
    }

    const plain = files.find(({ row }) => row.flags === 1);
    expect(plain?.row.fileID).toBe('12e90d5b620bbdeaaa88de34607ebf880fa708f5');
    expect(plain?.file).toEqual({
      relativePath: 'Library/Preferences/com.google.Translate.plist',
      size: 1562,
      mode: 33152,
      userId: 501,
      groupId: 501,
      inode: 23991207,
      lastModified: new Date(1682109153 * 1000),
      lastStatusChange: new Date(1682109153 * 1000),
      birth: new Date(1682109153 * 1000),
      protectionClass: 3,
      encryptionKey: null,
      digest: null,
      target: null,
      flags: 0,
      extendedAttributes: null,
    });
    // The payload on disk has the size the manifest records.
    expect(read('sample_backup', '12', plain?.row.fileID ?? '').length).toBe(plain?.file.size);

    const link = files.find(({ row }) => row.flags === 4);
    expect(link?.row.domain).toBe('DatabaseDomain');
    expect(link?.file).toMatchObject({
      relativePath: 'timezone/localtime',
      target: '/var/db/timezone/zoneinfo/America/Vancouver',
      mode: 41453,
      userId: 0,
      groupId: 0,
      size: 0,
      protectionClass: 0,
      birth: new Date('2023-06-27T03:59:42Z'),
    });
    expect(asNumber(link?.file.inode)).toBe(27199684);
  });
});
