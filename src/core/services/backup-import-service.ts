import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { BackupInspection } from '../../contract/api';
import type { ImportProgress } from '../../contract/events';
import type { ImportOutcome } from '../../contract/records';
import {
  estimateDerivationSeconds,
  measurePbkdf2Rate,
  parseKeybag,
  type Pbkdf2Rate,
} from '../formats/ios-backup-crypto';
import { asData } from '../formats/plist';
import {
  importBackupDevice,
  type BackupDeviceOptions,
  type BackupDeviceResult,
} from '../importers/ios-backup/device-import';
import { readBackupInfo, readRootPlists, summarize } from '../importers/ios-backup/discover';
import { BackupKeyCache } from '../importers/ios-backup/key-cache';
import { AppError } from '../model/errors';
import type { CaseSession } from './case-service';
import type { EmitFn } from './import-service';
import { unreadOutcome } from './import-run';

/**
 * The outcomes of a backup import: the phone (identity, apps, notes), then each artifact file.
 * The phone and each stored artifact name the time zone their times were placed in: the one
 * given at import (`givenZone`), else the backup's own.
 */
export function backupOutcomes(
  path: string,
  r: BackupDeviceResult,
  givenZone?: string,
): ImportOutcome[] {
  const clock: Pick<ImportOutcome, 'timeZone'> =
    r.timeZone === null
      ? {}
      : {
          timeZone: {
            zone: r.timeZone,
            offsets: [],
            source: givenZone !== undefined && givenZone === r.timeZone ? 'examiner' : 'device',
          },
        };
  return [
    {
      ...unreadOutcome(path, r.device.id, 'imported'),
      importer: 'ios-backup',
      warnings: r.problems.map((message) => ({
        line: null,
        locator: 'backup',
        code: 'BACKUP_NOTE' as const,
        message,
      })),
      ...clock,
    },
    ...r.artifacts.map((a) => (a.status === 'imported' ? { ...a, ...clock } : a)),
  ];
}

/** A failed backup import as its one outcome (nothing was stored). */
export function failedBackupOutcome(path: string, e: unknown): ImportOutcome {
  if (e instanceof AppError)
    return unreadOutcome(path, null, e.code === 'CANCELLED' ? 'cancelled' : 'refused', e.message);
  throw e;
}

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
  private running: { importId: string; controller: AbortController } | null = null;
  private rate: Promise<Pbkdf2Rate> | null = null;

  constructor(
    private readonly emit: EmitFn,
    private readonly log: (message: string, error?: unknown) => void,
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
    const controller = new AbortController();
    this.running = { importId, controller };
    const path = resolve(input.path);
    let label = input.label;
    if (input.deviceId !== undefined) label = session.device(input.deviceId).label;
    const progress = (
      phase: ImportProgress['phase'],
      percent: number,
      extra: Partial<ImportProgress> = {},
    ): void =>
      this.emit('onImportProgress', {
        importId,
        path,
        fileIndex: 0,
        fileCount: 1,
        phase,
        lines: 0,
        bytes: 0,
        totalBytes: 0,
        percent,
        linesPerSecond: 0,
        ...extra,
      });
    const startedUnlock = Date.now();
    let lastEmit = 0;
    const options: BackupDeviceOptions = {
      label,
      timeZone: input.timeZone,
      password: input.password,
      keyCache: this.keys,
      signal: controller.signal,
      onProgress: (f) => {
        const now = Date.now();
        if (now - lastEmit < 100 && f < 1) return;
        lastEmit = now;
        const elapsed = (now - startedUnlock) / 1000;
        progress('unlocking', Math.round(f * 80), {
          detail: 'Deriving the backup keys from the password',
          etaSeconds: f > 0.02 && f < 1 ? Math.ceil((elapsed * (1 - f)) / f) : null,
        });
      },
      onArtifact: (name, index, count) =>
        progress('artifacts', 80 + Math.round((index / count) * 15), { detail: name }),
    };
    const finish = (outcomes: ImportOutcome[], cancelled: boolean): void => {
      this.running = null;
      this.emit('onImportFinished', { importId, outcomes, cancelled });
      onSettled();
    };
    setImmediate(() => {
      progress('hashing', 0, { detail: 'Reading the backup folder' });
      importBackupDevice(session, path, options).then(
        (r) => {
          progress('done', 100);
          finish(backupOutcomes(path, r, input.timeZone), false);
        },
        (e: unknown) => {
          if (!(e instanceof AppError)) this.log('Backup import failed', e);
          else if (e.code === 'INTERNAL') this.log('Backup import failed', e.cause ?? e);
          const outcome =
            e instanceof AppError
              ? failedBackupOutcome(path, e)
              : unreadOutcome(
                  path,
                  null,
                  'refused',
                  'The backup import failed unexpectedly; see the log for details.',
                );
          finish([outcome], outcome.status === 'cancelled');
        },
      );
    });
    return importId;
  }

  cancel(importId: string): boolean {
    if (this.running?.importId !== importId) return false;
    this.running.controller.abort();
    return true;
  }

  dispose(): void {
    this.running?.controller.abort();
    this.keys.clear();
  }
}
