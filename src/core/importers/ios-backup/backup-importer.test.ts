import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppError } from '../../model/errors';
import type { ImportRecord } from '../../model/import-records';
import { importPath } from '../../services/import-pipeline';
import {
  DEMO_PHOTOS_GRANT_MS,
  DEMO_UDID,
  DEMO_ZONE,
  demoTccDb,
  writeDemoBackup,
} from '../../testing/ios-backup-demo';
import { writeSyntheticBackup } from '../../testing/ios-backup-fixture';
import { tempCase } from '../../testing/temp-case';
import { ARTIFACT_IMPORTERS } from './artifact-importers';
import { iosBackupImporter } from './backup-importer';
import { fileIdFor } from './manifest';
import { driveBackup, folderProbe, folderSource, mapCache } from './parse-driver';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'snoopscope-backup-importer-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ofType = <T extends ImportRecord['type']>(records: ImportRecord[], type: T) =>
  records.filter((r): r is Extract<ImportRecord, { type: T }> => r.type === type);

describe('the backup container sniffs a folder listing', () => {
  it('is sure of a folder with Manifest.db and the root plists, and says why', async () => {
    const backup = join(dir, 'b');
    writeDemoBackup(backup);
    const r = iosBackupImporter.sniff(await folderProbe(backup));
    expect(r.confidence).toBeGreaterThan(0.9);
    expect(r.reason).toMatch(/Manifest\.db.*Info\.plist/);
  });

  it('recognises an iOS 9 backup by name, and a folder of plists without an index less surely', () => {
    const old = iosBackupImporter.sniff({
      kind: 'folder',
      name: 'old',
      entries: ['Manifest.mbdb', 'Info.plist'],
    });
    expect(old.reason).toMatch(/iOS 9 or earlier \(Manifest\.mbdb\)/);
    const plists = iosBackupImporter.sniff({
      kind: 'folder',
      name: 'p',
      entries: ['Info.plist', 'Manifest.plist'],
    });
    expect(plists.confidence).toBeLessThan(old.confidence);
    expect(plists.reason).toMatch(/no backup index/);
  });

  it('does not claim a file or an unrelated folder', () => {
    expect(
      iosBackupImporter.sniff({ kind: 'file', name: 'x', size: 1, head: new Uint8Array(1) })
        .confidence,
    ).toBe(0);
    const none = iosBackupImporter.sniff({ kind: 'folder', name: 'x', entries: ['a.txt'] });
    expect(none).toMatchObject({ confidence: 0, reason: expect.stringMatching(/no Manifest\.db/) });
  });
});

