import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PASSCODE_MESSAGE } from '../core/acquire/device-backup';
import { TRUST_PROBLEM } from '../core/acquire/idevice-tools';
import {
  UDIDS,
  writeStandInTools,
  type StandInScenario,
  type StandInTools,
} from '../core/acquire/testing/stand-in-tools';
import { runAcquire } from './acquire-command';
import { OutputWriter } from './output';
import { Capture, runCli } from './test-support';

const MASKED_MODERN = '••••••••-••••••••••••6F70';
const MASKED_LEGACY = '••••••••••••••••••••••••••••••••••••5678';

const ANN = { udid: UDIDS.modern, name: 'Ann’s iPhone', productType: 'iPhone15,2' };
const LOCKED = {
  udid: UDIDS.legacy,
  infoError: 'ERROR: Could not connect to lockdownd: Pairing dialog response pending (-19)',
};

/** Captures stderr and aborts once it has shown the given text. */
class AbortOnText extends Capture {
  constructor(
    private readonly text_: string,
    private readonly controller: AbortController,
  ) {
    super();
  }

  override _write(
    chunk: Buffer | string,
    encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    super._write(chunk, encoding, callback);
    if (this.text.includes(this.text_)) this.controller.abort();
  }
}

describe.skipIf(process.platform === 'win32')('acquire', () => {
  let tools: StandInTools | null;
  let folder: string;

  beforeEach(() => {
    tools = null;
    folder = mkdtempSync(join(tmpdir(), 'snoopscope-cli-acquire-'));
  });
  afterEach(() => {
    tools?.cleanup();
    rmSync(folder, { recursive: true, force: true });
  });

  /** Runs the command against stand-in tools found through PATH only. */
  async function acquire(
    args: string[],
    scenario: StandInScenario | null,
    io: { signal?: AbortSignal; stderrIsTTY?: boolean; stderr?: Capture } = {},
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    if (scenario) tools = writeStandInTools(scenario);
    const stdout = new Capture();
    const stderr = io.stderr ?? new Capture();
    const out = new OutputWriter(stdout);
    const code = await runAcquire(
      args,
      { out, stderr, stderrIsTTY: io.stderrIsTTY ?? false, signal: io.signal },
      { env: { PATH: tools?.dir ?? '' }, platform: 'freebsd', killGraceMs: 500 },
    );
    await out.flush();
    out.release();
    return { code, stdout: stdout.text, stderr: stderr.text };
  }

  it('lists the phones as JSON with masked UDIDs, the tools and no hint', async () => {
    const r = await acquire(['--list', '--json'], { devices: [ANN, LOCKED] });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      tools: {
        ideviceId: join(tools!.dir, 'idevice_id'),
        ideviceinfo: join(tools!.dir, 'ideviceinfo'),
        idevicebackup2: join(tools!.dir, 'idevicebackup2'),
      },
      installHint: null,
      problem: null,
      devices: [
        {
          udid: MASKED_MODERN,
          name: 'Ann’s iPhone',
          productType: 'iPhone15,2',
          model: 'iPhone 14 Pro',
          iosVersion: '17.5.1',
          problem: null,
        },
        {
          udid: MASKED_LEGACY,
          name: null,
          productType: null,
          model: null,
          iosVersion: null,
          problem: TRUST_PROBLEM,
        },
      ],
    });
    expect(r.stderr).toBe('');
  });

  it('lists the phones as a table, with the state of each tool', async () => {
    const r = await acquire(['--list', '--unmask'], { devices: [ANN] });
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^Device\s+Model\s+iOS\s+UDID\s+Status$/);
    expect(lines[2]).toMatch(
      new RegExp(`^Ann’s iPhone\\s+iPhone 14 Pro\\s+17\\.5\\.1\\s+${UDIDS.modern}\\s+ready$`),
    );
    expect(r.stdout).toContain(`Tools:\n  idevice_id      ${join(tools!.dir, 'idevice_id')}\n`);
  });

  it('says what to install when the tools are missing, and exits 1', async () => {
    const r = await acquire(['--list'], null);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('  idevicebackup2  not found\n');
    expect(r.stderr).toContain('idevice_id was not found, so connected phones cannot be listed.');
    expect(r.stderr).toContain('not found: idevice_id, ideviceinfo, idevicebackup2.');
  });

  it('says so when no phone is connected', async () => {
    const list = await acquire(['--list'], { devices: [] });
    expect(list.code).toBe(0);
    expect(list.stderr).toContain('no iPhone is connected over USB.');
    tools?.cleanup();
    const backup = await acquire([folder], { devices: [] });
    expect(backup.code).toBe(1);
    expect(backup.stderr).toContain('no iPhone is connected over USB.');
  });

  it('backs up the only phone, showing the passcode prompt, and prints the result as JSON', async () => {
    const r = await acquire([folder, '--json'], {
      devices: [ANN],
      backup: {
        lines: [
          { text: '*** Waiting for passcode to be entered on the device ***' },
          { text: '[=========================                         ]  50% Finished' },
          { text: 'Backup Successful.' },
        ],
      },
    });
    expect(r.code).toBe(0);
    const backupPath = join(folder, UDIDS.modern);
    expect(JSON.parse(r.stdout)).toEqual({
      udid: MASKED_MODERN,
      backupPath,
      status: 'done',
      message: `Backup complete: ${backupPath}`,
    });
    expect(r.stderr).toBe(`snoopscope: ${PASSCODE_MESSAGE}\n`);
    expect(existsSync(join(backupPath, 'Status.plist'))).toBe(true);
    expect(tools!.calls().find((c) => c.tool === 'idevicebackup2')?.args).toEqual([
      '-u',
      UDIDS.modern,
      'backup',
      '--full',
      folder,
    ]);
  });

  it('shows progress on a terminal and prints the backup path', async () => {
    const r = await acquire(
      [folder, '--udid', UDIDS.modern],
      {
        devices: [ANN],
        backup: { lines: [{ text: ' 42% (1.0 MB of 2.4 MB)' }, { text: 'Backup Successful.' }] },
      },
      { stderrIsTTY: true },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(join(folder, UDIDS.modern) + '\n');
    expect(r.stderr).toContain('\r\x1b[Kcopying  42%  42% (1.0 MB of 2.4 MB)');
    expect(r.stderr).toContain('\r\x1b[Kfinishing  42%  Backup Successful.');
    expect(r.stderr.endsWith('\r\x1b[K')).toBe(true);
    // With --udid the phones are not listed first.
    expect(tools!.calls().map((c) => c.tool)).toEqual(['idevicebackup2']);
  });

  it('does not start when the only phone does not trust this computer', async () => {
    const r = await acquire([folder], { devices: [LOCKED] });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`snoopscope: ${MASKED_LEGACY}: ${TRUST_PROBLEM}\n`);
    expect(tools!.calls().some((c) => c.tool === 'idevicebackup2')).toBe(false);
  });

  it('exits 1 with the tool’s error when the backup fails', async () => {
    const r = await acquire([folder, '--udid', UDIDS.modern, '--json'], {
      devices: [ANN],
      backup: {
        writeBackup: false,
        exitCode: 255,
        lines: [
          { text: 'ERROR: Could not start service com.apple.mobilebackup2.', stream: 'stderr' },
        ],
      },
    });
    expect(r.code).toBe(1);
    const message = 'Backup failed: ERROR: Could not start service com.apple.mobilebackup2.';
    expect(JSON.parse(r.stdout)).toEqual({
      udid: MASKED_MODERN,
      backupPath: null,
      status: 'failed',
      message,
    });
    expect(r.stderr).toBe(`snoopscope: ${message}\n`);
  });

  it('cancels when the signal is aborted and exits 130', async () => {
    const controller = new AbortController();
    const stderr = new AbortOnText('passcode', controller);
    const r = await acquire(
      [folder, '--json', '--unmask'],
      {
        devices: [ANN],
        backup: {
          writeBackup: false,
          hang: true,
          lines: [{ text: '*** Waiting for passcode to be entered on the device ***' }],
        },
      },
      { signal: controller.signal, stderr },
    );
    expect(r.code).toBe(130);
    expect(JSON.parse(r.stdout)).toMatchObject({
      udid: UDIDS.modern,
      backupPath: null,
      status: 'cancelled',
    });
  });

  it('does not start when already cancelled', async () => {
    const r = await acquire(
      [folder, '--udid', UDIDS.modern],
      { devices: [ANN] },
      {
        signal: AbortSignal.abort(),
      },
    );
    expect(r.code).toBe(130);
    expect(r.stderr).toBe('snoopscope: The backup was cancelled before it started.\n');
    expect(tools!.calls()).toEqual([]);
  });

  it('exits 1 when the folder does not exist', async () => {
    const missing = join(folder, 'nope');
    await expect(acquire([missing, '--udid', UDIDS.modern], { devices: [ANN] })).rejects.toThrow(
      `The folder ${missing} does not exist.`,
    );
    tools?.cleanup();
    tools = writeStandInTools({ devices: [ANN] });
    const r = await runCli(['acquire', missing, '--udid', UDIDS.modern, '--tools-dir', tools.dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`snoopscope: The folder ${missing} does not exist.\n`);
  });

  it('is wired into the command line, with usage errors exiting 2', async () => {
    tools = writeStandInTools({ devices: [ANN, LOCKED] });
    const list = await runCli([
      'acquire',
      '--list',
      '--json',
      '--unmask',
      '--tools-dir',
      tools.dir,
    ]);
    expect(list.code).toBe(0);
    expect(
      (JSON.parse(list.stdout) as { devices: { udid: string }[] }).devices.map((d) => d.udid),
    ).toEqual([UDIDS.modern, UDIDS.legacy]);
    const several = await runCli(['acquire', folder, '--tools-dir', tools.dir]);
    expect(several.code).toBe(2);
    expect(several.stderr).toContain(
      `several iPhones are connected (Ann’s iPhone ${MASKED_MODERN}, ${MASKED_LEGACY}); choose one with --udid`,
    );
    const noFolder = await runCli(['acquire']);
    expect(noFolder.code).toBe(2);
    expect(noFolder.stderr).toContain('acquire needs a destination folder');
    const listAndFolder = await runCli(['acquire', '--list', folder]);
    expect(listAndFolder.code).toBe(2);
    const help = await runCli(['acquire', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('acquire <folder> [--udid UDID]');
  });
});
