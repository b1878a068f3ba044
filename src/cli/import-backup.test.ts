import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceSchema, importOutcomeSchema, summaryRowSchema } from '../contract/records';
import { accessPair } from '../core/testing/apr-fixture';
import { writeSyntheticBackup } from '../core/testing/ios-backup-fixture';
import { runCli } from './test-support';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'snoopscope-cli-backup-'));
});
afterEach(() => {
  delete process.env.SNOOPSCOPE_TEST_PW;
  rmSync(dir, { recursive: true, force: true });
});

describe('import of a backup folder', () => {
  it('binds the phone, names the apps, and lets an export in the same command use that device', async () => {
    const backup = join(dir, 'backup');
    writeSyntheticBackup(backup, {
      deviceName: 'Ana',
      storeApps: { 'com.tencent.xin': { name: 'WeChat', version: '8.0.50' } },
    });
    const apr = join(dir, 'apr.ndjson');
    writeFileSync(
      apr,
      accessPair({
        app: 'com.tencent.xin',
        category: 'photos',
        id: 'A',
        ms: Date.UTC(2024, 4, 1),
        durationMs: 2000,
      }).join('\n') + '\n',
    );
    const casePath = join(dir, 'c.snoopcase');
    const r = await runCli(['import', casePath, backup, apr, '--json']);
    expect(r.code).toBe(0);
    const outcomes = (JSON.parse(r.stdout) as unknown[]).map((o) => importOutcomeSchema.parse(o));
    expect(outcomes.map((o) => [o.importer, o.status, o.deviceId])).toEqual([
      ['ios-backup', 'imported', 1],
      ['ios-app-privacy-report', 'imported', 1],
    ]);
    const summary = (
      JSON.parse((await runCli(['summary', casePath, '--json'])).stdout) as unknown[]
    ).map((x) => summaryRowSchema.parse(x));
    expect(summary[0]).toMatchObject({ device: 'Ana', app: 'com.tencent.xin', appName: 'WeChat' });
    const masked = (
      JSON.parse((await runCli(['devices', casePath, '--json'])).stdout) as unknown[]
    ).map((x) => deviceSchema.parse(x));
    expect(masked[0]).toMatchObject({
      model: 'iPhone 13',
      timeZone: 'Europe/Zurich',
      identifiers: { udid: '••••••••-••••••••••••6F70', serial: '••••••••HG7F' },
    });
    const unmasked = JSON.parse(
      (await runCli(['devices', casePath, '--json', '--unmask'])).stdout,
    ) as { identifiers: { udid: string } }[];
    expect(unmasked[0]?.identifiers.udid).toBe('00008110-001A2B3C4D5E6F70');
  });

  it('takes the password from the named environment variable and refuses a wrong one (exit 1)', async () => {
    const backup = join(dir, 'enc');
    writeSyntheticBackup(backup, { password: 's3cret', timeZone: 'Asia/Tokyo' });
    const casePath = join(dir, 'e.snoopcase');
    process.env.SNOOPSCOPE_TEST_PW = 'nope';
    const wrong = await runCli([
      'import',
      casePath,
      backup,
      '--device',
      'P',
      '--password-env',
      'SNOOPSCOPE_TEST_PW',
      '--json',
    ]);
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.stdout)).toEqual([
      expect.objectContaining({
        status: 'refused',
        error: expect.stringMatching(/password is wrong/),
      }),
    ]);
    process.env.SNOOPSCOPE_TEST_PW = 's3cret';
    const right = await runCli([
      'import',
      casePath,
      backup,
      '--device',
      'P',
      '--password-env',
      'SNOOPSCOPE_TEST_PW',
    ]);
    expect(right.code).toBe(0);
    expect(right.stderr).toMatch(/time zone Asia\/Tokyo/);
    const unset = await runCli([
      'import',
      casePath,
      backup,
      '--password-env',
      'SNOOPSCOPE_NOT_SET',
    ]);
    expect(unset.code).toBe(2);
  });
});
