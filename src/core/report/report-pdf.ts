/**
 * The evidence bundle's `report.pdf`, rendered in Node (no browser) so the app and the CLI
 * produce the same document. Everything is set in embedded fonts (Noto Sans SC, which covers
 * Latin and Chinese app names, and Roboto Mono for hashes and record ids), and everything is
 * drawn in black and greys so the report stays readable when printed in black and white.
 */
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import type { HeatmapResult, SummaryItem } from '../../contract/api';
import { CATEGORY_LABELS } from '../../contract/categories';
import type { Category } from '../../contract/categories';
import type { DayWindow } from '../../contract/filter';
import type { Finding, Severity } from '../../contract/findings';
import type { CompareRow, Device, SourceInfo } from '../../contract/records';
import {
  columnSlices,
  comparisonCells,
  formatNumber,
  rankComparisonRows,
  type ComparisonCells,
  type RankedRow,
} from './comparison-table';

export interface ReportRedaction {
  /** Contexts and URLs replaced by a placeholder. */
  contexts: boolean;
  /** How many apps the examiner chose to redact. */
  apps: number;
  /** Device identifiers shown masked (the default). */
  identifiersMasked: boolean;
}

/** A finding as the report shows it: `evidenceWhere[i]` says where `evidence[i]` was read. */
export type ReportFinding = Finding & {
  /** For the first evidence ids (those the report lists): source file name and locator in words. */
  evidenceWhere?: readonly string[];
  /** How many evidence ids findings.csv lists, when `evidence` holds only the first of them. */
  evidenceListed?: number;
};

/** What the report says of the audit log the manifest carries. */
export interface ReportAudit {
  /** Entries in the case's log. */
  entries: number;
  intact: boolean;
  message: string;
  /** Entries whose payload the manifest withholds because it mentions what is redacted. */
  redacted: number;
  /** Of those, the entries (by number) the bundle alone cannot re-verify (written before payload hashing). */
  unverifiable: readonly number[];
}

export interface ReportInput {
  caseName: string;
  examiner?: string;
  exportedAt: Date;
  /** IANA zone the export time is shown in; defaults to the zone of the exporting machine. */
  timeZone?: string;
  toolVersion: string;
  /** Fingerprint of the installation's signing key (the manifest's signer). */
  fingerprint: string;
  /** Devices as they should appear: identifiers already masked by the caller where required. */
  devices: Device[];
  /** The filter the bundle was exported with, in words (or as typed on the command line). */
  filterText: string;
  summary: SummaryItem[];
  findings: ReportFinding[];
  sources: SourceInfo[];
  heatmap?: HeatmapResult;
  /** Per finding id, the instants (ms) and durations of its evidence accesses, for a timeline excerpt. */
  excerpts?: Record<string, { ms: number; durationMs: number }[]>;
  redaction: ReportRedaction;
  /** The audit log as the manifest publishes it. */
  audit?: ReportAudit;
  /** Devices or periods compared side by side, redaction already applied. */
  comparison?: ReportComparison;
}

/** A compared column: its device, period and the days its data covers. */
export interface ReportComparisonColumn {
  label: string;
  device: string;
  /** `YYYY-MM-DD`, `to` excluded; null for an open end. */
  from: string | null;
  to: string | null;
  observedDays: number;
  firstObserved: string | null;
  lastObserved: string | null;
  /** Days without data inside the period's span, as runs (both ends included). */
  noData: { first: string; last: string }[];
  noDataDays: number;
  /** The UTC offset (minutes) the device-local days were counted in. */
  offsetMin: number;
}

/** The comparison section's content. */
export interface ReportComparison {
  night: DayWindow;
  columns: ReportComparisonColumn[];
  rows: CompareRow[];
  pairings: { a: string; b: string }[];
}

const requireFromHere = createRequire(import.meta.url);

/** Font files, resolved at run time from node_modules (also from the bundled CLI). */
export function reportFontPaths(): { regular: string; bold: string; mono: string } {
  return {
    regular: requireFromHere.resolve(
      '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf',
    ),
    bold: requireFromHere.resolve('@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf'),
    mono: requireFromHere.resolve(
      '@expo-google-fonts/roboto-mono/400Regular/RobotoMono_400Regular.ttf',
    ),
  };
}

const SANS = 'report-sans';
const BOLD = 'report-bold';
const MONO = 'report-mono';

const MARGIN = 50;
const FOOTER_GAP = 28;
const INK = '#000000';
const MUTED = '#555555';
const RULE_GREY = '#999999';
const STRIPE = '#eeeeee';

const SEVERITY_WORDS: Record<Severity, string> = {
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  info: 'Information',
};
const SEVERITY_ORDER: Record<Severity, number> = { high: 0, medium: 1, low: 2, info: 3 };
/** Fill of the severity badge: darker for more severe, always with the word beside it. */
const SEVERITY_FILL: Record<Severity, string> = {
  high: '#000000',
  medium: '#555555',
  low: '#999999',
  info: '#ffffff',
};

/** How many evidence ids a finding lists in the report (the CSV and the app list all). */
export const EVIDENCE_SHOWN = 12;
/** Days shown by the heatmap; a longer period is cut at the most recent days. */
const HEATMAP_MAX_DAYS = 366;

const METHODOLOGY: { heading: string; body: string }[] = [
  {
    heading: 'iOS App Privacy Report',
    body:
      'The App Privacy Report (Settings > Privacy & Security) is a log the device writes itself. ' +
      'An access record proves that iOS registered an app using a protected resource (photos, ' +
      'camera, microphone, contacts, location and others) between the times shown; the interval is when ' +
      'access was possible, not proof that data was read in full, copied or uploaded. Network ' +
      'records list domains an app contacted and how often in the report window; they do not show ' +
      'what was sent. The report keeps about seven days, so an absence of records before that ' +
      'window proves nothing.',
  },
  {
    heading: 'iOS backups',
    body:
      'Permission databases in a backup show the state at backup time (granted, denied, limited) ' +
      'and when an entry last changed, not every use. Data-usage counters attribute bytes to ' +
      'processes and are snapshots; they are never summed across snapshots. Installed profiles ' +
      'are listed as found; a profile being present does not prove how it was used.',
  },
  {
    heading: 'Android app ops',
    body:
      'App-ops records (dumpsys appops and its history) show the last or aggregated accesses an ' +
      'app made through the permission system, refusals included. They are bounded by what the ' +
      'OS retains and by its bucketing; a missing entry is not proof of no access, and an op ' +
      'being allowed does not prove it was used. Usage-stats events show activity and screen ' +
      'state only where the device kept them.',
  },
  {
    heading: 'Findings and times',
    body:
      'Findings are produced by documented rules with the parameters stated in the bundle. They ' +
      'point at records worth examining; each carries a caveat saying what it does not prove. ' +
      'Background state marked as inferred is an inference from correlated records, not a report ' +
      'from the OS. Times are shown device-local with their UTC offset. Every record in the ' +
      'bundle carries the sha256 of its source file and its position in that file, so it can be ' +
      'checked against the original evidence, which this tool never modifies.',
  },
];

type Doc = PDFKit.PDFDocument;

