import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../contract/findings';
import { renderReportPdf } from './report-pdf';
import type { ReportInput } from './report-pdf';

const SHA_A = 'a3f1c2d4e5b60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
const SHA_B = '0f9e8d7c6b5a49382716a5b4c3d2e1f00f9e8d7c6b5a49382716a5b4c3d2e1f0';
const DAY = 86_400_000;
const START = Date.UTC(2024, 2, 4); // 2024-03-04

function finding(over: Partial<Finding>): Finding {
  return {
    id: 'f:night-access:1:com.tencent.xin:photos',
    rule: 'night-access',
    severity: 'high',
    deviceId: 1,
    device: 'Alice iPhone',
    app: 'com.tencent.xin',
    appName: '微信',
    category: 'photos',
    count: 14,
    first: '2024-03-04T01:12:09+08:00',
    last: '2024-03-09T03:40:00+08:00',
    title: '微信 read the photo library 14 times between 00:00 and 06:00 on 5 nights',
    caveat: 'An access interval is not proof that photos were uploaded.',
    evidence: Array.from({ length: 15 }, (_, i) => `s:${1000 + i}`),
    details: { nights: 5 },
    ...over,
  };
}

function sampleReport(): ReportInput {
  const cells = [];
  for (let d = 0; d < 21; d += 1) {
    for (const h of [1, 2, 9, 13, 22]) {
      if ((d + h) % 3 === 0) continue;
      cells.push({ day: START / DAY + d, hour: h, sessions: ((d * h) % 9) + 1, busyMs: 60_000 });
    }
  }
  return {
    caseName: 'Case 2024-017 Photo library access',
    examiner: 'J. Example',
    exportedAt: new Date(Date.UTC(2024, 2, 25, 9, 30, 0)),
    timeZone: 'Asia/Shanghai',
    toolVersion: '0.1.0',
    fingerprint: 'SHA256:9c1b 44e0 7a2f 13d8 be55 0c6e 91fa 2d73',
    devices: [
      {
        id: 1,
        label: 'Alice iPhone',
        platform: 'ios',
        model: 'iPhone 14 Pro',
        osVersion: '17.3.1',
        timeZone: 'Asia/Shanghai',
        offsetMin: 480,
        identifiers: {
          udid: '00008110-••••••••••••1A2B',
          serial: '••••••••QX7Z',
          imei: null,
          phoneNumber: null,
        },
        sources: 2,
        createdAt: START,
      },
    ],
    filterText:
      'device: Alice iPhone; categories: photos, camera, microphone; 2024-03-04 to 2024-03-24',
    summary: [
      {
        deviceId: 1,
        device: 'Alice iPhone',
        appId: 1,
        app: 'com.tencent.xin',
        appName: '微信',
        category: 'photos',
        sessions: 42,
        openSessions: 1,
        totalMs: 900_000,
        longestMs: 185_000,
        nightSessions: 14,
        first: { ms: START + 3_600_000, offsetMin: 480 },
        last: { ms: START + 20 * DAY, offsetMin: 480 },
      },
      {
        deviceId: 1,
        device: 'Alice iPhone',
        appId: 2,
        app: 'com.burbn.instagram',
        appName: 'Instagram',
        category: 'camera',
        sessions: 7,
        openSessions: 0,
        totalMs: 120_000,
        longestMs: 41_000,
        nightSessions: 0,
        first: { ms: START + 5 * DAY, offsetMin: 480 },
        last: { ms: START + 6 * DAY, offsetMin: 480 },
      },
    ],
    findings: [
      finding({}),
      finding({
        id: 'f:frequent-access:1:com.burbn.instagram:camera',
        rule: 'frequent-access',
        severity: 'medium',
        app: 'com.burbn.instagram',
        appName: 'Instagram',
        category: 'camera',
        count: 7,
        title: 'Instagram used the camera more than 10 times a day on 1 day',
        caveat: 'Frequent access can follow ordinary use of the app.',
        evidence: ['s:2001', 's:2002'],
      }),
      finding({
        id: 'f:profiling-domains:1:com.tencent.xin:',
        rule: 'profiling-domains',
        severity: 'info',
        category: null,
        count: 3,
        title: '微信 contacted 3 domains Apple flags as possibly profiling',
        caveat: 'A contacted domain does not show what was sent.',
        evidence: ['n:1', 'n:2', 'n:3'],
      }),
    ],
    sources: [
      {
        id: 1,
        deviceId: 1,
        importer: 'app-privacy-report',
        importerVersion: '1',
        path: '/evidence/alice/App_Privacy_Report_v4_2024-03-25.ndjson',
        fileName: 'App_Privacy_Report_v4_2024-03-25.ndjson',
        size: 1_234_567,
        sha256: SHA_A,
        importedAt: Date.UTC(2024, 2, 25, 8, 0, 0),
        counts: { lines: 10, access: 8, network: 2, sessions: 4, openSessions: 0, records: 0 },
        duplicateLines: 0,
        alreadyStored: 0,
        warnings: 0,
        dataFrom: START,
        dataTo: START + 20 * DAY,
      },
      {
        id: 2,
        deviceId: 1,
        importer: 'ios-backup',
        importerVersion: '1',
        path: '/evidence/alice/备份/Manifest.db',
        fileName: 'Manifest.db',
        size: 98_304,
        sha256: SHA_B,
        importedAt: Date.UTC(2024, 2, 25, 8, 5, 0),
        counts: { lines: 0, access: 0, network: 0, sessions: 0, openSessions: 0, records: 12 },
        duplicateLines: 0,
        alreadyStored: 0,
        warnings: 1,
        dataFrom: null,
        dataTo: null,
      },
    ],
    heatmap: { fromDay: START / DAY, toDay: START / DAY + 20, cells },
    redaction: { contexts: true, apps: 0, identifiersMasked: true },
  };
}

