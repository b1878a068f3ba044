import { describe, expect, it } from 'vitest';
import type { ImportProgress } from '../../../contract/events';
import type { BackupSummary } from '../../../contract/records';
import {
  ageLabel,
  backupDateLabel,
  backupNotes,
  backupProgressLine,
  backupTitle,
  derivationLabel,
  deviceBackupPhaseLabel,
  deviceBackupRunning,
  encryptionLabel,
  formatSeconds,
  iosLabel,
  modelLabel,
} from './backup-format';

const backup = (fields: Partial<BackupSummary> = {}): BackupSummary => ({
  path: '/b/00008110-000A1B2C3D4E5F60',
  udid: '••••••••-••••••••••••5F60',
  serial: null,
  deviceName: "Ana's iPhone",
  productType: 'iPhone14,5',
  model: 'iPhone 13',
  iosVersion: '17.5.1',
  buildVersion: '21F90',
  lastBackup: '2024-05-12T12:03:00Z',
  encrypted: false,
  snapshotState: 'finished',
  complete: true,
  format: 'manifest-db',
  sizeBytes: 1024,
  error: null,
  ...fields,
});

const progress = (fields: Partial<ImportProgress>): ImportProgress => ({
  importId: 'i',
  path: '/b',
  fileIndex: 0,
  fileCount: 1,
  phase: 'unlocking',
  lines: 0,
  bytes: 0,
  totalBytes: 0,
  percent: 10,
  linesPerSecond: 0,
  ...fields,
});

describe('backup formatting', () => {
  it('names the phone, its model and iOS', () => {
    expect(backupTitle(backup())).toBe("Ana's iPhone");
    expect(backupTitle(backup({ deviceName: '  ' }))).toBe('Unnamed iPhone');
    expect(backupTitle(backup({ deviceName: null }))).toBe('Unnamed iPhone');
    expect(modelLabel('iPhone14,5', 'iPhone 13')).toBe('iPhone 13 (iPhone14,5)');
    expect(modelLabel('iPhone99,1', null)).toBe('iPhone99,1');
    expect(modelLabel(null, null)).toBe('Model unknown');
    expect(iosLabel('17.5.1')).toBe('iOS 17.5.1');
    expect(iosLabel(null)).toBe('iOS version unknown');
    expect(encryptionLabel(true)).toBe('Encrypted');
    expect(encryptionLabel(false)).toBe('Not encrypted');
    expect(encryptionLabel(null)).toBe('Encryption unknown');
  });

  it('dates a backup on the examiner clock with its age', () => {
    const now = Date.parse('2024-05-15T08:00:00Z');
    expect(backupDateLabel('2024-05-12T12:03:00Z', now, () => 120)).toBe(
      '2024-05-12 14:03 (UTC+02:00) · 2 days ago',
    );
    expect(backupDateLabel(null, now, () => 0)).toBe('Backup date unknown');
    expect(backupDateLabel('garbage', now, () => 0)).toBe('Backup date unreadable (garbage)');
    expect(ageLabel(now - 3_600_000, now)).toBe('today');
    expect(ageLabel(now - 86_400_000, now)).toBe('yesterday');
    expect(ageLabel(now - 100 * 86_400_000, now)).toBe('3 months ago');
    expect(ageLabel(now - 800 * 86_400_000, now)).toBe('2 years ago');
    expect(ageLabel(now + 86_400_000, now)).toBe('in the future');
  });

  it('notes errors, unfinished snapshots and old formats', () => {
    expect(backupNotes(backup())).toEqual([]);
    expect(
      backupNotes(backup({ error: 'The folder has no Manifest.db index.', format: 'unknown' })),
    ).toEqual([{ tone: 'error', text: 'The folder has no Manifest.db index.' }]);
    const unfinished = backupNotes(backup({ snapshotState: 'uploading', complete: false }));
    expect(unfinished).toHaveLength(1);
    expect(unfinished[0]?.tone).toBe('warning');
    expect(unfinished[0]?.text).toContain('"uploading"');
    // The search's own words about an unfinished snapshot are not repeated.
    const reported = backupNotes(
      backup({ snapshotState: 'uploading', complete: false, error: 'The backup is unfinished.' }),
    );
    expect(reported).toEqual([{ tone: 'warning', text: 'The backup is unfinished.' }]);
    expect(backupNotes(backup({ format: 'manifest-mbdb' }))[0]?.text).toContain('iOS 9');
  });

  it('formats durations and the unlocking estimate', () => {
    expect(formatSeconds(0.2)).toBe('less than a second');
    expect(formatSeconds(40.4)).toBe('40 s');
    expect(formatSeconds(125)).toBe('2 min 05 s');
    expect(formatSeconds(120)).toBe('2 min');
    expect(formatSeconds(4200)).toBe('1 h 10 min');
    expect(derivationLabel(3, true)).toContain('already unlocked this session');
    expect(derivationLabel(75, false)).toContain('about 1 min 15 s');
    expect(derivationLabel(null, false)).toContain('can take a while');
    expect(derivationLabel(0.3, false)).toContain('takes less than a second');
  });

  it('describes backup import progress', () => {
    expect(
      backupProgressLine(
        progress({ detail: 'Deriving the backup keys from the password', etaSeconds: 42 }),
      ),
    ).toBe('Unlocking · Deriving the backup keys from the password · about 42 s left');
    expect(
      backupProgressLine(progress({ phase: 'artifacts', detail: 'TCC.db (permissions)' })),
    ).toBe('Reading the backup · TCC.db (permissions)');
    expect(backupProgressLine(progress({ etaSeconds: null }))).toBe('Unlocking');
  });

  it('labels device backup phases', () => {
    expect(deviceBackupPhaseLabel('waiting-for-passcode')).toBe('Waiting for the passcode');
    expect(deviceBackupRunning('copying')).toBe(true);
    expect(deviceBackupRunning('done')).toBe(false);
    expect(deviceBackupRunning('failed')).toBe(false);
  });
});