/**
 * Renders the report and resolves with the whole PDF. Twice: the first pass only counts the pages
 * (for "Page N of M"); each page is written out as soon as the next begins, so neither pass keeps
 * the document's pages in memory.
 */
export async function renderReportPdf(input: ReportInput): Promise<Buffer> {
  const { pages } = await renderPass(input, null);
  return (await renderPass(input, pages)).pdf;
}

/** One pass over the report; without `total` its bytes are counted, not kept. */
function renderPass(
  input: ReportInput,
  total: number | null,
): Promise<{ pdf: Buffer; pages: number }> {
  const fonts = reportFontPaths();
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN + FOOTER_GAP, left: MARGIN, right: MARGIN },
    bufferPages: false,
    autoFirstPage: true,
    info: {
      Title: `Snoopscope report: ${input.caseName}`,
      Author: input.examiner ?? '',
      Creator: `Snoopscope ${input.toolVersion}`,
      Producer: `Snoopscope ${input.toolVersion}`,
      CreationDate: input.exportedAt,
    },
  });
  // The fonts are only registered: a document opened with a font file as its default would
  // parse that file again on every switch back to it (pdfkit caches it under another key).
  doc.registerFont(SANS, fonts.regular);
  doc.registerFont(BOLD, fonts.bold);
  doc.registerFont(MONO, fonts.mono);
  doc.font(SANS);

  // Each page gets its footer just before the next is added (which writes the page out).
  let page = 1;
  const addPage = doc.addPage.bind(doc);
  doc.addPage = (options?: PDFKit.PDFDocumentOptions) => {
    drawFooter(doc, input, page, total ?? 0);
    page += 1;
    return addPage(options);
  };

  const chunks: Buffer[] = [];
  const done = new Promise<{ pdf: Buffer; pages: number }>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => {
      if (total !== null) chunks.push(chunk);
    });
    doc.on('end', () => resolve({ pdf: Buffer.concat(chunks), pages: page }));
    doc.on('error', reject);
  });

  try {
    drawCover(doc, input);
    doc.addPage();
    drawSummary(doc, input.summary);
    doc.addPage();
    drawFindings(doc, input.findings, input.excerpts ?? {});
    if (input.comparison) drawComparison(doc, input.comparison);
    if (input.heatmap) {
      doc.addPage();
      drawHeatmap(doc, input.heatmap);
    }
    doc.addPage();
    drawMethodology(doc, input);
    doc.addPage();
    drawSources(doc, input);
    drawFooter(doc, input, page, total ?? 0);
    doc.end();
  } catch (err) {
    doc.end();
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
  return done;
}

// ---------------------------------------------------------------------------------------------
// Page furniture

function contentWidth(doc: Doc): number {
  return doc.page.width - doc.page.margins.left - doc.page.margins.right;
}

function bottomLimit(doc: Doc): number {
  return doc.page.height - doc.page.margins.bottom;
}

/** A new page in the current page's size and orientation (the comparison's pages are landscape). */
function nextPage(doc: Doc): void {
  doc.continueOnNewPage();
}

/** Starts a new page when fewer than `needed` points remain. */
function ensureSpace(doc: Doc, needed: number): void {
  if (doc.y + needed > bottomLimit(doc)) {
    nextPage(doc);
  }
}

function heading(doc: Doc, text: string): void {
  doc.font(BOLD).fontSize(18).fillColor(INK);
  doc.text(text, MARGIN, doc.y, { width: contentWidth(doc) });
  const y = doc.y + 2;
  doc
    .moveTo(MARGIN, y)
    .lineTo(MARGIN + contentWidth(doc), y)
    .lineWidth(0.75)
    .strokeColor(INK)
    .stroke();
  doc.y = y + 10;
}

function subheading(doc: Doc, text: string): void {
  ensureSpace(doc, 40);
  doc.moveDown(0.4);
  doc.font(BOLD).fontSize(12).fillColor(INK);
  doc.text(text, MARGIN, doc.y, { width: contentWidth(doc) });
  doc.moveDown(0.2);
}

function paragraph(doc: Doc, text: string, size = 10, color = INK): void {
  doc.font(SANS).fontSize(size).fillColor(color);
  doc.text(text, MARGIN, doc.y, { width: contentWidth(doc), lineGap: 1.5 });
}

/** A label and value on one line, the value wrapping under itself. */
function field(doc: Doc, label: string, value: string, mono = false): void {
  const labelWidth = 130;
  const x = MARGIN;
  const valueWidth = contentWidth(doc) - labelWidth;
  const valueFont = mono && isAscii(value) ? MONO : SANS;
  const size = valueFont === MONO ? 9 : 10;
  doc.font(valueFont).fontSize(size);
  const h = Math.max(doc.heightOfString(value, { width: valueWidth }), 14);
  ensureSpace(doc, h + 2);
  const y = doc.y;
  doc
    .font(BOLD)
    .fontSize(10)
    .fillColor(MUTED)
    .text(label, x, y, { width: labelWidth - 8 });
  doc
    .font(valueFont)
    .fontSize(size)
    .fillColor(INK)
    .text(value, x + labelWidth, y, {
      width: valueWidth,
    });
  doc.y = y + h + 3;
  doc.x = MARGIN;
}

/** pdfkit's text state, kept across a footer drawn in the middle of the page's flow. */
interface TextState {
  _font: unknown;
  _fontSize: number;
  _fontFamily: unknown;
  _fillColor: unknown;
}

/**
 * The footer of the current page: tool, case and "Page N of M". It may be drawn while text flows
 * onto a new page, so the position, font and colour are put back as they were.
 */
function drawFooter(doc: Doc, input: ReportInput, n: number, total: number): void {
  const state = doc as unknown as TextState;
  const { x, y: flowY } = doc;
  const { _font, _fontSize, _fontFamily, _fillColor } = state;
  doc.save();
  const bottom = doc.page.margins.bottom;
  // Writing below the bottom margin would open a new page; lift it while drawing the footer.
  doc.page.margins.bottom = 0;
  const y = doc.page.height - MARGIN - 10;
  const width = contentWidth(doc);
  doc
    .moveTo(MARGIN, y - 6)
    .lineTo(MARGIN + width, y - 6)
    .lineWidth(0.5)
    .strokeColor(RULE_GREY)
    .stroke();
  doc.font(SANS).fontSize(8).fillColor(MUTED);
  doc.text(`Snoopscope ${input.toolVersion} | ${truncate(input.caseName, 70)}`, MARGIN, y, {
    width: width * 0.7,
    lineBreak: false,
  });
  doc.text(`Page ${n} of ${total}`, MARGIN + width * 0.7, y, {
    width: width * 0.3,
    align: 'right',
    lineBreak: false,
  });
  doc.page.margins.bottom = bottom;
  doc.restore();
  Object.assign(state, { _font, _fontSize, _fontFamily, _fillColor });
  doc.x = x;
  doc.y = flowY;
}

// ---------------------------------------------------------------------------------------------
// Cover

