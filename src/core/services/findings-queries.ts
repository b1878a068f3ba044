// Findings the stored findings cannot answer (a period, a minimum length, other parameters than
// the case's) are computed from the records: seconds at millions of sessions. The app computes
// them in a worker of their own, one request at a time (a newer request stops an older one), and
// keeps the last answers until the case changes. A request not yet answered is told so; an
// `onCaseChanged` follows its answer, and asking again then reads it.
import type { FindingParams } from '../../contract/findings';
import { AppError } from '../model/errors';
import type { EmitFn } from './import-service';
import type { WorkerCall, WorkerCallResults } from './worker-call';

/** The findings computations a worker runs for the app. */
export type FindingsCall = Extract<WorkerCall, { fn: 'queryFindings' | 'findingEvidence' }>;

/** The part of an import worker client these computations use (a fake in tests). */
export interface FindingsQueryClient {
  run<F extends FindingsCall['fn']>(
    call: Extract<FindingsCall, { fn: F }>,
    options: { signal?: AbortSignal },
  ): Promise<WorkerCallResults[F]>;
  close(): Promise<void>;
}

/** Where one request stands. */
export type FindingsQueryState<T> =
  { state: 'ready'; value: T } | { state: 'computing' } | { state: 'failed'; message: string };

interface Entry {
  key: string;
  generation: string;
  outcome: { value: unknown } | { message: string };
}

/** Answers kept (each request's filter, parameters and page): a view and its opened finding. */
const KEPT = 8;

/** Computes the app's findings requests that the stored findings cannot answer, in a worker. */
export class FindingsQueries {
  private kept: Entry[] = [];
  private running: { key: string; generation: string; client: FindingsQueryClient } | null = null;

  constructor(
    private readonly emit: EmitFn,
    private readonly log: (message: string, error?: unknown) => void,
    private readonly makeClient: (casePath: string) => FindingsQueryClient,
  ) {}

  /**
   * The answer to `call` on the case as it is now (`generation` names that state): ready when
   * computed, else `computing` (started now unless it already runs) or what failed.
   */
  answer<F extends FindingsCall['fn']>(
    casePath: string,
    generation: string,
    call: Extract<FindingsCall, { fn: F }>,
  ): FindingsQueryState<WorkerCallResults[F]> {
    const key = `${casePath}\n${JSON.stringify(call)}`;
    const entry = this.kept.find((e) => e.key === key && e.generation === generation);
    if (entry)
      return 'value' in entry.outcome
        ? { state: 'ready', value: entry.outcome.value as WorkerCallResults[F] }
        : { state: 'failed', message: entry.outcome.message };
    if (this.running?.key === key && this.running.generation === generation)
      return { state: 'computing' };
    this.start(casePath, key, generation, call);
    return { state: 'computing' };
  }

  /** Forgets the failed requests, so they are computed again when next asked. */
  forgetFailures(): void {
    this.kept = this.kept.filter((e) => 'value' in e.outcome);
  }

  /** Stops any computation and forgets every answer (the case is closed or another opened). */
  async stop(): Promise<void> {
    const r = this.running;
    this.running = null;
    this.kept = [];
    await r?.client.close();
  }

  private start(casePath: string, key: string, generation: string, call: FindingsCall): void {
    // A newer request makes the running one obsolete: its worker is stopped (it only reads).
    void this.running?.client.close();
    const client = this.makeClient(casePath);
    const running = { key, generation, client };
    this.running = running;
    const keep = (outcome: Entry['outcome']): void => {
      if (this.running !== running) return;
      this.running = null;
      void client.close();
      this.kept = [{ key, generation, outcome }, ...this.kept.filter((e) => e.key !== key)].slice(
        0,
        KEPT,
      );
      this.emit('onCaseChanged', { reason: 'findings-computed' });
    };
    client.run(call as Extract<FindingsCall, { fn: typeof call.fn }>, {}).then(
      (value) => keep({ value }),
      (e: unknown) => {
        if (this.running !== running) return;
        this.log('Could not compute the findings asked for', e);
        keep({ message: failure(e) });
      },
    );
  }
}

/** The parameters a findings call is computed with, for the sentence saying so. */
export function callParams(call: FindingsCall): FindingParams {
  return call.params ?? {};
}

function failure(e: unknown): string {
  const why = e instanceof Error ? e.message.replace(/[.\s]+$/, '') : String(e);
  return e instanceof AppError
    ? `The findings could not be computed: ${why}.`
    : `The findings could not be computed because the worker computing them stopped (${why}).`;
}
