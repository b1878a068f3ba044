/** The heatmap page: access sessions by device-local hour and date, night hours and days without data marked. */
import type { HeatmapResult } from '../../../contract/api';
import { inDayWindow, type DayWindow } from '../../../contract/filter';
import { dayLabel } from './format';
import {
  type Doc,
  BOLD,
  HATCH,
  INK,
  MARGIN,
  MUTED,
  SANS,
  bottomLimit,
  contentWidth,
  ensureSpace,
  hatch,
  heading,
  paragraph,
} from './layout';

/** Days shown by the heatmap; a longer period is cut at the most recent days. */
const HEATMAP_MAX_DAYS = 366;
/**
 * Shades from one session to the most: even the lightest is a mid grey with a black outline and
 * its count printed in it, so a single session shows at print size and in black and white.
 */
const SHADES = ['#b4b4b4', '#8a8a8a', '#5e5e5e', '#333333', '#000000'];

/** What the heatmap shows, in words, for its heading. */
export interface HeatmapScope {
  /** The filter in words. */
  filter: string;
  /** Labels of the devices whose sessions are counted. */
  devices: string[];
  night: DayWindow;
}

/** The days inside [fromDay, toDay] that no device's access log covers; null when unknown. */
export function noDataDays(
  heatmap: HeatmapResult,
  fromDay: number,
  toDay: number,
): Set<number> | null {
  if (!heatmap.observed) return null;
  const missing = new Set<number>();
  for (let d = fromDay; d <= toDay; d += 1) {
    const seen = heatmap.observed.some((o) => o.ranges.some(([a, b]) => d >= a && d <= b));
    if (!seen) missing.add(d);
  }
  return missing;
}

/** The heatmap's mark of "no data". */
function hatchCell(doc: Doc, x: number, y: number, w: number, h: number): void {
  hatch(doc, { x, y, w, h }, 4, 0.5);
}

