import type { EdgeDetails, SessionDetails as Details } from '../../../contract/api';
import { useQuery } from '../../app/use-query';
import { DetailsPanel } from '../../shared/DetailsPanel';
import { categoryColor, categoryLabel } from '../../shared/category-colors';
import { AnnotationEditor } from '../annotations/AnnotationEditor';
import { formatBoth, formatDuration } from '../../shared/format';
import { DeviceStateSection } from './DeviceStateSection';
import { androidRows, stateText as describeState } from './state-mark';
import './state-marks.css';

interface Props {
  id: string;
  onClose: () => void;
}

function Instant({
  label,
  ms,
  offsetMin,
}: {
  label: string;
  ms: number | null;
  offsetMin: number | null;
}) {
  const both = formatBoth(ms, offsetMin);
  return (
    <>
      <dt>{label} (device-local)</dt>
      <dd className="mono">{ms === null ? 'unknown' : both.local}</dd>
      <dt>{label} (UTC)</dt>
      <dd className="mono">{ms === null ? 'unknown' : both.utc}</dd>
    </>
  );
}

function openReasonText(reason: Details['openReason']): string {
  switch (reason) {
    case null:
      return '—';
    case 'missing-end':
      return 'No end record: the session was still running at export time, or the end is missing.';
    case 'missing-begin':
      return 'No begin record: the session started before the export window, or the begin is missing.';
    default: {
      const never: never = reason;
      return String(never);
    }
  }
}

function stateText(d: Details): string {
  return describeState(d.state, d.stateSource, d.android?.rawState) ?? 'unknown (not recorded)';
}

type AndroidFacts = NonNullable<Details['android']>;

/** What Android printed about this access, with the inferred state kept apart. */
function AndroidSection({ android }: { android: AndroidFacts }) {
  const rows = androidRows({ android });
  return (
    <section className="android-facts" data-testid="details-android" aria-label="Android">
      <h3>Android</h3>
      <dl className="kv">
        {rows.map((r) => (
          <div
            key={r.key}
            className={r.inference ? 'kv-pair android-inference' : 'kv-pair'}
            data-testid={`details-android-${r.key}`}
          >
            <dt>{r.label}</dt>
            <dd className={r.mono ? 'mono break' : undefined}>
              {r.inference ? <span className="tag tag-warn inference-tag">inference</span> : null}
              {r.value}
            </dd>
          </div>
        ))}
      </dl>
      {android.proxy ? (
        <div className="proxy-lines" data-testid="details-proxy">
          <p className="small">
            Performed by <span className="mono">{android.proxy.packageName ?? 'another app'}</span>{' '}
            and blamed on this app; the proxy’s own line:
          </p>
          {android.proxyLines.length === 0 ? (
            <p className="muted small">
              Not found: the capture holds no matching line under the proxy app.
            </p>
          ) : (
            android.proxyLines.map((p) => (
              <div
                key={`${p.sourceId}-${p.line}`}
                className="proxy-line"
                data-testid="details-proxy-line"
              >
                <dl className="kv">
                  <dt>Proxy app</dt>
                  <dd className="mono break">{p.app}</dd>
                  <dt>Source file</dt>
                  <dd>{p.fileName}</dd>
                  <dt>SHA-256</dt>
                  <dd className="mono small break">{p.sha256}</dd>
                  <dt>Line</dt>
                  <dd className="mono">{p.line}</dd>
                </dl>
                <pre className="raw" aria-label={`Proxy's line ${p.line}`}>
                  {p.rawLine}
                </pre>
              </div>
            ))
          )}
        </div>
      ) : null}
    </section>
  );
}

