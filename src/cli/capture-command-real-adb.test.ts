import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CaptureManifest } from '../core/acquire/adb-capture';
import { realAdbOrSkip, usePrivateAdb } from '../core/acquire/testing/real-adb-suite';
import { syntheticAdbOutputs, syntheticGetprop } from '../core/acquire/testing/stand-in-adb';
import { CaseSession } from '../core/services/case-service';
import { runCapture, type CaptureCommandResult, type CaptureEnvironment } from './capture-command';
import { OutputWriter } from './output';
import { Capture } from './test-support';

// `capture --adb` through Debian's real adb client and a private adb server, against an
// emulated phone on a loopback port.

const adbPath = realAdbOrSkip('capture-command-real-adb');

const sha256 = (bytes: string | Uint8Array): string =>
  createHash('sha256').update(bytes).digest('hex');

/** The JSON lines `capture --watch --json` printed, one per capture. */
function watchLines(
  stdout: string,
): { error: string | null; added: Record<string, number> | null }[] {
  return stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { error: string | null; added: Record<string, number> | null });
}

describe.skipIf(adbPath === null)('capture --adb through the real adb client', () => {
  const real = usePrivateAdb(adbPath!);
  const phone = real.phone;
  let dir: string;
  let casePath: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'snoopscope-cli-real-adb-'));
    casePath = join(dir, 'case.snoop');
    return () => rmSync(dir, { recursive: true, force: true });
  });

  async function capture(
    args: string[],
    io: { signal?: AbortSignal; environment?: CaptureEnvironment } = {},
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    const stdout = new Capture();
    const stderr = new Capture();
    const out = new OutputWriter(stdout);
    try {
      const code = await runCapture(
        [casePath, '--adb', '--adb-path', real.adb.adbPath, ...args],
        { out, stderr, stderrIsTTY: false, signal: io.signal },
        { env: real.adb.env, platform: 'linux', home: dir, killGraceMs: 500, ...io.environment },
      );
      await out.flush();
      return { code, stdout: stdout.text, stderr: stderr.text };
    } finally {
      out.release();
    }
  }

  /**
   * `capture --watch 1 --json` on the serial with a clock of its own: the first wait runs
   * `between` and then moves the clock on; the second stops the watch.
   */
  function watchTwice(
    serial: string,
    between: () => Promise<void>,
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    const controller = new AbortController();
    let t = Date.UTC(2025, 5, 18, 18, 20, 45);
    let timers = 0;
    const environment: CaptureEnvironment = {
      now: () => t,
      setTimer: (fn, ms) => {
        timers += 1;
        if (timers === 1) {
          void between().then(() => {
            t += ms;
            fn();
          });
        } else {
          controller.abort();
        }
        return () => undefined;
      },
    };
    return capture(['--serial', serial, '--watch', '1', '--json'], {
      signal: controller.signal,
      environment,
    });
  }

  function devices(): string[] {
    const session = CaseSession.open(casePath, { readonly: true });
    try {
      return session.devices().map((d) => d.label);
    } finally {
      session.close();
    }
  }

  it('captures the phone byte for byte and imports it', async () => {
    const outputs = syntheticAdbOutputs();
    const emu = await phone({ outputs });
    const r = await capture(['--serial', emu.serial, '--json', '--device', 'Emulated']);
    expect(r.stderr).toBe(`snoopscope: created case ${casePath}\n`);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as CaptureCommandResult;
    expect(result.capture.status).toBe('complete');
    expect(result.device?.label).toBe('Emulated');
    expect(result.added?.access).toBeGreaterThan(0);
    expect(sha256(readFileSync(join(result.folder, 'appops.txt')))).toBe(
      sha256(outputs['dumpsys appops --include-discrete']!),
    );
    expect(sha256(readFileSync(join(result.folder, 'package.txt')))).toBe(
      sha256(outputs['dumpsys package']!),
    );
    expect(devices()).toEqual(['Emulated']);
  }, 30_000);

  it('a connection lost mid-stream: a clear message, a failed capture.json, nothing imported', async () => {
    const outputs = { ...syntheticAdbOutputs(), 'dumpsys package': 'x'.repeat(300_000) };
    const emu = await phone({
      outputs,
      disconnect: { command: 'dumpsys package', afterBytes: 50_000 },
    });
    const run = capture(['--serial', emu.serial]);
    await expect(run).rejects.toThrow(
      /^The capture stopped at “dumpsys package”: The output of “dumpsys package” ended before the command finished: the connection to the phone was lost\./,
    );
    const root = join(dir, 'captures');
    const [folder] = readdirSync(root);
    const manifest = JSON.parse(
      readFileSync(join(root, folder!, 'capture.json'), 'utf8'),
    ) as CaptureManifest;
    expect(manifest.status).toBe('failed');
    expect(existsSync(join(root, folder!, 'package.txt.partial'))).toBe(true);
    expect(existsSync(join(root, folder!, 'package.txt'))).toBe(false);
    expect(devices()).toEqual([]);
  }, 30_000);

  it('watch mode: the phone reboots (reconnects, new serial in getprop) between two captures', async () => {
    const emu = await phone({ outputs: syntheticAdbOutputs() });
    const r = await watchTwice(emu.serial, async () => {
      // The reboot: the connection drops, adb reconnects, and the phone answers anew.
      emu.setBehaviour({
        outputs: {
          ...syntheticAdbOutputs(),
          getprop: syntheticGetprop(34).replace(
            /\[ro\.serialno\]: \[[^\]]*\]/,
            '[ro.serialno]: [NEWSERIAL01]',
          ),
          'date +%s': '1750272000\n',
        },
      });
      emu.dropConnections();
      // First until adb has noticed the drop, then until it has reconnected.
      const noticed = Date.now() + 3_000;
      while ((await real.adb.state(emu.serial)) === 'device' && Date.now() < noticed) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const until = Date.now() + 15_000;
      while ((await real.adb.state(emu.serial)) !== 'device' && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 100));
      }
    });
    expect(r.code).toBe(130);
    const lines = watchLines(r.stdout);
    expect(lines).toHaveLength(2);
    expect(lines.map((l) => l.error)).toEqual([null, null]);
    expect(r.stderr).toContain('watch stopped after 2 captures (2 imported).');
    const folders = readdirSync(join(dir, 'captures')).sort();
    expect(folders).toHaveLength(2);
    const second = JSON.parse(
      readFileSync(join(dir, 'captures', folders[1]!, 'capture.json'), 'utf8'),
    ) as CaptureManifest;
    expect(second.deviceEpochSeconds).toBe(1_750_272_000);
    expect(readFileSync(join(dir, 'captures', folders[1]!, 'getprop.txt'), 'utf8')).toContain(
      '[ro.serialno]: [NEWSERIAL01]',
    );
  }, 60_000);
  it('watch mode: the phone comes back under another serial; the next capture says it is gone', async () => {
    const emu = await phone({ outputs: syntheticAdbOutputs() });
    const r = await watchTwice(emu.serial, async () => {
      // The phone reappears on another port: to adb, a new serial; the old one goes offline.
      await emu.close();
      await phone({ outputs: syntheticAdbOutputs() });
      const until = Date.now() + 10_000;
      while ((await real.adb.state(emu.serial)) === 'device' && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 50));
      }
    });
    expect(r.code).toBe(130);
    const lines = watchLines(r.stdout);
    expect(lines).toHaveLength(2);
    expect(lines[0]!.error).toBeNull();
    expect(lines[1]!.added).toBeNull();
    expect(lines[1]!.error).toMatch(
      new RegExp(
        `^The capture stopped at “getprop”: (The phone is connected but not answering adb|The phone ${emu.serial.replace(/\./g, '\\.')} is no longer connected to adb)`,
      ),
    );
    expect(r.stderr).toContain('watch stopped after 2 captures (1 imported).');
  }, 60_000);
});
