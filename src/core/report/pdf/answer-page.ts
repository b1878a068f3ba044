/** Page 1: the question, the answer with a 24-hour chart per key finding, the observed period, filter and caveats. */
import { inDayWindow, type DayWindow } from '../../../contract/filter';
import type { Severity } from '../../../contract/findings';
import { observedSentence, type AnswerItem, type AnswerModel } from './answer-model';
import { truncate } from './format';
import {
  BOLD,
  bottomLimit,
  contentWidth,
  ensureSpace,
  fontCovers,
  INK,
  MARGIN,
  MUTED,
  paragraph,
  RULE_GREY,
  SANS,
  subheading,
  type Doc,
} from './layout';

const BADGE_FILL: Record<Severity, string> = {
  high: '#000000',
  medium: '#555555',
  low: '#999999',
  info: '#ffffff',
};
const BADGE_WORD: Record<Severity, string> = {
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
  info: 'INFO',
};
const CHART_W = 132;
const BADGE_W = 44;
/** The night hours' background: light enough that a one-access bar stays black on it. */
const NIGHT_FILL = '#d8d8d8';
const CHART_H = 16;

/** Draws page 1 from its model. */
export function drawAnswerPage(doc: Doc, caseName: string, model: AnswerModel): void {
  const width = contentWidth(doc);
  doc.font(SANS).fontSize(9).fillColor(MUTED);
  doc.text(`Snoopscope evidence report | ${truncate(caseName, 90)}`, MARGIN, MARGIN, { width });
  doc.moveDown(0.4);
  doc.font(BOLD).fontSize(14).fillColor(INK);
  doc.text(model.question, MARGIN, doc.y, { width });
  const ruleY = doc.y + 3;
  doc
    .moveTo(MARGIN, ruleY)
    .lineTo(MARGIN + width, ruleY)
    .lineWidth(0.75)
    .strokeColor(INK)
    .stroke();
  doc.y = ruleY + 6;

  subheading(doc, 'The answer');
  if (model.items.length === 0) {
    const anyLog = model.devices.some((d) => d.observedDays > 0);
    paragraph(
      doc,
      anyLog
        ? 'No rule found an access worth attention within the filter. The Summary lists every access recorded.'
        : 'No answer can be given: no access log (an App Privacy Report or an Android capture) covers any day of this case, so it does not show which apps used these resources.',
      9.5,
    );
  }
  // Key findings are drawn while the sections after them still fit on page 1; the first always is.
  const reserve = trailingHeight(doc, model);
  let shown = 0;
  for (const item of model.items) {
    if (shown > 0 && doc.y + itemHeight(doc, item) > bottomLimit(doc) - reserve) break;
    drawItem(doc, item, model.night, shown);
    shown += 1;
  }
  const note = restNote(model.items.length - shown, model.otherFindings);
  if (note) paragraph(doc, note, 8.5, MUTED);

  subheading(doc, 'Observed period');
  if (model.devices.length === 0) paragraph(doc, 'No device in this case.', 9, MUTED);
  for (const d of model.devices) {
    doc.font(BOLD).fontSize(9.5);
    ensureSpace(doc, 30);
    const y = doc.y;
    doc.fillColor(INK).text(d.label, MARGIN, y, { width, continued: true });
    doc.font(SANS).fillColor(MUTED).text(` | ${d.model}`);
    paragraph(doc, observedSentence(d), 9);
    doc.moveDown(0.2);
  }

  subheading(doc, 'Filter');
  paragraph(doc, model.filter, 9);

  subheading(doc, 'Caveats');
  for (const c of model.caveats) {
    doc.font(SANS).fontSize(8);
    const h = doc.heightOfString(c, { width: width - 10 });
    ensureSpace(doc, h + 2);
    const y = doc.y;
    doc
      .circle(MARGIN + 3, y + 5, 1.4)
      .fillColor(INK)
      .fill();
    doc.fillColor(INK).text(c, MARGIN + 10, y, { width: width - 10, lineGap: 0.5 });
    doc.y = Math.max(doc.y, y + h) + 1.5;
  }
  doc.x = MARGIN;
}

/**
 * A key finding's title and sentence: the app's name, or its identifier where the name is in a
 * script the report's fonts cannot draw (it would print as empty boxes).
 */
function itemText(doc: Doc, item: AnswerItem): { title: string; sentence: string } {
  if (fontCovers(doc, BOLD, item.name) || item.appId === null || item.name.trim() === '')
    return { title: `${item.name} | ${item.resource}`, sentence: item.sentence };
  return {
    title: `${item.appId} | ${item.resource}`,
    sentence: item.sentence.replaceAll(item.name, item.appId),
  };
}

/** The height of a key finding's text (title, sentence, evidence line). */
function textHeight(doc: Doc, item: AnswerItem): number {
  const textW = contentWidth(doc) - CHART_W - 14;
  const { title, sentence } = itemText(doc, item);
  doc.font(BOLD).fontSize(10.5);
  let h = doc.heightOfString(title, { width: textW - BADGE_W - 6 });
  doc.font(SANS).fontSize(8.5);
  h += doc.heightOfString(sentence, { width: textW }) + 4;
  doc.font(SANS).fontSize(7.5);
  h += doc.heightOfString(evidenceLine(item), { width: textW }) + 4;
  return h;
}

/** The room a key finding takes, its gap included. */
function itemHeight(doc: Doc, item: AnswerItem): number {
  return Math.max(textHeight(doc, item), CHART_H + 18) + 6;
}

