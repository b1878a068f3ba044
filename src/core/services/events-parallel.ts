// The access events of a large case written by two threads: the rows, in the order `events`
// writes them, are cut into slices of anchor instants (a range of instants, so a tie is never
// split), and each thread claims the next slice not yet claimed and writes its lines. The
// command's thread writes every slice to the output in order: its own as it makes them, the
// worker's as they arrive; while the slice next in order is the worker's and not yet there, it
// makes its own next slice ahead, within a bound. Both read one snapshot of the case.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  MessageChannel,
  receiveMessageOnPort,
  Worker,
  type MessagePort,
} from 'node:worker_threads';
import type { Filter } from '../../contract/filter';
import { holdWrites } from '../db/write-hold';
import { AppError } from '../model/errors';
import type { CaseSession } from './case-service';
import { accessSliceWriter, type AccessLineFormat, type AccessSliceWriter } from './access-events';

/** The shared cells of a run (an Int32Array over a SharedArrayBuffer), by index. */
export const CELL = {
  /** The next slice no thread has claimed yet. */
  next: 0,
  /** Messages the worker has posted. */
  sent: 1,
  /** Chunks the worker has posted. */
  chunks: 2,
  /** The worker's chunks the command's thread has written out. */
  written: 3,
  /** 1: the worker is to stop. */
  cancel: 4,
  /** 1: the worker's snapshot is taken; 2: the worker could not begin. */
  ready: 5,
  /** 1: the command's thread has begun writing, so the worker begins claiming slices. */
  go: 6,
} as const;
const CELLS = 7;

/** What the worker is given (`workerData`). */
export interface EventsWorkerData {
  casePath: string;
  filter: Filter;
  how: AccessLineFormat;
  bounds: number[];
  shared: SharedArrayBuffer;
  port: MessagePort;
  chunkBytes: number;
  maxChunks: number;
  /** A pause before each slice (tests: a slow worker, so the command's thread works ahead). */
  pauseMs: number;
}

/** What the worker posts on its port. */
export type EventsWorkerMessage =
  | { t: 'chunk'; k: number; buf: ArrayBuffer; len: number }
  | { t: 'end'; k: number }
  | { t: 'done' }
  | { t: 'error'; message: string };

/** The anchor range of slice `k` of the slices cut at `bounds` (null: unbounded). */
export function sliceRange(bounds: readonly number[], k: number): [number | null, number | null] {
  return [k === 0 ? null : bounds[k - 1]!, k === bounds.length ? null : bounds[k]!];
}

/** Tuning of a run; tests lower the sizes to cut tiny cases into many slices. */
export interface ParallelEventsOptions {
  /** Rows a slice holds, about (from the rollup's week counts). */
  sliceRows?: number;
  /** Fewer rows than this, by the rollup's count: one thread (a worker's start does not pay). */
  minRows?: number;
  /** The slices' bounds, instead of those the rollup gives (tests). */
  bounds?: number[];
  /** Bytes of a piece of output made on the command's thread. */
  chunkBytes?: number;
  /** Bytes of a piece of output made by the worker (one message each). */
  workerChunkBytes?: number;
  /** Pieces the worker may have sent that are not written out yet. */
  maxChunks?: number;
  /** Bytes the command's thread may hold of its own slices made ahead. */
  aheadBytes?: number;
  /** How long to wait for a writer at work before writing on one thread. */
  holdWaitMs?: number;
  /** The worker's module (tests: a worker that fails); else the bundled or source worker. */
  workerUrl?: URL;
  /** Called once the command's snapshot is taken, before the worker's is (tests). */
  onSnapshot?: () => void;
  /** A pause of the worker before each slice (tests). */
  workerPauseMs?: number;
  /** Called with the worker once started (tests: to see that it ends). */
  onWorker?: (worker: Worker) => void;
}

const SLICE_ROWS = 10_000;
const MIN_ROWS = 200_000;
const CHUNK_BYTES = 64 * 1024;
const WORKER_CHUNK_BYTES = 256 * 1024;
const MAX_CHUNKS = 96;
const AHEAD_BYTES = 48 * 1024 * 1024;
const HOLD_WAIT_MS = 2_000;
/** How long the worker may take to open the case and take its snapshot. */
const READY_WAIT_MS = 30_000;
const WEEK_MS = 7 * 86_400_000;

