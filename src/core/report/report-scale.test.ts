import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../contract/findings';
import {
  detailedFindings,
  renderReportPdf,
  REPORT_FINDINGS_DETAILED,
  type ReportFinding,
  type ReportInput,
} from './report-pdf';

const START = Date.UTC(2024, 2, 4);

function finding(i: number, severity: Finding['severity']): ReportFinding {
  return {
    id: `f:long-access:1:com.example.app${String(i).padStart(4, '0')}:camera`,
    rule: 'long-access',
    severity,
    deviceId: 1,
    device: 'Phone',
    app: `com.example.app${i}`,
    appName: null,
    category: 'camera',
    count: 40,
    first: '2024-03-04T10:00:00.000+01:00',
    last: '2024-03-05T10:00:00.000+01:00',
    title: `App ${i} used the camera 40 times for more than 60 s`,
    caveat: 'A long interval can be one continuous use.',
    evidence: [`s:1:K${i}a`, `s:1:K${i}b`],
    evidenceListed: 40,
    details: { evidenceTruncated: 38 },
  };
}

function input(findings: ReportFinding[]): ReportInput {
  return {
    caseName: 'Study',
    exportedAt: new Date(START),
    toolVersion: '0.1.0',
    fingerprint: 'SHA256:00',
    devices: [],
    filterText: 'none (the whole case)',
    summary: [],
    findings,
    sources: [],
    redaction: { contexts: false, apps: 0, identifiersMasked: true },
  };
}

const has = (cmd: string): boolean =>
  spawnSync(cmd, ['-v'], { stdio: 'ignore' }).error === undefined;

describe('a report of many findings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'snoopscope-report-scale-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('details the most severe findings first, up to the limit', () => {
    const findings = [
      ...Array.from({ length: REPORT_FINDINGS_DETAILED }, (_, i) => finding(i, 'low')),
      finding(9999, 'high'),
    ];
    const detailed = detailedFindings(findings);
    expect(detailed).toHaveLength(REPORT_FINDINGS_DETAILED);
    expect(detailed[0]!.app).toBe('com.example.app9999');
    expect(detailed.some((f) => f.app === `com.example.app${REPORT_FINDINGS_DETAILED - 1}`)).toBe(
      false,
    );
  });

  it('counts every finding, says how many are not detailed and how many ids findings.csv lists', async () => {
    const findings = Array.from({ length: REPORT_FINDINGS_DETAILED + 2 }, (_, i) =>
      finding(i, 'medium'),
    );
    const pdf = await renderReportPdf(input(findings));
    const file = join(dir, 'many.pdf');
    writeFileSync(file, pdf);
    if (!has('pdftotext')) {
      console.warn('pdftotext not found (install poppler-utils): text checks skipped');
      return;
    }
    const text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], {
      encoding: 'utf8',
    });
    expect(text).toContain(
      `${REPORT_FINDINGS_DETAILED + 2} findings: ${REPORT_FINDINGS_DETAILED + 2} medium`,
    );
    expect(text.replace(/\s+/g, ' ')).toContain(
      '2 more findings of lower rank are not detailed here: findings.csv lists every finding with its evidence.',
    );
    expect(text).toContain('+38 more: findings.csv lists every id');
    expect(text).not.toContain(`App ${REPORT_FINDINGS_DETAILED + 1} used the camera`);
    const pages = text.split('\f').filter((p) => p.trim() !== '');
    for (const [i, page] of pages.entries())
      expect(page).toContain(`Page ${i + 1} of ${pages.length}`);
  });
});
