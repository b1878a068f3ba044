/** The comparison section: compared columns and the matrix of rates per app and category. */
import {
  type ComparisonCells,
  type RankedRow,
  columnSlices,
  comparisonCells,
  formatNumber,
  rankComparisonRows,
} from '../comparison-table';
import { appLabel, categoryWord, formatOffset, isAscii } from './format';
import {
  BOLD,
  type Doc,
  FOOTER_GAP,
  INK,
  MARGIN,
  MONO,
  MUTED,
  RULE_GREY,
  SANS,
  STRIPE,
  bottomLimit,
  contentWidth,
  drawTable,
  ensureSpace,
  field,
  heading,
  nextPage,
  paragraph,
  subheading,
} from './layout';
import type { ReportComparison, ReportComparisonColumn } from './types';

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

/** Draws the comparison section on landscape pages. */
export function drawComparison(doc: Doc, c: ReportComparison): void {
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
