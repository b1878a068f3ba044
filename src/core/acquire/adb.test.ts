import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, win32 } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  NO_DEVICE_HINT,
  NO_PERMISSIONS_PROBLEM,
  OFFLINE_PROBLEM,
  UNAUTHORIZED_PROBLEM,
  adbInstallHint,
  adbStateProblem,
  findAdb,
  isAdbSerial,
  listAdbDevices,
  parseAdbDevices,
  sdkPlatformToolsDirs,
} from './adb';
import { PIXEL, writeStandInAdb, type StandInAdb } from './testing/stand-in-adb';
import { touchExecutable } from './testing/touch';

const posix = describe.skipIf(process.platform === 'win32');

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'snoopscope-adb-find-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

posix('findAdb', () => {
  it('takes the configured executable, or searches the configured folder before PATH', async () => {
    const chosen = touchExecutable(join(root, 'chosen'), 'adb');
    const onPath = touchExecutable(join(root, 'bin'), 'adb');
    const env = { PATH: join(root, 'bin') };
    expect(await findAdb({ env, platform: 'linux', configuredPath: chosen, home: root })).toBe(
      chosen,
    );
    expect(
      await findAdb({ env, platform: 'linux', configuredPath: join(root, 'chosen'), home: root }),
    ).toBe(chosen);
    expect(await findAdb({ env, platform: 'linux', home: root })).toBe(onPath);
    // A configured file that cannot run is reported as not found, not silently replaced.
    const broken = touchExecutable(join(root, 'broken'), 'adb', 0o644);
    expect(
      await findAdb({ env, platform: 'linux', configuredPath: broken, home: root }),
    ).toBeNull();
  });

  it('skips PATH entries whose adb is not executable or is a folder', async () => {
    touchExecutable(join(root, 'a'), 'adb', 0o644);
    mkdirSync(join(root, 'b', 'adb'), { recursive: true });
    const good = touchExecutable(join(root, 'c'), 'adb');
    const env = { PATH: [join(root, 'a'), '', join(root, 'b'), join(root, 'c')].join(':') };
    expect(await findAdb({ env, platform: 'freebsd', home: root })).toBe(good);
  });

  it('falls back to ANDROID_HOME, then ANDROID_SDK_ROOT, then the SDK in the home folder', async () => {
    const sdkRoot = touchExecutable(join(root, 'sdk-root', 'platform-tools'), 'adb');
    const linuxHome = touchExecutable(join(root, 'Android', 'Sdk', 'platform-tools'), 'adb');
    const env = {
      PATH: '',
      ANDROID_HOME: join(root, 'none'),
      ANDROID_SDK_ROOT: join(root, 'sdk-root'),
    };
    expect(await findAdb({ env, platform: 'linux', home: root })).toBe(sdkRoot);
    expect(await findAdb({ env: { PATH: '' }, platform: 'linux', home: root })).toBe(linuxHome);
    const androidHome = touchExecutable(join(root, 'home-sdk', 'platform-tools'), 'adb');
    expect(
      await findAdb({
        env: { ...env, ANDROID_HOME: join(root, 'home-sdk') },
        platform: 'linux',
        home: root,
      }),
    ).toBe(androidHome);
  });

  it('looks in ~/Library/Android/sdk on macOS', async () => {
    const mac = touchExecutable(join(root, 'Library', 'Android', 'sdk', 'platform-tools'), 'adb');
    expect(await findAdb({ env: { PATH: '' }, platform: 'darwin', home: root })).toBe(mac);
  });

  it('finds nothing when adb is nowhere', async () => {
    expect(await findAdb({ env: { PATH: root }, platform: 'freebsd', home: root })).toBeNull();
  });
});

