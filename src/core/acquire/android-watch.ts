import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../model/errors';
import { captureAndroid } from './adb-capture';

/** One capture of a watch and what its import added. */
export interface WatchEntry {
  folder: string;
  /** Host epoch ms when the capture started. */
  startedAt: number;
  /** Host epoch ms when the capture and its import ended. */
  finishedAt: number;
  /** What the import added per record kind; null when the capture or the import failed. */
  added: Record<string, number> | null;
  /** Why the capture or its import failed, in words; null when both succeeded. */
  error: string | null;
}

export type WatchPhase = 'capturing' | 'importing' | 'waiting' | 'stopped';

/** Where a watch stands, sent at each change. */
export interface WatchStatus {
  phase: WatchPhase;
  /** The folder being captured or imported; null while waiting or stopped. */
  folder: string | null;
  /** Host epoch ms of the next capture; null while capturing or once stopped. */
  nextCaptureAt: number | null;
  /** The latest finished capture. */
  last: WatchEntry | null;
}

/** Runs `fn` after `ms` milliseconds; the returned function cancels it. */
export type SetTimer = (fn: () => void, ms: number) => () => void;

export interface AndroidWatchOptions {
  /** The folder the capture folders go into. */
  root: string;
  serial: string;
  /** Minutes between the starts of two captures (default 15). */
  intervalMinutes?: number;
  /** Captures the phone into `folder`; by default `captureAndroid` with `adbPath`. */
  capture?: (folder: string, signal: AbortSignal) => Promise<unknown>;
  adbPath?: string;
  env?: NodeJS.ProcessEnv;
  /** Imports a finished capture folder; says what it added. */
  onCapture: (folder: string, signal: AbortSignal) => Promise<{ added: Record<string, number> }>;
  onStatus?: (status: WatchStatus) => void;
  /** Aborting it stops the watch. */
  signal?: AbortSignal;
  now?: () => number;
  setTimer?: SetTimer;
}

export const DEFAULT_WATCH_MINUTES = 15;

const defaultSetTimer: SetTimer = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  return () => clearTimeout(timer);
};

/**
 * The folder name of a capture: the serial (characters a file name cannot hold replaced by `_`,
 * e.g. the `:` of a network serial) and the UTC start time, `R58N12-20250618T182045Z`.
 */
