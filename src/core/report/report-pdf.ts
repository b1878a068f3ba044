/**
 * The evidence bundle's `report.pdf`, rendered in Node (no browser) so the app and the CLI
 * produce the same document. Everything is set in embedded fonts (Noto Sans SC, which covers
 * Latin and Chinese app names, and Roboto Mono for hashes and record ids), and everything is
 * drawn in black and greys so the report stays readable when printed in black and white. The
 * sections live in `./pdf/`, one module each.
 */
export type {
  ReportAudit,
  ReportComparison,
  ReportComparisonColumn,
  ReportFinding,
  ReportInput,
  ReportKeyFinding,
  ReportRedaction,
} from './pdf/types';
export { reportFontPaths } from './pdf/layout';
export { EVIDENCE_SHOWN } from './pdf/evidence';
export { detailedFindings, REPORT_FINDINGS_DETAILED } from './pdf/findings';
export { renderReportPdf } from './pdf/render';
