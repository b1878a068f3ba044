import type { ImportProgress } from '../../../contract/events';
import { Spinner } from '../../shared/Spinner';
import { clampPercent, phaseLabel } from '../import/import-format';
import { backupProgressLine, formatSeconds } from './backup-format';
import './backups.css';

interface Props {
  name: string;
  path: string;
  progress: ImportProgress | null;
}

/** A backup import under way: phase, percent, the unlocking estimate and the file being read. */
export function BackupProgress({ name, path, progress }: Props) {
  const percent = progress ? clampPercent(progress.percent) : 0;
  return (
    <section
      className="import-progress backup-progress"
      data-testid="import-progress"
      data-phase={progress?.phase ?? 'starting'}
      aria-live="polite"
    >
      <div className="progress-file" title={path}>
        Importing the backup of {name}
      </div>
      <div className="muted small mono break">{path}</div>
      {progress ? (
        <>
          <div className="backup-progress-phase">
            <strong data-testid="backup-progress-phase">{phaseLabel(progress.phase)}</strong>
            <span className="muted"> · {Math.round(percent)}%</span>
            {progress.phase === 'unlocking' &&
            typeof progress.etaSeconds === 'number' &&
            progress.etaSeconds > 0 ? (
              <span className="muted" data-testid="backup-progress-eta">
                {' '}
                · about {formatSeconds(progress.etaSeconds)} left
              </span>
            ) : null}
          </div>
          <div
            className="progress"
            role="progressbar"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(percent)}
            aria-label="Backup import progress"
            aria-valuetext={`${Math.round(percent)}% · ${backupProgressLine(progress)}`}
          >
            <div className="progress-fill" style={{ width: `${percent}%` }} />
          </div>
          <div className="muted small" data-testid="import-progress-text">
            {progress.detail ?? '\u00a0'}
          </div>
          {progress.phase === 'unlocking' ? (
            <p className="muted small">
              The keys are derived from the password on purpose slowly (Apple’s design against
              guessing); the rest of the import is quick.
            </p>
          ) : null}
        </>
      ) : (
        <Spinner label="Starting import…" />
      )}
    </section>
  );
}
