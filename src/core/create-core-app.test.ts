import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../contract/bridge';
import Database from 'better-sqlite3';
import type { FindingsStatus, ImportFinished, ImportProgress } from '../contract/events';
import type { CoreApp } from './app';
import { createCoreApp } from './create-core-app';
import { accessPair } from './testing/apr-fixture';
import { writeDemoBackup } from './testing/ios-backup-demo';

let dir: string;
let core: CoreApp;
let events: EventEnvelope[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'snoopscope-core-'));
  core = createCoreApp({ userDataDir: join(dir, 'user'), host: 'cli', version: '0.0.0-test' });
  events = [];
  core.onEvent((e) => events.push(e));
});
afterEach(async () => {
  await core.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function finished(): Promise<ImportFinished> {
  return new Promise((resolve) => {
    const off = core.onEvent((e) => {
      if (e.event === 'onImportFinished') {
        off();
        resolve(e.payload as ImportFinished);
      }
    });
  });
}

describe('core app', () => {
  it('imports in a worker thread, reports progress and the outcome, and stays answerable meanwhile', async () => {
    const h = core.handlers;
    await h.createCase({ path: join(dir, 'c.snoopcase') });
    const device = await h.createDevice({ label: 'A' });
    const lines = Array.from({ length: 3000 }, (_, i) =>
      accessPair({
        app: `app${i % 7}`,
        category: 'photos',
        id: `I${i}`,
        ms: Date.UTC(2024, 0, 1) + i * 60_000,
        durationMs: 1000,
      }),
    ).flat();
    const file = join(dir, 'r.ndjson');
    writeFileSync(file, lines.join('\n') + '\n');
    const done = finished();
    const { importId } = await h.startImport({ paths: [file], deviceId: device.id });
    expect(await h.listDevices({})).toHaveLength(1);
    const result = await done;
    expect(result.importId).toBe(importId);
    expect(result.outcomes[0]).toMatchObject({
      status: 'imported',
      counts: { sessions: 3000, openSessions: 0 },
    });
    expect(events.some((e) => e.event === 'onImportProgress')).toBe(true);
    // The worker computes the findings of the device once the file is stored.
    expect(
      events.some(
        (e) => e.event === 'onImportProgress' && (e.payload as ImportProgress).phase === 'findings',
      ),
    ).toBe(true);
    const stored = new Database(join(dir, 'c.snoopcase'), { readonly: true });
    try {
      expect(stored.prepare('SELECT device_id FROM stored_findings_state').pluck().all()).toEqual([
        device.id,
      ]);
    } finally {
      stored.close();
    }
    expect(events.some((e) => e.event === 'onCaseChanged')).toBe(true);
    expect((await h.getCase({}))?.sessions).toBe(3000);
    expect(await h.listRecentCases({})).toEqual([
      expect.objectContaining({ path: join(dir, 'c.snoopcase'), exists: true }),
    ]);
  });

  it('answers NO_CASE_OPEN before a case is open', () => {
    expect(() => core.handlers.listDevices({})).toThrow(/No case is open/);
  });

  it('lists, inspects and imports a backup folder, then answers the record queries', async () => {
    const h = core.handlers;
    const folder = join(dir, 'backups');
    writeDemoBackup(join(folder, 'one'));
    const listed = await h.listBackups({ folders: [folder] });
    expect(listed.map((b) => b.deviceName)).toContain("Ana's iPhone");
    await h.createCase({ path: join(dir, 'b.snoopcase') });
    const inspected = await h.inspectBackup({ path: join(folder, 'one') });
    expect(inspected).toMatchObject({ boundDevice: null, keysCached: false });
    const done = finished();
    const { importId } = await h.startBackupImport({ path: join(folder, 'one'), label: 'Ana' });
    const result = await done;
    expect(result.importId).toBe(importId);
    expect(result.outcomes).toHaveLength(7);
    expect(events.some((e) => e.event === 'onCaseChanged')).toBe(true);
    const perms = await h.queryPermissions({ filter: { categories: ['photos'] } });
    expect(perms.map((p) => [p.appName, p.status])).toEqual([
      ['Notes Plus', 'limited'],
      ['WeChat', 'granted'],
    ]);
    const record = await h.getRecord({ id: perms[1]!.id });
    expect(record.source.importer).toBe('ios-backup-tcc');
    expect((await h.queryNetworkUsage({ filter: {} })).length).toBe(3);
    expect((await h.queryProfiles({ filter: {} })).length).toBe(2);
    const tl = await h.queryTimeline({ filter: {}, width: 800 });
    expect(tl.marks).toHaveLength(5);
    expect((await h.inspectBackup({ path: join(folder, 'one') })).boundDevice?.label).toBe('Ana');
  });
});

/** The next findings status event in the given state. */
function findingsStatus(state: FindingsStatus['state']): Promise<FindingsStatus> {
  return new Promise((resolve) => {
    const off = core.onEvent((e) => {
      if (e.event === 'onFindingsStatus' && (e.payload as FindingsStatus).state === state) {
        off();
        resolve(e.payload as FindingsStatus);
      }
    });
  });
}

/** A case with one device whose import (and its findings) is stored. */
async function caseWithFindings(): Promise<{ path: string; deviceId: number }> {
  const h = core.handlers;
  const path = join(dir, 'f.snoopcase');
  await h.createCase({ path });
  const device = await h.createDevice({ label: 'A' });
  // Night access every night: the night-access rule finds something with its defaults.
  const lines = Array.from({ length: 60 }, (_, i) =>
    accessPair({
      app: 'com.example.night',
      category: 'photos',
      id: `N${i}`,
      ms: Date.UTC(2024, 0, 1 + i, 2, 30),
      durationMs: 60_000,
    }),
  ).flat();
  const file = join(dir, 'n.ndjson');
  writeFileSync(file, lines.join('\n') + '\n');
  const done = finished();
  await h.startImport({ paths: [file], deviceId: device.id });
  await done;
  return { path, deviceId: device.id };
}

describe('stored findings off the main thread', () => {
  it('a parameter change returns at once; the findings are computed in the worker while queries say so', async () => {
    const h = core.handlers;
    await caseWithFindings();
    const before = await h.queryFindings({ filter: {}, evidenceLimit: 0 });
    expect(before.pending).toBeNull();
    expect(before.findings.length).toBeGreaterThan(0);
    const ready = findingsStatus('ready');
    await h.setFindingParams({ params: { 'night-access.from': '01:00' } });
    const during = await h.queryFindings({ filter: {}, evidenceLimit: 0 });
    expect(during).toEqual({
      findings: [],
      pending: expect.objectContaining({
        state: 'computing',
        params: { 'night-access.from': '01:00' },
      }),
    });
    expect(await h.getFindingsStatus({})).toMatchObject({ state: 'computing' });
    // The other readers of the stored findings say so too, rather than computing them here.
    expect(() => h.queryKeyFindings({})).toThrow(/being computed/);
    // A bundle is written in a worker of its own, which computes what it needs there.
    await expect(h.exportBundle({ path: join(dir, 'b.zip'), filter: {} })).resolves.toMatchObject({
      path: join(dir, 'b.zip'),
    });
    expect((await ready).params).toEqual({ 'night-access.from': '01:00' });
    expect(
      events
        .filter((e) => e.event === 'onCaseChanged')
        .map((e) => (e.payload as { reason: string }).reason)
        .filter((reason) => reason !== 'bundle-exported')
        .slice(-2),
    ).toEqual(['finding-parameters', 'finding-parameters']);
    const after = await h.queryFindings({ filter: {}, evidenceLimit: 0 });
    expect(after.pending).toBeNull();
    expect(after.findings.length).toBeGreaterThan(0);
    expect((await h.queryKeyFindings({})).length).toBe(1);
  });

  it('findings left stale by another program are computed in the worker when first asked for', async () => {
    const h = core.handlers;
    const { path } = await caseWithFindings();
    await h.closeCase({});
    // Another program changed the parameters: every stored finding is stale.
    const other = new Database(path);
    other
      .prepare("INSERT INTO case_meta (key, value) VALUES ('finding_params', ?)")
      .run(JSON.stringify({ 'night-access.from': '00:30' }));
    other.close();
    await h.openCase({ path });
    const ready = findingsStatus('ready');
    const first = await h.queryFindings({ filter: {}, evidenceLimit: 0 });
    expect(first.pending?.state).toBe('computing');
    expect((await ready).params).toEqual({ 'night-access.from': '00:30' });
    const after = await h.queryFindings({ filter: {}, evidenceLimit: 0 });
    expect(after.pending).toBeNull();
    expect(after.findings.length).toBeGreaterThan(0);
  });

  it('stored findings damaged by another program are computed again in the worker, their evidence too', async () => {
    const h = core.handlers;
    const { path } = await caseWithFindings();
    const before = await h.queryFindings({ filter: {}, evidenceLimit: 0 });
    const keyBefore = await h.queryKeyFindings({});
    const finding = before.findings[0]!;
    const evidenceBefore = await h.getFindingEvidence({ filter: {}, findingId: finding.id });
    expect(evidenceBefore.ids.length).toBeGreaterThan(0);
    const other = new Database(path);
    const damage = (sql: string): void => {
      other.exec(sql);
    };
    try {
      // Evidence that does not read: the findings are computed again in the worker, and the
      // evidence is read from them.
      damage('UPDATE stored_findings SET evidence = substr(evidence, 1, 9) || char(1)');
      let ready = findingsStatus('ready');
      expect(() => h.getFindingEvidence({ filter: {}, findingId: finding.id })).toThrow(
        /being computed/,
      );
      await ready;
      expect(await h.getFindingEvidence({ filter: {}, findingId: finding.id })).toEqual(
        evidenceBefore,
      );
      expect(await h.queryFindings({ filter: {}, evidenceLimit: 0 })).toEqual(before);
      // A finding cut short: the list says they are being computed, then lists them again.
      damage('UPDATE stored_findings SET finding = substr(finding, 1, 20)');
      ready = findingsStatus('ready');
      const during = await h.queryFindings({ filter: {}, evidenceLimit: 0 });
      expect(during.pending?.state).toBe('computing');
      await ready;
      expect(await h.queryFindings({ filter: {}, evidenceLimit: 0 })).toEqual(before);
      // Key findings that do not read: the same.
      damage("UPDATE stored_key_findings SET answer = '{'");
      ready = findingsStatus('ready');
      expect(() => h.queryKeyFindings({})).toThrow(/being computed/);
      await ready;
      expect(await h.queryKeyFindings({})).toEqual(keyBefore);
    } finally {
      other.close();
    }
  });

  it('moves and removes a source in a worker, one edit at a time, then computes the findings there', async () => {
    const h = core.handlers;
    const { deviceId } = await caseWithFindings();
    const other = await h.createDevice({ label: 'B' });
    const [source] = await h.listSources({ deviceId });
    const ready = findingsStatus('ready');
    const moving = h.moveSource({ sourceId: source!.id, deviceId: other.id });
    expect(moving).toBeInstanceOf(Promise);
    // Meanwhile this thread answers, and refuses a second edit or an import.
    expect(await h.listDevices({})).toHaveLength(2);
    expect(() => h.removeSource({ sourceId: source!.id })).toThrow(/being moved or removed/);
    expect(() => h.startImport({ paths: [join(dir, 'n.ndjson')], deviceId })).toThrow(
      /being moved or removed/,
    );
    expect((await moving).deviceId).toBe(other.id);
    await ready;
    const moved = await h.queryFindings({ filter: {}, evidenceLimit: 0 });
    expect(moved.pending).toBeNull();
    expect(new Set(moved.findings.map((f) => f.deviceId))).toEqual(new Set([other.id]));
    const emptied = findingsStatus('ready');
    expect(await h.removeSource({ sourceId: source!.id })).toEqual({ removed: 1 });
    expect(await h.listSources({ deviceId: other.id })).toEqual([]);
    await emptied;
    expect((await h.queryFindings({ filter: {}, evidenceLimit: 0 })).findings).toEqual([]);
    // An edit of a source that is not there fails with its sentence.
    await expect(h.removeSource({ sourceId: source!.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('findings the stored ones cannot answer (a period) are computed in a worker; queries say so until then', async () => {
    const h = core.handlers;
    await caseWithFindings();
    const filter = { from: '2024-01-10', to: '2024-02-10' };
    const computed = new Promise<void>((resolve) => {
      const off = core.onEvent((e) => {
        if (
          e.event === 'onCaseChanged' &&
          (e.payload as { reason: string }).reason === 'findings-computed'
        ) {
          off();
          resolve();
        }
      });
    });
    // Parameters that do not read are refused at once, not sent to the worker.
    expect(() =>
      h.queryFindings({ filter, params: { 'night-access.from': 'late' }, evidenceLimit: 0 }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    const first = await h.queryFindings({ filter, evidenceLimit: 0 });
    expect(first).toEqual({
      findings: [],
      pending: expect.objectContaining({ state: 'computing', params: {} }),
    });
    await computed;
    const ready = await h.queryFindings({ filter, evidenceLimit: 0 });
    expect(ready.pending).toBeNull();
    const night = ready.findings.find((f) => f.rule === 'night-access');
    expect(night?.first?.startsWith('2024-01-1')).toBe(true);
    // As a list: the same findings without their caveats and details.
    const listed = await h.queryFindings({ filter, evidenceLimit: 0, list: true });
    expect(listed.findings).toEqual(ready.findings.map((f) => ({ ...f, caveat: '', details: {} })));
    // An opened finding's evidence over the same period is read in the worker as well.
    const evidenceRead = new Promise<void>((resolve) => {
      const off = core.onEvent((e) => {
        if (e.event === 'onCaseChanged') {
          off();
          resolve();
        }
      });
    });
    expect(() => h.getFindingEvidence({ filter, findingId: night!.id })).toThrow(
      /being read from the records/,
    );
    await evidenceRead;
    const page = await h.getFindingEvidence({ filter, findingId: night!.id });
    expect(page.total).toBeGreaterThan(0);
    expect(page.finding).toEqual(night);
  });

  it('findings an import left stale (its worker could not bring them up to date) are computed again in a worker', async () => {
    const h = core.handlers;
    const path = join(dir, 'i.snoopcase');
    await h.createCase({ path });
    const device = await h.createDevice({ label: 'A' });
    const file = join(dir, 'i.ndjson');
    writeFileSync(
      file,
      accessPair({
        app: 'com.example.a',
        category: 'photos',
        id: 'I1',
        ms: Date.UTC(2024, 0, 1, 2),
        durationMs: 1000,
      })
        .concat('')
        .join('\n'),
    );
    // Once the worker's findings step is over and before the import's end reaches this thread,
    // another program changes the parameters: the findings the worker computed are stale.
    let step = '';
    const off = core.onEvent((e) => {
      if (e.event !== 'onImportProgress') return;
      const phase = (e.payload as ImportProgress).phase;
      if (phase === 'done' && step === 'findings') {
        const other = new Database(path);
        other
          .prepare("INSERT INTO case_meta (key, value) VALUES ('finding_params', ?)")
          .run(JSON.stringify({ 'night-access.from': '01:00' }));
        other.close();
      }
      step = phase;
    });
    const ready = findingsStatus('ready');
    const done = finished();
    await h.startImport({ paths: [file], deviceId: device.id });
    await done;
    off();
    expect(await h.getFindingsStatus({})).toMatchObject({ state: 'computing' });
    expect((await ready).params).toEqual({ 'night-access.from': '01:00' });
    expect((await h.queryFindings({ filter: {}, evidenceLimit: 0 })).pending).toBeNull();
  });
});