function drawCover(doc: Doc, input: ReportInput): void {
  doc.font(SANS).fontSize(11).fillColor(MUTED);
  doc.text('Snoopscope evidence report', MARGIN, MARGIN + 20, { width: contentWidth(doc) });
  doc.moveDown(0.3);
  doc.font(BOLD).fontSize(26).fillColor(INK);
  doc.text(input.caseName, { width: contentWidth(doc) });
  doc.moveDown(0.8);

  field(doc, 'Examiner', input.examiner?.trim() ? input.examiner : 'Not stated');
  field(doc, 'Exported', formatInstant(input.exportedAt, input.timeZone));
  field(doc, 'Tool', `Snoopscope ${input.toolVersion}`);
  field(doc, 'Signer fingerprint', input.fingerprint, true);
  field(doc, 'Filter', input.filterText.trim() ? input.filterText : 'None (all records)');

  subheading(doc, `Devices (${input.devices.length})`);
  if (input.devices.length === 0) {
    paragraph(doc, 'No device in this case.', 10, MUTED);
  }
  for (const d of input.devices) {
    ensureSpace(doc, 70);
    doc.font(BOLD).fontSize(11).fillColor(INK);
    doc.text(d.label, MARGIN, doc.y, { width: contentWidth(doc) });
    const model = [platformWord(d.platform), d.model].filter(Boolean).join(' | ');
    field(doc, 'Model', model || 'Unknown');
    field(doc, 'OS version', d.osVersion ?? 'Unknown');
    field(doc, 'Time zone', deviceZone(d));
    const ids = identifierLines(d);
    field(doc, 'Identifiers', ids.length > 0 ? ids.join('\n') : 'None recorded', true);
    doc.moveDown(0.3);
  }

  subheading(doc, 'Redaction');
  const r = input.redaction;
  field(
    doc,
    'Device identifiers',
    r.identifiersMasked ? 'Masked (partly hidden)' : "Shown in full at the examiner's request",
  );
  field(doc, 'Contexts and URLs', r.contexts ? 'Redacted' : 'Not redacted');
  field(
    doc,
    'Apps',
    r.apps > 0
      ? `${r.apps} app${r.apps === 1 ? '' : 's'} redacted at the examiner's request`
      : 'None redacted',
  );

  subheading(doc, 'Contents');
  const parts = ['Summary', 'Findings'];
  if (input.comparison) parts.push('Comparison');
  if (input.heatmap) parts.push('Heatmap by hour and date');
  parts.push('Methodology and caveats', 'Filter and sources');
  paragraph(doc, parts.join(' | '), 10, MUTED);
  doc.moveDown(0.3);
  paragraph(
    doc,
    'Verify this bundle with: snoopscope verify <bundle.zip> --fingerprint <F>, using a ' +
      'fingerprint obtained separately from the examiner.',
    9,
    MUTED,
  );
}

function platformWord(p: Device['platform']): string {
  return p === 'ios' ? 'iOS' : p === 'android' ? 'Android' : '';
}

function deviceZone(d: Device): string {
  const offset = d.offsetMin === null ? null : `UTC${formatOffset(d.offsetMin)}`;
  if (d.timeZone && offset) return `${d.timeZone} (latest record at ${offset})`;
  return d.timeZone ?? (offset ? `${offset} (from the latest record)` : 'Unknown');
}

