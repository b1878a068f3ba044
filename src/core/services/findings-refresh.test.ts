import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../contract/bridge';
import type { FindingsStatus } from '../../contract/events';
import { AppError } from '../model/errors';
import { FindingsRefreshService, type RefreshClient } from './findings-refresh';
import type { WorkerCallResults, WorkerStep } from './worker-call';

type Answer = WorkerCallResults['refreshDerived'];

/** A stand-in worker whose refreshes end when the test says, or when cancelled. */
function fakeWorker() {
  const runs: {
    signal: AbortSignal | undefined;
    step: (s: WorkerStep) => void;
    end: (a: Answer | Error) => void;
  }[] = [];
  let made = 0;
  let closed = 0;
  const make = (): RefreshClient => {
    made += 1;
    return {
      run: (_call, options) =>
        new Promise<Answer>((resolve, reject) => {
          const end = (a: Answer | Error): void => (a instanceof Error ? reject(a) : resolve(a));
          options.signal?.addEventListener('abort', () =>
            reject(new AppError('CANCELLED', 'The import was cancelled.')),
          );
          runs.push({ signal: options.signal, step: (s) => options.onStep?.(s), end });
        }),
      close: () => {
        closed += 1;
        return Promise.resolve();
      },
    };
  };
  return {
    runs,
    make,
    made: () => made,
    closed: () => closed,
  };
}

