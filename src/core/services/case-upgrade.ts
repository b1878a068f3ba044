import { basename } from 'node:path';
import type { BridgeEvents, CaseUpgradeStatus } from '../../contract/events';
import { openCaseDatabase, upgradePlan } from '../db/open';
import { AppError } from '../model/errors';
import type { ImportWorkerClient, WorkerStep } from './worker-call';

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

interface Running {
  client: ImportWorkerClient;
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
    private readonly makeClient: (casePath: string) => ImportWorkerClient,
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
      await run.client.run(
        { fn: 'upgradeCase' },
        {
          signal: run.controller.signal,
          onStep: (s: WorkerStep) => {
            if (s.kind !== 'upgrade' || run.cancelled) return;
            report({
              step: s.step.index,
              steps: s.step.count,
              stepName: s.step.name,
              phase: s.step.phase,
            });
          },
        },
      );
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
