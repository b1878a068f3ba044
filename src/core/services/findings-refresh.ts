// The app's stored findings are computed in the import worker, never on the main thread: after a
// parameter change, a source move or removal, or an import whose own refresh failed. One refresh
// runs at a time; a request while one runs cancels it (between devices or ranges of apps) and
// starts again, so the latest data and parameters win.
import type { FindingsStatus } from '../../contract/events';
import type { FindingParams } from '../../contract/findings';
import { AppError } from '../model/errors';
import type { EmitFn } from './import-service';
import type { WorkerCallResults, WorkerStep } from './worker-call';

/** The part of an import worker client a refresh uses (a fake in tests). */
export interface RefreshClient {
  run(
    call: { fn: 'refreshDerived' },
    options: { signal?: AbortSignal; onStep?: (s: WorkerStep) => void },
  ): Promise<WorkerCallResults['refreshDerived']>;
  close(): Promise<void>;
}

/** Runs the stored findings' refreshes of the open case in a worker, and says where they stand. */
export class FindingsRefreshService {
  private client: { casePath: string; worker: RefreshClient } | null = null;
  private running: Promise<void> | null = null;
  private controller: AbortController | null = null;
  private again = false;
  private casePath = '';
  private reason = '';
  private current: FindingsStatus = READY({});
  /** The state of the case (see `generation`) when the last refresh ended up to date. */
  private settled: string | null = null;

  /**
   * @param generation names the state of the open case (it changes with every write, a worker's
   *   included), so a refresh that left stale findings on an unchanged case is not run again.
   */
  constructor(
    private readonly emit: EmitFn,
    private readonly log: (message: string, error?: unknown) => void,
    private readonly makeClient: (casePath: string) => RefreshClient,
    private readonly generation: () => string = () => '',
  ) {}

  /** Whether a refresh is running or about to run. */
  get busy(): boolean {
    return this.running !== null;
  }

  /** Where the stored findings stand. */
  status(): FindingsStatus {
    return { ...this.current, params: { ...this.current.params } };
  }

  /**
   * Brings the stored findings (and latest network rows) of the case up to date in the worker;
   * `onCaseChanged` with `reason` follows when they are. A refresh already running is cancelled
   * and run again.
   */
  request(casePath: string, params: FindingParams, reason: string): void {
    this.casePath = casePath;
    this.reason = reason;
    this.set({ state: 'computing', params, done: 0, total: 0, message: null });
    if (this.running) {
      this.again = true;
      this.controller?.abort();
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  }

  /**
   * Brings stale stored findings a query met up to date, unless a refresh runs or failed (the
   * examiner then asks again). When the last refresh ended on this very state of the case and
   * they are still stale, running it again would change nothing: that is said as a failure,
   * rather than answered by refreshes without end.
   */
  ensure(casePath: string, params: FindingParams): void {
    if (this.running || this.current.state === 'failed') return;
    if (this.settled !== null && this.settled === this.generation()) {
      this.log('The stored findings were still stale after a refresh of an unchanged case');
      this.set(
        FAILED(
          params,
          'The findings were computed but are still out of date for this case; compute them again, and if this repeats, see the log.',
        ),
      );
      return;
    }
    this.request(casePath, params, 'findings-computed');
  }

  /** Stops any refresh and its worker (the case is closed or another one opened). */
  async stop(): Promise<void> {
    this.again = false;
    this.controller?.abort();
    this.current = READY({});
    this.settled = null;
    const c = this.client;
    this.client = null;
    await c?.worker.close();
    await this.running;
  }

  private set(next: FindingsStatus): void {
    this.current = next;
    this.emit('onFindingsStatus', this.status());
  }

  private worker(): RefreshClient {
    if (this.client?.casePath !== this.casePath) {
      void this.client?.worker.close();
      this.client = { casePath: this.casePath, worker: this.makeClient(this.casePath) };
    }
    return this.client.worker;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      const controller = new AbortController();
      this.controller = controller;
      const params = this.current.params;
      let outcome: FindingsStatus;
      try {
        const r = await this.worker().run(
          { fn: 'refreshDerived' },
          {
            signal: controller.signal,
            onStep: (s) => {
              if (
                s.kind === 'derived' &&
                !controller.signal.aborted &&
                this.current.state === 'computing'
              )
                this.set({ ...this.current, done: s.index, total: s.count });
            },
          },
        );
        outcome = r.refreshed
          ? READY(params)
          : FAILED(params, r.problem ?? 'The findings could not be brought up to date.');
      } catch (e) {
        if (controller.signal.aborted) continue;
        this.log('Could not bring the stored findings up to date', e);
        outcome = FAILED(params, failure(e));
      }
      if (this.again || controller.signal.aborted) continue;
      this.settled = outcome.state === 'ready' ? this.generation() : null;
      this.set(outcome);
      this.emit('onCaseChanged', {
        reason: outcome.state === 'ready' ? this.reason : 'findings-failed',
      });
    } while (this.again);
    this.controller = null;
  }
}

function READY(params: FindingParams): FindingsStatus {
  return { state: 'ready', params, done: 0, total: 0, message: null };
}

function FAILED(params: FindingParams, message: string): FindingsStatus {
  return { state: 'failed', params, done: 0, total: 0, message };
}

/** A worker's failure to compute the findings, in a sentence. */
function failure(e: unknown): string {
  const why = e instanceof Error ? e.message.replace(/[.\s]+$/, '') : String(e);
  return e instanceof AppError
    ? `The findings could not be computed: ${why}.`
    : `The findings could not be computed because the worker computing them stopped (${why}).`;
}