function service(generation: () => string = () => '') {
  const events: EventEnvelope[] = [];
  const logged: string[] = [];
  const worker = fakeWorker();
  const s = new FindingsRefreshService(
    (event, payload) => events.push({ event, payload }),
    (m) => logged.push(m),
    worker.make,
    generation,
  );
  const statuses = (): FindingsStatus[] =>
    events.filter((e) => e.event === 'onFindingsStatus').map((e) => e.payload as FindingsStatus);
  const changes = (): string[] =>
    events
      .filter((e) => e.event === 'onCaseChanged')
      .map((e) => (e.payload as { reason: string }).reason);
  return { s, events, logged, worker, statuses, changes };
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('FindingsRefreshService', () => {
  it('computes in the worker with progress, then says they are ready and that the case changed', async () => {
    const t = service();
    t.s.request('/c.snoopcase', { 'night-access.from': '23:00' }, 'finding-parameters');
    expect(t.s.busy).toBe(true);
    expect(t.s.status()).toMatchObject({
      state: 'computing',
      params: { 'night-access.from': '23:00' },
    });
    await settle();
    t.worker.runs[0]!.step({ kind: 'derived', index: 1, count: 3 });
    expect(t.s.status()).toMatchObject({ state: 'computing', done: 1, total: 3 });
    t.worker.runs[0]!.end({ refreshed: true });
    await settle();
    expect(t.s.busy).toBe(false);
    expect(t.s.status()).toMatchObject({ state: 'ready', message: null });
    expect(t.statuses().map((s) => s.state)).toEqual(['computing', 'computing', 'ready']);
    expect(t.changes()).toEqual(['finding-parameters']);
  });

  it('cancels a running refresh when the parameters change again, and only the latest one ends', async () => {
    const t = service();
    t.s.request('/c.snoopcase', { 'frequent-access.perDay': 10 }, 'finding-parameters');
    await settle();
    const first = t.worker.runs[0]!;
    t.s.request('/c.snoopcase', { 'frequent-access.perDay': 20 }, 'finding-parameters');
    t.s.request('/c.snoopcase', { 'frequent-access.perDay': 30 }, 'finding-parameters');
    expect(first.signal?.aborted).toBe(true);
    await settle();
    await settle();
    // The cancelled run's end is not reported; one new run takes the latest parameters.
    expect(t.worker.runs).toHaveLength(2);
    expect(t.changes()).toEqual([]);
    expect(t.s.status()).toMatchObject({
      state: 'computing',
      params: { 'frequent-access.perDay': 30 },
    });
    t.worker.runs[1]!.end({ refreshed: true });
    await settle();
    expect(t.changes()).toEqual(['finding-parameters']);
    expect(t.s.status()).toMatchObject({
      state: 'ready',
      params: { 'frequent-access.perDay': 30 },
    });
    // One worker served both runs.
    expect(t.worker.made()).toBe(1);
  });

  it('discards a run that finished after a newer request came', async () => {
    const t = service();
    t.s.request('/c.snoopcase', {}, 'source-moved');
    await settle();
    const first = t.worker.runs[0]!;
    t.s.request('/c.snoopcase', {}, 'source-removed');
    // The first run had already answered before it saw the cancel.
    first.end({ refreshed: true });
    await settle();
    await settle();
    expect(t.changes()).toEqual([]);
    expect(t.worker.runs).toHaveLength(2);
    t.worker.runs[1]!.end({ refreshed: true });
    await settle();
    expect(t.changes()).toEqual(['source-removed']);
  });

  it('says what failed when the worker could not bring them up to date, and tries again when asked', async () => {
    const t = service();
    t.s.request('/c.snoopcase', {}, 'finding-parameters');
    await settle();
    t.worker.runs[0]!.end({
      refreshed: false,
      problem: 'The case is busy: another program is writing it.',
    });
    await settle();
    expect(t.s.status()).toMatchObject({
      state: 'failed',
      message: 'The case is busy: another program is writing it.',
    });
    expect(t.changes()).toEqual(['findings-failed']);
    t.s.request('/c.snoopcase', {}, 'findings-computed');
    await settle();
    expect(t.worker.runs).toHaveLength(2);
    t.worker.runs[1]!.end({ refreshed: true });
    await settle();
    expect(t.s.status().state).toBe('ready');
    expect(t.changes()).toEqual(['findings-failed', 'findings-computed']);
  });

  it('turns a worker that stopped into a sentence, without a stack', async () => {
    const t = service();
    t.s.request('/c.snoopcase', {}, 'finding-parameters');
    await settle();
    t.worker.runs[0]!.end(new Error('the import worker exited with code 1'));
    await settle();
    const s = t.s.status();
    expect(s.state).toBe('failed');
    expect(s.message).toBe(
      'The findings could not be computed because the worker computing them stopped (the import worker exited with code 1).',
    );
    expect(t.logged).toEqual(['Could not bring the stored findings up to date']);
    t.s.request('/c.snoopcase', {}, 'finding-parameters');
    await settle();
    t.worker.runs[1]!.end(new AppError('IMPORT_REFUSED', 'The import needed more memory.'));
    await settle();
    expect(t.s.status().message).toBe(
      'The findings could not be computed: The import needed more memory.',
    );
  });

  it('stops the run and its worker when the case is closed, without reporting it', async () => {
    const t = service();
    t.s.request('/a.snoopcase', {}, 'finding-parameters');
    await settle();
    await t.s.stop();
    expect(t.worker.runs[0]!.signal?.aborted).toBe(true);
    expect(t.worker.closed()).toBe(1);
    expect(t.s.busy).toBe(false);
    expect(t.changes()).toEqual([]);
    // Another case gets a worker of its own.
    t.s.request('/b.snoopcase', {}, 'finding-parameters');
    await settle();
    expect(t.worker.made()).toBe(2);
  });

  it('a request right after a stop that is still settling is reported as computing, with its own parameters', async () => {
    const t = service();
    void t.s.stop();
    t.s.request('/b.snoopcase', { 'night-access.from': '00:30' }, 'findings-computed');
    await settle();
    t.worker.runs[0]!.step({ kind: 'derived', index: 0, count: 1 });
    expect(t.s.status()).toMatchObject({
      state: 'computing',
      params: { 'night-access.from': '00:30' },
      total: 1,
    });
    t.worker.runs[0]!.end({ refreshed: true });
    await settle();
    expect(t.statuses().map((s) => s.state)).toEqual(['computing', 'computing', 'ready']);
  });

  it('a query meeting stale findings starts a refresh unless one runs or failed', async () => {
    const t = service();
    t.s.ensure('/c.snoopcase', {});
    expect(t.s.busy).toBe(true);
    t.s.ensure('/c.snoopcase', {});
    await settle();
    expect(t.worker.runs).toHaveLength(1);
    t.worker.runs[0]!.end({ refreshed: false, problem: 'The case is busy.' });
    await settle();
    t.s.ensure('/c.snoopcase', {});
    await settle();
    expect(t.worker.runs).toHaveLength(1);
    expect(t.s.status()).toMatchObject({ state: 'failed', message: 'The case is busy.' });
  });

  it('does not run again a refresh that left stale findings on an unchanged case, and says so', async () => {
    let generation = 'g1';
    const t = service(() => generation);
    t.s.ensure('/c.snoopcase', {});
    await settle();
    generation = 'g2';
    t.worker.runs[0]!.end({ refreshed: true });
    await settle();
    expect(t.s.status().state).toBe('ready');
    // Still stale on the very state the refresh ended on: no refreshes without end.
    t.s.ensure('/c.snoopcase', {});
    await settle();
    expect(t.worker.runs).toHaveLength(1);
    expect(t.s.status()).toMatchObject({
      state: 'failed',
      message:
        'The findings were computed but are still out of date for this case; compute them again, and if this repeats, see the log.',
    });
    // Asked again explicitly, or once the case changed, it runs.
    t.s.request('/c.snoopcase', {}, 'findings-computed');
    await settle();
    expect(t.worker.runs).toHaveLength(2);
    t.worker.runs[1]!.end({ refreshed: true });
    await settle();
    generation = 'g3';
    t.s.ensure('/c.snoopcase', {});
    await settle();
    expect(t.worker.runs).toHaveLength(3);
  });
});
