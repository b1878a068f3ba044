import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  deviceSchema,
  importOutcomeSchema,
  networkUsageEventSchema,
  permissionEventSchema,
  summaryRowSchema,
} from '../contract/records';
import { writeDemoBackup } from '../core/testing/ios-backup-demo';
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

  it('imports every artifact and lists permission and network-usage records with events --kind', async () => {
    const backup = join(dir, 'demo');
    writeDemoBackup(backup);
    const casePath = join(dir, 'd.snoopcase');
    const r = await runCli(['import', casePath, backup, '--json']);
    expect(r.code).toBe(0);
    const outcomes = (JSON.parse(r.stdout) as unknown[]).map((o) => importOutcomeSchema.parse(o));
    expect(outcomes.map((o) => [o.importer, o.status, o.counts.records])).toEqual([
      ['ios-backup', 'imported', 0],
      ['ios-backup-tcc', 'imported', 4],
      ['ios-backup-data-usage', 'imported', 2],
      ['ios-backup-location-clients', 'imported', 1],
      ['ios-backup-osanalytics-addaily', 'imported', 1],
      ['ios-backup-configuration-profiles', 'imported', 1],
      ['ios-backup-configuration-profiles', 'imported', 1],
    ]);
    const perms = (await runCli(['events', casePath, '--kind', 'permission'])).stdout
      .trim()
      .split('\n')
      .map((l) => permissionEventSchema.parse(JSON.parse(l)));
    expect(perms.filter((p) => p.status === 'granted').map((p) => [p.appName, p.raw])).toEqual([
      ['WeChat', 'kTCCServiceMicrophone'],
      ['WeChat', 'kTCCServicePhotos'],
    ]);
    const camera = await runCli([
      'events',
      casePath,
      '--kind',
      'permission',
      '--category',
      'camera',
    ]);
    expect(camera.stdout.trim().split('\n')).toHaveLength(1);
    const usage = (await runCli(['events', casePath, '--kind', 'network-usage'])).stdout
      .trim()
      .split('\n')
      .map((l) => networkUsageEventSchema.parse(JSON.parse(l)));
    expect(usage.map((u) => u.process)).toContain('mDNSResponder');
    const human = await runCli(['import', casePath, backup]);
    expect(human.stdout).toMatch(/already imported: HomeDomain Library\/TCC\/TCC.db/);
  });

  it('asks for the password of an encrypted backup when no variable is named', async () => {
    const backup = join(dir, 'enc');
    writeDemoBackup(backup, { password: 'pw' });
    const casePath = join(dir, 'p.snoopcase');
    const prompts: string[] = [];
    const r = await runCli(['import', casePath, backup, '--json'], {
      promptPassword: (p) => {
        prompts.push(p);
        return Promise.resolve('pw');
      },
    });
    expect(r.code).toBe(0);
    expect(prompts).toEqual([expect.stringMatching(/Password of the encrypted backup/)]);
    const noTerminal = await runCli(['import', join(dir, 'q.snoopcase'), backup, '--json']);
    expect(noTerminal.code).toBe(1);
    expect(JSON.parse(noTerminal.stdout)).toEqual([
      expect.objectContaining({ error: expect.stringMatching(/--password-env/) }),
    ]);
  });
});