function has(cmd: string): boolean {
  return spawnSync(cmd, ['-v'], { stdio: 'ignore' }).error === undefined;
}

describe('renderReportPdf', () => {
  const dir = mkdtempSync(join(tmpdir(), 'snoopscope-report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('renders a PDF with embedded fonts, Chinese app names, hashes and page numbers', async () => {
    const input = sampleReport();
    const first = input.findings[0]!;
    input.excerpts = {
      [first.id]: [
        { ms: START, durationMs: 60_000 },
        { ms: START + DAY, durationMs: 0 },
      ],
    };
    const pdf = await renderReportPdf(input);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const file = join(dir, 'report.pdf');
    writeFileSync(file, pdf);
    // Keep a copy to look at when asked (SNOOPSCOPE_REPORT_SAMPLE=/path/report.pdf).
    const keep = process.env.SNOOPSCOPE_REPORT_SAMPLE;
    if (keep) writeFileSync(keep, pdf);

    if (!has('pdftotext')) {
      console.warn('pdftotext not found (install poppler-utils): text checks skipped');
      return;
    }
    const text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], {
      encoding: 'utf8',
    });
    // Hashes may wrap inside their column: compare with the line breaks taken out.
    const joined = text.replace(/\s+/g, '');
    const pages = text.split('\f').filter((p) => p.trim() !== '');
    expect(text).toContain('Case 2024-017 Photo library access');
    expect(text).toContain('微信');
    expect(joined).toContain(SHA_A);
    expect(joined).toContain(SHA_B);
    expect(text).toContain('Page 1 of');
    expect(text).toContain('Timeline excerpt, 2 accesses');
    expect(text).toContain(`Page ${pages.length} of ${pages.length}`);
    for (const [i, page] of pages.entries())
      expect(page).toContain(`Page ${i + 1} of ${pages.length}`);
    expect(text).toContain('HIGH');
    expect(text).toContain('Medium');
    expect(text).toContain('UTC+08:00 (Asia/Shanghai)');
    expect(text).toContain('Redacted');
    expect(text).toContain('Methodology and caveats');
    expect(text).toContain('(+3 more in findings.csv)');
    expect(text).toContain('categories: photos, camera, microphone');

    if (has('pdffonts')) {
      const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' });
      const rows = fonts
        .split('\n')
        .slice(2)
        .filter((l) => l.trim() !== '');
      expect(rows.length).toBeGreaterThan(0);
      expect(fonts).toMatch(/NotoSansSC/);
      // Every font is embedded (the "emb" column reads "yes").
      for (const row of rows) expect(row).toMatch(/\byes\b/);
    }
  });

  it('renders an empty case without failing', async () => {
    const input = sampleReport();
    const pdf = await renderReportPdf({
      ...input,
      examiner: undefined,
      devices: [],
      summary: [],
      findings: [],
      sources: [],
      heatmap: { fromDay: null, toDay: null, cells: [] },
      filterText: '',
    });
    expect(pdf.length).toBeGreaterThan(1000);
  });
});
