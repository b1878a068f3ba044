import { Fragment } from 'react';
import type { CaseInfo } from '../../contract/api';
import { PlatformBadge } from '../features/devices/PlatformBadge';
import { formatCount, plural } from '../shared/format';
import type { ImportPhase } from '../features/import/use-import';

interface Props {
  caseInfo: CaseInfo;
  importPhase: ImportPhase;
  onImport: () => void;
  onExport: () => void;
  onVerify: () => void;
  onClose: () => void;
}

/** Case name, what the case holds, and the case-wide actions. */
export function TopBar({ caseInfo, importPhase, onImport, onExport, onVerify, onClose }: Props) {
  const devices = caseInfo.devices;
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
          onClick={onExport}
        >
          Export…
        </button>
        <button type="button" className="btn" data-testid="open-verify" onClick={onVerify}>
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