/** `Atomics.waitAsync` (Node 16 on; not in the TypeScript library this project targets). */
const waitAsync = (cells: Int32Array, index: number, value: number, ms: number): Promise<unknown> =>
  Promise.resolve(
    (
      Atomics as unknown as {
        waitAsync: (
          a: Int32Array,
          i: number,
          v: number,
          t: number,
        ) => { value: Promise<string> | string };
      }
    ).waitAsync(cells, index, value, ms).value,
  );

/**
 * The slice bounds of the access sessions a filter selects, and their count, estimated from the
 * rollup's week counts (of the filter's devices and categories; other filter terms are not
 * counted): a week is cut in equal spans of time, one per `sliceRows` sessions it holds. Weeks
 * are device-local; read as UTC they are off by the devices' offsets, which only moves the bounds.
 */
export function planSlices(
  session: CaseSession,
  filter: Filter,
  sliceRows: number,
): { bounds: number[]; rows: number } {
  const terms: string[] = ['level = 7'];
  const params: (string | number)[] = [];
  if (filter.devices && filter.devices.length > 0) {
    terms.push(`device_id IN (${filter.devices.map(() => '?').join(', ')})`);
    params.push(...filter.devices);
  }
  if (filter.categories && filter.categories.length > 0) {
    terms.push(`category IN (${filter.categories.map(() => '?').join(', ')})`);
    params.push(...filter.categories);
  }
  const weeks = session.db
    .prepare(
      `SELECT bucket, SUM(sessions) FROM session_rollup WHERE ${terms.join(' AND ')}
       GROUP BY bucket ORDER BY bucket`,
    )
    .raw()
    .all(...params) as [number, number][];
  const bounds: number[] = [];
  let rows = 0;
  let held = 0;
  for (const [bucket, count] of weeks) {
    rows += count;
    held += count;
    if (held < sliceRows) continue;
    const parts = Math.floor(held / sliceRows);
    const start = bucket * WEEK_MS;
    for (let i = 1; i <= parts; i += 1) {
      const at = start + Math.floor((WEEK_MS * i) / parts);
      if (bounds.length === 0 || at > bounds[bounds.length - 1]!) bounds.push(at);
    }
    held = 0;
  }
  // The last bound is the end of a week with sessions: a slice after it would be empty.
  if (bounds.length > 0 && held === 0) bounds.pop();
  return { bounds, rows };
}

/** The worker's module: bundled beside the bundled CLI, else the TypeScript source. */
function defaultWorker(): { url: URL; execArgv?: string[] } {
  const bundled = new URL('./events-worker.js', import.meta.url);
  if (bundled.protocol === 'file:' && existsSync(fileURLToPath(bundled))) return { url: bundled };
  return {
    url: new URL('./events-parallel-worker.ts', import.meta.url),
    execArgv: [...process.execArgv, '--import', 'tsx'],
  };
}

/** Writes the access events to a sink, one piece at a time, and is closed once done or failed. */
export interface AccessEventsRun {
  /** Whether a worker writes part of the events. */
  readonly threads: 1 | 2;
  write(sink: (bytes: Buffer) => Promise<void>, signal?: AbortSignal): Promise<void>;
  /** Stops the worker (if any) and waits until it has ended. */
  close(): Promise<void>;
}

/**
 * Begins the read transaction of `session` (the caller commits it) and, when the case is large
 * enough, starts a worker reading the same state of the case: the case's write lock is held from
 * before the command's snapshot until the worker's is taken, so no commit lands between them.
 * When the lock is not to be had (a writer at work, a read-only file) or the worker does not
 * start, the command's thread writes every slice itself.
 */
