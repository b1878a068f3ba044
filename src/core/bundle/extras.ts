import type { Filter } from '../../contract/filter';
import type { CompareRequest } from '../../contract/records';
import type { Finding } from '../../contract/findings';
import { runFindings, storedFindingParams } from '../findings';
import { listAnnotations } from '../services/annotations';
import { maskIdentifier } from '../../contract/mask';
import type { CaseSession } from '../services/case-service';
import { parseSessionId } from '../services/query-service';
import { buildComparison, comparisonFiles } from './comparison';
import { evidenceSourceLookup } from './evidence-sources';
import { appAliases, scrubText } from './redaction';
import { renderReportPdf } from '../report/report-pdf';
import { csvRow } from '../services/csv';

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
] as const;

function* findingsLines(
  sourcesOf: (ids: readonly string[]) => string[],
  findings: Finding[],
): Generator<string> {
  yield csvRow([...FINDINGS_CSV_COLUMNS]);
  for (const f of findings)
    yield csvRow([
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
      sourcesOf(f.evidence).join(';'),
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
 * (`comparison.csv`, `comparison-columns.csv`). Pass the same comparison to `exportBundle`, which
 * records its request in the manifest.
 */
export async function bundleExtras(
  session: CaseSession,
  filter: Filter,
  o: ExtrasOptions,
): Promise<{ name: string; content: Iterable<string> | Uint8Array }[]> {
  // Redacted apps become `redacted-app-N` in the report as in the CSVs (same numbering).
  const names = appAliases(session.db, o.redaction.apps);
  const scrub = (text: string): string => scrubText(text, names);
  const scrubNull = (text: string | null): string | null => (text === null ? null : scrub(text));
  const findings = runFindings(session.db, filter, storedFindingParams(session.db));
  const shownFindings = findings.map((f) => ({
    ...f,
    app: scrubNull(f.app),
    appName: scrubNull(f.appName),
    title: scrub(f.title),
    caveat: scrub(f.caveat),
  }));
  const annotations = listAnnotations(session.db, {});
  const findingById = new Map(findings.map((f) => [f.id, f]));
  const sourcesOf = evidenceSourceLookup(session.db);
  const info = session.info();
  const mask = (v: string | null): string | null => (o.unmask ? v : maskIdentifier(v));
  // One computation feeds the report and the CSVs, so the two cannot disagree.
  const comparison = o.comparison
    ? buildComparison(session, o.comparison, { aliases: names, unmask: o.unmask })
    : undefined;
  const report = await renderReportPdf({
    caseName: info.name,
    examiner: o.examiner,
    exportedAt: new Date(),
    toolVersion: o.version,
    fingerprint: o.fingerprint,
    devices: info.devices.map((d) => ({
      ...d,
      identifiers: {
        udid: mask(d.identifiers.udid),
        serial: mask(d.identifiers.serial),
        imei: mask(d.identifiers.imei),
        phoneNumber: mask(d.identifiers.phoneNumber),
      },
    })),
    filterText: Object.keys(filter).length === 0 ? 'none (the whole case)' : JSON.stringify(filter),
    summary: session.queries
      .summary(filter)
      .map((x) => ({ ...x, app: scrub(x.app), appName: scrubNull(x.appName) })),
    findings: shownFindings,
    sources: session.sources(),
    heatmap: session.queries.heatmap(filter),
    excerpts: excerptsOf(session, findings),
    redaction: {
      contexts: o.redaction.contexts,
      apps: o.redaction.apps.length,
      identifiersMasked: !o.unmask,
    },
    comparison,
  });
  return [
    { name: 'report.pdf', content: report },
    { name: 'findings.csv', content: findingsLines(sourcesOf, shownFindings) },
    {
      name: 'annotations.csv',
      content: [
        csvRow([...ANNOTATIONS_CSV_COLUMNS]),
        ...annotations.map((a) =>
          csvRow([
            a.target,
            a.kind,
            a.star,
            a.tags.join(' '),
            a.note,
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