function ExtraValue({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className="muted">—</span>;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return <span className="mono">{String(value)}</span>;
  return <pre className="raw">{JSON.stringify(value, null, 2)}</pre>;
}

function Edge({ edge }: { edge: EdgeDetails }) {
  return (
    <section className="edge" data-testid="details-edge" data-kind={edge.kind}>
      <h4>{edge.kind === 'begin' ? 'Begin record' : 'End record'}</h4>
      <dl className="kv">
        <dt>Timestamp (as written)</dt>
        <dd className="mono">{edge.timestamp}</dd>
        <dt>Source file</dt>
        <dd title={edge.source.path}>{edge.source.fileName}</dd>
        <dt>Path</dt>
        <dd className="mono small break">{edge.source.path}</dd>
        <dt>SHA-256</dt>
        <dd className="mono small break">{edge.source.sha256}</dd>
        <dt>Line</dt>
        <dd className="mono">{edge.line}</dd>
      </dl>
      <pre className="raw" data-testid="details-raw-line" aria-label={`Original line ${edge.line}`}>
        {edge.rawLine}
      </pre>
      {edge.alsoIn.length > 0 ? (
        <div className="also-in">
          <div className="small">
            Also in {edge.alsoIn.length} other source{edge.alsoIn.length === 1 ? '' : 's'}:
          </div>
          <ul>
            {edge.alsoIn.map((a) => (
              <li key={`${a.sourceId}-${a.line}`} className="small">
                {a.fileName} · line <span className="mono">{a.line}</span> ·{' '}
                <span className="mono break" title={a.sha256}>
                  {a.sha256}
                </span>
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <div className="muted small">Not found in any other imported source.</div>
      )}
    </section>
  );
}

/** Every stored field of one access session, with the evidence lines it was built from. */
export function SessionDetails({ id, onClose }: Props) {
  const q = useQuery('getSession', { id });
  const d = q.data && q.data.id === id ? q.data : null;
  return (
    <DetailsPanel
      label="Session details"
      title={'Session'}
      testId="session-details"
      data={{ 'data-session-id': id }}
      error={q.error}
      loading={q.loading}
      onClose={onClose}
    >
      {d === null ? null : (
        <>
          <div className="details-title">
            <span
              className="swatch"
              style={{ background: categoryColor(d.category) }}
              aria-hidden="true"
            />
            <strong data-testid="details-app-name">{d.appName ?? d.app}</strong>
            <span className="muted"> · {categoryLabel(d.category)}</span>
          </div>
          <dl className="kv">
            <dt>App</dt>
            <dd className="mono break" data-testid="details-app">
              {d.app}
            </dd>
            <dt>App name</dt>
            <dd>{d.appName ?? '—'}</dd>
            <dt>Device</dt>
            <dd data-testid="details-device">{d.device}</dd>
            <dt>Category</dt>
            <dd data-testid="details-category">{categoryLabel(d.category)}</dd>
            <dt>Category as written</dt>
            <dd className="mono">{d.raw}</dd>
            <Instant label="Start" ms={d.startMs} offsetMin={d.startOffsetMin} />
            <Instant label="End" ms={d.endMs} offsetMin={d.endOffsetMin} />
            <dt>Duration</dt>
            <dd data-testid="details-duration">
              {d.android && !d.android.durationKnown
                ? 'not printed by Android (shown as an instant)'
                : formatDuration(d.durationMs)}
            </dd>
            <dt>Open</dt>
            <dd data-testid="details-open">{d.open ? 'yes' : 'no'}</dd>
            <dt>Open reason</dt>
            <dd>{openReasonText(d.openReason)}</dd>
            <dt>Conflict</dt>
            <dd data-testid="details-conflict">
              {d.conflict ? 'yes — the sources disagree about this interval' : 'no'}
            </dd>
            <dt>App state</dt>
            <dd data-testid="details-state" data-state={d.state}>
              {stateText(d)}
            </dd>
            <dt>Interval id</dt>
            <dd className="mono break">{d.intervalId}</dd>
            <dt>Session id</dt>
            <dd className="mono break">{d.id}</dd>
          </dl>
          <AnnotationEditor target={d.id} />
          <DeviceStateSection state={d.deviceState} />
          {d.android ? <AndroidSection android={d.android} /> : null}
          {Object.keys(d.extra).length > 0 ? (
            <>
              <h3>Extra fields</h3>
              <dl className="kv" data-testid="details-extra">
                {Object.entries(d.extra).map(([k, v]) => (
                  <div key={k} className="kv-pair">
                    <dt className="mono">{k}</dt>
                    <dd>
                      <ExtraValue value={v} />
                    </dd>
                  </div>
                ))}
              </dl>
            </>
          ) : null}
          <h3>Evidence</h3>
          {d.edges.length === 0 ? (
            <p className="muted">No source lines recorded.</p>
          ) : (
            d.edges.map((e) => <Edge key={`${e.kind}-${e.source.id}-${e.line}`} edge={e} />)
          )}
        </>
      )}
    </DetailsPanel>
  );
}
