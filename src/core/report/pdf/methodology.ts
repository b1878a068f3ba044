/** The methodology and caveats section, with the redaction and audit-log notes. */
import { type Doc, heading, paragraph, subheading } from './layout';
import type { ReportAudit, ReportInput } from './types';

/** The kind of source a methodology section explains; `null`: every report explains it. */
type SourceKind = 'app-privacy-report' | 'ios-backup' | 'android' | null;

const METHODOLOGY: { kind: SourceKind; heading: string; body: string }[] = [
  {
    kind: 'app-privacy-report',
    heading: 'iOS App Privacy Report',
    body:
      'The App Privacy Report (Settings > Privacy & Security) is a log the device writes itself. ' +
      'An access record proves that iOS registered an app using a protected resource (photos, ' +
      'camera, microphone, contacts, location and others) between the times shown; the interval is when ' +
      'access was possible, not proof that data was read in full, copied or uploaded, and its ' +
      'length is a privacy-accounting window iOS chooses (many intervals share one system-defined ' +
      'length across apps), not how long anything was read. Network ' +
      'records list domains an app contacted and how often in the report window; they do not show ' +
      'what was sent. The report keeps about seven days, so an absence of records before that ' +
      'window proves nothing.',
  },
  {
    kind: 'ios-backup',
    heading: 'iOS backups',
    body:
      'Permission databases in a backup show the state at backup time (granted, denied, limited) ' +
      'and when an entry last changed, not every use. Data-usage counters attribute bytes to ' +
      'processes and are snapshots; they are never summed across snapshots. Installed profiles ' +
      'are listed as found; a profile being present does not prove how it was used.',
  },
  {
    kind: 'android',
    heading: 'Android app ops',
    body:
      'App-ops records (dumpsys appops and its history) show the last or aggregated accesses an ' +
      'app made through the permission system, refusals included. They are bounded by what the ' +
      'OS retains and by its bucketing; a missing entry is not proof of no access, and an op ' +
      'being allowed does not prove it was used. Usage-stats events show activity and screen ' +
      'state only where the device kept them.',
  },
  {
    kind: null,
    heading: 'Findings and times',
    body:
      'Findings are produced by documented rules with the parameters stated in the bundle. They ' +
      'point at records worth examining; each carries a caveat saying what it does not prove. ' +
      'Background state marked as inferred is an inference from correlated records, not a report ' +
      'from the OS. Times are shown device-local with their UTC offset. Every record in the ' +
      'bundle carries the sha256 of its source file and its position in that file, so it can be ' +
      'checked against the original evidence, which this tool never modifies.',
  },
];

/** The kind of source an importer reads, by its id. */
function sourceKind(importer: string): SourceKind {
  if (importer === 'ios-app-privacy-report') return 'app-privacy-report';
  if (importer.startsWith('ios-backup')) return 'ios-backup';
  if (importer.startsWith('android')) return 'android';
  return null;
}

/** The methodology sections of the source kinds among the importers, then those every report has. */
export function methodologySections(
  importers: readonly string[],
): { heading: string; body: string }[] {
  const kinds = new Set(importers.map(sourceKind));
  return METHODOLOGY.filter((m) => m.kind === null || kinds.has(m.kind)).map(
    ({ heading, body }) => ({
      heading,
      body,
    }),
  );
}

/** Draws the methodology and caveats section. */
export function drawMethodology(doc: Doc, input: ReportInput): void {
  heading(doc, 'Methodology and caveats');
  for (const m of methodologySections(input.sources.map((s) => s.importer))) {
    subheading(doc, m.heading);
    paragraph(doc, m.body, 9.5);
  }
  subheading(doc, 'Redaction');
  paragraph(
    doc,
    [
      input.redaction.identifiersMasked
        ? 'Device identifiers are masked.'
        : 'Device identifiers are shown in full.',
      input.redaction.contexts
        ? 'Contexts and URLs are replaced by a placeholder.'
        : 'Contexts and URLs are shown as recorded.',
      input.redaction.apps > 0
        ? `${input.redaction.apps} app${input.redaction.apps === 1 ? ' is' : 's are'} redacted: ` +
          'each identifier and display name is replaced by redacted-app-N wherever it occurs, ' +
          'also inside record ids, domains, contexts and file names.'
        : 'No app is redacted.',
    ].join(' '),
    9.5,
  );
  if (input.audit) drawAuditNote(doc, input.audit);
}

/** What the bundle's copy of the audit log proves, and which entries it cannot re-verify. */
function drawAuditNote(doc: Doc, a: ReportAudit): void {
  subheading(doc, 'Audit log');
  const parts = [
    `manifest.json carries the case's audit log (${a.entries} entr${a.entries === 1 ? 'y' : 'ies'}): ` +
      'every import, annotation and export, each entry chained to the one before by SHA-256, so ' +
      `editing one breaks the chain. At export: ${a.message}`,
  ];
  if (a.redacted > 0)
    parts.push(
      `${a.redacted} entr${a.redacted === 1 ? 'y mentions' : 'ies mention'} a redacted app or a ` +
        'masked identifier: the manifest withholds their contents and, for entries written with ' +
        'payload hashing, publishes the SHA-256 of the contents instead, from which the chain is ' +
        'still recomputed.',
    );
  if (a.unverifiable.length > 0)
    parts.push(
      `Entr${a.unverifiable.length === 1 ? 'y' : 'ies'} ${a.unverifiable.join(', ')} ` +
        `${a.unverifiable.length === 1 ? 'was' : 'were'} written before Snoopscope chained ` +
        'payload hashes: with the contents withheld, this bundle alone cannot re-verify ' +
        `${a.unverifiable.length === 1 ? 'it' : 'them'}; only the link to the next entry is ` +
        "checked. The examiner's case file verifies them in full.",
    );
  paragraph(doc, parts.join(' '), 9.5);
}
