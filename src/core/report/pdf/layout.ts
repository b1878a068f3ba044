/** Page furniture: fonts, margins, greys, headings, paragraphs, fields, tables and the footer. */
import { createRequire } from 'node:module';
import { isAscii, truncate } from './format';
import type { ReportInput } from './types';

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

export const SANS = 'report-sans';
export const BOLD = 'report-bold';
export const MONO = 'report-mono';

export const MARGIN = 50;
export const FOOTER_GAP = 28;
export const INK = '#000000';
export const MUTED = '#555555';
export const RULE_GREY = '#999999';
export const STRIPE = '#eeeeee';
/** The grey of the diagonal hatching that marks where the report has no data. */
export const HATCH = '#8c8c8c';

export type Doc = PDFKit.PDFDocument;

/** Width between the left and right margins of the current page. */
export function contentWidth(doc: Doc): number {
  return doc.page.width - doc.page.margins.left - doc.page.margins.right;
}

/** The lowest y text may reach on the current page. */
export function bottomLimit(doc: Doc): number {
  return doc.page.height - doc.page.margins.bottom;
}

/** A new page in the current page's size and orientation (the comparison's pages are landscape). */
export function nextPage(doc: Doc): void {
  doc.continueOnNewPage();
}

/** Starts a new page when fewer than `needed` points remain. */
export function ensureSpace(doc: Doc, needed: number): void {
  if (doc.y + needed > bottomLimit(doc)) {
    nextPage(doc);
  }
}

/** A section heading with a rule under it. */
export function heading(doc: Doc, text: string): void {
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

/** A subheading, moved to the next page when too little room remains. */
export function subheading(doc: Doc, text: string): void {
  ensureSpace(doc, 40);
  doc.moveDown(0.4);
  doc.font(BOLD).fontSize(12).fillColor(INK);
  doc.text(text, MARGIN, doc.y, { width: contentWidth(doc) });
  doc.moveDown(0.2);
}

/** A paragraph across the content width. */
export function paragraph(doc: Doc, text: string, size = 10, color = INK): void {
  doc.font(SANS).fontSize(size).fillColor(color);
  doc.text(text, MARGIN, doc.y, { width: contentWidth(doc), lineGap: 1.5 });
}

/** A label and value on one line, the value wrapping under itself. */
export function field(doc: Doc, label: string, value: string, mono = false): void {
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
export function drawFooter(doc: Doc, input: ReportInput, n: number, total: number): void {
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

export interface Column<T> {
  title: string;
  width: number;
  align?: 'left' | 'right';
  mono?: boolean;
  value: (row: T) => string;
}

/** A table whose header repeats on each page it spans. */
export function drawTable<T>(doc: Doc, columns: Column<T>[], rows: T[]): void {
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

/** pdfkit's current font, as far as the glyph check needs it. */
interface CurrentFont {
  _font?: { font?: { hasGlyphForCodePoint?: (codePoint: number) => boolean } };
}

/**
 * Whether a registered font can draw every visible character of the text. The embedded fonts
 * cover Latin and Chinese but not Arabic or Hebrew, which would print as empty boxes.
 */
export function fontCovers(doc: Doc, font: string, text: string): boolean {
  doc.font(font);
  const current = (doc as unknown as CurrentFont)._font?.font;
  if (!current?.hasGlyphForCodePoint) return true;
  for (const ch of text) {
    // Spaces, controls and format characters (direction marks, joiners) draw nothing anyway.
    if (/[\p{Cc}\p{Cf}\p{Z}]/u.test(ch)) continue;
    if (!current.hasGlyphForCodePoint(ch.codePointAt(0)!)) return false;
  }
  return true;
}

/**
 * Diagonal hatching inside a rectangle, the report's mark of "no data": lines `step` points apart,
 * `lineWidth` thick.
 */
export function hatch(
  doc: Doc,
  box: { x: number; y: number; w: number; h: number },
  step: number,
  lineWidth: number,
): void {
  const { x, y, w, h } = box;
  doc.save();
  doc.rect(x, y, w, h).clip();
  for (let k = -h; k < w; k += step)
    doc
      .moveTo(x + k, y + h)
      .lineTo(x + k + h, y)
      .lineWidth(lineWidth)
      .strokeColor(HATCH)
      .stroke();
  doc.restore();
}
