import Database from 'better-sqlite3';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importOutcomeSchema, type ImportOutcome } from '../contract/records';
import { buildPowerLog } from '../core/formats/powerlog/testing/synthetic';
import { REPORTS, runCli, tempDir } from './test-support';

// The command line recognises what a path is through the importers' registry: a folder of reports
// is read report by report (not refused as a capture), and a PowerLog takes the examiner's zone.

let tmp: ReturnType<typeof tempDir>;
let casePath: string;
beforeEach(() => {
  tmp = tempDir();
  casePath = join(tmp.dir, 'case.snoopcase');
});
afterEach(() => tmp.cleanup());

const outcomes = (stdout: string): ImportOutcome[] =>
  (JSON.parse(stdout) as unknown[]).map((o) => importOutcomeSchema.parse(o));
const count = (table: string): number => {
  const db = new Database(casePath, { readonly: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('import through the registry', () => {
  it('reads a folder of App Privacy Reports file by file', async () => {
    const dir = join(tmp.dir, 'weeks');
    mkdirSync(dir);
    writeFileSync(join(dir, 'week1.ndjson'), REPORTS.a);
    writeFileSync(join(dir, 'week2.ndjson'), REPORTS.b);
    const r = await runCli(['import', casePath, dir, '--device', 'Phone', '--json']);
    expect(r.stderr).not.toMatch(/Android/);
    expect(r.code).toBe(0);
    expect(outcomes(r.stdout).map((o) => o.status)).toEqual(['imported', 'imported']);
    expect(count('sources')).toBe(2);
  });

  it('imports a PowerLog with the time zone given, and asks for it when none is', async () => {
    const T = Date.UTC(2021, 11, 16, 10) / 1000;
    const path = tmp.file(
      'powerlog_2021-12-16_05-54_84E2141B.PLSQL',
      buildPowerLog({
        PLStorageOperator_EventForward_TimeOffset: [{ timestamp: T, system: 0 }],
        PLSpringBoardAgent_EventForward_SBLock: [
          { timestamp: T, Locked: 1 },
          { timestamp: T + 600, Locked: 0 },
        ],
      }),
    );
    const without = await runCli(['import', casePath, path, '--device', 'iPad', '--json']);
    expect(outcomes(without.stdout)[0]).toMatchObject({ status: 'refused' });
    expect(outcomes(without.stdout)[0]!.error).toMatch(/time zone/i);
    const withZone = await runCli([
      'import',
      casePath,
      path,
      '--device',
      'iPad',
      '--timezone',
      'America/New_York',
      '--json',
    ]);
    expect(outcomes(withZone.stdout)[0]).toMatchObject({ status: 'imported' });
    expect(count('device_states')).toBeGreaterThan(0);
  });
});
