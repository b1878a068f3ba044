import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../../cli/test-support';
import { refreshNetworkLatest, staleNetworkDevices } from '../db/queries/network-latest';
import { CaseSession } from '../services/case-service';
import { importFile } from '../services/import-run';
import { accessPair } from '../testing/apr-fixture';
import { tempCase, type TempCase } from '../testing/temp-case';
import { findingsWithEvidence, runFindings } from './engine';
import { findingsNeedRefresh, refreshFindings, staleFindingDevices } from './stored';
import { setStoredFindingParams } from './stored-params';

// Local +02:00; photos read at 01:00 local on May 1-4.
const local = (d: number, h: number): number => Date.UTC(2024, 4, d, h - 2);
const nightLines = (from: number, to: number, prefix: string): string[] => {
  const lines: string[] = [];
  for (let d = from; d <= to; d += 1)
    lines.push(
      ...accessPair({
        app: 'com.tencent.xin',
        category: 'photos',
        id: `${prefix}${d}`,
        ms: local(d, 1),
        durationMs: 2000,
        offsetMin: 120,
      }),
    );
  return lines;
};

let t: TempCase;
beforeEach(() => {
  t = tempCase();
});
afterEach(() => t.cleanup());

async function importLines(name: string, lines: string[]): Promise<void> {
  const o = await importFile({
    db: t.session.db,
    path: t.write(name, lines),
    deviceId: t.deviceId,
  });
  expect(o.status).toBe('imported');
}

const nightCount = (): number | undefined =>
  runFindings(t.session.db, {}, undefined, ['night-access'])[0]?.count;

