import { describe, expect, it } from 'vitest';
import { parsePackages, parsePackagesJson, uidToAppId } from './packages';

// Synthetic `dumpsys package` excerpts written from the shapes in android-sources.md §3: an
// Android 10 block (times and install permissions in the block, runtime permissions under
// `User 0:`) and an Android 16 block (`appId=`, installer fields, `firstInstallTime` and
// `installReason` under `User N:`). Package names, hashes and times are invented.
const ANDROID_10 = [
  'Verifiers:',
  '  Required: com.example.store (uid=10019)',
  '',
  'Packages:',
  '  Package [com.example.camera] (ab12cd):',
  '    userId=10143',
  '    pkg=Package{1a2b3c com.example.camera}',
  '    codePath=/data/app/com.example.camera-1',
  '    versionCode=4021 minSdk=24 targetSdk=29',
  '    versionName=4.2.1 beta',
  '    flags=[ HAS_CODE ALLOW_CLEAR_USER_DATA ALLOW_BACKUP ]',
  '    timeStamp=2021-03-02 10:11:12',
  '    firstInstallTime=2021-03-02 10:11:13',
  '    lastUpdateTime=2021-07-08 09:00:01',
  '    installerPackageName=com.example.store',
  '    declared permissions:',
  '      com.example.camera.permission.PRIVATE: prot=signature, INSTALLED',
  '    requested permissions:',
  '      android.permission.CAMERA',
  '      android.permission.INTERNET',
  '      android.permission.READ_SMS: restricted=true',
  '    install permissions:',
  '      android.permission.INTERNET: granted=true',
  '    User 0: ceDataInode=123 installed=true hidden=false suspended=false stopped=false notLaunched=false enabled=0 instant=false virtual=false',
  '      gids=[3003]',
  '      runtime permissions:',
  '        android.permission.CAMERA: granted=true, flags=[ USER_SET|USER_SENSITIVE_WHEN_GRANTED|USER_SENSITIVE_WHEN_DENIED]',
  '        android.permission.READ_SMS: granted=false, flags=[ USER_SENSITIVE_WHEN_GRANTED|RESTRICTION_UPGRADE_EXEMPT]',
  '    User 10: ceDataInode=456 installed=true hidden=false',
  '      runtime permissions:',
  '        android.permission.CAMERA: granted=false',
  '  Package [com.example.system.ui] (ef34):',
  '    userId=1000',
  '    sharedUser=SharedUserSetting{99 android.uid.system/1000}',
  '    versionCode=30 minSdk=29 targetSdk=29',
  '    versionName=null',
  '    firstInstallTime=2008-12-31 16:00:00',
  '    lastUpdateTime=yesterday',
  '    User 0: ceDataInode=1 installed=true',
  '',
  '',
  '  APEX session state:',
  '    userId=1',
  '',
  'Hidden system packages:',
  '  Package [com.example.hidden] (77):',
  '    userId=10001',
].join('\n');

const ANDROID_16 = [
  'Packages:',
  '  Package [com.example.sideloaded] (5c5c5c):',
  '    appId=13121',
  '    pccId=-1',
  '    versionCode=7 minSdk=26 targetSdk=36',
  '    versionName=0.7',
  '    flags=[ DEBUGGABLE HAS_CODE ALLOW_CLEAR_USER_DATA ]',
  '    timeStamp=2026-01-05 16:00:41',
  '    lastUpdateTime=2026-01-05 16:00:41',
  '    installerPackageName=null',
  '    installerPackageUid=-1',
  '    initiatingPackageName=com.android.shell',
  '    originatingPackageName=null',
  '    packageSource=1',
  '    requested permissions:',
  '      android.permission.ACCESS_FINE_LOCATION',
  '    install permissions:',
  '    User 0: ceDataInode=0 deDataInode=2 installed=true hidden=false stopped=true notLaunched=true enabled=0',
  '      installReason=4',
  '      dataDir=/data/user/0/com.example.sideloaded',
  '      firstInstallTime=2026-01-05 16:00:41',
  '      uninstallReason=0',
  '      overlay paths:',
  '        /product/overlay/Example.apk',
  '      gids=[3003]',
  '      runtime permissions:',
  '        android.permission.ACCESS_FINE_LOCATION: granted=true, flags=[ USER_SET|ONE_TIME]',
  '',
  'Queries:',
  '  system apps queryable: false',
].join('\n');

