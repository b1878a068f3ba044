import { spawn } from 'node:child_process';
import type { ConnectedDevice } from '../../contract/api';
import { marketingName } from '../importers/ios-backup/product-types';
import {
  candidatePaths,
  executableNames,
  firstRunnable,
  isRunnableSync,
  pathDirs,
} from './executables';

/** Paths of libimobiledevice's tools; null when a tool was not found. */
export interface IdeviceTools {
  ideviceId: string | null;
  ideviceinfo: string | null;
  idevicebackup2: string | null;
}

/** Where to look for the tools: the environment (PATH, PATHEXT), the OS, and a folder the user chose. */
export interface FindToolsOptions {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** A folder the user pointed at; searched before PATH. */
  configuredDir?: string | null;
}

/** The command name of each tool, as libimobiledevice installs it. */
export const TOOL_NAMES: Readonly<Record<keyof IdeviceTools, string>> = {
  ideviceId: 'idevice_id',
  ideviceinfo: 'ideviceinfo',
  idevicebackup2: 'idevicebackup2',
};

const TOOL_KEYS = Object.keys(TOOL_NAMES) as (keyof IdeviceTools)[];

/** How long one call of `idevice_id` or `ideviceinfo` may take before it is stopped. */
export const DEFAULT_TOOL_TIMEOUT_MS = 15_000;

/** The message shown when a phone has not (yet) trusted this computer. */
export const TRUST_PROBLEM =
  'Unlock the iPhone and tap Trust on the “Trust This Computer?” prompt, then try again.';

/**
 * Install folders searched after PATH. An app started from the macOS Finder gets a minimal PATH
 * without Homebrew's or MacPorts' folders, so they are searched explicitly.
 */
export function usualToolDirs(platform: NodeJS.Platform): string[] {
  switch (platform) {
    case 'darwin':
      return ['/opt/homebrew/bin', '/usr/local/bin', '/opt/local/bin'];
    case 'linux':
      return ['/usr/local/bin', '/usr/bin'];
    default:
      return [];
  }
}

/**
 * The folders to search, in order: the configured one, PATH, then the usual install folders.
 * `SNOOPSCOPE_IDEVICE_TOOLS_DIR` replaces PATH and the usual folders with that one folder, so a
 * packaged build or a test can pin the tools it uses whatever the machine has installed.
 */
function searchDirs(options: FindToolsOptions, platform: NodeJS.Platform): string[] {
  const env = options.env ?? process.env;
  const pinned = env.SNOOPSCOPE_IDEVICE_TOOLS_DIR;
  return [
    ...(options.configuredDir ? [options.configuredDir] : []),
    ...(pinned ? [pinned] : [...pathDirs(env, platform), ...usualToolDirs(platform)]),
  ];
}

function candidates(name: string, options: FindToolsOptions, platform: NodeJS.Platform): string[] {
  return candidatePaths(
    searchDirs(options, platform),
    executableNames(name, options.env ?? process.env, platform),
  );
}

/**
 * Finds libimobiledevice's `idevice_id`, `ideviceinfo` and `idevicebackup2`: in the configured
 * folder first, then each PATH entry, then the usual install folders of the OS.
 */
export async function findTools(options: FindToolsOptions = {}): Promise<IdeviceTools> {
  const platform = options.platform ?? process.platform;
  const found: IdeviceTools = { ideviceId: null, ideviceinfo: null, idevicebackup2: null };
  for (const key of TOOL_KEYS)
    found[key] = await firstRunnable(candidates(TOOL_NAMES[key], options, platform), platform);
  return found;
}

/** Like `findTools`, synchronously, for callers that must answer at once. */
export function findToolsSync(options: FindToolsOptions = {}): IdeviceTools {
  const platform = options.platform ?? process.platform;
  const found: IdeviceTools = { ideviceId: null, ideviceinfo: null, idevicebackup2: null };
  for (const key of TOOL_KEYS) {
    found[key] =
      candidates(TOOL_NAMES[key], options, platform).find((p) => isRunnableSync(p, platform)) ??
      null;
  }
  return found;
}

/** The command names of the tools that were not found. */
export function missingTools(tools: IdeviceTools): string[] {
  return TOOL_KEYS.filter((k) => tools[k] === null).map((k) => TOOL_NAMES[k]);
}

/** What to install on this OS to get the missing tools; null when nothing is missing. */
export function installHint(platform: NodeJS.Platform, missing: string[]): string | null {
  if (missing.length === 0) return null;
  const lead = `Backing up an iPhone needs libimobiledevice's idevice_id, ideviceinfo and idevicebackup2; not found: ${missing.join(', ')}.`;
  switch (platform) {
    case 'darwin':
      return `${lead} Install them with Homebrew: brew install libimobiledevice`;
    case 'linux':
      return (
        `${lead} Install them with your package manager — Debian/Ubuntu: ` +
        'sudo apt install libimobiledevice-utils usbmuxd; Fedora: sudo dnf install libimobiledevice-utils'
      );
    case 'win32':
      return (
        `${lead} Install iTunes or the Apple Devices app (Microsoft Store), which provide the Apple ` +
        'Mobile Device Service, then a Windows build of libimobiledevice, and add the folder holding ' +
        'idevice_id.exe, ideviceinfo.exe and idevicebackup2.exe to PATH.'
      );
    default:
      return `${lead} Install libimobiledevice's tools and usbmuxd, and put the tools on PATH.`;
  }
}