describe('stored findings', () => {
  it('are read from the table once computed, and computed again after an import', async () => {
    await importLines('a.ndjson', nightLines(1, 2, 'A'));
    expect(staleFindingDevices(t.session.db)).toEqual([t.deviceId]);
    expect(refreshFindings(t.session.db)).toEqual([t.deviceId]);
    expect(staleFindingDevices(t.session.db)).toEqual([]);
    // Sessions deleted behind the engine's back: the stored findings still answer, so they are
    // what is read.
    t.session.db.exec('DELETE FROM access_sessions');
    expect(nightCount()).toBe(2);
    expect(runFindings(t.session.db, {}, undefined, ['night-access'], { stored: false })).toEqual(
      [],
    );
    // A new source makes the device stale: the next query computes it from the records.
    await importLines('b.ndjson', nightLines(3, 4, 'B'));
    expect(staleFindingDevices(t.session.db)).toEqual([t.deviceId]);
    expect(nightCount()).toBe(2);
    expect(staleFindingDevices(t.session.db)).toEqual([]);
  });

  it('follow the case parameters; other parameters or filters are computed, not stored', async () => {
    await importLines('a.ndjson', nightLines(1, 3, 'A'));
    refreshFindings(t.session.db);
    expect(findingsNeedRefresh(t.session.db, {}, {})).toBe(false);
    setStoredFindingParams(t.session.db, { 'night-access.from': '02:00' });
    expect(findingsNeedRefresh(t.session.db, {}, { 'night-access.from': '02:00' })).toBe(true);
    // Parameters other than the case's, or a date range, never touch the table.
    expect(findingsNeedRefresh(t.session.db, {}, {})).toBe(false);
    expect(
      findingsNeedRefresh(t.session.db, { from: '2024-05-01' }, { 'night-access.from': '02:00' }),
    ).toBe(false);
    expect(runFindings(t.session.db, {}, {}, ['night-access'])[0]?.count).toBe(3);
    expect(staleFindingDevices(t.session.db)).toEqual([t.deviceId]);
    expect(nightCount()).toBe(3);
    expect(
      runFindings(t.session.db, {}, { 'night-access.from': '02:00' }, ['night-access']),
    ).toEqual([]);
    expect(staleFindingDevices(t.session.db)).toEqual([]);
  });

  it('are computed again when the id of a removed source comes back for another file', async () => {
    await importLines('a.ndjson', nightLines(1, 2, 'A'));
    const first = t.session.sources()[0]!.id;
    refreshFindings(t.session.db);
    refreshNetworkLatest(t.session.db);
    t.session.removeSource(first);
    await importLines('b.ndjson', nightLines(1, 4, 'B'));
    expect(t.session.sources().map((s) => s.id)).toEqual([first]);
    expect(staleFindingDevices(t.session.db)).toEqual([t.deviceId]);
    expect(staleNetworkDevices(t.session.db)).toEqual([t.deviceId]);
    expect(nightCount()).toBe(4);
  });

  it('are computed again when an app is renamed: its name is in their titles', async () => {
    await importLines('a.ndjson', nightLines(1, 2, 'A'));
    refreshFindings(t.session.db);
    t.session.db
      .prepare("UPDATE apps SET display_name = 'Chat' WHERE identifier = ?")
      .run('com.tencent.xin');
    expect(staleFindingDevices(t.session.db)).toEqual([t.deviceId]);
    expect(runFindings(t.session.db, {}, undefined, ['night-access'])[0]?.title).toMatch(/^Chat /);
  });

  it('keep at most the evidence asked for and count the rest', async () => {
    await importLines('a.ndjson', nightLines(1, 4, 'A'));
    const [f] = runFindings(t.session.db, {}, undefined, ['night-access'], { evidenceLimit: 1 });
    expect(f!.evidence).toEqual([`s:${t.deviceId}:A1`]);
    expect(f!.details.evidenceTruncated).toBe(3);
    const [none] = runFindings(t.session.db, {}, undefined, ['night-access'], {
      evidenceLimit: 0,
    });
    expect(none!.evidence).toEqual([]);
    expect(none!.details.evidenceTruncated).toBe(4);
  });

  it('give an export a few evidence ids per finding and the whole list of one when asked', async () => {
    await importLines('a.ndjson', nightLines(1, 4, 'A'));
    for (const stored of [true, false]) {
      if (!stored) t.session.db.exec('DELETE FROM stored_findings_state');
      const filter = stored ? {} : { from: '2024-04-01' };
      const { findings, evidenceOf } = findingsWithEvidence(t.session.db, filter, {}, 1);
      const night = findings.find((f) => f.rule === 'night-access')!;
      expect(night.evidence).toEqual([`s:${t.deviceId}:A1`]);
      expect(night.details.evidenceTruncated).toBe(3);
      expect(evidenceOf(night)).toEqual([1, 2, 3, 4].map((d) => `s:${t.deviceId}:A${d}`));
    }
  });

  it('answer from the records on a read-only connection when stale', async () => {
    await importLines('a.ndjson', nightLines(1, 2, 'A'));
    const ro = CaseSession.open(t.session.path, { readonly: true });
    try {
      expect(runFindings(ro.db, {}, undefined, ['night-access'])[0]?.count).toBe(2);
      expect(staleFindingDevices(t.session.db)).toEqual([t.deviceId]);
    } finally {
      ro.close();
    }
  });

  it('answer from the records while another connection holds the write lock', async () => {
    await importLines('a.ndjson', nightLines(1, 2, 'A'));
    const other = new Database(t.session.path);
    other.pragma('busy_timeout = 0');
    other.exec('BEGIN IMMEDIATE');
    t.session.db.pragma('busy_timeout = 0');
    try {
      expect(nightCount()).toBe(2);
      expect(staleFindingDevices(t.session.db)).toEqual([t.deviceId]);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  });
});

describe('the CLI', () => {
  it('computes the findings and latest network rows of the devices an import changed', async () => {
    const tmp = tempDir();
    try {
      const casePath = join(tmp.dir, 'c.snoopcase');
      const file = tmp.file('a.ndjson', nightLines(1, 3, 'A').join('\n') + '\n');
      expect((await runCli(['import', casePath, file, '--device', 'phone'])).code).toBe(0);
      const c = CaseSession.open(casePath, { readonly: true });
      try {
        expect(staleFindingDevices(c.db)).toEqual([]);
        expect(staleNetworkDevices(c.db)).toEqual([]);
      } finally {
        c.close();
      }
      const r = await runCli(['findings', casePath, '--json']);
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as { count: number }[])[0]?.count).toBe(3);
    } finally {
      tmp.cleanup();
    }
  });
});
