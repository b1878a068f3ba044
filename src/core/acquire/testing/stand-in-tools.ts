import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A phone the stand-in `idevice_id` lists and the stand-in `ideviceinfo` describes. */
export interface StandInDevice {
  udid: string;
  name?: string;
  productType?: string;
  iosVersion?: string;
  /** `ideviceinfo` prints this on stderr and exits 1 (e.g. a pairing error). */
  infoError?: string;
  /** `ideviceinfo` never answers. */
  infoHang?: boolean;
}

/** One line the stand-in `idevicebackup2` prints, after an optional pause. */
export interface StandInLine {
  text: string;
  stream?: 'stdout' | 'stderr';
  delayMs?: number;
}

/** What the stand-in `idevicebackup2` does. */
export interface StandInBackup {
  lines?: StandInLine[];
  /** Write `FOLDER/UDID/Info.plist`, `Manifest.plist` and `Status.plist` after the lines (default true). */
  writeBackup?: boolean;
  /** `SnapshotState` written into Status.plist (default `finished`). */
  snapshotState?: string;
  /** Exit code after the lines (default 0). */
  exitCode?: number;
  /** After the lines, keep running until killed. */
  hang?: boolean;
  /** Ignore SIGINT, so only SIGKILL stops it. */
  ignoreSigint?: boolean;
}

/** What the stand-in tools do, read by every tool at each start. */
export interface StandInScenario {
  devices?: StandInDevice[];
  /** `idevice_id -l` prints this on stderr and exits 1. */
  listError?: string;
  backup?: StandInBackup;
}

/** One start of a stand-in tool. */
export interface StandInCall {
  tool: string;
  args: string[];
  /** Whether a backup password reached the tool through its environment. */
  passwordInEnv: boolean;
}

export type StandInToolName = 'idevice_id' | 'ideviceinfo' | 'idevicebackup2';

/** A folder holding stand-in tools, their scenario and a log of their calls. */
export interface StandInTools {
  dir: string;
  setScenario: (scenario: StandInScenario) => void;
  calls: () => StandInCall[];
  cleanup: () => void;
}