export async function beginAccessEvents(
  session: CaseSession,
  filter: Filter,
  how: AccessLineFormat | null,
  options: ParallelEventsOptions = {},
): Promise<AccessEventsRun | null> {
  const chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
  const plan = how
    ? options.bounds
      ? { bounds: options.bounds, rows: Infinity }
      : planSlices(session, filter, options.sliceRows ?? SLICE_ROWS)
    : null;
  const parallel =
    how !== null &&
    plan !== null &&
    plan.bounds.length > 0 &&
    plan.rows >= (options.minRows ?? MIN_ROWS);
  const release = parallel ? holdWrites(session.path, options.holdWaitMs ?? HOLD_WAIT_MS) : null;
  if (!how) {
    session.beginSnapshot();
    return null;
  }
  if (!release || !plan) {
    session.beginSnapshot();
    return oneThread(session, filter, how, chunkBytes);
  }
  let worker: Worker | null = null;
  try {
    session.beginSnapshot();
    options.onSnapshot?.();
    const shared = new SharedArrayBuffer(CELLS * 4);
    const cells = new Int32Array(shared);
    const channel = new MessageChannel();
    const data: EventsWorkerData = {
      casePath: session.path,
      filter,
      how,
      bounds: plan.bounds,
      shared,
      port: channel.port2,
      chunkBytes: options.workerChunkBytes ?? WORKER_CHUNK_BYTES,
      maxChunks: options.maxChunks ?? MAX_CHUNKS,
      pauseMs: options.workerPauseMs ?? 0,
    };
    const module = options.workerUrl ? { url: options.workerUrl } : defaultWorker();
    const started = new Worker(module.url, {
      workerData: data,
      transferList: [channel.port2],
      ...(module.execArgv ? { execArgv: module.execArgv } : {}),
      // It makes and drops one row after another: a small young generation does.
      resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 8 },
      stdout: true,
      stderr: true,
    });
    worker = started;
    options.onWorker?.(started);
    const ended = { gone: false };
    const wake = (): void => {
      ended.gone = true;
      Atomics.notify(cells, CELL.ready);
      Atomics.notify(cells, CELL.sent);
    };
    // An error is read from the worker's messages or its exit; nothing is left unhandled.
    started.on('error', wake);
    started.on('exit', wake);
    const deadline = Date.now() + READY_WAIT_MS;
    while (Atomics.load(cells, CELL.ready) === 0 && !ended.gone && Date.now() < deadline)
      await waitAsync(cells, CELL.ready, 0, 100);
    if (Atomics.load(cells, CELL.ready) !== 1) {
      worker = null;
      Atomics.store(cells, CELL.cancel, 1);
      await started.terminate();
      channel.port1.close();
      return oneThread(session, filter, how, chunkBytes);
    }
    return new TwoThreads(session, filter, how, chunkBytes, options, plan.bounds, {
      worker: started,
      cells,
      port: channel.port1,
      ended,
    });
  } catch (e) {
    if (worker) await worker.terminate();
    throw e;
  } finally {
    release();
  }
}

function cancelled(): AppError {
  return new AppError('CANCELLED', 'The events were cancelled.');
}

/** Every slice on the command's thread (a small case, or no worker). */
function oneThread(
  session: CaseSession,
  filter: Filter,
  how: AccessLineFormat,
  chunkBytes: number,
): AccessEventsRun {
  return {
    threads: 1,
    async write(sink, signal) {
      const writer = accessSliceWriter(session, filter, how, chunkBytes);
      try {
        for (const chunk of writer.slice(null, null)) {
          if (signal?.aborted) throw cancelled();
          await sink(chunk);
        }
      } finally {
        writer.close();
      }
    },
    close: () => Promise.resolve(),
  };
}

/** A slice of the command's thread: its pieces made ahead, and its rows still to read. */
interface OwnSlice {
  chunks: Buffer[];
  rest: Generator<Buffer, void, undefined> | null;
}

/** A slice of the worker: its pieces as they arrive, and whether it has ended. */
interface TheirSlice {
  chunks: Buffer[];
  ended: boolean;
}

interface WorkerLink {
  worker: Worker;
  cells: Int32Array;
  port: MessagePort;
  ended: { gone: boolean };
}

class TwoThreads implements AccessEventsRun {
  readonly threads = 2 as const;
  private readonly own = new Map<number, OwnSlice>();
  private readonly theirs = new Map<number, TheirSlice>();
  private aheadBytes = 0;
  private seen = 0;
  private closed: Promise<void> | null = null;

  constructor(
    private readonly session: CaseSession,
    private readonly filter: Filter,
    private readonly how: AccessLineFormat,
    private readonly chunkBytes: number,
    private readonly options: ParallelEventsOptions,
    private readonly bounds: number[],
    private readonly link: WorkerLink,
  ) {}

