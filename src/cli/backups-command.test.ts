import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backupSummarySchema } from '../contract/records';
import { writeSyntheticBackup } from '../core/testing/ios-backup-fixture';
import { runCli } from './test-support';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'snoopscope-cli-backups-'));
  writeSyntheticBackup(join(root, '00008030-001A2B3C4D5E6F70'), {
    udid: '00008030-001A2B3C4D5E6F70',
    deviceName: 'Test iPhone',
    productType: 'iPhone12,1',
    iosVersion: '16.7',
    serial: 'C39XK1ABCD12',
    password: 'pw',
  });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('backups', () => {
  it('prints the backups of a folder as JSON with identifiers masked', async () => {
    const r = await runCli(['backups', root, '--json', '--no-size']);
    expect(r.code).toBe(0);
    const list = (JSON.parse(r.stdout) as unknown[]).map((b) => backupSummarySchema.parse(b));
    expect(list).toEqual([
      expect.objectContaining({
        deviceName: 'Test iPhone',
        model: 'iPhone 11',
        iosVersion: '16.7',
        encrypted: true,
        complete: true,
        serial: '••••••••CD12',
        sizeBytes: null,
      }),
    ]);
  });

  it('unmasks on request and prints a table without --json', async () => {
    const json = await runCli(['backups', root, '--json', '--unmask']);
    expect((JSON.parse(json.stdout) as { serial: string }[])[0]?.serial).toBe('C39XK1ABCD12');
    const table = await runCli(['backups', root]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('Test iPhone');
    expect(table.stdout).toContain('iPhone 11');
  });
});