/** What a finished tool run produced. */
export interface ToolRun {
  /** Exit code; null when the tool was stopped by a signal or did not start. */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Why the tool could not be started, when it could not. */
  startError: string | null;
}

/** Output kept per stream; a device's full `ideviceinfo` dump is a few tens of kilobytes. */
const MAX_OUTPUT_CHARS = 1_000_000;

/** Runs a tool with an argument array (never a shell) and a time limit; never rejects. */
export function runTool(
  path: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<ToolRun> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const finish = (code: number | null, startError: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut, startError });
    };
    const child = spawn(path, args, {
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (stdout.length < MAX_OUTPUT_CHARS) stdout += chunk;
    });
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < MAX_OUTPUT_CHARS) stderr += chunk;
    });
    child.on('error', (e) => finish(null, e.message));
    child.on('close', (code) => finish(code, null));
  });
}

/** The UDIDs in `idevice_id -l` output: the first word of each non-empty line. */
export function parseUdidList(text: string): string[] {
  const udids = text
    .split(/\r?\n/)
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((word) => /^[0-9A-Za-z][0-9A-Za-z-]*$/.test(word));
  return [...new Set(udids)];
}

/** The top-level `Key: value` lines of `ideviceinfo` output (nested values are indented and skipped). */
export function parseDeviceInfo(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^([A-Za-z][A-Za-z0-9_]*): ?(.*)$/.exec(line);
    if (m) values[m[1]!] = m[2]!.trim();
  }
  return values;
}

/** The meaningful lines of a tool's error output. */
function lastLines(text: string): string {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ');
}

/** What the user should do when `ideviceinfo` failed, in words. */
export function describeInfoFailure(run: ToolRun, timeoutMs: number): string {
  if (run.startError !== null) return `ideviceinfo could not be started: ${run.startError}`;
  if (run.timedOut) {
    return `The iPhone did not answer within ${Math.ceil(timeoutMs / 1000)} s. Unlock it, reconnect the cable and try again.`;
  }
  const said = lastLines(run.stderr) || lastLines(run.stdout);
  if (
    /pairing|could not connect to lockdownd|trust|passwordprotected|invalid ?hostid/i.test(said)
  ) {
    return TRUST_PROBLEM;
  }
  // `ideviceinfo -u UDID` says `ERROR: Device UDID not found!` for a phone that is not attached.
  if (/no device found|\bdevice \S+ not found/i.test(said)) {
    return 'The iPhone is no longer connected. Reconnect it and try again.';
  }
  return said || `ideviceinfo failed with exit code ${String(run.code)}.`;
}

/** The phones connected over USB, and why the list could not be read when it could not. */
export interface DeviceListing {
  devices: ConnectedDevice[];
  /** Null when `idevice_id` answered; else its failure in words. */
  problem: string | null;
}

/** Options for asking the phones: the tools' environment and their time limit. */
export interface ListDevicesOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/**
 * Lists the phones connected over USB with `idevice_id -l`, then asks each one its name, product
 * type and iOS version with `ideviceinfo -u UDID`. A phone that does not answer (locked, not
 * trusted) is listed with a `problem`. Never throws for a tool's failure.
 */
export async function listConnectedDevices(
  tools: Pick<IdeviceTools, 'ideviceId' | 'ideviceinfo'>,
  options: ListDevicesOptions = {},
): Promise<DeviceListing> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
  if (tools.ideviceId === null) {
    return {
      devices: [],
      problem: 'idevice_id was not found, so connected phones cannot be listed.',
    };
  }
  const listed = await runTool(tools.ideviceId, ['-l'], { env: options.env, timeoutMs });
  if (listed.startError !== null) {
    return { devices: [], problem: `idevice_id could not be started: ${listed.startError}` };
  }
  if (listed.timedOut) {
    return {
      devices: [],
      problem: `idevice_id did not answer within ${Math.ceil(timeoutMs / 1000)} s.`,
    };
  }
  if (listed.code !== 0) {
    const said = (lastLines(listed.stderr) || lastLines(listed.stdout)).replace(/[.!]+$/, '');
    const service = /unable to retrieve device list|usbmuxd/i.test(said)
      ? ' Check that the usbmuxd service (Linux) or the Apple Mobile Device Service (Windows) is running.'
      : '';
    return {
      devices: [],
      problem: `idevice_id failed: ${said || `exit code ${String(listed.code)}`}.${service}`,
    };
  }
  const ideviceinfo = tools.ideviceinfo;
  const devices = await Promise.all(
    parseUdidList(listed.stdout).map(async (udid): Promise<ConnectedDevice> => {
      const device: ConnectedDevice = {
        udid,
        name: null,
        productType: null,
        model: null,
        iosVersion: null,
        problem: null,
      };
      if (ideviceinfo === null) {
        return { ...device, problem: 'ideviceinfo was not found, so the phone cannot be asked.' };
      }
      const run = await runTool(ideviceinfo, ['-u', udid], { env: options.env, timeoutMs });
      if (run.code !== 0 || run.timedOut || run.startError !== null) {
        return { ...device, problem: describeInfoFailure(run, timeoutMs) };
      }
      const info = parseDeviceInfo(run.stdout);
      const productType = info['ProductType'] || null;
      return {
        ...device,
        name: info['DeviceName'] || null,
        productType,
        model: marketingName(productType),
        iosVersion: info['ProductVersion'] || null,
      };
    }),
  );
  return { devices, problem: null };
}
