import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInflateRaw } from 'node:zlib';
import { DEFAULT_NIGHT, type Filter } from '../../contract/filter';
import { holdWrites } from '../db/write-hold';
import { deflateToFile, type PreparedEntry } from '../formats/zip/writer';
import type { CaseSession } from '../services/case-service';
import { sessionCsvBytes } from './events-csv';
import { exportTimings } from './export-timings';
import { createRedactor, type RedactionChoice } from './redaction';

/** What a bundle's `events.csv` is written from, and where its deflated content goes. */
export interface EventsEntryRequest {
  filter: Filter;
  redact: RedactionChoice;
  unmask: boolean;
  /** A new file, removed by the bundle once copied. */
  path: string;
  /** Where the caller and the writer agree on a split of the file (see {@link EventsSplit}). */
  split?: { shared: SharedArrayBuffer; tailPath: string };
}

/**
 * A bundle's `events.csv`, deflated into a file of its own, and how many sessions it lists. With
 * a split, `prepared` is its head (its stream left open) and `sha256` that of the head and the
 * tail together, `lastAnchorMs` the instant of the head's last sessions.
 */
export interface EventsEntry {
  prepared: PreparedEntry;
  rows: number;
  sha256: string;
  /** Whether the caller asked for the tail, which then follows `prepared`. */
  split: boolean;
  lastAnchorMs: number | null;
}

// The shared cells of a split: the writer's claim (a count of the instants it has begun, or one
// of the two marks below), whether the tail is ready, the instant the writer is at, the split;
// then what the head came to once written (rows, last instant, sizes, CRC), and whether it is.
const CLAIM = 0;
const TAIL = 1;
const AT = 1;
const SPLIT_AT = 2;
const HEAD_ROWS = 3;
const HEAD_LAST = 4;
const HEAD_SIZE = 5;
const HEAD_COMPRESSED = 6;
const HEAD_CRC = 7;
const HEAD_WRITTEN_AT = 64;
const SHARED_BYTES = 72;
const STOP = -1;
const DONE = -2;
const TAIL_WRITING = 0;
const TAIL_READY = 1;
const TAIL_ABANDONED = 2;
const CLAIMS = 1 << 30;

/**
 * A split of `events.csv` between the thread writing it from the start (the head) and the
 * export's thread, which writes the sessions from an instant on (the tail) once its other files
 * are done, so that both cores work to the end. The two agree through shared memory: the head's
 * writer claims each instant before writing it; the split is set only while the claimed instant
 * is before it, so the head stops exactly at the split. The head's writer then hashes the tail
 * after its own content, so that the entry's sha256 is of the whole.
 */
export class EventsSplit {
  readonly shared: SharedArrayBuffer;
  private readonly ints: Int32Array;
  private readonly numbers: Float64Array;
  private readonly written: Int32Array;

  constructor(shared = new SharedArrayBuffer(SHARED_BYTES)) {
    this.shared = shared;
    this.ints = new Int32Array(shared, 0, 2);
    this.numbers = new Float64Array(shared, 0, 8);
    this.written = new Int32Array(shared, HEAD_WRITTEN_AT, 1);
  }

  /** For the head's writer: whether to stop before the instant `anchorMs` (asked in order). */
  headStop(): (anchorMs: number) => boolean {
    let claimed = 0;
    return (anchorMs) => {
      for (;;) {
        const claim = Atomics.load(this.ints, CLAIM);
        // Written before the split was set, so seen once the mark is.
        if (claim === STOP) return anchorMs >= this.numbers[SPLIT_AT]!;
        this.numbers[AT] = anchorMs;
        // Never 0 again: 0 says no instant was claimed yet.
        const next = claimed >= CLAIMS ? 1 : claimed + 1;
        if (Atomics.compareExchange(this.ints, CLAIM, claimed, next) === claimed) {
          claimed = next;
          return false;
        }
      }
    };
  }

  /** For the head's writer, at its end: whether a tail was asked for (else none will be). */
  headDone(): boolean {
    for (;;) {
      const claim = Atomics.load(this.ints, CLAIM);
      if (claim === STOP) return true;
      if (Atomics.compareExchange(this.ints, CLAIM, claim, DONE) === claim) return false;
    }
  }

