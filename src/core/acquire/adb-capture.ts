import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { detectSingleDump } from '../importers/android/sections';
import { AppError } from '../model/errors';
import {
  OFFLINE_PROBLEM,
  UNAUTHORIZED_PROBLEM,
  adbSaid,
  isAdbSerial,
  printedWholeNumber,
} from './adb';

/** The steps of a capture, in the order they run. */
export const CAPTURE_STEPS = [
  'getprop',
  'date',
  'appops',
  'usagestats',
  'package',
  'batterystats',
] as const;
export type CaptureStep = (typeof CAPTURE_STEPS)[number];

/**
 * Steps the capture goes on without: a phone that refuses them, lacks them or prints too much
 * leaves a warning in capture.json, and the capture still completes.
 */
export const OPTIONAL_CAPTURE_STEPS: ReadonlySet<CaptureStep> = new Set(['batterystats']);

/** The file each step's output is written to, byte for byte. */
export const CAPTURE_FILES: Readonly<Record<CaptureStep, string>> = {
  getprop: 'getprop.txt',
  date: 'date.txt',
  appops: 'appops.txt',
  usagestats: 'usagestats.txt',
  package: 'package.txt',
  batterystats: 'batterystats.txt',
};

/** The file describing a capture. */
export const CAPTURE_MANIFEST = 'capture.json';

/** Sent before each step starts. */
export interface CaptureProgress {
  step: CaptureStep;
  /** 0-based position of the step. */
  index: number;
  count: number;
}

/** One adb command of a capture, as run. */
export interface CaptureCommand {
  /** The arguments given to adb (without adb's own path). */
  command: string[];
  /**
   * The file holding the raw output. Output of a command that failed or was stopped keeps the
   * `.partial` suffix, so it is never taken for a complete one.
   */
  file: string;
  bytes: number;
  /** SHA-256 (hex) of the bytes in `file`. */
  sha256: string;
  /** Null when adb was stopped (cancel, time limit, size limit) or could not start. */
  exitCode: number | null;
  /** Host time (ISO UTC) when adb was started. */
  startedAt: string;
  durationMs: number;
  /** adb's error output, trimmed, at most 2 KB. */
  stderr: string;
}

/** `capture.json`: what was captured, from which phone, when, and with which commands. */
export interface CaptureManifest {
  format: 'snoopscope-adb-capture';
  version: 1;
  /** `complete` when every command succeeded; otherwise the capture stopped at the last command. */
  status: 'complete' | 'failed' | 'cancelled';
  /** Why the capture stopped early; null when complete. */
  error: string | null;
  serial: string;
  /** `ro.product.model`. */
  model: string | null;
  /** `ro.product.manufacturer`. */
  manufacturer: string | null;
  /** `ro.build.version.release`. */
  androidVersion: string | null;
  /** `ro.build.version.sdk`. */
  sdk: number | null;
  /** `ro.build.fingerprint`. */
  fingerprint: string | null;
  /** `persist.sys.timezone`; null when the phone does not say (never guessed). */
  timeZone: string | null;
  hostStartedAt: string;
  hostCompletedAt: string;
  /** Host epoch ms taken right after the phone answered `date +%s`. */
  hostTimeMs: number | null;
  /** The phone's clock (epoch seconds) from `date +%s`. */
  deviceEpochSeconds: number | null;
  commands: CaptureCommand[];
  /**
   * What an optional step did not give (the phone refused or lacked it, or it was too large),
   * in sentences; the capture went on without it.
   */
  warnings: string[];
  tool: 'snoopscope';
}

/** A finished capture. */
export interface CaptureResult {
  folder: string;
  manifestPath: string;
  manifest: CaptureManifest;
}

