import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backupSummarySchema } from '../../../contract/records';
import { writeSyntheticBackup } from '../../testing/ios-backup-fixture';
import { sharedFixtures } from '../../testing/shared-fixtures';
import { listBackups, readBackupInfo } from './discover';
import { defaultBackupRoots } from './locations';
import { marketingName } from './product-types';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'snoopscope-backups-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const UDID = '00008130-000275E42213803A';

const writeBackup = (dir: string, o: { snapshotState?: string; password?: string } = {}): void =>
  writeSyntheticBackup(dir, { udid: UDID, deviceName: "Reporter's iPhone", ...o });

describe('finding backups', () => {
  it('knows the default locations of macOS and both Windows iTunes', () => {
    expect(defaultBackupRoots('darwin', {}, '/Users/ana')).toEqual([
      '/Users/ana/Library/Application Support/MobileSync/Backup',
    ]);
    expect(
      defaultBackupRoots(
        'win32',
        { APPDATA: 'C:\\Users\\ana\\AppData\\Roaming', USERPROFILE: 'C:\\Users\\ana' },
        'C:\\Users\\ana',
      ),
    ).toEqual([
      'C:\\Users\\ana\\AppData\\Roaming\\Apple Computer\\MobileSync\\Backup',
      'C:\\Users\\ana\\Apple\\MobileSync\\Backup',
    ]);
    expect(defaultBackupRoots('linux', {}, '/home/ana')).toEqual([]);
  });

  it('names product types', () => {
    expect(marketingName('iPhone9,3')).toBe('iPhone 7');
    expect(marketingName('iPhone14,5')).toBe('iPhone 13');
    expect(marketingName('iPhone99,1')).toBe('iPhone');
    expect(marketingName('iPad13,1')).toBe('iPad');
    expect(marketingName(null)).toBeNull();
  });

  it('lists each backup of a folder of backups with device, model, version, date, encryption and size, masked', async () => {
    writeBackup(join(root, UDID));
    writeBackup(join(root, 'unfinished'), { snapshotState: 'uploading', password: 'pw' });
    mkdirSync(join(root, 'not-a-backup'));
    const list = await listBackups([root]);
    expect(list).toHaveLength(2);
    for (const b of list) expect(backupSummarySchema.parse(b)).toEqual(b);
    const [done, unfinished] = list;
    expect(done).toMatchObject({
      deviceName: "Reporter's iPhone",
      productType: 'iPhone14,5',
      model: 'iPhone 13',
      iosVersion: '17.5.1',
      buildVersion: '21F90',
      lastBackup: '2024-06-01T08:30:00.000Z',
      encrypted: false,
      complete: true,
      format: 'manifest-db',
      udid: '••••••••-••••••••••••803A',
      serial: '••••••••HG7F',
      error: null,
    });
    expect(done?.sizeBytes).toBeGreaterThan(4096);
    expect(unfinished).toMatchObject({
      encrypted: true,
      complete: false,
      error: expect.stringMatching(/unfinished/),
    });
    const unmasked = await listBackups([join(root, UDID)], { unmask: true });
    expect(unmasked[0]).toMatchObject({ udid: UDID, serial: 'F2LTX0ABHG7F' });
  });

  it('reports unreadable or damaged plists and an index-less folder without failing', async () => {
    const dir = join(root, 'damaged');
    mkdirSync(dir);
    writeFileSync(join(dir, 'Info.plist'), 'not a plist at all');
    const info = await readBackupInfo(dir);
    expect(info.format).toBe('unknown');
    expect(info.problems.join(' ')).toMatch(/Info\.plist is not a readable property list/);
    expect(info.problems.join(' ')).toMatch(/no Manifest\.db or Manifest\.mbdb/);
    expect(await listBackups([join(root, 'missing')])).toEqual([]);
  });

  const fixtures = sharedFixtures('ios-backup');
  it.skipIf(fixtures === null)(
    'reads the sample backup fixture (dummy plists, real unencrypted Manifest.db)',
    async () => {
      const [b] = await listBackups([join(fixtures!, 'sample_backup')], { sizes: true });
      expect(b).toMatchObject({
        format: 'manifest-db',
        encrypted: false,
        deviceName: null,
        error: null,
      });
      expect(b?.sizeBytes).toBe(36_864 + 267 + 76 + 76 + 1_562);
    },
  );
});
