import { Fragment, useState } from 'react';
import type { Finding } from '../../../contract/findings';
import { useQuery } from '../../app/use-query';
import { useFilter, useWorkspaceActions } from '../../app/workspace/use-workspace';
import { ErrorBanner } from '../../shared/ErrorBanner';
import { Spinner } from '../../shared/Spinner';
import { AnnotationEditor } from '../annotations/AnnotationEditor';
import { detailLabel, detailValue, EVIDENCE_SHOWN } from './findings-model';

/**
 * An opened finding: what it says and does not prove, its evidence records, and its notes. The
 * list gives its title; its caveat and details come with the first page of its evidence.
 */
export function FindingDetail({ finding: listed }: { finding: Finding }) {
  const filter = useFilter();
  const { showFinding, openEvidence } = useWorkspaceActions();
  const [pages, setPages] = useState(1);
  const evidenceQ = useQuery('getFindingEvidence', {
    filter,
    findingId: listed.id,
    offset: 0,
    // The bridge gives at most 1,000 ids a call; the rest are in findings.csv and the CLI.
    limit: Math.min(1000, pages * EVIDENCE_SHOWN),
  });
  const read = evidenceQ.data?.finding;
  const f = read && read.id === listed.id ? read : listed;
  const details = Object.entries(f.details).filter(([k]) => k !== 'evidenceTruncated');
  const ids = evidenceQ.data?.ids ?? [];
  // All the finding's evidence, beyond the 5,000 ids the bridge can page through.
  const total = read ? read.evidence.length + Number(read.details.evidenceTruncated ?? 0) : 0;
  const more = Math.max(0, total - ids.length);
  return (
    <div className="findings-detail" data-testid="finding-detail">
      <p className="findings-title">{f.title}</p>
      {f.caveat !== '' ? (
        <p className="findings-caveat" data-testid="finding-caveat">
          <strong>What this does not prove: </strong>
          {f.caveat}
        </p>
      ) : null}
      {details.length > 0 ? (
        <dl className="findings-details">
          {details.map(([k, v]) => (
            <Fragment key={k}>
              <dt title={k}>{detailLabel(k)}</dt>
              <dd>{detailValue(k, v)}</dd>
            </Fragment>
          ))}
        </dl>
      ) : null}
      <div className="findings-actions">
        <button
          type="button"
          className="btn btn-small"
          data-testid="finding-show-timeline"
          onClick={() => showFinding(f)}
        >
          Show on timeline
        </button>
        {read ? <span className="muted small">{total} evidence records</span> : null}
        {evidenceQ.loading ? <Spinner /> : null}
      </div>
      {evidenceQ.error?.code === 'CASE_BUSY' ? (
        // Read in the background (a period the stored findings do not cover): the list comes
        // with the case-changed event that follows.
        <p className="muted small" role="status" data-testid="finding-evidence-pending">
          {evidenceQ.error.message}
        </p>
      ) : (
        <ErrorBanner error={evidenceQ.error} title="Evidence" />
      )}
      <ul className="findings-evidence" data-testid="finding-evidence">
        {ids.map((id) => (
          <li key={id}>
            <button type="button" className="btn-link mono small" onClick={() => openEvidence(id)}>
              {id}
            </button>
          </li>
        ))}
      </ul>
      {more > 0 && evidenceQ.data ? (
        <p className="muted small">
          {evidenceQ.data.total > ids.length && ids.length < 1000 ? (
            <button
              type="button"
              className="btn-link small"
              data-testid="finding-evidence-more"
              onClick={() => setPages(pages + 1)}
            >
              Show {Math.min(EVIDENCE_SHOWN, evidenceQ.data.total - ids.length)} more
            </button>
          ) : null}{' '}
          {more} not listed
        </p>
      ) : null}
      <AnnotationEditor target={f.id} />
    </div>
  );
}
