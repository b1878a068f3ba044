import type { ApiOutput } from '../../../contract/api';
import { formatBytes, formatCount } from '../../shared/format';
import { Notice } from '../../shared/Notice';
import { Fingerprint } from '../verify/Fingerprint';
import { quoteArg } from './bundle-options';

/** What a bundle export wrote: the file, the events, every file's sha256 and the signer. */
export function BundleResult({ value }: { value: ApiOutput<'exportBundle'> }) {
  return (
    <div className="bundle-result" data-testid="bundle-result">
      <Notice tone="success">Bundle written and signed.</Notice>
      {value.keyCreated ? (
        <Notice tone="warning" testId="bundle-key-created">
          This first export created the installation's signing key{' '}
          <span className="mono break">{value.keyCreated.path}</span>. Back that file up (a lost key
          cannot be recovered) and publish its fingerprint below, so readers can check your bundles.
        </Notice>
      ) : null}
      <h3>Signer fingerprint</h3>
      <Fingerprint fingerprint={value.fingerprint} testId="bundle-fingerprint" />
      <p className="small">
        Share this fingerprint <strong>separately</strong> from the bundle (by phone, in a message,
        on your website): anyone could re-sign an altered bundle with their own key, and only the
        fingerprint tells them apart. A reader checks the bundle on the Verify screen or with:
      </p>
      <pre className="bundle-command" data-testid="bundle-verify-command">
        snoopscope verify {quoteArg(value.path)} --fingerprint "{value.fingerprint}"
      </pre>
      <dl className="kv">
        <dt>File</dt>
        <dd className="mono break" data-testid="bundle-path">
          {value.path}
        </dd>
        <dt>Events</dt>
        <dd data-testid="bundle-events">{formatCount(value.events)}</dd>
      </dl>
      <div className="table-wrap">
        <table className="table table-compact bundle-files" data-testid="bundle-files">
          <thead>
            <tr>
              <th>File in the bundle</th>
              <th className="num">Size</th>
              <th>SHA-256</th>
            </tr>
          </thead>
          <tbody>
            {value.files.map((f) => (
              <tr key={f.name} data-testid="bundle-file" data-name={f.name}>
                <td className="mono break">{f.name}</td>
                <td className="num">{formatBytes(f.size)}</td>
                <td className="mono break small">{f.sha256}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
