import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { constants, accessSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ConnectedDevices } from '../../contract/api';
import type { DeviceBackupProgress } from '../../contract/events';
import { asDict, asString, parsePlist } from '../formats/plist';
import { EvidenceFolder } from '../importers/evidence-file';
import { AppError } from '../model/errors';
import type { EmitFn } from '../services/import-service';
import {
  findTools,
  findToolsSync,
  installHint,
  listConnectedDevices,
  missingTools,
  type FindToolsOptions,
} from './idevice-tools';

/** Where the tools are and how the service paces itself. */
export interface DeviceBackupOptions extends FindToolsOptions {
  /** How long a cancelled backup gets to stop after SIGINT before it is killed (default 5 s). */
  killGraceMs?: number;
  /** The shortest gap between two progress events of the same phase (default 100 ms). */
  progressIntervalMs?: number;
}

type Phase = DeviceBackupProgress['phase'];
type ActivePhase = Exclude<Phase, 'done' | 'failed' | 'cancelled'>;

/** What one line of `idevicebackup2` output means. */
export type BackupLine =
  | { kind: 'passcode' }
  | { kind: 'progress'; percent: number; text: string }
  | { kind: 'success'; text: string }
  | { kind: 'text'; text: string; error: boolean };

const ERROR_WORDS =
  /\b(error|errorcode|fail|failed|failure|could not|couldn't|unable|no device|not found|denied|insufficient|invalid|refused|aborted)\b/i;

/** The message shown while the phone waits for its passcode (iOS 16.1 and later). */
export const PASSCODE_MESSAGE =
  'Enter the passcode on the iPhone to allow the backup; it waits on its screen.';

/**
 * Classifies one line `idevicebackup2` printed; null for a blank line. Any `NN%` token counts as
 * progress, so both the bar (`[====   ] 42% Finished`) and byte counts (`42% (1.2 MB of 3 MB)`)
 * are understood.
 */
export function classifyBackupLine(raw: string): BackupLine | null {
  const text = raw.trim();
  if (text === '') return null;
  // Printed when the phone shows its passcode prompt (ios-backup.md §12).
  if (/waiting for passcode/i.test(text)) return { kind: 'passcode' };
  if (/^backup successful/i.test(text)) return { kind: 'success', text };
  const last = [...text.matchAll(/(\d{1,3}(?:\.\d+)?)\s?%/g)].at(-1);
  if (last) {
    const percent = Math.floor(Number(last[1]));
    if (percent <= 100) {
      return { kind: 'progress', percent, text: text.replace(/^\[[^\]]*\]\s*/, '') };
    }
  }
  return { kind: 'text', text, error: ERROR_WORDS.test(text) };
}

/** The most characters of one output line kept; a longer line keeps its last characters. */
export const MAX_OUTPUT_LINE_CHARS = 64 * 1024;

/** The last `max` characters of a text, not starting inside a surrogate pair. */
function lastChars(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = text.slice(-max);
  const first = end.charCodeAt(0);
  return first >= 0xdc00 && first <= 0xdfff ? end.slice(1) : end;
}

/**
 * Splits a tool's streamed text output: the lines that `pending + chunk` completes (a CRLF, CR
 * or LF ends one) and the unfinished rest, to pass back with the next chunk. Lines and the rest
 * keep at most `max` characters (their end), so output without line breaks neither grows in
 * memory nor makes each later chunk slower to read. A CRLF split over two chunks gives one extra
 * empty line.
 */
export function splitOutputChunk(
  pending: string,
  chunk: string,
  max = MAX_OUTPUT_LINE_CHARS,
): { lines: string[]; pending: string } {
  const parts = (pending + chunk).split(/\r\n|\r|\n/);
  const rest = parts.pop() ?? '';
  return { lines: parts.map((l) => lastChars(l, max)), pending: lastChars(rest, max) };
}

/** A snapshot older than the start of this run (with slack for coarse file times) is stale. */
const STALE_SLACK_MS = 5_000;

interface Run {
  id: string;
  udid: string;
  folder: string;
  child: ChildProcess;
  startedAt: number;
  phase: ActivePhase;
  percent: number | null;
  message: string;
  lastLine: string | null;
  lastError: string | null;
  startError: string | null;
  cancelled: boolean;
  finished: boolean;
  lastEmitAt: number;
  lastEmitted: string;
  flushTimer: NodeJS.Timeout | null;
  killTimer: NodeJS.Timeout | null;
}

/** The environment for the tool, without any backup password: the phone encrypts on its own. */
function toolEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const key of Object.keys(copy)) {
    if (/^BACKUP_PASSWORD(_NEW)?$/i.test(key)) delete copy[key];
  }
  return copy;
}

/**
 * Makes fresh backups of connected iPhones with libimobiledevice's `idevicebackup2`, one at a
 * time, and reports each as `onDeviceBackupProgress` events: `starting`, then
 * `waiting-for-passcode` and `copying` as the tool reports them, `finishing`, and one of `done`,
 * `failed` or `cancelled`. A backup counts as done only when its Status.plist says the snapshot is
 * finished.
 */
