import type { ImportProgress } from '../../../contract/events';
import { formatBytes } from '../../shared/format';
import { Spinner } from '../../shared/Spinner';
import { baseName, clampPercent, progressLine } from './import-format';

/** The progress of a file import: the file being read, a bar, and the counts so far. */
export function FileProgress({ progress }: { progress: ImportProgress | null }) {
  const percent = progress ? clampPercent(progress.percent) : 0;
  return (
    <section className="import-progress" data-testid="import-progress" aria-live="polite">
      {progress ? (
        <>
          <div className="progress-file" title={progress.path}>
            {baseName(progress.path)}
          </div>
          <div
            className="progress"
            role="progressbar"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(percent)}
            aria-label="Import progress"
          >
            <div className="progress-fill" style={{ width: `${percent}%` }} />
          </div>
          <div className="muted small" data-testid="import-progress-text">
            {progressLine(progress)} · {Math.round(percent)}%
            {progress.totalBytes > 0
              ? ` · ${formatBytes(progress.bytes)} of ${formatBytes(progress.totalBytes)}`
              : ''}
          </div>
        </>
      ) : (
        <Spinner label="Starting import…" />
      )}
    </section>
  );
}
