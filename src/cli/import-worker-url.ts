import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AndroidImportResult } from '../core/services/android-import';
import type { CaseSession } from '../core/services/case-service';
import { ImportWorkerClient } from '../core/services/worker-call';

/**
 * The import worker for the command line: the bundled `import-worker.js` beside the bundled CLI,
 * or, when the CLI runs from its TypeScript source, the worker's source.
 */
export function cliWorkerUrl(): URL | undefined {
  const bundled = new URL('./import-worker.js', import.meta.url);
  return bundled.protocol === 'file:' && existsSync(fileURLToPath(bundled)) ? bundled : undefined;
}

/** An import worker client on the file a session's connection has open. */
export function importWorkerFor(
  session: { db: { name: string } },
  ctx: { lockstepImports?: boolean },
): ImportWorkerClient {
  return new ImportWorkerClient(session.db.name, cliWorkerUrl(), ctx.lockstepImports === true);
}

/** What an Android import in a worker is given, as `importAndroid` in-process. */
interface AndroidWorkerOptions {
  label?: string;
  timeZone?: string;
  signal?: AbortSignal;
  onProgress?: (p: { phase: string; fraction: number; detail?: string }) => void;
}

/** Imports an Android capture in a running import worker, as `importAndroid` does in-process. */
export async function importAndroidWith(
  worker: ImportWorkerClient,
  session: CaseSession,
  path: string,
  options: AndroidWorkerOptions,
): Promise<AndroidImportResult> {
  const r = await worker.run(
    { fn: 'importAndroid', path, label: options.label, timeZone: options.timeZone },
    {
      signal: options.signal,
      onStep: (s) => {
        if (s.kind === 'android') options.onProgress?.(s);
      },
    },
  );
  return { ...r, device: session.device(r.deviceId) };
}

/** Imports an Android capture in an import worker of its own. */
export async function importAndroidInWorker(
  session: CaseSession,
  ctx: { lockstepImports?: boolean },
  path: string,
  options: AndroidWorkerOptions,
): Promise<AndroidImportResult> {
  const worker = importWorkerFor(session, ctx);
  try {
    return await importAndroidWith(worker, session, path, options);
  } finally {
    await worker.close();
  }
}