  /**
   * For the export's thread: sets the split at the instant `choose` gives for where the head's
   * writer is (null: none), unless that writer has ended; returns the split, or null.
   */
  request(choose: (atMs: number) => number | null): number | null {
    for (let tries = 0; tries < 1000; tries += 1) {
      const claim = Atomics.load(this.ints, CLAIM);
      if (claim === DONE || claim === STOP) return null;
      // At or past the instant of the claim read (the writer writes it before claiming).
      const at = claim === 0 ? -Infinity : this.numbers[AT]!;
      const split = choose(at);
      if (split === null || !(split > at)) return null;
      this.numbers[SPLIT_AT] = split;
      if (Atomics.compareExchange(this.ints, CLAIM, claim, STOP) === claim) return split;
    }
    return null;
  }

  /** For the export's thread: the tail is written (or abandoned), so the head's writer goes on. */
  tailDone(ready: boolean): void {
    Atomics.store(this.ints, TAIL, ready ? TAIL_READY : TAIL_ABANDONED);
  }

  /**
   * For the head's writer, once its part is written and joined to a tail: what the part came to,
   * so that the export's thread can copy it while this writer hashes the tail.
   */
  headWritten(head: HeadPart): void {
    this.numbers[HEAD_ROWS] = head.rows;
    this.numbers[HEAD_LAST] = head.lastAnchorMs ?? NaN;
    this.numbers[HEAD_SIZE] = head.size;
    this.numbers[HEAD_COMPRESSED] = head.compressed;
    this.numbers[HEAD_CRC] = head.crc;
    // Stored after the values: seen once they are.
    Atomics.store(this.written, 0, 1);
  }

