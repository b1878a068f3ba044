import { afterAll, beforeAll, expect } from 'vitest';
import { startAdbEmulator, type AdbEmulator, type AdbEmulatorBehaviour } from './adb-emulator';
import { realAdbPath, startPrivateAdb, type PrivateAdb } from './private-adb';

/** The real adb client's path, or null after a warning that the named suite is skipped. */
export function realAdbOrSkip(suite: string): string | null {
  const path = realAdbPath();
  if (path === null) {
    console.warn(`${suite}: skipped, the real adb client is not installed (apt-get install adb).`);
  }
  return path;
}

/** A private adb server and the emulated phones connected to it, for one describe block. */
export interface PrivateAdbSuite {
  /** The server; started before the block's first test. */
  readonly adb: PrivateAdb;
  /** Starts an emulated phone and connects the server to it; it is closed after the block. */
  phone: (
    behaviour: AdbEmulatorBehaviour,
    options?: { version?: number; maxPayload?: number; features?: string[] },
  ) => Promise<AdbEmulator>;
}

/** Registers hooks that start a private adb server before the block and stop it, and every phone, after. */
export function usePrivateAdb(adbPath: string): PrivateAdbSuite {
  let server: PrivateAdb | null = null;
  const phones: AdbEmulator[] = [];
  const adb = (): PrivateAdb => {
    if (server === null) throw new Error('The private adb server has not started.');
    return server;
  };

  beforeAll(async () => {
    server = await startPrivateAdb(adbPath);
  }, 30_000);

  afterAll(async () => {
    for (const p of phones) await p.close();
    await adb().stop();
    // Stopped by its pid: nothing of the private server is left running.
    expect(() => process.kill(adb().pid, 0)).toThrow();
  }, 30_000);

  return {
    get adb() {
      return adb();
    },
    async phone(behaviour, options = {}) {
      const emu = await startAdbEmulator({ behaviour, ...options });
      phones.push(emu);
      await adb().connect(emu.serial, behaviour.offline ? 1_000 : undefined);
      return emu;
    },
  };
}