function identifierLines(d: Device): string[] {
  const lines: string[] = [];
  const ids = d.identifiers;
  if (ids.udid) lines.push(`UDID ${ids.udid}`);
  if (ids.serial) lines.push(`Serial ${ids.serial}`);
  if (ids.imei) lines.push(`IMEI ${ids.imei}`);
  if (ids.phoneNumber) lines.push(`Phone ${ids.phoneNumber}`);
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Tables

interface Column<T> {
  title: string;
  width: number;
  align?: 'left' | 'right';
  mono?: boolean;
  value: (row: T) => string;
}

function drawTable<T>(doc: Doc, columns: Column<T>[], rows: T[]): void {
  const size = 9;
  const pad = 3;
  const x0 = MARGIN;
  const total = columns.reduce((s, c) => s + c.width, 0);
  const scale = contentWidth(doc) / total;
  const widths = columns.map((c) => c.width * scale);

  const drawHeader = (): void => {
    doc.font(BOLD).fontSize(size);
    const h =
      Math.max(
        ...columns.map((c, i) => doc.heightOfString(c.title, { width: widths[i]! - 2 * pad })),
      ) +
      2 * pad;
    ensureSpace(doc, h + 20);
    const y = doc.y;
    doc.rect(x0, y, contentWidth(doc), h).fillColor('#d0d0d0').fill();
    let x = x0;
    columns.forEach((c, i) => {
      doc
        .fillColor(INK)
        .font(BOLD)
        .fontSize(size)
        .text(c.title, x + pad, y + pad, { width: widths[i]! - 2 * pad, align: c.align ?? 'left' });
      x += widths[i]!;
    });
    doc.y = y + h;
  };

  drawHeader();
  rows.forEach((row, r) => {
    const cells = columns.map((c) => c.value(row));
    const fontsFor = columns.map((c, i) => (c.mono && isAscii(cells[i]!) ? MONO : SANS));
    const h =
      Math.max(
        ...cells.map((text, i) => {
          doc.font(fontsFor[i]!).fontSize(size);
          return doc.heightOfString(text || ' ', { width: widths[i]! - 2 * pad });
        }),
      ) +
      2 * pad;
    if (doc.y + h > bottomLimit(doc)) {
      nextPage(doc);
      drawHeader();
    }
    const y = doc.y;
    if (r % 2 === 1) doc.rect(x0, y, contentWidth(doc), h).fillColor(STRIPE).fill();
    let x = x0;
    cells.forEach((text, i) => {
      doc
        .font(fontsFor[i]!)
        .fontSize(size)
        .fillColor(INK)
        .text(text, x + pad, y + pad, {
          width: widths[i]! - 2 * pad,
          align: columns[i]!.align ?? 'left',
        });
      x += widths[i]!;
    });
    doc
      .moveTo(x0, y + h)
      .lineTo(x0 + contentWidth(doc), y + h)
      .lineWidth(0.25)
      .strokeColor(RULE_GREY)
      .stroke();
    doc.y = y + h;
  });
  doc.x = MARGIN;
  doc.moveDown(0.5);
}

// ---------------------------------------------------------------------------------------------
// Summary

function drawSummary(doc: Doc, summary: SummaryItem[]): void {
  heading(doc, 'Summary');
  paragraph(
    doc,
    'Access sessions per device, app and category within the filter. "Night" counts sessions ' +
      'inside the quiet hours (device-local). "Longest" is the longest single session.',
    9,
    MUTED,
  );
  doc.moveDown(0.5);
  if (summary.length === 0) {
    paragraph(doc, 'No access sessions within the filter.');
    return;
  }
  const rows = [...summary].sort(
    (a, b) =>
      a.device.localeCompare(b.device) ||
      appLabel(a.appName, a.app).localeCompare(appLabel(b.appName, b.app)) ||
      a.category.localeCompare(b.category),
  );
  const multiDevice = new Set(rows.map((r) => r.deviceId)).size > 1;
  const columns: Column<SummaryItem>[] = [];
  if (multiDevice) columns.push({ title: 'Device', width: 80, value: (r) => r.device });
  columns.push(
    { title: 'App', width: 150, value: (r) => appCell(r.appName, r.app) },
    { title: 'Category', width: 80, value: (r) => categoryWord(r.category) },
    {
      title: 'Sessions',
      width: 55,
      align: 'right',
      value: (r) =>
        r.openSessions > 0 ? `${r.sessions}\n(${r.openSessions} open)` : String(r.sessions),
    },
    { title: 'Night', width: 45, align: 'right', value: (r) => String(r.nightSessions) },
    { title: 'Longest', width: 60, align: 'right', value: (r) => formatDuration(r.longestMs) },
    {
      title: 'First / last (device-local)',
      width: 140,
      value: (r) => `${formatLocal(r.first)}\n${formatLocal(r.last)}`,
    },
  );
  drawTable(doc, columns, rows);
}

// ---------------------------------------------------------------------------------------------
// Findings

function drawFindings(
  doc: Doc,
  findings: Finding[],
  excerpts: Record<string, { ms: number; durationMs: number }[]>,
): void {
  heading(doc, 'Findings');
  if (findings.length === 0) {
    paragraph(doc, 'No rule produced a finding within the filter.');
    return;
  }
  const counts = (['high', 'medium', 'low', 'info'] as const)
    .map((s) => ({ s, n: findings.filter((f) => f.severity === s).length }))
    .filter((c) => c.n > 0)
    .map((c) => `${c.n} ${SEVERITY_WORDS[c.s].toLowerCase()}`);
  paragraph(
    doc,
    `${findings.length} finding${findings.length === 1 ? '' : 's'}: ${counts.join(', ')}. ` +
      'Severity follows the documented criteria of each rule and is written out in words.',
    9,
    MUTED,
  );
  doc.moveDown(0.6);

  const detailed = detailedFindings(findings);
  for (const f of detailed) drawFinding(doc, f, excerpts[f.id] ?? []);
  // Pages for thousands of findings would hold the whole document in memory for little use.
  if (findings.length > detailed.length)
    paragraph(
      doc,
      `${findings.length - detailed.length} more finding${findings.length - detailed.length === 1 ? '' : 's'} of lower rank are not detailed here: findings.csv lists every finding with its evidence.`,
      9,
      MUTED,
    );
}

/** The report details at most this many findings, the most severe first. */
export const REPORT_FINDINGS_DETAILED = 300;

/** The findings the report details, in its order: most severe first, then by rule and id. */
export function detailedFindings<T extends Finding>(findings: readonly T[]): T[] {
  return [...findings]
    .sort(
      (a, b) =>
        SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
        a.rule.localeCompare(b.rule) ||
        a.id.localeCompare(b.id),
    )
    .slice(0, REPORT_FINDINGS_DETAILED);
}

/**
 * A timeline excerpt of a finding's evidence: its accesses as black marks (width by duration,
 * at least a hairline) on a grey strip from the first to the last, with the two ends labelled.
 */
function drawExcerpt(
  doc: Doc,
  x: number,
  width: number,
  marks: { ms: number; durationMs: number }[],
  first: string | null,
  last: string | null,
): void {
  if (marks.length === 0) return;
  const from = Math.min(...marks.map((m) => m.ms));
  const to = Math.max(...marks.map((m) => m.ms + m.durationMs));
  const span = Math.max(1, to - from);
  ensureSpace(doc, 30);
  const y = doc.y + 2;
  doc.rect(x, y, width, 10).fillColor(STRIPE).fill();
  doc.rect(x, y, width, 10).lineWidth(0.5).strokeColor(RULE_GREY).stroke();
  for (const m of marks) {
    const mx = x + ((m.ms - from) / span) * width;
    const mw = Math.max(0.8, (m.durationMs / span) * width);
    doc
      .rect(Math.min(mx, x + width - mw), y, mw, 10)
      .fillColor(INK)
      .fill();
  }
  doc.font(SANS).fontSize(7).fillColor(MUTED);
  doc.text(`Timeline excerpt, ${marks.length} access${marks.length === 1 ? '' : 'es'}`, x, y + 12, {
    width: width / 3,
    lineBreak: false,
  });
  if (first)
    doc.text(formatIso(first), x + width / 3, y + 12, {
      width: width / 3,
      align: 'center',
      lineBreak: false,
    });
  if (last)
    doc.text(formatIso(last), x + (2 * width) / 3, y + 12, {
      width: width / 3,
      align: 'right',
      lineBreak: false,
    });
  doc.fillColor(INK);
  doc.y = y + 24;
}

function drawFinding(
  doc: Doc,
  f: ReportFinding,
  marks: { ms: number; durationMs: number }[],
): void {
  const width = contentWidth(doc);
  const badgeW = 78;
  const textX = MARGIN + badgeW + 8;
  const textW = width - badgeW - 8;

  doc.font(BOLD).fontSize(11);
  const titleH = doc.heightOfString(f.title, { width: textW });
  ensureSpace(doc, titleH + 80);

  const y = doc.y;
  // Severity badge: shade plus the word, so it reads without colour.
  const fill = SEVERITY_FILL[f.severity];
  doc
    .rect(MARGIN, y + 1, badgeW, 16)
    .lineWidth(0.75)
    .fillColor(fill)
    .strokeColor(INK)
    .fillAndStroke();
  doc
    .font(BOLD)
    .fontSize(8.5)
    .fillColor(f.severity === 'high' || f.severity === 'medium' ? '#ffffff' : INK)
    .text(SEVERITY_WORDS[f.severity].toUpperCase(), MARGIN, y + 3.5, {
      width: badgeW,
      align: 'center',
      lineBreak: false,
    });
  doc.font(BOLD).fontSize(11).fillColor(INK).text(f.title, textX, y, { width: textW });
  doc.y = Math.max(doc.y, y + 20);

  const who = [
    f.device,
    f.app
      ? appLabel(f.appName, f.app) + (f.appName && f.appName !== f.app ? ` (${f.app})` : '')
      : null,
    f.category ? categoryWord(f.category) : null,
  ]
    .filter(Boolean)
    .join(' | ');
  const lines: [string, string, boolean][] = [
    ['Severity', SEVERITY_WORDS[f.severity], false],
    ['Rule', f.rule, false],
    ['Where', who, false],
    ['Count', String(f.count), false],
    ['First', formatIso(f.first), false],
    ['Last', formatIso(f.last), false],
    ['Caveat', f.caveat, false],
  ];
  if (f.evidence.length === 0) lines.push(['Evidence', 'None listed', false]);

  const labelW = 60;
  for (const [label, value, mono] of lines) {
    const font = mono && isAscii(value) ? MONO : SANS;
    doc.font(font).fontSize(9);
    const h = doc.heightOfString(value, { width: textW - labelW });
    ensureSpace(doc, h + 2);
    const ly = doc.y;
    doc
      .font(BOLD)
      .fontSize(9)
      .fillColor(MUTED)
      .text(label, textX, ly, { width: labelW - 4 });
    doc
      .font(font)
      .fontSize(9)
      .fillColor(INK)
      .text(value, textX + labelW, ly, { width: textW - labelW });
    doc.y = ly + Math.max(h, 11) + 1.5;
  }
  if (f.evidence.length > 0) drawEvidence(doc, f, textX + labelW, textW - labelW, textX, labelW);
  drawExcerpt(doc, textX, textW, marks, f.first, f.last);
  doc.x = MARGIN;
  const sepY = doc.y + 5;
  if (sepY < bottomLimit(doc)) {
    doc
      .moveTo(MARGIN, sepY)
      .lineTo(MARGIN + width, sepY)
      .lineWidth(0.25)
      .strokeColor(RULE_GREY)
      .stroke();
  }
  doc.y = sepY + 9;
}

/**
 * A finding's evidence as two columns: each record id (monospace) beside the source file and the
 * place in it (line, table and rowid, section and line) where it was read, so a reader without the
 * case can open the original file at that place. Rows break across pages whole, and the label is
 * repeated on a new page.
 */
function drawEvidence(
  doc: Doc,
  f: ReportFinding,
  x: number,
  width: number,
  labelX: number,
  labelW: number,
): void {
  const size = 8.5;
  const shown = f.evidence.slice(0, EVIDENCE_SHOWN);
  // The id column is as wide as the longest id shown, between a quarter and a half of the width.
  doc.font(MONO).fontSize(size);
  const longest = Math.max(...shown.map((id) => doc.widthOfString(id)));
  const idW = Math.round(Math.min(width * 0.5, Math.max(width * 0.25, longest + 4)));
  const whereX = x + idW + 6;
  const whereW = width - idW - 6;
  const more = (f.evidenceListed ?? f.evidence.length) - shown.length;
  const rows: { id: string; where: string }[] = shown.map((id, i) => ({
    id,
    where: f.evidenceWhere?.[i] ?? '',
  }));
  let labelled = false;
  let first = true;
  let page = doc.page;
  const label = (text: string, y: number): void => {
    doc
      .font(BOLD)
      .fontSize(9)
      .fillColor(MUTED)
      .text(text, labelX, y, { width: labelW - 4 });
  };
  const labelHeight = (text: string): number =>
    doc
      .font(BOLD)
      .fontSize(9)
      .heightOfString(text, { width: labelW - 4 });
  for (const r of rows) {
    const idFont = isAscii(r.id) ? MONO : SANS;
    doc.font(idFont).fontSize(size);
    const idH = doc.heightOfString(r.id, { width: idW });
    doc.font(SANS).fontSize(size);
    const whereH = r.where === '' ? 0 : doc.heightOfString(r.where, { width: whereW });
    const rowH = Math.max(idH, whereH, 10);
    // A row that starts a page carries the (continued) label: room for both.
    ensureSpace(doc, Math.max(rowH, labelHeight('Evidence (cont.)')) + 2);
    if (doc.page !== page) {
      page = doc.page;
      labelled = false;
    }
    const y = doc.y;
    let h = rowH;
    if (!labelled) {
      const text = first ? 'Evidence' : 'Evidence (cont.)';
      label(text, y);
      h = Math.max(h, labelHeight(text));
      labelled = true;
    }
    first = false;
    doc.font(idFont).fontSize(size).fillColor(INK).text(r.id, x, y, { width: idW });
    if (r.where !== '')
      doc.font(SANS).fontSize(size).fillColor(INK).text(r.where, whereX, y, { width: whereW });
    doc.y = y + h + 2;
  }
  if (more > 0) {
    const note = `+${more} more: findings.csv lists every id with its source file and place.`;
    doc.font(SANS).fontSize(size);
    const h = doc.heightOfString(note, { width });
    ensureSpace(doc, h + 2);
    const y = doc.y;
    doc.fillColor(MUTED).text(note, x, y, { width });
    doc.y = y + h + 2;
  }
  doc.fillColor(INK);
  doc.x = MARGIN;
}

// ---------------------------------------------------------------------------------------------
// Comparison

/** The comparison's pages are landscape, so three compared columns fit beside the app. */
const LANDSCAPE: PDFKit.PDFDocumentOptions = {
  size: 'A4',
  layout: 'landscape',
  margins: { top: MARGIN, bottom: MARGIN + FOOTER_GAP, left: MARGIN, right: MARGIN },
};

/** The values shown for each compared column, at their narrowest widths. */
const COMPARE_VALUES: { key: keyof ComparisonCells; title: string; width: number }[] = [
  { key: 'perDay', title: 'per day', width: 34 },
  { key: 'night', title: 'night', width: 26 },
  { key: 'median', title: 'median s', width: 34 },
  { key: 'longest', title: 'longest s', width: 38 },
  { key: 'background', title: 'backgr.', width: 32 },
];
const GROUP_MIN = COMPARE_VALUES.reduce((s, v) => s + v.width, 0);
/** A compared column is never drawn wider than this; the app column takes the rest. */
const GROUP_MAX = 220;
const APP_MIN = 140;
const CATEGORY_W = 58;
const CHANGE_W = 42;
/** No-data runs listed per column in the report (the CSV lists all). */
const NO_DATA_SHOWN = 4;

function drawComparison(doc: Doc, c: ReportComparison): void {
  doc.addPage(LANDSCAPE);
  heading(doc, 'Comparison');
  paragraph(
    doc,
    `${c.columns.length} columns compared side by side: devices, or periods of one device, each ` +
      'over the device-local days its sources cover. The comparison is computed over the whole ' +
      "case, not limited by the bundle's filter; comparison.csv and comparison-columns.csv hold " +
      'the same values, and the manifest records the request.',
    9,
    MUTED,
  );
  doc.moveDown(0.4);

  subheading(doc, 'What was compared');
  drawTable<ReportComparisonColumn>(
    doc,
    [
      { title: 'Column', width: 150, value: (col) => col.label },
      { title: 'Device', width: 80, value: (col) => col.device },
      {
        title: 'Period (device-local days, both included)',
        width: 120,
        value: (col) => periodText(col.from, col.to),
      },
      {
        title: 'Observed days',
        width: 55,
        align: 'right',
        value: (col) => String(col.observedDays),
      },
      {
        title: 'First / last observed',
        width: 75,
        value: (col) =>
          col.firstObserved === null ? '–' : `${col.firstObserved}\n${col.lastObserved ?? ''}`,
      },
      { title: 'Days without data in the period', width: 160, value: noDataText },
      { title: 'Days counted at', width: 60, value: (col) => `UTC${formatOffset(col.offsetMin)}` },
    ],
    c.columns,
  );
  field(doc, 'Night window', `${c.night.from} to ${c.night.to}, device-local`);
  if (c.pairings.length > 0)
    field(
      doc,
      'Paired apps',
      `${c.pairings.map((p) => `${p.a} = ${p.b}`).join('; ')}: counted as one app.`,
    );
  doc.moveDown(0.3);
  paragraph(
    doc,
    "Rates are per observed day: a column's sessions divided by the device-local days its " +
      'sources cover. Days without data are not counted as days without activity: they are ' +
      'left out of the rate, never counted as zero.',
    9.5,
  );

  subheading(doc, 'Matrix');
  const ranked = rankComparisonRows(c.rows);
  const marked = ranked.filter((r) => r.marked).length;
  paragraph(
    doc,
    'Per app and category, for each compared column: sessions per observed day, night sessions ' +
      '(count), median and longest closed session in seconds, and the background share of the ' +
      'sessions whose app state is known. "no data": the column has no observed day; "n/a": the ' +
      'data cannot give the value (no app state recorded, or only sessions still open); "–": no ' +
      'session. Rows are sorted by Change, the largest difference in sessions per day between ' +
      'the columns' +
      (marked > 0
        ? `; a black bar marks the ${marked === 1 ? 'largest' : `${marked} largest`}, and in ` +
          'those rows the highest rate is bold with ▲ and the lowest bold with ▼.'
        : '.'),
    9,
    MUTED,
  );
  doc.moveDown(0.4);
  if (ranked.length === 0) {
    paragraph(doc, 'No access sessions in the compared columns.');
    return;
  }
  const fixed = APP_MIN + CATEGORY_W + CHANGE_W;
  const slices = columnSlices(
    c.columns.length,
    Math.floor((contentWidth(doc) - fixed) / GROUP_MIN),
  );
  for (const slice of slices) {
    // Keep a slice's title with its header and first rows.
    ensureSpace(doc, 80);
    if (slices.length > 1)
      subheading(
        doc,
        `Columns ${slice[0]! + 1}–${slice[slice.length - 1]! + 1} of ${c.columns.length}`,
      );
    drawComparisonMatrix(doc, c, ranked, slice);
  }
}

/** A period as days, both included: `to` is exclusive in the request. */
function periodText(from: string | null, to: string | null): string {
  const last = to === null ? null : dayBefore(to);
  if (from !== null && last !== null) return `${from} to ${last}`;
  if (from !== null) return `from ${from}`;
  if (last !== null) return `up to ${last}`;
  return 'all days with data';
}

function dayBefore(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1, d! - 1)).toISOString().slice(0, 10);
}

