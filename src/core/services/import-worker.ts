import { parentPort } from 'node:worker_threads';
import { openCaseDatabase } from '../db/open';
import { AppError } from '../model/errors';
import { importBatch } from './import-batch';
import type { WorkerRequest, WorkerMessage } from './import-protocol';

// Runs imports off the main thread with its own case connection.
const port = parentPort;
if (!port) throw new Error('import-worker must run in a worker thread');

let cancelled = false;
const post = (m: WorkerMessage): void => port.postMessage(m);

port.on('message', (msg: WorkerRequest) => {
  if (msg.type === 'cancel') {
    cancelled = true;
    return;
  }
  void (async () => {
    let db;
    try {
      db = openCaseDatabase(msg.casePath);
      const result = await importBatch({
        db,
        importId: msg.importId,
        paths: msg.paths,
        deviceId: msg.deviceId,
        timeZone: msg.timeZone,
        isCancelled: () => cancelled,
        onProgress: (p) => post({ type: 'progress', progress: p }),
        onError: (path, e) =>
          post({
            type: 'log',
            message: `Import of ${path} failed`,
            stack: e instanceof Error ? (e.stack ?? e.message) : String(e),
          }),
      });
      post({ type: 'done', outcomes: result.outcomes, cancelled: result.cancelled });
    } catch (e) {
      post({
        type: 'error',
        code: e instanceof AppError ? e.code : 'INTERNAL',
        message: e instanceof Error ? e.message : String(e),
        stack: e instanceof Error && !(e instanceof AppError) ? (e.stack ?? null) : null,
      });
    } finally {
      db?.close();
    }
  })();
});
