import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { CaseUpgradeStatus } from '../../../contract/events';
import { AppContext, type AppContextValue } from '../../app/app-context';
import { CaseUpgradePanel, upgradeSentence } from './CaseUpgradePanel';

const status = (patch: Partial<CaseUpgradeStatus> = {}): CaseUpgradeStatus => ({
  path: '/cases/study.snoopcase',
  caseName: 'Study',
  state: 'running',
  step: 2,
  steps: 3,
  stepName: 'rebuilding the timeline summary',
  phase: 'rebuilding',
  elapsedMs: 125_000,
  message: null,
  ...patch,
});

const shell = { client: {}, info: {} } as unknown as AppContextValue;
const render = (s: CaseUpgradeStatus | null): string =>
  renderToStaticMarkup(
    <AppContext.Provider value={shell}>
      <CaseUpgradePanel status={s} />
    </AppContext.Provider>,
  );

describe('CaseUpgradePanel', () => {
  it('says which step of the upgrade runs, how long it has run, and offers a Cancel button', () => {
    const html = render(status());
    expect(upgradeSentence(status())).toBe(
      'Upgrading Study for this version of Snoopscope: step 2 of 3, rebuilding the timeline summary… This runs once; the case file stays as it was until each step completes.',
    );
    expect(html).toContain(upgradeSentence(status()));
    expect(html).toContain('role="status"');
    expect(html).toContain('Running for 2 min 05 s.');
    expect(html).toMatch(
      /<button type="button" class="btn" data-testid="case-upgrade-cancel"[^>]*>Cancel upgrade<\/button>/,
    );
    expect(html).toContain('aria-valuenow="1"');
  });

  it('says an upgrade was stopped and continues the next time the case is opened', () => {
    const message =
      'The upgrade of Study was stopped; the steps completed so far are kept, and it continues the next time the case is opened.';
    const html = render(status({ state: 'cancelled', message }));
    expect(html).toContain(message);
    expect(html).not.toContain('case-upgrade-cancel');
  });

  it('shows nothing when no upgrade runs, or once one is done', () => {
    expect(render(null)).toBe('');
    expect(render(status({ state: 'done' }))).toBe('');
  });
});
