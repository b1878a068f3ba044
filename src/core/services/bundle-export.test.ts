import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyBundle } from '../bundle/verify-bundle';
import { createCoreApp } from '../create-core-app';
import { accessPair } from '../testing/apr-fixture';
import { zipEntries } from '../testing/zip-entries';
import { CaseSession } from './case-service';
import { importFile } from './import-run';
import { ImportWorkerClient } from './worker-call';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'snoopscope-bundle-export-'));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

async function caseWithSessions(): Promise<string> {
  const casePath = join(dir, 'c.snoopcase');
  const session = CaseSession.create(casePath);
  try {
    const device = session.createDevice({ label: 'Phone A', platform: 'ios' });
    const apr = join(dir, 'apr.ndjson');
    const at = Date.UTC(2024, 4, 1, 1);
    writeFileSync(
      apr,
      accessPair({
        app: 'com.example',
        category: 'photos',
        id: 'A',
        ms: at,
        durationMs: 5000,
      }).join('\n') + '\n',
    );
    await importFile({ db: session.db, path: apr, deviceId: device.id });
  } finally {
    session.close();
  }
  return casePath;
}

describe("the app's evidence bundle", () => {
  it('is written by a worker on its own connection, and verifies', async () => {
    const casePath = await caseWithSessions();
    const run = vi.spyOn(ImportWorkerClient.prototype, 'run');
    const core = createCoreApp({ userDataDir: join(dir, 'user'), host: 'cli', version: '1' });
    try {
      await core.handlers.openCase({ path: casePath });
      const out = join(dir, 'bundle.zip');
      const r = await core.handlers.exportBundle({ path: out, filter: {}, examiner: 'E. Xample' });
      expect(run.mock.calls.map(([call]) => call.fn)).toContain('exportBundle');
      expect(r.keyCreated?.fingerprint).toBe(r.fingerprint);
      expect(r.files.map((f) => f.name)).toContain('report.pdf');
      // events.csv was written by a second worker meanwhile: it is copied in after the others.
      expect([...(await zipEntries(out)).keys()].indexOf('events.csv')).toBeGreaterThan(
        [...(await zipEntries(out)).keys()].indexOf('findings.csv'),
      );
      expect(r.events).toBe(1);
      const check = await verifyBundle(out, r.fingerprint);
      expect(check).toMatchObject({ ok: true, problems: [] });
    } finally {
      await core.dispose();
    }
  });

  it('brings back a refusal as a sentence with its code, and writes nothing', async () => {
    const casePath = await caseWithSessions();
    const core = createCoreApp({ userDataDir: join(dir, 'user'), host: 'cli', version: '1' });
    try {
      await core.handlers.openCase({ path: casePath });
      const out = join(dir, 'taken.zip');
      writeFileSync(out, 'already here');
      await expect(core.handlers.exportBundle({ path: out, filter: {} })).rejects.toMatchObject({
        code: 'CONFLICT',
        message: `${out} exists; choose a new file name.`,
      });
    } finally {
      await core.dispose();
    }
  });
});

describe("the app's sessions CSV", () => {
  it('is written by a worker on its own connection, with its sidecar', async () => {
    const casePath = await caseWithSessions();
    const run = vi.spyOn(ImportWorkerClient.prototype, 'run');
    const core = createCoreApp({ userDataDir: join(dir, 'user'), host: 'cli', version: '1' });
    try {
      await core.handlers.openCase({ path: casePath });
      const out = join(dir, 'sessions.csv');
      const r = await core.handlers.exportSessionsCsv({ path: out, filter: {} });
      expect(run.mock.calls.map(([call]) => call.fn)).toContain('exportSessionsCsv');
      expect(r.rows).toBe(1);
      const text = readFileSync(out);
      expect(createHash('sha256').update(text).digest('hex')).toBe(r.sha256);
      expect(text.toString('utf8').split('\n')[1]).toContain('com.example');
      expect(JSON.parse(readFileSync(`${out}.json`, 'utf8'))).toMatchObject({
        rows: 1,
        sha256: r.sha256,
      });
    } finally {
      await core.dispose();
    }
  });
});
