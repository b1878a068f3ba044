/** The cover page: case, examiner, export, filter, devices, redaction and contents. */
import type { Device } from '../../../contract/records';
import { deviceModelWords } from './answer-model';
import { filterTextInWords } from './filter-words';
import { formatInstant, formatOffset } from './format';
import {
  BOLD,
  type Doc,
  INK,
  MARGIN,
  MUTED,
  SANS,
  contentWidth,
  ensureSpace,
  field,
  paragraph,
  subheading,
} from './layout';
import type { ReportInput } from './types';

/** Draws the cover page. */
export function drawCover(doc: Doc, input: ReportInput): void {
  doc.font(SANS).fontSize(11).fillColor(MUTED);
  doc.text('Snoopscope evidence report', MARGIN, MARGIN + 20, { width: contentWidth(doc) });
  doc.moveDown(0.3);
  doc.font(BOLD).fontSize(26).fillColor(INK);
  doc.text(input.caseName, { width: contentWidth(doc) });
  doc.moveDown(0.8);

  field(doc, 'Examiner', input.examiner?.trim() ? input.examiner : 'Not stated');
  field(doc, 'Exported', formatInstant(input.exportedAt, input.timeZone));
  field(doc, 'Tool', `Snoopscope ${input.toolVersion}`);
  field(doc, 'Signer fingerprint', input.fingerprint, true);
  field(doc, 'Filter', filterTextInWords(input.filterText, input.devices));

  subheading(doc, `Devices (${input.devices.length})`);
  if (input.devices.length === 0) {
    paragraph(doc, 'No device in this case.', 10, MUTED);
  }
  for (const d of input.devices) {
    ensureSpace(doc, 70);
    doc.font(BOLD).fontSize(11).fillColor(INK);
    doc.text(d.label, MARGIN, doc.y, { width: contentWidth(doc) });
    field(doc, 'Model and OS', deviceModelWords(d));
    field(doc, 'Time zone', deviceZone(d));
    const ids = identifierLines(d);
    field(doc, 'Identifiers', ids.length > 0 ? ids.join('\n') : 'None recorded', true);
    doc.moveDown(0.3);
  }

  subheading(doc, 'Redaction');
  const r = input.redaction;
  field(
    doc,
    'Device identifiers',
    r.identifiersMasked ? 'Masked (partly hidden)' : "Shown in full at the examiner's request",
  );
  field(doc, 'Contexts and URLs', r.contexts ? 'Redacted' : 'Not redacted');
  field(
    doc,
    'Apps',
    r.apps > 0
      ? `${r.apps} app${r.apps === 1 ? '' : 's'} redacted at the examiner's request`
      : 'None redacted',
  );

  subheading(doc, 'Contents');
  const parts = ['The answer (page 1)', 'Summary', 'Findings'];
  if (input.comparison) parts.push('Comparison');
  if (input.heatmap) parts.push('Heatmap by hour and date');
  parts.push('Methodology and caveats', 'Filter and sources');
  paragraph(doc, parts.join(' | '), 10, MUTED);
  doc.moveDown(0.3);
  paragraph(
    doc,
    'Verify this bundle with: snoopscope verify <bundle.zip> --fingerprint <F>, using a ' +
      'fingerprint obtained separately from the examiner.',
    9,
    MUTED,
  );
}

function deviceZone(d: Device): string {
  const offset = d.offsetMin === null ? null : `UTC${formatOffset(d.offsetMin)}`;
  if (d.timeZone && offset) return `${d.timeZone} (latest record at ${offset})`;
  return d.timeZone ?? (offset ? `${offset} (from the latest record)` : 'Unknown');
}

function identifierLines(d: Device): string[] {
  const lines: string[] = [];
  const ids = d.identifiers;
  if (ids.udid) lines.push(`UDID ${ids.udid}`);
  if (ids.serial) lines.push(`Serial ${ids.serial}`);
  if (ids.imei) lines.push(`IMEI ${ids.imei}`);
  if (ids.phoneNumber) lines.push(`Phone ${ids.phoneNumber}`);
  return lines;
}
