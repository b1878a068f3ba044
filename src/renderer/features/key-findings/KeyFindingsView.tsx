import { useId, useState } from 'react';
import type { FindingsStatus } from '../../../contract/events';
import type { DeviceKeyFindings, KeyFinding } from '../../../contract/key-findings';
import { useApp } from '../../app/use-app';
import { useBridgeEvent } from '../../app/use-bridge-event';
import { useQuery } from '../../app/use-query';
import { useFilter, useWorkspaceActions } from '../../app/workspace/use-workspace';
import { categoryLabel } from '../../shared/category-colors';
import { EmptyState } from '../../shared/EmptyState';
import { ErrorBanner } from '../../shared/ErrorBanner';
import { Spinner } from '../../shared/Spinner';
import { pendingSentence } from '../findings/findings-model';
import '../findings/findings.css';
import './key-findings.css';
import {
  findingCount,
  hasAnyFinding,
  placeOfKey,
  placeOfOther,
  severityWord,
} from './key-findings-model';

/** Per device, the few apps that deserve attention, each in one sentence; the rest by app. */
export function KeyFindingsView() {
  // The devices the filter names (all when none).
  const deviceIds = useFilter().devices;
  const { setTab } = useWorkspaceActions();
  const q = useQuery('queryKeyFindings', deviceIds && deviceIds.length > 0 ? { deviceIds } : {});
  return (
    <section
      className="view key-findings-view"
      data-testid="key-findings-view"
      aria-labelledby="key-findings-title"
    >
      <div className="view-head">
        <h2 id="key-findings-title">Key findings</h2>
        <span className="muted small">
          Times are device-local, on a 24-hour clock. Each sentence says what the records cannot
          prove.
        </span>
        {q.loading ? <Spinner /> : null}
      </div>
      {q.error?.code === 'CASE_BUSY' ? (
        <FindingsPending fallback={q.error.message} />
      ) : (
        <ErrorBanner error={q.error} title="Key findings" />
      )}
      {q.data && q.data.length === 0 ? (
        <EmptyState title="No devices yet" testId="key-findings-empty">
          Import an App Privacy Report export, an iPhone backup or an Android capture: the key
          findings of each device are listed here.
        </EmptyState>
      ) : null}
      {q.data && q.data.length > 0 && !hasAnyFinding(q.data) ? (
        <EmptyState title="No findings in this case" testId="key-findings-empty">
          No rule found anything to look at in the records of{' '}
          {q.data.length === 1 ? 'this device' : 'these devices'}. That is not proof that nothing
          happened: days without a source are unobserved, not quiet. See the{' '}
          <button type="button" className="btn-link" onClick={() => setTab('findings')}>
            findings rules and their parameters
          </button>
          .
        </EmptyState>
      ) : null}
      {q.data && hasAnyFinding(q.data)
        ? q.data.map((d) => <DeviceSection key={d.deviceId} d={d} />)
        : null}
    </section>
  );
}

/**
 * While the stored findings are computed in the background: what is computed and how far along,
 * updated by the status events; the case-changed event at its end reads the key findings again.
 */
function FindingsPending({ fallback }: { fallback: string }) {
  const { client } = useApp();
  const asked = useQuery('getFindingsStatus', {});
  // The rules' titles, so the parameters are named as the Findings view names them.
  const rules = useQuery('listFindingRules', {});
  const [live, setLive] = useState<FindingsStatus | null>(null);
  useBridgeEvent('onFindingsStatus', setLive);
  const status = live ?? asked.data;
  const computeAgain = (): void => {
    void client.call('refreshFindings', {}).then((r) => {
      if (r.ok) setLive(r.value);
    });
  };
  return (
    <div
      className={`findings-pending findings-pending-${status?.state ?? 'computing'}`}
      data-testid="key-findings-pending"
      role={status?.state === 'failed' ? 'alert' : 'status'}
      tabIndex={0}
    >
      <p>{status ? pendingSentence(status, rules.data) : fallback}</p>
      {status?.state === 'failed' ? (
        <button type="button" className="btn btn-small" onClick={computeAgain}>
          Compute the findings again
        </button>
      ) : null}
    </div>
  );
}

function DeviceSection({ d }: { d: DeviceKeyFindings }) {
  const id = useId();
  // Opens the timeline on a finding's evidence, keeping its hours window.
  const onShowOnTimeline = useWorkspaceActions().showPlace;
  return (
    <section className="key-device" data-testid="key-device" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>
        {d.device}{' '}
        <span className="muted small">
          {d.observedDays} observed {d.observedDays === 1 ? 'day' : 'days'}
        </span>
      </h3>
      {d.key.length === 0 ? (
        <p className="muted" data-testid="key-findings-none">
          No app on this device stands out: no finding of medium or high severity on a named
          resource. Its other findings are below.
        </p>
      ) : (
        <ol className="key-list">
          {d.key.map((k) => (
            <KeyItem key={k.findingId} k={k} />
          ))}
        </ol>
      )}
      {d.intervalClusters.length > 0 ? (
        <div className="key-intervals" data-testid="key-intervals">
          <h4>Interval lengths</h4>
          <ul>
            {d.intervalClusters.map((c) => (
              <li key={c.category}>
                <strong>
                  {categoryLabel(c.category)}: about {c.seconds} s.
                </strong>{' '}
                {c.note}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {d.others.length > 0 ? (
        <div className="key-others">
          <h4>Everything else, by app</h4>
          {d.others.map((o) => (
            <details key={o.app ?? ''} className="key-other" data-testid="key-other-app">
              <summary>
                <span className={`findings-sev sev-${o.severity}`}>{o.severity}</span>{' '}
                {o.appName ?? o.app ?? 'No app'} · {findingCount(o.findings.length)}
              </summary>
              <ul>
                {o.findings.map((f) => (
                  <li key={f.id}>
                    <span className={`findings-sev sev-${f.severity}`}>{f.severity}</span> {f.title}
                    {f.why ? <div className="muted small">{f.why}</div> : null}
                    <button
                      type="button"
                      className="btn-link small"
                      onClick={() => onShowOnTimeline(placeOfOther(d.deviceId, o.app, f))}
                    >
                      Show on timeline
                    </button>
                  </li>
                ))}
              </ul>
            </details>
          ))}
        </div>
      ) : null}
    </section>
  );
}

function KeyItem({ k }: { k: KeyFinding }) {
  const onShowOnTimeline = useWorkspaceActions().showPlace;
  return (
    <li className="key-item" data-testid="key-finding">
      <p className="key-sentence">
        <span className={`findings-sev sev-${k.severity}`}>{severityWord(k.severity)}</span>{' '}
        <strong>{k.appName ?? k.app}</strong> · {categoryLabel(k.category)}
      </p>
      <p className="key-text" data-testid="key-sentence">
        {k.sentence}
      </p>
      {k.why ? (
        <p className="muted small">
          Why {k.severity}: {k.why}
        </p>
      ) : null}
      <button
        type="button"
        className="btn btn-small"
        data-testid="key-show-timeline"
        onClick={() => onShowOnTimeline(placeOfKey(k))}
      >
        Show on timeline
      </button>
    </li>
  );
}
