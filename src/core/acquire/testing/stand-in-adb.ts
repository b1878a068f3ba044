import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedFixtures } from '../../testing/shared-fixtures';

/** A phone the stand-in lists in `adb devices -l`. */
export interface StandInAdbDevice {
  serial: string;
  /** As adb prints it: `device` (default), `unauthorized`, `offline`, `no permissions`, `recovery`… */
  state?: string;
  /** Written with underscores for spaces, as adb does (`Pixel_7`). */
  model?: string;
  product?: string;
  device?: string;
  usb?: string;
  transportId?: number;
}

/** A shell command that fails: prints `stdout`, then `stderr`, and exits with `exitCode`. */
export interface StandInAdbFailure {
  /** The command after `shell`/`exec-out`, words joined by one space (`dumpsys usagestats`). */
  command: string;
  stdout?: string;
  stderr?: string;
  exitCode?: number;
}

/** A shell command that prints `stdout` and then never ends (it gives up after 20 s). */
export interface StandInAdbHang {
  command: string;
  stdout?: string;
  /** Ignore SIGINT, so only SIGKILL stops it. */
  ignoreSigint?: boolean;
}

/** What the stand-in `adb` does, read at each start. */
export interface StandInAdbScenario {
  devices?: StandInAdbDevice[];
  /** `adb devices -l` prints this on stderr and exits 1. */
  devicesError?: string;
  /** Output of each shell command (`getprop`, `date +%s`, `dumpsys appops --include-discrete`…), byte for byte. */
  outputs?: Record<string, string | Uint8Array>;
  fail?: StandInAdbFailure;
  hang?: StandInAdbHang;
  /**
   * This command's output stops after `bytes` bytes, without the end marker, and adb exits 0:
   * what the real client does when the connection drops mid-stream.
   */
  cut?: { command: string; bytes: number };
}

/** One start of the stand-in. */
export interface StandInAdbCall {
  args: string[];
}

/** A folder holding the stand-in `adb`, its scenario and a log of its calls. */
export interface StandInAdb {
  dir: string;
  /** The stand-in's path. */
  path: string;
  setScenario: (scenario: StandInAdbScenario) => void;
  calls: () => StandInAdbCall[];
  cleanup: () => void;
}

// The script reads `scenario.json` beside itself and the outputs it names from `outputs/`, so it
// behaves the same whatever environment the code under test gives it.
const SCRIPT_BODY = String.raw`
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const here = __dirname;
const args = process.argv.slice(2);
const scenario = JSON.parse(fs.readFileSync(path.join(here, 'scenario.json'), 'utf8'));
fs.appendFileSync(path.join(here, 'calls.jsonl'), JSON.stringify({ args }) + '\n');
const devices = scenario.devices || [];

function fail(text, code) {
  process.stderr.write(text + '\n');
  process.exitCode = code === undefined ? 1 : code;
}

function listDevices() {
  if (scenario.devicesError) return fail(scenario.devicesError);
  const long = args[1] === '-l';
  let text = 'List of devices attached\n';
  for (const d of devices) {
    const state = d.state || 'device';
    let line = d.serial.padEnd(22) + ' ' + (state === 'no permissions'
      ? 'no permissions (missing udev rules? user is in the plugdev group); see [http://developer.android.com/tools/device.html]'
      : state);
    if (long) {
      if (d.usb) line += ' usb:' + d.usb;
      if (state === 'device') {
        if (d.product) line += ' product:' + d.product;
        if (d.model) line += ' model:' + d.model;
        if (d.device) line += ' device:' + d.device;
      }
      line += ' transport_id:' + (d.transportId || 1);
    } else {
      line = d.serial + '\t' + state;
    }
    text += line + '\n';
  }
  process.stdout.write(text + '\n');
}

function shell(serial, words) {
  let device;
  if (serial === undefined) {
    if (devices.length === 0) return fail('adb: no devices/emulators found');
    if (devices.length > 1) return fail('adb: more than one device/emulator');
    device = devices[0];
  } else {
    device = devices.find((d) => d.serial === serial);
    if (!device) return fail("adb: device '" + serial + "' not found");
  }
  const state = device.state || 'device';
  if (state === 'unauthorized') {
    return fail(
      "adb: device unauthorized.\nThis adb server's $ADB_VENDOR_KEYS is not set\n" +
        "Try 'adb kill-server' if that seems wrong.\nOtherwise check for a confirmation dialog on your device.",
    );
  }
  if (state === 'offline') return fail('error: device offline');
  if (state !== 'device') return fail("adb: device '" + device.serial + "' not found");
  // A capture ends its command with '; echo MARKER$?': the phone's shell prints the marker and
  // the command's exit code after the output, and the shell itself then exits 0.
  const joined = words.join(' ');
  const marked = / ; echo (\S+)\$\?$/.exec(joined);
  const command = marked ? joined.slice(0, marked.index) : joined;
  const end = (code) => {
    if (marked) process.stdout.write(marked[1] + String(code) + '\n');
  };
  const hang = scenario.hang;
  if (hang && hang.command === command) {
    if (hang.ignoreSigint) process.on('SIGINT', () => {});
    if (hang.stdout) process.stdout.write(hang.stdout);
    setInterval(() => {}, 1000);
    // Gives up after a while so a failed test leaves no process behind.
    setTimeout(() => process.exit(99), 20000);
    return;
  }
  const failure = scenario.fail;
  if (failure && failure.command === command) {
    if (failure.stdout) process.stdout.write(failure.stdout);
    const code = failure.exitCode === undefined ? 1 : failure.exitCode;
    fail(failure.stderr || '', code);
    if (marked) {
      end(code);
      process.exitCode = 0;
    }
    return;
  }
  const file = (scenario.outputs || {})[command];
  if (file === undefined) {
    fail('/system/bin/sh: ' + (words[0] || '') + ': inaccessible or not found', 127);
    if (marked) {
      end(127);
      process.exitCode = 0;
    }
    return;
  }
  const bytes = fs.readFileSync(path.join(here, 'outputs', file));
  const cut = scenario.cut;
  if (cut && cut.command === command) {
    process.stdout.write(bytes.subarray(0, cut.bytes));
    return;
  }
  process.stdout.write(bytes);
  end(0);
}

let rest = args;
let serial;
if (rest[0] === '-s') {
  serial = rest[1];
  rest = rest.slice(2);
}
switch (rest[0]) {
  case 'devices':
    listDevices();
    break;
  case 'shell':
  case 'exec-out':
    shell(serial, rest.slice(1));
    break;
  case 'start-server':
  case 'kill-server':
    break;
  case 'version':
    process.stdout.write('Android Debug Bridge version 1.0.41\nVersion 35.0.2-12147458\n');
    break;
  default:
    fail('adb: unknown command ' + rest.join(' '));
}
`;

