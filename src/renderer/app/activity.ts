/**
 * Counts work in flight (bridge calls, running imports, pending debounced queries) so the app
 * can expose one `data-app-state`. Idle is reported only after the count has stayed at zero
 * for `settleMs`, so a response that immediately triggers the next query does not flash "ready".
 */
export interface Activity {
  /** Marks the start of some work; call the returned function once when it ends. */
  begin(): () => void;
  busy(): boolean;
  subscribe(listener: () => void): () => void;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Creates an activity counter with a settle delay before reporting idle. */
export function createActivity(settleMs = 60, timers: Timers = realTimers): Activity {
  let count = 0;
  let busy = false;
  let settle: unknown = null;
  const listeners = new Set<() => void>();

  const emit = (next: boolean): void => {
    if (busy === next) return;
    busy = next;
    for (const l of listeners) l();
  };

  const cancelSettle = (): void => {
    if (settle !== null) {
      timers.clearTimeout(settle);
      settle = null;
    }
  };

  return {
    begin() {
      count += 1;
      cancelSettle();
      emit(true);
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        count -= 1;
        if (count > 0) return;
        cancelSettle();
        settle = timers.setTimeout(() => {
          settle = null;
          if (count === 0) emit(false);
        }, settleMs);
      };
    },
    busy: () => busy,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
