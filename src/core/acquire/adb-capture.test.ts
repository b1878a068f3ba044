import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../model/errors';
import { accessEvents } from '../services/access-events';
import { importPath } from '../services/import-pipeline';
import { tempCase } from '../testing/temp-case';
import { OFFLINE_PROBLEM, UNAUTHORIZED_PROBLEM } from './adb';
import {
  DEFAULT_MAX_HISTORY_BYTES,
  DEFAULT_MAX_OUTPUT_BYTES,
  captureAndroid,
  captureCommand,
  parseGetprop,
  type CaptureManifest,
  type CaptureOptions,
  type CaptureProgress,
} from './adb-capture';
import {
  PIXEL,
  SYNTHETIC_APPOPS,
  SYNTHETIC_BATTERY_HISTORY,
  SYNTHETIC_DEVICE_EPOCH_SECONDS,
  SYNTHETIC_DISCRETE,
  recordedAdbOutputs,
  syntheticAdbOutputs,
  withoutEndMarker,
  writeStandInAdb,
  type StandInAdb,
  type StandInAdbScenario,
} from './testing/stand-in-adb';

// Longer than the bytes a capture holds back while it looks for the end marker, so it reaches the file.
const HANG_OUTPUT = 'user=0\n' + 'x'.repeat(100) + '\n';

const sha256 = (bytes: string | Uint8Array): string =>
  createHash('sha256').update(bytes).digest('hex');

describe('parseGetprop', () => {
  it('reads [key]: [value] lines, keeping empty values and skipping others', () => {
    const props = parseGetprop(
      '[ro.build.version.sdk]: [34]\r\n[persist.sys.timezone]: [Europe/Lisbon]\n\n[empty]: []\nnoise\n',
    );
    expect([...props]).toEqual([
      ['ro.build.version.sdk', '34'],
      ['persist.sys.timezone', 'Europe/Lisbon'],
      ['empty', ''],
    ]);
  });
});

describe('captureCommand', () => {
  it('adds --include-discrete to appops from Android 12 (SDK 31) only', () => {
    expect(captureCommand('appops', 'S1', 31)).toEqual([
      '-s',
      'S1',
      'shell',
      'dumpsys',
      'appops',
      '--include-discrete',
    ]);
    expect(captureCommand('appops', 'S1', 30)).toEqual(['-s', 'S1', 'shell', 'dumpsys', 'appops']);
    expect(captureCommand('appops', 'S1', null)).toEqual([
      '-s',
      'S1',
      'shell',
      'dumpsys',
      'appops',
    ]);
    expect(captureCommand('date', 'S1', 34)).toEqual(['-s', 'S1', 'shell', 'date', '+%s']);
  });
});