describe('the backup container parses a backup into the phone, its apps and members', () => {
  it('yields the phone before its members, its apps, and one member per artifact with its hash', async () => {
    const backup = join(dir, 'b');
    writeDemoBackup(backup);
    const r = await driveBackup(backup);
    const device = ofType(r.records, 'device');
    expect(device).toEqual([
      expect.objectContaining({
        platform: 'ios',
        identity: { column: 'udid', value: DEMO_UDID },
        facts: expect.objectContaining({ model: 'iPhone 13', time_zone: DEMO_ZONE }),
      }),
    ]);
    expect(r.records[0]?.type).toBe('device');
    const apps = ofType(r.records, 'app');
    expect(apps.find((a) => a.identifier === 'com.tencent.xin')).toMatchObject({
      name: 'WeChat',
      installed: true,
    });
    expect(ofType(r.records, 'warning')).toEqual([]);
    expect(
      r.members.map((m) => [m.member.importer, m.member.source.locator, m.records.length]),
    ).toEqual([
      ['ios-backup-tcc', 'HomeDomain Library/TCC/TCC.db', 5],
      ['ios-backup-data-usage', 'WirelessDomain Library/Databases/DataUsage.sqlite', 3],
      ['ios-backup-location-clients', 'RootDomain Library/Caches/locationd/clients.plist', 2],
      [
        'ios-backup-osanalytics-addaily',
        'HomeDomain Library/Preferences/com.apple.osanalytics.addaily.plist',
        2,
      ],
      [
        'ios-backup-configuration-profiles',
        'SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles Library/ConfigurationProfiles/MCProfileEvents.plist',
        2,
      ],
      [
        'ios-backup-configuration-profiles',
        'SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles Library/ConfigurationProfiles/profile-6f1c1a52.stub',
        2,
      ],
    ]);
    const tcc = r.members[0]!;
    const id = fileIdFor('HomeDomain', 'Library/TCC/TCC.db');
    const onDisk = readFileSync(join(backup, id.slice(0, 2), id));
    expect(tcc.member.source).toMatchObject({
      name: 'TCC.db',
      path: join(backup, id.slice(0, 2), id),
      size: onDisk.length,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(tcc.member.hints).toMatchObject({ timeZone: DEMO_ZONE, clockSource: 'device' });
    expect(tcc.records[0]).toMatchObject({
      type: 'clock',
      clock: { zone: DEMO_ZONE, source: 'device' },
    });
    expect(tcc.member.details).toEqual({
      domain: 'HomeDomain',
      relativePath: 'Library/TCC/TCC.db',
      fileId: id,
      encrypted: false,
      plainSha256: null,
      wal: 'none',
    });
    const grant = ofType(tcc.records, 'permission').find(
      (p) => p.raw === 'kTCCServicePhotos' && p.status === 'granted',
    );
    expect(grant).toMatchObject({
      app: 'com.tencent.xin',
      category: 'photos',
      locator: 'access rowid 1',
      time: { ms: DEMO_PHOTOS_GRANT_MS, offsetMin: 120 },
    });
  });

  it('names the examiner as the clock when the zone was given at import', async () => {
    const backup = join(dir, 'b');
    writeDemoBackup(backup);
    const r = await driveBackup(backup, { timeZone: 'Asia/Tokyo' });
    expect(ofType(r.records, 'device')[0]?.facts.time_zone).toBe('Asia/Tokyo');
    const grant = ofType(r.members[0]!.records, 'permission')[0];
    expect(grant?.time?.offsetMin).toBe(540);
    expect(r.members[0]!.member.hints).toMatchObject({ clockSource: 'examiner' });
  });

  it('notes an artifact the backup does not hold, and the missing zone', async () => {
    const backup = join(dir, 'b');
    writeSyntheticBackup(backup, { timeZone: null });
    const r = await driveBackup(backup);
    const notes = ofType(r.records, 'warning').map((w) => w.warning.message);
    expect(notes.filter((n) => /not in this backup/.test(n))).toHaveLength(5);
    expect(notes.join(' ')).toMatch(/--timezone/);
    expect(r.members).toEqual([]);
  });

  it('refuses an iOS 9 backup, a backup without a UDID and an unknown zone as today', async () => {
    const backup = join(dir, 'b');
    writeSyntheticBackup(backup);
    await expect(driveBackup(backup, { timeZone: 'Mars/Olympus' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    const anonymous = join(dir, 'anonymous');
    writeSyntheticBackup(anonymous, { udid: '' });
    await expect(driveBackup(anonymous)).rejects.toMatchObject({
      code: 'IMPORT_REFUSED',
      message: expect.stringMatching(/does not name its phone/),
    });
    const old = join(dir, 'old');
    mkdirSync(old);
    writeSyntheticBackup(old);
    rmSync(join(old, 'Manifest.db'));
    const mbdb = new Database(join(old, 'Manifest.mbdb'));
    mbdb.close();
    await expect(driveBackup(old)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('refuses an unusable index as a member of its own, after recording the phone', async () => {
    const backup = join(dir, 'b');
    writeDemoBackup(backup);
    rmSync(join(backup, 'Manifest.db'));
    mkdirSync(join(backup, 'Manifest.db'));
    const r = await driveBackup(backup);
    expect(ofType(r.records, 'device')).toHaveLength(1);
    expect(r.members).toHaveLength(1);
    expect(r.members[0]!.member).toMatchObject({
      importer: 'ios-backup',
      source: { path: join(backup, 'Manifest.db'), locator: 'Manifest.db' },
    });
    expect(r.members[0]!.records).toEqual([
      {
        type: 'refusal',
        message: expect.stringMatching(
          /^Manifest\.db is a folder.*the phone and its apps were recorded/,
        ),
      },
    ]);
  });

  it('refuses an artifact whose file is missing from the folder, and hands on the others', async () => {
    const backup = join(dir, 'b');
    writeDemoBackup(backup);
    const id = fileIdFor('HomeDomain', 'Library/TCC/TCC.db');
    rmSync(join(backup, id.slice(0, 2), id));
    const r = await driveBackup(backup);
    expect(r.members[0]).toMatchObject({
      member: { importer: 'ios-backup-tcc', source: { sha256: null } },
      records: [
        { type: 'refusal', message: expect.stringMatching(/missing from the backup folder/) },
      ],
    });
    expect(r.members.slice(1).every((m) => m.records.every((x) => x.type !== 'refusal'))).toBe(
      true,
    );
  });
});

describe('an encrypted backup', () => {
  it('needs its password, refuses a wrong one, and derives the keys once per cache', async () => {
    const backup = join(dir, 'enc');
    writeDemoBackup(backup, { password: 'pa55' });
    await expect(driveBackup(backup)).rejects.toMatchObject({ code: 'PASSWORD_REQUIRED' });
    await expect(driveBackup(backup, { password: 'wrong' })).rejects.toMatchObject({
      code: 'WRONG_PASSWORD',
      message: 'The backup password is wrong; nothing was imported.',
    });
    const cache = mapCache();
    const progress: [number, string][] = [];
    const first = await driveBackup(backup, {
      password: 'pa55',
      cache,
      onProgress: (f, d) => progress.push([f, d]),
    });
    expect(progress.at(-1)).toEqual([1, 'Deriving the backup keys from the password']);
    expect(cache.size()).toBe(1);
    expect(first.members).toHaveLength(6);
    const tcc = first.members[0]!;
    expect(tcc.member.details).toMatchObject({
      encrypted: true,
      plainSha256: expect.not.stringMatching(tcc.member.source.sha256!),
    });
    expect(ofType(tcc.records, 'permission')).toHaveLength(4);

    const again: number[] = [];
    const second = await driveBackup(backup, { cache, onProgress: (f) => again.push(f) });
    expect(again).toEqual([1]);
    expect(second.members.map((m) => m.member.source.sha256)).toEqual(
      first.members.map((m) => m.member.source.sha256),
    );
  });

  it('is cancelled with the CANCELLED refusal while the keys are derived', async () => {
    const backup = join(dir, 'enc');
    writeDemoBackup(backup, { password: 'pa55' });
    const controller = new AbortController();
    controller.abort();
    const e = (await driveBackup(backup, { password: 'pa55', signal: controller.signal }).catch(
      (x: unknown) => x,
    )) as AppError;
    expect(e).toMatchObject({ code: 'CANCELLED', message: 'Cancelled; nothing was imported.' });
  });
});

describe('a cancel between members', () => {
  it('stops the backup with a CANCELLED refusal that says what was kept', async () => {
    const backup = join(dir, 'b');
    writeDemoBackup(backup);
    const controller = new AbortController();
    const parse = iosBackupImporter.parse(folderSource(backup), {
      hints: {},
      signal: controller.signal,
      cache: mapCache(),
      onProgress: () => undefined,
    });
    const seen: string[] = [];
    const run = (async () => {
      for await (const batch of parse)
        for (const item of batch) {
          seen.push(item.type);
          if (item.type === 'member') controller.abort();
        }
    })();
    await expect(run).rejects.toMatchObject({
      code: 'CANCELLED',
      message: expect.stringMatching(/artifacts read before the cancel were kept/),
    });
    expect(seen.filter((t) => t === 'member')).toHaveLength(1);
  });
});

describe('artifact members', () => {
  it('store a time no date can be as unknown, with a warning naming the row', async () => {
    const backup = join(dir, 'b');
    const tcc = demoTccDb([['kTCCServiceCamera', 'com.example.far', 2, 2, 0]]);
    const db = new Database(Buffer.from(tcc));
    db.prepare('UPDATE access SET last_modified = 1e308').run();
    const bytes = db.serialize();
    db.close();
    writeSyntheticBackup(backup, {
      files: [{ domain: 'HomeDomain', relativePath: 'Library/TCC/TCC.db', data: bytes }],
    });
    const r = await driveBackup(backup);
    const records = r.members[0]!.records;
    expect(ofType(records, 'permission')).toEqual([
      expect.objectContaining({ app: 'com.example.far', time: null }),
    ]);
    expect(
      ofType(records, 'warning')
        .map((w) => w.warning.message)
        .join(' '),
    ).toMatch(/access rowid 1: the time is outside the range of dates/);
  });

  it('are sniffed by name and first bytes when taken out of a backup on their own', () => {
    const tcc = ARTIFACT_IMPORTERS.find((i) => i.manifest.id === 'ios-backup-tcc')!;
    const db = demoTccDb([]);
    expect(
      tcc.sniff({ kind: 'file', name: 'TCC.db', size: db.length, head: db.subarray(0, 512) })
        .confidence,
    ).toBeGreaterThan(0.5);
    const text = new TextEncoder().encode('hello');
    expect(tcc.sniff({ kind: 'file', name: 'TCC.db', size: 5, head: text })).toMatchObject({
      confidence: 0,
      reason: expect.stringMatching(/looks like/),
    });
    expect(
      tcc.sniff({ kind: 'file', name: 'other.db', size: db.length, head: db }).confidence,
    ).toBe(0);
  });
});

describe('an artifact taken out of a backup on its own', () => {
  it('is recognised and imported through the pipeline, its times placed in the given zone', async () => {
    const t = tempCase();
    try {
      const path = join(t.dir, 'TCC.db');
      writeFileSync(
        path,
        demoTccDb([['kTCCServiceCamera', 'com.example.cam', 2, 2, DEMO_PHOTOS_GRANT_MS]]),
      );
      const r = await importPath(t.session.db, path, {
        device: t.deviceId,
        timeZone: 'Europe/Zurich',
      });
      expect(r.outcomes).toEqual([
        expect.objectContaining({
          importer: 'ios-backup-tcc',
          status: 'imported',
          timeZone: { zone: 'Europe/Zurich', offsets: [], source: 'examiner' },
        }),
      ]);
      expect(
        t.session.queries.records.permissions({}).map((p) => [p.app, p.timeMs, p.offsetMin]),
      ).toEqual([['com.example.cam', DEMO_PHOTOS_GRANT_MS, 120]]);
    } finally {
      t.cleanup();
    }
  });
});
