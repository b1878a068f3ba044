import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../contract/bridge';
import type { CaseUpgradeStatus, ImportFinished } from '../../contract/events';
import type { CoreApp } from '../app';
import { createCoreApp } from '../create-core-app';
import { MIGRATIONS } from '../db/migrations';
import { accessPair, generateExportLines } from '../testing/apr-fixture';
import { writeOldCase } from './old-case-fixture';
import { ImportService } from './import-service';
import { ImportWorkerClient } from './worker-call';
import { AppError } from '../model/errors';

// The name a case keeps is the one it was created with (`fresh`, `fresh2`), whatever its file.
// A case written at schema 26 (the migrations since and a rebuild of the timeline summary pending)
// and one at 28 are opened through the app's core: the upgrade runs in a worker, step by step.

const T0 = Date.UTC(2025, 2, 1, 8);
const LATEST = MIGRATIONS.at(-1)!.version;
// The steps of an upgrade from a schema: every migration since, then one rebuild of what they ask.
const after = (version: number) => MIGRATIONS.filter((m) => m.version > version);
const stepsFrom = (version: number): number => after(version).length + 1;
const rebuildsFrom = (version: number): string[] =>
  [...new Set(after(version).flatMap((m) => m.rebuilds ?? []))].sort();
const HOLD_ENV = 'SNOOPSCOPE_TEST_UPGRADE_STEP_MS';

let base: string;
let fresh: string;
let old26: string;
let old28: string;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'snoopscope-upgrade-app-'));
  const lines = [
    ...generateExportLines({
      intervals: 300,
      startMs: T0,
      offsetMin: 480,
      seed: 3,
      networkRows: 20,
    }),
    ...accessPair({
      app: 'com.tencent.xin',
      category: 'photos',
      id: 'W1',
      ms: T0 + 5_400_000,
      durationMs: 45_000,
      offsetMin: 480,
    }),
  ];
  fresh = join(base, 'fresh.snoopcase');
  old26 = join(base, 'old26.snoopcase');
  old28 = join(base, 'old28.snoopcase');
  await writeOldCase({ dir: base, freshPath: fresh, oldPath: old26, version: 26, lines });
  await writeOldCase({
    dir: base,
    freshPath: join(base, 'fresh2.snoopcase'),
    oldPath: old28,
    version: 28,
    lines,
  });
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

