// The command line's imports, run in an import worker like the app's: one worker per command,
// with its own case connection and the same heap bound, so a large capture cannot take the
// command's memory and a Ctrl-C reaches the file being read. The caller keeps its own connection
// for everything else (device lookups, findings, printing). Each call loads the modules it runs
// when it runs, so a worker that only writes a bundle's sessions holds no importer in memory.
import type { Worker } from 'node:worker_threads';
import type { Filter } from '../../contract/filter';
import type { Finding, FindingParams, FindingRule } from '../../contract/findings';
import type { Platform, SourceInfo } from '../../contract/records';
import type { ErrorCode } from '../../contract/result';
import type { ApiInput, ApiOutput } from '../../contract/api';
import { openCaseDatabase, type UpgradeStep } from '../db/open';
import { AppError } from '../model/errors';
import type { AndroidImportResult } from './android-import';
import type { BackupDeviceResult } from './backup-import';
import { CaseSession } from './case-service';
import { afterPendingSignals } from './event-turns';
import type { ImportPathResult, PipelineProgress } from './import-pipeline';
import type { BundleExportRequest } from './bundle-export';
import type { EventsEntry, EventsEntryRequest, EventsHelper } from '../bundle/events-entry';
import { outOfHeap, spawnWorker, type HeapBounds } from './import-service';

/** One piece of import work, as the worker is asked to do it. */
export type WorkerCall =
  | {
      fn: 'importPath';
      path: string;
      /** A device id, or a label found or created inside the first stored file's transaction. */
      device: number | { label: string; platform: Platform };
      timeZone?: string;
    }
  | { fn: 'importBackup'; path: string; label?: string; timeZone?: string; password?: string }
  | {
      fn: 'importAndroid';
      path: string;
      label?: string;
      /** An existing device to import into (the app's device choice, or an earlier capture's). */
      deviceId?: number;
      timeZone?: string;
    }
  /** The stored findings and latest network rows of the devices whose data or parameters changed. */
  | { fn: 'refreshDerived' }
  /** A source moved to another device with its records, pairing and rollups (the app's edit). */
  | { fn: 'moveSource'; sourceId: number; deviceId: number }
  /** A source removed with its records, pairing and rollups (the app's edit). */
  | { fn: 'removeSource'; sourceId: number }
  /** Findings the stored findings cannot answer, computed from the records (the app's query). */
  | {
      fn: 'queryFindings';
      filter: Filter;
      params?: FindingParams;
      rules?: FindingRule[];
      evidenceLimit?: number;
    }
  /** The app's sessions CSV, written from the worker's own connection. */
  | { fn: 'exportSessionsCsv'; input: ApiInput<'exportSessionsCsv'>; version: string }
  /** The app's evidence bundle, written from the worker's own connection. */
  | ({ fn: 'exportBundle' } & BundleExportRequest)
  /**
   * A bundle's events.csv, deflated into a file, from a read-only connection whose snapshot is
   * announced by a `snapshot` step (the bundle's own thread holds writers off until then).
   */
  | { fn: 'writeEventsEntry'; request: EventsEntryRequest }
  /**
   * The upgrade of a case written by an earlier version (its pending migrations, then its
   * derived tables), run only by the app, in a worker of its own; every other call refuses a
   * case that needs one.
   */
  | { fn: 'upgradeCase' }
  /** A page of the evidence of such a finding (the app's query). */
  | {
      fn: 'findingEvidence';
      filter: Filter;
      params?: FindingParams;
      findingId: string;
      offset?: number;
      limit?: number;
    };

