import { useState } from 'react';
import type { ApiOutput } from '../../../contract/api';
import type { CompareRequest } from '../../../contract/records';
import type { AppErrorShape } from '../../../contract/result';
import { useApp } from '../../app/use-app';
import { useFilter } from '../../app/workspace/use-workspace';
import { ErrorBanner } from '../../shared/ErrorBanner';
import { formatCount } from '../../shared/format';
import { Modal } from '../../shared/Modal';
import { Notice } from '../../shared/Notice';
import { Spinner } from '../../shared/Spinner';
import { filterToText } from '../filters/filter-text';
import {
  bundleOptionsConflict,
  defaultBundleName,
  describeBundleOptions,
  redactedApps,
} from './bundle-options';
import { BundleResult } from './BundleResult';
import './export.css';
import { RedactAppsPicker } from './RedactAppsPicker';

interface Props {
  onClose: () => void;
  /** Exported from the comparison view: the bundle adds the comparison (CSV and report section). */
  comparison?: CompareRequest;
}

type Kind = 'csv' | 'bundle';
type Result =
  | { kind: 'csv'; value: ApiOutput<'exportSessionsCsv'> }
  | { kind: 'bundle'; value: ApiOutput<'exportBundle'> };

/**
 * Exports what matches the current filter: the sessions as CSV, or a signed evidence bundle
 * (a zip a reader can check with `snoopscope verify`), and shows what was written.
 */
