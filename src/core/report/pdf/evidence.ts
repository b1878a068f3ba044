/** A finding's evidence ids, each beside the source file and place it was read from. */
import { isAscii } from './format';
import { BOLD, type Doc, INK, MARGIN, MONO, MUTED, SANS, ensureSpace } from './layout';
import type { ReportFinding } from './types';

/** How many evidence ids a finding lists in the report (the CSV and the app list all). */
export const EVIDENCE_SHOWN = 12;

/**
 * A finding's evidence as two columns: each record id (monospace) beside the source file and the
 * place in it (line, table and rowid, section and line) where it was read, so a reader without the
 * case can open the original file at that place. Rows break across pages whole, and the label is
 * repeated on a new page.
 */
export function drawEvidence(
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
