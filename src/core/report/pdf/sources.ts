/** The filter and sources section: the filter used and every source file with its hash. */
import { filterTextInWords } from './filter-words';
import { formatInstant } from './format';
import {
  BOLD,
  type Doc,
  INK,
  MARGIN,
  MUTED,
  RULE_GREY,
  SANS,
  contentWidth,
  ensureSpace,
  field,
  heading,
  paragraph,
  subheading,
} from './layout';
import type { ReportInput } from './types';

/** Draws the filter used and every source file. */
export function drawSources(doc: Doc, input: ReportInput): void {
  heading(doc, 'Filter and sources');
  subheading(doc, 'Filter used');
  const filter = filterTextInWords(input.filterText, input.devices);
  doc.font(SANS).fontSize(9.5);
  const fh = doc.heightOfString(filter, { width: contentWidth(doc) - 16 });
  ensureSpace(doc, fh + 14);
  const fy = doc.y;
  doc
    .rect(MARGIN, fy, contentWidth(doc), fh + 10)
    .lineWidth(0.5)
    .strokeColor(RULE_GREY)
    .stroke();
  doc.fillColor(INK).text(filter, MARGIN + 8, fy + 5, { width: contentWidth(doc) - 16 });
  doc.y = fy + fh + 16;
  doc.x = MARGIN;

  subheading(doc, `Sources (${input.sources.length})`);
  paragraph(
    doc,
    'Every source file the case was built from, with the sha256 computed while importing it. ' +
      'Compare these with hashes of the original files.',
    9,
    MUTED,
  );
  doc.moveDown(0.4);
  if (input.sources.length === 0) {
    paragraph(doc, 'No source.');
  }
  const deviceNames = new Map(input.devices.map((d) => [d.id, d.label]));
  input.sources.forEach((s, i) => {
    ensureSpace(doc, 90);
    doc.font(BOLD).fontSize(10).fillColor(INK);
    doc.text(`${i + 1}. ${s.fileName}`, MARGIN, doc.y, { width: contentWidth(doc) });
    doc.moveDown(0.15);
    field(doc, 'sha256', s.sha256, true);
    field(doc, 'Path', s.path, true);
    field(doc, 'Device', deviceNames.get(s.deviceId) ?? `#${s.deviceId}`);
    field(doc, 'Importer', `${s.importer} ${s.importerVersion}`);
    field(doc, 'Size', `${s.size.toLocaleString('en-US')} bytes`);
    field(doc, 'Imported', formatInstant(new Date(s.importedAt), input.timeZone));
    if (s.dataFrom !== null && s.dataTo !== null) {
      field(
        doc,
        'Data covers',
        `${formatInstant(new Date(s.dataFrom), 'UTC')} to ${formatInstant(new Date(s.dataTo), 'UTC')}`,
      );
    }
    doc.moveDown(0.4);
  });

  subheading(doc, 'Tool');
  paragraph(doc, `Snoopscope ${input.toolVersion}`, 9.5);
}
