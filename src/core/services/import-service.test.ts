import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { IMPORT_HEAP_MB, watchWorker } from './import-service';

describe('watchWorker', () => {
  it('says that an import ran out of its memory when the worker does', async () => {
    // A worker that keeps every array it makes, with a small heap bound.
    const worker = new Worker(
      'const keep = []; for (;;) keep.push(new Array(1e5).fill(keep.length));',
      {
        eval: true,
        resourceLimits: { maxOldGenerationSizeMb: 16 },
      },
    );
    const message = await new Promise<string>((resolve) => {
      watchWorker(worker, {
        emit: () => {},
        log: () => {},
        finish: () => {},
        refuseAll: (m) => {
          resolve(m);
          return [];
        },
        lost: 'nothing of the unfinished file was kept',
      });
    });
    expect(message).toBe(
      `The import needed more than the ${IMPORT_HEAP_MB} MB of memory an import may use; nothing of the unfinished file was kept.`,
    );
  }, 30_000);
});
