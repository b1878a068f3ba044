import { Fragment, useId, useMemo, useState, type KeyboardEvent } from 'react';
import { When } from '../records/When';
import type { FindingsStatus } from '../../../contract/events';
import { FINDING_RULES, type FindingParams } from '../../../contract/findings';
import { useApp } from '../../app/use-app';
import { useBridgeEvent } from '../../app/use-bridge-event';
import { useQuery } from '../../app/use-query';
import { useFilter } from '../../app/workspace/use-workspace';
import { categoryLabel } from '../../shared/category-colors';
import { EmptyState } from '../../shared/EmptyState';
import { ErrorBanner } from '../../shared/ErrorBanner';
import { SortHeader } from '../../shared/SortHeader';
import { nextSort, type SortState } from '../../shared/sort';
import { Spinner } from '../../shared/Spinner';
import {
  defaultDir,
  defaultParams,
  filterFindings,
  formatFindingTime,
  overrides,
  pendingSentence,
  ruleLabel,
  SEVERITIES,
  sortFindings,
  toggle,
  type FindingColumn,
  type FindingsFilter,
} from './findings-model';
import { FindingDetail } from './FindingDetail';
import './findings.css';
import { ParamEditor } from './ParamEditor';

const COLUMNS: { key: FindingColumn; label: string; numeric?: boolean }[] = [
  { key: 'severity', label: 'Severity' },
  { key: 'rule', label: 'Rule' },
  { key: 'device', label: 'Device' },
  { key: 'app', label: 'App' },
  { key: 'category', label: 'Category' },
  { key: 'count', label: 'Count', numeric: true },
  { key: 'first', label: 'First' },
  { key: 'last', label: 'Last' },
  { key: 'title', label: 'Finding' },
];

