/** The summary table of access sessions per device, app and category. */
import type { SummaryItem } from '../../../contract/api';
import { appCell, appLabel, categoryWord, formatDuration, formatLocal } from './format';
import { type Column, type Doc, MUTED, drawTable, heading, paragraph } from './layout';

/** Draws the summary table. */
export function drawSummary(doc: Doc, summary: SummaryItem[]): void {
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