describe('findAdb on Windows', () => {
  it('reads Path and PATHEXT case-insensitively, keeps .exe, and needs no execute bit', async () => {
    touchExecutable(join(root, 'a'), 'adb.cmd');
    const exe = touchExecutable(join(root, 'b'), 'adb.exe', 0o644);
    expect(
      await findAdb({
        env: { Path: `"${join(root, 'a')}";${join(root, 'b')}`, PathExt: '.COM;.EXE;.CMD' },
        platform: 'win32',
        home: root,
      }),
    ).toBe(exe);
  });

  it('lists %LOCALAPPDATA%\\Android\\Sdk\\platform-tools after the SDK variables', () => {
    expect(
      sdkPlatformToolsDirs(
        'win32',
        { LocalAppData: 'C:\\Users\\ann\\AppData\\Local', ANDROID_SDK_ROOT: 'D:\\sdk' },
        'C:\\Users\\ann',
      ),
    ).toEqual([
      win32.join('D:\\sdk', 'platform-tools'),
      'C:\\Users\\ann\\AppData\\Local\\Android\\Sdk\\platform-tools',
    ]);
    expect(sdkPlatformToolsDirs('linux', {}, '/home/ann')).toEqual([
      '/home/ann/Android/Sdk/platform-tools',
      '/usr/bin',
      '/usr/local/bin',
    ]);
    expect(sdkPlatformToolsDirs('darwin', { ANDROID_HOME: '/opt/sdk' }, '/Users/ann')).toEqual([
      '/opt/sdk/platform-tools',
      '/Users/ann/Library/Android/sdk/platform-tools',
      '/opt/homebrew/bin',
      '/usr/local/bin',
    ]);
  });
});

describe('adbInstallHint', () => {
  it('names the install command of each OS and downloads nothing', () => {
    expect(adbInstallHint('darwin')).toContain('brew install --cask android-platform-tools');
    expect(adbInstallHint('linux')).toContain('sudo apt install adb');
    expect(adbInstallHint('win32')).toContain('developer.android.com');
    expect(adbInstallHint('win32')).toContain('PATH');
    for (const p of ['darwin', 'linux', 'win32', 'freebsd'] as const) {
      expect(adbInstallHint(p)).toMatch(
        /^Capturing from an Android phone needs adb, from Google's Android SDK Platform-Tools/,
      );
    }
  });
});

describe('parseAdbDevices', () => {
  it('reads every state, the key:value fields, and skips the header and server messages', () => {
    const text = [
      '* daemon not running; starting now at tcp:5037',
      '* daemon started successfully',
      'List of devices attached',
      '2B121FDH200ABC         device usb:1-1 product:panther model:Pixel_7 device:panther transport_id:3',
      'R58N12ABCDE            unauthorized usb:1-2 transport_id:4',
      'emulator-5554          offline transport_id:5',
      '0123456789ABCDEF       no permissions (missing udev rules? user is in the plugdev group); see [http://developer.android.com/tools/device.html] usb:3-1 transport_id:6',
      'ZY22GXYZ               recovery usb:1-4 product:foo model:moto_g device:foo transport_id:7',
      'ZY22GXYQ               sideload',
      '192.168.1.5:5555       device product:oriole model:Pixel_6 device:oriole transport_id:8',
      '',
    ].join('\r\n');
    const devices = parseAdbDevices(text);
    expect(devices.map((d) => [d.serial, d.state])).toEqual([
      ['2B121FDH200ABC', 'device'],
      ['R58N12ABCDE', 'unauthorized'],
      ['emulator-5554', 'offline'],
      ['0123456789ABCDEF', 'no permissions'],
      ['ZY22GXYZ', 'recovery'],
      ['ZY22GXYQ', 'sideload'],
      ['192.168.1.5:5555', 'device'],
    ]);
    expect(devices[0]).toEqual({
      serial: '2B121FDH200ABC',
      state: 'device',
      model: 'Pixel 7',
      product: 'panther',
      deviceName: 'panther',
      usb: '1-1',
      transportId: 3,
      problem: null,
    });
    expect(devices[1]).toMatchObject({
      model: null,
      transportId: 4,
      problem: UNAUTHORIZED_PROBLEM,
    });
    expect(devices[2]!.problem).toBe(OFFLINE_PROBLEM);
    expect(devices[3]).toMatchObject({
      usb: '3-1',
      transportId: 6,
      problem: NO_PERMISSIONS_PROBLEM,
    });
    expect(devices[4]!.problem).toBe(
      'The phone is in recovery mode: restart it into Android, unlock it and try again.',
    );
    expect(devices[5]!.transportId).toBeNull();
    expect(devices[6]).toMatchObject({ model: 'Pixel 6', usb: null, problem: null });
  });

  it('explains unknown states and ready ones', () => {
    expect(adbStateProblem('device')).toBeNull();
    expect(adbStateProblem('authorizing')).toBe(UNAUTHORIZED_PROBLEM);
    expect(adbStateProblem('weird')).toBe(
      'adb reports the phone as “weird”; it must be “device” (connected and allowed) to capture.',
    );
    expect(NO_PERMISSIONS_PROBLEM).toContain('51-android.rules');
    expect(NO_PERMISSIONS_PROBLEM).toContain('plugdev');
    expect(UNAUTHORIZED_PROBLEM).toContain('Allow USB debugging?');
  });

  it('reads a transport id too long for a safe integer as not listed', () => {
    const devices = parseAdbDevices(
      `A device transport_id:${'9'.repeat(400)}\nB device transport_id:${'1'.repeat(17)}\nC device transport_id:${'9'.repeat(15)}\n`,
    );
    expect(devices.map((d) => d.transportId)).toEqual([null, null, 999_999_999_999_999]);
  });

  it('returns nothing for an empty listing', () => {
    expect(parseAdbDevices('List of devices attached\n\n')).toEqual([]);
  });
});