function noDataText(col: ReportComparisonColumn): string {
  if (col.observedDays === 0) return 'No observed day';
  if (col.noDataDays === 0) return 'None';
  const runs = col.noData
    .slice(0, NO_DATA_SHOWN)
    .map((r) => (r.first === r.last ? r.first : `${r.first} to ${r.last}`));
  const more = col.noData.length - NO_DATA_SHOWN;
  return (
    `${col.noDataDays} day${col.noDataDays === 1 ? '' : 's'}: ${runs.join(', ')}` +
    (more > 0 ? ` (+${more} more runs in comparison-columns.csv)` : '')
  );
}

/** A small filled triangle pointing up or down, centred on x, inside a line of text at y. */
function triangle(doc: Doc, x: number, y: number, up: boolean): void {
  const h = 4.2;
  const w = 5;
  if (up) doc.polygon([x, y], [x + w / 2, y + h], [x - w / 2, y + h]);
  else doc.polygon([x - w / 2, y], [x + w / 2, y], [x, y + h]);
  doc.fillColor(INK).fill();
}

/**
 * The matrix for some of the compared columns: the app, its category and the change, then one
 * group of values per compared column; the header repeats on every page.
 */
function drawComparisonMatrix(
  doc: Doc,
  c: ReportComparison,
  ranked: RankedRow[],
  slice: number[],
): void {
  const size = 7.5;
  const pad = 3;
  const x0 = MARGIN;
  const width = contentWidth(doc);
  const groupW = Math.min(GROUP_MAX, (width - APP_MIN - CATEGORY_W - CHANGE_W) / slice.length);
  const appW = width - CATEGORY_W - CHANGE_W - groupW * slice.length;
  const valueW = COMPARE_VALUES.map((v) => (v.width * groupW) / GROUP_MIN);
  const catX = x0 + appW;
  const changeX = catX + CATEGORY_W;
  const groupX = (k: number): number => changeX + CHANGE_W + k * groupW;

  const separators = (y: number, h: number, color: string): void => {
    for (let k = 0; k < slice.length; k += 1)
      doc
        .moveTo(groupX(k), y)
        .lineTo(groupX(k), y + h)
        .lineWidth(0.5)
        .strokeColor(color)
        .stroke();
  };

  const drawHeader = (): void => {
    doc.font(BOLD).fontSize(8);
    const titleH =
      Math.max(
        ...slice.map((i) => doc.heightOfString(c.columns[i]!.label, { width: groupW - 2 * pad })),
      ) +
      2 * pad;
    doc.font(BOLD).fontSize(6.5);
    const subH =
      Math.max(
        ...COMPARE_VALUES.map((v, j) => doc.heightOfString(v.title, { width: valueW[j]! - 4 })),
      ) +
      2 * pad;
    const h = titleH + subH;
    ensureSpace(doc, h + 30);
    const y = doc.y;
    doc.rect(x0, y, width, h).fillColor('#d0d0d0').fill();
    doc.font(BOLD).fontSize(8).fillColor(INK);
    doc.text('App', x0 + pad + 4, y + pad, { width: appW - 2 * pad - 4 });
    doc.text('Category', catX + pad, y + pad, { width: CATEGORY_W - 2 * pad });
    doc.text('Change per day', changeX + pad, y + pad, {
      width: CHANGE_W - 2 * pad,
      align: 'right',
    });
    slice.forEach((i, k) => {
      const gx = groupX(k);
      doc
        .font(BOLD)
        .fontSize(8)
        .fillColor(INK)
        .text(c.columns[i]!.label, gx + pad, y + pad, { width: groupW - 2 * pad, align: 'center' });
      doc
        .moveTo(gx + pad, y + titleH)
        .lineTo(gx + groupW - pad, y + titleH)
        .lineWidth(0.5)
        .strokeColor(MUTED)
        .stroke();
      let vx = gx;
      COMPARE_VALUES.forEach((v, j) => {
        doc
          .font(BOLD)
          .fontSize(6.5)
          .fillColor(INK)
          .text(v.title, vx + 2, y + titleH + pad, {
            width: valueW[j]! - 4,
            align: 'right',
          });
        vx += valueW[j]!;
      });
    });
    separators(y, h, MUTED);
    doc.y = y + h;
  };

  drawHeader();
  ranked.forEach((r, n) => {
    const { row } = r;
    const name = appLabel(row.appName, row.app);
    const textW = appW - 2 * pad - 4;
    const nameFont = r.marked ? BOLD : SANS;
    const idFont = isAscii(row.app) ? MONO : SANS;
    const showId = name !== row.app;
    const others = row.apps.filter((a) => a !== row.app);
    const paired = others.length > 0 ? `paired with ${others.join(', ')}` : '';
    doc.font(nameFont).fontSize(size);
    let appH = doc.heightOfString(name, { width: textW });
    doc.font(idFont).fontSize(6.5);
    if (showId) appH += doc.heightOfString(row.app, { width: textW });
    doc.font(SANS).fontSize(6.5);
    if (paired) appH += doc.heightOfString(paired, { width: textW });
    doc.font(SANS).fontSize(size);
    const catH = doc.heightOfString(categoryWord(row.category), { width: CATEGORY_W - 2 * pad });
    const h = Math.max(appH, catH, size * 1.4) + 2 * pad;
    if (doc.y + h > bottomLimit(doc)) {
      nextPage(doc);
      drawHeader();
    }
    const y = doc.y;
    if (n % 2 === 1) doc.rect(x0, y, width, h).fillColor(STRIPE).fill();
    if (r.marked) doc.rect(x0, y, 3, h).fillColor(INK).fill();

    let ay = y + pad;
    doc
      .font(nameFont)
      .fontSize(size)
      .fillColor(INK)
      .text(name, x0 + pad + 4, ay, { width: textW });
    ay = doc.y;
    if (showId) {
      doc
        .font(idFont)
        .fontSize(6.5)
        .fillColor(MUTED)
        .text(row.app, x0 + pad + 4, ay, { width: textW });
      ay = doc.y;
    }
    if (paired)
      doc
        .font(SANS)
        .fontSize(6.5)
        .fillColor(MUTED)
        .text(paired, x0 + pad + 4, ay, { width: textW });
    doc
      .font(SANS)
      .fontSize(size)
      .fillColor(INK)
      .text(categoryWord(row.category), catX + pad, y + pad, { width: CATEGORY_W - 2 * pad });
    doc
      .font(r.marked ? BOLD : SANS)
      .fontSize(size)
      .fillColor(r.change === null ? MUTED : INK)
      .text(r.change === null ? '–' : formatNumber(r.change), changeX + pad, y + pad, {
        width: CHANGE_W - 2 * pad,
        align: 'right',
      });

    slice.forEach((i, k) => {
      const gx = groupX(k);
      const cells = comparisonCells(row.columns[i]!);
      if (cells === 'no data') {
        doc
          .font(SANS)
          .fontSize(size)
          .fillColor(MUTED)
          .text('no data', gx + pad, y + pad, { width: groupW - 2 * pad, align: 'center' });
        return;
      }
      let vx = gx;
      COMPARE_VALUES.forEach((v, j) => {
        const text = cells[v.key];
        const up = r.marked && v.key === 'perDay' && r.highest.includes(i);
        const down = r.marked && v.key === 'perDay' && r.lowest.includes(i);
        const muted = text === '–' || text === 'n/a';
        doc
          .font(up || down ? BOLD : SANS)
          .fontSize(size)
          .fillColor(muted ? MUTED : INK)
          .text(text, vx + pad, y + pad, { width: valueW[j]! - 2 * pad, align: 'right' });
        if (up || down) {
          const tw = doc.widthOfString(text);
          triangle(doc, vx + valueW[j]! - pad - tw - 5, y + pad + 2.6, up);
        }
        vx += valueW[j]!;
      });
    });
    separators(y, h, RULE_GREY);
    doc
      .moveTo(x0, y + h)
      .lineTo(x0 + width, y + h)
      .lineWidth(0.25)
      .strokeColor(RULE_GREY)
      .stroke();
    doc.y = y + h;
    doc.x = MARGIN;
  });
  doc.x = MARGIN;
  doc.moveDown(0.5);
}

