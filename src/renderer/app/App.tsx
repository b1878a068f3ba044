import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { AppInfo, CaseInfo } from '../../contract/api';
import type { AppErrorShape } from '../../contract/result';
import { StartScreen } from '../features/start/StartScreen';
import { ErrorBanner } from '../shared/ErrorBanner';
import { Spinner } from '../shared/Spinner';
import type { Client } from '../transport/client';
import type { Activity } from './activity';
import { AppContext, type AppContextValue } from './app-context';
import { Workspace } from './Workspace';

interface Props {
  client: Client;
  activity: Activity;
}

/** The app shell: boots the bridge, exposes `data-app-state`, shows the start screen or the open case. */
export function App({ client, activity }: Props) {
  const busy = useSyncExternalStore(activity.subscribe, activity.busy);
  const [booted, setBooted] = useState(false);
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [caseInfo, setCaseInfo] = useState<CaseInfo | null>(null);
  const [bootError, setBootError] = useState<AppErrorShape | null>(null);
  const [caseError, setCaseError] = useState<AppErrorShape | null>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    let live = true;
    void Promise.all([client.call('getAppInfo', {}), client.call('getCase', {})]).then(([i, c]) => {
      if (!live) return;
      if (i.ok) setInfo(i.value);
      else setBootError(i.error);
      if (c.ok) setCaseInfo(c.value);
      else if (i.ok) setCaseError(c.error);
      setBooted(true);
    });
    return () => {
      live = false;
    };
  }, [client]);

  useEffect(() => {
    if (version === 0) return;
    let live = true;
    void client.call('getCase', {}).then((r) => {
      if (!live) return;
      if (r.ok) {
        setCaseInfo(r.value);
        setCaseError(null);
      } else setCaseError(r.error);
    });
    return () => {
      live = false;
    };
  }, [client, version]);

  const invalidate = useCallback(() => setVersion((v) => v + 1), []);

  useEffect(() => client.on('onCaseChanged', () => invalidate()), [client, invalidate]);

  const context = useMemo<AppContextValue | null>(
    () => (info ? { client, activity, info, caseInfo, version, invalidate, setCaseInfo } : null),
    [client, activity, info, caseInfo, version, invalidate],
  );

  const state = booted && !busy ? 'ready' : 'loading';

  return (
    <div className="app" data-testid="app" data-app-state={state}>
      <div className={busy ? 'busy-bar busy-bar-on' : 'busy-bar'} aria-hidden="true" />
      {!booted ? (
        <div className="boot">
          <Spinner label="Starting…" />
        </div>
      ) : context === null ? (
        <div className="boot">
          <h1 className="brand">Snoopscope</h1>
          <ErrorBanner error={bootError} title="Cannot reach the Snoopscope core" />
          {client.kind === 'http' ? (
            <p className="muted">
              In a browser, open the address the dev server printed, including its{' '}
              <code>?token=…</code>.
            </p>
          ) : null}
        </div>
      ) : (
        <AppContext.Provider value={context}>
          <ErrorBanner error={caseError} title="Case" onDismiss={() => setCaseError(null)} />
          {caseInfo ? <Workspace key={caseInfo.path} caseInfo={caseInfo} /> : <StartScreen />}
        </AppContext.Provider>
      )}
    </div>
  );
}