describe('isAdbSerial', () => {
  it('accepts USB and network serials and refuses what would read as an option or hold spaces', () => {
    expect(isAdbSerial('2B121FDH200ABC')).toBe(true);
    expect(isAdbSerial('192.168.1.5:5555')).toBe(true);
    expect(isAdbSerial('adb-R58N12-abc._adb-tls-connect._tcp')).toBe(true);
    expect(isAdbSerial('-s')).toBe(false);
    expect(isAdbSerial('a b')).toBe(false);
    expect(isAdbSerial('')).toBe(false);
    expect(isAdbSerial('ab\u0007')).toBe(false);
  });
});

posix('listAdbDevices', () => {
  let adb: StandInAdb | null = null;
  afterEach(() => adb?.cleanup());

  it('lists the phones with what to do for each', async () => {
    adb = writeStandInAdb({
      devices: [
        PIXEL,
        { serial: 'R58N12ABCDE', state: 'unauthorized', usb: '1-2', transportId: 4 },
      ],
    });
    const listing = await listAdbDevices(adb.path);
    expect(listing.problem).toBeNull();
    expect(listing.hint).toBeNull();
    expect(listing.devices).toEqual([
      {
        serial: PIXEL.serial,
        state: 'device',
        model: 'Pixel 7',
        product: 'panther',
        deviceName: 'panther',
        usb: '1-1',
        transportId: 3,
        problem: null,
      },
      {
        serial: 'R58N12ABCDE',
        state: 'unauthorized',
        model: null,
        product: null,
        deviceName: null,
        usb: '1-2',
        transportId: 4,
        problem: UNAUTHORIZED_PROBLEM,
      },
    ]);
    expect(adb.calls()).toEqual([{ args: ['devices', '-l'] }]);
  });

  it('says how to turn on USB debugging when no phone is listed', async () => {
    adb = writeStandInAdb({ devices: [] });
    expect(await listAdbDevices(adb.path)).toEqual({
      devices: [],
      problem: null,
      hint: NO_DEVICE_HINT,
    });
    expect(NO_DEVICE_HINT).toContain('USB debugging');
  });

  it('reports adb failing or missing', async () => {
    adb = writeStandInAdb({
      devicesError: 'adb: failed to check server version: cannot connect to daemon',
    });
    expect(await listAdbDevices(adb.path)).toEqual({
      devices: [],
      problem: 'adb devices failed: adb: failed to check server version: cannot connect to daemon',
      hint: null,
    });
    const missing = await listAdbDevices(join(root, 'no-adb'));
    expect(missing.problem).toMatch(/^adb could not be started: spawn .*ENOENT/);
  });
});