/** What to capture, from which phone, and where to. */
export interface CaptureOptions {
  adbPath: string;
  serial: string;
  /** Created by the capture; it must not exist yet, or be an empty folder. */
  folder: string;
  env?: NodeJS.ProcessEnv;
  /** Aborting it stops the running adb and ends the capture with CANCELLED. */
  signal?: AbortSignal;
  onProgress?: (p: CaptureProgress) => void;
  /** How long each adb command may run (default 5 minutes). */
  timeoutMs?: number;
  /** How long a cancelled adb gets to stop after SIGINT before it is killed (default 3 s). */
  killGraceMs?: number;
  /** The host clock (default `Date.now`). */
  now?: () => number;
  /** Most bytes of `dumpsys batterystats --history` kept (default 128 MiB); more stops it. */
  maxHistoryBytes?: number;
  /** Most bytes of a step's output (defaults: `DEFAULT_MAX_OUTPUT_BYTES`); more stops it. */
  maxOutputBytes?: Partial<Record<CaptureStep, number>>;
}

export const DEFAULT_CAPTURE_TIMEOUT_MS = 5 * 60_000;
/**
 * The battery history is a ring buffer of a few MiB on the phone, printed as text several times
 * larger; a history past this size is stopped rather than filling the examiner's disk.
 */
export const DEFAULT_MAX_HISTORY_BYTES = 128 * 1024 * 1024;
/**
 * The most bytes each step's output may hold. A phone's properties are tens of KiB and its clock a
 * line, and both are read whole once written; the dumps of a real phone are tens of MiB. A phone
 * (or a tampered adb) that prints more is stopped there rather than filling the examiner's disk or
 * memory: the capture stops at a required step, and goes on without the battery history.
 */
export const DEFAULT_MAX_OUTPUT_BYTES: Readonly<Record<CaptureStep, number>> = {
  getprop: 16 * 1024 * 1024,
  date: 4 * 1024,
  appops: 2 * 1024 * 1024 * 1024,
  usagestats: 2 * 1024 * 1024 * 1024,
  package: 2 * 1024 * 1024 * 1024,
  batterystats: DEFAULT_MAX_HISTORY_BYTES,
};
const DEFAULT_KILL_GRACE_MS = 3_000;
const MAX_STDERR_KEPT = 2_048;
const MAX_STDERR_READ = 64 * 1024;
/** Android 12 (API 31) added `dumpsys appops --include-discrete` (android-sources.md §1.5). */
const DISCRETE_MIN_SDK = 31;

/** The `[key]: [value]` lines of `getprop` output (android-sources.md §5). */
export function parseGetprop(text: string): Map<string, string> {
  const props = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\[([^\]]+)\]: \[(.*)\]\s*$/.exec(line);
    if (m) props.set(m[1]!, m[2]!);
  }
  return props;
}

/**
 * The argument arrays of a capture's adb commands. With `endMarker`, the phone's shell prints
 * the marker and the command's exit code as the output's last line (`; echo MARKER$?`).
 */
export function captureCommand(
  step: CaptureStep,
  serial: string,
  sdk: number | null,
  endMarker?: string,
): string[] {
  const words = commandWords(step, sdk);
  // `shell` rather than `exec-out`: with a command and no terminal, adb allocates no pty, so the
  // bytes arrive unchanged on Android 7+, and shell keeps the device's exit code and its stderr
  // apart from the output (exec-out merges them and always exits 0).
  // adb exits 0 with a truncated output when the connection drops mid-stream (the real client
  // does, over shell v2), so only a marker printed after the command proves the output whole.
  const end = endMarker === undefined ? [] : [';', 'echo', `${endMarker}$?`];
  return ['-s', serial, 'shell', ...words, ...end];
}

/** The words of a step's shell command, as the phone runs it. */
function commandWords(step: CaptureStep, sdk: number | null): string[] {
  switch (step) {
    case 'getprop':
      return ['getprop'];
    case 'date':
      return ['date', '+%s'];
    case 'appops':
      return [
        'dumpsys',
        'appops',
        ...(sdk !== null && sdk >= DISCRETE_MIN_SDK ? ['--include-discrete'] : []),
      ];
    case 'usagestats':
      return ['dumpsys', 'usagestats'];
    case 'package':
      return ['dumpsys', 'package'];
    case 'batterystats':
      // Only the history (screen on/off and the app on top over time), not the whole dump.
      return ['dumpsys', 'batterystats', '--history'];
    default: {
      const never: never = step;
      throw new Error(`Unhandled capture step ${String(never)}`);
    }
  }
}