export function captureFolderName(serial: string, atMs: number): string {
  const stamp = new Date(atMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${serial.replace(/[^A-Za-z0-9._-]/g, '_')}-${stamp}`;
}

/** A new capture folder path under `root`: the name above, with `-2`, `-3`… when taken. */
export function newCaptureFolder(root: string, serial: string, atMs: number): string {
  const base = join(root, captureFolderName(serial, atMs));
  let path = base;
  for (let n = 2; existsSync(path); n += 1) path = `${base}-${n}`;
  return path;
}

function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Captures a phone every N minutes (default 15) into `root/<serial>-<UTC time>/` and hands each
 * finished capture to `onCapture` to import. Repeated captures are the only way to build an
 * app-op timeline without root, since a phone keeps only the last access per op
 * (android-sources.md §1.4). A failed capture (phone unplugged, locked) is recorded and the watch
 * goes on; `stop()` cancels the capture or import under way and ends the watch.
 */
export class AndroidWatch {
  /** Every capture so far, oldest first. */
  readonly history: WatchEntry[] = [];
  private next: number | null = null;
  private phase: WatchPhase = 'waiting';
  private readonly controller = new AbortController();
  private cancelTimer: (() => void) | null = null;
  private cycle: Promise<void> | null = null;
  private started = false;
  /** Host epoch ms when the latest capture started. */
  private lastStart = 0;
  private resolveDone: () => void = () => undefined;
  /** Resolves once the watch has stopped and its last capture has ended. */
  readonly done: Promise<void>;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly setTimer: SetTimer;

  constructor(private readonly options: AndroidWatchOptions) {
    const minutes = options.intervalMinutes ?? DEFAULT_WATCH_MINUTES;
    if (!(Number.isFinite(minutes) && minutes > 0)) {
      throw new AppError('INVALID_INPUT', `A watch interval must be a positive number of minutes.`);
    }
    if (options.capture === undefined && options.adbPath === undefined) {
      throw new AppError('INVALID_INPUT', 'A watch needs adb or a capture function.');
    }
    this.intervalMs = minutes * 60_000;
    this.now = options.now ?? Date.now;
    this.setTimer = options.setTimer ?? defaultSetTimer;
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  /** Host epoch ms of the next capture; null while one runs or once stopped. */
  get nextCaptureAt(): number | null {
    return this.next;
  }

  /** True until the watch has stopped. */
  get active(): boolean {
    return this.phase !== 'stopped';
  }

  /** Starts with a capture at once; resolves when the watch has stopped (same as `done`). */
  start(): Promise<void> {
    if (this.started) return this.done;
    this.started = true;
    const signal = this.options.signal;
    if (signal?.aborted) {
      void this.stop();
      return this.done;
    }
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
    this.runCycle();
    return this.done;
  }

  /** Stops the watch: cancels the wait, or the capture or import under way, and waits for it to end. */
  async stop(): Promise<void> {
    if (!this.controller.signal.aborted) {
      this.controller.abort();
      this.cancelTimer?.();
      this.cancelTimer = null;
      this.next = null;
    }
    await this.cycle;
    if (this.phase !== 'stopped') {
      this.phase = 'stopped';
      this.emit(null);
      this.resolveDone();
    }
  }

  private emit(folder: string | null): void {
    this.options.onStatus?.({
      phase: this.phase,
      folder,
      nextCaptureAt: this.next,
      last: this.history.at(-1) ?? null,
    });
  }

  private runCycle(): void {
    this.cancelTimer = null;
    if (this.controller.signal.aborted) return;
    this.cycle = this.captureOnce().finally(() => {
      this.cycle = null;
    });
    void this.cycle.then(() => {
      if (this.controller.signal.aborted) {
        void this.stop();
        return;
      }
      this.schedule();
    });
  }

  private async captureOnce(): Promise<void> {
    const signal = this.controller.signal;
    const startedAt = this.now();
    this.next = null;
    const folder = newCaptureFolder(this.options.root, this.options.serial, startedAt);
    let added: Record<string, number> | null = null;
    let error: string | null = null;
    try {
      this.phase = 'capturing';
      this.emit(folder);
      await this.capture(folder, signal);
      this.phase = 'importing';
      this.emit(folder);
      added = (await this.options.onCapture(folder, signal)).added;
    } catch (e) {
      error = describeError(e);
    }
    this.history.push({ folder, startedAt, finishedAt: this.now(), added, error });
    this.lastStart = startedAt;
  }

  private capture(folder: string, signal: AbortSignal): Promise<unknown> {
    if (this.options.capture) return this.options.capture(folder, signal);
    return captureAndroid({
      adbPath: this.options.adbPath!,
      serial: this.options.serial,
      folder,
      env: this.options.env,
      signal,
    });
  }

  /** Waits for the next slot: a whole number of intervals after the last start, in the future. */
  private schedule(): void {
    const now = this.now();
    let next = this.lastStart + this.intervalMs;
    if (next <= now) {
      // A capture that outlasted the interval skips the slots it missed instead of piling up.
      next += Math.ceil((now - next) / this.intervalMs) * this.intervalMs;
      if (next <= now) next += this.intervalMs;
    }
    this.next = next;
    this.phase = 'waiting';
    const cancel = this.setTimer(() => this.runCycle(), next - now);
    if (this.controller.signal.aborted) {
      // Stopped while the timer was being set.
      cancel();
      return;
    }
    this.cancelTimer = cancel;
    this.emit(null);
  }
}