describe.skipIf(process.platform === 'win32')('captureAndroid', () => {
  let adb: StandInAdb | null;
  let root: string;
  let folder: string;

  beforeEach(() => {
    adb = null;
    root = mkdtempSync(join(tmpdir(), 'snoopscope-capture-'));
    folder = join(root, 'capture');
  });
  afterEach(() => {
    adb?.cleanup();
    rmSync(root, { recursive: true, force: true });
  });

  /** A clock that moves one second each time it is read. */
  function tickingClock(startMs: number): () => number {
    let t = startMs - 1000;
    return () => (t += 1000);
  }

  async function capture(
    scenario: StandInAdbScenario,
    options: Partial<CaptureOptions> = {},
  ): Promise<{ manifest: CaptureManifest; progress: CaptureProgress[] }> {
    adb = writeStandInAdb(scenario);
    const progress: CaptureProgress[] = [];
    const r = await captureAndroid({
      adbPath: adb.path,
      serial: PIXEL.serial,
      folder,
      onProgress: (p) => progress.push(p),
      ...options,
    });
    expect(r.folder).toBe(folder);
    expect(r.manifestPath).toBe(join(folder, 'capture.json'));
    return { manifest: r.manifest, progress };
  }

  /** Runs a capture expected to fail, and returns the error and the capture.json left behind. */
  async function failedCapture(
    scenario: StandInAdbScenario,
    options: Partial<CaptureOptions> = {},
  ): Promise<{ error: AppError; manifest: CaptureManifest }> {
    const error = await capture(scenario, options).then(
      () => {
        throw new Error('the capture should have failed');
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    const manifest = JSON.parse(
      readFileSync(join(folder, 'capture.json'), 'utf8'),
    ) as CaptureManifest;
    return { error: error as AppError, manifest };
  }

  it('captures an Android 14 phone byte for byte and records it in capture.json', async () => {
    const outputs = syntheticAdbOutputs(34);
    const { manifest, progress } = await capture(
      { devices: [PIXEL], outputs },
      { now: tickingClock(Date.UTC(2025, 5, 18, 18, 20, 40)) },
    );
    const files = readdirSync(folder).sort();
    expect(files).toEqual([
      'appops.txt',
      'batterystats.txt',
      'capture.json',
      'date.txt',
      'getprop.txt',
      'package.txt',
      'usagestats.txt',
    ]);
    expect(readFileSync(join(folder, 'getprop.txt'), 'utf8')).toBe(outputs.getprop);
    expect(readFileSync(join(folder, 'batterystats.txt'), 'utf8')).toBe(SYNTHETIC_BATTERY_HISTORY);
    expect(readFileSync(join(folder, 'appops.txt'), 'utf8')).toBe(
      SYNTHETIC_APPOPS + SYNTHETIC_DISCRETE,
    );
    expect(readFileSync(join(folder, 'usagestats.txt'), 'utf8')).toBe(
      outputs['dumpsys usagestats'],
    );
    expect(readFileSync(join(folder, 'package.txt'), 'utf8')).toBe(outputs['dumpsys package']);
    for (const f of files) expect(statSync(join(folder, f)).mode & 0o777).toBe(0o600);
    expect(statSync(folder).mode & 0o777).toBe(0o700);

    expect(progress).toEqual([
      { step: 'getprop', index: 0, count: 6 },
      { step: 'date', index: 1, count: 6 },
      { step: 'appops', index: 2, count: 6 },
      { step: 'usagestats', index: 3, count: 6 },
      { step: 'package', index: 4, count: 6 },
      { step: 'batterystats', index: 5, count: 6 },
    ]);
    const s = PIXEL.serial;
    expect(adb!.calls().map((c) => withoutEndMarker(c.args))).toEqual([
      ['-s', s, 'shell', 'getprop'],
      ['-s', s, 'shell', 'date', '+%s'],
      ['-s', s, 'shell', 'dumpsys', 'appops', '--include-discrete'],
      ['-s', s, 'shell', 'dumpsys', 'usagestats'],
      ['-s', s, 'shell', 'dumpsys', 'package'],
      ['-s', s, 'shell', 'dumpsys', 'batterystats', '--history'],
    ]);

    const onDisk = JSON.parse(readFileSync(join(folder, 'capture.json'), 'utf8')) as unknown;
    expect(onDisk).toEqual(manifest);
    expect(manifest).toMatchObject({
      format: 'snoopscope-adb-capture',
      version: 1,
      status: 'complete',
      error: null,
      serial: s,
      model: 'Pixel 7',
      manufacturer: 'Google',
      androidVersion: '14',
      sdk: 34,
      fingerprint:
        'examplebrand/exampleproduct/exampledevice:14/UP1A.231005.007/1234567:user/release-keys',
      timeZone: 'Europe/Lisbon',
      hostStartedAt: '2025-06-18T18:20:40.000Z',
      deviceEpochSeconds: SYNTHETIC_DEVICE_EPOCH_SECONDS,
      warnings: [],
      tool: 'snoopscope',
    });
    const started = Date.parse(manifest.hostStartedAt);
    expect(manifest.hostTimeMs).toBeGreaterThan(started);
    expect(Date.parse(manifest.hostCompletedAt)).toBeGreaterThan(manifest.hostTimeMs!);
    expect(manifest.commands.map((c) => [c.file, c.bytes, c.exitCode, c.stderr])).toEqual([
      ['getprop.txt', Buffer.byteLength(outputs.getprop!), 0, ''],
      ['date.txt', 11, 0, ''],
      ['appops.txt', Buffer.byteLength(SYNTHETIC_APPOPS + SYNTHETIC_DISCRETE), 0, ''],
      ['usagestats.txt', Buffer.byteLength(outputs['dumpsys usagestats']!), 0, ''],
      ['package.txt', Buffer.byteLength(outputs['dumpsys package']!), 0, ''],
      ['batterystats.txt', Buffer.byteLength(SYNTHETIC_BATTERY_HISTORY), 0, ''],
    ]);
    for (const c of manifest.commands) {
      expect(c.sha256).toBe(sha256(readFileSync(join(folder, c.file))));
      expect(c.command.slice(0, 3)).toEqual(['-s', s, 'shell']);
      expect(c.durationMs).toBeGreaterThanOrEqual(0);
      expect(Date.parse(c.startedAt)).toBeGreaterThanOrEqual(started);
    }
    expect(withoutEndMarker(manifest.commands[2]!.command)).toEqual([
      '-s',
      s,
      'shell',
      'dumpsys',
      'appops',
      '--include-discrete',
    ]);
  });

  it('asks Android 11 for appops without discrete history, and leaves an unknown zone null', async () => {
    const { manifest } = await capture({
      devices: [PIXEL],
      outputs: syntheticAdbOutputs(30, null),
    });
    expect(manifest.sdk).toBe(30);
    expect(manifest.timeZone).toBeNull();
    expect(manifest.androidVersion).toBe('10');
    expect(withoutEndMarker(manifest.commands[2]!.command).slice(3)).toEqual(['dumpsys', 'appops']);
    expect(readFileSync(join(folder, 'appops.txt'), 'utf8')).toBe(SYNTHETIC_APPOPS);
  });

  it('reads an SDK level or a clock of more digits than a whole number holds as unknown', async () => {
    const outputs = syntheticAdbOutputs();
    outputs['getprop'] = outputs['getprop']!.replace(
      '[ro.build.version.sdk]: [34]',
      `[ro.build.version.sdk]: [${'9'.repeat(400)}]`,
    );
    outputs['date +%s'] = `${'1'.repeat(20)}\n`;
    const { manifest } = await capture({ devices: [PIXEL], outputs });
    expect(manifest.sdk).toBeNull();
    expect(manifest.deviceEpochSeconds).toBeNull();
  });

  it('captures into an existing empty folder, but never into one holding files', async () => {
    mkdirSync(folder);
    await capture({ devices: [PIXEL], outputs: syntheticAdbOutputs() });
    adb?.cleanup();
    adb = writeStandInAdb({ devices: [PIXEL], outputs: syntheticAdbOutputs() });
    const again = captureAndroid({ adbPath: adb.path, serial: PIXEL.serial, folder });
    await expect(again).rejects.toMatchObject({
      code: 'CONFLICT',
      message: `The folder ${folder} is not empty; a capture goes into a new or empty folder and never overwrites.`,
    });
    expect(adb.calls()).toEqual([]);
    const file = join(root, 'file');
    writeFileSync(file, 'x');
    await expect(
      captureAndroid({ adbPath: adb.path, serial: PIXEL.serial, folder: file }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', message: `${file} is not a folder.` });
  });

  it('refuses a serial that would read as an option, and a cancel before the start', async () => {
    adb = writeStandInAdb({ devices: [PIXEL] });
    await expect(captureAndroid({ adbPath: adb.path, serial: '-d', folder })).rejects.toMatchObject(
      { code: 'INVALID_INPUT' },
    );
    await expect(
      captureAndroid({
        adbPath: adb.path,
        serial: PIXEL.serial,
        folder,
        signal: AbortSignal.abort(),
      }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(existsSync(folder)).toBe(false);
    expect(adb.calls()).toEqual([]);
  });

  it('stops with IMPORT_REFUSED when the phone has not allowed USB debugging', async () => {
    const { error, manifest } = await failedCapture({
      devices: [{ ...PIXEL, state: 'unauthorized' }],
      outputs: syntheticAdbOutputs(),
    });
    expect(error.code).toBe('IMPORT_REFUSED');
    expect(error.message).toBe(
      `The capture stopped at “getprop”: ${UNAUTHORIZED_PROBLEM} What was captured before is kept in ${folder}.`,
    );
    expect(readdirSync(folder).sort()).toEqual(['capture.json', 'getprop.txt.partial']);
    expect(manifest).toMatchObject({ status: 'failed', error: UNAUTHORIZED_PROBLEM, sdk: null });
    expect(manifest.commands).toHaveLength(1);
    expect(manifest.commands[0]).toMatchObject({
      file: 'getprop.txt.partial',
      bytes: 0,
      exitCode: 1,
      sha256: sha256(''),
    });
    expect(manifest.commands[0]!.stderr).toMatch(/^adb: device unauthorized\.\nThis adb server/);
  });

  it('keeps what was captured when a later command fails', async () => {
    const { error, manifest } = await failedCapture({
      devices: [PIXEL],
      outputs: syntheticAdbOutputs(),
      fail: { command: 'dumpsys usagestats', stdout: 'user=0\n', stderr: 'error: device offline' },
    });
    expect(error.code).toBe('IMPORT_REFUSED');
    expect(error.message).toContain(`“dumpsys usagestats”: ${OFFLINE_PROBLEM}`);
    expect(readdirSync(folder).sort()).toEqual([
      'appops.txt',
      'capture.json',
      'date.txt',
      'getprop.txt',
      'usagestats.txt.partial',
    ]);
    expect(readFileSync(join(folder, 'usagestats.txt.partial'), 'utf8')).toBe('user=0\n');
    expect(manifest).toMatchObject({ status: 'failed', error: OFFLINE_PROBLEM, sdk: 34 });
    expect(manifest.commands.map((c) => [c.file, c.exitCode])).toEqual([
      ['getprop.txt', 0],
      ['date.txt', 0],
      ['appops.txt', 0],
      ['usagestats.txt.partial', 1],
    ]);
    expect(manifest.commands[3]!.stderr).toBe('error: device offline');
  });

  it('reports a shell command that exits non-zero, and a phone that went away', async () => {
    const failing = await failedCapture({
      devices: [PIXEL],
      outputs: syntheticAdbOutputs(),
      fail: { command: 'dumpsys package', stderr: "Can't find service: package", exitCode: 255 },
    });
    expect(failing.manifest.error).toBe(
      "“dumpsys package” failed with exit code 255: Can't find service: package",
    );
    rmSync(folder, { recursive: true });
    adb?.cleanup();
    const gone = await failedCapture(
      { devices: [], outputs: syntheticAdbOutputs() },
      { serial: 'R58N12ABCDE' },
    );
    expect(gone.error.message).toContain(
      'The phone R58N12ABCDE is no longer connected to adb: reconnect it, unlock it and try again.',
    );
  });

  it('refuses an empty getprop, and stops a command that outlives its time limit', async () => {
    const empty = await failedCapture({
      devices: [PIXEL],
      outputs: { ...syntheticAdbOutputs(), getprop: '' },
    });
    expect(empty.manifest.error).toBe('getprop printed nothing; the phone did not answer.');
    rmSync(folder, { recursive: true });
    adb?.cleanup();
    const slow = await failedCapture(
      { devices: [PIXEL], outputs: syntheticAdbOutputs(), hang: { command: 'date +%s' } },
      { timeoutMs: 300 },
    );
    expect(slow.error.code).toBe('IMPORT_REFUSED');
    expect(slow.manifest.error).toBe(
      '“date +%s” did not finish within 1 s; the phone may be locked or disconnected.',
    );
    expect(slow.manifest.commands[1]).toMatchObject({ file: 'date.txt.partial', exitCode: null });
  });

  /** Aborts once the partial output of `file` holds bytes. */
  function abortWhenWritten(controller: AbortController, file: string): void {
    const timer = setInterval(() => {
      const path = join(folder, file);
      if (existsSync(path) && statSync(path).size > 0) {
        clearInterval(timer);
        controller.abort();
      }
    }, 10);
    setTimeout(() => clearInterval(timer), 10_000).unref();
  }

  it('cancels: stops the running adb, keeps earlier outputs, and says so in capture.json', async () => {
    const controller = new AbortController();
    abortWhenWritten(controller, 'usagestats.txt.partial');
    const { error, manifest } = await failedCapture(
      {
        devices: [PIXEL],
        outputs: syntheticAdbOutputs(),
        hang: { command: 'dumpsys usagestats', stdout: HANG_OUTPUT },
      },
      { signal: controller.signal },
    );
    expect(error.code).toBe('CANCELLED');
    expect(error.message).toBe(
      `The capture was cancelled; what was captured before is kept in ${folder}.`,
    );
    expect(manifest).toMatchObject({
      status: 'cancelled',
      error: 'The capture was cancelled during “dumpsys usagestats”.',
    });
    expect(manifest.commands[3]).toMatchObject({
      file: 'usagestats.txt.partial',
      bytes: HANG_OUTPUT.length,
      exitCode: null,
    });
    expect(existsSync(join(folder, 'appops.txt'))).toBe(true);
    expect(existsSync(join(folder, 'package.txt.partial'))).toBe(false);
    expect(adb!.calls()).toHaveLength(4);
  });

  it('a required output past its size limit is stopped there, kept as .partial, and fails the capture', async () => {
    const outputs = syntheticAdbOutputs();
    const { error, manifest } = await failedCapture(
      { devices: [PIXEL], outputs },
      { maxOutputBytes: { getprop: 64 } },
    );
    expect(error.code).toBe('IMPORT_REFUSED');
    expect(error.message).toBe(
      `The capture stopped at “getprop”: “getprop” printed more than 64 bytes; it was stopped there. What was captured before is kept in ${folder}.`,
    );
    expect(manifest.status).toBe('failed');
    expect(manifest.commands).toHaveLength(1);
    expect(manifest.commands[0]).toMatchObject({
      file: 'getprop.txt.partial',
      bytes: 64,
      exitCode: null,
    });
    expect(readFileSync(join(folder, 'getprop.txt.partial'), 'utf8')).toBe(
      outputs.getprop!.slice(0, 64),
    );
    // Every required step has a limit, well above what a phone prints and below what fills a disk.
    expect(DEFAULT_MAX_OUTPUT_BYTES).toEqual({
      getprop: 16 * 1024 * 1024,
      date: 4096,
      appops: 2 ** 31,
      usagestats: 2 ** 31,
      package: 2 ** 31,
      batterystats: DEFAULT_MAX_HISTORY_BYTES,
    });
  });

  it('a phone clock longer than its limit stops the capture after getprop', async () => {
    const outputs = syntheticAdbOutputs();
    const { error, manifest } = await failedCapture(
      { devices: [PIXEL], outputs: { ...outputs, 'date +%s': '1'.repeat(5000) } },
      {},
    );
    expect(error.message).toContain(
      '“date +%s” printed more than 4,096 bytes; it was stopped there.',
    );
    expect(manifest.commands.map((c) => c.file)).toEqual(['getprop.txt', 'date.txt.partial']);
  });

  it('an output cut short while adb exits 0 (connection lost) stays .partial and fails the capture', async () => {
    const { error, manifest } = await failedCapture({
      devices: [PIXEL],
      outputs: syntheticAdbOutputs(),
      cut: { command: 'dumpsys usagestats', bytes: 40 },
    });
    expect(error.code).toBe('IMPORT_REFUSED');
    expect(error.message).toBe(
      `The capture stopped at “dumpsys usagestats”: The output of “dumpsys usagestats” ended before the command finished: the connection to the phone was lost. Reconnect it and capture again. What was captured before is kept in ${folder}.`,
    );
    expect(manifest.status).toBe('failed');
    expect(manifest.commands[3]).toMatchObject({
      file: 'usagestats.txt.partial',
      bytes: 40,
      exitCode: 0,
    });
    expect(readFileSync(join(folder, 'usagestats.txt.partial'), 'utf8')).toBe(
      syntheticAdbOutputs()['dumpsys usagestats']!.slice(0, 40),
    );
    expect(existsSync(join(folder, 'usagestats.txt'))).toBe(false);
  });

  it('the exit code the end marker carries fails a command even when adb itself exits 0', async () => {
    const { error, manifest } = await failedCapture({
      devices: [PIXEL],
      outputs: syntheticAdbOutputs(),
      fail: { command: 'dumpsys package', stderr: "Can't find service: package", exitCode: 5 },
    });
    expect(error.message).toContain(
      "“dumpsys package” failed with exit code 5: Can't find service: package",
    );
    expect(manifest.commands[4]).toMatchObject({ file: 'package.txt.partial', exitCode: 5 });
  });

  it('kills an adb that ignores SIGINT after the grace period', async () => {
    const controller = new AbortController();
    abortWhenWritten(controller, 'appops.txt.partial');
    const { error, manifest } = await failedCapture(
      {
        devices: [PIXEL],
        outputs: syntheticAdbOutputs(),
        hang: {
          command: 'dumpsys appops --include-discrete',
          stdout: HANG_OUTPUT,
          ignoreSigint: true,
        },
      },
      { signal: controller.signal, killGraceMs: 200 },
    );
    expect(error.code).toBe('CANCELLED');
    expect(manifest.commands.map((c) => c.file)).toEqual([
      'getprop.txt',
      'date.txt',
      'appops.txt.partial',
    ]);
  });

  describe('the battery history', () => {
    const HISTORY = ['dumpsys', 'batterystats', '--history'];

    it('a phone without it (command not found) leaves a warning and a complete capture', async () => {
      const outputs: Record<string, string> = syntheticAdbOutputs();
      delete outputs['dumpsys batterystats --history'];
      const { manifest } = await capture({ devices: [PIXEL], outputs });
      expect(manifest.status).toBe('complete');
      expect(manifest.error).toBeNull();
      expect(readdirSync(folder).sort()).toContain('batterystats.txt.partial');
      expect(readdirSync(folder)).not.toContain('batterystats.txt');
      expect(withoutEndMarker(manifest.commands[5]!.command).slice(3)).toEqual(HISTORY);
      expect(manifest.commands[5]).toMatchObject({
        file: 'batterystats.txt.partial',
        exitCode: 127,
      });
      expect(manifest.warnings).toEqual([
        'The phone did not give its battery history: “dumpsys batterystats --history” failed with ' +
          'exit code 127: /system/bin/sh: dumpsys: inaccessible or not found The output is kept as ' +
          'batterystats.txt.partial, which is not imported; the capture went on without it, and the ' +
          'device state comes from usagestats only.',
      ]);
    });

    it('a phone that refuses it (service missing) or hangs on it still completes the capture', async () => {
      const refused = await capture({
        devices: [PIXEL],
        outputs: syntheticAdbOutputs(),
        fail: {
          command: 'dumpsys batterystats --history',
          stderr: "Can't find service: batterystats",
          exitCode: 255,
        },
      });
      expect(refused.manifest.status).toBe('complete');
      expect(refused.manifest.warnings[0]).toContain(
        "“dumpsys batterystats --history” failed with exit code 255: Can't find service: batterystats",
      );
      rmSync(folder, { recursive: true });
      adb?.cleanup();
      const slow = await capture(
        {
          devices: [PIXEL],
          outputs: syntheticAdbOutputs(),
          hang: { command: 'dumpsys batterystats --history' },
        },
        { timeoutMs: 1500 },
      );
      expect(slow.manifest.status).toBe('complete');
      expect(slow.manifest.warnings[0]).toContain(
        '“dumpsys batterystats --history” did not finish within 2 s',
      );
      expect(slow.manifest.commands[5]).toMatchObject({ exitCode: null });
    });

    it('is stopped at the size limit, keeping what fit as .partial with a warning', async () => {
      const { manifest } = await capture(
        { devices: [PIXEL], outputs: syntheticAdbOutputs() },
        { maxHistoryBytes: 100 },
      );
      expect(manifest.status).toBe('complete');
      expect(manifest.commands[5]).toMatchObject({
        file: 'batterystats.txt.partial',
        bytes: 100,
        exitCode: null,
      });
      expect(readFileSync(join(folder, 'batterystats.txt.partial'), 'utf8')).toBe(
        SYNTHETIC_BATTERY_HISTORY.slice(0, 100),
      );
      expect(manifest.commands[5]!.sha256).toBe(sha256(SYNTHETIC_BATTERY_HISTORY.slice(0, 100)));
      expect(manifest.warnings).toEqual([
        expect.stringContaining(
          '“dumpsys batterystats --history” printed more than 100 bytes; it was stopped there.',
        ),
      ]);
      // The other outputs have limits of their own, far larger.
      expect(readFileSync(join(folder, 'package.txt'), 'utf8')).toBe(
        syntheticAdbOutputs()['dumpsys package'],
      );
    });

    it('an output without a history is kept as it came, with a warning', async () => {
      const { manifest } = await capture({
        devices: [PIXEL],
        outputs: {
          ...syntheticAdbOutputs(),
          'dumpsys batterystats --history': 'Unknown option: --history\n',
        },
      });
      expect(manifest.status).toBe('complete');
      expect(readFileSync(join(folder, 'batterystats.txt'), 'utf8')).toBe(
        'Unknown option: --history\n',
      );
      expect(manifest.warnings).toEqual([
        '“dumpsys batterystats --history” printed no battery history (no “Battery History” line); ' +
          'batterystats.txt is kept as it came, and the device state comes from usagestats only.',
      ]);
    });

    it('a cancel while it runs still cancels the capture', async () => {
      const controller = new AbortController();
      abortWhenWritten(controller, 'batterystats.txt.partial');
      const { error, manifest } = await failedCapture(
        {
          devices: [PIXEL],
          outputs: syntheticAdbOutputs(),
          hang: { command: 'dumpsys batterystats --history', stdout: HANG_OUTPUT },
        },
        { signal: controller.signal },
      );
      expect(error.code).toBe('CANCELLED');
      expect(manifest.status).toBe('cancelled');
      expect(manifest.warnings).toEqual([]);
    });

    it('imports through importPath as device states with basis batterystats', async () => {
      await capture(
        { devices: [PIXEL], outputs: syntheticAdbOutputs() },
        { now: tickingClock(Date.UTC(2025, 5, 18, 18, 20, 40)) },
      );
      const t = tempCase();
      try {
        const r = await importPath(t.session.db, folder, {});
        const member = r.outcomes.find((o) => o.path.endsWith('batterystats.txt'));
        expect(member?.status).toBe('imported');
        const rows = t.session.db
          .prepare(
            `SELECT kind, value, from_ms AS fromMs, to_ms AS toMs, locator FROM device_states
             WHERE basis = 'batterystats' ORDER BY kind, from_ms`,
          )
          .all() as {
          kind: string;
          value: string;
          fromMs: number;
          toMs: number;
          locator: string;
        }[];
        // Device-local times in Europe/Lisbon (UTC+1 in June).
        const at = (h: number, m: number, s: number): number => Date.UTC(2025, 5, 18, h - 1, m, s);
        expect(rows.filter((x) => x.kind === 'screen')).toEqual([
          {
            kind: 'screen',
            value: 'on',
            fromMs: at(7, 40, 36),
            toMs: at(8, 10, 36),
            locator: 'batterystats.txt line 3',
          },
          {
            kind: 'screen',
            value: 'off',
            fromMs: at(8, 10, 36),
            toMs: at(12, 58, 31),
            locator: 'batterystats.txt line 4',
          },
          {
            kind: 'screen',
            value: 'on',
            fromMs: at(12, 58, 31),
            toMs: at(13, 10, 36),
            locator: 'batterystats.txt line 5',
          },
          {
            kind: 'screen',
            value: 'off',
            fromMs: at(13, 10, 36),
            toMs: at(19, 15, 36),
            locator: 'batterystats.txt line 7',
          },
          {
            kind: 'screen',
            value: 'on',
            fromMs: at(19, 15, 36),
            toMs: at(19, 15, 36),
            locator: 'batterystats.txt line 8',
          },
        ]);
        expect(rows.filter((x) => x.kind === 'foreground').map((x) => x.value)).toEqual([
          'com.example.launcher',
          'com.example.social',
        ]);
        const coverage = t.session.db
          .prepare(
            "SELECT kind, from_ms AS fromMs, to_ms AS toMs FROM device_state_coverage WHERE basis = 'batterystats' ORDER BY kind",
          )
          .all();
        expect(coverage).toEqual([
          { kind: 'foreground', fromMs: at(7, 40, 36), toMs: at(19, 15, 36) },
          { kind: 'screen', fromMs: at(7, 40, 36), toMs: at(19, 15, 36) },
        ]);
        // The messenger's microphone access at 18:45:12 came with the screen off.
        const access = [...accessEvents(t.session, {})].find(
          (e) => e.app === 'com.example.messenger',
        );
        expect(access?.deviceState).toMatchObject({
          screen: 'off',
          basis: expect.stringContaining('batterystats') as unknown,
        });
      } finally {
        t.cleanup();
      }
    });

    it('the warning of a capture without it reaches the import as a note', async () => {
      const outputs: Record<string, string> = syntheticAdbOutputs();
      delete outputs['dumpsys batterystats --history'];
      await capture({ devices: [PIXEL], outputs });
      const t = tempCase();
      try {
        const r = await importPath(t.session.db, folder, {});
        expect(r.notes.map((n) => n.message).join(' ')).toContain(
          'capture.json: The phone did not give its battery history',
        );
        expect(
          t.session.db
            .prepare("SELECT COUNT(*) AS n FROM device_states WHERE basis = 'batterystats'")
            .get(),
        ).toEqual({ n: 0 });
      } finally {
        t.cleanup();
      }
    });
  });
});

const recorded = recordedAdbOutputs();

describe.skipIf(process.platform === 'win32' || recorded === null)(
  'conformance: captures real recorded outputs byte for byte',
  () => {
    it('MVT getprop, dumpsys appops and dumpsys package (no sdk or zone in that getprop)', async () => {
      const root = mkdtempSync(join(tmpdir(), 'snoopscope-capture-real-'));
      const adb = writeStandInAdb({ devices: [PIXEL], outputs: recorded! });
      try {
        const folder = join(root, 'capture');
        const { manifest } = await captureAndroid({
          adbPath: adb.path,
          serial: PIXEL.serial,
          folder,
        });
        expect(manifest).toMatchObject({ status: 'complete', sdk: null, timeZone: null });
        for (const [file, key] of [
          ['getprop.txt', 'getprop'],
          ['appops.txt', 'dumpsys appops'],
          ['package.txt', 'dumpsys package'],
        ] as const) {
          const expected = recorded![key]!;
          expect(sha256(readFileSync(join(folder, file)))).toBe(sha256(expected));
          expect(manifest.commands.find((c) => c.file === file)?.sha256).toBe(sha256(expected));
        }
        expect(withoutEndMarker(manifest.commands[2]!.command).slice(3)).toEqual([
          'dumpsys',
          'appops',
        ]);
      } finally {
        adb.cleanup();
        rmSync(root, { recursive: true, force: true });
      }
    });
  },
);
