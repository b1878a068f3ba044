import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  TRUST_PROBLEM,
  findTools,
  findToolsSync,
  installHint,
  listConnectedDevices,
  missingTools,
  parseDeviceInfo,
  parseUdidList,
  usualToolDirs,
} from './idevice-tools';
import { UDIDS, writeStandInTools, type StandInTools } from './testing/stand-in-tools';
import { touchExecutable } from './testing/touch';

const posix = describe.skipIf(process.platform === 'win32');

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'snoopscope-tools-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

posix('findTools', () => {
  it('prefers the configured folder, then PATH in order, and skips files that are not executable', async () => {
    const configured = join(root, 'configured');
    const first = join(root, 'first');
    const second = join(root, 'second');
    const backup = touchExecutable(configured, 'idevicebackup2');
    touchExecutable(first, 'idevice_id', 0o644);
    const id = touchExecutable(second, 'idevice_id');
    const info = touchExecutable(first, 'ideviceinfo');
    touchExecutable(second, 'ideviceinfo');
    touchExecutable(second, 'idevicebackup2');
    const options = {
      env: { PATH: `${first}::${second}` },
      platform: 'linux' as const,
      configuredDir: configured,
    };
    const expected = { ideviceId: id, ideviceinfo: info, idevicebackup2: backup };
    expect(await findTools(options)).toEqual(expected);
    expect(findToolsSync(options)).toEqual(expected);
  });

  it('searches only SNOOPSCOPE_IDEVICE_TOOLS_DIR (after a configured folder) when it is set', async () => {
    const onPath = join(root, 'path');
    const pinned = join(root, 'pinned');
    touchExecutable(onPath, 'idevice_id');
    touchExecutable(onPath, 'ideviceinfo');
    const info = touchExecutable(pinned, 'ideviceinfo');
    const env = { PATH: onPath, SNOOPSCOPE_IDEVICE_TOOLS_DIR: pinned };
    const expected = { ideviceId: null, ideviceinfo: info, idevicebackup2: null };
    expect(await findTools({ env, platform: 'linux' })).toEqual(expected);
    expect(findToolsSync({ env, platform: 'linux' })).toEqual(expected);
    // Nothing from PATH or /usr/bin when the pinned folder does not exist.
    const none = { env: { ...env, SNOOPSCOPE_IDEVICE_TOOLS_DIR: join(root, 'missing') } };
    expect(await findTools({ ...none, platform: 'linux' })).toEqual({
      ideviceId: null,
      ideviceinfo: null,
      idevicebackup2: null,
    });
  });

  it('skips a folder named like a tool', async () => {
    mkdirSync(join(root, 'idevice_id'));
    const tools = await findTools({ env: { PATH: root }, platform: 'win32' });
    expect(tools.ideviceId).toBeNull();
  });
});

describe('findTools on Windows', () => {
  it('reads Path case-insensitively, keeps .exe and .com from PATHEXT and needs no execute bit', async () => {
    const a = join(root, 'a');
    const b = join(root, 'b');
    touchExecutable(a, 'idevice_id.cmd');
    const id = touchExecutable(b, 'idevice_id.exe', 0o644);
    const info = touchExecutable(a, 'ideviceinfo.com', 0o644);
    const tools = await findTools({
      env: { Path: `"${a}";${b}`, PathExt: '.COM;.EXE;.BAT;.CMD' },
      platform: 'win32',
    });
    expect(tools).toEqual({ ideviceId: id, ideviceinfo: info, idevicebackup2: null });
    expect(missingTools(tools)).toEqual(['idevicebackup2']);
  });

  it('finds nothing when PATH is empty (no install folders are searched)', async () => {
    const tools = await findTools({ env: {}, platform: 'win32', configuredDir: null });
    expect(tools).toEqual({ ideviceId: null, ideviceinfo: null, idevicebackup2: null });
    expect(usualToolDirs('win32')).toEqual([]);
  });
});

describe('usualToolDirs', () => {
  it('searches Homebrew on both Mac architectures', () => {
    expect(usualToolDirs('darwin').slice(0, 2)).toEqual(['/opt/homebrew/bin', '/usr/local/bin']);
  });
});

describe('installHint', () => {
  it('is null when nothing is missing', () => {
    expect(installHint('darwin', [])).toBeNull();
  });

  it('names the missing tools and the install command of each OS', () => {
    const mac = installHint('darwin', ['idevicebackup2']);
    expect(mac).toContain('not found: idevicebackup2.');
    expect(mac).toContain('brew install libimobiledevice');
    const linux = installHint('linux', ['idevice_id', 'ideviceinfo']);
    expect(linux).toContain('not found: idevice_id, ideviceinfo.');
    expect(linux).toContain('sudo apt install libimobiledevice-utils usbmuxd');
    expect(linux).toContain('sudo dnf install libimobiledevice-utils');
    const windows = installHint('win32', ['idevice_id']);
    expect(windows).toContain('Apple Mobile Device Service');
    expect(windows).toContain('iTunes or the Apple Devices app');
    expect(windows).toContain('PATH');
  });
});

