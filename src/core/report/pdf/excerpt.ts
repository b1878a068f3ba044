/** The timeline excerpt drawn under a finding. */
import { formatIso } from './format';
import { type Doc, INK, MUTED, RULE_GREY, SANS, STRIPE, ensureSpace } from './layout';

/**
 * A timeline excerpt of a finding's evidence: its accesses as black marks (width by duration,
 * at least a hairline) on a grey strip from the first to the last, with the two ends labelled.
 */
export function drawExcerpt(
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
