import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setStoredFindingParams, staleFindingDevices } from '../findings';
import { AppError } from '../model/errors';
import { accessPair } from '../testing/apr-fixture';
import { CaseSession } from './case-service';
import { ImportWorkerClient, type WorkerStep } from './worker-call';

let dir: string;
let casePath: string;
let client: ImportWorkerClient | null = null;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'snoopscope-worker-call-'));
  casePath = join(dir, 'case.snoopcase');
  CaseSession.create(casePath).close();
});

afterEach(async () => {
  await client?.close();
  client = null;
  rmSync(dir, { recursive: true, force: true });
});

/** An App Privacy Report of `n` closed photo intervals, a minute apart. */
function report(name: string, n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    lines.push(
      ...accessPair({
        app: 'org.example.app',
        category: 'photos',
        id: `id-${i}`,
        ms: Date.UTC(2021, 9, 1) + i * 60_000,
        durationMs: 5_000,
        offsetMin: 120,
      }),
    );
  }
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

/** A stand-in import worker that runs `onMessage` on the first message it gets. */
function standIn(onMessage: string): URL {
  const source =
    "import { parentPort } from 'node:worker_threads';" +
    `parentPort.on('message', () => { ${onMessage} });`;
  return new URL(`data:text/javascript,${encodeURIComponent(source)}`);
}

function inCase<T>(read: (s: CaseSession) => T): T {
  const s = CaseSession.open(casePath, { readonly: true });
  try {
    return read(s);
  } finally {
    s.close();
  }
}