/** The room the sections after the key findings take: the note, observed period, filter, caveats. */
function trailingHeight(doc: Doc, model: AnswerModel): number {
  const width = contentWidth(doc);
  const section = 12 * 1.4 + 10;
  let h = 3 * section + 30;
  doc.font(SANS).fontSize(9);
  for (const d of model.devices) h += 14 + doc.heightOfString(observedSentence(d), { width }) + 3;
  h += doc.heightOfString(model.filter, { width });
  doc.font(SANS).fontSize(8);
  for (const c of model.caveats) h += doc.heightOfString(c, { width: width - 10 }) + 1.5;
  return h;
}

/** What page 1 says of the findings it does not show. */
function restNote(keyLeft: number, others: number): string | null {
  const parts: string[] = [];
  if (keyLeft > 0) parts.push(`${keyLeft} more key finding${keyLeft === 1 ? '' : 's'}`);
  if (others > 0) parts.push(`${others} other finding${others === 1 ? '' : 's'} of lower rank`);
  if (parts.length === 0) return null;
  return `${parts.join(' and ')}: the Findings section details them, each with its evidence.`;
}

/** One key finding: badge, name and resource, its sentence and evidence, and its 24-hour chart. */
function drawItem(doc: Doc, item: AnswerItem, night: DayWindow, index: number): void {
  const width = contentWidth(doc);
  const textW = width - CHART_W - 14;
  const { title, sentence } = itemText(doc, item);
  const evidence = evidenceLine(item);
  const h = textHeight(doc, item);
  ensureSpace(doc, Math.max(h, CHART_H + 18) + 6);

  const y0 = doc.y;
  if (index % 2 === 0)
    doc
      .rect(MARGIN - 4, y0 - 3, width + 8, Math.max(h, CHART_H + 18) + 5)
      .fillColor('#f6f6f6')
      .fill();
  doc
    .rect(MARGIN, y0 + 1, BADGE_W, 12)
    .lineWidth(0.6)
    .fillColor(BADGE_FILL[item.severity])
    .strokeColor(INK)
    .fillAndStroke();
  doc
    .font(BOLD)
    .fontSize(7)
    .fillColor(item.severity === 'high' || item.severity === 'medium' ? '#ffffff' : INK)
    .text(BADGE_WORD[item.severity], MARGIN, y0 + 3.3, {
      width: BADGE_W,
      align: 'center',
      lineBreak: false,
    });
  doc
    .font(BOLD)
    .fontSize(10.5)
    .fillColor(INK)
    .text(title, MARGIN + BADGE_W + 6, y0, { width: textW - BADGE_W - 6 });
  let y = Math.max(doc.y, y0 + 14);
  doc.font(SANS).fontSize(8.5).fillColor(INK).text(sentence, MARGIN, y, { width: textW });
  y = doc.y + 2;
  doc.font(SANS).fontSize(7.5).fillColor(MUTED).text(evidence, MARGIN, y, { width: textW });
  const textBottom = doc.y;
  drawHourStrip(doc, MARGIN + width - CHART_W, y0 + 2, item.hourCounts, night);
  doc.y = Math.max(textBottom, y0 + CHART_H + 18) + 6;
  doc.x = MARGIN;
}

/** The evidence a key finding cites: each id beside the source file and place it was read from. */
function evidenceLine(item: AnswerItem): string {
  const who = `${item.appId ? `${item.appId} on ` : ''}${item.device}.`;
  if (item.evidence.length === 0) return `${who} Finding ${item.findingId}: no evidence listed.`;
  const cited = item.evidence.map((e) => (e.where ? `${e.id} (${e.where})` : e.id)).join('; ');
  const more = item.evidenceTotal - item.evidence.length;
  return (
    `${who} Evidence of ${item.findingId}: ${cited}` +
    (more > 0 ? `; ${more} more in the Findings section.` : '.')
  );
}

/**
 * A 24-hour strip: one bar per device-local hour, as tall as its share of the busiest hour (a
 * single access still gets a visible bar), over a hatched band for the night hours.
 */
function drawHourStrip(
  doc: Doc,
  x: number,
  y: number,
  counts: readonly number[],
  night: DayWindow,
): void {
  const cellW = CHART_W / 24;
  const max = Math.max(0, ...counts);
  doc.rect(x, y, CHART_W, CHART_H).fillColor('#ffffff').fill();
  for (let h = 0; h < 24; h += 1) {
    if (!inDayWindow(h * 60, night)) continue;
    doc
      .rect(x + h * cellW, y, cellW, CHART_H)
      .fillColor(NIGHT_FILL)
      .fill();
  }
  doc.rect(x, y, CHART_W, CHART_H).lineWidth(0.5).strokeColor(RULE_GREY).stroke();
  for (let h = 0; h < 24; h += 1) {
    const n = counts[h] ?? 0;
    if (n <= 0 || max <= 0) continue;
    const bh = Math.max(3, (n / max) * (CHART_H - 2));
    doc
      .rect(x + h * cellW + 0.6, y + CHART_H - bh, cellW - 1.2, bh)
      .fillColor(INK)
      .fill();
  }
  doc.font(SANS).fontSize(6).fillColor(MUTED);
  for (const h of [0, 6, 12, 18, 24]) {
    const label = String(h).padStart(2, '0');
    doc.text(label, x + h * cellW - 8, y + CHART_H + 1.5, {
      width: 16,
      align: 'center',
      lineBreak: false,
    });
  }
  const total = counts.reduce((s, n) => s + n, 0);
  doc.text(
    total > 0
      ? `Hour (device-local); grey: night ${night.from}–${night.to}`
      : 'No access instants cited',
    x,
    y + CHART_H + 9,
    { width: CHART_W, align: 'center', lineBreak: false },
  );
  doc.fillColor(INK);
}