// The tools read `scenario.json` beside themselves, so they behave the same whatever
// environment the code under test gives them.
const SCRIPT_BODY = String.raw`
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const here = __dirname;
const args = process.argv.slice(2);
const scenario = JSON.parse(fs.readFileSync(path.join(here, 'scenario.json'), 'utf8'));
fs.appendFileSync(
  path.join(here, 'calls.jsonl'),
  JSON.stringify({ tool: TOOL, args, passwordInEnv: 'BACKUP_PASSWORD' in process.env }) + '\n',
);
const devices = scenario.devices || [];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
// Runs until killed; gives up after a while so a failed test leaves no process behind.
const hang = () => {
  setInterval(() => {}, 1000);
  setTimeout(() => process.exit(99), 20000);
};

function xmlEscape(text) {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function plist(entries) {
  const body = Object.entries(entries)
    .map(([key, value]) => {
      let v;
      if (typeof value === 'boolean') v = value ? '<true/>' : '<false/>';
      else if (value instanceof Date) v = '<date>' + value.toISOString().replace(/\.\d+Z$/, 'Z') + '</date>';
      else v = '<string>' + xmlEscape(value) + '</string>';
      return '\t<key>' + xmlEscape(key) + '</key>\n\t' + v;
    })
    .join('\n');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n' +
    '<plist version="1.0">\n<dict>\n' + body + '\n</dict>\n</plist>\n'
  );
}

function ideviceId() {
  if (args.join(' ') !== '-l') {
    process.stderr.write('stand-in idevice_id: expected -l\n');
    process.exitCode = 64;
    return;
  }
  if (scenario.listError) {
    process.stderr.write(scenario.listError + '\n');
    process.exitCode = 1;
    return;
  }
  process.stdout.write(devices.map((d) => d.udid + '\n').join(''));
}

function ideviceinfo() {
  const u = args.indexOf('-u');
  const udid = u >= 0 ? args[u + 1] : undefined;
  const device = devices.find((d) => d.udid === udid);
  if (!device) {
    process.stderr.write('No device found with udid ' + udid + '.\n');
    process.exitCode = 1;
    return;
  }
  if (device.infoHang) return hang();
  if (device.infoError) {
    process.stderr.write(device.infoError + '\n');
    process.exitCode = 1;
    return;
  }
  const values = {
    ActivationState: 'Activated',
    DeviceClass: 'iPhone',
    DeviceName: device.name || 'iPhone',
    ProductType: device.productType || 'iPhone12,1',
    ProductVersion: device.iosVersion || '17.5.1',
    UniqueDeviceID: device.udid,
  };
  const k = args.indexOf('-k');
  if (k >= 0) {
    process.stdout.write((values[args[k + 1]] || '') + '\n');
    return;
  }
  const lines = Object.entries(values).map(([key, value]) => key + ': ' + value);
  lines.splice(2, 0, 'NonVolatileRAM:', ' DeviceName: not-a-top-level-key');
  process.stdout.write(lines.join('\n') + '\n');
}

async function idevicebackup2() {
  const backup = scenario.backup || {};
  if (backup.ignoreSigint) process.on('SIGINT', () => {});
  if (args.length !== 5 || args[0] !== '-u' || args[2] !== 'backup' || args[3] !== '--full') {
    process.stderr.write('stand-in idevicebackup2: unexpected arguments ' + args.join(' ') + '\n');
    process.exitCode = 64;
    return;
  }
  const udid = args[1];
  const folder = args[4];
  if (!fs.existsSync(folder)) {
    process.stderr.write('ERROR: Backup directory "' + folder + '" does not exist!\n');
    process.exitCode = 255;
    return;
  }
  for (const line of backup.lines || []) {
    if (line.delayMs) await sleep(line.delayMs);
    (line.stream === 'stderr' ? process.stderr : process.stdout).write(line.text + '\n');
  }
  if (backup.writeBackup !== false) {
    const device = devices.find((d) => d.udid === udid) || {};
    const target = path.join(folder, udid);
    fs.mkdirSync(target, { recursive: true });
    const now = new Date();
    fs.writeFileSync(
      path.join(target, 'Info.plist'),
      plist({
        'Device Name': device.name || 'iPhone',
        'Product Type': device.productType || 'iPhone12,1',
        'Product Version': device.iosVersion || '17.5.1',
        'Unique Identifier': udid.toUpperCase(),
        'Target Identifier': udid,
        'Last Backup Date': now,
      }),
    );
    fs.writeFileSync(
      path.join(target, 'Manifest.plist'),
      plist({ IsEncrypted: false, Version: '10.0', Date: now, WasPasscodeSet: true }),
    );
    fs.writeFileSync(
      path.join(target, 'Status.plist'),
      plist({
        SnapshotState: backup.snapshotState || 'finished',
        IsFullBackup: true,
        BackupState: 'new',
        Version: '3.3',
        Date: now,
        UUID: '6F8A2A52-3C1B-4E4A-9C3D-2B1E0F4A5D6C',
      }),
    );
  }
  if (backup.hang) return hang();
  process.exitCode = backup.exitCode || 0;
}

const tools = { idevice_id: ideviceId, ideviceinfo, idevicebackup2 };
Promise.resolve(tools[TOOL]()).catch((e) => {
  process.stderr.write(String(e && e.stack) + '\n');
  process.exitCode = 70;
});
`;

/** The interpreter line: this Node itself when its path can stand in a `#!` line. */
function shebang(): string {
  return /^\/\S+$/.test(process.execPath) && process.execPath.length < 120
    ? `#!${process.execPath}`
    : '#!/usr/bin/env node';
}

/**
 * Writes executable stand-ins for `idevice_id`, `ideviceinfo` and `idevicebackup2` into a new
 * temporary folder. They behave like libimobiledevice's tools as the scenario says, and log each
 * call. POSIX only (they rely on `#!`).
 */
export function writeStandInTools(
  scenario: StandInScenario,
  only: readonly StandInToolName[] = ['idevice_id', 'ideviceinfo', 'idevicebackup2'],
): StandInTools {
  const dir = mkdtempSync(join(tmpdir(), 'snoopscope-idevice-'));
  // Keeps the extensionless scripts CommonJS whatever package.json sits above the temp folder.
  writeFileSync(join(dir, 'package.json'), '{"type":"commonjs"}\n');
  for (const tool of only) {
    const path = join(dir, tool);
    writeFileSync(path, `${shebang()}\nconst TOOL = ${JSON.stringify(tool)};\n${SCRIPT_BODY}`);
    chmodSync(path, 0o755);
  }
  const setScenario = (s: StandInScenario): void =>
    writeFileSync(join(dir, 'scenario.json'), JSON.stringify(s));
  setScenario(scenario);
  return {
    dir,
    setScenario,
    calls: () => {
      const log = join(dir, 'calls.jsonl');
      if (!existsSync(log)) return [];
      return readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as StandInCall);
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** UDIDs in the two formats Apple uses: 40 hex digits (before iPhone XS), 8-16 with a dash. */
export const UDIDS = {
  modern: '00008030-001A2B3C4D5E6F70',
  legacy: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
} as const;
