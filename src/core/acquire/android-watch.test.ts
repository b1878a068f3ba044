import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../model/errors';
import type { CaptureManifest } from './adb-capture';
import {
  AndroidWatch,
  captureFolderName,
  newCaptureFolder,
  type AndroidWatchOptions,
  type WatchStatus,
} from './android-watch';
import { PIXEL, syntheticAdbOutputs, writeStandInAdb } from './testing/stand-in-adb';

const T0 = Date.UTC(2025, 5, 18, 18, 20, 45);
const MIN = 60_000;

describe('capture folder names', () => {
  it('joins a file-name-safe serial and the UTC start time, adding -2, -3 when taken', () => {
    expect(captureFolderName(PIXEL.serial, T0 + 123)).toBe('2B121FDH200ABC-20250618T182045Z');
    expect(captureFolderName('192.168.1.5:5555', T0)).toBe('192.168.1.5_5555-20250618T182045Z');
    const root = mkdtempSync(join(tmpdir(), 'snoopscope-watch-names-'));
    try {
      const first = newCaptureFolder(root, 'S', T0);
      expect(first).toBe(join(root, 'S-20250618T182045Z'));
      mkdirSync(first);
      expect(newCaptureFolder(root, 'S', T0)).toBe(`${first}-2`);
      mkdirSync(`${first}-2`);
      expect(newCaptureFolder(root, 'S', T0)).toBe(`${first}-3`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

/** A clock moved by hand and timers fired by hand. */
class FakeTime {
  t = T0;
  pending: { fn: () => void; ms: number; cancelled: boolean }[] = [];
  now = (): number => this.t;
  setTimer = (fn: () => void, ms: number): (() => void) => {
    const timer = { fn, ms, cancelled: false };
    this.pending.push(timer);
    return () => {
      timer.cancelled = true;
    };
  };
  /** Moves the clock to the next live timer and runs it. */
  fire(): number {
    const timer = this.pending.shift();
    if (!timer || timer.cancelled) throw new Error('no live timer');
    this.t += timer.ms;
    timer.fn();
    return timer.ms;
  }
}

/** Collects statuses and waits for the n-th one of a phase. */
class Statuses {
  readonly all: WatchStatus[] = [];
  private waiters: { phase: WatchStatus['phase']; n: number; resolve: () => void }[] = [];
  readonly onStatus = (s: WatchStatus): void => {
    this.all.push(s);
    this.waiters = this.waiters.filter((w) => {
      if (this.count(w.phase) < w.n) return true;
      w.resolve();
      return false;
    });
  };
  count(phase: WatchStatus['phase']): number {
    return this.all.filter((s) => s.phase === phase).length;
  }
  waitFor(phase: WatchStatus['phase'], n: number): Promise<void> {
    if (this.count(phase) >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ phase, n, resolve }));
  }
}

describe('AndroidWatch', () => {
  let root: string;
  let time: FakeTime;
  let statuses: Statuses;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'snoopscope-watch-'));
    time = new FakeTime();
    statuses = new Statuses();
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function watch(overrides: Partial<AndroidWatchOptions> = {}): AndroidWatch {
    return new AndroidWatch({
      root,
      serial: PIXEL.serial,
      capture: async (folder) => {
        mkdirSync(folder);
        time.t += 20_000;
      },
      onCapture: async () => ({ added: { access: 2, usage: 1 } }),
      onStatus: statuses.onStatus,
      now: time.now,
      setTimer: time.setTimer,
      ...overrides,
    });
  }

  it('captures at once, then every 15 minutes from the last start, importing each capture', async () => {
    const imported: string[] = [];
    const w = watch({
      onCapture: async (folder) => {
        imported.push(basename(folder));
        return { added: { access: imported.length } };
      },
    });
    const done = w.start();
    await statuses.waitFor('waiting', 1);
    expect(w.nextCaptureAt).toBe(T0 + 15 * MIN);
    expect(time.pending.map((p) => p.ms)).toEqual([15 * MIN - 20_000]);
    expect(w.history).toEqual([
      {
        folder: join(root, '2B121FDH200ABC-20250618T182045Z'),
        startedAt: T0,
        finishedAt: T0 + 20_000,
        added: { access: 1 },
        error: null,
      },
    ]);
    time.fire();
    await statuses.waitFor('waiting', 2);
    expect(w.history.map((h) => [h.startedAt, h.added])).toEqual([
      [T0, { access: 1 }],
      [T0 + 15 * MIN, { access: 2 }],
    ]);
    expect(imported).toEqual([
      '2B121FDH200ABC-20250618T182045Z',
      '2B121FDH200ABC-20250618T183545Z',
    ]);
    expect(w.nextCaptureAt).toBe(T0 + 30 * MIN);
    expect(statuses.all.map((s) => s.phase)).toEqual([
      'capturing',
      'importing',
      'waiting',
      'capturing',
      'importing',
      'waiting',
    ]);
    expect(statuses.all[3]).toEqual({
      phase: 'capturing',
      folder: join(root, '2B121FDH200ABC-20250618T183545Z'),
      nextCaptureAt: null,
      last: w.history[0],
    });
    await w.stop();
    await done;
    expect(w.active).toBe(false);
    expect(w.nextCaptureAt).toBeNull();
    expect(time.pending[0]!.cancelled).toBe(true);
    expect(statuses.all.at(-1)).toEqual({
      phase: 'stopped',
      folder: null,
      nextCaptureAt: null,
      last: w.history[1],
    });
  });

  it('records a failed capture without importing it, and goes on', async () => {
    let n = 0;
    let imports = 0;
    const w = watch({
      intervalMinutes: 5,
      capture: async (folder) => {
        n += 1;
        if (n === 1) throw new AppError('IMPORT_REFUSED', 'The phone is no longer connected.');
        mkdirSync(folder);
      },
      onCapture: async () => {
        imports += 1;
        return { added: { access: 0 } };
      },
    });
    void w.start();
    await statuses.waitFor('waiting', 1);
    expect(w.history[0]).toMatchObject({
      added: null,
      error: 'The phone is no longer connected.',
    });
    expect(imports).toBe(0);
    expect(w.nextCaptureAt).toBe(T0 + 5 * MIN);
    time.fire();
    await statuses.waitFor('waiting', 2);
    expect(w.history[1]).toMatchObject({ added: { access: 0 }, error: null });
    expect(imports).toBe(1);
    await w.stop();
  });

  it('skips the slots a long capture missed instead of piling captures up', async () => {
    const w = watch({
      capture: async () => {
        time.t += 40 * MIN;
      },
    });
    void w.start();
    await statuses.waitFor('waiting', 1);
    expect(w.nextCaptureAt).toBe(T0 + 45 * MIN);
    expect(time.pending[0]!.ms).toBe(5 * MIN);
    await w.stop();
  });

  it('stops while capturing: cancels the capture, records it, schedules nothing', async () => {
    let sawAbort = false;
    const w = watch({
      capture: (_folder, signal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            sawAbort = true;
            reject(new AppError('CANCELLED', 'The capture was cancelled.'));
          });
        }),
    });
    const done = w.start();
    await statuses.waitFor('capturing', 1);
    await w.stop();
    await done;
    expect(sawAbort).toBe(true);
    expect(w.history).toHaveLength(1);
    expect(w.history[0]).toMatchObject({ added: null, error: 'The capture was cancelled.' });
    expect(time.pending).toEqual([]);
    expect(statuses.all.map((s) => s.phase)).toEqual(['capturing', 'stopped']);
  });

  it('stops when its signal aborts, during the wait', async () => {
    const controller = new AbortController();
    const w = watch({ signal: controller.signal });
    const done = w.start();
    await statuses.waitFor('waiting', 1);
    controller.abort();
    await done;
    expect(time.pending[0]!.cancelled).toBe(true);
    expect(w.history).toHaveLength(1);
    expect(statuses.count('stopped')).toBe(1);
  });

  it('stops cleanly when the stop comes while the next wait is being set', async () => {
    const controller = new AbortController();
    let cancelled = 0;
    const w = watch({
      signal: controller.signal,
      setTimer: () => {
        controller.abort();
        return () => {
          cancelled += 1;
        };
      },
    });
    await w.start();
    expect(cancelled).toBe(1);
    expect(w.nextCaptureAt).toBeNull();
    expect(statuses.all.map((s) => s.phase)).toEqual(['capturing', 'importing', 'stopped']);
  });

  it('refuses an interval that is not a positive number of minutes', () => {
    expect(() => watch({ intervalMinutes: 0 })).toThrow(
      'A watch interval must be a positive number of minutes.',
    );
    expect(() => watch({ intervalMinutes: Number.NaN })).toThrow(AppError);
  });

  it.skipIf(process.platform === 'win32')(
    'captures with adb by default into root/<serial>-<UTC time>/',
    async () => {
      const adb = writeStandInAdb({ devices: [PIXEL], outputs: syntheticAdbOutputs() });
      try {
        const folders: string[] = [];
        const w = new AndroidWatch({
          root,
          serial: PIXEL.serial,
          adbPath: adb.path,
          onCapture: async (folder) => {
            folders.push(folder);
            return { added: {} };
          },
          onStatus: statuses.onStatus,
          now: time.now,
          setTimer: time.setTimer,
        });
        void w.start();
        await statuses.waitFor('waiting', 1);
        await w.stop();
        expect(folders).toEqual([join(root, '2B121FDH200ABC-20250618T182045Z')]);
        const manifest = JSON.parse(
          readFileSync(join(folders[0]!, 'capture.json'), 'utf8'),
        ) as CaptureManifest;
        expect(manifest).toMatchObject({ status: 'complete', serial: PIXEL.serial, sdk: 34 });
        expect(existsSync(join(folders[0]!, 'appops.txt'))).toBe(true);
        expect(w.history[0]).toMatchObject({ added: {}, error: null });
      } finally {
        adb.cleanup();
      }
    },
  );
});
