import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceBackupProgress } from '../../contract/events';
import { DeviceBackupService } from './device-backup';
import {
  describeInfoFailure,
  findTools,
  listConnectedDevices,
  missingTools,
  runTool,
  TOOL_NAMES,
} from './idevice-tools';

// Debian's libimobiledevice-utils with no iPhone attached: discovery, versions, error texts.

const BIN = '/usr/bin';
const installed = Object.values(TOOL_NAMES).every((n) => existsSync(join(BIN, n)));
if (!installed) {
  console.warn(
    'idevice-tools-real: skipped, libimobiledevice-utils is not installed (apt-get install libimobiledevice-utils).',
  );
}

const ENV = { PATH: BIN };
const ABSENT_UDID = '00008030-001A2B3C4D5E802E';

describe.skipIf(!installed || process.platform !== 'linux')(
  'the real libimobiledevice tools',
  () => {
    it('are found on PATH, with nothing missing', async () => {
      const tools = await findTools({ env: ENV, platform: 'linux' });
      expect(tools).toEqual({
        ideviceId: join(BIN, 'idevice_id'),
        ideviceinfo: join(BIN, 'ideviceinfo'),
        idevicebackup2: join(BIN, 'idevicebackup2'),
      });
      expect(missingTools(tools)).toEqual([]);
    });

    it('each reports its name and version with --version', async () => {
      for (const name of Object.values(TOOL_NAMES)) {
        const run = await runTool(join(BIN, name), ['--version'], { env: ENV, timeoutMs: 10_000 });
        expect(run.code, name).toBe(0);
        expect(run.stdout.trim(), name).toMatch(new RegExp(`^${name} \\d+\\.\\d+(\\.\\d+)?$`));
      }
    });

    it('listing with no phone attached: an empty list, or the usbmuxd advice when it is not running', async () => {
      const tools = await findTools({ env: ENV, platform: 'linux' });
      const listing = await listConnectedDevices(tools, { env: ENV, timeoutMs: 10_000 });
      expect(listing.devices).toEqual([]);
      if (listing.problem !== null) {
        expect(listing.problem).toBe(
          'idevice_id failed: ERROR: Unable to retrieve device list. Check that the usbmuxd service (Linux) or the Apple Mobile Device Service (Windows) is running.',
        );
      }
    });

    it('ideviceinfo for a phone that is not attached is named as not connected', async () => {
      const run = await runTool(join(BIN, 'ideviceinfo'), ['-u', ABSENT_UDID], {
        env: ENV,
        timeoutMs: 10_000,
      });
      expect(run.code).not.toBe(0);
      expect(describeInfoFailure(run, 10_000)).toBe(
        'The iPhone is no longer connected. Reconnect it and try again.',
      );
    });

    describe('a backup of a phone that is not attached', () => {
      let folder: string;
      let service: DeviceBackupService | null = null;
      beforeEach(() => {
        folder = mkdtempSync(join(tmpdir(), 'snoopscope-idevice-real-'));
      });
      afterEach(() => {
        service?.dispose();
        rmSync(folder, { recursive: true, force: true });
      });

      it('fails with idevicebackup2’s own words, and the tool has exited', async () => {
        const events: DeviceBackupProgress[] = [];
        let ended: (e: DeviceBackupProgress) => void = () => undefined;
        const end = new Promise<DeviceBackupProgress>((r) => (ended = r));
        service = new DeviceBackupService(
          (_event, payload) => {
            const p = payload as DeviceBackupProgress;
            events.push(p);
            if (['done', 'failed', 'cancelled'].includes(p.phase)) ended(p);
          },
          { env: ENV, platform: 'linux' },
        );
        service.start(ABSENT_UDID, folder);
        const last = await end;
        expect(last.phase).toBe('failed');
        expect(last.message).toBe(`Backup failed: No device found with udid ${ABSENT_UDID}.`);
      });
    });
  },
);
