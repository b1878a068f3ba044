import { describe, expect, it } from 'vitest';
import { createActivity, type Timers } from './activity';

function fakeTimers(): Timers & { run(): void; pending(): number } {
  const queue = new Map<number, () => void>();
  let next = 1;
  return {
    setTimeout(fn) {
      const id = next++;
      queue.set(id, fn);
      return id;
    },
    clearTimeout(handle) {
      queue.delete(handle as number);
    },
    run() {
      const fns = [...queue.values()];
      queue.clear();
      for (const fn of fns) fn();
    },
    pending: () => queue.size,
  };
}

describe('createActivity', () => {
  it('is idle until work begins', () => {
    const a = createActivity(10, fakeTimers());
    expect(a.busy()).toBe(false);
  });

  it('stays busy until every piece of work ended and the settle delay passed', () => {
    const timers = fakeTimers();
    const a = createActivity(10, timers);
    const endA = a.begin();
    const endB = a.begin();
    endA();
    expect(a.busy()).toBe(true);
    expect(timers.pending()).toBe(0);
    endB();
    expect(a.busy()).toBe(true);
    timers.run();
    expect(a.busy()).toBe(false);
  });

  it('does not report idle when new work starts during the settle delay', () => {
    const timers = fakeTimers();
    const a = createActivity(10, timers);
    a.begin()();
    const endNext = a.begin();
    timers.run();
    expect(a.busy()).toBe(true);
    endNext();
    timers.run();
    expect(a.busy()).toBe(false);
  });

  it('ignores a second end of the same work and notifies listeners on changes', () => {
    const timers = fakeTimers();
    const a = createActivity(10, timers);
    let calls = 0;
    a.subscribe(() => {
      calls += 1;
    });
    const end = a.begin();
    const other = a.begin();
    end();
    end();
    timers.run();
    expect(a.busy()).toBe(true);
    other();
    timers.run();
    expect(a.busy()).toBe(false);
    expect(calls).toBe(2);
  });
});