describe('parsePackages: Android 10 shape', () => {
  const r = parsePackages(ANDROID_10);

  it('reads only the Packages: section', () => {
    expect(r.records.map((p) => [p.packageName, p.line])).toEqual([
      ['com.example.camera', 5],
      ['com.example.system.ui', 32],
    ]);
  });

  it('reads the block fields', () => {
    const cam = r.records[0];
    expect(cam).toMatchObject({
      packageName: 'com.example.camera',
      userId: 10143,
      versionCode: '4021',
      versionName: '4.2.1 beta',
      minSdk: 24,
      targetSdk: 29,
      firstInstallTime: { text: '2021-03-02 10:11:13', wallMs: Date.UTC(2021, 2, 2, 10, 11, 13) },
      lastUpdateTime: { text: '2021-07-08 09:00:01', wallMs: Date.UTC(2021, 6, 8, 9, 0, 1) },
      installer: 'com.example.store',
      initiatingPackage: null,
      installReason: null,
      appFlags: ['HAS_CODE', 'ALLOW_CLEAR_USER_DATA', 'ALLOW_BACKUP'],
    });
  });

  it('reads requested, install and per-user runtime permissions', () => {
    expect(r.records[0]?.permissions).toEqual([
      {
        name: 'android.permission.CAMERA',
        kind: 'requested',
        granted: null,
        flags: [],
        user: null,
      },
      {
        name: 'android.permission.INTERNET',
        kind: 'requested',
        granted: null,
        flags: [],
        user: null,
      },
      {
        name: 'android.permission.READ_SMS',
        kind: 'requested',
        granted: null,
        flags: ['restricted=true'],
        user: null,
      },
      {
        name: 'android.permission.INTERNET',
        kind: 'install',
        granted: true,
        flags: [],
        user: null,
      },
      {
        name: 'android.permission.CAMERA',
        kind: 'runtime',
        granted: true,
        flags: ['USER_SET', 'USER_SENSITIVE_WHEN_GRANTED', 'USER_SENSITIVE_WHEN_DENIED'],
        user: 0,
      },
      {
        name: 'android.permission.READ_SMS',
        kind: 'runtime',
        granted: false,
        flags: ['USER_SENSITIVE_WHEN_GRANTED', 'RESTRICTION_UPGRADE_EXEMPT'],
        user: 0,
      },
      { name: 'android.permission.CAMERA', kind: 'runtime', granted: false, flags: [], user: 10 },
    ]);
  });

  it('maps "null" to null and reports an unreadable time', () => {
    const sys = r.records[1];
    expect(sys).toMatchObject({
      userId: 1000,
      versionName: null,
      lastUpdateTime: null,
      permissions: [],
    });
    expect(r.problems).toEqual([
      { line: 38, message: 'lastUpdateTime "yesterday" is not a date and time.' },
    ]);
  });
});

