import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AndroidDevices } from '../../contract/api';
import type { AndroidCaptureStatus } from '../../contract/events';
import { adbInstallHint, findAdb, listAdbDevices } from '../acquire/adb';
import { AndroidWatch } from '../acquire/android-watch';
import { AppError } from '../model/errors';
import type { CaseSession } from './case-service';
import type { EmitFn } from './import-service';
import {
  ImportWorkerClient,
  type WorkerCall,
  type WorkerCallResults,
  type WorkerStep,
} from './worker-call';

interface StartInput {
  serial: string;
  deviceId?: number;
  label?: string;
  timeZone?: string;
  watchMinutes?: number;
}

export interface AndroidCaptureOptions {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** A folder or file the examiner configured for adb. */
  adbPath?: string;
  /** The bundled import worker (else its TypeScript source, as in tests). */
  workerUrl?: URL;
  /** Makes the worker client that imports the captures (a fake in tests). */
  importClient?: (casePath: string) => CaptureImportClient;
}

/** The part of an import worker client a capture uses. */
export interface CaptureImportClient {
  run<F extends 'importAndroid' | 'refreshDerived'>(
    call: Extract<WorkerCall, { fn: F }>,
    options: { signal?: AbortSignal; onStep?: (s: WorkerStep) => void },
  ): Promise<WorkerCallResults[F]>;
  close(): Promise<void>;
}

/**
 * Captures connected Android phones over adb for the app: each capture goes into the case's
 * `captures/` folder (beside the case file) and is imported into one device; in watch mode the
 * capture repeats until stopped, and successive captures merge without repeating accesses.
 */
export class AndroidCaptureService {
  private readonly running = new Map<
    string,
    { watch: AndroidWatch; controller: AbortController; client: CaptureImportClient }
  >();

  constructor(
    private readonly emit: EmitFn,
    private readonly log: (message: string, error?: unknown) => void,
    private readonly options: AndroidCaptureOptions = {},
  ) {}

  get busy(): boolean {
    return this.running.size > 0;
  }

  private adb(): Promise<string | null> {
    const env = this.options.env ?? process.env;
    return findAdb({
      env,
      platform: this.options.platform,
      // SNOOPSCOPE_ADB names the adb to use when none was configured (a file that is not
      // runnable means no adb), so a dev server can be pointed at a particular client.
      configuredPath: this.options.adbPath ?? env['SNOOPSCOPE_ADB'],
    });
  }

  async list(): Promise<AndroidDevices> {
    const adb = await this.adb();
    if (!adb)
      return {
        adb: null,
        installHint: adbInstallHint(this.options.platform ?? process.platform),
        hint: null,
        problem: null,
        devices: [],
      };
    const listing = await listAdbDevices(adb, { env: this.options.env });
    return {
      adb,
      installHint: null,
      hint: listing.hint,
      problem: listing.problem,
      devices: listing.devices.map((d) => ({
        serial: d.serial,
        state: d.state,
        model: d.model,
        product: d.product,
        problem: d.problem,
      })),
    };
  }

  async start(session: CaseSession, input: StartInput, onImported: () => void): Promise<string> {
    if ([...this.running.values()].length > 0)
      throw new AppError('CONFLICT', 'A capture is already running; stop it first.');
    const adbPath = await this.adb();
    if (!adbPath)
      throw new AppError(
        'UNSUPPORTED',
        `adb was not found. ${adbInstallHint(this.options.platform ?? process.platform)}`,
      );
    const root = join(dirname(session.path), 'captures');
    await mkdir(root, { recursive: true, mode: 0o700 });
    const captureId = randomUUID();
    const controller = new AbortController();
    let deviceId = input.deviceId ?? null;
    let label = input.label;
    const status = (
      s: Omit<AndroidCaptureStatus, 'captureId' | 'serial' | 'history' | 'deviceId'>,
    ) =>
      this.emit('onAndroidCapture', {
        captureId,
        serial: input.serial,
        ...s,
        history: watch.history.map((h) => ({ ...h })),
        deviceId,
      });
    // Every capture of this run is imported in one import worker with its own connection, as
    // file imports are, so the app's main thread keeps answering.
    const client =
      this.options.importClient?.(session.path) ??
      new ImportWorkerClient(session.path, this.options.workerUrl);
    const watch = new AndroidWatch({
      root,
      serial: input.serial,
      intervalMinutes: input.watchMinutes ?? 1,
      adbPath,
      env: this.options.env,
      signal: controller.signal,
      onStatus: (s) => {
        if (s.phase === 'stopped') this.running.delete(captureId);
        status({ phase: s.phase, nextCaptureAt: input.watchMinutes ? s.nextCaptureAt : null });
        // Without watch mode, one capture and its import are the whole job.
        if (!input.watchMinutes && s.phase === 'waiting' && watch.history.length > 0)
          void watch.stop();
      },
      onCapture: async (folder, signal) => {
        const progress = (
          fraction: number,
          phase: 'reading' | 'committing' | 'findings' | 'done',
        ): void =>
          this.emit('onImportProgress', {
            importId: captureId,
            path: folder,
            fileIndex: 0,
            fileCount: 1,
            phase,
            lines: 0,
            bytes: 0,
            totalBytes: 0,
            percent: Math.round(fraction * 100),
            linesPerSecond: 0,
          });
        const r = await client
          .run(
            {
              fn: 'importAndroid',
              path: folder,
              deviceId: deviceId ?? undefined,
              label: deviceId === null ? label : undefined,
              timeZone: input.timeZone,
            },
            {
              signal,
              onStep: (s) => {
                if (s.kind === 'android')
                  progress(s.fraction, s.phase === 'reading' ? 'reading' : 'committing');
              },
            },
          )
          .catch((e: unknown) => {
            if (e instanceof AppError) throw e;
            // The worker itself stopped (a crash): the capture stays in its folder.
            throw new AppError(
              'INTERNAL',
              `The capture in ${folder} could not be imported: ${e instanceof Error ? e.message : String(e)}; nothing of it was kept.`,
            );
          });
        deviceId = r.deviceId;
        label = session.device(r.deviceId).label;
        // The findings of the device are brought up to date in the same worker; when that
        // fails, `onImported` has them computed again in a worker.
        progress(1, 'findings');
        // Stopping the capture stops it too (between devices); the rest is then computed later.
        const refreshed = await client
          .run({ fn: 'refreshDerived' }, { signal })
          .catch((e: unknown) => {
            if (!signal.aborted) this.log('Could not bring the stored findings up to date', e);
            return null;
          });
        if (refreshed?.refreshed === false)
          this.log(`Could not bring the stored findings up to date: ${refreshed.problem ?? ''}`);
        progress(1, 'done');
        onImported();
        return { added: r.added };
      },
    });
    this.running.set(captureId, { watch, controller, client });
    void watch
      .start()
      .catch((e: unknown) => this.log('Android capture failed', e))
      .finally(() => {
        this.running.delete(captureId);
        void client.close();
      });
    return captureId;
  }

  stop(captureId: string): boolean {
    const r = this.running.get(captureId);
    if (!r) return false;
    void r.watch.stop();
    return true;
  }

  async dispose(): Promise<void> {
    for (const r of this.running.values()) void r.watch.stop();
    await Promise.all([...this.running.values()].map((r) => r.watch.done));
    this.running.clear();
  }
}
