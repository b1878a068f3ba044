import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../model/errors';
import { CaseSession } from '../services/case-service';
import { importAndroid } from '../services/android-import';
import { OFFLINE_PROBLEM, UNAUTHORIZED_PROBLEM, listAdbDevices } from './adb';
import { captureAndroid, type CaptureManifest } from './adb-capture';
import { A_VERSION_MIN } from './testing/adb-emulator';
import { realAdbOrSkip, usePrivateAdb } from './testing/real-adb-suite';
import { SYNTHETIC_DEVICE_EPOCH_SECONDS, syntheticAdbOutputs } from './testing/stand-in-adb';

// The capture driven through Debian's real adb client and a private adb server, against an
// emulated phone speaking the ADB transport protocol on a loopback port.

const adbPath = realAdbOrSkip('adb-capture-real-adb');

const sha256 = (bytes: string | Uint8Array): string =>
  createHash('sha256').update(bytes).digest('hex');

/** A large, non-text `dumpsys usagestats` so chunking, checksums and flow control are exercised. */
const BIG = Buffer.from(Array.from({ length: 700_000 }, (_, i) => (i * 7919) % 256));

function readManifest(folder: string): CaptureManifest {
  return JSON.parse(readFileSync(join(folder, 'capture.json'), 'utf8')) as CaptureManifest;
}

async function refusal(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('The capture did not fail.');
}

