import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { BackupInspection } from '../../contract/api';
import {
  estimateDerivationSeconds,
  measurePbkdf2Rate,
  parseKeybag,
  type Pbkdf2Rate,
} from '../formats/ios-backup-crypto';
import { asData } from '../formats/plist';
import type { Worker } from 'node:worker_threads';
import { readBackupInfo, readRootPlists, summarize } from '../importers/ios-backup/discover';
import { BackupKeyCache } from '../importers/ios-backup/key-cache';
import { AppError } from '../model/errors';

export { backupOutcomes, failedBackupOutcome } from './backup-import';
import type { CaseSession } from './case-service';
import type { WorkerRequest } from './import-protocol';
import { spawnWorker, watchWorker, type EmitFn } from './import-service';
import { unreadOutcome } from './import-run';

interface StartInput {
  path: string;
  deviceId?: number;
  label?: string;
  timeZone?: string;
  password?: string;
}

/**
 * Imports backup folders for the app: key derivation runs on the thread pool with progress,
 * unlocked keys stay in memory for the session, and each import can be cancelled. The password
 * is used for the one call and never kept, logged or sent in an event.
 */
export class BackupImportService {
  readonly keys = new BackupKeyCache();
  private running: { importId: string; worker: Worker } | null = null;
  private rate: Promise<Pbkdf2Rate> | null = null;

  constructor(
    private readonly emit: EmitFn,
    private readonly log: (message: string, error?: unknown) => void,
    private readonly workerUrl?: URL,
  ) {}

  get busy(): boolean {
    return this.running !== null;
  }

  /** What a folder holds, whether its keys are already unlocked, and how long unlocking takes. */
  async inspect(session: CaseSession | null, path: string): Promise<BackupInspection> {
    const dir = resolve(path);
    const st = await stat(dir).catch(() => null);
    if (!st?.isDirectory())
      throw new AppError('INVALID_INPUT', `${dir} is not a folder, so not an iPhone backup.`);
    const info = await readBackupInfo(dir);
    if (info.format === 'unknown' && !info.udid)
      throw new AppError(
        'INVALID_INPUT',
        `${dir} is not an iPhone backup folder (no Manifest.db, Manifest.plist or Info.plist).`,
      );
    const bound =
      session && info.udid
        ? (session.db.prepare('SELECT id, label FROM devices WHERE udid = ?').get(info.udid) as
            { id: number; label: string } | undefined)
        : undefined;
    let keysCached = false;
    let derivationSeconds: number | null = null;
    if (info.encrypted) {
      const { manifest } = await readRootPlists(dir, []);
      const keybag = asData(manifest?.BackupKeyBag);
      if (keybag) {
        keysCached = this.keys.has(keybag);
        try {
          this.rate ??= measurePbkdf2Rate();
          derivationSeconds = keysCached
            ? 0
            : estimateDerivationSeconds(parseKeybag(keybag), await this.rate);
        } catch {
          derivationSeconds = null;
        }
      }
    }
    return {
      backup: summarize(info, null, false),
      boundDevice: bound ?? null,
      keysCached,
      derivationSeconds,
    };
  }

  start(session: CaseSession, input: StartInput, onSettled: () => void): string {
    if (this.running)
      throw new AppError('CONFLICT', 'A backup import is already running; wait or cancel it.');
    const importId = randomUUID();
    const path = resolve(input.path);
    let label = input.label;
    if (input.deviceId !== undefined) label = session.device(input.deviceId).label;
    // The import runs in a worker with its own connection: reading a large backup never holds
    // up the window. Keys unlocked there come back here, so the next import of the backup skips
    // the derivation.
    const worker = spawnWorker(this.workerUrl);
    this.running = { importId, worker };
    const cache = this.keys.asImportCache();
    watchWorker(worker, {
      emit: this.emit,
      log: this.log,
      finish: (outcomes, cancelled) => {
        this.running = null;
        this.emit('onImportFinished', { importId, outcomes, cancelled });
        onSettled();
      },
      refuseAll: (message) => [unreadOutcome(path, null, 'refused', message)],
      lost: 'artifacts stored before it stay in the case',
      onCache: (key, value) => cache.set(key, value),
    });
    const request: WorkerRequest = {
      type: 'start-backup',
      importId,
      casePath: session.path,
      path,
      label,
      timeZone: input.timeZone,
      password: input.password,
      cached: this.keys.entries(),
    };
    worker.postMessage(request);
    return importId;
  }

  cancel(importId: string): boolean {
    if (this.running?.importId !== importId) return false;
    const msg: WorkerRequest = { type: 'cancel' };
    this.running.worker.postMessage(msg);
    return true;
  }

  dispose(): void {
    void this.running?.worker.terminate();
    this.running = null;
    this.keys.clear();
  }
}
