import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NO_DEVICE_HINT, UNAUTHORIZED_PROBLEM, adbInstallHint } from '../core/acquire/adb';
import type { CaptureManifest } from '../core/acquire/adb-capture';
import {
  PIXEL,
  syntheticAdbOutputs,
  withoutEndMarker,
  writeStandInAdb,
  type StandInAdb,
  type StandInAdbScenario,
} from '../core/acquire/testing/stand-in-adb';
import { CaseSession } from '../core/services/case-service';
import { runCapture, type CaptureCommandResult, type CaptureEnvironment } from './capture-command';
import { OutputWriter } from './output';
import { Capture, runCli } from './test-support';

const T0 = Date.UTC(2025, 5, 18, 18, 20, 45);
const FIRST_ADDED = { access: 4, reject: 1, usage: 3, permission: 2, history: 0 };
const NOTHING_ADDED = { access: 0, reject: 0, usage: 0, permission: 0, history: 0 };

describe.skipIf(process.platform === 'win32')('capture', () => {
  let adb: StandInAdb | null;
  let dir: string;
  let casePath: string;

  beforeEach(() => {
    adb = null;
    dir = mkdtempSync(join(tmpdir(), 'snoopscope-cli-capture-'));
    casePath = join(dir, 'case.snoop');
  });
  afterEach(() => {
    adb?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the command against a stand-in adb found through PATH only. */
  async function capture(
    args: string[],
    scenario: StandInAdbScenario | null,
    io: { signal?: AbortSignal; environment?: CaptureEnvironment; tty?: boolean } = {},
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    if (scenario) {
      adb?.cleanup();
      adb = writeStandInAdb(scenario);
    }
    const stdout = new Capture();
    const stderr = new Capture();
    const out = new OutputWriter(stdout);
    const code = await runCapture(
      [casePath, '--adb', ...args],
      { out, stderr, stderrIsTTY: io.tty ?? false, signal: io.signal },
      {
        env: { PATH: adb?.dir ?? '' },
        platform: 'freebsd',
        home: dir,
        killGraceMs: 300,
        ...io.environment,
      },
    );
    await out.flush();
    out.release();
    return { code, stdout: stdout.text, stderr: stderr.text };
  }

  const ready = (): StandInAdbScenario => ({ devices: [PIXEL], outputs: syntheticAdbOutputs() });

  function captures(root = join(dir, 'captures')): string[] {
    return existsSync(root) ? readdirSync(root).sort() : [];
  }

  it('captures the only phone into captures/ beside the case and imports it', async () => {
    const r = await capture(['--device', 'Ann phone'], ready(), {
      environment: { now: () => T0 },
    });
    expect(r.stderr).toBe(`snoopscope: created case ${casePath}\n`);
    expect(r.code).toBe(0);
    const folder = join(dir, 'captures', '2B121FDH200ABC-20250618T182045Z');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`captured: ${folder}`);
    expect(lines[1]).toBe(
      '  phone 2B121FDH200ABC: Pixel 7 (Google), Android 14 (SDK 34), time zone Europe/Lisbon',
    );
    expect(lines[2]).toMatch(
      /^ {2}6 commands, 3,558 bytes; phone clock 2025-06-18T18:20:45Z, this computer \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );
    expect(lines[3]).toBe(
      'imported into device "Ann phone" (id 1): 4 access, 1 reject, 3 usage, 2 permission, 0 history',
    );
    expect(readdirSync(folder).sort()).toEqual([
      'appops.txt',
      'batterystats.txt',
      'capture.json',
      'date.txt',
      'getprop.txt',
      'package.txt',
      'usagestats.txt',
    ]);
    // adb was asked for the phones first, since no --serial was given.
    expect(adb!.calls()[0]!.args).toEqual(['devices', '-l']);
    const session = CaseSession.open(casePath, { readonly: true });
    try {
      expect(session.devices().map((d) => [d.label, d.platform, d.timeZone])).toEqual([
        ['Ann phone', 'android', 'Europe/Lisbon'],
      ]);
    } finally {
      session.close();
    }
  });

  it('prints JSON, and a second identical capture adds nothing', async () => {
    const first = await capture(['--json', '--serial', PIXEL.serial], ready());
    expect(first.code).toBe(0);
    const a = JSON.parse(first.stdout) as CaptureCommandResult;
    expect(a.device).toEqual({ id: 1, label: 'Pixel 7' });
    expect(a.added).toEqual(FIRST_ADDED);
    expect(a.problems).toEqual([]);
    expect(a.capture).toMatchObject({
      format: 'snoopscope-adb-capture',
      status: 'complete',
      serial: PIXEL.serial,
      sdk: 34,
      timeZone: 'Europe/Lisbon',
    } satisfies Partial<CaptureManifest>);
    expect(a.outcomes.map((o) => o.status)).not.toContain('refused');
    // With --serial the phones are not listed first.
    expect(withoutEndMarker(adb!.calls()[0]!.args)).toEqual([
      '-s',
      PIXEL.serial,
      'shell',
      'getprop',
    ]);

    const second = await capture(['--json'], null);
    expect(second.code).toBe(0);
    const b = JSON.parse(second.stdout) as CaptureCommandResult;
    expect(b.folder).not.toBe(a.folder);
    expect(b.device).toEqual({ id: 1, label: 'Pixel 7' });
    expect(b.added).toEqual(NOTHING_ADDED);
    expect(new Set(b.outcomes.map((o) => o.status))).toEqual(new Set(['already-imported']));
    expect(captures()).toHaveLength(2);
  });

  it('captures into --out, showing progress on a terminal', async () => {
    const out = join(dir, 'elsewhere');
    const r = await capture(['--out', out], ready(), {
      environment: { now: () => T0 },
      tty: true,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('\r\x1b[K[1/6] capturing getprop\r\x1b[K[2/6] capturing date');
    expect(r.stderr).toContain(
      '\r\x1b[K[5/6] capturing package\r\x1b[K[6/6] capturing batterystats\r\x1b[K',
    );
    expect(r.stderr).toContain('\r\x1b[Kimporting  reading  0%');
    expect(r.stderr.endsWith('\r\x1b[K')).toBe(true);
    expect(captures(out)).toEqual(['2B121FDH200ABC-20250618T182045Z']);
    expect(captures()).toEqual([]);
  });

  it('says what to install when adb is missing, and when --adb-path is wrong', async () => {
    const missing = await capture([], null);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`snoopscope: ${adbInstallHint('freebsd')}\n`);
    const wrong = await capture(['--adb-path', join(dir, 'nope')], null);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe(
      `snoopscope: --adb-path ${join(dir, 'nope')}: no runnable adb there.\n`,
    );
    expect(existsSync(casePath)).toBe(false);
  });

  it('explains what to do when no phone is listed or the only one is not allowed', async () => {
    const none = await capture([], { devices: [] });
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(`snoopscope: ${NO_DEVICE_HINT}\n`);
    const locked = await capture([], {
      devices: [{ serial: 'R58N12ABCDE', state: 'unauthorized', usb: '1-2' }],
    });
    expect(locked.code).toBe(1);
    expect(locked.stderr).toBe(`snoopscope: R58N12ABCDE unauthorized: ${UNAUTHORIZED_PROBLEM}\n`);
    expect(adb!.calls()).toEqual([{ args: ['devices', '-l'] }]);
    expect(existsSync(casePath)).toBe(false);
  });

  it('exits 1 and keeps the partial capture when a command fails, leaving the case untouched', async () => {
    const r = await capture([], {
      ...ready(),
      fail: { command: 'dumpsys usagestats', stderr: "adb: device '2B121FDH200ABC' not found" },
    }).catch((e: unknown) => e);
    expect(r).toMatchObject({
      code: 'IMPORT_REFUSED',
      message: expect.stringContaining(
        '“dumpsys usagestats”: The phone 2B121FDH200ABC is no longer connected to adb',
      ) as unknown,
    });
    const [folder] = captures();
    expect(readdirSync(join(dir, 'captures', folder!)).sort()).toEqual([
      'appops.txt',
      'capture.json',
      'date.txt',
      'getprop.txt',
      'usagestats.txt.partial',
    ]);
    const session = CaseSession.open(casePath, { readonly: true });
    try {
      expect(session.devices()).toEqual([]);
    } finally {
      session.close();
    }
  });

  it('keeps the capture and exits 1 when the import refuses it', async () => {
    expect((await capture(['--device', 'A'], ready())).code).toBe(0);
    const r = await capture(['--device', 'B'], null);
    expect(r.code).toBe(1);
    const kept = captures()[1]!;
    expect(r.stderr).toMatch(/^snoopscope: import failed: .+ The capture is kept in .+\n$/);
    expect(r.stderr).toContain(join(dir, 'captures', kept));
    expect(r.stderr).toContain('"A"');
  });

  it('cancels a running capture and exits 130', async () => {
    const controller = new AbortController();
    const stdout = new Capture();
    const stderr = new Capture();
    const out = new OutputWriter(stdout);
    adb = writeStandInAdb({ ...ready(), hang: { command: 'dumpsys package' } });
    const running = runCapture(
      [casePath, '--adb'],
      { out, stderr, stderrIsTTY: false, signal: controller.signal },
      { env: { PATH: adb.dir }, platform: 'freebsd', home: dir, killGraceMs: 300 },
    );
    // Aborts once the hanging command has started.
    const timer = setInterval(() => {
      if (adb!.calls().some((c) => c.args.includes('package'))) {
        clearInterval(timer);
        controller.abort();
      }
    }, 10);
    const code = await running;
    clearInterval(timer);
    expect(code).toBe(130);
    const [folder] = captures();
    expect(stderr.text).toContain(
      `snoopscope: The capture was cancelled; what was captured before is kept in ${join(dir, 'captures', folder!)}.\n`,
    );
    expect(stdout.text).toBe('');
  });

  it('watches: captures every N minutes, prints what each added and the next time, stops on cancel', async () => {
    const controller = new AbortController();
    let t = T0;
    const waits: number[] = [];
    const environment: CaptureEnvironment = {
      now: () => t,
      setTimer: (fn, ms) => {
        waits.push(ms);
        // The third wait is cut short by Ctrl-C.
        if (waits.length === 3) setImmediate(() => controller.abort());
        else
          setImmediate(() => {
            t += ms;
            fn();
          });
        return () => undefined;
      },
    };
    const r = await capture(['--watch', '10', '--device', 'Ann phone'], ready(), {
      signal: controller.signal,
      environment,
    });
    expect(r.code).toBe(130);
    const root = join(dir, 'captures');
    expect(r.stdout).toBe(
      [
        `2025-06-18T18:20:45Z  captured ${join(root, '2B121FDH200ABC-20250618T182045Z')}: added 4 access, 1 reject, 3 usage, 2 permission, 0 history`,
        'next capture at 2025-06-18T18:30:45Z (Ctrl-C stops)',
        `2025-06-18T18:30:45Z  captured ${join(root, '2B121FDH200ABC-20250618T183045Z')}: added 0 access, 0 reject, 0 usage, 0 permission, 0 history`,
        'next capture at 2025-06-18T18:40:45Z (Ctrl-C stops)',
        `2025-06-18T18:40:45Z  captured ${join(root, '2B121FDH200ABC-20250618T184045Z')}: added 0 access, 0 reject, 0 usage, 0 permission, 0 history`,
        'next capture at 2025-06-18T18:50:45Z (Ctrl-C stops)',
        '',
      ].join('\n'),
    );
    expect(waits).toEqual([10 * 60_000, 10 * 60_000, 10 * 60_000]);
    expect(r.stderr).toBe(
      `snoopscope: created case ${casePath}\n` +
        `snoopscope: watching 2B121FDH200ABC: a capture every 10 min into ${root}; Ctrl-C stops.\n` +
        'snoopscope: watch stopped after 3 captures (3 imported).\n',
    );
  });

  it('watches with --json: one line per capture, the last one cancelled', async () => {
    const controller = new AbortController();
    let t = T0;
    const environment: CaptureEnvironment = {
      now: () => t,
      setTimer: (fn, ms) => {
        setImmediate(() => {
          t += ms;
          fn();
        });
        return () => undefined;
      },
    };
    adb = writeStandInAdb(ready());
    // The second capture hangs; Ctrl-C comes while it runs.
    const timer = setInterval(() => {
      if (adb!.calls().filter((c) => c.args.includes('getprop')).length === 2) {
        clearInterval(timer);
        adb!.setScenario({ ...ready(), hang: { command: 'date +%s' } });
        setTimeout(() => controller.abort(), 200);
      }
    }, 5);
    const r = await capture(['--watch', '0.5', '--json'], null, {
      signal: controller.signal,
      environment,
    });
    clearInterval(timer);
    expect(r.code).toBe(130);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      folder: join(dir, 'captures', '2B121FDH200ABC-20250618T182045Z'),
      startedAt: '2025-06-18T18:20:45.000Z',
      added: FIRST_ADDED,
      error: null,
      nextCaptureAt: '2025-06-18T18:21:15.000Z',
    });
    expect(lines[1]).toMatchObject({
      startedAt: '2025-06-18T18:21:15.000Z',
      added: null,
      nextCaptureAt: null,
    });
    expect(String(lines[1]!.error)).toMatch(/^The capture was cancelled/);
    expect(r.stderr).toContain('snoopscope: watch stopped after 2 captures (1 imported).\n');
  });

  it('is wired into the command line, with usage errors exiting 2', async () => {
    adb = writeStandInAdb({
      devices: [PIXEL, { serial: 'R58N12ABCDE', state: 'unauthorized' }],
      outputs: syntheticAdbOutputs(),
    });
    const several = await runCli(['capture', casePath, '--adb', '--adb-path', adb.path]);
    expect(several.code).toBe(2);
    expect(several.stderr).toContain(
      'several Android phones are connected (2B121FDH200ABC (Pixel 7), R58N12ABCDE unauthorized); choose one with --serial.',
    );
    const chosen = await runCli([
      'capture',
      casePath,
      '--adb',
      '--adb-path',
      adb.dir,
      '--serial',
      PIXEL.serial,
      '--timezone',
      'Europe/Lisbon',
    ]);
    expect(chosen.code).toBe(0);
    expect(chosen.stdout).toContain('imported into device "Pixel 7" (id 1)');

    const usage = async (args: string[], message: string): Promise<void> => {
      const r = await runCli(['capture', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
    };
    await usage([], 'capture needs a case file.');
    await usage([casePath], 'capture needs --adb');
    await usage([casePath, 'extra', '--adb'], 'capture takes one case file; unexpected: extra');
    await usage(
      [casePath, '--adb', '--watch', '0'],
      '--watch 0: expected minutes between captures',
    );
    await usage([casePath, '--adb', '--watch', 'soon'], '--watch soon: expected minutes');
    await usage(
      [casePath, '--adb', '--timezone', 'Mars/Base'],
      '--timezone Mars/Base: not an IANA',
    );
    await usage([casePath, '--adb', '--serial=-d'], '--serial -d: not an adb serial');
    await usage([casePath, '--adb', '--device', ' '], '--device needs a device label.');
    await usage([casePath, '--adb', '--nope'], "Unknown option '--nope'");
    const help = await runCli(['capture', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('capture <case> --adb [--serial S]');
  });
});