let dir: string;
let core: CoreApp;
let events: EventEnvelope[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'snoopscope-upgrade-run-'));
  core = createCoreApp({ userDataDir: join(dir, 'user'), host: 'cli', version: '0.0.0-test' });
  events = [];
  core.onEvent((e) => events.push(e));
});
afterEach(async () => {
  delete process.env[HOLD_ENV];
  await core.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** A private copy of an old case, so each test upgrades its own. */
function copyOf(path: string): string {
  const to = join(dir, 'case.snoopcase');
  copyFileSync(path, to);
  return to;
}

const upgrades = (): CaseUpgradeStatus[] =>
  events.filter((e) => e.event === 'onCaseUpgrade').map((e) => e.payload as CaseUpgradeStatus);

/** Resolves with the first upgrade event that `match` accepts. */
function upgradeEvent(match: (s: CaseUpgradeStatus) => boolean): Promise<CaseUpgradeStatus> {
  return new Promise((resolve) => {
    const off = core.onEvent((e) => {
      if (e.event !== 'onCaseUpgrade') return;
      const s = e.payload as CaseUpgradeStatus;
      if (!match(s)) return;
      off();
      resolve(s);
    });
  });
}

const caught = async (f: () => unknown): Promise<AppError> => {
  try {
    await f();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an error');
};

function schemaOf(path: string): { version: number; pending: string[] } {
  const db = new Database(path, { readonly: true });
  try {
    const v = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number };
    const pending = (
      db.prepare('SELECT name FROM derived_pending ORDER BY name').all() as { name: string }[]
    ).map((r) => r.name);
    return { version: v.v, pending };
  } finally {
    db.close();
  }
}

/** What the views read of the open case: its counts, summary and a day of timeline. */
async function answers(c: CoreApp): Promise<unknown> {
  const h = c.handlers;
  const info = await h.getCase({});
  const filter = {};
  // A window on half hours is answered from the rollup's half-hour columns that 0029 added.
  const night = { hours: { from: '22:30', to: '06:00' } };
  return {
    sessions: info?.sessions,
    sources: info?.sources,
    devices: info?.devices.map((d) => d.label),
    extent: info?.extent,
    summary: await h.querySummary({ filter }),
    timeline: await h.queryTimeline({ filter, width: 400 }),
    nightTimeline: await h.queryTimeline({ filter: night, width: 400 }),
  };
}

describe('opening a case written by an earlier version', () => {
  it('upgrades it in a worker while the event loop stays free, step by step, then opens it with the data of a fresh case', async () => {
    process.env[HOLD_ENV] = '150';
    const path = copyOf(old26);
    let ticks = 0;
    let longest = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const t = performance.now();
      longest = Math.max(longest, t - last);
      last = t;
      ticks += 1;
    }, 10);
    const started = performance.now();
    let info;
    try {
      info = await core.handlers.openCase({ path });
    } finally {
      clearInterval(timer);
    }
    const took = performance.now() - started;
    // Every step held 150 ms in the worker: this thread ran its timer all along.
    expect(took).toBeGreaterThan(600);
    expect(ticks).toBeGreaterThan(took / 10 / 3);
    expect(longest).toBeLessThan(250);
    expect(info.schemaVersion).toBe(LATEST);

    const steps = upgrades();
    const n = stepsFrom(26);
    expect(steps.map((s) => [s.state, s.step, s.steps, s.phase])).toEqual([
      ...Array.from({ length: n - 1 }, (_, i) => ['running', i + 1, n, 'migrations']),
      ['running', n, n, 'rebuilding'],
      ['done', n, n, 'rebuilding'],
    ]);
    expect(steps[2]!.stepName).toBe('adding half-hour columns to the timeline summary');
    expect(steps[3]!.stepName).toBe('removing an index the evidence lookups no longer need');
    expect(steps.slice(0, n - 1).map((s) => s.stepName)).toEqual(
      after(26).map((m) => m.description),
    );
    expect(steps[n - 1]!.stepName).toBe('rebuilding the timeline summary');
    expect(steps.every((s) => s.caseName === 'fresh' && s.path === path)).toBe(true);
    for (let i = 1; i < steps.length; i++)
      expect(steps[i]!.elapsedMs).toBeGreaterThanOrEqual(steps[i - 1]!.elapsedMs);
    expect(schemaOf(path)).toEqual({ version: LATEST, pending: [] });

    const upgraded = await answers(core);
    const other = createCoreApp({
      userDataDir: join(dir, 'user2'),
      host: 'cli',
      version: '0.0.0-test',
    });
    try {
      await other.handlers.openCase({ path: fresh });
      expect(upgraded).toEqual(await answers(other));
    } finally {
      await other.dispose();
    }
    // Opened again, it is up to date: no upgrade runs.
    events = [];
    await core.handlers.openCase({ path });
    expect(upgrades()).toEqual([]);
  }, 60_000);

  it('refuses other case actions while an upgrade runs', async () => {
    process.env[HOLD_ENV] = '400';
    const h = core.handlers;
    await h.createCase({ path: join(dir, 'other.snoopcase') });
    const device = await h.createDevice({ label: 'A' });
    const path = copyOf(old26);
    const opening = h.openCase({ path });
    await upgradeEvent((s) => s.state === 'running');
    // The case open before is closed while the other is upgraded.
    expect(await h.getCase({})).toBeNull();
    for (const attempt of [
      () => h.openCase({ path: fresh }),
      () => h.createCase({ path: join(dir, 'third.snoopcase') }),
      () => h.startImport({ paths: [join(dir, 'x.ndjson')], deviceId: device.id }),
      () => h.closeCase({}),
    ]) {
      const e = await caught(attempt);
      expect(e.code).toBe('CONFLICT');
      expect(e.message).toMatch(/while a case is being upgraded for this version of Snoopscope/);
    }
    await opening;
    expect((await h.getCase({}))?.path).toBe(path);
  }, 60_000);

  it('stops between steps when cancelled, with no case open, and continues the next time', async () => {
    process.env[HOLD_ENV] = '300';
    const h = core.handlers;
    const path = copyOf(old26);
    const opening = h.openCase({ path });
    const second = await upgradeEvent((s) => s.step === 2);
    expect(second.state).toBe('running');
    expect(await h.cancelCaseUpgrade({})).toEqual({ cancelled: true });
    const e = await caught(() => opening);
    expect(e.code).toBe('CANCELLED');
    expect(e.message).toMatch(/stopped; the steps completed so far are kept, and it continues/);
    expect(await h.getCase({})).toBeNull();
    expect((await h.getCaseUpgrade({}))?.state).toBe('cancelled');
    // Step 1 (migration 27) is kept; the later migrations and the rebuild are still to run.
    expect(schemaOf(path)).toEqual({ version: 27, pending: [] });
    expect(await h.cancelCaseUpgrade({})).toEqual({ cancelled: false });

    delete process.env[HOLD_ENV];
    events = [];
    const info = await h.openCase({ path });
    expect(info.schemaVersion).toBe(LATEST);
    const n = stepsFrom(27);
    expect(upgrades().map((s) => [s.state, s.step, s.steps])).toEqual([
      ...Array.from({ length: n }, (_, i) => ['running', i + 1, n]),
      ['done', n, n],
    ]);
  }, 60_000);

  it('rolls back a rebuild under way when cancelled; the rebuild runs the next time', async () => {
    process.env[HOLD_ENV] = '300';
    const h = core.handlers;
    const path = copyOf(old28);
    const opening = h.openCase({ path });
    await upgradeEvent((s) => s.phase === 'rebuilding');
    expect(await h.cancelCaseUpgrade({})).toEqual({ cancelled: true });
    expect((await caught(() => opening)).code).toBe('CANCELLED');
    expect(await h.getCase({})).toBeNull();
    expect(schemaOf(path)).toEqual({ version: LATEST, pending: rebuildsFrom(28) });

    delete process.env[HOLD_ENV];
    events = [];
    await h.openCase({ path });
    expect(upgrades().map((s) => [s.state, s.step, s.steps, s.phase])).toEqual([
      ['running', 1, 1, 'rebuilding'],
      ['done', 1, 1, 'rebuilding'],
    ]);
    expect(schemaOf(path)).toEqual({ version: LATEST, pending: [] });
  }, 60_000);

  it('says which step failed and that the case was not changed by it, without a stack trace', async () => {
    const path = copyOf(old28);
    // Migration 29 adds q0 to the rollup: a column already there makes it fail.
    const db = new Database(path);
    db.exec('ALTER TABLE session_rollup ADD COLUMN q0 INTEGER NOT NULL DEFAULT 0');
    db.close();
    const e = await caught(() => core.handlers.openCase({ path }));
    expect(e.code).toBe('MIGRATION_FAILED');
    expect(e.message).toMatch(
      /^Upgrading fresh2 failed at step 1 of \d+ \(adding half-hour columns to the timeline summary\)\. Migration 0029-rollup-half-hours failed and was rolled back; the case file was not changed by it\./,
    );
    expect(e.message).toContain(`at step 1 of ${stepsFrom(28)} (`);
    expect(e.message).not.toMatch(/\n\s+at /);
    expect(await core.handlers.getCase({})).toBeNull();
    expect(upgrades().at(-1)).toMatchObject({ state: 'failed', message: e.message });
    expect(schemaOf(path).version).toBe(28);
  }, 60_000);

  it('refuses a case written by a newer version with the sentence it always had', async () => {
    const path = copyOf(old28);
    const db = new Database(path);
    db.prepare(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'x', 0)",
    ).run();
    db.close();
    const e = await caught(() => core.handlers.openCase({ path }));
    expect(e.code).toBe('CASE_INVALID');
    expect(e.message).toBe(
      `This case was written by a newer version of Snoopscope (schema 999; this version knows ${LATEST}). Update Snoopscope to open it.`,
    );
    expect(upgrades()).toEqual([]);
  });
});

