/** Rendering the whole report: two passes over the sections, pages written out as they end. */
import PDFDocument from 'pdfkit';
import { answerModel } from './answer-model';
import { drawAnswerPage } from './answer-page';
import { drawComparison } from './comparison';
import { drawCover } from './cover';
import { drawFindings } from './findings';
import { drawHeatmap } from './heatmap';
import { BOLD, FOOTER_GAP, MARGIN, MONO, SANS, drawFooter, reportFontPaths } from './layout';
import { drawMethodology } from './methodology';
import { drawSources } from './sources';
import { drawSummary } from './summary';
import type { ReportInput } from './types';

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
    forgetWordLayouts(doc);
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
    const answer = answerModel(input);
    drawAnswerPage(doc, input.caseName, answer);
    doc.addPage();
    drawCover(doc, input);
    doc.addPage();
    drawSummary(doc, input.summary);
    doc.addPage();
    drawFindings(doc, input.findings, input.excerpts ?? {}, input.excerptStates ?? {});
    if (input.comparison) drawComparison(doc, input.comparison);
    if (input.heatmap) {
      doc.addPage();
      drawHeatmap(doc, input.heatmap, {
        filter: answer.filter,
        devices: heatmapDevices(input),
        night: answer.night,
      });
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

/**
 * Empties each font's cache of laid-out words (pdfkit keeps every distinct word's glyphs for the
 * whole document): a report of thousands of evidence ids, hashes and dates would otherwise hold
 * hundreds of megabytes of them. Words repeat within a page, so a page's cache is kept.
 */
export function forgetWordLayouts(doc: PDFKit.PDFDocument): void {
  const fonts = (doc as unknown as { _fontFamilies?: Record<string, { layoutCache?: unknown }> })
    ._fontFamilies;
  for (const font of Object.values(fonts ?? {}))
    if (font.layoutCache) font.layoutCache = Object.create(null);
}

/**
 * Labels of the devices the heatmap counts: those it observed, else every device of the case.
 * Labels come from the report's devices, never from the heatmap, whose labels are not redacted.
 */
function heatmapDevices(input: ReportInput): string[] {
  const observed = new Set((input.heatmap?.observed ?? []).map((o) => o.deviceId));
  const devices = input.devices.filter((d) => observed.size === 0 || observed.has(d.id));
  return devices.map((d) => d.label);
}
