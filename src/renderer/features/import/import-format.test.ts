import { describe, expect, it } from 'vitest';
import type { ImportOutcome } from '../../../contract/records';
import {
  baseName,
  clampPercent,
  importerLabel,
  isBackupOutcome,
  outcomeSourceLabel,
  outcomeStats,
  outcomeTitle,
  parsePathList,
  phaseLabel,
  progressLine,
  splitWarnings,
  statusLabel,
  statusTone,
  totals,
} from './import-format';

const outcome = (status: ImportOutcome['status'], warnings = 0, sessions = 0): ImportOutcome => ({
  path: '/x/App_Privacy_Report.ndjson',
  sha256: null,
  importer: null,
  status,
  counts: { lines: 0, access: 0, network: 0, sessions, openSessions: 0, records: 0 },
  duplicateLines: 0,
  alreadyStored: 0,
  warnings: Array.from({ length: warnings }, (_, i) => ({
    line: i + 1,
    locator: `line ${i + 1}`,
    code: 'MALFORMED_LINE' as const,
    message: 'bad',
  })),
  error: null,
  sourceId: null,
  deviceId: null,
  locator: null,
});

describe('import formatting', () => {
  it('names files on either platform', () => {
    expect(baseName('/a/b/report.ndjson')).toBe('report.ndjson');
    expect(baseName('C:\\exports\\report.ndjson')).toBe('report.ndjson');
    expect(baseName('plain')).toBe('plain');
  });

  it('labels statuses and phases', () => {
    expect(statusLabel('already-imported')).toBe('Already imported');
    expect(statusTone('refused')).toBe('bad');
    expect(phaseLabel('pairing')).toBe('Pairing sessions');
    expect(phaseLabel('unlocking')).toBe('Unlocking');
    expect(phaseLabel('artifacts')).toBe('Reading the backup');
  });

  it('names importers in words and titles backup parts by what they are', () => {
    expect(importerLabel('ios-backup-tcc')).toBe('Permissions (TCC.db)');
    expect(importerLabel('ios-backup')).toBe("The phone's identity and apps");
    expect(importerLabel('ios-app-privacy-report')).toBe('App Privacy Report');
    expect(importerLabel(null)).toBe('Format not recognised');
    expect(importerLabel('some-future-importer')).toBe('some-future-importer');
    expect(importerLabel('android-dumpsys')).toBe('Android capture (dumpsys)');
    expect(
      outcomeSourceLabel({
        importer: null,
        status: 'refused',
        error: "The capture does not record the phone's time zone; give the time zone.",
      }),
    ).toBe('Android capture without its time zone');
    expect(
      outcomeSourceLabel({ importer: null, status: 'refused', error: 'Unknown format.' }),
    ).toBe('Format not recognised');
    expect(isBackupOutcome({ importer: 'ios-backup-data-usage' })).toBe(true);
    expect(isBackupOutcome({ importer: 'ios-backup' })).toBe(true);
    expect(isBackupOutcome({ importer: 'ios-app-privacy-report' })).toBe(false);
    expect(isBackupOutcome({ importer: null })).toBe(false);
    expect(
      outcomeTitle({ importer: 'ios-backup-configuration-profiles', path: '/b/ab/ab12' }),
    ).toBe('Configuration profiles');
    expect(outcomeTitle({ importer: null, path: '/x/report.ndjson' })).toBe('report.ndjson');
  });

  it('keeps backup notes apart from warnings', () => {
    const note = {
      line: null,
      locator: 'backup',
      code: 'BACKUP_NOTE' as const,
      message: 'addaily: not in this backup',
    };
    const bad = { line: 3, locator: 'line 3', code: 'MALFORMED_LINE' as const, message: 'bad' };
    expect(splitWarnings([note, bad, note])).toEqual({ notes: [note, note], warnings: [bad] });
    const t = totals([{ ...outcome('imported'), warnings: [note, bad] }]);
    expect(t.notes).toBe(1);
    expect(t.warnings).toBe(1);
  });

  it('describes progress', () => {
    expect(
      progressLine({
        importId: 'i',
        path: '/a',
        fileIndex: 1,
        fileCount: 3,
        phase: 'reading',
        lines: 12345,
        bytes: 1,
        totalBytes: 2,
        percent: 50,
        linesPerSecond: 40000.4,
      }),
    ).toBe('File 2 of 3 · Reading · 12,345 lines · 40,000 lines/s');
    expect(clampPercent(140)).toBe(100);
    expect(clampPercent(Number.NaN)).toBe(0);
  });

  it('totals outcomes', () => {
    const t = totals([outcome('imported', 2, 10), outcome('refused'), outcome('imported', 1, 5)]);
    expect(t.imported).toBe(2);
    expect(t.refused).toBe(1);
    expect(t.warnings).toBe(3);
    expect(t.notes).toBe(0);
    expect(t.sessions).toBe(15);
  });

  it('parses typed path lists', () => {
    expect(parsePathList(' /a/one.ndjson \n\n"/b/two words.ndjson"\r\n/a/one.ndjson')).toEqual([
      '/a/one.ndjson',
      '/b/two words.ndjson',
    ]);
  });

  it('lists the figures of an outcome by what its file holds', () => {
    const counts = { lines: 30, access: 3, network: 2, sessions: 3, openSessions: 1, records: 9 };
    const base = {
      status: 'imported' as const,
      sha256: 'ab',
      counts,
      duplicateLines: 0,
      alreadyStored: 1,
    };
    const labels = (o: Parameters<typeof outcomeStats>[0]) =>
      outcomeStats(o)?.map((s) => `${s.label}=${s.value}${s.note ? ` (${s.note})` : ''}`) ?? null;
    expect(labels({ ...base, importer: 'ios-app-privacy-report' })).toEqual([
      'Lines=30',
      'Access records=3',
      'Network records=2',
      'Sessions=3 (1 open)',
      'Duplicate lines=0',
      'Already stored=1',
    ]);
    expect(labels({ ...base, importer: 'android-dumpsys' })).toEqual([
      'Lines=30',
      'Access records=3',
      'Other records=9',
      'Sessions=3 (1 open)',
      'Duplicate lines=0',
      'Already stored=1',
    ]);
    expect(outcomeStats({ ...base, importer: 'ios-backup-tcc' })).toBeNull();
    const unread = { ...counts, lines: 0 };
    expect(
      outcomeStats({ ...base, importer: null, status: 'refused', sha256: null, counts: unread }),
    ).toBeNull();
    // A file refused after it was hashed still shows what was read.
    expect(
      outcomeStats({ ...base, importer: null, status: 'refused', counts: unread }),
    ).not.toBeNull();
  });
});
