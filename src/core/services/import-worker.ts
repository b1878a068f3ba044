import { parentPort } from 'node:worker_threads';
import type { ImportOutcome } from '../../contract/records';
import { openCaseDatabase, type Db } from '../db/open';
import type { ImportCache } from '../importers/importer';
import { AppError } from '../model/errors';
import { CaseSession } from './case-service';
import type { WorkerRequest, WorkerMessage } from './import-protocol';
import { runCall } from './worker-call';

// Runs imports off the main thread with its own case connection.
const port = parentPort;
if (!port) throw new Error('import-worker must run in a worker thread');

let cancelled = false;
let controller = new AbortController();
const post = (m: WorkerMessage): void => port.postMessage(m);
const logError = (message: string, e: unknown): void =>
  post({
    type: 'log',
    message,
    stack: e instanceof Error ? (e.stack ?? e.message) : String(e),
  });

/** A cache seeded by the app whose new entries are sent back to it. */
function reportingCache(entries: [string, unknown][]): ImportCache {
  const m = new Map(entries);
  return {
    get: (k) => m.get(k),
    set: (k, v) => {
      m.set(k, v);
      post({ type: 'cache', key: k, value: v });
    },
  };
}

async function run(msg: Exclude<WorkerRequest, { type: 'cancel' | 'call' }>): Promise<void> {
  if (msg.type === 'start-backup') {
    // The app starts imports only on an up-to-date case; a worker never upgrades one itself.
    const session = CaseSession.open(msg.casePath, { upgrade: 'refuse' });
    try {
      const r = await (
        await import('./backup-import')
      ).runBackupImport(
        session,
        msg,
        reportingCache(msg.cached),
        controller.signal,
        (progress) => post({ type: 'progress', progress }),
        logError,
      );
      await afterImport(session.db, msg.importId, [msg.path], r.outcomes);
      post({ type: 'done', outcomes: r.outcomes, cancelled: r.cancelled });
    } finally {
      session.close();
    }
    return;
  }
  const db = openCaseDatabase(msg.casePath, { upgrade: 'refuse' });
  try {
    const result = await (
      await import('./import-batch')
    ).importBatch({
      db,
      importId: msg.importId,
      paths: msg.paths,
      deviceId: msg.deviceId,
      timeZone: msg.timeZone,
      isCancelled: () => cancelled,
      onProgress: (p) => post({ type: 'progress', progress: p }),
      onError: (path, e) => logError(`Import of ${path} failed`, e),
    });
    await afterImport(db, msg.importId, msg.paths, result.outcomes);
    post({ type: 'done', outcomes: result.outcomes, cancelled: result.cancelled });
  } finally {
    db.close();
  }
}

/**
 * Ends an import's progress: when it stored anything, first computes the findings and latest
 * network rows of the devices it changed, here on the worker's connection rather than in the
 * caller's thread (at tens of thousands of apps on one phone that is a long computation).
 */
async function afterImport(
  db: Db,
  importId: string,
  paths: string[],
  outcomes: ImportOutcome[],
): Promise<void> {
  const step = (phase: 'findings' | 'done'): void =>
    post({
      type: 'progress',
      progress: {
        importId,
        path: paths.at(-1) ?? '',
        fileIndex: Math.max(0, paths.length - 1),
        fileCount: Math.max(1, paths.length),
        phase,
        lines: 0,
        bytes: 0,
        totalBytes: 0,
        percent: 100,
        linesPerSecond: 0,
      },
    });
  if (outcomes.some((o) => o.status === 'imported')) {
    step('findings');
    const failed = (await import('./refresh-derived')).refreshDerived(db);
    if (failed) logError('Could not bring the stored findings up to date', failed.error);
  }
  step('done');
}

port.on('message', (msg: WorkerRequest) => {
  if (msg.type === 'cancel') {
    cancelled = true;
    controller.abort();
    return;
  }
  if (msg.type === 'call') {
    // Calls come one after another on one worker: each has its own cancel.
    cancelled = false;
    controller = new AbortController();
    void runCall(msg, controller.signal, (m) => port.postMessage(m));
    return;
  }
  run(msg).catch((e: unknown) =>
    post({
      type: 'error',
      code: e instanceof AppError ? e.code : 'INTERNAL',
      message: e instanceof Error ? e.message : String(e),
      stack: e instanceof Error && !(e instanceof AppError) ? (e.stack ?? null) : null,
    }),
  );
});