  /** Takes every message the worker has posted so far. */
  private receive(): void {
    for (;;) {
      const got = receiveMessageOnPort(this.link.port);
      if (!got) return;
      const m = got.message as EventsWorkerMessage;
      if (m.t === 'error') throw new Error(m.message);
      if (m.t === 'done') continue;
      let slice = this.theirs.get(m.k);
      if (!slice) {
        slice = { chunks: [], ended: false };
        this.theirs.set(m.k, slice);
      }
      if (m.t === 'end') slice.ended = true;
      else slice.chunks.push(Buffer.from(m.buf, 0, m.len));
    }
  }

  /** Waits until the worker posts again (or ends, or the run is cancelled). */
  private async waitForWorker(signal: AbortSignal | undefined): Promise<void> {
    const cells = this.link.cells;
    const sent = Atomics.load(cells, CELL.sent);
    if (sent !== this.seen) {
      this.seen = sent;
      return;
    }
    if (this.link.ended.gone) {
      this.receive();
      throw new Error('the second thread writing the events ended unexpectedly');
    }
    if (signal?.aborted) throw cancelled();
    await waitAsync(cells, CELL.sent, sent, 250);
    this.seen = Atomics.load(cells, CELL.sent);
  }

  async write(sink: (bytes: Buffer) => Promise<void>, signal?: AbortSignal): Promise<void> {
    const { cells } = this.link;
    // The worker waits for this, so that the two claim slices from the first one on together.
    Atomics.store(cells, CELL.go, 1);
    Atomics.notify(cells, CELL.go);
    const slices = this.bounds.length + 1;
    const aheadLimit = this.options.aheadBytes ?? AHEAD_BYTES;
    const writer: AccessSliceWriter = accessSliceWriter(
      this.session,
      this.filter,
      this.how,
      this.chunkBytes,
    );
    // The one slice of this thread whose rows are being read: slices are claimed in ascending
    // order, and the writer sweeps device states forward, so one is read at a time.
    let reading: OwnSlice | null = null;
    const claim = (k: number): OwnSlice => {
      const [from, to] = sliceRange(this.bounds, k);
      const slice: OwnSlice = { chunks: [], rest: writer.slice(from, to) };
      this.own.set(k, slice);
      reading = slice;
      return slice;
    };
    try {
      for (let k = 0; k < slices;) {
        if (signal?.aborted) throw cancelled();
        this.receive();
        const mine = this.own.get(k);
        if (mine) {
          for (const chunk of mine.chunks) {
            this.aheadBytes -= chunk.length;
            await sink(chunk);
          }
          mine.chunks = [];
          if (mine.rest) {
            for (const chunk of mine.rest) {
              if (signal?.aborted) throw cancelled();
              await sink(chunk);
            }
            mine.rest = null;
            reading = null;
          }
          this.own.delete(k);
          k += 1;
          continue;
        }
        const theirs = this.theirs.get(k);
        if (theirs) {
          while (theirs.chunks.length > 0) {
            await sink(theirs.chunks.shift()!);
            Atomics.add(cells, CELL.written, 1);
            Atomics.notify(cells, CELL.written);
          }
          if (theirs.ended) {
            this.theirs.delete(k);
            k += 1;
            continue;
          }
        } else if (Atomics.load(cells, CELL.next) <= k) {
          // Nobody has claimed it: this thread writes it now (or the worker just did).
          if (Atomics.compareExchange(cells, CELL.next, k, k + 1) === k) claim(k);
          continue;
        }
        // The worker's slice, not all there yet: make this thread's next slice meanwhile.
        const current = reading as OwnSlice | null;
        if (this.aheadBytes < aheadLimit && (current || Atomics.load(cells, CELL.next) < slices)) {
          let slice = current;
          if (!slice) {
            const next = Atomics.add(cells, CELL.next, 1);
            if (next < slices) slice = claim(next);
          }
          if (slice?.rest) {
            const step = slice.rest.next();
            if (step.done) {
              slice.rest = null;
              reading = null;
            } else {
              slice.chunks.push(step.value);
              this.aheadBytes += step.value.length;
            }
            continue;
          }
        }
        await this.waitForWorker(signal);
      }
    } finally {
      for (const slice of this.own.values()) slice.rest?.return();
      writer.close();
    }
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      const { cells, worker, port } = this.link;
      Atomics.store(cells, CELL.cancel, 1);
      Atomics.notify(cells, CELL.written);
      await worker.terminate();
      port.close();
    })();
    return this.closed;
  }
}