/** The findings of the case under the shared filter: sortable, filterable, with editable rule parameters. */
export function FindingsView() {
  const filter = useFilter();
  const { client, invalidate } = useApp();
  const rulesQ = useQuery('listFindingRules', {});
  const infos = rulesQ.data;
  // Parameters are stored in the case (each change is recorded in its audit log).
  const paramsQ = useQuery('getFindingParams', {});
  const params = useMemo<FindingParams>(() => paramsQ.data ?? {}, [paramsQ.data]);
  const [saveError, setSaveError] = useState<string | null>(null);
  const applied = useMemo(() => (infos ? overrides(infos, params) : params), [infos, params]);
  // No evidence ids, caveats or details cross the bridge with the list: an opened finding reads
  // them, its evidence a page at a time. The case's own parameters apply (none are sent): a list
  // read while the parameters just stored are still on their way here must not ask for findings
  // with the previous ones.
  const q = useQuery(
    'queryFindings',
    infos && paramsQ.data ? { filter, evidenceLimit: 0, list: true } : null,
  );
  // While the stored findings are computed in the background, the answer has none and says so;
  // the status events tell how far along that is, and the case-changed event at its end reads
  // the list again.
  const [live, setLive] = useState<FindingsStatus | null>(null);
  useBridgeEvent('onFindingsStatus', setLive);
  const answered = q.data?.pending ?? null;
  const pending =
    answered?.state === 'computing' && live?.state === 'computing'
      ? { ...answered, done: live.done, total: live.total }
      : answered;
  const findings = q.data && !q.data.pending ? q.data.findings : null;
  const [sort, setSort] = useState<SortState<FindingColumn>>({ key: 'severity', dir: 'desc' });
  const [shown, setShown] = useState<FindingsFilter>({ rules: [], severities: [] });
  const [open, setOpen] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const ids = useId();
  // Escape closes an open finding or the parameters and gives the focus back to their button.
  const closeOnEscape =
    (close: () => void, focusId: string) =>
    (e: KeyboardEvent<HTMLElement>): void => {
      if (e.key !== 'Escape' || (e.target as HTMLElement).closest('textarea')) return;
      e.preventDefault();
      e.stopPropagation();
      close();
      document.getElementById(focusId)?.focus();
    };

  const rows = useMemo(
    () => (findings ? sortFindings(filterFindings(findings, shown), sort.key, sort.dir) : []),
    [findings, shown, sort],
  );

  const computeAgain = (): void => {
    void client.call('refreshFindings', {}).then((r) => {
      if (r.ok) setLive(r.value);
      else setSaveError(r.error.message);
    });
  };

  const apply = (next: FindingParams): void => {
    const o = infos ? overrides(infos, next) : next;
    void client.call('setFindingParams', { params: o }).then((r) => {
      setSaveError(r.ok ? null : r.error.message);
      invalidate();
    });
  };

  return (
    <section className="view findings-view" data-testid="findings-view" aria-label="Findings">
      <div className="view-head">
        <h2>Findings</h2>
        <span className="muted small">
          Times are device-local. Each finding says what the data does not prove.
        </span>
        {q.loading || rulesQ.loading ? <Spinner /> : null}
        <button
          type="button"
          className="btn btn-small"
          data-testid="findings-params-toggle"
          id={`${ids}-params-toggle`}
          aria-expanded={editing}
          aria-controls={`${ids}-params`}
          onClick={() => setEditing(!editing)}
        >
          Parameters
          {Object.keys(applied).length > 0 ? ` (${Object.keys(applied).length} changed)` : ''}
        </button>
      </div>
      <ErrorBanner error={rulesQ.error ?? paramsQ.error ?? q.error} title="Findings" />
      <ErrorBanner
        error={saveError}
        title="Parameters not saved"
        onDismiss={() => setSaveError(null)}
      />
      {editing && infos ? (
        <div
          id={`${ids}-params`}
          onKeyDown={closeOnEscape(() => setEditing(false), `${ids}-params-toggle`)}
        >
          <ParamEditor
            infos={infos}
            values={{ ...defaultParams(infos), ...params }}
            onApply={apply}
          />
        </div>
      ) : null}
      {pending ? (
        <div
          className={`findings-pending findings-pending-${pending.state}`}
          data-testid="findings-pending"
          data-state={pending.state}
          role={pending.state === 'failed' ? 'alert' : 'status'}
          tabIndex={0}
        >
          <p>{pendingSentence(pending, infos ?? null)}</p>
          {pending.state === 'failed' ? (
            <button
              type="button"
              className="btn btn-small"
              data-testid="findings-compute-again"
              onClick={computeAgain}
            >
              Compute the findings again
            </button>
          ) : null}
        </div>
      ) : null}
      <div className="findings-filters" data-testid="findings-filters">
        <fieldset>
          <legend>Severity</legend>
          {SEVERITIES.map((s) => (
            <label key={s} className={`findings-chip sev-${s}`}>
              <input
                type="checkbox"
                checked={shown.severities.includes(s)}
                onChange={() => setShown({ ...shown, severities: toggle(shown.severities, s) })}
              />
              {s}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Rule</legend>
          {FINDING_RULES.map((r) => (
            <label
              key={r}
              className="findings-chip"
              title={infos?.find((i) => i.id === r)?.description}
            >
              <input
                type="checkbox"
                checked={shown.rules.includes(r)}
                onChange={() => setShown({ ...shown, rules: toggle(shown.rules, r) })}
              />
              {ruleLabel(r, infos)}
            </label>
          ))}
        </fieldset>
      </div>
      {findings === null ? null : rows.length === 0 ? (
        <EmptyState title="No findings" testId="findings-empty">
          {findings.length === 0
            ? 'No rule found anything in the records the filter selects. Loosen the filter or change the parameters.'
            : 'No finding has the chosen rules and severities.'}
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table
            className="table table-compact table-hover table-sticky"
            data-testid="findings-table"
          >
            <thead>
              <tr>
                {COLUMNS.map((c) => (
                  <SortHeader
                    key={c.key}
                    column={c.key}
                    label={c.label}
                    numeric={c.numeric}
                    sort={sort}
                    testIdPrefix="findings"
                    onSort={(k) => setSort(nextSort(sort, k, defaultDir(k)))}
                  />
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((f, i) => (
                <Fragment key={f.id}>
                  <tr
                    data-testid="finding-row"
                    data-finding-id={f.id}
                    data-open={open === f.id}
                    className="findings-row"
                    onClick={() => setOpen(open === f.id ? null : f.id)}
                    onKeyDown={
                      open === f.id
                        ? closeOnEscape(() => setOpen(null), `${ids}-toggle-${i}`)
                        : undefined
                    }
                  >
                    <td>
                      <span className={`findings-sev sev-${f.severity}`}>{f.severity}</span>
                    </td>
                    <td className="small" title={f.rule}>
                      {ruleLabel(f.rule, infos)}
                    </td>
                    <td>{f.device}</td>
                    <td title={f.app ?? undefined}>{f.appName ?? f.app ?? '—'}</td>
                    <td>{f.category ? categoryLabel(f.category) : '—'}</td>
                    <td className="num">{f.count}</td>
                    <td className="small" data-testid="finding-first">
                      <When text={formatFindingTime(f.first)} />
                    </td>
                    <td className="small">
                      <When text={formatFindingTime(f.last)} />
                    </td>
                    <td>
                      <button
                        type="button"
                        className="findings-toggle"
                        id={`${ids}-toggle-${i}`}
                        data-testid="finding-toggle"
                        aria-expanded={open === f.id}
                        aria-controls={open === f.id ? `${ids}-detail-${i}` : undefined}
                        onClick={(e) => {
                          e.stopPropagation();
                          setOpen(open === f.id ? null : f.id);
                        }}
                      >
                        {f.title}
                      </button>
                    </td>
                  </tr>
                  {open === f.id ? (
                    <tr
                      className="findings-detail-row"
                      id={`${ids}-detail-${i}`}
                      onKeyDown={closeOnEscape(() => setOpen(null), `${ids}-toggle-${i}`)}
                    >
                      <td colSpan={COLUMNS.length}>
                        <FindingDetail finding={f} />
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
