// Bridges a reader that pushes records (a callback per line) to a parse that yields batches: the
// reader is held back at its next pause while a full batch waits to be taken, so no more than
// about one batch is ever gathered.

/** Thrown inside the reader when the parse was left or cancelled: it unwinds and closes its files. */
export class PumpStopped extends Error {
  override readonly name = 'PumpStopped';
}

/**
 * Runs `read`, yielding what `take` returns each time at least `batchSize` items are waiting
 * (the reader calls `pause` between its line batches) and once more at the end. Leaving the loop
 * early (the pipeline does on a cancel or a refusal) stops the reader at its next pause.
 */
export async function* pump<T>(
  read: (pause: () => Promise<void>) => Promise<void>,
  size: () => number,
  take: () => T[],
  batchSize: number,
): AsyncGenerator<T[]> {
  // The reader's wake-up while it waits for a batch to be taken (in an object: set in closures).
  const held: { resume: (() => void) | null } = { resume: null };
  let notify: (() => void) | null = null;
  let finished = false;
  let stopped = false;
  let failure: { error: unknown } | null = null;
  const wake = (): void => {
    const n = notify;
    notify = null;
    n?.();
  };
  const pause = async (): Promise<void> => {
    if (stopped) throw new PumpStopped('The parse was stopped.');
    if (size() < batchSize) return;
    await new Promise<void>((r) => {
      held.resume = r;
      wake();
    });
    if (stopped) throw new PumpStopped('The parse was stopped.');
  };
  const running = read(pause).then(
    () => {
      finished = true;
      wake();
    },
    (error: unknown) => {
      failure = { error };
      finished = true;
      wake();
    },
  );
  try {
    for (;;) {
      if (!finished && held.resume === null) await new Promise<void>((r) => (notify = r));
      const batch = take();
      if (batch.length > 0) yield batch;
      if (failure !== null) throw (failure as { error: unknown }).error;
      if (finished) return;
      const r = held.resume;
      held.resume = null;
      r?.();
    }
  } finally {
    if (!finished) {
      stopped = true;
      const r = held.resume;
      held.resume = null;
      r?.();
      // The reader unwinds (closing its files) before the parse is left.
      await running;
    }
  }
}
