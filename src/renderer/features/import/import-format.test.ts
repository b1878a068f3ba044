import { describe, expect, it } from 'vitest';
import type { ImportOutcome } from '../../../contract/records';
import {
  baseName,
  clampPercent,
  parsePathList,
  phaseLabel,
  progressLine,
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
    expect(t.sessions).toBe(15);
  });

  it('parses typed path lists', () => {
    expect(parsePathList(' /a/one.ndjson \n\n"/b/two words.ndjson"\r\n/a/one.ndjson')).toEqual([
      '/a/one.ndjson',
      '/b/two words.ndjson',
    ]);
  });
});
