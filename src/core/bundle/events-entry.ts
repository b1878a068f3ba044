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
}

/** A bundle's `events.csv`, deflated into a file of its own, and how many sessions it lists. */
export interface EventsEntry {
  prepared: PreparedEntry;
  rows: number;
}

/**
 * Writes the `events.csv` of a bundle, deflated, into `request.path`, from `session`'s connection
 * as its current read transaction sees the case (the caller's snapshot).
 */
export async function writeEventsEntry(
  session: CaseSession,
  request: EventsEntryRequest,
): Promise<EventsEntry> {
  const redactor = createRedactor(session.db, request.redact, { unmask: request.unmask });
  const counter = { rows: 0 };
  const prepared = await exportTimings().stage('events.csv (its own thread)', () =>
    deflateToFile(
      request.path,
      'events.csv',
      sessionCsvBytes(session, request.filter, DEFAULT_NIGHT, redactor.text, counter),
    ),
  );
  return { prepared, rows: counter.rows };
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