describe('ImportWorkerClient', () => {
  it('imports a file in the worker, creating the named device with the first stored file', async () => {
    client = new ImportWorkerClient(casePath);
    const steps: WorkerStep[] = [];
    const r = await client.run(
      {
        fn: 'importPath',
        path: report('a.ndjson', 3),
        device: { label: 'Phone', platform: 'ios' },
      },
      { onStep: (s) => steps.push(s) },
    );
    expect(r.outcomes.map((o) => o.status)).toEqual(['imported']);
    expect(r.outcomes[0]!.counts.sessions).toBe(3);
    expect(steps.some((s) => s.kind === 'pipeline' && s.progress.phase === 'reading')).toBe(true);
    const device = inCase((s) => s.deviceByLabel('Phone'));
    expect(device?.id).toBe(r.deviceId);
    // The same worker runs the next call; the label now names the device created above.
    const again = await client.run({
      fn: 'importPath',
      path: report('b.ndjson', 2),
      device: { label: 'Phone', platform: 'ios' },
    });
    expect(again.deviceId).toBe(device!.id);
    expect(inCase((s) => s.devices().length)).toBe(1);
    // Then the findings of the device the imports changed, in the same worker.
    expect(await client.run({ fn: 'refreshDerived' })).toEqual({ refreshed: true });
    expect(inCase((s) => staleFindingDevices(s.db))).toEqual([]);
  });

  it('leaves no device behind when the file is refused', async () => {
    client = new ImportWorkerClient(casePath);
    const path = join(dir, 'not-a-report.txt');
    writeFileSync(path, 'hello\n');
    const r = await client.run({
      fn: 'importPath',
      path,
      device: { label: 'Phone', platform: 'ios' },
    });
    expect(r.outcomes.map((o) => o.status)).toEqual(['refused']);
    expect(inCase((s) => s.devices())).toEqual([]);
  });

  it('brings an expected failure back with its code and message', async () => {
    client = new ImportWorkerClient(casePath);
    const error = await client
      .run({ fn: 'importBackup', path: join(dir, 'no-such-backup') })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).not.toBe('INTERNAL');
    expect((error as AppError).message).toContain('no-such-backup');
  });

  it('rolls the file back when cancelled at a step, in lockstep', async () => {
    client = new ImportWorkerClient(casePath, undefined, true);
    const controller = new AbortController();
    const r = await client.run(
      { fn: 'importPath', path: report('a.ndjson', 50), device: { label: 'P', platform: 'ios' } },
      {
        signal: controller.signal,
        onStep: (s) => {
          if (s.kind === 'pipeline' && s.progress.phase === 'pairing') controller.abort();
        },
      },
    );
    expect(r.outcomes.map((o) => o.status)).toEqual(['cancelled']);
    expect(inCase((s) => s.devices())).toEqual([]);
  });

  it('refuses a call whose signal is already aborted, without starting a worker', async () => {
    client = new ImportWorkerClient(casePath);
    const controller = new AbortController();
    controller.abort();
    await expect(
      client.run(
        { fn: 'importPath', path: report('a.ndjson', 1), device: 1 },
        { signal: controller.signal },
      ),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('fails the running call when the worker runs out of its heap', async () => {
    // A stand-in worker that answers nothing and allocates until the heap bound stops it.
    const hog = standIn('const keep = []; for (;;) keep.push(new Array(1e6).fill(1));');
    client = new ImportWorkerClient(casePath, hog);
    const error = await client
      .run({ fn: 'importPath', path: report('a.ndjson', 1), device: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).message).toBe(
      'The import needed more than the 384 MB of memory an import may use.',
    );
  }, 60_000);

  it('names an export and its own heap bound when an export worker runs out of it', async () => {
    const hog = standIn('const keep = []; for (;;) keep.push(new Array(1e6).fill(1));');
    client = new ImportWorkerClient(casePath, hog, false, { oldMb: 96 });
    const error = await client
      .run({
        fn: 'exportBundle',
        input: { filter: {}, path: join(dir, 'never.zip') },
        userDataDir: join(dir, 'user'),
        version: 'test',
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).message).toBe(
      'The export needed more than the 96 MB of memory an export may use.',
    );
    const quitter = standIn('process.exit(4);');
    const other = new ImportWorkerClient(casePath, quitter);
    try {
      await expect(
        other.run({
          fn: 'exportSessionsCsv',
          input: { filter: {}, path: join(dir, 'n.csv') },
          version: 'test',
        }),
      ).rejects.toThrow('the export worker exited with code 4');
    } finally {
      await other.close();
    }
  }, 60_000);

  it('fails the running call when the worker exits', async () => {
    const quitter = standIn('process.exit(3);');
    client = new ImportWorkerClient(casePath, quitter);
    await expect(
      client.run({ fn: 'importPath', path: report('a.ndjson', 1), device: 1 }),
    ).rejects.toThrow('the import worker exited with code 3');
    // The next call gets a new worker (which exits the same way), not a dead one.
    await expect(
      client.run({ fn: 'importPath', path: report('b.ndjson', 1), device: 1 }),
    ).rejects.toThrow('the import worker exited with code 3');
  });

  it('computes the stale findings device by device with progress, and stops between devices when cancelled', async () => {
    client = new ImportWorkerClient(casePath, undefined, true);
    for (const [i, label] of ['One', 'Two', 'Three'].entries())
      await client.run({
        fn: 'importPath',
        // Files of different lengths: the same bytes again would be refused as already stored.
        path: report(`${label}.ndjson`, 3 + i),
        device: { label, platform: 'ios' },
      });
    const all = inCase((s) => s.devices().map((d) => d.id)).sort((a, b) => a - b);
    // Every device's findings are made stale by a change of the parameters.
    const writer = CaseSession.open(casePath);
    setStoredFindingParams(writer.db, { 'night-access.from': '00:30' });
    writer.close();
    const controller = new AbortController();
    const steps: WorkerStep[] = [];
    const error = await client
      .run(
        { fn: 'refreshDerived' },
        {
          signal: controller.signal,
          onStep: (s) => {
            steps.push(s);
            if (s.kind === 'derived' && s.index === 1) controller.abort();
          },
        },
      )
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CANCELLED' });
    expect(steps).toEqual([
      { kind: 'derived', index: 0, count: 3 },
      { kind: 'derived', index: 1, count: 3 },
    ]);
    // The devices computed before the cancel was seen are kept; the last is left for the next
    // refresh.
    expect(inCase((s) => staleFindingDevices(s.db))).toEqual(all.slice(2));
    expect(await client.run({ fn: 'refreshDerived' })).toEqual({ refreshed: true });
    expect(inCase((s) => staleFindingDevices(s.db))).toEqual([]);
  });
});
