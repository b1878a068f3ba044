import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BridgeEvents, DeviceBackupProgress } from '../../contract/events';
import { AppError } from '../model/errors';
import {
  classifyBackupLine,
  DeviceBackupService,
  PASSCODE_MESSAGE,
  splitOutputChunk,
} from './device-backup';
import {
  UDIDS,
  writeStandInTools,
  type StandInScenario,
  type StandInTools,
} from './testing/stand-in-tools';

describe('splitOutputChunk', () => {
  it('splits at CRLF, CR and LF, carrying the unfinished rest', () => {
    expect(splitOutputChunk('[==', '  ] 10%\r[===  ] 20%\r\nDone\nRecei')).toEqual({
      lines: ['[==  ] 10%', '[===  ] 20%', 'Done'],
      pending: 'Recei',
    });
  });

  it('keeps only the end of output that never breaks its line', () => {
    let pending = '';
    for (let i = 0; i < 100; i += 1) pending = splitOutputChunk(pending, 'abcdefghij', 25).pending;
    expect(pending).toBe('fghij' + 'abcdefghij'.repeat(2));
    expect(splitOutputChunk(pending, `${'x'.repeat(30)}\n`, 25).lines).toEqual(['x'.repeat(25)]);
    expect(splitOutputChunk('', `a${'😀'.repeat(3)}`, 5).pending).toBe('😀😀');
  });
});

describe('classifyBackupLine', () => {
  it('reads the passcode prompt, any NN% token, the success line and errors', () => {
    expect(classifyBackupLine('*** Waiting for passcode to be entered on the device ***')).toEqual({
      kind: 'passcode',
    });
    expect(
      classifyBackupLine('[=====                                             ]  10% Finished'),
    ).toEqual({ kind: 'progress', percent: 10, text: '10% Finished' });
    expect(classifyBackupLine(' 42% (123.4 MB of 1.2 GB)')).toEqual({
      kind: 'progress',
      percent: 42,
      text: '42% (123.4 MB of 1.2 GB)',
    });
    expect(classifyBackupLine('Receiving files 99.6%')).toMatchObject({ percent: 99 });
    expect(classifyBackupLine('Backup Successful.')).toEqual({
      kind: 'success',
      text: 'Backup Successful.',
    });
    expect(classifyBackupLine('ERROR: Could not start service com.apple.mobilebackup2.')).toEqual({
      kind: 'text',
      text: 'ERROR: Could not start service com.apple.mobilebackup2.',
      error: true,
    });
    expect(classifyBackupLine('Requesting backup from device...')).toEqual({
      kind: 'text',
      text: 'Requesting backup from device...',
      error: false,
    });
    expect(classifyBackupLine('  \t')).toBeNull();
    expect(classifyBackupLine('disk 250% full')).toMatchObject({ kind: 'text' });
  });
});

/** Keeps the events of a service and waits for the one that ends a backup. */
class Recorder {
  readonly events: DeviceBackupProgress[] = [];
  private waiters: (() => void)[] = [];

  readonly emit = <E extends keyof BridgeEvents>(event: E, payload: BridgeEvents[E]): void => {
    expect(event).toBe('onDeviceBackupProgress');
    this.events.push(payload as DeviceBackupProgress);
    for (const w of this.waiters.splice(0)) w();
  };

  phases(): string[] {
    return this.events.map((e) => e.phase);
  }