// ---------------------------------------------------------------------------------------------
// Heatmap

function drawHeatmap(doc: Doc, heatmap: HeatmapResult): void {
  heading(doc, 'Access by hour and date');
  paragraph(
    doc,
    'Access sessions starting in each device-local hour of each date. Darker cells hold more ' +
      'sessions; empty cells are white with a faint outline.',
    9,
    MUTED,
  );
  doc.moveDown(0.5);
  if (heatmap.fromDay === null || heatmap.toDay === null || heatmap.cells.length === 0) {
    paragraph(doc, 'No sessions within the filter.');
    return;
  }

  let fromDay = heatmap.fromDay;
  const toDay = heatmap.toDay;
  if (toDay - fromDay + 1 > HEATMAP_MAX_DAYS) {
    fromDay = toDay - HEATMAP_MAX_DAYS + 1;
    paragraph(
      doc,
      `The period is longer than ${HEATMAP_MAX_DAYS} days; the most recent ${HEATMAP_MAX_DAYS} are shown.`,
      9,
      MUTED,
    );
  }

  const counts = new Map<number, number>();
  for (const c of heatmap.cells) {
    if (c.day < fromDay || c.day > toDay) continue;
    const key = c.day * 24 + c.hour;
    counts.set(key, (counts.get(key) ?? 0) + c.sessions);
  }
  const max = Math.max(0, ...counts.values());
  const shades = ['#d9d9d9', '#a6a6a6', '#6e6e6e', '#333333', '#000000'];
  const bucketOf = (n: number): number =>
    n <= 0 || max <= 0 ? -1 : Math.min(shades.length - 1, Math.ceil((n / max) * shades.length) - 1);

  drawHeatmapLegend(doc, shades, max);

  const labelW = 62;
  const cellW = (contentWidth(doc) - labelW) / 24;
  const cellH = 10;
  const days: number[] = [];
  for (let d = fromDay; d <= toDay; d += 1) days.push(d);

  const hourHeader = (): void => {
    const y = doc.y;
    doc.font(SANS).fontSize(6.5).fillColor(MUTED);
    for (let h = 0; h < 24; h += 1) {
      doc.text(String(h).padStart(2, '0'), MARGIN + labelW + h * cellW, y, {
        width: cellW,
        align: 'center',
        lineBreak: false,
      });
    }
    doc.y = y + 11;
  };

  ensureSpace(doc, 11 + cellH * 3);
  hourHeader();
  for (const day of days) {
    if (doc.y + cellH > bottomLimit(doc)) {
      doc.addPage();
      hourHeader();
    }
    const y = doc.y;
    doc
      .font(SANS)
      .fontSize(7)
      .fillColor(INK)
      .text(dayLabel(day), MARGIN, y + 1.2, { width: labelW - 4, lineBreak: false });
    for (let h = 0; h < 24; h += 1) {
      const n = counts.get(day * 24 + h) ?? 0;
      const b = bucketOf(n);
      const x = MARGIN + labelW + h * cellW;
      if (b < 0) {
        doc
          .rect(x + 0.5, y + 0.5, cellW - 1, cellH - 1)
          .lineWidth(0.2)
          .strokeColor('#c8c8c8')
          .stroke();
      } else {
        doc
          .rect(x + 0.5, y + 0.5, cellW - 1, cellH - 1)
          .fillColor(shades[b]!)
          .fill();
      }
    }
    doc.y = y + cellH;
  }
  doc.x = MARGIN;
  doc.moveDown(0.5);
}