/** What each call answers. */
export interface WorkerCallResults {
  importPath: ImportPathResult;
  importBackup: BackupDeviceResult;
  importAndroid: Omit<AndroidImportResult, 'device'> & { deviceId: number };
  /**
   * Whether they are up to date (false: another program held the case; computed when next
   * asked), and when not, why in a sentence. A cancelled refresh rejects with CANCELLED.
   */
  refreshDerived: { refreshed: boolean; problem?: string };
  moveSource: SourceInfo;
  removeSource: { removed: number };
  queryFindings: Finding[];
  findingEvidence: ApiOutput<'getFindingEvidence'>;
  exportBundle: ApiOutput<'exportBundle'>;
  writeEventsEntry: EventsEntry;
  exportSessionsCsv: ApiOutput<'exportSessionsCsv'>;
  /** How many steps the upgrade ran (0: the case was already up to date). */
  upgradeCase: { steps: number };
}

/** Progress of a call, as its in-process form reports it. */
export type WorkerStep =
  | { kind: 'pipeline'; progress: PipelineProgress }
  | { kind: 'unlock'; fraction: number }
  | { kind: 'artifact'; name: string; index: number; count: number }
  | { kind: 'android'; phase: string; fraction: number; detail?: string }
  /** The stored findings of device `index` (of `count` stale ones) are being computed. */
  | { kind: 'derived'; index: number; count: number }
  /** Step `index` (of `count`) of a case upgrade is about to run. */
  | { kind: 'upgrade'; step: UpgradeStep }
  /** The call's connection has begun reading: it sees the case as it was at this moment. */
  | { kind: 'snapshot' };

/** An error crossing the thread boundary: its code (the app's, or the file system's) kept. */
interface CarriedError {
  appCode: ErrorCode | null;
  fsCode: string | null;
  message: string;
  stack: string | null;
}

/** The request that starts a call in the worker. */
export interface CallRequest {
  type: 'call';
  /** The case file the worker opens (a pending case's private file while it is being built). */
  casePath: string;
  call: WorkerCall;
  /**
   * Two shared flags: [0] the caller's acknowledgement of the last step (in lockstep), [1] the
   * cancel, seen by the worker's polls between batches even while it runs without yielding.
   */
  flags: SharedArrayBuffer;
  /** Each step waits until the caller has handled it (so a test can act at a known step). */
  lockstep: boolean;
}

const ACK = 0;
const CANCEL = 1;

/** What the worker sends back while and after running a call. */
export type CallMessage =
  | { type: 'step'; step: WorkerStep }
  | { type: 'result'; value: WorkerCallResults[WorkerCall['fn']] }
  | { type: 'failed'; error: CarriedError };

function carry(e: unknown): CarriedError {
  const code = (e as { code?: unknown } | null)?.code;
  return {
    appCode: e instanceof AppError ? e.code : null,
    fsCode: !(e instanceof AppError) && typeof code === 'string' ? code : null,
    message: e instanceof Error ? e.message : String(e),
    stack: e instanceof Error ? (e.stack ?? null) : null,
  };
}

/** Why a refresh of the stored findings failed, in a sentence. */
function refreshProblem(e: unknown): string {
  if (e instanceof AppError) return e.message;
  return `The findings could not be computed because of an unexpected error (${e instanceof Error ? e.message : String(e)}).`;
}

function revive(c: CarriedError): Error {
  if (c.appCode) return new AppError(c.appCode, c.message);
  const e = new Error(c.message) as Error & { code?: string };
  if (c.fsCode) e.code = c.fsCode;
  if (c.stack) e.stack = c.stack;
  return e;
}

/**
 * Runs one call inside the worker on its own connection to the case, posting its progress and
 * then its result or its error. Never throws.
 */
