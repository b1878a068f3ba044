import { useState, type FormEvent } from 'react';
import type { RecentCase } from '../../../contract/api';
import type { AppErrorShape } from '../../../contract/result';
import { useApp } from '../../app/use-app';
import { useQuery } from '../../app/use-query';
import { EmptyState } from '../../shared/EmptyState';
import { ErrorBanner } from '../../shared/ErrorBanner';
import { formatExaminerTime } from '../../shared/examiner-time';
import { Spinner } from '../../shared/Spinner';
import { VerifyView } from '../verify/VerifyView';
import { CaseUpgradePanel, useCaseUpgrade } from './CaseUpgradePanel';

type Mode = 'create' | 'open';

/** The first screen: create or open a case file, or pick a recent one. */
export function StartScreen() {
  const { client, info, setCaseInfo, invalidate } = useApp();
  const recent = useQuery('listRecentCases', {});
  const [error, setError] = useState<AppErrorShape | null>(null);
  const [typing, setTyping] = useState<Mode | null>(null);
  const [pathText, setPathText] = useState('');
  const [working, setWorking] = useState(false);
  const [verifying, setVerifying] = useState(false);
  // A case written by an earlier version is upgraded before it opens: its progress shows here.
  const upgrade = useCaseUpgrade();
  const busy = working || upgrade?.state === 'running';

  const openPath = async (mode: Mode, path: string): Promise<void> => {
    setWorking(true);
    setError(null);
    const r =
      mode === 'create'
        ? await client.call('createCase', { path })
        : await client.call('openCase', { path });
    setWorking(false);
    if (r.ok) setCaseInfo(r.value);
    // A stopped upgrade is said by its panel, not as an error.
    else if (r.error.code !== 'CANCELLED') setError(r.error);
  };

  const pick = async (mode: Mode): Promise<void> => {
    setError(null);
    const r = await client.call('pickCaseFile', { mode });
    if (!r.ok) {
      if (info.host === 'devserver') setTyping(mode);
      else setError(r.error);
      return;
    }
    if (r.value === null) {
      if (info.host === 'devserver') setTyping(mode);
      return;
    }
    await openPath(mode, r.value);
  };

  const submitTyped = (e: FormEvent): void => {
    e.preventDefault();
    const path = pathText.trim();
    if (!typing || path.length === 0) return;
    void openPath(typing, path);
  };

  const forget = async (item: RecentCase): Promise<void> => {
    const r = await client.call('forgetRecentCase', { path: item.path });
    if (!r.ok) setError(r.error);
    invalidate();
  };

  if (verifying)
    return (
      <main className="start" data-testid="start-screen">
        <div className="start-card">
          <VerifyView onClose={() => setVerifying(false)} />
        </div>
      </main>
    );

  return (
    <main className="start" data-testid="start-screen">
      <div className="start-card">
        <h1 className="brand">Snoopscope</h1>
        <p className="muted">
          Which apps touched photos, camera, microphone, contacts and location — when, for how long
          and at what hour — from the phone&apos;s own logs: App Privacy Reports, iPhone backups and
          sysdiagnose archives, and Android captures. Evidence files are read, never modified.
        </p>
        <div className="start-actions">
          <button
            type="button"
            className="btn btn-primary"
            data-testid="create-case"
            disabled={busy}
            onClick={() => void pick('create')}
          >
            New case…
          </button>
          <button
            type="button"
            className="btn"
            data-testid="open-case"
            disabled={busy}
            onClick={() => void pick('open')}
          >
            Open case…
          </button>
          <button
            type="button"
            className="btn"
            data-testid="start-verify"
            disabled={busy}
            onClick={() => setVerifying(true)}
          >
            Verify a bundle…
          </button>
        </div>
        {typing ? (
          <form className="path-form" onSubmit={submitTyped} data-testid="case-path-form">
            <label htmlFor="case-path">
              {typing === 'create' ? 'Path of the new case file' : 'Path of an existing case file'}
              <span className="muted">
                {' '}
                (no file dialog in the browser: type the path on the dev server machine)
              </span>
            </label>
            <div className="row">
              <input
                id="case-path"
                className="input grow mono"
                data-testid="case-path-input"
                value={pathText}
                placeholder="/path/to/investigation.snoopscope"
                autoFocus
                onChange={(e) => setPathText(e.target.value)}
              />
              <button
                type="submit"
                className="btn btn-primary"
                data-testid="case-path-submit"
                disabled={busy || pathText.trim() === ''}
              >
                {typing === 'create' ? 'Create' : 'Open'}
              </button>
              <button type="button" className="btn" onClick={() => setTyping(null)}>
                Cancel
              </button>
            </div>
          </form>
        ) : null}
        <CaseUpgradePanel status={upgrade} />
        {working && upgrade?.state !== 'running' ? <Spinner label="Opening case…" /> : null}
        <ErrorBanner error={error} onDismiss={() => setError(null)} />
        <ErrorBanner error={recent.error} title="Recent cases" />

        <section className="recent" aria-labelledby="recent-title">
          <h2 id="recent-title">Recent cases</h2>
          {recent.data === null ? (
            recent.loading ? (
              <Spinner />
            ) : null
          ) : recent.data.length === 0 ? (
            <EmptyState title="No recent cases" testId="recent-empty">
              Create a case to start an investigation.
            </EmptyState>
          ) : (
            <ul className="recent-list" data-testid="recent-cases">
              {recent.data.map((item) => (
                <li
                  key={item.path}
                  className={item.exists ? 'recent-item' : 'recent-item recent-missing'}
                  data-testid="recent-case"
                  data-exists={String(item.exists)}
                >
                  <div className="recent-text">
                    <div className="recent-name">
                      {item.name}
                      {item.exists ? null : <span className="tag tag-muted">file missing</span>}
                    </div>
                    <div className="recent-path mono" title={item.path}>
                      {item.path}
                    </div>
                    <div className="muted small">
                      Last opened {formatExaminerTime(item.openedAt)}
                    </div>
                  </div>
                  <div className="recent-buttons">
                    <button
                      type="button"
                      className="btn"
                      data-testid="recent-open"
                      disabled={!item.exists || busy}
                      onClick={() => void openPath('open', item.path)}
                    >
                      Open
                    </button>
                    <button
                      type="button"
                      className="btn btn-quiet"
                      data-testid="recent-forget"
                      onClick={() => void forget(item)}
                    >
                      Forget
                    </button>
                  </div>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </main>
  );
}
