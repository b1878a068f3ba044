import { useState } from 'react';
import type { ApiOutput } from '../../../contract/api';
import type { Filter } from '../../../contract/filter';
import type { AppErrorShape } from '../../../contract/result';
import { useApp } from '../../app/use-app';
import { ErrorBanner } from '../../shared/ErrorBanner';
import { formatCount } from '../../shared/format';
import { Modal } from '../../shared/Modal';
import { Spinner } from '../../shared/Spinner';
import { filterToText } from '../filters/filter-text';

interface Props {
  filter: Filter;
  onClose: () => void;
}

type ExportResult = ApiOutput<'exportSessionsCsv'>;

/** Exports the sessions matching the current filter to CSV and shows what was written. */
export function ExportDialog({ filter, onClose }: Props) {
  const { client, info } = useApp();
  const [typing, setTyping] = useState(false);
  const [path, setPath] = useState('');
  const [working, setWorking] = useState(false);
  const [error, setError] = useState<AppErrorShape | null>(null);
  const [result, setResult] = useState<ExportResult | null>(null);
  const filterText = filterToText(filter);

  const run = async (target: string): Promise<void> => {
    setWorking(true);
    setError(null);
    const r = await client.call('exportSessionsCsv', { filter, path: target });
    setWorking(false);
    if (r.ok) setResult(r.value);
    else setError(r.error);
  };

  const choose = async (): Promise<void> => {
    setError(null);
    const r = await client.call('pickSavePath', { defaultName: 'sessions.csv' });
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

  return (
    <Modal
      title="Export sessions as CSV"
      onClose={onClose}
      testId="export-dialog"
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
              disabled={working}
              onClick={() => void choose()}
            >
              Choose file and export…
            </button>
          )}
        </>
      }
    >
      <p>
        Exports every access session matching the current filter. The filter is written into the
        file so a reader can reproduce it.
      </p>
      <div className="small">
        Filter:{' '}
        <code data-testid="export-filter">
          {filterText === '' ? '(none — all sessions)' : filterText}
        </code>
      </div>
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
              placeholder="/path/to/sessions.csv"
              value={path}
              autoFocus
              onChange={(e) => setPath(e.target.value)}
            />
            <button
              type="submit"
              className="btn btn-primary"
              data-testid="export-run"
              disabled={working || path.trim() === ''}
            >
              Export
            </button>
          </div>
        </form>
      ) : null}
      {working ? <Spinner label="Exporting…" /> : null}
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      {result ? (
        <dl className="kv" data-testid="export-result">
          <dt>Rows</dt>
          <dd data-testid="export-rows">{formatCount(result.rows)}</dd>
          <dt>File</dt>
          <dd className="mono break" data-testid="export-path">
            {result.path}
          </dd>
          <dt>SHA-256</dt>
          <dd className="mono break" data-testid="export-sha256">
            {result.sha256}
          </dd>
        </dl>
      ) : null}
    </Modal>
  );
}
