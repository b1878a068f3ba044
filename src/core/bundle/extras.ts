import type { Filter } from '../../contract/filter';
import type { CompareRequest } from '../../contract/records';
import type { Finding } from '../../contract/findings';
import { runFindings, storedFindingParams } from '../findings';
import { listAnnotations } from '../services/annotations';
import { maskIdentifier } from '../../contract/mask';
import type { CaseSession } from '../services/case-service';
import { parseSessionId } from '../services/query-service';
import { bundleAudit } from './audit-manifest';
import { buildComparison, comparisonFiles } from './comparison';
import { describeEvidence, evidenceLocator, evidenceSourceLookup } from './evidence-sources';
import { createRedactor, type Redactor } from './redaction';
import { EVIDENCE_SHOWN, renderReportPdf, type ReportFinding } from '../report/report-pdf';
import { csvColumns, csvTable } from '../services/csv';

/** Columns of `findings.csv`. */
export const FINDINGS_CSV_COLUMNS = [
  'id',
  'rule',
  'severity',
  'device',
  'app',
  'app_name',
  'category',
  'count',
  'first_local',
  'last_local',
  'title',
  'caveat',
  'evidence',
  'evidence_sources',
  'evidence_locations',
] as const;

const FINDINGS_CSV = csvTable(
  csvColumns(FINDINGS_CSV_COLUMNS, ['count', 'first_local', 'last_local']),
);

/**
 * `findings.csv`: findings already redacted, their evidence ids with the sources' sha256 and
 * locators, and each id beside its source file name and locator (readable without the case).
 */
function* findingsLines(
  findings: readonly { shown: Finding; evidence: readonly string[] }[],
  sourcesOf: (ids: readonly string[]) => string[],
  whereOf: (id: string) => string,
  redactor: Redactor,
): Generator<string> {
  yield FINDINGS_CSV.header();
  for (const { shown: f, evidence } of findings)
    yield FINDINGS_CSV.row([
      f.id,
      f.rule,
      f.severity,
      f.device,
      f.app,
      f.appName,
      f.category,
      f.count,
      f.first,
      f.last,
      f.title,
      f.caveat,
      f.evidence.join(' '),
      sourcesOf(evidence).join(';'),
      evidence.map((id) => `${redactor.text(id)} at ${whereOf(id)}`).join(' | '),
    ]);
}

/** Columns of `annotations.csv`. */
export const ANNOTATIONS_CSV_COLUMNS = [
  'target',
  'kind',
  'star',
  'tags',
  'note',
  'updated_utc',
  'sources',
] as const;

const ANNOTATIONS_CSV = csvTable(csvColumns(ANNOTATIONS_CSV_COLUMNS, ['star', 'updated_utc']));

/** The accesses behind each finding (at most 2,000 each), for the report's timeline excerpts. */
function excerptsOf(
  session: CaseSession,
  findings: Finding[],
): Record<string, { ms: number; durationMs: number }[]> {
  const stmt = session.db.prepare(
    'SELECT anchor_ms AS ms, COALESCE(duration_ms, 0) AS durationMs FROM access_sessions WHERE device_id = ? AND interval_key = ?',
  );
  const out: Record<string, { ms: number; durationMs: number }[]> = {};
  for (const f of findings) {
    const marks: { ms: number; durationMs: number }[] = [];
    for (const id of f.evidence) {
      if (!id.startsWith('s:') || marks.length >= 2000) continue;
      try {
        const key = parseSessionId(id);
        const r = stmt.get(key.deviceId, key.intervalKey) as
          { ms: number; durationMs: number } | undefined;
        if (r) marks.push(r);
      } catch {
        // Not a session id: nothing to draw.
      }
    }
    if (marks.length > 0) out[f.id] = marks;
  }
  return out;
}

export interface ExtrasOptions {
  version: string;
  fingerprint: string;
  unmask: boolean;
  redaction: { contexts: boolean; apps: string[] };
  examiner?: string;
  /** Devices or periods to compare: a report section and the comparison CSVs. */
  comparison?: CompareRequest;
}

