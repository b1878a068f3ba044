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
 * the document's pages in memory. The two passes share the parsed fonts and the words laid out.
 */
export async function renderReportPdf(input: ReportInput): Promise<Buffer> {
  const words = new WordLayouts();
  const { pages } = await renderPass(input, null, words);
  return (await renderPass(input, pages, words)).pdf;
}

/** At most this many laid-out words are kept per font (each a few hundred bytes). */
export const WORD_LAYOUTS_KEPT = 20_000;

/** A glyph's place as pdfkit reads it (font units, scaled to 1000 per em). */
interface GlyphPlace {
  xAdvance: number;
  yAdvance: number;
  xOffset: number;
  yOffset: number;
  advanceWidth: number;
}

/** A word as pdfkit's text layout reads it: its glyphs, their places and its width. */
interface WordRun {
  glyphs: { id: number }[];
  positions: GlyphPlace[];
  advanceWidth: number;
}

/** A laid-out word kept in numbers: its glyph ids and five numbers per glyph's place. */
interface PackedWord {
  ids: Uint32Array;
  places: Float64Array;
  advanceWidth: number;
}

/** A font of pdfkit as this module uses it: its parsed font file and how it lays out a word. */
interface EmbeddedFontInternals {
  font: { getGlyph: (id: number) => { id: number } };
  layoutRun: (text: string) => WordRun;
  layoutCached: (text: string) => WordRun;
}

function pack(run: WordRun): PackedWord {
  const n = run.glyphs.length;
  const ids = new Uint32Array(n);
  const places = new Float64Array(n * 5);
  for (let i = 0; i < n; i += 1) {
    const p = run.positions[i]!;
    ids[i] = run.glyphs[i]!.id;
    places.set([p.xAdvance, p.yAdvance, p.xOffset, p.yOffset, p.advanceWidth], i * 5);
  }
  return { ids, places, advanceWidth: run.advanceWidth };
}

// The font keeps one glyph object per id (the one the layout gave), so an id gives it back.
function unpack(word: PackedWord, font: EmbeddedFontInternals['font']): WordRun {
  const glyphs = new Array<{ id: number }>(word.ids.length);
  const positions = new Array<GlyphPlace>(word.ids.length);
  for (let i = 0; i < word.ids.length; i += 1) {
    glyphs[i] = font.getGlyph(word.ids[i]!);
    const at = i * 5;
    const p = word.places;
    positions[i] = {
      xAdvance: p[at]!,
      yAdvance: p[at + 1]!,
      xOffset: p[at + 2]!,
      yOffset: p[at + 3]!,
      advanceWidth: p[at + 4]!,
    };
  }
  return { glyphs, positions, advanceWidth: word.advanceWidth };
}

/**
 * The parsed fonts and laid-out words of a report, kept across its pages and both passes: laying
 * out a word (shaping it through the font's tables) is most of a report's time, and its words
 * (labels, file names, dates) repeat from page to page and from the first pass to the second. A
 * word is kept as numbers (glyph ids and places), a fraction of the size of the run the font
 * gives; at most `limit` words are kept per font: when a font's list is full it is emptied and
 * starts again, so a report of many thousands of distinct ids and hashes stays within a few tens
 * of megabytes.
 */
export class WordLayouts {
  private readonly fonts = new Map<string, object>();
  private readonly words = new Map<string, Map<string, PackedWord>>();

  constructor(private readonly limit = WORD_LAYOUTS_KEPT) {}

  /** The font to register under `name`: the one parsed before, else the file at `path`. */
  source(name: string, path: string): string {
    // pdfkit takes a parsed font (anything with `layout`) where its types say a path.
    return (this.fonts.get(name) as string | undefined) ?? path;
  }

  /** How many words are kept for the font registered under `name`. */
  kept(name: string): number {
    return this.words.get(name)?.size ?? 0;
  }

  /** Makes the document's font `name` (selected now) lay out words through this store. */
  install(doc: PDFKit.PDFDocument, name: string): void {
    doc.font(name);
    const font = (doc as unknown as { _font?: EmbeddedFontInternals })._font;
    if (!font || typeof font.layoutRun !== 'function') return;
    this.fonts.set(name, font.font);
    let words = this.words.get(name);
    if (!words) this.words.set(name, (words = new Map()));
    const kept = words;
    font.layoutCached = (text: string): WordRun => {
      const known = kept.get(text);
      if (known !== undefined) return unpack(known, font.font);
      const run = font.layoutRun(text);
      if (kept.size >= this.limit) kept.clear();
      kept.set(text, pack(run));
      return run;
    };
  }
}

/** One pass over the report; without `total` its bytes are counted, not kept. */
function renderPass(
  input: ReportInput,
  total: number | null,
  words: WordLayouts,
): Promise<{ pdf: Buffer; pages: number }> {
  const fonts = reportFontPaths();
  const doc = new PDFDocument({
    size: 'A4',
    // The first pass only counts pages: its page contents need not be compressed.
    compress: total !== null,
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
  doc.registerFont(SANS, words.source(SANS, fonts.regular));
  doc.registerFont(BOLD, words.source(BOLD, fonts.bold));
  doc.registerFont(MONO, words.source(MONO, fonts.mono));
  // Each font is made at once (in the order the answer page first uses them) to share the words.
  for (const name of [SANS, BOLD, MONO]) words.install(doc, name);
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
 * Labels of the devices the heatmap counts: those it observed, else every device of the case.
 * Labels come from the report's devices, never from the heatmap, whose labels are not redacted.
 */
function heatmapDevices(input: ReportInput): string[] {
  const observed = new Set((input.heatmap?.observed ?? []).map((o) => o.deviceId));
  const devices = input.devices.filter((d) => observed.size === 0 || observed.has(d.id));
  return devices.map((d) => d.label);
}