describe('parsing', () => {
  it('reads one UDID a line, tolerating suffixes and blank lines', () => {
    expect(parseUdidList(`${UDIDS.modern}\n\n${UDIDS.legacy} (USB)\r\n${UDIDS.modern}\n`)).toEqual([
      UDIDS.modern,
      UDIDS.legacy,
    ]);
    expect(parseUdidList('')).toEqual([]);
  });

  it('reads top-level keys only', () => {
    const info = parseDeviceInfo(
      'DeviceName: Ann’s iPhone\nNonVolatileRAM:\n DeviceName: nested\nProductType: iPhone15,2\r\n',
    );
    expect(info).toEqual({
      DeviceName: 'Ann’s iPhone',
      NonVolatileRAM: '',
      ProductType: 'iPhone15,2',
    });
  });
});

posix('listConnectedDevices', () => {
  let tools: StandInTools | null = null;
  afterEach(() => tools?.cleanup());

  async function list(
    scenario: Parameters<typeof writeStandInTools>[0],
    timeoutMs?: number,
  ): Promise<Awaited<ReturnType<typeof listConnectedDevices>>> {
    tools = writeStandInTools(scenario);
    const found = await findTools({ env: { PATH: tools.dir }, platform: 'linux' });
    return listConnectedDevices(found, { env: { PATH: '' }, timeoutMs });
  }

  it('returns no devices when none is connected', async () => {
    expect(await list({ devices: [] })).toEqual({ devices: [], problem: null });
    expect(tools!.calls()).toEqual([{ tool: 'idevice_id', args: ['-l'], passwordInEnv: false }]);
  });

  it('describes each phone, with a marketing name, and a pairing failure as a Trust problem', async () => {
    const listing = await list({
      devices: [
        {
          udid: UDIDS.modern,
          name: 'Ann’s iPhone',
          productType: 'iPhone15,2',
          iosVersion: '17.5.1',
        },
        {
          udid: UDIDS.legacy,
          infoError: 'ERROR: Could not connect to lockdownd: Pairing dialog response pending (-19)',
        },
      ],
    });
    expect(listing).toEqual({
      problem: null,
      devices: [
        {
          udid: UDIDS.modern,
          name: 'Ann’s iPhone',
          productType: 'iPhone15,2',
          model: 'iPhone 14 Pro',
          iosVersion: '17.5.1',
          problem: null,
        },
        {
          udid: UDIDS.legacy,
          name: null,
          productType: null,
          model: null,
          iosVersion: null,
          problem: TRUST_PROBLEM,
        },
      ],
    });
    const infoCalls = tools!.calls().filter((c) => c.tool === 'ideviceinfo');
    expect(infoCalls.map((c) => c.args).sort()).toEqual([
      ['-u', UDIDS.modern],
      ['-u', UDIDS.legacy],
    ]);
  });

  it('passes any other ideviceinfo error through, and stops one that hangs', async () => {
    const listing = await list(
      {
        devices: [
          { udid: UDIDS.modern, infoError: 'ERROR: Something odd happened (-3)' },
          { udid: UDIDS.legacy, infoHang: true },
        ],
      },
      1000,
    );
    expect(listing.devices.map((d) => d.problem)).toEqual([
      'ERROR: Something odd happened (-3)',
      'The iPhone did not answer within 1 s. Unlock it, reconnect the cable and try again.',
    ]);
  });

  it('reports a failing idevice_id instead of throwing', async () => {
    const listing = await list({ listError: 'ERROR: Unable to retrieve device list!' });
    expect(listing.devices).toEqual([]);
    expect(listing.problem).toBe(
      'idevice_id failed: ERROR: Unable to retrieve device list. Check that the usbmuxd service (Linux) or the Apple Mobile Device Service (Windows) is running.',
    );
  });

  it('lists UDIDs with a problem when ideviceinfo is missing, and nothing without idevice_id', async () => {
    tools = writeStandInTools({ devices: [{ udid: UDIDS.modern }] }, ['idevice_id']);
    const id = join(tools.dir, 'idevice_id');
    const partial = await listConnectedDevices({ ideviceId: id, ideviceinfo: null });
    expect(partial.devices).toEqual([
      expect.objectContaining({
        udid: UDIDS.modern,
        name: null,
        problem: 'ideviceinfo was not found, so the phone cannot be asked.',
      }),
    ]);
    const none = await listConnectedDevices({ ideviceId: null, ideviceinfo: null });
    expect(none).toEqual({
      devices: [],
      problem: 'idevice_id was not found, so connected phones cannot be listed.',
    });
  });

  it('reports a tool that cannot be started', async () => {
    const listing = await listConnectedDevices({
      ideviceId: join(root, 'missing', 'idevice_id'),
      ideviceinfo: null,
    });
    expect(listing.devices).toEqual([]);
    expect(listing.problem).toMatch(/^idevice_id could not be started: .*ENOENT/);
  });
});
