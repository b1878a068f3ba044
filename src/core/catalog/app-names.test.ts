import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../db/open';
import { MIGRATIONS } from '../db/migrations';
import { AppResolver } from '../db/queries/apps';
import { sessionWhere, whereSql } from '../services/filter-sql';
import { tempCase, type TempCase } from '../testing/temp-case';
import { recordBackupApp, resolveAppName } from './app-names';
import { suggestAppPairings } from './pairing-suggestions';
import { renameApp } from './rename-app';

let tc: TempCase | null = null;
afterEach(() => {
  tc?.cleanup();
  tc = null;
});

interface Row {
  display_name: string | null;
  name_source: string | null;
  backup_name: string | null;
  user_name: string | null;
  catalog_id: string | null;
}
const row = (t: TempCase, deviceId: number, identifier: string): Row =>
  t.session.db
    .prepare(
      'SELECT display_name, name_source, backup_name, user_name, catalog_id FROM apps WHERE device_id = ? AND identifier = ?',
    )
    .get(deviceId, identifier) as Row;

describe('resolveAppName', () => {
  it('chooses backup > examiner > catalog > nothing', () => {
    expect(resolveAppName('com.tencent.xin', 'ios', '微信', 'Chat app').displayName).toBe('微信');
    expect(resolveAppName('com.tencent.xin', 'ios', null, 'Chat app').displayName).toBe('Chat app');
    const cat = resolveAppName('com.tencent.xin', 'ios', null, null);
    expect(cat).toMatchObject({
      displayName: 'WeChat',
      source: 'catalog',
      catalogId: 'com.tencent.xin',
    });
    expect(cat.searchNames).toBe('|wechat|微信|');
    expect(resolveAppName('com.example.x', 'ios', null, null)).toEqual({
      displayName: null,
      source: null,
      catalogId: null,
      searchNames: null,
    });
  });
});

