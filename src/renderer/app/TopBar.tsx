import { Fragment } from 'react';
import { PlatformBadge } from '../features/devices/PlatformBadge';
import { formatCount, plural } from '../shared/format';
import { useCase, useImportControl, useWorkspaceActions } from './workspace/use-workspace';

interface Props {
  onClose: () => void;
}

/** Case name, what the case holds, and the case-wide actions. */
export function TopBar({ onClose }: Props) {
  const { caseInfo, devices } = useCase();
  const importPhase = useImportControl().state.phase;
  const actions = useWorkspaceActions();
  const onImport = (): void => actions.openImport();
  const running = importPhase === 'starting' || importPhase === 'running';
  return (
    <header className="topbar">
      <div className="topbar-brand" aria-hidden="true">
        Snoopscope
      </div>
      <div className="topbar-case">
        <h1 className="case-name" data-testid="case-name" title={caseInfo.path}>
          {caseInfo.name}
        </h1>
        <div className="case-meta small" data-testid="case-summary">
          {devices.length === 0
            ? 'No devices yet'
            : devices.length <= 3
              ? devices.map((d, i) => (
                  <Fragment key={d.id}>
                    {i > 0 ? ', ' : ''}
                    {d.label}
                    <PlatformBadge platform={d.platform} />
                  </Fragment>
                ))
              : plural(devices.length, 'device')}{' '}
          · {plural(caseInfo.sources, 'source')} · {formatCount(caseInfo.sessions)} sessions
        </div>
      </div>
      <div className="topbar-actions">
        {running ? (
          <button
            type="button"
            className="btn btn-small btn-on"
            data-testid="import-running"
            onClick={onImport}
          >
            Importing…
          </button>
        ) : null}
        <button
          type="button"
          className="btn btn-primary"
          data-testid="open-import"
          onClick={onImport}
        >
          Import…
        </button>
        <button
          type="button"
          className="btn"
          data-testid="export-csv"
          disabled={caseInfo.sessions === 0}
          onClick={actions.openExport}
        >
          Export…
        </button>
        <button
          type="button"
          className="btn"
          data-testid="open-verify"
          onClick={() => actions.setTab('verify')}
        >
          Verify bundle…
        </button>
        <button
          type="button"
          className="btn btn-quiet"
          data-testid="close-case"
          disabled={running}
          onClick={onClose}
        >
          Close case
        </button>
      </div>
    </header>
  );
}
