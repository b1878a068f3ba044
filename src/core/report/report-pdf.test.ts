import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../contract/categories';
import type { Finding } from '../../contract/findings';
import type { CompareColumn, CompareRow } from '../../contract/records';
import { renderReportPdf } from './report-pdf';
import type { ReportComparison, ReportInput } from './report-pdf';

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

/** A comparison of four columns (the last without data) over `apps` app × category rows. */
function sampleComparison(apps: number): ReportComparison {
  const columns: ReportComparison['columns'] = [
    {
      label: 'Alice iPhone',
      device: 'Alice iPhone',
      from: null,
      to: null,
      observedDays: 21,
      firstObserved: '2024-03-04',
      lastObserved: '2024-03-26',
      noData: [{ first: '2024-03-10', last: '2024-03-11' }],
      noDataDays: 2,
      offsetMin: 480,
    },
    {
      label: 'Bob Pixel',
      device: 'Bob Pixel',
      from: null,
      to: null,
      observedDays: 9,
      firstObserved: '2024-03-05',
      lastObserved: '2024-03-13',
      noData: [],
      noDataDays: 0,
      offsetMin: 480,
    },
    {
      label: 'Alice iPhone:2024-03-01..2024-03-15',
      device: 'Alice iPhone',
      from: '2024-03-01',
      to: '2024-03-15',
      observedDays: 9,
      firstObserved: '2024-03-04',
      lastObserved: '2024-03-14',
      noData: [
        { first: '2024-03-01', last: '2024-03-03' },
        { first: '2024-03-10', last: '2024-03-11' },
      ],
      noDataDays: 5,
      offsetMin: 480,
    },
    {
      label: 'Alice iPhone:2024-04-01..',
      device: 'Alice iPhone',
      from: '2024-04-01',
      to: null,
      observedDays: 0,
      firstObserved: null,
      lastObserved: null,
      noData: [],
      noDataDays: 0,
      offsetMin: 480,
    },
  ];
  const rows: CompareRow[] = [];
  for (let a = 0; a < apps; a += 1) {
    const category = CATEGORIES[a % CATEGORIES.length]!;
    const cell = (i: number, sessions: number, bg: number | null): CompareColumn => {
      const days = columns[i]!.observedDays;
      return {
        label: columns[i]!.label,
        observedDays: days,
        sessions,
        sessionsPerDay: days > 0 ? Math.round((sessions / days) * 100) / 100 : null,
        nightSessions: Math.floor(sessions / 4),
        medianSeconds: sessions > 0 ? 12.5 + a : null,
        longestSeconds: sessions > 0 ? 3600 + a * 97 : null,
        backgroundShare: bg,
      };
    };
    rows.push({
      app: a === 0 ? 'com.tencent.xin' : `com.example.app${a}`,
      appName: a === 0 ? '微信' : a % 3 === 0 ? null : `Example App ${a}`,
      apps: a === 0 ? ['com.tencent.mm', 'com.tencent.xin'] : [`com.example.app${a}`],
      category,
      columns: [
        cell(0, (a * 7) % 40, null),
        cell(1, (a * 5) % 30, a % 2 === 0 ? 0.25 : null),
        cell(2, a % 5 === 0 ? 0 : (a * 3) % 20, null),
        cell(3, 0, null),
      ],
    });
  }
  return {
    night: { from: '00:00', to: '06:00' },
    columns,
    rows,
    pairings: [{ a: 'com.tencent.mm', b: 'com.tencent.xin' }],
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
    expect(text).toContain('+3 more: findings.csv lists every id');
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

  it('adds a Comparison section: what was compared, the explanation, and the matrix sorted by change', async () => {
    const input = { ...sampleReport(), comparison: sampleComparison(60) };
    const pdf = await renderReportPdf(input);
    const file = join(dir, 'comparison.pdf');
    writeFileSync(file, pdf);
    const keep = process.env.SNOOPSCOPE_COMPARISON_SAMPLE;
    if (keep) writeFileSync(keep, pdf);
    if (!has('pdftotext')) {
      console.warn('pdftotext not found (install poppler-utils): text checks skipped');
      return;
    }
    const text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], {
      encoding: 'utf8',
    });
    const pages = text.split('\f').filter((p) => p.trim() !== '');
    const first = pages.findIndex((p) => /^\s*Comparison\s*$/m.test(p));
    expect(first).toBeGreaterThan(0);
    const section = pages.slice(first).join('\f');
    expect(text).toMatch(/Summary \| Findings \| Comparison/);
    expect(section).toContain('What was compared');
    expect(section).toContain('Rates are per observed day');
    expect(section.replace(/\s+/g, ' ')).toContain(
      'Days without data are not counted as days without activity',
    );
    expect(section).toContain('2024-03-01 to 2024-03-14');
    expect(section).toContain('from 2024-04-01');
    expect(section).toContain('No observed day');
    expect(section).toContain('00:00 to 06:00');
    expect(section).toContain('com.tencent.mm = com.tencent.xin');
    expect(section).toContain('no data');
    expect(section).toContain('n/a');
    // Four columns do not fit beside the app on one page: two slices of two.
    expect(section).toContain('Columns 1–2 of 4');
    expect(section).toContain('Columns 3–4 of 4');
    // The matrix is long: it continues on further pages, the header repeated.
    const matrixPages = pages.slice(first).filter((p) => /backgr\./.test(p));
    expect(matrixPages.length).toBeGreaterThan(2);
    // The first matrix row is the largest change of sessions per day.
    const ranked = sampleComparison(60).rows.map((r) => {
      const v = r.columns.map((c) => c.sessionsPerDay).filter((x): x is number => x !== null);
      return { app: r.app, change: Math.round((Math.max(...v) - Math.min(...v)) * 100) };
    });
    const top = ranked.sort((a, b) => b.change - a.change || a.app.localeCompare(b.app))[0]!;
    const afterHeader = section.slice(section.indexOf('Columns 1–2 of 4'));
    const firstApp = /com\.example\.app\d+|com\.tencent\.xin/.exec(afterHeader)?.[0];
    expect(firstApp).toBe(top.app);
    // The comparison pages are landscape; the others stay portrait.
    if (has('pdfinfo')) {
      const info = execFileSync('pdfinfo', ['-f', '1', '-l', String(pages.length), file], {
        encoding: 'utf8',
      });
      const sizes = [...info.matchAll(/Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+)/g)].map((m) =>
        Number(m[2]) > Number(m[3]) ? 'landscape' : 'portrait',
      );
      expect(sizes[0]).toBe('portrait');
      expect(sizes[first]).toBe('landscape');
      expect(sizes[sizes.length - 1]).toBe('portrait');
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
      comparison: { ...sampleComparison(0), pairings: [] },
    });
    expect(pdf.length).toBeGreaterThan(1000);
  });
});