export function ExportDialog({ onClose, comparison }: Props) {
  const filter = useFilter();
  const { client, info, caseInfo } = useApp();
  const [kind, setKind] = useState<Kind>(comparison ? 'bundle' : 'csv');
  const [typing, setTyping] = useState(false);
  const [path, setPath] = useState('');
  const [working, setWorking] = useState(false);
  const [error, setError] = useState<AppErrorShape | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const [redactContexts, setRedactContexts] = useState(false);
  const [redactAppsOn, setRedactAppsOn] = useState(false);
  const [pickedApps, setPickedApps] = useState<string[]>([]);
  const [typedApps, setTypedApps] = useState('');
  const [includeSources, setIncludeSources] = useState(false);
  const [unmask, setUnmask] = useState(false);
  const [examiner, setExaminer] = useState('');
  const filterText = filterToText(filter);
  const bundle = kind === 'bundle';
  const appsToRedact = redactAppsOn ? redactedApps(pickedApps, typedApps) : [];
  const defaultName = bundle ? defaultBundleName(caseInfo?.name ?? 'case') : 'sessions.csv';
  const redacting = redactContexts || appsToRedact.length > 0;
  // A redacted bundle cannot carry the unredacted originals: the export waits for a choice.
  const conflict = bundle
    ? bundleOptionsConflict({ redactContexts, redactApps: appsToRedact, includeSources })
    : null;

  const run = async (target: string): Promise<void> => {
    setWorking(true);
    setError(null);
    if (bundle) {
      const r = await client.call('exportBundle', {
        filter,
        path: target,
        redactContexts,
        redactApps: appsToRedact,
        includeSources,
        unmask,
        examiner: examiner.trim() || undefined,
        ...(comparison ? { comparison } : {}),
      });
      setWorking(false);
      if (r.ok) setResult({ kind: 'bundle', value: r.value });
      else setError(r.error);
    } else {
      const r = await client.call('exportSessionsCsv', { filter, path: target });
      setWorking(false);
      if (r.ok) setResult({ kind: 'csv', value: r.value });
      else setError(r.error);
    }
  };

  const choose = async (): Promise<void> => {
    setError(null);
    const r = await client.call('pickSavePath', { defaultName });
    if (!r.ok) {
      if (info.host === 'devserver') setTyping(true);
      else setError(r.error);
      return;
    }
    if (r.value === null) {
      if (info.host === 'devserver') setTyping(true);
      return;
    }
    await run(r.value);
  };

  const toggleApp = (id: string): void =>
    setPickedApps((prev) => (prev.includes(id) ? prev.filter((x) => x !== id) : [...prev, id]));

  return (
    <Modal
      title={bundle ? 'Export an evidence bundle' : 'Export sessions as CSV'}
      onClose={onClose}
      testId="export-dialog"
      wide={bundle}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            {result ? 'Done' : 'Cancel'}
          </button>
          {result ? null : (
            <button
              type="button"
              className="btn btn-primary"
              data-testid="export-choose"
              disabled={working || conflict !== null}
              onClick={() => void choose()}
            >
              Choose file and export…
            </button>
          )}
        </>
      }
    >
      {result ? null : (
        <fieldset className="export-kind" disabled={working}>
          <legend className="sr-only">What to export</legend>
          <label>
            <input
              type="radio"
              name="export-kind"
              data-testid="export-kind-csv"
              checked={!bundle}
              onChange={() => setKind('csv')}
            />
            Sessions CSV
          </label>
          <label>
            <input
              type="radio"
              name="export-kind"
              data-testid="export-kind-bundle"
              checked={bundle}
              onChange={() => setKind('bundle')}
            />
            Evidence bundle (signed zip)
          </label>
        </fieldset>
      )}
      {bundle ? (
        <p>
          One zip with the report, events, findings, network and annotations as CSV, a manifest with
          the sha256 of every file, and a signature by this installation's key, so anyone can check
          that nothing was changed after export.
        </p>
      ) : (
        <p>
          Exports every access session matching the current filter. The filter is written into the
          file so a reader can reproduce it.
        </p>
      )}
      {bundle && comparison ? (
        <Notice tone="info" testId="export-comparison">
          The bundle also holds the comparison of{' '}
          {comparison.columns.map((c) => c.label).join(', ')}: the matrix as CSV and a section in
          the report.
        </Notice>
      ) : null}
      <div className="small">
        The current filter is applied:{' '}
        <code data-testid="export-filter">
          {filterText === '' ? '(none — all sessions)' : filterText}
        </code>
      </div>
      {bundle && !result ? (
        <div className="bundle-options" data-testid="bundle-options">
          <label>
            <input
              type="checkbox"
              data-testid="bundle-redact-contexts"
              checked={redactContexts}
              disabled={working}
              onChange={(e) => setRedactContexts(e.target.checked)}
            />
            Redact network contexts (web addresses and page contexts)
          </label>
          <label>
            <input
              type="checkbox"
              data-testid="bundle-redact-apps"
              checked={redactAppsOn}
              disabled={working}
              onChange={(e) => setRedactAppsOn(e.target.checked)}
            />
            Redact chosen apps (their identifiers become redacted-app-1, -2, …)
          </label>
          {redactAppsOn ? (
            <RedactAppsPicker
              picked={pickedApps}
              onToggle={toggleApp}
              typed={typedApps}
              onTyped={setTypedApps}
              disabled={working}
            />
          ) : null}
          <label>
            <input
              type="checkbox"
              data-testid="bundle-include-sources"
              checked={includeSources}
              disabled={working || (redacting && !includeSources)}
              onChange={(e) => setIncludeSources(e.target.checked)}
            />
            Include copies of the original sources
            {redacting && !includeSources ? (
              <span className="muted small">
                {' '}
                (not with a redaction: the copies are the unredacted evidence)
              </span>
            ) : null}
          </label>
          {conflict ? (
            <Notice tone="warning" testId="bundle-sources-conflict">
              {conflict}
            </Notice>
          ) : null}
          <label>
            <input
              type="checkbox"
              data-testid="bundle-unmask"
              checked={unmask}
              disabled={working}
              onChange={(e) => setUnmask(e.target.checked)}
            />
            Show device identifiers unmasked
          </label>
          <label className="field">
            <span>Examiner (on the report&apos;s cover, optional)</span>
            <input
              type="text"
              data-testid="bundle-examiner"
              value={examiner}
              maxLength={200}
              disabled={working}
              onChange={(e) => setExaminer(e.target.value)}
            />
          </label>
          {unmask ? (
            <Notice tone="warning" testId="bundle-unmask-warning">
              Serial numbers, IMEIs and other device identifiers will be written in full. Anyone who
              receives the bundle can read them; keep the default (masked) unless the recipient
              needs them.
            </Notice>
          ) : null}
          <div className="small muted" data-testid="bundle-options-summary">
            {describeBundleOptions({
              redactContexts,
              redactApps: appsToRedact,
              includeSources,
              unmask,
            })}
          </div>
        </div>
      ) : null}
      {typing && !result ? (
        <form
          className="path-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (path.trim() !== '') void run(path.trim());
          }}
        >
          <label htmlFor="export-path">
            Output path on the dev server machine{' '}
            <span className="muted">(no save dialog in the browser)</span>
          </label>
          <div className="row">
            <input
              id="export-path"
              className="input grow mono"
              data-testid="export-path-input"
              placeholder={`/path/to/${defaultName}`}
              value={path}
              autoFocus
              onChange={(e) => setPath(e.target.value)}
            />
            <button
              type="submit"
              className="btn btn-primary"
              data-testid="export-run"
              disabled={working || conflict !== null || path.trim() === ''}
            >
              Export
            </button>
          </div>
        </form>
      ) : null}
      {working ? (
        <Spinner label={bundle ? 'Writing and signing the bundle…' : 'Exporting…'} />
      ) : null}
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      {result?.kind === 'csv' ? (
        <dl className="kv" data-testid="export-result">
          <dt>Rows</dt>
          <dd data-testid="export-rows">{formatCount(result.value.rows)}</dd>
          <dt>File</dt>
          <dd className="mono break" data-testid="export-path">
            {result.value.path}
          </dd>
          <dt>SHA-256</dt>
          <dd className="mono break" data-testid="export-sha256">
            {result.value.sha256}
          </dd>
        </dl>
      ) : null}
      {result?.kind === 'bundle' ? <BundleResult value={result.value} /> : null}
    </Modal>
  );
}
