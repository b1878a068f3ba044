import { basename } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { BridgeEvents, CaseUpgradeStatus } from '../../contract/events';
import { ERROR_CODES, type ErrorCode } from '../../contract/result';
import { openCaseDatabase, upgradePlan, type UpgradeStep } from '../db/open';
import { AppError } from '../model/errors';
import { spawnWorker } from './import-service';
import type { CallMessage, CallRequest, WorkerCallResults } from './worker-call';

type Emit = <E extends keyof BridgeEvents>(event: E, payload: BridgeEvents[E]) => void;

/** What opening a case needs first: the steps of its upgrade (0: none) and its name. */
export interface UpgradeNeed {
  steps: number;
  caseName: string;
}

/**
 * Reads, on a read-only connection, whether the case at `path` needs an upgrade before it can be
 * opened: rows of `schema_migrations` and `derived_pending`, nothing else. A case written by a
 * newer version is refused (CASE_INVALID), as opening it would be.
 */
export function upgradeNeed(path: string): UpgradeNeed {
  const db = openCaseDatabase(path, { readonly: true });
  try {
    const plan = upgradePlan(db);
    let name: string | null = null;
    if (plan.steps > 0) {
      try {
        name =
          (
            db.prepare("SELECT value FROM case_meta WHERE key = 'name'").get() as
              { value: string } | undefined
          )?.value ?? null;
      } catch {
        // A case old enough to have no case_meta is named after its file.
      }
    }
    return { steps: plan.steps, caseName: name ?? basename(path).replace(/\.snoopcase$/i, '') };
  } finally {
    db.close();
  }
}

/**
 * The old-generation heap of the worker that upgrades a case, in MB. Larger than an import's:
 * the rebuild of the session statistics holds every session's duration of the case at once. As
 * much as the app's main thread, where upgrades ran before, may use (V8's default bound here).
 */
export const UPGRADE_HEAP_MB = 4096;

/** What `CaseUpgradeService` needs of the worker that runs an upgrade. */
export interface UpgradeWorker {
  /** Runs the upgrade, telling each step; rejects with the worker's error (code kept). */
  run(onStep: (step: UpgradeStep) => void, signal: AbortSignal): Promise<{ steps: number }>;
  /** Stops the worker (an upgrade under way is failed with CANCELLED; its transaction rolls back). */
  close(): Promise<void>;
}

const knownCode = (code: string | null): ErrorCode | null =>
  ERROR_CODES.find((c) => c === code) ?? null;

/**
 * The import worker's entry, run as a worker of its own for one `upgradeCase` call, with a heap
 * bound of `UPGRADE_HEAP_MB`: the same protocol as `ImportWorkerClient`, its cancel flag shared.
 */
export class UpgradeWorkerClient implements UpgradeWorker {
  private worker: Worker | null = null;
  private fail: ((e: Error) => void) | null = null;

  /** @param workerUrl the bundled worker, when running from a bundle; else the TypeScript source. */
  constructor(
    private readonly casePath: string,
    private readonly workerUrl?: URL,
  ) {}

  run(onStep: (step: UpgradeStep) => void, signal: AbortSignal): Promise<{ steps: number }> {
    const worker = spawnWorker(this.workerUrl, { oldMb: UPGRADE_HEAP_MB });
    this.worker = worker;
    const flags = new Int32Array(new SharedArrayBuffer(8));
    return new Promise<{ steps: number }>((resolve, reject) => {
      let settled = false;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        this.fail = null;
        signal.removeEventListener('abort', onAbort);
        return true;
      };
      const failWith = (e: Error): void => {
        if (settle()) reject(e);
      };
      this.fail = failWith;
      const onAbort = (): void => {
        // Seen by the worker before its next step.
        Atomics.store(flags, 1, 1);
        worker.postMessage({ type: 'cancel' });
      };
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) onAbort();
      worker.on('message', (m: CallMessage) => {
        if (m.type === 'step') {
          if (m.step.kind === 'upgrade') onStep(m.step.step);
        } else if (m.type === 'result') {
          if (settle()) resolve(m.value as WorkerCallResults['upgradeCase']);
        } else {
          const code = knownCode(m.error.appCode);
          failWith(code ? new AppError(code, m.error.message) : new Error(m.error.message));
        }
      });
      worker.on('error', (e: Error & { code?: string }) =>
        failWith(
          new Error(
            e.code === 'ERR_WORKER_OUT_OF_MEMORY'
              ? `it needed more than the ${UPGRADE_HEAP_MB} MB of memory an upgrade may use`
              : e.message,
          ),
        ),
      );
      worker.on('exit', (code) => failWith(new Error(`its worker exited with code ${code}`)));
      const request: CallRequest = {
        type: 'call',
        casePath: this.casePath,
        call: { fn: 'upgradeCase' },
        flags: flags.buffer as SharedArrayBuffer,
        lockstep: false,
      };
      worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.fail?.(new AppError('CANCELLED', 'The upgrade was stopped.'));
    if (w) await w.terminate();
  }
}

