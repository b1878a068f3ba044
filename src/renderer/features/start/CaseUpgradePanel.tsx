import { useEffect, useState } from 'react';
import type { CaseUpgradeStatus } from '../../../contract/events';
import { useApp } from '../../app/use-app';
import { useBridgeEvent } from '../../app/use-bridge-event';
import { ErrorBanner } from '../../shared/ErrorBanner';
import type { AppErrorShape } from '../../../contract/result';
import { formatDuration } from '../../shared/format';
import { Notice } from '../../shared/Notice';

/**
 * The upgrade of a case being opened, as the core reports it: the one already running when the
 * screen appears (opened from the menu, or before a reload), then each `onCaseUpgrade`. An ended
 * upgrade read at mount is not shown again.
 */
export function useCaseUpgrade(): CaseUpgradeStatus | null {
  const { client } = useApp();
  const [status, setStatus] = useState<CaseUpgradeStatus | null>(null);
  useEffect(() => {
    let live = true;
    void client.call('getCaseUpgrade', {}).then((r) => {
      if (live && r.ok && r.value?.state === 'running') setStatus((s) => s ?? r.value);
    });
    return () => {
      live = false;
    };
  }, [client]);
  useBridgeEvent('onCaseUpgrade', setStatus);
  return status;
}

/** The sentence the examiner reads while a case is upgraded. */
export function upgradeSentence(s: CaseUpgradeStatus): string {
  return `Upgrading ${s.caseName} for this version of Snoopscope: step ${s.step} of ${s.steps}, ${s.stepName}… This runs once; the case file stays as it was until each step completes.`;
}

/**
 * Time since the upgrade started: the event's figure, counted on each second until the next
 * event (the component is keyed by the step, so it starts again from each event's figure).
 */
function Elapsed({ sinceStartMs }: { sinceStartMs: number }) {
  const [shownAt] = useState(() => Date.now());
  const [now, setNow] = useState(shownAt);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return <>{formatDuration(sinceStartMs + Math.max(0, now - shownAt))}</>;
}

/**
 * Where the start screen shows an upgrade: its step and a Cancel button while it runs, the
 * sentence saying it was stopped once cancelled. Nothing otherwise.
 */
export function CaseUpgradePanel({ status }: { status: CaseUpgradeStatus | null }) {
  if (!status) return null;
  if (status.state === 'cancelled')
    return (
      <Notice tone="warning" testId="case-upgrade-stopped">
        {status.message}
      </Notice>
    );
  if (status.state !== 'running') return null;
  return <RunningUpgrade status={status} />;
}

function RunningUpgrade({ status }: { status: CaseUpgradeStatus }) {
  const { client } = useApp();
  const [cancelling, setCancelling] = useState(false);
  const [error, setError] = useState<AppErrorShape | null>(null);
  const cancel = async (): Promise<void> => {
    setCancelling(true);
    const r = await client.call('cancelCaseUpgrade', {});
    if (!r.ok) {
      setError(r.error);
      setCancelling(false);
    }
  };
  const done = Math.max(0, status.step - 1);
  return (
    <section
      className="banner banner-info case-upgrade"
      aria-labelledby="case-upgrade-title"
      data-testid="case-upgrade"
    >
      <div className="banner-body">
        <h2 id="case-upgrade-title" className="sr-only">
          Upgrading the case
        </h2>
        <p role="status" aria-live="polite" data-testid="case-upgrade-text">
          {upgradeSentence(status)}
        </p>
        <div
          className="progress"
          role="progressbar"
          aria-label="Upgrade steps completed"
          aria-valuemin={0}
          aria-valuemax={status.steps}
          aria-valuenow={done}
        >
          <div
            className="progress-fill"
            style={{ width: `${(100 * done) / Math.max(1, status.steps)}%` }}
          />
        </div>
        <p className="muted small" data-testid="case-upgrade-elapsed">
          Running for <Elapsed key={status.step} sinceStartMs={status.elapsedMs} />.
          {cancelling ? ' Stopping after the step under way…' : ''}
        </p>
        <button
          type="button"
          className="btn"
          data-testid="case-upgrade-cancel"
          autoFocus
          disabled={cancelling}
          onClick={() => void cancel()}
        >
          Cancel upgrade
        </button>
        <ErrorBanner error={error} onDismiss={() => setError(null)} />
      </div>
    </section>
  );
}