/** Draws the heatmap of sessions by device-local hour and date. */
export function drawHeatmap(doc: Doc, heatmap: HeatmapResult, scope: HeatmapScope): void {
  heading(doc, 'Access sessions by hour and date');
  const who =
    scope.devices.length === 0
      ? 'the case'
      : scope.devices.length === 1
        ? scope.devices[0]!
        : `${scope.devices.length} devices together (${scope.devices.join(', ')})`;
  paragraph(
    doc,
    `Each cell counts the access sessions of every app and resource within the filter, on ${who}, ` +
      'that began in that device-local hour of that date; the number in a cell is its count. ' +
      `Night hours (${scope.night.from} to ${scope.night.to}) have dark hour labels and a rule on ` +
      'each side. Hatched days have no data: no access log covers them, so they are not quiet ' +
      `days. Filter: ${scope.filter}`,
    9,
    MUTED,
  );
  doc.moveDown(0.5);
  if (heatmap.fromDay === null || heatmap.toDay === null) {
    paragraph(doc, 'No sessions and no observed day within the filter.');
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
  const bucketOf = (n: number): number =>
    n <= 0 || max <= 0 ? -1 : Math.min(SHADES.length - 1, Math.ceil((n / max) * SHADES.length) - 1);
  const missing = noDataDays(heatmap, fromDay, toDay);
  if (missing === null)
    paragraph(
      doc,
      'Which days the access logs cover is not known here, so days without data are not marked.',
      9,
      MUTED,
    );
  if (counts.size === 0) paragraph(doc, 'No sessions within the filter on these days.', 9);

  drawHeatmapLegend(doc, max, missing !== null && missing.size > 0);

  const labelW = 78;
  const cellW = (contentWidth(doc) - labelW) / 24;
  const cellH = 11;
  const night = Array.from({ length: 24 }, (_, h) => inDayWindow(h * 60, scope.night));
  const gridX = MARGIN + labelW;

  const hourHeader = (): void => {
    const y = doc.y;
    for (let h = 0; h < 24; h += 1) {
      const x = gridX + h * cellW;
      if (night[h]) doc.rect(x, y, cellW, 10).fillColor(INK).fill();
      doc
        .font(night[h] ? BOLD : SANS)
        .fontSize(6.5)
        .fillColor(night[h] ? '#ffffff' : MUTED)
        .text(String(h).padStart(2, '0'), x, y + 1.5, {
          width: cellW,
          align: 'center',
          lineBreak: false,
        });
    }
    doc.y = y + 12;
  };
  /** A rule at each edge of the night hours, down the rows just drawn. */
  const nightRules = (top: number, bottom: number): void => {
    for (let h = 0; h < 24; h += 1) {
      const edge = night[h] !== night[(h + 23) % 24];
      if (!edge || (h === 0 && night[0] && night[23])) continue;
      const x = gridX + h * cellW;
      doc.moveTo(x, top).lineTo(x, bottom).lineWidth(1).strokeColor(INK).stroke();
    }
  };

  ensureSpace(doc, 12 + cellH * 3);
  hourHeader();
  let top = doc.y;
  for (let day = fromDay; day <= toDay; day += 1) {
    if (doc.y + cellH > bottomLimit(doc)) {
      nightRules(top, doc.y);
      doc.addPage();
      hourHeader();
      top = doc.y;
    }
    const y = doc.y;
    const noData = missing?.has(day) === true;
    doc
      .font(SANS)
      .fontSize(7)
      .fillColor(noData ? MUTED : INK)
      .text(dayLabel(day), MARGIN, y + 2, { width: labelW - 4, lineBreak: false });
    if (noData) {
      hatchCell(doc, gridX, y + 0.5, cellW * 24, cellH - 1);
      doc
        .rect(gridX, y + 0.5, cellW * 24, cellH - 1)
        .lineWidth(0.4)
        .strokeColor(HATCH)
        .stroke();
      // The words too, on white, so the row reads as "no data" without the legend.
      doc.font(BOLD).fontSize(6.5);
      const words = 'no data';
      const w = doc.widthOfString(words) + 8;
      const wx = gridX + (cellW * 24 - w) / 2;
      doc
        .rect(wx, y + 1.5, w, cellH - 3)
        .fillColor('#ffffff')
        .fill();
      doc.fillColor(INK).text(words, wx, y + 2.3, { width: w, align: 'center', lineBreak: false });
    }
    for (let h = 0; h < 24; h += 1) {
      const n = counts.get(day * 24 + h) ?? 0;
      const b = bucketOf(n);
      const x = gridX + h * cellW;
      if (b < 0) {
        if (!noData)
          doc
            .rect(x + 0.5, y + 0.5, cellW - 1, cellH - 1)
            .lineWidth(0.2)
            .strokeColor('#c8c8c8')
            .stroke();
        continue;
      }
      doc
        .rect(x + 0.5, y + 0.5, cellW - 1, cellH - 1)
        .lineWidth(0.6)
        .fillColor(SHADES[b]!)
        .strokeColor(INK)
        .fillAndStroke();
      doc
        .font(BOLD)
        .fontSize(6)
        .fillColor(b >= 2 ? '#ffffff' : INK)
        .text(n > 999 ? '999+' : String(n), x, y + 2.6, {
          width: cellW,
          align: 'center',
          lineBreak: false,
        });
    }
    doc.y = y + cellH;
  }
  nightRules(top, doc.y);
  doc.x = MARGIN;
  doc.moveDown(0.5);
}

function drawHeatmapLegend(doc: Doc, max: number, withNoData: boolean): void {
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
        .lineWidth(0.6)
        .fillColor(fill)
        .strokeColor(INK)
        .fillAndStroke();
    }
    doc
      .font(SANS)
      .fontSize(8)
      .fillColor(INK)
      .text(label, x + 13, y + 1, { lineBreak: false });
    x += 13 + doc.widthOfString(label) + 10;
  };
  swatch(null, '0');
  SHADES.forEach((fill, i) => {
    const lo = Math.floor((i * max) / SHADES.length) + 1;
    const hi = Math.floor(((i + 1) * max) / SHADES.length);
    if (hi < lo) return;
    swatch(fill, lo === hi ? String(lo) : `${lo}–${hi}`);
  });
  if (withNoData) {
    hatchCell(doc, x, y + 1, 22, 10);
    doc
      .rect(x, y + 1, 22, 10)
      .lineWidth(0.4)
      .strokeColor(HATCH)
      .stroke();
    doc
      .font(SANS)
      .fontSize(8)
      .fillColor(INK)
      .text('no data', x + 25, y + 1, { lineBreak: false });
  }
  doc.y = y + 18;
  doc.x = MARGIN;
}
