import { useState, type FormEvent } from 'react';
import type { AppErrorShape } from '../../../contract/result';
import { useApp } from '../../app/use-app';
import { ErrorBanner } from '../../shared/ErrorBanner';
import { Spinner } from '../../shared/Spinner';
import { Fingerprint } from './Fingerprint';
import {
  fileStatusLabel,
  fingerprintLooksValid,
  missingSignerNote,
  sortFiles,
  verdict,
  type VerifyResult,
} from './verify-model';
import './verify.css';

interface Props {
  /** Shown as a "Back" button when the view stands on its own (the start screen). */
  onClose?: () => void;
}

/** Checks an evidence bundle: the signature, every file's sha256, and who signed it. */
export function VerifyView({ onClose }: Props) {
  const { client, info } = useApp();
  const [path, setPath] = useState('');
  const [expected, setExpected] = useState('');
  const [working, setWorking] = useState(false);
  const [error, setError] = useState<AppErrorShape | string | null>(null);
  const [result, setResult] = useState<{ path: string; expected: string; r: VerifyResult } | null>(
    null,
  );
  const expectedText = expected.trim();
  const expectedBad = expectedText !== '' && !fingerprintLooksValid(expectedText);

  const verify = async (target: string): Promise<void> => {
    setWorking(true);
    setError(null);
    setResult(null);
    const r = await client.call('verifyBundle', {
      path: target,
      ...(expectedText !== '' ? { fingerprint: expectedText } : {}),
    });
    setWorking(false);
    if (r.ok) setResult({ path: target, expected: expectedText, r: r.value });
    else setError(r.error);
  };

  const choose = async (): Promise<void> => {
    setError(null);
    const r = await client.call('pickImportFiles', {});
    if (!r.ok) {
      setError(r.error);
      return;
    }
    const first = r.value[0];
    if (first === undefined) {
      if (info.host === 'devserver')
        setError(
          'No file dialog in the browser: type the path of the bundle on the server machine.',
        );
      return;
    }
    setPath(first);
  };

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const p = path.trim();
    if (p !== '' && !expectedBad) void verify(p);
  };

  const v = result ? verdict(result.r) : null;

  return (
    <section className="verify" data-testid="verify-view" aria-labelledby="verify-title">
      <div className="verify-head">
        <h2 id="verify-title">Verify an evidence bundle</h2>
        {onClose ? (
          <button type="button" className="btn" data-testid="verify-back" onClick={onClose}>
            Back
          </button>
        ) : null}
      </div>
      <p className="muted">
        Checks the bundle's signature and the sha256 of every file it lists, and names each file
        that does not match. No case is needed and the bundle is only read.
      </p>
      <form className="verify-form" onSubmit={submit}>
        <label htmlFor="verify-path">Bundle (.zip)</label>
        <div className="row">
          <input
            id="verify-path"
            className="input grow mono"
            data-testid="verify-path-input"
            placeholder="/path/to/case-bundle.zip"
            value={path}
            onChange={(e) => setPath(e.target.value)}
          />
          <button
            type="button"
            className="btn"
            data-testid="verify-choose"
            disabled={working}
            onClick={() => void choose()}
          >
            Choose…
          </button>
        </div>
        <label htmlFor="verify-fingerprint">
          Expected signer fingerprint <span className="muted">(optional)</span>
        </label>
        <input
          id="verify-fingerprint"
          className={expectedBad ? 'input mono input-invalid' : 'input mono'}
          data-testid="verify-fingerprint-input"
          placeholder="as given to you separately by the examiner, e.g. 1a2b 3c4d …"
          value={expected}
          aria-invalid={expectedBad}
          aria-describedby="verify-fingerprint-help"
          onChange={(e) => setExpected(e.target.value)}
        />
        <div id="verify-fingerprint-help" className="small muted">
          {expectedBad
            ? 'A fingerprint is 64 hexadecimal digits (spaces and colons are ignored).'
            : 'With it, a bundle signed by any other key fails, even if it is otherwise consistent.'}
        </div>
        <div>
          <button
            type="submit"
            className="btn btn-primary"
            data-testid="verify-run"
            disabled={working || path.trim() === '' || expectedBad}
          >
            Verify
          </button>
        </div>
      </form>
      {working ? <Spinner label="Verifying…" /> : null}
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      {result && v ? (
        <div className="verify-result" data-testid="verify-result">
          <div
            className={v.intact ? 'verify-verdict verify-ok' : 'verify-verdict verify-bad'}
            role={v.intact ? 'status' : 'alert'}
            data-testid="verify-verdict"
            data-intact={v.intact ? 'true' : 'false'}
          >
            <span className="verify-mark" aria-hidden="true">
              {v.intact ? '✓' : '✗'}
            </span>
            <div>
              <div className="verify-title">{v.title}</div>
              <div>{v.detail}</div>
            </div>
          </div>
          <div className="small">
            Checked: <span className="mono break">{result.path}</span>
          </div>
          <VerifyList title="Problems" kind="problem" items={result.r.problems} />
          <VerifyList title="Notes" kind="note" items={result.r.notes} />
          <h3>Signer</h3>
          {result.r.fingerprint ? (
            <>
              <Fingerprint fingerprint={result.r.fingerprint} testId="verify-signer" />
              <p className="small">
                {result.expected !== '' && result.r.ok
                  ? 'This matches the expected fingerprint you entered.'
                  : 'Compare this with a fingerprint you obtained separately from the examiner (by phone, in person, from their website). Anyone can re-sign an altered bundle with their own key; only a matching fingerprint shows it was signed by the expected installation.'}
              </p>
            </>
          ) : (
            <p className="small" data-testid="verify-signer-none">
              {missingSignerNote(result.r)}
            </p>
          )}
          {result.r.files.length > 0 ? (
            <>
              <h3>Files</h3>
              <div className="table-wrap">
                <table className="table table-compact" data-testid="verify-files">
                  <thead>
                    <tr>
                      <th>File</th>
                      <th>Status</th>
                    </tr>
                  </thead>
                  <tbody>
                    {sortFiles(result.r.files).map((f, i) => (
                      // A tampered zip can hold one name twice: the row key cannot be the name.
                      <tr key={`${i}:${f.name}`} data-testid="verify-file" data-status={f.status}>
                        <td className="mono break">{f.name}</td>
                        <td>
                          <span className={f.status === 'ok' ? 'tag tag-ok' : 'tag tag-bad'}>
                            {fileStatusLabel(f.status)}
                          </span>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

/** A headed list of the verifier's problems or notes; nothing when there are none. */
function VerifyList({
  title,
  kind,
  items,
}: {
  title: string;
  kind: 'problem' | 'note';
  items: readonly string[];
}) {
  if (items.length === 0) return null;
  return (
    <>
      <h3>{title}</h3>
      <ul className={`verify-${kind}s`} data-testid={`verify-${kind}s`}>
        {items.map((item, i) => (
          <li key={i} data-testid={`verify-${kind}`}>
            {item}
          </li>
        ))}
      </ul>
    </>
  );
}
