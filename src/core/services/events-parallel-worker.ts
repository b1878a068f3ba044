// The worker of `events-parallel.ts`: opens the case read-only, takes its snapshot (while the
// command's thread holds writers off), says so, then claims slices until none is left and posts
// each slice's pieces and its end. It waits while too many of its pieces are not written out.
import { workerData } from 'node:worker_threads';
import { CaseSession } from './case-service';
import {
  CELL,
  sliceRange,
  type EventsWorkerData,
  type EventsWorkerMessage,
} from './events-parallel';
import { accessSliceWriter } from './access-events';

/** The worker connection's page cache, in KiB (as `cache_size` takes it). */
const WORKER_CACHE_KIB = -4096;

const data = workerData as EventsWorkerData;
const cells = new Int32Array(data.shared);
const port = data.port;
let sent = 0;
let chunks = 0;

function post(message: EventsWorkerMessage, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
  sent += 1;
  Atomics.store(cells, CELL.sent, sent);
  Atomics.notify(cells, CELL.sent);
}

const isCancelled = (): boolean => Atomics.load(cells, CELL.cancel) !== 0;

/** Waits until fewer than `maxChunks` of this worker's pieces are unwritten; false on a cancel. */
function waitForRoom(): boolean {
  for (;;) {
    if (isCancelled()) return false;
    const written = Atomics.load(cells, CELL.written);
    if (chunks - written < data.maxChunks) return true;
    Atomics.wait(cells, CELL.written, written, 100);
  }
}

function run(): void {
  let session: CaseSession;
  try {
    session = CaseSession.open(data.casePath, { readonly: true, upgrade: 'refuse' });
    // Its slices are read once in index order: a page is never read again, so a small page
    // cache does (the case's own would only add to the command's peak).
    session.db.pragma(`cache_size = ${WORKER_CACHE_KIB}`);
    session.beginSnapshot();
  } catch {
    Atomics.store(cells, CELL.ready, 2);
    Atomics.notify(cells, CELL.ready);
    return;
  }
  Atomics.store(cells, CELL.ready, 1);
  Atomics.notify(cells, CELL.ready);
  const writer = accessSliceWriter(session, data.filter, data.how, data.chunkBytes);
  try {
    while (Atomics.load(cells, CELL.go) === 0) {
      if (isCancelled()) return;
      Atomics.wait(cells, CELL.go, 0, 100);
    }
    const slices = data.bounds.length + 1;
    for (;;) {
      if (isCancelled()) return;
      const k = Atomics.add(cells, CELL.next, 1);
      if (k >= slices) break;
      if (data.pauseMs > 0) Atomics.wait(cells, CELL.cancel, 0, data.pauseMs);
      const [from, to] = sliceRange(data.bounds, k);
      for (const chunk of writer.slice(from, to)) {
        if (!waitForRoom()) return;
        // A piece of its own buffer (ByteText allocates one a piece) is handed over, not copied.
        const own = chunk.byteOffset === 0 && chunk.buffer.byteLength > Buffer.poolSize;
        const buf = own
          ? (chunk.buffer as ArrayBuffer)
          : chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.length);
        chunks += 1;
        Atomics.store(cells, CELL.chunks, chunks);
        post({ t: 'chunk', k, buf: buf as ArrayBuffer, len: chunk.length }, [buf as ArrayBuffer]);
      }
      post({ t: 'end', k });
    }
    post({ t: 'done' });
  } catch (e) {
    post({ t: 'error', message: e instanceof Error ? e.message : String(e) });
  } finally {
    writer.close();
    session.close();
    port.close();
  }
}

run();