function drawHeatmapLegend(doc: Doc, shades: string[], max: number): void {
  const y = doc.y;
  let x = MARGIN;
  doc.font(SANS).fontSize(8).fillColor(INK);
  doc.text('Sessions per hour:', x, y + 1, { lineBreak: false });
  x += doc.widthOfString('Sessions per hour:') + 8;
  const swatch = (fill: string | null, label: string): void => {
    if (fill === null) {
      doc
        .rect(x, y + 1, 10, 10)
        .lineWidth(0.4)
        .strokeColor('#888888')
        .stroke();
    } else {
      doc
        .rect(x, y + 1, 10, 10)
        .fillColor(fill)
        .fill();
    }
    doc.fillColor(INK).text(label, x + 13, y + 1, { lineBreak: false });
    x += 13 + doc.widthOfString(label) + 10;
  };
  swatch(null, '0');
  shades.forEach((fill, i) => {
    const lo = Math.floor((i * max) / shades.length) + 1;
    const hi = Math.floor(((i + 1) * max) / shades.length);
    if (hi < lo) return;
    swatch(fill, lo === hi ? String(lo) : `${lo}–${hi}`);
  });
  doc.y = y + 18;
  doc.x = MARGIN;
}

// ---------------------------------------------------------------------------------------------
// Methodology, filter, sources