describe('parsePackages: Android 16 shape', () => {
  const r = parsePackages(ANDROID_16);

  it('takes appId, installer fields and the per-user install time and reason', () => {
    expect(r.problems).toEqual([]);
    expect(r.records).toHaveLength(1);
    expect(r.records[0]).toEqual({
      packageName: 'com.example.sideloaded',
      userId: 13121,
      versionCode: '7',
      versionName: '0.7',
      minSdk: 26,
      targetSdk: 36,
      firstInstallTime: { text: '2026-01-05 16:00:41', wallMs: Date.UTC(2026, 0, 5, 16, 0, 41) },
      lastUpdateTime: { text: '2026-01-05 16:00:41', wallMs: Date.UTC(2026, 0, 5, 16, 0, 41) },
      installer: null,
      initiatingPackage: 'com.android.shell',
      installReason: '4',
      appFlags: ['DEBUGGABLE', 'HAS_CODE', 'ALLOW_CLEAR_USER_DATA'],
      permissions: [
        {
          name: 'android.permission.ACCESS_FINE_LOCATION',
          kind: 'requested',
          granted: null,
          flags: [],
          user: null,
        },
        {
          name: 'android.permission.ACCESS_FINE_LOCATION',
          kind: 'runtime',
          granted: true,
          flags: ['USER_SET', 'ONE_TIME'],
          user: 0,
        },
      ],
      line: 2,
    });
  });

  it('prefers the lowest user for the per-user install time', () => {
    const text = [
      'Packages:',
      '  Package [com.example.two] (1):',
      '    appId=10200',
      '    User 10: ceDataInode=1 installed=true',
      '      firstInstallTime=2026-02-01 00:00:00',
      '    User 0: ceDataInode=1 installed=true',
      '      firstInstallTime=2026-01-01 00:00:00',
    ].join('\n');
    expect(parsePackages(text).records[0]?.firstInstallTime?.text).toBe('2026-01-01 00:00:00');
  });

  it('reports a permission line it cannot read', () => {
    const text = [
      'Packages:',
      '  Package [com.example.bad] (1):',
      '    install permissions:',
      '      android.permission.INTERNET: maybe',
    ].join('\n');
    const parsed = parsePackages(text);
    expect(parsed.records[0]?.permissions).toEqual([]);
    expect(parsed.problems).toEqual([
      { line: 4, message: 'Unreadable permission line: android.permission.INTERNET: maybe' },
    ]);
  });
});

describe('uidToAppId', () => {
  it('maps printed uids to app ids', () => {
    expect(uidToAppId('u0a103')).toBe(10103);
    expect(uidToAppId('u10a5')).toBe(10005);
    expect(uidToAppId('u0s1000')).toBe(1000);
    expect(uidToAppId('1000')).toBe(1000);
    expect(uidToAppId('0')).toBe(0);
    expect(uidToAppId('10103')).toBe(10103);
    expect(uidToAppId('1010103')).toBe(10103);
  });

  it('gives null for isolated processes and non-uids', () => {
    expect(uidToAppId('u0i1')).toBeNull();
    expect(uidToAppId('u0ai3')).toBeNull();
    expect(uidToAppId('99001')).toBeNull();
    expect(uidToAppId('90000')).toBeNull();
    expect(uidToAppId('u0a80000')).toBeNull();
    expect(uidToAppId('com.example')).toBeNull();
    expect(uidToAppId('-1')).toBeNull();
    expect(uidToAppId('')).toBeNull();
  });
});

describe('parsePackagesJson', () => {
  it('reads AndroidQF entries; the string "null" is no installer', () => {
    const text = JSON.stringify([
      {
        name: 'com.example.chat',
        files: [{ path: '/data/app/~~x==/com.example.chat-y==/base.apk', sha256: 'ab'.repeat(32) }],
        installer: 'null',
        uid: 10271,
        disabled: false,
        system: false,
        third_party: true,
      },
      {
        name: 'com.example.store',
        files: [],
        installer: 'com.example.installer',
        uid: 1010194,
        disabled: true,
        system: true,
        third_party: false,
      },
      { files: [] },
    ]);
    expect(parsePackagesJson(text)).toEqual([
      {
        name: 'com.example.chat',
        installer: null,
        uid: 10271,
        appId: 10271,
        system: false,
        thirdParty: true,
        disabled: false,
        files: [{ path: '/data/app/~~x==/com.example.chat-y==/base.apk', sha256: 'ab'.repeat(32) }],
        index: 0,
      },
      {
        name: 'com.example.store',
        installer: 'com.example.installer',
        uid: 1010194,
        appId: 10194,
        system: true,
        thirdParty: false,
        disabled: true,
        files: [],
        index: 1,
      },
    ]);
  });

  it('throws a plain message for text that is not a JSON array', () => {
    expect(() => parsePackagesJson('{"name": "x"}')).toThrow('packages.json is not a JSON array.');
    expect(() => parsePackagesJson('[{"name": ')).toThrow(
      /^packages\.json is not valid JSON \(.+\)\.$/,
    );
    expect(() => parsePackagesJson(' \n')).toThrow('packages.json is empty.');
  });
});