export class DeviceBackupService {
  private running: Run | null = null;
  private disposed = false;

  constructor(
    private readonly emit: EmitFn,
    private readonly options: DeviceBackupOptions = {},
  ) {}

  /** True while a backup runs. */
  get busy(): boolean {
    return this.running !== null;
  }

  /** The tools found, what to install when some are missing, and the phones connected. */
  async list(): Promise<ConnectedDevices> {
    const platform = this.options.platform ?? process.platform;
    const tools = await findTools(this.options);
    const listing = await listConnectedDevices(tools, { env: this.options.env });
    return {
      tools,
      installHint: installHint(platform, missingTools(tools)),
      problem: listing.problem,
      devices: listing.devices,
    };
  }

  /**
   * Starts `idevicebackup2 -u UDID backup --full FOLDER` and returns the backup's id. The backup
   * lands in `FOLDER/UDID`. Throws UNSUPPORTED without the tool, INVALID_INPUT for a bad UDID or
   * folder, CONFLICT while another backup runs.
   */
  start(udid: string, folder: string): string {
    if (this.running) {
      throw new AppError(
        'CONFLICT',
        'A backup is already running. Wait for it to finish or cancel it first.',
      );
    }
    const platform = this.options.platform ?? process.platform;
    const tools = findToolsSync(this.options);
    if (tools.idevicebackup2 === null) {
      throw new AppError(
        'UNSUPPORTED',
        installHint(platform, missingTools(tools)) ?? 'idevicebackup2 was not found.',
      );
    }
    // A UDID is letters, digits and dashes; a leading dash would read as an option.
    if (!/^[0-9A-Za-z][0-9A-Za-z-]{0,99}$/.test(udid)) {
      throw new AppError('INVALID_INPUT', `"${udid}" is not an iPhone UDID.`);
    }
    const target = resolve(folder);
    let info;
    try {
      info = statSync(target, { throwIfNoEntry: false });
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      throw new AppError('INVALID_INPUT', `The folder ${target} cannot be read: ${reason}`);
    }
    if (!info) throw new AppError('INVALID_INPUT', `The folder ${target} does not exist.`);
    if (!info.isDirectory()) throw new AppError('INVALID_INPUT', `${target} is not a folder.`);
    try {
      accessSync(target, constants.W_OK);
    } catch {
      throw new AppError('INVALID_INPUT', `The folder ${target} cannot be written to.`);
    }

    let child: ChildProcess;
    try {
      child = spawn(tools.idevicebackup2, ['-u', udid, 'backup', '--full', target], {
        env: toolEnv(this.options.env ?? process.env),
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
      });
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      throw new AppError('UNSUPPORTED', `idevicebackup2 could not be started: ${reason}`);
    }
    const run: Run = {
      id: randomUUID(),
      udid,
      folder: target,
      child,
      startedAt: Date.now(),
      phase: 'starting',
      percent: null,
      message: 'Connecting to the iPhone…',
      lastLine: null,
      lastError: null,
      startError: null,
      cancelled: false,
      finished: false,
      lastEmitAt: 0,
      lastEmitted: '',
      flushTimer: null,
      killTimer: null,
    };
    this.running = run;
    // After returning, so the caller knows the id before the first event arrives.
    queueMicrotask(() => this.flush(run));
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      stream.setEncoding('utf8');
      let pending = '';
      stream.on('data', (chunk: string) => {
        const split = splitOutputChunk(pending, chunk);
        pending = split.pending;
        for (const line of split.lines) this.onLine(run, line);
        // The progress bar is redrawn after a carriage return with no newline: read it now.
        const partial = classifyBackupLine(pending);
        if (partial?.kind === 'progress') this.onLine(run, pending, true);
      });
      stream.on('end', () => {
        if (pending !== '') this.onLine(run, pending);
        pending = '';
      });
    }
    child.on('error', (e) => {
      // A tool that never started has no pid and emits no 'close'; a failed kill is not fatal.
      if (child.pid !== undefined) return;
      run.startError ??= e.message;
      void this.finish(run, null, null);
    });
    child.on('close', (code, signal) => void this.finish(run, code, signal));
    return run.id;
  }

  /** Stops a running backup: SIGINT first, SIGKILL after the grace period. False when it is not running. */
  cancel(backupId: string): boolean {
    const run = this.running;
    if (!run || run.id !== backupId || run.finished) return false;
    if (!run.cancelled) {
      run.cancelled = true;
      run.child.kill('SIGINT');
      run.killTimer = setTimeout(
        () => run.child.kill('SIGKILL'),
        this.options.killGraceMs ?? 5_000,
      );
    }
    return true;
  }

  /** Cancels a running backup and stops sending events. */
  dispose(): void {
    const run = this.running;
    if (run) {
      this.cancel(run.id);
      run.killTimer?.unref();
    }
    this.disposed = true;
  }

  private onLine(run: Run, raw: string, partial = false): void {
    if (run.finished) return;
    const line = classifyBackupLine(raw);
    if (!line) return;
    switch (line.kind) {
      case 'passcode':
        if (run.phase !== 'finishing') this.report(run, 'waiting-for-passcode', PASSCODE_MESSAGE);
        return;
      case 'progress':
        run.percent = line.percent;
        if (!partial) run.lastLine = line.text;
        this.report(run, run.phase === 'finishing' ? 'finishing' : 'copying', line.text);
        return;
      case 'success':
        run.lastLine = line.text;
        this.report(run, 'finishing', line.text);
        return;
      case 'text':
        run.lastLine = line.text;
        // Keep the specific cause over the tool's closing "Backup Failed (Error Code N)." summary.
        if (line.error && !(run.lastError !== null && /^backup failed/i.test(line.text))) {
          run.lastError = line.text;
        }
        // The tool prints nothing more until the passcode is entered.
        this.report(run, run.phase === 'waiting-for-passcode' ? 'copying' : run.phase, line.text);
        return;
      default: {
        const never: never = line;
        throw new Error(`Unhandled line ${JSON.stringify(never)}`);
      }
    }
  }

  /** Records the state; a phase change is sent at once, other changes at most every interval. */
  private report(run: Run, phase: ActivePhase, message: string): void {
    const changed = phase !== run.phase;
    run.phase = phase;
    run.message = message;
    if (changed) {
      this.flush(run);
      return;
    }
    if (run.flushTimer) return;
    const wait = run.lastEmitAt + (this.options.progressIntervalMs ?? 100) - Date.now();
    if (wait <= 0) this.flush(run);
    else run.flushTimer = setTimeout(() => this.flush(run), wait);
  }

  private flush(run: Run): void {
    if (run.flushTimer) clearTimeout(run.flushTimer);
    run.flushTimer = null;
    if (run.finished) return;
    const event: DeviceBackupProgress = {
      backupId: run.id,
      udid: run.udid,
      phase: run.phase,
      percent: run.percent,
      message: run.message,
      backupPath: null,
    };
    const key = JSON.stringify(event);
    if (key === run.lastEmitted) return;
    run.lastEmitted = key;
    run.lastEmitAt = Date.now();
    this.send(event);
  }

  private send(event: DeviceBackupProgress): void {
    if (!this.disposed) this.emit('onDeviceBackupProgress', event);
  }

  private async finish(
    run: Run,
    code: number | null,
    signal: NodeJS.Signals | null,
  ): Promise<void> {
    if (run.finished) return;
    run.finished = true;
    if (run.flushTimer) clearTimeout(run.flushTimer);
    if (run.killTimer) clearTimeout(run.killTimer);
    const backupPath = join(run.folder, run.udid);
    let outcome: { phase: 'done' | 'failed' | 'cancelled'; message: string };
    if (run.cancelled) {
      outcome = {
        phase: 'cancelled',
        message: `The backup was cancelled. ${backupPath} may hold an incomplete backup.`,
      };
    } else if (run.startError !== null) {
      outcome = {
        phase: 'failed',
        message: `idevicebackup2 could not be started: ${run.startError}`,
      };
    } else if (code === 0) {
      const problem = await this.checkSnapshot(run, backupPath);
      outcome =
        problem === null
          ? { phase: 'done', message: `Backup complete: ${backupPath}` }
          : { phase: 'failed', message: problem };
    } else {
      const how = signal ? `was stopped by ${signal}` : `exited with code ${String(code)}`;
      const said = run.lastError ?? run.lastLine;
      outcome = {
        phase: 'failed',
        message: said ? `Backup failed: ${said}` : `Backup failed: idevicebackup2 ${how}.`,
      };
    }
    if (this.running === run) this.running = null;
    this.send({
      backupId: run.id,
      udid: run.udid,
      phase: outcome.phase,
      percent: outcome.phase === 'done' ? 100 : run.percent,
      message: outcome.message,
      backupPath: outcome.phase === 'done' ? backupPath : null,
    });
  }

  /** Null when `Status.plist` says this run's snapshot finished; else what is wrong, in words. */
  private async checkSnapshot(run: Run, backupPath: string): Promise<string | null> {
    const statusPath = join(backupPath, 'Status.plist');
    try {
      // Through the evidence folder: a named pipe or a link out of the backup is never opened.
      const folder = await EvidenceFolder.at(backupPath);
      const { stats: info } = await folder.inspect('Status.plist');
      const { bytes } = await folder.read('Status.plist');
      const state = asString(asDict(parsePlist(bytes))?.['SnapshotState']);
      if (state !== 'finished') {
        return `idevicebackup2 ended without an error, but Status.plist says the snapshot is ${
          state === null ? 'of unknown state' : `"${state}"`
        }: the backup is incomplete.`;
      }
      if (info.mtimeMs < run.startedAt - STALE_SLACK_MS) {
        return `idevicebackup2 ended without an error, but ${statusPath} is from an earlier backup: this one wrote nothing.`;
      }
      return null;
    } catch (e) {
      return `idevicebackup2 ended without an error, but ${statusPath} could not be read: ${
        e instanceof Error ? e.message : String(e)
      }`;
    }
  }
}