  /**
   * For the export's thread: what the head's part came to once its writer says it is written, or
   * null if `settled` (the writer's whole run) settles first.
   */
  async headPart(settled: Promise<unknown>): Promise<HeadPart | null> {
    let over = false;
    const end = (): void => {
      over = true;
    };
    settled.then(end, end);
    for (;;) {
      if (Atomics.load(this.written, 0) === 1) {
        const last = this.numbers[HEAD_LAST]!;
        return {
          rows: this.numbers[HEAD_ROWS]!,
          lastAnchorMs: Number.isNaN(last) ? null : last,
          size: this.numbers[HEAD_SIZE]!,
          compressed: this.numbers[HEAD_COMPRESSED]!,
          crc: this.numbers[HEAD_CRC]!,
        };
      }
      if (over) return null;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** For the head's writer: waits until the tail is written; false if it was abandoned. */
  async tailReady(): Promise<boolean> {
    for (;;) {
      const state = Atomics.load(this.ints, TAIL);
      if (state !== TAIL_WRITING) return state === TAIL_READY;
      // Looked at again shortly: the wait is the tail's writing, seconds at study scale.
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

/** What the head's part of a split came to, told to the export's thread before its hash. */
export interface HeadPart {
  rows: number;
  lastAnchorMs: number | null;
  size: number;
  compressed: number;
  crc: number;
}

/**
 * The sha256 of prepared parts' content, one after the other (each but the last ending without a
 * final block), inflated again from their files as the one stream they make together.
 */
export async function hashParts(paths: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  await hashPart(hash, paths);
  return hash.digest('hex');
}

/** Hashes prepared parts' content into `hash`: their content, inflated again from their files. */
async function hashPart(
  hash: ReturnType<typeof createHash>,
  paths: readonly string[],
): Promise<void> {
  // Written to and read from directly, in 64 KB pieces: through a pipe and an async iterator it
  // took 4.8 s for 1.4 GB of text, this way 2.9 s.
  const inflate = createInflateRaw({ chunkSize: 1 << 16 });
  const ended = new Promise<void>((resolve, reject) => {
    inflate.on('data', (chunk: Buffer) => hash.update(chunk));
    inflate.on('end', resolve);
    inflate.on('error', reject);
  });
  ended.catch(() => undefined);
  try {
    for (const path of paths)
      for await (const chunk of createReadStream(path, { highWaterMark: 1 << 16 })) {
        if (!inflate.write(chunk))
          await Promise.race([new Promise((r) => inflate.once('drain', r)), ended]);
      }
    inflate.end();
    await ended;
  } finally {
    inflate.destroy();
  }
}

/** The page cache of the connection writing events.csv, in KiB (as `cache_size` takes it). */
const EVENTS_CACHE_KIB = -4096;

/**
 * Writes the `events.csv` of a bundle, deflated, into `request.path`, from `session`'s connection
 * as its current read transaction sees the case (the caller's snapshot).
 */
export async function writeEventsEntry(
  session: CaseSession,
  request: EventsEntryRequest,
): Promise<EventsEntry> {
  // The sessions are streamed once in index order: a page is never read again, so a small page
  // cache does (the case's default 32 MB would only add to the export's peak).
  session.db.pragma(`cache_size = ${EVENTS_CACHE_KIB}`);
  const redactor = createRedactor(session.db, request.redact, { unmask: request.unmask });
  const counter = { rows: 0 };
  const split = request.split ? new EventsSplit(request.split.shared) : null;
  const stop = split?.headStop();
  let lastAnchorMs: number | null = null;
  const hash = createHash('sha256');
  const clock = exportTimings();
  const prepared = await clock.stage('events.csv (its own thread)', () =>
    deflateToFile(
      request.path,
      'events.csv',
      sessionCsvBytes(session, request.filter, DEFAULT_NIGHT, redactor.text, counter, undefined, {
        stop: stop
          ? (anchorMs) => {
              if (stop(anchorMs)) return true;
              lastAnchorMs = anchorMs;
              return false;
            }
          : undefined,
      }),
      // With a split asked for, the stream stays open for the tail to follow.
      { final: split === null, hash },
    ),
  );
  const joined = split?.headDone() ?? false;
  if (joined && split && request.split) {
    split.headWritten({
      rows: counter.rows,
      lastAnchorMs,
      size: prepared.size,
      compressed: prepared.compressed,
      crc: prepared.crc,
    });
    const tailPath = request.split.tailPath;
    if (await split.tailReady())
      await clock.stage('events.csv (its tail hashed)', () => hashPart(hash, [tailPath]));
  }
  return { prepared, rows: counter.rows, sha256: hash.digest('hex'), split: joined, lastAnchorMs };
}

/**
 * Writes `events.csv` on another thread with a connection of its own: `held` settles once that
 * connection has begun reading (its snapshot taken), `done` with the entry.
 */
export interface EventsHelper {
  start(request: EventsEntryRequest): { held: Promise<void>; done: Promise<EventsEntry> };
  /** Stops the helper (a write still running is abandoned). */
  stop(): Promise<void>;
}

/** How long the export waits for a writer at work before it writes every file itself. */
const HOLD_WAIT_MS = 2_000;

/**
 * Begins the export's read transaction on `session`; with a helper, also starts `events.csv` on
 * the helper's connection so that both read the same state of the case: no connection commits
 * between the two snapshots, since the case's write lock is held until both are taken. When
 * another program is writing, or the helper cannot start, the caller writes `events.csv` itself
 * (`events` is then null). Either way the caller ends the transaction.
 */
export async function beginSnapshot(
  session: CaseSession,
  helper: EventsHelper | undefined,
  request: EventsEntryRequest,
): Promise<{ events: Promise<EventsEntry> | null }> {
  const release = helper ? holdWrites(session.path, HOLD_WAIT_MS) : null;
  if (!helper || !release) {
    session.beginSnapshot();
    return { events: null };
  }
  try {
    const run = helper.start(request);
    // Settled here or by the caller: never an unhandled rejection meanwhile.
    run.done.catch(() => undefined);
    try {
      await run.held;
    } catch {
      await helper.stop();
      session.beginSnapshot();
      return { events: null };
    }
    session.beginSnapshot();
    return { events: run.done };
  } finally {
    release();
  }
}