function drawMethodology(doc: Doc, input: ReportInput): void {
  heading(doc, 'Methodology and caveats');
  for (const m of METHODOLOGY) {
    subheading(doc, m.heading);
    paragraph(doc, m.body, 9.5);
  }
  subheading(doc, 'Redaction');
  paragraph(
    doc,
    [
      input.redaction.identifiersMasked
        ? 'Device identifiers are masked.'
        : 'Device identifiers are shown in full.',
      input.redaction.contexts
        ? 'Contexts and URLs are replaced by a placeholder.'
        : 'Contexts and URLs are shown as recorded.',
      input.redaction.apps > 0
        ? `${input.redaction.apps} app${input.redaction.apps === 1 ? ' is' : 's are'} redacted: ` +
          'each identifier and display name is replaced by redacted-app-N wherever it occurs, ' +
          'also inside record ids, domains, contexts and file names.'
        : 'No app is redacted.',
    ].join(' '),
    9.5,
  );
  if (input.audit) drawAuditNote(doc, input.audit);
}

/** What the bundle's copy of the audit log proves, and which entries it cannot re-verify. */
function drawAuditNote(doc: Doc, a: ReportAudit): void {
  subheading(doc, 'Audit log');
  const parts = [
    `manifest.json carries the case's audit log (${a.entries} entr${a.entries === 1 ? 'y' : 'ies'}): ` +
      'every import, annotation and export, each entry chained to the one before by SHA-256, so ' +
      `editing one breaks the chain. At export: ${a.message}`,
  ];
  if (a.redacted > 0)
    parts.push(
      `${a.redacted} entr${a.redacted === 1 ? 'y mentions' : 'ies mention'} a redacted app or a ` +
        'masked identifier: the manifest withholds their contents and, for entries written with ' +
        'payload hashing, publishes the SHA-256 of the contents instead, from which the chain is ' +
        'still recomputed.',
    );
  if (a.unverifiable.length > 0)
    parts.push(
      `Entr${a.unverifiable.length === 1 ? 'y' : 'ies'} ${a.unverifiable.join(', ')} ` +
        `${a.unverifiable.length === 1 ? 'was' : 'were'} written before Snoopscope chained ` +
        'payload hashes: with the contents withheld, this bundle alone cannot re-verify ' +
        `${a.unverifiable.length === 1 ? 'it' : 'them'}; only the link to the next entry is ` +
        "checked. The examiner's case file verifies them in full.",
    );
  paragraph(doc, parts.join(' '), 9.5);
}

function drawSources(doc: Doc, input: ReportInput): void {
  heading(doc, 'Filter and sources');
  subheading(doc, 'Filter used');
  const filter = input.filterText.trim() ? input.filterText : 'None (all records)';
  doc.font(SANS).fontSize(9.5);
  const fh = doc.heightOfString(filter, { width: contentWidth(doc) - 16 });
  ensureSpace(doc, fh + 14);
  const fy = doc.y;
  doc
    .rect(MARGIN, fy, contentWidth(doc), fh + 10)
    .lineWidth(0.5)
    .strokeColor(RULE_GREY)
    .stroke();
  doc.fillColor(INK).text(filter, MARGIN + 8, fy + 5, { width: contentWidth(doc) - 16 });
  doc.y = fy + fh + 16;
  doc.x = MARGIN;

  subheading(doc, `Sources (${input.sources.length})`);
  paragraph(
    doc,
    'Every source file the case was built from, with the sha256 computed while importing it. ' +
      'Compare these with hashes of the original files.',
    9,
    MUTED,
  );
  doc.moveDown(0.4);
  if (input.sources.length === 0) {
    paragraph(doc, 'No source.');
  }
  const deviceNames = new Map(input.devices.map((d) => [d.id, d.label]));
  input.sources.forEach((s, i) => {
    ensureSpace(doc, 90);
    doc.font(BOLD).fontSize(10).fillColor(INK);
    doc.text(`${i + 1}. ${s.fileName}`, MARGIN, doc.y, { width: contentWidth(doc) });
    doc.moveDown(0.15);
    field(doc, 'sha256', s.sha256, true);
    field(doc, 'Path', s.path, true);
    field(doc, 'Device', deviceNames.get(s.deviceId) ?? `#${s.deviceId}`);
    field(doc, 'Importer', `${s.importer} ${s.importerVersion}`);
    field(doc, 'Size', `${s.size.toLocaleString('en-US')} bytes`);
    field(doc, 'Imported', formatInstant(new Date(s.importedAt), input.timeZone));
    if (s.dataFrom !== null && s.dataTo !== null) {
      field(
        doc,
        'Data covers',
        `${formatInstant(new Date(s.dataFrom), 'UTC')} to ${formatInstant(new Date(s.dataTo), 'UTC')}`,
      );
    }
    doc.moveDown(0.4);
  });

  subheading(doc, 'Tool');
  paragraph(doc, `Snoopscope ${input.toolVersion}`, 9.5);
}

// ---------------------------------------------------------------------------------------------
// Formatting

function isAscii(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7e]*$/.test(s);
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 3)}...`;
}

function appLabel(appName: string | null, app: string): string {
  return appName && appName.trim() ? appName : app;
}

function appCell(appName: string | null, app: string): string {
  return appName && appName.trim() && appName !== app ? `${appName}\n${app}` : app;
}

function categoryWord(c: Category): string {
  return CATEGORY_LABELS[c] ?? c;
}

function formatOffset(offsetMin: number): string {
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** `2024-03-05 01:12 +08:00` from an instant and the device's offset at that instant. */
function formatLocal(t: { ms: number; offsetMin: number } | null): string {
  if (!t) return '–';
  const local = new Date(t.ms + t.offsetMin * 60_000).toISOString();
  return `${local.slice(0, 10)} ${local.slice(11, 16)} ${formatOffset(t.offsetMin)}`;
}

/** An ISO-8601 string with offset, shown as `2024-03-05 01:12:09 +08:00`. */
function formatIso(s: string | null): string {
  if (!s) return '–';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.exec(s);
  if (!m) return s;
  const zone = m[3] === undefined ? '' : m[3] === 'Z' ? ' UTC' : ` UTC${m[3]}`;
  return `${m[1]} ${m[2]}${zone}`;
}

/** An instant in an IANA zone, with the offset and the zone's name. */
function formatInstant(d: Date, timeZone?: string): string {
  const zone = timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    }).formatToParts(d);
  } catch {
    return `${d.toISOString().replace('T', ' ').slice(0, 19)} UTC`;
  }
  const get = (t: Intl.DateTimeFormatPartTypes): string =>
    parts.find((p) => p.type === t)?.value ?? '';
  const offset = get('timeZoneName').replace('GMT', 'UTC');
  const shownOffset = offset === 'UTC' ? 'UTC+00:00' : offset;
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')} ${shownOffset} (${zone})`;
}

function formatDuration(ms: number | null): string {
  if (ms === null) return '–';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

function dayLabel(day: number): string {
  const d = new Date(day * 86_400_000);
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()]!;
  return `${d.toISOString().slice(0, 10)} ${weekday}`;
}
