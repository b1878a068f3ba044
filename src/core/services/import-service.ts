import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { BridgeEvents } from '../../contract/events';
import type { ImportOutcome } from '../../contract/records';
import { AppError } from '../model/errors';
import type { WorkerMessage, WorkerRequest } from './import-protocol';
import { unreadOutcome } from './import-run';

export type EmitFn = <E extends keyof BridgeEvents>(event: E, payload: BridgeEvents[E]) => void;

interface Running {
  worker: Worker;
  casePath: string;
}

/**
 * The import worker's old-generation heap, in MB. Every format streams: a 100 MB Android capture
 * keeps well under it (its import then peaks near 390 MB of resident memory, where an unbounded
 * heap let garbage pile up to 770 MB before collecting it).
 */
export const IMPORT_HEAP_MB = 384;

/**
 * Why a worker's work (an import, an export) ended, when it ended for lack of heap, with the bound
 * its worker had; null for any other error.
 */
export function outOfHeap(e: unknown, work = 'import', heapMb = IMPORT_HEAP_MB): string | null {
  return (e as { code?: unknown } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY'
    ? `The ${work} needed more than the ${heapMb} MB of memory an ${work} may use`
    : null;
}

/** Bounds of a worker's heap, in MB: its old generation, and its young one (short-lived objects). */
export interface HeapBounds {
  oldMb?: number;
  youngMb?: number;
}

/**
 * Creates the import worker: the bundled file when given, else the TypeScript source through tsx.
 * Its old generation is bounded to {@link IMPORT_HEAP_MB} unless `heap` says otherwise; a worker
 * that makes many objects but keeps few runs in less memory with both bounded tighter.
 */
export function spawnWorker(workerUrl: URL | undefined, heap: HeapBounds = {}): Worker {
  const resourceLimits = {
    maxOldGenerationSizeMb: heap.oldMb ?? IMPORT_HEAP_MB,
    ...(heap.youngMb === undefined ? {} : { maxYoungGenerationSizeMb: heap.youngMb }),
  };
  if (workerUrl) return new Worker(workerUrl, { resourceLimits });
  return new Worker(new URL('./import-worker.ts', import.meta.url), {
    execArgv: [...process.execArgv, '--import', 'tsx'],
    resourceLimits,
  });
}

/** What a running import worker reports to, and how its end is told. */
export interface WorkerWatch {
  emit: EmitFn;
  log: (message: string, error?: unknown) => void;
  /** Called once, with the outcomes, when the worker is done or gone. */
  finish: (outcomes: ImportOutcome[], cancelled: boolean) => void;
  /** The outcomes when the worker failed as a whole, with the sentence saying why. */
  refuseAll: (message: string) => ImportOutcome[];
  /** What a crash costs, in words ("nothing of the unfinished file was kept"). */
  lost: string;
  /** An entry the import put in its cache (a backup's unlocked keys). */
  onCache?: (key: string, value: unknown) => void;
}

/**
 * Relays a worker's progress, log lines and cache entries, and ends the import exactly once:
 * when it is done, fails, crashes or exits. The worker is terminated at the end.
 */
export function watchWorker(worker: Worker, w: WorkerWatch): void {
  let finished = false;
  const finish = (outcomes: ImportOutcome[], cancelled: boolean): void => {
    if (finished) return;
    finished = true;
    void worker.terminate();
    w.finish(outcomes, cancelled);
  };
  const failAll = (message: string): void => finish(w.refuseAll(message), false);
  worker.on('message', (m: WorkerMessage) => {
    switch (m.type) {
      case 'progress':
        w.emit('onImportProgress', m.progress);
        break;
      case 'log':
        w.log(m.message, m.stack);
        break;
      case 'cache':
        w.onCache?.(m.key, m.value);
        break;
      case 'done':
        finish(m.outcomes, m.cancelled);
        break;
      case 'error':
        if (m.stack) w.log('Import worker failed', m.stack);
        failAll(
          m.code === 'INTERNAL'
            ? 'The import failed unexpectedly; see the log for details.'
            : m.message,
        );
        break;
      default: {
        const never: never = m;
        w.log(`Unknown worker message ${JSON.stringify(never)}`);
      }
    }
  });
  worker.on('error', (e) => {
    w.log('Import worker crashed', e);
    failAll(`${outOfHeap(e) ?? 'The import stopped unexpectedly'}; ${w.lost}.`);
  });
  worker.on('exit', (code) => {
    if (!finished) failAll(`The import worker exited (code ${code}); ${w.lost}.`);
  });
}

/**
 * Runs imports in a worker thread with its own case connection, so the caller's thread (the
 * Electron main process or the dev server) keeps answering while a large file is read.
 */
export class ImportService {
  private readonly running = new Map<string, Running>();

  constructor(
    private readonly emit: EmitFn,
    private readonly log: (message: string, error?: unknown) => void,
    private readonly workerUrl?: URL,
  ) {}

  get busy(): boolean {
    return this.running.size > 0;
  }

  start(
    casePath: string,
    paths: string[],
    deviceId: number,
    onSettled: () => void,
    timeZone?: string,
  ): string {
    if (this.running.size > 0) {
      throw new AppError(
        'CONFLICT',
        'An import is already running; wait for it to finish or cancel it.',
      );
    }
    const importId = randomUUID();
    const worker = spawnWorker(this.workerUrl);
    this.running.set(importId, { worker, casePath });
    watchWorker(worker, {
      emit: this.emit,
      log: this.log,
      finish: (outcomes, cancelled) => {
        this.running.delete(importId);
        this.emit('onImportFinished', { importId, outcomes, cancelled });
        onSettled();
      },
      refuseAll: (message) =>
        paths.map((path) => unreadOutcome(path, deviceId, 'refused', message)),
      lost: 'nothing of the unfinished file was kept',
    });
    const request: WorkerRequest = {
      type: 'start',
      importId,
      casePath,
      paths,
      deviceId,
      timeZone,
    };
    worker.postMessage(request);
    return importId;
  }

  cancel(importId: string): boolean {
    const r = this.running.get(importId);
    if (!r) return false;
    const msg: WorkerRequest = { type: 'cancel' };
    r.worker.postMessage(msg);
    return true;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.running.values()].map((r) => r.worker.terminate()));
    this.running.clear();
  }
}
