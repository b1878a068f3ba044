import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  networkUsageEventSchema,
  permissionEventSchema,
  profileEventSchema,
} from '../../../contract/records';
import { verifyAudit } from '../../db/audit';
import { networkUsageEvents, permissionEvents, profileEvents } from '../../services/record-events';
import {
  DEMO_PHOTOS_GRANT_MS,
  demoBackupFiles,
  writeDemoBackup,
} from '../../testing/ios-backup-demo';
import { writeSyntheticBackup } from '../../testing/ios-backup-fixture';
import { tempCase, type TempCase } from '../../testing/temp-case';
import { importBackupDevice } from '../../services/backup-import';
import { fileIdFor } from './manifest';
import { BackupKeyCache } from './key-cache';

let t: TempCase;
beforeEach(() => {
  t = tempCase();
});
afterEach(() => t.cleanup());

/** Every file under a folder with its size and modification time. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const st = statSync(p);
        out[relative(dir, p)] = `${st.size}:${st.mtimeMs}`;
      }
    }
  };
  walk(dir);
  return out;
}

describe('importing a backup’s artifacts', () => {
  it('stores each artifact as a source with its records, and never writes into the backup', async () => {
    const dir = join(t.dir, 'backup');
    writeDemoBackup(dir);
    const before = snapshot(dir);
    const r = await importBackupDevice(t.session, dir, { label: 'Ana' });
    expect(snapshot(dir)).toEqual(before);
    expect(r.problems).toEqual([]);
    expect(r.artifacts.map((o) => [o.importer, o.status, o.counts.records])).toEqual([
      ['ios-backup-tcc', 'imported', 4],
      ['ios-backup-data-usage', 'imported', 2],
      ['ios-backup-location-clients', 'imported', 1],
      ['ios-backup-osanalytics-addaily', 'imported', 1],
      ['ios-backup-configuration-profiles', 'imported', 1],
      ['ios-backup-configuration-profiles', 'imported', 1],
    ]);
    const tccFile = readFileSync(
      join(
        dir,
        fileIdFor('HomeDomain', 'Library/TCC/TCC.db').slice(0, 2),
        fileIdFor('HomeDomain', 'Library/TCC/TCC.db'),
      ),
    );
    const tcc = t.session.sources().find((s) => s.importer === 'ios-backup-tcc');
    expect(tcc).toMatchObject({ fileName: 'TCC.db', size: tccFile.length, counts: { records: 4 } });

    const perms = t.session.queries.records.permissions({});
    expect(perms.map((p) => [p.appName ?? p.app, p.label, p.status, p.reason])).toEqual([
      ['Notes Plus', 'Photos', 'limited', 'user set'],
      ['WeChat', 'Camera', 'denied', 'user consent'],
      ['WeChat', 'Microphone', 'granted', 'user consent'],
      ['WeChat', 'Photos', 'granted', 'user consent'],
      ['WeChat', 'Location (locationd)', 'unknown', 'Authorization 2'],
    ]);
    expect(
      perms.find((p) => p.raw === 'kTCCServicePhotos' && p.status === 'granted'),
    ).toMatchObject({ timeMs: DEMO_PHOTOS_GRANT_MS, offsetMin: 120 });

    const events = [...permissionEvents(t.session, {})].map((e) => permissionEventSchema.parse(e));
    const photos = events.find((e) => e.app === 'com.tencent.xin' && e.raw === 'kTCCServicePhotos');
    expect(photos).toMatchObject({
      appName: 'WeChat',
      category: 'photos',
      status: 'granted',
      time: '2024-05-11T00:15:00.000+02:00',
      sources: [{ sha256: tcc?.sha256, locator: 'HomeDomain Library/TCC/TCC.db › access rowid 1' }],
    });

    const usage = [...networkUsageEvents(t.session, {})].map((e) =>
      networkUsageEventSchema.parse(e),
    );
    expect(usage.map((u) => [u.origin, u.app, u.process, u.wifiIn])).toEqual([
      ['addaily', null, 'WeChat', 73_400_320],
      ['data-usage', null, 'mDNSResponder', 204_800],
      [
        'data-usage',
        'com.tencent.xin',
        '1FB47783-A2FE-47D9-B256-DF50EF44BBA4/com.tencent.xin',
        52_428_800,
      ],
    ]);
    const profiles = [...profileEvents(t.session, {})].map((e) => profileEventSchema.parse(e));
    expect(profiles.map((p) => [p.operation, p.identifier, p.mdm, p.rootCertificate])).toEqual([
      ['install', 'com.acme.mdm.enrollment', false, false],
      ['installed', 'com.acme.mdm.enrollment', true, true],
    ]);

    const details = t.session.queries.records.record(photos!.id);
    expect(details).toMatchObject({
      kind: 'permission',
      raw: { service: 'kTCCServicePhotos', auth_value: 2 },
      source: { importer: 'ios-backup-tcc', sha256: tcc?.sha256 },
    });
    expect(details.doesNotProve.join(' ')).toMatch(/grant is permission, not access/);
    expect(verifyAudit(t.session.db).intact).toBe(true);
  });

  it('does not store an artifact twice, and a second backup of the phone adds only what changed', async () => {
    const dir = join(t.dir, 'backup');
    writeDemoBackup(dir);
    await importBackupDevice(t.session, dir);
    const again = await importBackupDevice(t.session, dir);
    expect(new Set(again.artifacts.map((o) => o.status))).toEqual(new Set(['already-imported']));
    expect(t.session.queries.records.permissions({})).toHaveLength(5);
    expect(t.session.sources()).toHaveLength(6);
  });

  it('puts dated permission records on the timeline, with lanes for apps that have no sessions', async () => {
    const dir = join(t.dir, 'backup');
    writeDemoBackup(dir);
    await importBackupDevice(t.session, dir);
    const tl = t.session.queries.timeline({ filter: {}, width: 1000 });
    expect(tl.extent).not.toBeNull();
    expect(tl.marks.map((m) => [m.category, m.status])).toEqual([
      ['camera', 'denied'],
      ['microphone', 'granted'],
      ['photos', 'limited'],
      ['location', 'unknown'],
      ['photos', 'granted'],
    ]);
    expect(tl.marks).toHaveLength(5);
    expect(new Set(tl.lanes.map((l) => l.appName))).toEqual(new Set(['WeChat', 'Notes Plus']));
    const onlyCamera = t.session.queries.timeline({
      filter: { categories: ['camera'] },
      width: 1000,
    });
    expect(onlyCamera.marks.map((m) => m.status)).toEqual(['denied']);
  });

  it('removes an artifact source with its records and keeps the backup’s app inventory', async () => {
    const dir = join(t.dir, 'backup');
    writeDemoBackup(dir);
    await importBackupDevice(t.session, dir);
    const tcc = t.session.sources().find((s) => s.importer === 'ios-backup-tcc')!;
    t.session.removeSource(tcc.id);
    expect(t.session.queries.records.permissions({}).map((p) => p.origin)).toEqual([
      'location-clients',
    ]);
    expect(t.session.queries.apps().map((a) => a.displayName)).toContain('Notes Plus');
  });

  it('reads an encrypted backup, keeps its keys for the session, and refuses a wrong password with nothing stored', async () => {
    const dir = join(t.dir, 'enc');
    writeDemoBackup(dir, { password: 'pa55' });
    await expect(
      importBackupDevice(t.session, dir, { label: 'Ana', password: 'wrong' }),
    ).rejects.toMatchObject({ code: 'WRONG_PASSWORD' });
    expect(t.session.sources()).toEqual([]);
    expect(t.session.deviceByLabel('Ana')).toBeNull();

    const keys = new BackupKeyCache();
    const r = await importBackupDevice(t.session, dir, {
      label: 'Ana',
      password: 'pa55',
      keyCache: keys,
    });
    expect(r.artifacts.filter((o) => o.status === 'imported')).toHaveLength(6);
    const perms = t.session.queries.records.permissions({});
    expect(perms.find((p) => p.status === 'denied')?.label).toBe('Camera');
    const tcc = t.session.sources().find((s) => s.importer === 'ios-backup-tcc')!;
    const details = JSON.parse(
      (
        t.session.db.prepare('SELECT details FROM sources WHERE id = ?').get(tcc.id) as {
          details: string;
        }
      ).details,
    ) as { encrypted: boolean; plainSha256: string };
    expect(details.encrypted).toBe(true);
    expect(details.plainSha256).not.toBe(tcc.sha256);

    // The second import needs no password: the keys are cached for the session.
    const progress: number[] = [];
    const again = await importBackupDevice(t.session, dir, {
      keyCache: keys,
      onProgress: (f) => progress.push(f),
    });
    expect(again.device.label).toBe('Ana');
    expect(progress).toEqual([1]);
    await expect(importBackupDevice(t.session, dir, {})).rejects.toMatchObject({
      code: 'PASSWORD_REQUIRED',
    });
  });

  it('applies a write-ahead log the backup holds, in a private temporary copy that is removed', async () => {
    const work = join(t.dir, 'walwork');
    mkdirSync(work);
    const live = new Database(join(work, 'TCC.db'));
    live.pragma('journal_mode = WAL');
    live.pragma('wal_autocheckpoint = 0');
    live.exec(
      'CREATE TABLE access (service TEXT, client TEXT, client_type INTEGER, auth_value INTEGER, auth_reason INTEGER, auth_version INTEGER, last_modified INTEGER)',
    );
    live.pragma('wal_checkpoint(TRUNCATE)');
    live
      .prepare(
        "INSERT INTO access VALUES ('kTCCServiceCamera', 'com.example.wal', 0, 2, 2, 1, 1715000000)",
      )
      .run();
    const main = readFileSync(join(work, 'TCC.db'));
    const wal = readFileSync(join(work, 'TCC.db-wal'));
    live.close();
    expect(wal.length).toBeGreaterThan(0);

    const dir = join(t.dir, 'backup');
    writeSyntheticBackup(dir, {
      files: [
        { domain: 'HomeDomain', relativePath: 'Library/TCC/TCC.db', data: main },
        { domain: 'HomeDomain', relativePath: 'Library/TCC/TCC.db-wal', data: wal },
      ],
    });
    const tempRoot = join(t.dir, 'tmp');
    mkdirSync(tempRoot);
    // The private copy goes to the system's temporary folder, here one of the test's own.
    const before = process.env.TMPDIR;
    process.env.TMPDIR = tempRoot;
    let r;
    try {
      r = await importBackupDevice(t.session, dir);
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
    }
    const tccOutcome = r.artifacts.find((o) => o.importer === 'ios-backup-tcc')!;
    expect(tccOutcome.warnings.map((w) => w.message).join(' ')).toMatch(
      /-wal; its changes were applied/,
    );
    expect(t.session.queries.records.permissions({}).map((p) => p.app)).toEqual([
      'com.example.wal',
    ]);
    expect(readdirSync(tempRoot)).toEqual([]);
    expect(readdirSync(dir).some((n) => n.endsWith('-wal') || n.endsWith('-shm'))).toBe(false);
  });

  it('refuses an artifact whose file is missing from the folder and keeps the others', async () => {
    const dir = join(t.dir, 'backup');
    writeDemoBackup(dir);
    const id = fileIdFor('HomeDomain', 'Library/TCC/TCC.db');
    rmSync(join(dir, id.slice(0, 2), id));
    const r = await importBackupDevice(t.session, dir);
    const tcc = r.artifacts.find((o) => o.importer === 'ios-backup-tcc');
    expect(tcc).toMatchObject({
      status: 'refused',
      error: expect.stringMatching(/missing from the backup folder/),
    });
    expect(r.artifacts.filter((o) => o.status === 'imported')).toHaveLength(5);
  });

  it('notes artifacts the backup does not hold', async () => {
    const dir = join(t.dir, 'backup');
    writeDemoBackup(dir, { omit: ['DataUsage.sqlite'] });
    const r = await importBackupDevice(t.session, dir);
    expect(r.problems).toEqual([
      expect.stringMatching(/DataUsage.sqlite \(network usage\): not in this backup/),
    ]);
    expect(demoBackupFiles({ omit: ['DataUsage.sqlite'] })).toHaveLength(5);
  });
});