/** The output's end, when `tail` (the output's last bytes) ends with the marker line. */
function findEnd(tail: Buffer, marker: string): { at: number; code: number } | null {
  const at = tail.lastIndexOf(marker);
  if (at < 0) return null;
  const rest = tail.subarray(at + marker.length).toString('latin1');
  const m = /^(\d{1,3})\r?\n$/.exec(rest);
  return m ? { at, code: Number(m[1]) } : null;
}

interface StepRun {
  record: CaptureCommand;
  /** Null when the command succeeded; else why not, in words. */
  failure: string | null;
  cancelled: boolean;
  /** The output path once the step is over. */
  path: string;
  /** Host time (epoch ms) when adb exited. */
  exitedAtMs: number;
}

function trimStderr(text: string): string {
  const t = text.trim();
  return t.length <= MAX_STDERR_KEPT ? t : t.slice(0, MAX_STDERR_KEPT);
}

/** A byte count in words: whole MiB as such, else bytes. */
function sizeWords(n: number): string {
  const mib = 1024 * 1024;
  return n >= mib && n % mib === 0 ? `${n / mib} MiB` : `${n.toLocaleString('en-US')} bytes`;
}

/** Why a finished adb command counts as failed, in words; null when it succeeded. */
function describeFailure(
  serial: string,
  shown: string,
  run: {
    code: number | null;
    stderr: string;
    timedOut: boolean;
    startError: string | null;
    ended: boolean;
    /** The byte limit the output went past, or null. */
    tooLarge: number | null;
  },
  timeoutMs: number,
): string | null {
  if (run.startError !== null) return `adb could not be started: ${run.startError}`;
  if (run.tooLarge !== null) {
    return `“${shown}” printed more than ${sizeWords(run.tooLarge)}; it was stopped there.`;
  }
  if (run.timedOut) {
    return `“${shown}” did not finish within ${Math.ceil(timeoutMs / 1000)} s; the phone may be locked or disconnected.`;
  }
  const said = adbSaid(run.stderr);
  // adb's own refusals start a line with `error:` or `adb:` (both spellings are in use).
  const refusal = (pattern: RegExp): boolean =>
    run.stderr
      .split(/\r?\n/)
      .some((l) => new RegExp(`^(?:(?:adb|error):\\s*)+(?:${pattern.source})`, 'i').test(l.trim()));
  if (refusal(/device unauthorized|device still authorizing/)) return UNAUTHORIZED_PROBLEM;
  if (refusal(/device offline/)) return OFFLINE_PROBLEM;
  if (refusal(/no devices\/emulators found|device '[^']*' not found|closed/)) {
    return `The phone ${serial} is no longer connected to adb: reconnect it, unlock it and try again.`;
  }
  if (run.code !== 0) {
    return `“${shown}” failed with exit code ${String(run.code)}${said ? `: ${said.slice(0, 300)}` : '.'}`;
  }
  if (!run.ended) {
    return `The output of “${shown}” ended before the command finished: the connection to the phone was lost. Reconnect it and capture again.`;
  }
  return null;
}

