import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedFixtures } from '../../testing/shared-fixtures';
import { parsePackages, parsePackagesJson } from './packages';

// Real third-party data (MVT tests/artifacts, Samsung, Android 10 layout), read in place and
// never copied (see shared/fixtures/README.md).
const dir = sharedFixtures('android');

/** The `DUMP OF SERVICE package:` section of a full dumpsys text, and its first line number. */
function packageSection(text: string): { text: string; firstLine: number } {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l === 'DUMP OF SERVICE package:');
  if (start === -1) throw new Error('no package section');
  let end = start + 1;
  while (end < lines.length && !/^-{79}$/.test(lines[end] ?? '')) end++;
  return { text: lines.slice(start, end).join('\n'), firstLine: start + 1 };
}

describe.skipIf(dir === null)('conformance: real dumpsys package (MVT)', () => {
  it('reads the two packages of android_data/dumpsys_packages.txt with their permissions', () => {
    const text = readFileSync(join(dir!, 'android_data', 'dumpsys_packages.txt'), 'utf8');
    const { records, problems } = parsePackages(text);
    expect(problems).toEqual([]);
    expect(records.map((p) => [p.packageName, p.userId, p.line])).toEqual([
      ['com.samsung.android.provider.filterprovider', 1000, 40],
      ['com.sec.android.app.DataCreate', 10143, 76],
    ]);

    const filter = records[0];
    expect(filter).toMatchObject({
      versionCode: '500700000',
      versionName: '5.0.07',
      minSdk: 28,
      targetSdk: 28,
      installer: null,
      appFlags: ['SYSTEM', 'HAS_CODE', 'ALLOW_CLEAR_USER_DATA'],
      permissions: [],
    });
    // Declared permissions are not grants.
    expect(filter?.firstInstallTime?.text).toBe('2008-12-31 16:00:00');

    const data = records[1];
    expect(data).toMatchObject({
      versionCode: '1',
      versionName: '1.0',
      targetSdk: 29,
      firstInstallTime: { text: '2008-12-31 16:00:00' },
      lastUpdateTime: { text: '2008-12-31 16:00:00' },
    });
    const perms = data?.permissions ?? [];
    const count = (kind: string) => perms.filter((p) => p.kind === kind).length;
    expect([count('requested'), count('install'), count('runtime')]).toEqual([11, 20, 13]);
    expect(perms.filter((p) => p.kind === 'install').every((p) => p.granted === true)).toBe(true);
    const runtime = perms.filter((p) => p.kind === 'runtime');
    expect(runtime.every((p) => p.granted === false && p.user === 0)).toBe(true);
    expect(runtime.find((p) => p.name === 'android.permission.CAMERA')).toEqual({
      name: 'android.permission.CAMERA',
      kind: 'runtime',
      granted: false,
      flags: ['USER_SENSITIVE_WHEN_GRANTED'],
      user: 0,
    });
    expect(
      runtime.find((p) => p.name === 'android.permission.READ_EXTERNAL_STORAGE')?.flags,
    ).toEqual([
      'REVOKE_WHEN_REQUESTED',
      'USER_SENSITIVE_WHEN_GRANTED',
      'RESTRICTION_UPGRADE_EXEMPT',
    ]);
  });

  it('reads the package section of androidqf/dumpsys.txt (two blocks without permissions)', () => {
    // The file holds binary ABX bytes in another section; latin1 keeps every byte one character.
    const full = readFileSync(join(dir!, 'androidqf', 'dumpsys.txt'), 'latin1');
    const section = packageSection(full);
    expect(section.firstLine).toBe(52);
    const { records, problems } = parsePackages(section.text);
    expect(problems).toEqual([]);
    expect(
      records.map((p) => [p.packageName, p.userId, p.versionCode, p.line + section.firstLine - 1]),
    ).toEqual([
      ['com.samsung.android.provider.filterprovider', 1000, '500700000', 91],
      ['com.sec.android.app.DataCreate', 10143, '1', 121],
    ]);
    expect(records.every((p) => p.permissions.length === 0)).toBe(true);
    expect(records[1]?.lastUpdateTime?.text).toBe('2008-12-31 16:00:00');
    // The whole file gives the same packages: other services have no `Packages:` section.
    expect(parsePackages(full).records.map((p) => p.packageName)).toEqual(
      records.map((p) => p.packageName),
    );
  });

  it('reads the 7 entries of androidqf/packages.json', () => {
    const text = readFileSync(join(dir!, 'androidqf', 'packages.json'), 'utf8');
    const pkgs = parsePackagesJson(text);
    expect(pkgs).toHaveLength(7);
    expect(pkgs.map((p) => [p.name, p.installer, p.uid, p.system, p.thirdParty])).toEqual([
      ['com.whatsapp', null, 10271, false, true],
      ['app.revanced.manager.flutter', 'com.google.android.packageinstaller', 10266, false, true],
      ['com.google.android.youtube', 'com.google.android.packageinstaller', 10194, true, false],
      ['org.fdroid.fdroid', 'com.google.android.packageinstaller', 10267, false, true],
      ['org.nuclearfog.apollo', 'org.fdroid.fdroid', 10272, false, true],
      ['com.malware.blah', null, 10058, true, false],
      ['com.malware.muahaha', null, 10058, true, false],
    ]);
    expect(pkgs.every((p) => p.disabled === false && p.files.length === 1)).toBe(true);
    expect(pkgs[0]?.files[0]).toEqual({
      path: '/data/app/~~/com.whatsapp-~~/base.apk',
      sha256: '744ed47f8176ec423840344c33e88bd2c96e8988cda0797f3415bb5229efc12b',
    });
  });
});