  /** Resolves with the first event that satisfies `test`. */
  async until(test: (e: DeviceBackupProgress) => boolean): Promise<DeviceBackupProgress> {
    for (;;) {
      const found = this.events.find(test);
      if (found) return found;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  end(): Promise<DeviceBackupProgress> {
    return this.until((e) => ['done', 'failed', 'cancelled'].includes(e.phase));
  }
}

const PROGRESS = (from: number, to: number, step: number): { text: string }[] => {
  const lines: { text: string }[] = [];
  for (let p = from; p <= to; p += step) {
    const bar = '='.repeat(Math.floor(p / 2)).padEnd(50);
    lines.push({ text: `[${bar}] ${String(p).padStart(3)}% Finished` });
  }
  return lines;
};

describe.skipIf(process.platform === 'win32')('DeviceBackupService', () => {
  let folder: string;
  let tools: StandInTools | null;
  let recorder: Recorder;
  let service: DeviceBackupService | null;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'snoopscope-acquire-'));
    tools = null;
    service = null;
    recorder = new Recorder();
  });
  afterEach(() => {
    service?.dispose();
    tools?.cleanup();
    rmSync(folder, { recursive: true, force: true });
  });

  function serviceFor(
    scenario: StandInScenario,
    options: { progressIntervalMs?: number; killGraceMs?: number } = {},
  ): DeviceBackupService {
    tools = writeStandInTools(scenario);
    service = new DeviceBackupService(recorder.emit, {
      env: { PATH: '/nonexistent', BACKUP_PASSWORD: 'secret' },
      platform: 'linux',
      configuredDir: tools.dir,
      ...options,
    });
    return service;
  }

  it('lists the tools and phones, with no install hint when all tools are there', async () => {
    const s = serviceFor({
      devices: [{ udid: UDIDS.modern, name: 'Ann', productType: 'iPhone17,3' }],
    });
    const listed = await s.list();
    expect(listed).toEqual({
      tools: {
        ideviceId: join(tools!.dir, 'idevice_id'),
        ideviceinfo: join(tools!.dir, 'ideviceinfo'),
        idevicebackup2: join(tools!.dir, 'idevicebackup2'),
      },
      installHint: null,
      problem: null,
      devices: [
        {
          udid: UDIDS.modern,
          name: 'Ann',
          productType: 'iPhone17,3',
          model: 'iPhone 16',
          iosVersion: '17.5.1',
          problem: null,
        },
      ],
    });
  });

  it('gives an install hint when a tool is missing, and refuses to start without idevicebackup2', async () => {
    tools = writeStandInTools({ devices: [] }, ['idevice_id', 'ideviceinfo']);
    service = new DeviceBackupService(recorder.emit, {
      env: { PATH: tools.dir },
      platform: 'freebsd',
    });
    const listed = await service.list();
    expect(listed.tools.idevicebackup2).toBeNull();
    expect(listed.installHint).toContain('not found: idevicebackup2.');
    expect(listed.devices).toEqual([]);
    const error = catchAppError(() => service!.start(UDIDS.modern, folder));
    expect(error.code).toBe('UNSUPPORTED');
    expect(error.message).toBe(listed.installHint);
  });

  it('makes a backup: passcode prompt, progress, finishing, done with the backup path', async () => {
    const s = serviceFor(
      {
        devices: [{ udid: UDIDS.modern }],
        backup: {
          lines: [
            { text: 'Backup directory is "' + folder + '"' },
            { text: '*** Waiting for passcode to be entered on the device ***', delayMs: 20 },
            { text: 'Receiving files', delayMs: 20 },
            ...PROGRESS(0, 100, 25),
            { text: 'Received 3 files from device.' },
            { text: 'Backup Successful.' },
          ],
        },
      },
      { progressIntervalMs: 0 },
    );
    const id = s.start(UDIDS.modern, folder);
    expect(s.busy).toBe(true);
    const end = await recorder.end();
    const backupPath = join(folder, UDIDS.modern);
    expect(end).toEqual({
      backupId: id,
      udid: UDIDS.modern,
      phase: 'done',
      percent: 100,
      message: `Backup complete: ${backupPath}`,
      backupPath,
    });
    expect(s.busy).toBe(false);
    expect(existsSync(join(backupPath, 'Manifest.plist'))).toBe(true);
    expect(recorder.events.every((e) => e.backupId === id)).toBe(true);
    expect([...new Set(recorder.phases())]).toEqual([
      'starting',
      'waiting-for-passcode',
      'copying',
      'finishing',
      'done',
    ]);
    expect(recorder.events[0]).toMatchObject({
      phase: 'starting',
      percent: null,
      backupPath: null,
    });
    expect(recorder.events.find((e) => e.phase === 'waiting-for-passcode')?.message).toBe(
      PASSCODE_MESSAGE,
    );
    const percents = recorder.events.filter((e) => e.phase === 'copying').map((e) => e.percent);
    expect(percents).toEqual([null, 0, 25, 50, 75, 100, 100]);
    expect(recorder.events.find((e) => e.phase === 'finishing')?.message).toBe(
      'Backup Successful.',
    );
    // The password in the environment never reaches the tool, nor its arguments.
    const backupCalls = tools!.calls().filter((c) => c.tool === 'idevicebackup2');
    expect(backupCalls).toEqual([
      {
        tool: 'idevicebackup2',
        args: ['-u', UDIDS.modern, 'backup', '--full', folder],
        passwordInEnv: false,
      },
    ]);
  });

  it('sends one event per phase change and holds back progress within the interval', async () => {
    const s = serviceFor(
      {
        devices: [{ udid: UDIDS.modern }],
        backup: { lines: [...PROGRESS(0, 100, 1), { text: 'Backup Successful.' }] },
      },
      { progressIntervalMs: 60_000 },
    );
    s.start(UDIDS.modern, folder);
    await recorder.end();
    expect(recorder.phases()).toEqual(['starting', 'copying', 'finishing', 'done']);
    expect(recorder.events[2]?.percent).toBe(100);
  });

  it('sends the latest progress once the interval has passed', async () => {
    const s = serviceFor(
      {
        devices: [{ udid: UDIDS.modern }],
        backup: {
          lines: [
            { text: ' 10% (1 MB of 10 MB)' },
            { text: ' 20% (2 MB of 10 MB)' },
            { text: 'Backup Successful.', delayMs: 400 },
          ],
        },
      },
      { progressIntervalMs: 50 },
    );
    s.start(UDIDS.modern, folder);
    await recorder.end();
    const copying = recorder.events.filter((e) => e.phase === 'copying');
    expect(copying.at(-1)).toMatchObject({ percent: 20, message: '20% (2 MB of 10 MB)' });
  });

  it('fails with the specific error line when the tool exits non-zero', async () => {
    const s = serviceFor({
      devices: [{ udid: UDIDS.modern }],
      backup: {
        writeBackup: false,
        exitCode: 1,
        lines: [
          { text: 'Starting backup...' },
          {
            text: 'ErrorCode 105: Insufficient free disk space on drive to backup. (MBErrorDomain/105)',
            stream: 'stderr',
          },
          { text: 'Backup Failed (Error Code 105).', stream: 'stderr' },
        ],
      },
    });
    s.start(UDIDS.modern, folder);
    const end = await recorder.end();
    expect(end).toMatchObject({
      phase: 'failed',
      backupPath: null,
      message:
        'Backup failed: ErrorCode 105: Insufficient free disk space on drive to backup. (MBErrorDomain/105)',
    });
    expect(s.busy).toBe(false);
  });

  it('fails when the tool exits 0 but the snapshot is not finished', async () => {
    const s = serviceFor({
      devices: [{ udid: UDIDS.modern }],
      backup: { snapshotState: 'uploading' },
    });
    s.start(UDIDS.modern, folder);
    const end = await recorder.end();
    expect(end.phase).toBe('failed');
    expect(end.message).toBe(
      'idevicebackup2 ended without an error, but Status.plist says the snapshot is "uploading": the backup is incomplete.',
    );
  });

  it('fails when the only Status.plist is from an earlier backup', async () => {
    const old = join(folder, UDIDS.modern);
    mkdirSync(old);
    const status = join(old, 'Status.plist');
    writeFileSync(
      status,
      '<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict><key>SnapshotState</key><string>finished</string></dict></plist>',
    );
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(status, hourAgo, hourAgo);
    const s = serviceFor({ devices: [{ udid: UDIDS.modern }], backup: { writeBackup: false } });
    s.start(UDIDS.modern, folder);
    const end = await recorder.end();
    expect(end.phase).toBe('failed');
    expect(end.message).toContain(`${status} is from an earlier backup`);
  });

  it('fails naming a Status.plist that is a named pipe, without waiting on it', async () => {
    const backup = join(folder, UDIDS.modern);
    mkdirSync(backup);
    execFileSync('mkfifo', [join(backup, 'Status.plist')]);
    const s = serviceFor({ devices: [{ udid: UDIDS.modern }], backup: { writeBackup: false } });
    s.start(UDIDS.modern, folder);
    const end = await recorder.end();
    expect(end.phase).toBe('failed');
    expect(end.message).toBe(
      `idevicebackup2 ended without an error, but ${join(backup, 'Status.plist')} could not be read: Status.plist is a named pipe (FIFO), not a regular file; it was skipped without being opened.`,
    );
  });

  it('fails when the tool cannot be started', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snoopscope-broken-'));
    try {
      const tool = join(dir, 'idevicebackup2');
      writeFileSync(tool, '#!/nonexistent/interpreter\n');
      chmodSync(tool, 0o755);
      service = new DeviceBackupService(recorder.emit, {
        env: { PATH: '' },
        platform: 'freebsd',
        configuredDir: dir,
      });
      service.start(UDIDS.legacy, folder);
      const end = await recorder.end();
      expect(end.phase).toBe('failed');
      expect(end.message).toMatch(/^idevicebackup2 could not be started: .*ENOENT/);
      expect(service.busy).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cancels with SIGINT, refusing a second backup meanwhile', async () => {
    const s = serviceFor({
      devices: [{ udid: UDIDS.modern }],
      backup: { writeBackup: false, hang: true, lines: [{ text: '[=   ]   5% Finished' }] },
    });
    const id = s.start(UDIDS.modern, folder);
    await recorder.until((e) => e.phase === 'copying');
    expect(catchAppError(() => s.start(UDIDS.legacy, folder)).code).toBe('CONFLICT');
    expect(s.cancel('another-id')).toBe(false);
    expect(s.cancel(id)).toBe(true);
    const end = await recorder.end();
    expect(end).toMatchObject({ phase: 'cancelled', percent: 5, backupPath: null });
    expect(end.message).toContain('may hold an incomplete backup');
    expect(s.cancel(id)).toBe(false);
    expect(s.busy).toBe(false);
  });

  it('kills a tool that ignores SIGINT after the grace period', async () => {
    const s = serviceFor(
      {
        devices: [{ udid: UDIDS.modern }],
        backup: {
          writeBackup: false,
          hang: true,
          ignoreSigint: true,
          lines: [{ text: '*** Waiting for passcode to be entered on the device ***' }],
        },
      },
      { killGraceMs: 100 },
    );
    const id = s.start(UDIDS.modern, folder);
    await recorder.until((e) => e.phase === 'waiting-for-passcode');
    expect(s.cancel(id)).toBe(true);
    expect((await recorder.end()).phase).toBe('cancelled');
  });

  it('stops the tool and sends nothing more once disposed', async () => {
    const s = serviceFor({
      devices: [{ udid: UDIDS.modern }],
      backup: { writeBackup: false, hang: true, lines: [{ text: ' 1%' }] },
    });
    s.start(UDIDS.modern, folder);
    await recorder.until((e) => e.phase === 'copying');
    const count = recorder.events.length;
    s.dispose();
    await vi.waitFor(() => expect(s.busy).toBe(false), { timeout: 1500, interval: 20 });
    expect(recorder.events.length).toBe(count);
  });

  it('refuses a missing folder, a file and an option-like UDID', () => {
    const s = serviceFor({ devices: [] });
    const missing = join(folder, 'missing');
    expect(catchAppError(() => s.start(UDIDS.modern, missing))).toMatchObject({
      code: 'INVALID_INPUT',
      message: `The folder ${missing} does not exist.`,
    });
    const file = join(folder, 'file.txt');
    writeFileSync(file, 'x');
    expect(catchAppError(() => s.start(UDIDS.modern, file))).toMatchObject({
      code: 'INVALID_INPUT',
      message: `${file} is not a folder.`,
    });
    expect(catchAppError(() => s.start(UDIDS.modern, join(file, 'below')))).toMatchObject({
      code: 'INVALID_INPUT',
    });
    expect(catchAppError(() => s.start('--help', folder))).toMatchObject({
      code: 'INVALID_INPUT',
    });
    expect(s.busy).toBe(false);
    expect(tools!.calls()).toEqual([]);
  });
});

function catchAppError(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
}