export async function runCall(
  request: CallRequest,
  signal: AbortSignal,
  post: (m: CallMessage) => void,
): Promise<void> {
  const flags = new Int32Array(request.flags);
  const step = (s: WorkerStep): void => {
    post({ type: 'step', step: s });
    if (!request.lockstep) return;
    Atomics.wait(flags, ACK, 0);
    Atomics.store(flags, ACK, 0);
  };
  const isCancelled = (): boolean => signal.aborted || Atomics.load(flags, CANCEL) === 1;
  let session: CaseSession | null = null;
  try {
    if (request.call.fn === 'upgradeCase') {
      post({ type: 'result', value: upgradeCase(request.casePath, step, isCancelled) });
      return;
    }
    // A worker never upgrades a case on its own: the app upgrades it first, in a call of its own.
    // The events of a bundle are read while the bundle's thread holds the write lock: their
    // connection only reads.
    session = CaseSession.open(
      request.casePath,
      request.call.fn === 'writeEventsEntry' ? { readonly: true } : { upgrade: 'refuse' },
    );
    const open = session;
    const call = request.call;
    let value: WorkerCallResults[WorkerCall['fn']];
    switch (call.fn) {
      case 'importPath': {
        const wanted = call.device;
        value = await (
          await import('./import-pipeline')
        ).importPath(open.db, call.path, {
          device:
            typeof wanted === 'number'
              ? wanted
              : () => open.deviceByLabel(wanted.label)?.id ?? open.insertDevice(wanted),
          timeZone: call.timeZone,
          signal,
          isCancelled,
          onProgress: (progress) => step({ kind: 'pipeline', progress }),
        });
        break;
      }
      case 'importBackup':
        value = await (
          await import('./backup-import')
        ).importBackupDevice(open, call.path, {
          label: call.label,
          timeZone: call.timeZone,
          password: call.password,
          signal,
          onProgress: (fraction) => step({ kind: 'unlock', fraction }),
          onArtifact: (name, index, count) => step({ kind: 'artifact', name, index, count }),
        });
        break;
      case 'importAndroid':
        value = await (
          await import('./android-import')
        ).importAndroidInto(open.db, call.path, {
          label: call.label,
          deviceId: call.deviceId,
          timeZone: call.timeZone,
          signal,
          onProgress: (p) => step({ kind: 'android', ...p }),
        });
        break;
      case 'refreshDerived': {
        const failed = (await import('./refresh-derived')).refreshDerived(open.db, {
          isCancelled,
          onDevice: (index, count) => step({ kind: 'derived', index, count }),
        });
        if (failed && failed.error instanceof AppError && failed.error.code === 'CANCELLED')
          throw failed.error;
        value = failed
          ? { refreshed: false, problem: refreshProblem(failed.error) }
          : { refreshed: true };
        break;
      }
      case 'moveSource':
        value = open.moveSource(call.sourceId, call.deviceId);
        break;
      case 'removeSource':
        open.removeSource(call.sourceId);
        value = { removed: 1 };
        break;
      case 'queryFindings': {
        const { runFindings, storedFindingParams } = await import('../findings');
        value = runFindings(
          open.db,
          call.filter,
          call.params ?? storedFindingParams(open.db),
          call.rules,
          { evidenceLimit: call.evidenceLimit },
        );
        break;
      }
      case 'findingEvidence':
        value = (await import('./findings-service')).findingEvidencePage(open.db, call);
        break;
      case 'exportBundle':
        value = await (
          await import('./bundle-export')
        ).exportBundleFor(
          open,
          call,
          workerEventsHelper(
            request.casePath,
            call.workerHref ? new URL(call.workerHref) : undefined,
          ),
        );
        break;
      case 'writeEventsEntry': {
        open.beginSnapshot();
        try {
          step({ kind: 'snapshot' });
          value = await (
            await import('../bundle/events-entry')
          ).writeEventsEntry(open, call.request);
        } finally {
          open.db.exec('COMMIT');
        }
        break;
      }
      case 'exportSessionsCsv':
        value = (await import('./export-service')).exportSessionsCsv(open, {
          ...call.input,
          version: call.version,
        });
        break;
      default: {
        const never: never = call;
        throw new Error(`Unknown import call ${JSON.stringify(never)}`);
      }
    }
    post({ type: 'result', value });
  } catch (e) {
    post({ type: 'failed', error: carry(e) });
  } finally {
    session?.close();
  }
}