/**
 * Files a bundle holds beside events.csv and network.csv: `report.pdf`, the findings (with the
 * case's rule parameters), the examiner's annotations and, when asked, the comparison
 * (`comparison.csv`, `comparison-columns.csv`). Pass the same redaction, unmasking and comparison
 * to `exportBundle`, which records the comparison's request in the manifest: both rewrite free
 * text through the same redactor, so every file uses one alias for one app.
 */
export async function bundleExtras(
  session: CaseSession,
  filter: Filter,
  o: ExtrasOptions,
): Promise<{ name: string; content: Iterable<string> | Uint8Array }[]> {
  const redactor = createRedactor(session.db, o.redaction, { unmask: o.unmask });
  const { text, maybe } = redactor;
  const findings = runFindings(session.db, filter, storedFindingParams(session.db));
  const locate = evidenceLocator(session.db);
  const whereOf = describeEvidence(locate, text);
  const shown = findings.map((f) => ({
    evidence: f.evidence,
    shown: {
      ...f,
      id: text(f.id),
      device: text(f.device),
      app: maybe(f.app),
      appName: maybe(f.appName),
      title: text(f.title),
      caveat: text(f.caveat),
      evidence: f.evidence.map(text),
      details: redactor.deep(f.details),
    } satisfies Finding,
  }));
  const reportFindings = shown.map(({ shown: f, evidence }): ReportFinding => ({
    ...f,
    evidenceWhere: evidence.slice(0, EVIDENCE_SHOWN).map(whereOf),
  }));
  const annotations = listAnnotations(session.db, {});
  const findingById = new Map(findings.map((f) => [f.id, f]));
  const sourcesOf = evidenceSourceLookup(session.db, text);
  const info = session.info();
  const mask = (v: string | null): string | null => (o.unmask ? v : maskIdentifier(v));
  // One computation feeds the report and the CSVs, so the two cannot disagree.
  const comparison = o.comparison
    ? buildComparison(session, o.comparison, { redactor })
    : undefined;
  const excerpts = excerptsOf(session, findings);
  const audit = bundleAudit(session.db, redactor);
  const report = await renderReportPdf({
    caseName: text(info.name),
    examiner: o.examiner === undefined ? undefined : text(o.examiner),
    exportedAt: new Date(),
    toolVersion: o.version,
    fingerprint: o.fingerprint,
    devices: info.devices.map((d) => ({
      ...d,
      label: text(d.label),
      model: maybe(d.model),
      osVersion: maybe(d.osVersion),
      identifiers: {
        udid: mask(d.identifiers.udid),
        serial: mask(d.identifiers.serial),
        imei: mask(d.identifiers.imei),
        phoneNumber: mask(d.identifiers.phoneNumber),
      },
    })),
    filterText:
      Object.keys(filter).length === 0
        ? 'none (the whole case)'
        : JSON.stringify(redactor.deep(filter)),
    summary: session.queries
      .summary(filter)
      .map((x) => ({ ...x, device: text(x.device), app: text(x.app), appName: maybe(x.appName) })),
    findings: reportFindings,
    sources: session.sources().map((s) => ({
      ...s,
      fileName: text(s.fileName),
      path: text(s.path),
    })),
    heatmap: session.queries.heatmap(filter),
    excerpts: Object.fromEntries(Object.entries(excerpts).map(([id, marks]) => [text(id), marks])),
    redaction: {
      contexts: o.redaction.contexts,
      apps: redactor.apps,
      identifiersMasked: !o.unmask,
    },
    audit: {
      entries: audit.total,
      intact: audit.check.intact,
      message: audit.check.message,
      redacted: audit.redactedEntries.length,
      unverifiable: audit.unverifiableEntries,
    },
    comparison,
  });
  return [
    { name: 'report.pdf', content: report },
    { name: 'findings.csv', content: findingsLines(shown, sourcesOf, whereOf, redactor) },
    {
      name: 'annotations.csv',
      content: [
        ANNOTATIONS_CSV.header(),
        ...annotations.map((a) =>
          ANNOTATIONS_CSV.row([
            text(a.target),
            a.kind,
            a.star,
            a.tags.map(text).join(' '),
            maybe(a.note),
            a.updatedAt,
            sourcesOf(
              a.kind === 'finding' ? (findingById.get(a.target)?.evidence ?? []) : [a.target],
            ).join(';'),
          ]),
        ),
      ],
    },
    ...(comparison ? comparisonFiles(comparison) : []),
  ];
}
