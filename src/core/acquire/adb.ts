import { runTool, type ToolRun } from './idevice-tools';
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';
import {
  candidatePaths,
  envValue,
  executableNames,
  firstRunnable,
  isRunnable,
  pathDirs,
} from './executables';

/** Where to look for `adb`: the environment (PATH, PATHEXT, the SDK variables), the OS, the user's choice. */
export interface FindAdbOptions {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** The `adb` executable, or the folder holding it, that the user pointed at; searched first. */
  configuredPath?: string | null;
  /** The user's home folder (default: this process's). */
  home?: string;
}

function pathsFor(platform: NodeJS.Platform): typeof posix {
  return platform === 'win32' ? win32 : posix;
}

/**
 * The Android SDK folders that hold `adb`, in order: `$ANDROID_HOME` and `$ANDROID_SDK_ROOT`,
 * then where Android Studio installs the SDK on this OS.
 */
export function sdkPlatformToolsDirs(
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
  home: string,
): string[] {
  const { join: joinFor } = pathsFor(platform);
  const dirs: string[] = [];
  for (const name of ['ANDROID_HOME', 'ANDROID_SDK_ROOT']) {
    const root = envValue(env, name, platform)?.trim();
    if (root) dirs.push(joinFor(root, 'platform-tools'));
  }
  switch (platform) {
    case 'darwin':
      dirs.push(joinFor(home, 'Library', 'Android', 'sdk', 'platform-tools'));
      // Homebrew's cask links adb here; an app started from the Finder has these off its PATH.
      dirs.push('/opt/homebrew/bin', '/usr/local/bin');
      break;
    case 'win32': {
      const local = envValue(env, 'LOCALAPPDATA', platform)?.trim();
      if (local) dirs.push(joinFor(local, 'Android', 'Sdk', 'platform-tools'));
      break;
    }
    case 'linux':
      dirs.push(joinFor(home, 'Android', 'Sdk', 'platform-tools'), '/usr/bin', '/usr/local/bin');
      break;
    default:
      break;
  }
  return dirs;
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Finds Android's `adb`: the configured file or folder first, then each PATH entry, then the
 * Android SDK's `platform-tools` folders. Null when it is nowhere.
 */
export async function findAdb(options: FindAdbOptions = {}): Promise<string | null> {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  const configured = options.configuredPath?.trim();
  if (configured && !(await isFolder(configured)))
    return (await isRunnable(configured, platform)) ? configured : null;
  const dirs = [
    ...(configured ? [configured] : []),
    ...pathDirs(env, platform),
    ...sdkPlatformToolsDirs(platform, env, options.home ?? homedir()),
  ];
  return firstRunnable(candidatePaths(dirs, executableNames('adb', env, platform)), platform);
}

/** What to install to get `adb` on this OS, in words; the app downloads nothing itself. */
export function adbInstallHint(platform: NodeJS.Platform): string {
  const lead =
    "Capturing from an Android phone needs adb, from Google's Android SDK Platform-Tools; it was not found.";
  switch (platform) {
    case 'darwin':
      return `${lead} Install it with Homebrew: brew install --cask android-platform-tools`;
    case 'linux':
      return (
        `${lead} Install it with your package manager — Debian/Ubuntu: sudo apt install adb; ` +
        'Fedora: sudo dnf install android-tools — or download Platform-Tools from developer.android.com.'
      );
    case 'win32':
      return (
        `${lead} Download SDK Platform-Tools for Windows from developer.android.com, unzip it, and ` +
        'add the platform-tools folder (holding adb.exe) to PATH, or point Snoopscope at adb.exe.'
      );
    default:
      return `${lead} Install Android SDK Platform-Tools and put adb on PATH.`;
  }
}

/** What a finished adb run produced. */
export type AdbRun = ToolRun;

/** How long `adb devices -l` may take; the first call also starts the adb server. */
export const DEFAULT_ADB_LIST_TIMEOUT_MS = 20_000;

/** Runs adb with an argument array (never a shell) and a time limit, keeping text output; never rejects. */
export function runAdbText(
  adbPath: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<AdbRun> {
  return runTool(adbPath, args, {
    env: options.env,
    timeoutMs: options.timeoutMs ?? DEFAULT_ADB_LIST_TIMEOUT_MS,
  });
}

/** A state `adb devices` prints; `device` is the only one a capture can use. */
export type AdbDeviceState =
  | 'device'
  | 'unauthorized'
  | 'authorizing'
  | 'offline'
  | 'no permissions'
  | 'recovery'
  | 'sideload'
  | 'rescue'
  | 'bootloader'
  | 'connecting'
  | 'host'
  | 'unknown'
  // Any other word adb may print in a later version.
  | (string & Record<never, never>);

/** One phone as `adb devices -l` lists it. */
export interface AdbDevice {
  serial: string;
  state: AdbDeviceState;
  /** `model:` with underscores read as spaces (`Pixel 7`); null when not listed. */
  model: string | null;
  product: string | null;
  /** `device:` (the board's code name, e.g. `panther`). */
  deviceName: string | null;
  /** `usb:` port path; null for network connections and when not listed. */
  usb: string | null;
  /** `transport_id:`; null when not listed or not a whole number of at most 15 digits. */
  transportId: number | null;
  /** What to do on the phone or this computer before a capture can start; null when ready. */
  problem: string | null;
}

/** The message for a phone that has not (yet) allowed USB debugging from this computer. */
export const UNAUTHORIZED_PROBLEM =
  'Unlock the phone and tap Allow on the “Allow USB debugging?” prompt for this computer ' +
  '(tick “Always allow from this computer”), then try again. If no prompt shows, unplug and ' +
  'reconnect the cable.';

/** The message for a phone adb lists as offline. */
export const OFFLINE_PROBLEM =
  'The phone is connected but not answering adb: unlock it, unplug and reconnect the cable, or ' +
  'restart adb (adb kill-server) and try again.';

/** The message for a phone this user may not open over USB (Linux without udev rules). */
export const NO_PERMISSIONS_PROBLEM =
  'This computer’s user may not open the phone’s USB device. On Linux, install udev rules for ' +
  'Android phones (a /etc/udev/rules.d/51-android.rules file, or your distribution’s ' +
  'android-udev rules package), add your user to the plugdev group, log in again and reconnect ' +
  'the phone. Some phones also need the USB mode set to File transfer.';

/** Said when adb lists no phone at all. */
export const NO_DEVICE_HINT =
  'adb lists no Android phone. On the phone, turn on Developer options (Settings → About phone → ' +
  'tap Build number seven times), then USB debugging (Settings → System → Developer options); ' +
  'connect it with a data cable (not a charge-only one), unlock it and accept “Allow USB ' +
  'debugging?”.';

/** What to do about a phone in this state; null when it is ready. */
export function adbStateProblem(state: AdbDeviceState): string | null {
  switch (state) {
    case 'device':
      return null;
    case 'unauthorized':
    case 'authorizing':
      return UNAUTHORIZED_PROBLEM;
    case 'offline':
      return OFFLINE_PROBLEM;
    case 'no permissions':
      return NO_PERMISSIONS_PROBLEM;
    case 'recovery':
    case 'sideload':
    case 'rescue':
    case 'bootloader':
      return `The phone is in ${state} mode: restart it into Android, unlock it and try again.`;
    case 'connecting':
      return 'adb is still connecting to the phone: wait a moment, unlock the phone and try again.';
    default:
      return `adb reports the phone as “${state}”; it must be “device” (connected and allowed) to capture.`;
  }
}

const LISTING_KEYS = new Set(['usb', 'product', 'model', 'device', 'transport_id', 'features']);

function isListingKey(token: string): boolean {
  const colon = token.indexOf(':');
  return colon > 0 && LISTING_KEYS.has(token.slice(0, colon));
}

/**
 * A whole number a tool printed, or null when the text is not one of at most 15 digits: more
 * digits than a safe integer holds (a tampered tool's) would read as a rounded number or Infinity.
 */
export function printedWholeNumber(text: string | null | undefined): number | null {
  return text !== null && text !== undefined && /^\d{1,15}$/.test(text) ? Number(text) : null;
}

/**
 * Parses `adb devices -l`: one phone a line, `SERIAL  STATE key:value…`. The state may hold
 * spaces (`no permissions (…); see […]`), so it runs up to the first known `key:` token.
 * Header and adb-server messages (`List of devices attached`, `* daemon …`) are skipped.
 */
export function parseAdbDevices(text: string): AdbDevice[] {
  const devices: AdbDevice[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('*') || /^list of devices/i.test(line)) continue;
    if (/^(adb server|error:|adb: )/i.test(line)) continue;
    const tokens = line.split(/\s+/);
    const serial = tokens[0]!;
    const rest = tokens.slice(1);
    const firstKey = rest.findIndex(isListingKey);
    const stateWords = firstKey < 0 ? rest : rest.slice(0, firstKey);
    if (stateWords.length === 0) continue;
    const stateText = stateWords.join(' ');
    const state = /^no permissions/i.test(stateText) ? 'no permissions' : stateText;
    const values = new Map<string, string>();
    for (const token of firstKey < 0 ? [] : rest.slice(firstKey)) {
      const colon = token.indexOf(':');
      if (colon > 0) values.set(token.slice(0, colon), token.slice(colon + 1));
    }
    const transport = values.get('transport_id');
    devices.push({
      serial,
      state,
      model: values.get('model')?.replace(/_/g, ' ') ?? null,
      product: values.get('product') ?? null,
      deviceName: values.get('device') ?? null,
      usb: values.get('usb') ?? null,
      transportId: printedWholeNumber(transport),
      problem: adbStateProblem(state),
    });
  }
  return devices;
}

/** The phones adb sees, and why they could not be listed or what to do when none is. */
export interface AdbDeviceListing {
  devices: AdbDevice[];
  /** Null when adb answered; else its failure in words. */
  problem: string | null;
  /** How to get a phone listed, when adb answered but listed none; else null. */
  hint: string | null;
}

/** The meaningful lines of adb's error output, without the adb server's start-up chatter. */
export function adbSaid(text: string): string {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('*'))
    .join(' ');
}