interface Running {
  client: UpgradeWorker;
  controller: AbortController;
  status: CaseUpgradeStatus;
  cancelled: boolean;
  /** The worker's end, once it is being stopped. */
  closing: Promise<void> | null;
}

/**
 * The upgrade of a case being opened by the app, run in a worker of its own so the app's main
 * thread stays free: one at a time, its steps reported as `onCaseUpgrade`, cancellable between
 * steps (a rebuild of the summaries under way is rolled back: its worker is stopped).
 */
export class CaseUpgradeService {
  private running: Running | null = null;
  private last: CaseUpgradeStatus | null = null;

  constructor(
    private readonly emit: Emit,
    private readonly makeClient: (casePath: string) => UpgradeWorker,
    private readonly now: () => number = Date.now,
  ) {}

  /** True while an upgrade runs. */
  get busy(): boolean {
    return this.running !== null;
  }

  /** The upgrade under way, or the last one, or null. */
  status(): CaseUpgradeStatus | null {
    return this.running?.status ?? this.last;
  }

  /**
   * Upgrades the case at `path` (which `upgradeNeed` found needing `need.steps` steps). Resolves
   * once every step is done; rejects with CANCELLED when stopped, MIGRATION_FAILED naming the
   * step when one failed.
   */
  async run(path: string, need: UpgradeNeed): Promise<void> {
    if (this.running)
      throw new AppError('CONFLICT', 'A case is already being upgraded; wait for it or cancel it.');
    const started = this.now();
    const status: CaseUpgradeStatus = {
      path,
      caseName: need.caseName,
      state: 'running',
      step: 1,
      steps: need.steps,
      stepName: '',
      phase: 'migrations',
      elapsedMs: 0,
      message: null,
    };
    const run: Running = {
      client: this.makeClient(path),
      controller: new AbortController(),
      status,
      cancelled: false,
      closing: null,
    };
    this.running = run;
    const report = (patch: Partial<CaseUpgradeStatus>): void => {
      run.status = { ...run.status, ...patch, elapsedMs: this.now() - started };
      this.emit('onCaseUpgrade', run.status);
    };
    try {
      await run.client.run((s) => {
        if (run.cancelled) return;
        report({ step: s.index, steps: s.count, stepName: s.name, phase: s.phase });
      }, run.controller.signal);
      // Asked to stop as the last step ended: no case is opened, as asked.
      if (run.cancelled) throw new AppError('CANCELLED', 'The upgrade was stopped.');
      report({ state: 'done' });
    } catch (e) {
      if (run.cancelled || (e instanceof AppError && e.code === 'CANCELLED')) {
        const message = `The upgrade of ${need.caseName} was stopped; the steps completed so far are kept, and it continues the next time the case is opened.`;
        report({ state: 'cancelled', message });
        throw new AppError('CANCELLED', message);
      }
      const s = run.status;
      const which = s.stepName
        ? `step ${s.step} of ${s.steps} (${s.stepName})`
        : `step ${s.step} of ${s.steps}`;
      const reason =
        e instanceof AppError && e.code === 'MIGRATION_FAILED'
          ? e.message
          : `It stopped unexpectedly (${e instanceof Error ? e.message : String(e)}); the case file was not changed by that step.`;
      const message = `Upgrading ${need.caseName} failed at ${which}. ${reason}`;
      report({ state: 'failed', message });
      throw new AppError('MIGRATION_FAILED', message);
    } finally {
      // Busy until the worker has ended: a rebuild it was running is rolled back by then, so the
      // next open does not wait for its lock.
      await (run.closing ?? run.client.close());
      this.last = run.status;
      this.running = null;
    }
  }

  /**
   * Stops the upgrade under way: before its next step, or at once while the summaries are
   * rebuilt (that transaction is rolled back). False when none runs.
   */
  cancel(): boolean {
    const run = this.running;
    if (!run || run.cancelled) return false;
    run.cancelled = true;
    run.controller.abort();
    // A rebuild is one long transaction: its worker is stopped, and SQLite rolls it back.
    if (run.status.phase === 'rebuilding') run.closing = run.client.close();
    return true;
  }

  /** Stops any upgrade (the app is closing). */
  async stop(): Promise<void> {
    const run = this.running;
    if (!run) return;
    run.cancelled = true;
    run.controller.abort();
    run.closing ??= run.client.close();
    await run.closing;
  }
}
