import type { Filter } from '../../contract/filter';
import type { Finding } from '../../contract/findings';
import { runFindings } from '../findings';
import { listAnnotations } from '../services/annotations';
import type { CaseSession } from '../services/case-service';
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
] as const;

function* findingsLines(findings: Finding[]): Generator<string> {
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
] as const;

/**
 * Files a bundle holds beside events.csv and network.csv: the findings (default parameters) and
 * the examiner's annotations.
 */
export function bundleExtras(
  session: CaseSession,
  filter: Filter,
): { name: string; content: Iterable<string> }[] {
  const annotations = listAnnotations(session.db, {});
  return [
    { name: 'findings.csv', content: findingsLines(runFindings(session.db, filter)) },
    {
      name: 'annotations.csv',
      content: [
        csvRow([...ANNOTATIONS_CSV_COLUMNS]),
        ...annotations.map((a) =>
          csvRow([a.target, a.kind, a.star, a.tags.join(' '), a.note, a.updatedAt]),
        ),
      ],
    },
  ];
}