/**
 * Lists the phones with `adb devices -l`, each with what to do when it is not ready (allow USB
 * debugging, reconnect, udev rules). Never throws for adb's failure.
 */
export async function listAdbDevices(
  adbPath: string,
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<AdbDeviceListing> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_ADB_LIST_TIMEOUT_MS;
  const run = await runAdbText(adbPath, ['devices', '-l'], { env: options.env, timeoutMs });
  if (run.startError !== null) {
    return { devices: [], problem: `adb could not be started: ${run.startError}`, hint: null };
  }
  if (run.timedOut) {
    return {
      devices: [],
      problem: `adb did not answer within ${Math.ceil(timeoutMs / 1000)} s. Restart it (adb kill-server) and try again.`,
      hint: null,
    };
  }
  if (run.code !== 0) {
    const said = adbSaid(run.stderr) || adbSaid(run.stdout);
    return {
      devices: [],
      problem: `adb devices failed: ${said || `exit code ${String(run.code)}`}`,
      hint: null,
    };
  }
  const devices = parseAdbDevices(run.stdout);
  return { devices, problem: null, hint: devices.length === 0 ? NO_DEVICE_HINT : null };
}

/** A serial adb can be given: printable, no spaces, not starting with a dash (it would read as an option). */
export function isAdbSerial(serial: string): boolean {
  if (!/^[^\s-]\S{0,199}$/.test(serial)) return false;
  return [...serial].every((c) => c.charCodeAt(0) > 0x1f && c.charCodeAt(0) !== 0x7f);
}