describe.skipIf(adbPath === null)('capture through the real adb client', () => {
  const real = usePrivateAdb(adbPath!);
  const phone = real.phone;
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'snoopscope-real-adb-'));
    return () => rmSync(dir, { recursive: true, force: true });
  });

  const capture = (serial: string, extra: { timeoutMs?: number; signal?: AbortSignal } = {}) =>
    captureAndroid({
      adbPath: real.adb.adbPath,
      serial,
      folder: join(dir, 'capture'),
      env: real.adb.env,
      killGraceMs: 500,
      ...extra,
    });

  it('lists the connected phone with its model from the CNXN banner', async () => {
    const emu = await phone({ outputs: syntheticAdbOutputs() });
    const listing = await listAdbDevices(real.adb.adbPath, { env: real.adb.env });
    const found = listing.devices.find((d) => d.serial === emu.serial);
    expect(found).toMatchObject({ serial: emu.serial, state: 'device', model: 'Pixel 7' });
  });

  it('captures every output byte for byte over shell v2 and records the clocks', async () => {
    const outputs: Record<string, string | Uint8Array> = {
      ...syntheticAdbOutputs(),
      'dumpsys usagestats': BIG,
    };
    const emu = await phone({ outputs });
    const { manifest, folder } = await capture(emu.serial);
    expect(manifest.status).toBe('complete');
    expect(manifest.error).toBeNull();
    expect(manifest.model).toBe('Pixel 7');
    expect(manifest.sdk).toBe(34);
    expect(manifest.deviceEpochSeconds).toBe(SYNTHETIC_DEVICE_EPOCH_SECONDS);
    const expected: Record<string, string | Uint8Array> = {
      'getprop.txt': outputs['getprop']!,
      'date.txt': outputs['date +%s']!,
      'appops.txt': outputs['dumpsys appops --include-discrete']!,
      'usagestats.txt': BIG,
      'package.txt': outputs['dumpsys package']!,
      'batterystats.txt': outputs['dumpsys batterystats --history']!,
    };
    for (const [file, bytes] of Object.entries(expected)) {
      expect(sha256(readFileSync(join(folder, file))), file).toBe(sha256(bytes));
      expect(manifest.commands.find((c) => c.file === file)?.sha256).toBe(sha256(bytes));
    }
    expect(readdirSync(folder).sort()).toEqual([
      'appops.txt',
      'batterystats.txt',
      'capture.json',
      'date.txt',
      'getprop.txt',
      'package.txt',
      'usagestats.txt',
    ]);
    expect(
      emu.services().map((x) => x.replace(/ ; echo snoopscope-end-[0-9a-f]{16}:\$\?$/, '')),
    ).toEqual([
      'shell,v2,TERM=xterm,raw:getprop',
      'shell,v2,TERM=xterm,raw:date +%s',
      'shell,v2,TERM=xterm,raw:dumpsys appops --include-discrete',
      'shell,v2,TERM=xterm,raw:dumpsys usagestats',
      'shell,v2,TERM=xterm,raw:dumpsys package',
      'shell,v2,TERM=xterm,raw:dumpsys batterystats --history',
    ]);
  }, 30_000);

  it('captures byte for byte from an old phone: checksummed protocol, 4 KB payloads, no shell v2', async () => {
    const outputs = { ...syntheticAdbOutputs(23), 'dumpsys usagestats': BIG };
    const emu = await phone(
      { outputs },
      { version: A_VERSION_MIN, maxPayload: 4096, features: [] },
    );
    const { manifest, folder } = await capture(emu.serial);
    expect(manifest.status).toBe('complete');
    expect(manifest.sdk).toBe(23);
    expect(sha256(readFileSync(join(folder, 'usagestats.txt')))).toBe(sha256(BIG));
    // Android 6 has no --include-discrete, and without shell_v2 adb opens plain `shell:`.
    expect(emu.services().some((x) => x.startsWith('shell:dumpsys appops ; echo '))).toBe(true);
  }, 60_000);

  it('captures and then imports the capture into a case', async () => {
    const emu = await phone({ outputs: syntheticAdbOutputs() });
    const { folder } = await capture(emu.serial);
    const session = CaseSession.create(join(dir, 'case.snoop'));
    try {
      const result = await importAndroid(session, folder, { label: 'Emulated phone' });
      expect(result.outcomes.every((o) => o.status === 'imported')).toBe(true);
      expect(result.added.access).toBeGreaterThan(0);
    } finally {
      session.close();
    }
  }, 30_000);

  it('an unauthorized phone: adb lists it so and the capture says to accept the prompt', async () => {
    const emu = await phone({ outputs: syntheticAdbOutputs(), auth: 'unauthorized' });
    expect(await real.adb.state(emu.serial)).toBe('unauthorized');
    const e = await refusal(capture(emu.serial));
    expect(e.message).toContain(UNAUTHORIZED_PROBLEM);
    const manifest = readManifest(join(dir, 'capture'));
    expect(manifest.status).toBe('failed');
    expect(manifest.error).toBe(UNAUTHORIZED_PROBLEM);
    expect(existsSync(join(dir, 'capture', 'getprop.txt'))).toBe(false);
  }, 30_000);

  it('an offline phone (no answer to CNXN) ends the capture with the offline advice', async () => {
    const emu = await phone({ outputs: syntheticAdbOutputs(), offline: true });
    const until = Date.now() + 10_000;
    while ((await real.adb.state(emu.serial)) !== 'offline' && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await real.adb.state(emu.serial)).toBe('offline');
    const e = await refusal(capture(emu.serial, { timeoutMs: 10_000 }));
    expect(e.message).toContain(OFFLINE_PROBLEM);
    expect(readManifest(join(dir, 'capture')).status).toBe('failed');
  }, 30_000);

  it('a command that prints an error and exits non-zero stops the capture with its words', async () => {
    const emu = await phone({
      outputs: syntheticAdbOutputs(),
      fail: {
        command: 'dumpsys usagestats',
        stderr: "Can't find service: usagestats\n",
        exitCode: 1,
      },
    });
    const e = await refusal(capture(emu.serial));
    expect(e.code).toBe('IMPORT_REFUSED');
    expect(e.message).toContain(
      "“dumpsys usagestats” failed with exit code 1: Can't find service: usagestats",
    );
    const folder = join(dir, 'capture');
    const manifest = readManifest(folder);
    expect(manifest.status).toBe('failed');
    expect(manifest.commands.at(-1)).toMatchObject({ file: 'usagestats.txt.partial', exitCode: 1 });
    expect(existsSync(join(folder, 'package.txt'))).toBe(false);
  }, 30_000);

  it('a phone that disconnects mid-stream leaves a .partial output and a failed capture.json', async () => {
    const emu = await phone({
      outputs: { ...syntheticAdbOutputs(), 'dumpsys usagestats': BIG },
      disconnect: { command: 'dumpsys usagestats', afterBytes: 100_000 },
    });
    const e = await refusal(capture(emu.serial));
    expect(e.code).toBe('IMPORT_REFUSED');
    expect(e.message).toMatch(
      /^The capture stopped at “dumpsys usagestats”: The output of “dumpsys usagestats” ended before the command finished: the connection to the phone was lost\./,
    );
    const folder = join(dir, 'capture');
    const manifest = readManifest(folder);
    expect(manifest.status).toBe('failed');
    const last = manifest.commands.at(-1)!;
    expect(last.file).toBe('usagestats.txt.partial');
    expect(last.bytes).toBeLessThan(BIG.length);
    expect(existsSync(join(folder, 'usagestats.txt'))).toBe(false);
  }, 30_000);

  it('a very slow stream hits the time limit; adb is stopped and the output stays .partial', async () => {
    const emu = await phone({
      outputs: syntheticAdbOutputs(),
      slow: { command: 'dumpsys appops --include-discrete', chunkBytes: 16, delayMs: 200 },
    });
    const started = Date.now();
    const e = await refusal(capture(emu.serial, { timeoutMs: 1_500 }));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(e.message).toContain(
      '“dumpsys appops --include-discrete” did not finish within 2 s; the phone may be locked or disconnected.',
    );
    const manifest = readManifest(join(dir, 'capture'));
    expect(manifest.commands.at(-1)).toMatchObject({
      file: 'appops.txt.partial',
      exitCode: null,
    });
  }, 30_000);

  it('cancelling during a slow stream stops adb and records a cancelled capture', async () => {
    const emu = await phone({
      outputs: syntheticAdbOutputs(),
      slow: { command: 'dumpsys package', chunkBytes: 8, delayMs: 200 },
    });
    const controller = new AbortController();
    const pending = capture(emu.serial, { signal: controller.signal });
    setTimeout(() => controller.abort(), 1_000);
    const e = await refusal(pending);
    expect(e.code).toBe('CANCELLED');
    const manifest = readManifest(join(dir, 'capture'));
    expect(manifest.status).toBe('cancelled');
    expect(manifest.commands.at(-1)?.file).toBe('package.txt.partial');
  }, 30_000);

  it('a phone whose connection dropped is named as offline', async () => {
    const emu = await phone({ outputs: syntheticAdbOutputs() });
    emu.setBehaviour({ outputs: syntheticAdbOutputs(), offline: true });
    emu.dropConnections();
    // adb keeps a dropped TCP phone listed while it tries to reconnect; this one never answers.
    const until = Date.now() + 10_000;
    while ((await real.adb.state(emu.serial)) !== 'offline' && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const e = await refusal(capture(emu.serial));
    expect(e.message).toContain(OFFLINE_PROBLEM);
    expect(readManifest(join(dir, 'capture')).status).toBe('failed');
  }, 30_000);
});
