/** The heatmap page: access sessions by device-local hour and date. */
import type { HeatmapResult } from '../../../contract/api';
import { dayLabel } from './format';
import {
  type Doc,
  INK,
  MARGIN,
  MUTED,
  SANS,
  bottomLimit,
  contentWidth,
  ensureSpace,
  heading,
  paragraph,
} from './layout';

/** Days shown by the heatmap; a longer period is cut at the most recent days. */
const HEATMAP_MAX_DAYS = 366;

/** Draws the heatmap of sessions by device-local hour and date. */
export function drawHeatmap(doc: Doc, heatmap: HeatmapResult): void {
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