/** Runs one step: adb's output goes straight to `<file>.partial`, renamed to `<file>` on success. */
function runStep(
  options: Required<Pick<CaptureOptions, 'adbPath' | 'serial'>> & {
    env: NodeJS.ProcessEnv;
    signal: AbortSignal | undefined;
    timeoutMs: number;
    killGraceMs: number;
    now: () => number;
  },
  folder: string,
  file: string,
  step: { args: string[]; shown: string; endMarker: string | null; maxBytes?: number },
): Promise<StepRun> {
  const { args } = step;
  return new Promise((resolvePromise) => {
    const startedMs = options.now();
    const partial = join(folder, `${file}.partial`);
    const hash = createHash('sha256');
    let bytes = 0;
    let stderr = '';
    let timedOut = false;
    let cancelled = false;
    let startError: string | null = null;
    let writeError: string | null = null;
    let exit: { code: number | null; atMs: number } | null = null;
    let written = false;
    let ended = step.endMarker === null;
    let markerCode: number | null = null;
    let killTimer: NodeJS.Timeout | null = null;
    let tooLarge = false;
    const maxBytes = step.maxBytes ?? Infinity;

    // Owner-readable only: the outputs describe a person's phone.
    const out = createWriteStream(partial, { flags: 'wx', mode: 0o600 });
    const child = spawn(options.adbPath, args, {
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    const onAbort = (): void => {
      if (cancelled || exit !== null) return;
      cancelled = true;
      child.kill('SIGINT');
      killTimer = setTimeout(() => child.kill('SIGKILL'), options.killGraceMs);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    // A cancel that came between the check before this step and the listener above.
    if (options.signal?.aborted) onAbort();

    let settled = false;
    const settle = async (): Promise<void> => {
      if (exit === null || !written || settled) return;
      settled = true;
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      let failure = cancelled
        ? 'cancelled'
        : writeError !== null
          ? `The output could not be written to ${partial}: ${writeError}`
          : describeFailure(
              options.serial,
              step.shown,
              {
                // adb's own failure first; else the phone command's code the marker carried.
                code: exit.code !== 0 || markerCode === null ? exit.code : markerCode,
                stderr,
                timedOut,
                startError,
                ended,
                tooLarge: tooLarge ? maxBytes : null,
              },
              options.timeoutMs,
            );
      let name = `${file}.partial`;
      if (failure === null) {
        try {
          await rename(partial, join(folder, file));
          name = file;
        } catch (e) {
          failure = `The output could not be renamed to ${file}: ${(e as Error).message}`;
        }
      }
      resolvePromise({
        record: {
          command: args,
          file: name,
          bytes,
          sha256: hash.digest('hex'),
          exitCode:
            cancelled || timedOut || tooLarge
              ? null
              : exit.code !== 0
                ? exit.code
                : (markerCode ?? exit.code),
          startedAt: new Date(startedMs).toISOString(),
          durationMs: Math.max(0, options.now() - startedMs),
          stderr: trimStderr(stderr),
        },
        failure: cancelled ? null : failure,
        cancelled,
        path: join(folder, name),
        exitedAtMs: exit.atMs,
      });
    };

    out.on('error', (e) => {
      writeError ??= e.message;
      child.kill('SIGKILL');
      written = true;
      void settle();
    });
    out.on('finish', () => {
      written = true;
      void settle();
    });
    // The last bytes are held back until the output ends, so the end marker never reaches the file.
    const hold = step.endMarker === null ? 0 : step.endMarker.length + 8;
    let tail = Buffer.alloc(0);
    const keep = (whole: Buffer): void => {
      if (whole.length === 0 || tooLarge) return;
      let piece = whole;
      if (bytes + piece.length > maxBytes) {
        // What fits is kept (as .partial), and adb is stopped: the rest is never read.
        piece = piece.subarray(0, maxBytes - bytes);
        tooLarge = true;
        child.kill('SIGKILL');
      }
      if (piece.length === 0) return;
      bytes += piece.length;
      hash.update(piece);
      if (!out.write(piece)) {
        child.stdout.pause();
        out.once('drain', () => child.stdout.resume());
      }
    };
    child.stdout.on('data', (chunk: Buffer) => {
      if (hold === 0) {
        keep(chunk);
        return;
      }
      tail = Buffer.concat([tail, chunk]);
      if (tail.length > hold) {
        keep(tail.subarray(0, tail.length - hold));
        tail = Buffer.from(tail.subarray(tail.length - hold));
      }
    });
    child.stdout.on('end', () => {
      if (step.endMarker !== null) {
        const found = findEnd(tail, step.endMarker);
        if (found) {
          ended = true;
          markerCode = found.code;
          tail = tail.subarray(0, found.at);
        }
      }
      // An output without its marker is kept whole, marker search aside, as evidence of what came.
      keep(tail);
      if (!out.writableEnded) out.end();
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < MAX_STDERR_READ) stderr += chunk;
    });
    child.on('error', (e) => {
      // A process that never started has no pid and emits no 'close'.
      if (child.pid !== undefined) return;
      startError ??= e.message;
      exit = { code: null, atMs: options.now() };
      if (!out.writableEnded) out.end();
    });
    child.on('close', (code) => {
      exit = { code, atMs: options.now() };
      void settle();
    });
  });
}

/** How much of an output is looked at to tell what it is. */
const HISTORY_HEAD_BYTES = 64 * 1024;

/**
 * Whether an output opens with the `Battery History (…):` line of a history, as the importer
 * recognises it (so a capture never calls a history usable that the import would pass over).
 */
async function holdsHistory(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(HISTORY_HEAD_BYTES);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return detectSingleDump(buf.subarray(0, bytesRead).toString('utf8')) === 'batterystats';
  } finally {
    await fh.close();
  }
}

/** Throws unless `folder` is absent or an empty folder; returns its absolute path. */
async function checkFolder(folder: string): Promise<string> {
  const target = resolve(folder);
  let info;
  try {
    info = await stat(target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return target;
    throw new AppError('IO_ERROR', `The folder ${target} cannot be read: ${(e as Error).message}`);
  }
  if (!info.isDirectory()) throw new AppError('INVALID_INPUT', `${target} is not a folder.`);
  if ((await readdir(target)).length > 0) {
    throw new AppError(
      'CONFLICT',
      `The folder ${target} is not empty; a capture goes into a new or empty folder and never overwrites.`,
    );
  }
  return target;
}

function propOrNull(props: Map<string, string>, key: string): string | null {
  const v = props.get(key)?.trim();
  return v ? v : null;
}

/**
 * Captures an Android phone's privacy state over adb into `folder`: `getprop`, the phone's clock
 * (`date +%s`), `dumpsys appops` (with `--include-discrete` on Android 12+), `dumpsys usagestats`,
 * `dumpsys package` and `dumpsys batterystats --history`, each written byte for byte with its
 * SHA-256, and `capture.json` recording the phone, the clocks and every command
 * (android-sources.md §10). Throws CANCELLED when the signal aborts, IMPORT_REFUSED when a
 * command fails; either way the outputs captured so far are kept with a `capture.json` that says
 * how the capture ended. The battery history is optional: a phone that refuses or lacks it, or
 * prints more than `maxHistoryBytes`, leaves a warning in `capture.json` and the capture goes on.
 */
export async function captureAndroid(options: CaptureOptions): Promise<CaptureResult> {
  const { serial, signal } = options;
  if (!isAdbSerial(serial)) {
    throw new AppError('INVALID_INPUT', `"${serial}" is not an adb serial.`);
  }
  if (signal?.aborted)
    throw new AppError('CANCELLED', 'The capture was cancelled before it started.');
  const folder = await checkFolder(options.folder);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const now = options.now ?? Date.now;
  // Random, so no text on the phone (an app's name, say) can pass for the end of an output.
  const endMarker = `snoopscope-end-${randomBytes(8).toString('hex')}:`;
  const stepOptions = {
    adbPath: options.adbPath,
    serial,
    env: options.env ?? process.env,
    signal,
    timeoutMs: options.timeoutMs ?? DEFAULT_CAPTURE_TIMEOUT_MS,
    killGraceMs: options.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
    now,
  };
  const manifest: CaptureManifest = {
    format: 'snoopscope-adb-capture',
    version: 1,
    status: 'complete',
    error: null,
    serial,
    model: null,
    manufacturer: null,
    androidVersion: null,
    sdk: null,
    fingerprint: null,
    timeZone: null,
    hostStartedAt: new Date(now()).toISOString(),
    hostCompletedAt: '',
    hostTimeMs: null,
    deviceEpochSeconds: null,
    commands: [],
    warnings: [],
    tool: 'snoopscope',
  };
  const manifestPath = join(folder, CAPTURE_MANIFEST);
  const writeManifest = async (): Promise<void> => {
    manifest.hostCompletedAt = new Date(now()).toISOString();
    try {
      await writeFile(manifestPath, JSON.stringify(manifest, null, 2) + '\n', {
        flag: 'wx',
        mode: 0o600,
      });
    } catch (e) {
      throw new AppError(
        'IO_ERROR',
        `${manifestPath} could not be written: ${(e as Error).message}`,
        { cause: e },
      );
    }
  };

  for (const [index, step] of CAPTURE_STEPS.entries()) {
    if (signal?.aborted) {
      manifest.status = 'cancelled';
      manifest.error = 'The capture was cancelled.';
      await writeManifest();
      throw new AppError(
        'CANCELLED',
        `The capture was cancelled; what was captured before is kept in ${folder}.`,
      );
    }
    options.onProgress?.({ step, index, count: CAPTURE_STEPS.length });
    const args = captureCommand(step, serial, manifest.sdk, endMarker);
    const shown = captureCommand(step, serial, manifest.sdk).slice(3).join(' ');
    const optional = OPTIONAL_CAPTURE_STEPS.has(step);
    const run = await runStep(stepOptions, folder, CAPTURE_FILES[step], {
      args,
      shown,
      endMarker,
      maxBytes:
        options.maxOutputBytes?.[step] ??
        (step === 'batterystats' ? options.maxHistoryBytes : undefined) ??
        DEFAULT_MAX_OUTPUT_BYTES[step],
    });
    manifest.commands.push(run.record);
    if (run.cancelled) {
      manifest.status = 'cancelled';
      manifest.error = `The capture was cancelled during “${shown}”.`;
      await writeManifest();
      throw new AppError(
        'CANCELLED',
        `The capture was cancelled; what was captured before is kept in ${folder}.`,
      );
    }
    if (run.failure === null && step === 'getprop' && run.record.bytes === 0) {
      run.failure = 'getprop printed nothing; the phone did not answer.';
    }
    if (run.failure === null && step === 'batterystats' && !(await holdsHistory(run.path))) {
      manifest.warnings.push(
        `“${shown}” printed no battery history (no “Battery History” line); ` +
          `${CAPTURE_FILES[step]} is kept as it came, and the device state comes from usagestats only.`,
      );
      continue;
    }
    if (run.failure !== null && optional) {
      manifest.warnings.push(
        `The phone did not give its battery history: ${run.failure} The output is kept as ` +
          `${run.record.file}, which is not imported; the capture went on without it, and the ` +
          'device state comes from usagestats only.',
      );
      continue;
    }
    if (run.failure !== null) {
      manifest.status = 'failed';
      manifest.error = run.failure;
      await writeManifest();
      throw new AppError(
        'IMPORT_REFUSED',
        `The capture stopped at “${shown}”: ${run.failure} What was captured before is kept in ${folder}.`,
      );
    }
    if (step === 'getprop') {
      const props = parseGetprop(await readFile(run.path, 'utf8'));
      const sdk = propOrNull(props, 'ro.build.version.sdk');
      manifest.sdk = printedWholeNumber(sdk);
      manifest.model = propOrNull(props, 'ro.product.model');
      manifest.manufacturer = propOrNull(props, 'ro.product.manufacturer');
      manifest.androidVersion = propOrNull(props, 'ro.build.version.release');
      manifest.fingerprint = propOrNull(props, 'ro.build.fingerprint');
      manifest.timeZone = propOrNull(props, 'persist.sys.timezone');
    } else if (step === 'date') {
      // Taken as soon as the phone answered, so the two clocks can be compared.
      manifest.hostTimeMs = run.exitedAtMs;
      const text = (await readFile(run.path, 'utf8')).trim();
      manifest.deviceEpochSeconds = printedWholeNumber(text);
    }
  }
  await writeManifest();
  return { folder, manifestPath, manifest };
}