/**
 * Milliseconds each upgrade step waits after it is announced, before it runs: set only by tests
 * (SNOOPSCOPE_TEST_UPGRADE_STEP_MS), to hold a step long enough to act on it.
 */
function testUpgradeHoldMs(): number {
  const ms = Number(process.env.SNOOPSCOPE_TEST_UPGRADE_STEP_MS ?? 0);
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, 60_000) : 0;
}

/** Upgrades the case on a connection of its own, announcing each step; stopped between steps. */
function upgradeCase(
  casePath: string,
  step: (s: WorkerStep) => void,
  isCancelled: () => boolean,
): WorkerCallResults['upgradeCase'] {
  const hold = testUpgradeHoldMs();
  let steps = 0;
  const db = openCaseDatabase(casePath, {
    progress: {
      onStep: (s) => {
        steps = s.count;
        step({ kind: 'upgrade', step: s });
        if (hold > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, hold);
      },
      isCancelled,
    },
  });
  db.close();
  return { steps };
}

/**
 * The heap of the worker writing a bundle's events.csv: it makes and drops one row after another,
 * so a small young generation does, and an old generation of 160 MB rather than an import's: with
 * the larger bound its heap grew unneeded by about 130 MB in some exports, taking the 2.8M
 * export to 543-567 MB (440-445 MB with it); 96 MB made it collect so often that the 10M export
 * took twice as long. A worker that fails leaves events.csv to the export's thread.
 */
const EVENTS_HEAP: HeapBounds = { youngMb: 8, oldMb: 160 };

/**
 * Writes a bundle's events.csv in an import worker of its own (see `EventsHelper`): `held`
 * settles when the worker's connection has taken its snapshot, or with the call's failure.
 */
export function workerEventsHelper(casePath: string, workerUrl?: URL): EventsHelper {
  const client = new ImportWorkerClient(casePath, workerUrl, false, EVENTS_HEAP);
  return {
    start(request) {
      let taken: () => void = () => undefined;
      let failed: (e: unknown) => void = () => undefined;
      const held = new Promise<void>((resolve, reject) => {
        taken = resolve;
        failed = reject;
      });
      const done = client.run(
        { fn: 'writeEventsEntry', request },
        { onStep: (s) => s.kind === 'snapshot' && taken() },
      );
      done.then(taken, failed);
      return { held, done };
    },
    stop: () => client.close(),
  };
}

/**
 * Runs one call on the case at `casePath` in a worker of its own, stopped once the call has ended
 * (work that would hold the caller's thread, or that needs the worker's heap bound).
 */
export async function runInOwnWorker<F extends WorkerCall['fn']>(
  casePath: string,
  workerUrl: URL | undefined,
  call: Extract<WorkerCall, { fn: F }>,
): Promise<WorkerCallResults[F]> {
  const worker = new ImportWorkerClient(casePath, workerUrl);
  try {
    return await worker.run(call, {});
  } finally {
    await worker.close();
  }
}

/** What a worker call does, as its failures name it. */
function workOf(fn: WorkerCall['fn']): string {
  return fn === 'exportBundle' || fn === 'exportSessionsCsv' || fn === 'writeEventsEntry'
    ? 'export'
    : 'import';
}

interface Pending {
  /** What the call does, as its failures name it (`import`, `export`). */
  work: string;
  resolve: (value: unknown) => void;
  reject: (e: Error) => void;
  onStep: (s: WorkerStep) => void;
}

/**
 * The caller's side: one import worker, started on the first call and reused for the next ones,
 * each call run on its own and cancelled through its signal. A worker that runs out of memory or
 * dies fails the call it was running; the next call starts a new one.
 */
export class ImportWorkerClient {
  private worker: Worker | null = null;
  private pending: Pending | null = null;
  private readonly shared = new SharedArrayBuffer(8);
  private readonly flags = new Int32Array(this.shared);