describe('workers on a case that needs an upgrade', () => {
  it('refuse an import started through the import service, leaving the case as it was', async () => {
    const path = copyOf(old26);
    const before = schemaOf(path);
    const file = join(dir, 'more.ndjson');
    writeFileSync(
      file,
      `${accessPair({ app: 'a', category: 'photos', id: 'M1', ms: T0, durationMs: 1000 }).join('\n')}\n`,
    );
    const finished: ImportFinished[] = [];
    const service = new ImportService(
      (event, payload) => {
        if (event === 'onImportFinished') finished.push(payload as ImportFinished);
      },
      () => undefined,
    );
    const settled = new Promise<void>((resolve) => service.start(path, [file], 1, resolve));
    await settled;
    await service.dispose();
    expect(finished[0]?.outcomes[0]).toMatchObject({ status: 'refused' });
    expect(finished[0]?.outcomes[0]?.error).toMatch(/must be upgraded first/);
    expect(schemaOf(path)).toEqual(before);
  }, 60_000);

  it('refuse every call but the upgrade, leaving the case as it was', async () => {
    const path = copyOf(old26);
    const before = schemaOf(path);
    const worker = new ImportWorkerClient(path);
    try {
      for (const call of [
        { fn: 'refreshDerived' } as const,
        { fn: 'importPath', path: join(dir, 'x.ndjson'), device: 1 } as const,
        { fn: 'removeSource', sourceId: 1 } as const,
      ]) {
        const e = await caught(() => worker.run(call));
        expect(e.code).toBe('CONFLICT');
        expect(e.message).toMatch(
          /was written by an earlier version of Snoopscope and must be upgraded first/,
        );
      }
      expect(schemaOf(path)).toEqual(before);
      expect(await worker.run({ fn: 'upgradeCase' })).toEqual({ steps: stepsFrom(26) });
      expect(schemaOf(path)).toEqual({ version: LATEST, pending: [] });
    } finally {
      await worker.close();
    }
  }, 60_000);
});