describe('app names in the case', () => {
  it('names a new app from the catalog as soon as an importer stores it', () => {
    tc = tempCase();
    new AppResolver(tc.session.db, tc.deviceId).idFor('ABCDE12345.com.tencent.xin.sharetodesktop');
    expect(row(tc, tc.deviceId, 'ABCDE12345.com.tencent.xin.sharetodesktop')).toMatchObject({
      display_name: 'WeChat (extension)',
      name_source: 'catalog',
      catalog_id: 'com.tencent.xin',
    });
  });

  it("keeps the device backup's name over the catalog and the examiner's", () => {
    tc = tempCase();
    const db = tc.session.db;
    new AppResolver(db, tc.deviceId).idFor('com.tencent.xin');
    recordBackupApp(db, tc.deviceId, 'com.tencent.xin', '微信', '8.0.50');
    expect(row(tc, tc.deviceId, 'com.tencent.xin')).toMatchObject({
      display_name: '微信',
      name_source: 'backup',
    });
    const [named] = renameApp(db, { identifier: 'com.tencent.xin', name: 'Messenger of the case' });
    expect(named).toMatchObject({
      displayName: '微信',
      nameSource: 'backup',
      userName: 'Messenger of the case',
    });
  });

  it('lets the examiner name an app on every device or one, audited, and clear it', () => {
    tc = tempCase();
    const db = tc.session.db;
    const other = tc.session.createDevice({ label: 'Phone B', platform: 'ios' }).id;
    new AppResolver(db, tc.deviceId).idFor('com.example.tracker');
    new AppResolver(db, other).idFor('com.example.tracker');
    const all = renameApp(db, { identifier: 'com.example.tracker', name: 'Tracker' });
    expect(all.map((a) => [a.device, a.displayName, a.nameSource])).toEqual([
      ['Phone A', 'Tracker', 'user'],
      ['Phone B', 'Tracker', 'user'],
    ]);
    renameApp(db, { identifier: 'com.example.tracker', name: null, deviceId: other });
    expect(row(tc, other, 'com.example.tracker').display_name).toBeNull();
    expect(row(tc, tc.deviceId, 'com.example.tracker').display_name).toBe('Tracker');
    const audit = db
      .prepare("SELECT action, details FROM audit_log WHERE action LIKE 'app-name%' ORDER BY seq")
      .all() as { action: string; details: string }[];
    expect(audit.map((a) => a.action)).toEqual(['app-named', 'app-name-cleared']);
    expect(JSON.parse(audit[0]!.details)).toMatchObject({
      identifier: 'com.example.tracker',
      name: 'Tracker',
    });
    expect(() => renameApp(db, { identifier: 'com.example.none', name: 'X' })).toThrow(
      /No app com.example.none/,
    );
    expect(() => renameApp(db, { identifier: 'com.example.tracker', name: '  ' })).toThrow(/empty/);
  });

  it('matches the app filter by catalog names and native names, not only by identifier', () => {
    tc = tempCase();
    const db = tc.session.db;
    const wechat = new AppResolver(db, tc.deviceId).idFor('com.tencent.xin');
    new AppResolver(db, tc.deviceId).idFor('com.apple.camera');
    const appIds = (apps: string[]): number[] => {
      const w = sessionWhere({ apps }, 0);
      // The app clause is the first: read the ids it selects straight from the apps table.
      const clause = w.clauses[0]!.replace(/^s\.app_id IN /, '');
      return (
        db.prepare(`SELECT id FROM apps WHERE id IN ${clause}`).all(...w.params) as { id: number }[]
      ).map((r) => r.id);
    };
    expect(appIds(['微信'])).toEqual([wechat]);
    expect(appIds(['WeChat'])).toEqual([wechat]);
    expect(appIds(['wechat'])).toEqual([wechat]);
    expect(appIds(['com.tencent.xin'])).toEqual([wechat]);
    expect(appIds(['wech'])).toEqual([]);
    expect(whereSql(sessionWhere({ apps: ['50%_'] }, 0))).toContain('ESCAPE');
  });

  it('finds apps by name in the timeline search', () => {
    tc = tempCase();
    const db = tc.session.db;
    const wechat = new AppResolver(db, tc.deviceId).idFor('com.tencent.xin');
    const like = (term: string): number[] =>
      (
        db
          .prepare(
            "SELECT id FROM apps WHERE identifier LIKE ? ESCAPE '\\' OR display_name LIKE ? ESCAPE '\\' OR search_names LIKE ? ESCAPE '\\'",
          )
          .all(`%${term}%`, `%${term}%`, `%${term}%`.toLowerCase()) as { id: number }[]
      ).map((r) => r.id);
    expect(like('微信')).toEqual([wechat]);
    expect(like('WECHAT')).toEqual([wechat]);
  });

  it('suggests pairing iOS and Android identifiers the catalog lists as one app', () => {
    tc = tempCase();
    const db = tc.session.db;
    const android = tc.session.createDevice({ label: 'Pixel', platform: 'android' }).id;
    recordBackupApp(db, tc.deviceId, 'com.xingin.discover', '小红书', null);
    new AppResolver(db, android).idFor('com.xingin.xhs');
    new AppResolver(db, tc.deviceId).idFor('com.tencent.xin');
    new AppResolver(db, android).idFor('com.tencent.mm');
    const s = suggestAppPairings(db);
    expect(s).toContainEqual({
      name: 'WeChat',
      a: 'com.tencent.xin',
      b: 'com.tencent.mm',
      reason: 'catalog',
    });
    // The backup's Chinese name differs from the catalog's English one: only the catalog pairs them.
    expect(s).toContainEqual({
      name: 'Xiaohongshu (RedNote)',
      a: 'com.xingin.discover',
      b: 'com.xingin.xhs',
      reason: 'catalog',
    });
    expect(s.filter((x) => x.a === 'com.tencent.xin')).toHaveLength(1);
    db.prepare(
      "INSERT INTO app_pairings (a, b, created_at) VALUES ('com.tencent.mm', 'com.tencent.xin', 0)",
    ).run();
    expect(suggestAppPairings(db).some((x) => x.a === 'com.tencent.xin')).toBe(false);
  });
});

describe('migration 0011', () => {
  it('keeps names stored before it as backup names and fills catalog names', () => {
    const db = new Database(':memory:');
    migrate(
      db,
      MIGRATIONS.filter((m) => m.version < 11),
    );
    db.prepare(
      "INSERT INTO devices (id, label, platform, created_at) VALUES (1, 'P', 'ios', 0)",
    ).run();
    db.prepare(
      "INSERT INTO apps (device_id, identifier, display_name) VALUES (1, 'com.tencent.xin', '微信')",
    ).run();
    db.prepare("INSERT INTO apps (device_id, identifier) VALUES (1, 'com.apple.camera')").run();
    migrate(db);
    const rows = db
      .prepare(
        'SELECT identifier, display_name, name_source, backup_name FROM apps ORDER BY identifier',
      )
      .all();
    expect(rows).toEqual([
      {
        identifier: 'com.apple.camera',
        display_name: 'Camera',
        name_source: 'catalog',
        backup_name: null,
      },
      {
        identifier: 'com.tencent.xin',
        display_name: '微信',
        name_source: 'backup',
        backup_name: '微信',
      },
    ]);
    db.close();
  });
});