/** The interpreter line: this Node itself when its path can stand in a `#!` line. */
function shebang(): string {
  return /^\/\S+$/.test(process.execPath) && process.execPath.length < 120
    ? `#!${process.execPath}`
    : '#!/usr/bin/env node';
}

/**
 * Writes an executable stand-in for `adb` into a new temporary folder. It answers `devices -l`
 * and `[-s SERIAL] shell|exec-out …` as the scenario says (unauthorized or offline phones, a
 * failing or hanging command), and logs each call. POSIX only (it relies on `#!`).
 */
export function writeStandInAdb(scenario: StandInAdbScenario): StandInAdb {
  const dir = mkdtempSync(join(tmpdir(), 'snoopscope-adb-'));
  // Keeps the extensionless script CommonJS whatever package.json sits above the temp folder.
  writeFileSync(join(dir, 'package.json'), '{"type":"commonjs"}\n');
  const path = join(dir, 'adb');
  writeFileSync(path, `${shebang()}\n${SCRIPT_BODY}`);
  chmodSync(path, 0o755);
  let generation = 0;
  const setScenario = (s: StandInAdbScenario): void => {
    generation += 1;
    const outputs: Record<string, string> = {};
    mkdirSync(join(dir, 'outputs'), { recursive: true });
    for (const [i, [command, content]] of Object.entries(s.outputs ?? {}).entries()) {
      const name = `${generation}-${i}.out`;
      writeFileSync(join(dir, 'outputs', name), content);
      outputs[command] = name;
    }
    writeFileSync(join(dir, 'scenario.json'), JSON.stringify({ ...s, outputs }));
  };
  setScenario(scenario);
  return {
    dir,
    path,
    setScenario,
    calls: () => {
      const log = join(dir, 'calls.jsonl');
      if (!existsSync(log)) return [];
      return readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as StandInAdbCall);
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A ready phone as the stand-in lists it. */
export const PIXEL: StandInAdbDevice = {
  serial: '2B121FDH200ABC',
  model: 'Pixel_7',
  product: 'panther',
  device: 'panther',
  usb: '1-1',
  transportId: 3,
};

/** The phone's clock in the synthetic outputs: 2025-06-18 19:20:45 in Europe/Lisbon (UTC+1). */
export const SYNTHETIC_DEVICE_EPOCH_SECONDS = 1_750_270_845;

/** A synthetic `getprop` in the layout of android-sources.md §5 (illustrative values). */
export function syntheticGetprop(sdk: number, timeZone: string | null = 'Europe/Lisbon'): string {
  const release = sdk >= 34 ? '14' : sdk >= 31 ? '12' : '10';
  const props: [string, string][] = [
    ['persist.sys.locale', 'pt-PT'],
    ...(timeZone === null ? [] : ([['persist.sys.timezone', timeZone]] as [string, string][])),
    [
      'ro.build.fingerprint',
      `examplebrand/exampleproduct/exampledevice:${release}/UP1A.231005.007/1234567:user/release-keys`,
    ],
    ['ro.build.version.release', release],
    ['ro.build.version.sdk', String(sdk)],
    ['ro.product.brand', 'examplebrand'],
    ['ro.product.manufacturer', 'Google'],
    ['ro.product.model', 'Pixel 7'],
    ['ro.serialno', PIXEL.serial],
  ];
  return props.map(([k, v]) => `[${k}]: [${v}]\n`).join('');
}

/**
 * A synthetic `dumpsys appops` in the Android 11-15 layout (android-sources.md §1.1), dumped at
 * 2025-06-18 19:20:45.129 device-local: every absolute time plus its relative time gives that.
 */
export const SYNTHETIC_APPOPS = [
  'Current AppOps Service state:',
  '  Settings:',
  '    top_state_settle_time=+5s0ms',
  '    fg_service_state_settle_time=+5s0ms',
  '    bg_state_settle_time=+1s0ms',
  '',
  '  Uid u0a188:',
  '    state=fgsvc',
  '    capability=LCMNFU',
  '    Package com.example.messenger:',
  '      RECORD_AUDIO (allow): ',
  '        null=[',
  '          Access: [fgsvc-s] 2025-06-18 18:45:12.100 (-35m33s29ms) duration=+2m5s0ms',
  '        ]',
  '  Uid u0a211:',
  '    state=cch',
  '    Package com.example.social:',
  '      CAMERA (foreground): ',
  '        null=[',
  '          Reject: [bg-s]2025-06-18 02:40:00.000 (-16h40m45s129ms)',
  '        ]',
  '      READ_MEDIA_IMAGES (allow): ',
  '        null=[',
  '          Access: [cch-s] 2025-06-18 03:12:09.500 (-16h8m35s629ms)',
  '          Access: [top-s] 2025-06-18 12:58:40.000 (-6h22m5s129ms)',
  '        ]',
  '',
].join('\n');

/** The discrete section `--include-discrete` adds (Android 12+, android-sources.md §1.5). */
export const SYNTHETIC_DISCRETE = [
  'Discrete accesses: ',
  '  Largest chain id: 0',
  '  Uid: 10188',
  '    Package: com.example.messenger',
  '      RECORD_AUDIO',
  '        Attribution: null',
  '          Access [fgsvc-s] at 2025-06-18 18:45:00.000 for 180000 milliseconds',
  '',
].join('\n');

/** A synthetic `dumpsys usagestats` from the A14 excerpt of android-sources.md §2. */
export const SYNTHETIC_USAGESTATS = [
  'user=0',
  '  Last 24 hour events (timeRange="17/6/2025, 7:20 p. m. – 18/6/2025, 7:20 p. m." )',
  '    time="2025-06-18 07:40:36" type=DEVICE_STARTUP package=android flags=0x0',
  '    time="2025-06-18 12:58:31" type=ACTIVITY_RESUMED package=com.example.social class=com.example.social.MainActivity instanceId=48210377 taskRootPackage=com.example.social taskRootClass=com.example.social.MainActivity flags=0x0',
  '    time="2025-06-18 12:58:52" type=ACTIVITY_PAUSED package=com.example.social class=com.example.social.MainActivity instanceId=48210377 taskRootPackage=com.example.social taskRootClass=com.example.social.MainActivity flags=0x0',
  '  In-memory daily stats',
  '      package=com.example.messenger totalTimeUsed="37:08" lastTimeUsed="2025-06-18 18:52:14" lastTimeFS="1970-01-01 01:00:00" appLaunchCount=27',
  '',
].join('\n');

/** A synthetic `dumpsys package` with one app's permissions (android-sources.md §3 layout). */
export const SYNTHETIC_PACKAGE = [
  'Packages:',
  '  Package [com.example.social] (3f1a2b7):',
  '    userId=10211',
  '    versionCode=4102 minSdk=26 targetSdk=34',
  '    versionName=41.0.2',
  '    timeStamp=2025-05-30 10:11:12',
  '    lastUpdateTime=2025-06-01 09:00:00',
  '    installerPackageName=com.android.vending',
  '    requested permissions:',
  '      android.permission.INTERNET',
  '      android.permission.READ_MEDIA_IMAGES',
  '      android.permission.CAMERA',
  '    install permissions:',
  '      android.permission.INTERNET: granted=true',
  '    User 0: ceDataInode=123456 installed=true hidden=false suspended=false stopped=false notLaunched=false enabled=0 instant=false virtual=false',
  '      firstInstallTime=2025-05-30 10:11:15',
  '      runtime permissions:',
  '        android.permission.READ_MEDIA_IMAGES: granted=true, flags=[ USER_SET|USER_SENSITIVE_WHEN_GRANTED|USER_SENSITIVE_WHEN_DENIED]',
  '        android.permission.CAMERA: granted=false, flags=[ USER_SENSITIVE_WHEN_GRANTED|USER_SENSITIVE_WHEN_DENIED]',
  '',
].join('\n');

/**
 * A synthetic `dumpsys batterystats --history` (android-sources.md §4 layout) of the same day,
 * device-local: booted 07:40:36 with the launcher on top, screen off 08:10:36, on with
 * com.example.social on top 12:58:31–12:58:52, off 13:10:36, on again 19:15:36 (the last line).
 */
export const SYNTHETIC_BATTERY_HISTORY = [
  'Battery History (0% used, 1204 used of 4096KB, 12 strings using 640):',
  '                    0 (19) RESET:TIME: 2025-06-18-07-40-36',
  '                    0 (2) 100 status=discharging health=good plug=none +running +screen top=u0a44:"com.example.launcher"',
  '              +30m0ms (2) 099 -screen',
  '        +5h17m55s0ms (2) 097 +screen +top=u0a211:"com.example.social"',
  '        +5h18m16s0ms (2) 097 -top=u0a211:"com.example.social"',
  '        +5h30m0s0ms (2) 096 -screen',
  '       +11h35m0s0ms (2) 090 +screen',
  '',
  '',
].join('\n');

/** The outputs of every command a capture runs, synthetic, for a phone at this SDK level. */
export function syntheticAdbOutputs(
  sdk = 34,
  timeZone: string | null = 'Europe/Lisbon',
): Record<string, string> {
  return {
    getprop: syntheticGetprop(sdk, timeZone),
    'date +%s': `${SYNTHETIC_DEVICE_EPOCH_SECONDS}\n`,
    'dumpsys appops': SYNTHETIC_APPOPS,
    'dumpsys appops --include-discrete': SYNTHETIC_APPOPS + SYNTHETIC_DISCRETE,
    'dumpsys usagestats': SYNTHETIC_USAGESTATS,
    'dumpsys package': SYNTHETIC_PACKAGE,
    'dumpsys batterystats --history': SYNTHETIC_BATTERY_HISTORY,
  };
}

/**
 * Real recorded outputs (MVT's Android 10 `getprop`, `dumpsys appops`, `dumpsys package` and
 * battery history, read in place from the shared conformance fixtures, never copied), with the
 * synthetic usagestats and clock; null when the fixtures are absent.
 */
export function recordedAdbOutputs(): Record<string, Uint8Array | string> | null {
  const dir = sharedFixtures('android/android_data');
  if (dir === null) return null;
  const names = [
    'getprop.txt',
    'dumpsys_appops.txt',
    'dumpsys_packages.txt',
    'dumpsys_battery.txt',
  ];
  if (!names.every((n) => existsSync(join(dir, n)))) return null;
  const appops = readFileSync(join(dir, 'dumpsys_appops.txt'));
  return {
    getprop: readFileSync(join(dir, 'getprop.txt')),
    'date +%s': `${SYNTHETIC_DEVICE_EPOCH_SECONDS}\n`,
    'dumpsys appops': appops,
    'dumpsys appops --include-discrete': appops,
    'dumpsys usagestats': SYNTHETIC_USAGESTATS,
    'dumpsys package': readFileSync(join(dir, 'dumpsys_packages.txt')),
    'dumpsys batterystats --history': readFileSync(join(dir, 'dumpsys_battery.txt')),
  };
}

/** The `; echo MARKER$?` a capture appends to each shell command. */
const END_ECHO = /^snoopscope-end-[0-9a-f]{16}:\$\?$/;

/** A capture's adb arguments without the end-marker echo; unchanged when it is missing. */
export function withoutEndMarker(args: readonly string[]): string[] {
  const n = args.length;
  return n >= 3 && args[n - 3] === ';' && args[n - 2] === 'echo' && END_ECHO.test(args[n - 1]!)
    ? args.slice(0, n - 3)
    : [...args];
}
