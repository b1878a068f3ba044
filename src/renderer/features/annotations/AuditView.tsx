import { useState } from 'react';
import type { AuditCheck } from '../../../contract/api';
import type { AppErrorShape } from '../../../contract/result';
import { useApp } from '../../app/use-app';
import { useQuery } from '../../app/use-query';
import { ErrorBanner } from '../../shared/ErrorBanner';
import { formatExaminerTimeWithOffset } from '../../shared/examiner-time';
import { Spinner } from '../../shared/Spinner';
import { When } from '../records/When';
import { summarizeAuditEntry } from './annotation-text';
import './annotations.css';

const AUDIT_LIMIT = 1000;

function ChainCheck({ check }: { check: AuditCheck }) {
  return (
    <div
      className={
        check.intact ? 'banner banner-success audit-check' : 'banner banner-error audit-check'
      }
      role={check.intact ? 'status' : 'alert'}
      data-testid="audit-check"
      data-intact={check.intact ? 'true' : 'false'}
      data-first-broken={check.firstBroken ?? undefined}
    >
      <div className="banner-body">
        <strong>{check.intact ? 'Chain intact' : 'Chain broken'}</strong>
        {' — '}
        {check.message}
        {check.firstBroken !== null ? ` First altered entry: #${check.firstBroken}.` : null}
      </div>
    </div>
  );
}

/**
 * The case's audit log, newest first (imports, edits, annotations, exports), with the
 * hash-chain check on top: intact, or the first entry that no longer matches.
 */
export function AuditView() {
  const { client } = useApp();
  const entries = useQuery('listAudit', { limit: AUDIT_LIMIT });
  const checked = useQuery('verifyAudit', {});
  const [recheck, setRecheck] = useState<AuditCheck | null>(null);
  const [recheckError, setRecheckError] = useState<AppErrorShape | null>(null);
  const [busy, setBusy] = useState(false);
  const check = recheck ?? checked.data;
  const firstBroken = check?.firstBroken ?? null;

  return (
    <section className="audit-view" data-testid="audit-view" aria-label="Audit log">
      <div className="row row-tight">
        <h2>Audit log</h2>
        <button
          type="button"
          className="btn btn-small"
          data-testid="audit-recheck"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            void client.call('verifyAudit', {}).then((r) => {
              setBusy(false);
              if (r.ok) {
                setRecheck(r.value);
                setRecheckError(null);
              } else setRecheckError(r.error);
            });
          }}
        >
          Check the chain again
        </button>
      </div>
      <ErrorBanner error={recheckError ?? checked.error} />
      {check ? <ChainCheck check={check} /> : checked.loading ? <Spinner /> : null}
      <p className="muted small">
        Every import, edit, annotation and export is appended here, each entry chained to the one
        before by its SHA-256, so a changed or deleted entry breaks the chain from that point.
      </p>
      <ErrorBanner error={entries.error} />
      {entries.data === null ? (
        entries.loading ? (
          <Spinner />
        ) : null
      ) : entries.data.length === 0 ? (
        <p className="muted">The audit log is empty.</p>
      ) : (
        <div
          className="table-wrap"
          // The rows hold no control: the box takes the focus so that the keyboard can scroll it.
          tabIndex={0}
          role="region"
          aria-label="Audit log entries"
        >
          <table className="table table-compact" data-testid="audit-entries">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Time (UTC)</th>
                <th scope="col">Time (this computer)</th>
                <th scope="col">Action</th>
                <th scope="col">Details</th>
                <th scope="col">Hash</th>
              </tr>
            </thead>
            <tbody>
              {entries.data.map((e) => (
                <tr
                  key={e.seq}
                  className={e.seq === firstBroken ? 'audit-broken' : undefined}
                  data-testid="audit-entry"
                  data-action={e.action}
                  data-seq={e.seq}
                >
                  <td className="mono">{e.seq}</td>
                  <td className="mono">
                    <When text={new Date(e.at).toISOString().replace('T', ' ').slice(0, 19)} />
                  </td>
                  <td>
                    <When text={formatExaminerTimeWithOffset(e.at)} />
                  </td>
                  <td className="mono">{e.action}</td>
                  <td className="break" title={JSON.stringify(e.details, null, 2)}>
                    {summarizeAuditEntry(e)}
                  </td>
                  <td className="mono small" title={e.hash}>
                    {e.hash.slice(0, 12)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {entries.data && entries.data.length >= AUDIT_LIMIT ? (
        <p className="muted small">Showing the newest {AUDIT_LIMIT} entries.</p>
      ) : null}
    </section>
  );
}