  /**
   * @param casePath the case file the worker opens.
   * @param workerUrl the bundled worker, when running from a bundle; else the TypeScript source.
   * @param lockstep each step of the worker waits until `onStep` has run and a cancel it caused
   *   (a signal handled right after) is seen: for tests that interrupt an import at a known step.
   * @param heap the worker's heap bounds, when not an import's (see `spawnWorker`).
   */
  constructor(
    private readonly casePath: string,
    private readonly workerUrl?: URL,
    private readonly lockstep = false,
    private readonly heap: HeapBounds = {},
  ) {}

  /** Runs one call in the worker; rejects with the call's own error, revived with its code. */
  run<F extends WorkerCall['fn']>(
    call: Extract<WorkerCall, { fn: F }>,
    options: { signal?: AbortSignal; onStep?: (s: WorkerStep) => void } = {},
  ): Promise<WorkerCallResults[F]> {
    if (this.pending) {
      return Promise.reject(
        new AppError('CONFLICT', 'An import is already running in this command.'),
      );
    }
    if (options.signal?.aborted) {
      return Promise.reject(new AppError('CANCELLED', 'The import was cancelled.'));
    }
    const worker = this.ensureWorker();
    Atomics.store(this.flags, ACK, 0);
    Atomics.store(this.flags, CANCEL, 0);
    return new Promise<WorkerCallResults[F]>((resolve, reject) => {
      const onAbort = (): void => {
        Atomics.store(this.flags, CANCEL, 1);
        worker.postMessage({ type: 'cancel' });
      };
      const settle = (): void => {
        options.signal?.removeEventListener('abort', onAbort);
        this.pending = null;
        worker.unref();
      };
      this.pending = {
        work: workOf(call.fn),
        resolve: (v) => {
          settle();
          resolve(v as WorkerCallResults[F]);
        },
        reject: (e) => {
          settle();
          reject(e);
        },
        onStep: (s) => {
          options.onStep?.(s);
          if (this.lockstep) this.acknowledge();
        },
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      // Held while a call runs, so the process waits for its answer.
      worker.ref();
      const request: CallRequest = {
        type: 'call',
        casePath: this.casePath,
        call,
        flags: this.shared,
        lockstep: this.lockstep,
      };
      worker.postMessage(request);
    });
  }

  /** Stops the worker (a call still running is failed). */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.pending?.reject(new AppError('CANCELLED', 'The import was stopped.'));
    if (w) await w.terminate();
  }

  /**
   * Lets the worker go on after a step, once a signal that arrived while the step was handled
   * has been seen (its cancel flag is then set).
   */
  private acknowledge(): void {
    void afterPendingSignals().then(() => {
      Atomics.store(this.flags, ACK, 1);
      Atomics.notify(this.flags, ACK);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = spawnWorker(this.workerUrl, this.heap);
    // The command's own exit must not wait for an idle worker.
    worker.unref();
    worker.on('message', (m: CallMessage) => {
      const p = this.pending;
      if (!p) return;
      if (m.type === 'step') p.onStep(m.step);
      else if (m.type === 'result') p.resolve(m.value);
      else p.reject(revive(m.error));
    });
    const gone = (e: Error): void => {
      if (this.worker === worker) this.worker = null;
      this.pending?.reject(e);
    };
    worker.on('error', (e) => {
      const work = this.pending?.work ?? 'import';
      const heap = outOfHeap(e, work, this.heap.oldMb);
      gone(
        heap
          ? new AppError('IMPORT_REFUSED', `${heap}.`)
          : new Error(`the ${work} stopped unexpectedly (${e.message})`),
      );
    });
    worker.on('exit', (code) => {
      gone(new Error(`the ${this.pending?.work ?? 'import'} worker exited with code ${code}`));
    });
    this.worker = worker;
    return worker;
  }
}
