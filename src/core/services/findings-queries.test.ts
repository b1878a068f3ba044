import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../contract/bridge';
import type { Finding } from '../../contract/findings';
import { AppError } from '../model/errors';
import { FindingsQueries, type FindingsCall, type FindingsQueryClient } from './findings-queries';

/** Stand-in workers: each call waits until the test ends it; a closed worker's call is dropped. */
function fakeWorkers() {
  const calls: { call: FindingsCall; end: (v: unknown) => void; closed: () => boolean }[] = [];
  const make = (): FindingsQueryClient => {
    let closed = false;
    return {
      run: ((call: FindingsCall) =>
        new Promise<unknown>((resolve, reject) => {
          calls.push({
            call,
            end: (v) => (v instanceof Error ? reject(v) : resolve(v)),
            closed: () => closed,
          });
        })) as FindingsQueryClient['run'],
      close: () => {
        closed = true;
        return Promise.resolve();
      },
    };
  };
  return { calls, make };
}

function setup() {
  const events: EventEnvelope[] = [];
  const workers = fakeWorkers();
  const q = new FindingsQueries(
    (event, payload) => events.push({ event, payload }),
    () => undefined,
    workers.make,
  );
  return { q, events, workers };
}

const month = (from: string): FindingsCall => ({
  fn: 'queryFindings',
  filter: { from, to: '2024-12-31' },
  params: {},
  evidenceLimit: 0,
});
const found = [{ id: 'f:night-access:1' }] as unknown as Finding[];
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('FindingsQueries', () => {
  it('computes a request in a worker once, says so meanwhile, then answers it until the case changes', async () => {
    const t = setup();
    expect(t.q.answer('/c', 'g1', month('2024-03-01'))).toEqual({ state: 'computing' });
    // Asked again while it runs: no second computation.
    expect(t.q.answer('/c', 'g1', month('2024-03-01'))).toEqual({ state: 'computing' });
    expect(t.workers.calls).toHaveLength(1);
    t.workers.calls[0]!.end(found);
    await settle();
    expect(t.events).toEqual([
      { event: 'onCaseChanged', payload: { reason: 'findings-computed' } },
    ]);
    expect(t.q.answer('/c', 'g1', month('2024-03-01'))).toEqual({ state: 'ready', value: found });
    expect(t.workers.calls).toHaveLength(1);
    // Once the case changed, the answer is computed again.
    expect(t.q.answer('/c', 'g2', month('2024-03-01'))).toEqual({ state: 'computing' });
    expect(t.workers.calls).toHaveLength(2);
  });

  it('a newer request stops the running one, whose answer is never kept', async () => {
    const t = setup();
    t.q.answer('/c', 'g1', month('2024-03-01'));
    t.q.answer('/c', 'g1', month('2024-04-01'));
    expect(t.workers.calls[0]!.closed()).toBe(true);
    t.workers.calls[0]!.end(found);
    await settle();
    expect(t.events).toEqual([]);
    expect(t.q.answer('/c', 'g1', month('2024-03-01'))).toEqual({ state: 'computing' });
  });

  it('says what failed, in a sentence, until asked to forget it', async () => {
    const t = setup();
    t.q.answer('/c', 'g1', month('2024-03-01'));
    t.workers.calls[0]!.end(new AppError('IMPORT_REFUSED', 'The import needed more memory.'));
    await settle();
    expect(t.q.answer('/c', 'g1', month('2024-03-01'))).toEqual({
      state: 'failed',
      message: 'The findings could not be computed: The import needed more memory.',
    });
    t.q.forgetFailures();
    expect(t.q.answer('/c', 'g1', month('2024-03-01'))).toEqual({ state: 'computing' });
    t.workers.calls[1]!.end(new Error('the import worker exited with code 1'));
    await settle();
    expect(t.q.answer('/c', 'g1', month('2024-03-01'))).toMatchObject({
      state: 'failed',
      message:
        'The findings could not be computed because the worker computing them stopped (the import worker exited with code 1).',
    });
  });

  it('forgets every answer and stops its worker when the case is closed', async () => {
    const t = setup();
    t.q.answer('/c', 'g1', month('2024-03-01'));
    t.workers.calls[0]!.end(found);
    await settle();
    t.q.answer('/c', 'g1', month('2024-05-01'));
    await t.q.stop();
    expect(t.workers.calls[1]!.closed()).toBe(true);
    expect(t.q.answer('/c', 'g1', month('2024-03-01'))).toEqual({ state: 'computing' });
  });
});
