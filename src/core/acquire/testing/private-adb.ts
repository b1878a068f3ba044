import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAdbText, type AdbRun } from '../adb';

/** Where Debian installs the real adb client. */
export const SYSTEM_ADB = '/usr/bin/adb';

/** The real adb client's path, or null (tests skip with a message then). */
export function realAdbPath(): string | null {
  const configured = process.env['SNOOPSCOPE_TEST_ADB'];
  if (configured && existsSync(configured)) return configured;
  return existsSync(SYSTEM_ADB) ? SYSTEM_ADB : null;
}

/** A private adb server on its own loopback port, with its own HOME (and so its own key). */
export interface PrivateAdb {
  adbPath: string;
  port: number;
  /** The environment every adb call of the test must use. */
  env: NodeJS.ProcessEnv;
  pid: number;
  /** Runs `adb <args>` against this server. */
  run: (args: string[], timeoutMs?: number) => Promise<AdbRun>;
  /**
   * `adb connect`, then waits until adb lists the serial in a state other than connecting. The
   * client is stopped after `timeoutMs` (the server keeps trying: adb 29 waits 10 s for a phone
   * that never answers CNXN).
   */
  connect: (serial: string, timeoutMs?: number) => Promise<string>;
  /** The serial's state in `adb devices`, or null when it is not listed. */
  state: (serial: string) => Promise<string | null>;
  /** `adb kill-server`, then SIGKILL by pid if the server is still alive; removes its HOME. */
  stop: () => Promise<void>;
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  if (address === null || typeof address === 'string') throw new Error('No TCP port');
  return address.port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = netConnect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      r(true);
    });
    s.on('error', () => r(false));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((r) => {
    const timer = setTimeout(() => r(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      r(true);
    });
  });
}

/** Starts `adb nodaemon server` on a free port (never the default 5037) and waits until it listens. */
export async function startPrivateAdb(adbPath: string): Promise<PrivateAdb> {
  const port = await freePort();
  const home = mkdtempSync(join(tmpdir(), 'snoopscope-adb-home-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    ANDROID_ADB_SERVER_PORT: String(port),
    ANDROID_SDK_HOME: home,
    ANDROID_USER_HOME: home,
  };
  delete env['ADB_SERVER_SOCKET'];
  delete env['ADB_VENDOR_KEYS'];
  delete env['ANDROID_SERIAL'];
  // Run in the foreground, so the pid is the server's own and it can be stopped by it.
  const child = spawn(adbPath, ['-P', String(port), 'nodaemon', 'server'], {
    env,
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const deadline = Date.now() + 15_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(home, { recursive: true, force: true });
      throw new Error(`The private adb server on port ${port} did not start.`);
    }
    await sleep(50);
  }
  const run = (args: string[], timeoutMs = 20_000): Promise<AdbRun> =>
    runAdbText(adbPath, ['-P', String(port), ...args], { env, timeoutMs });
  const state = async (serial: string): Promise<string | null> => {
    const r = await run(['devices']);
    for (const line of r.stdout.split(/\r?\n/)) {
      const [s, st] = line.split('\t');
      if (s === serial && st !== undefined) return st.trim();
    }
    return null;
  };
  return {
    adbPath,
    port,
    env,
    pid: child.pid!,
    run,
    state,
    connect: async (serial, timeoutMs = 20_000) => {
      const r = await run(['connect', serial], timeoutMs);
      const until = Date.now() + 10_000;
      let st = await state(serial);
      while ((st === null || st === 'connecting' || st === 'authorizing') && Date.now() < until) {
        await sleep(100);
        st = await state(serial);
      }
      return `${r.stdout}${r.stderr}`.trim() + ` (${st ?? 'not listed'})`;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        await run(['kill-server'], 5_000);
        if (!(await exited(child, 3_000))) {
          child.kill('SIGKILL');
          await exited(child, 3_000);
        }
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}
