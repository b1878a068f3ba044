import { useCase } from '../../app/workspace/use-workspace';
import type { ImportFinished } from '../../../contract/events';
import type { ImportOutcome } from '../../../contract/records';
import type { ImportWarning } from '../../../contract/warnings';
import { formatCount, plural } from '../../shared/format';
import { timeZoneRetry } from '../android/android-flow';
import { TimeZoneRetry } from '../android/TimeZoneRetry';
import '../backups/backups.css';
import { useQuery } from '../../app/use-query';
import { clockLabel, skippedFiles, zonesApplied } from './import-notes';
import { StateCoverageNotice } from './StateCoverageNotice';
import { WarningsTable } from '../../shared/WarningsTable';
import {
  isBackupOutcome,
  outcomeSourceLabel,
  outcomeStats,
  outcomeTitle,
  splitWarnings,
  statusLabel,
  statusTone,
  totals,
} from './import-format';

interface Props {
  finished: ImportFinished;
  /**
   * Imports again the Android captures refused for a missing time zone, with the zone given; when
   * absent, the summary does not offer it.
   */
  onRetryWithTimeZone?: (paths: string[], deviceId: number, timeZone: string) => void;
}

function Stat({
  label,
  value,
  note,
  title,
}: {
  label: string;
  value: string;
  note?: string;
  title?: string;
}) {
  return (
    <div className="stat">
      <dt title={title}>{label}</dt>
      <dd>
        {value}
        {note ? <span className="muted small"> ({note})</span> : null}
      </dd>
    </div>
  );
}

function Stats({ outcome }: { outcome: ImportOutcome }) {
  const items = outcomeStats(outcome);
  if (items === null) return null;
  return (
    <dl className="stats">
      {items.map((item) => (
        <Stat
          key={item.label}
          label={item.label}
          value={formatCount(item.value)}
          note={item.note}
          title={item.title}
        />
      ))}
    </dl>
  );
}

/** Notes on a backup: what it lacks or how it was made; not problems with what was read. */
function Notes({ notes }: { notes: ImportWarning[] }) {
  if (notes.length === 0) return null;
  return (
    <ul className="outcome-notes" data-testid="import-notes" aria-label="Notes">
      {notes.map((n, i) => (
        <li key={`${n.locator}-${i}`} className="small" data-testid="import-note">
          {n.message}
        </li>
      ))}
    </ul>
  );
}

/**
 * The warnings of one file's import. `counted` is how many the import counted for the file, notes
 * included: when more than the results carry, the table says where the rest are listed.
 */
function Warnings({
  warnings,
  title,
  carried,
  counted,
}: {
  warnings: ImportWarning[];
  title: string;
  carried: number;
  counted: number | null;
}) {
  if (warnings.length === 0) return null;
  return (
    <details className="warnings" open={warnings.length <= 10}>
      <summary data-testid="import-warnings-toggle">{plural(warnings.length, 'warning')}</summary>
      <WarningsTable
        warnings={warnings}
        label={`Warnings of ${title}`}
        testId="import-warnings"
        rowTestId="import-warning"
        footnote={
          counted !== null && counted > carried
            ? `The import counted ${formatCount(counted)} warnings and notes for this file; ${formatCount(carried)} came with these results, and the Sources tab lists every one it kept.`
            : undefined
        }
      />
    </details>
  );
}

function OutcomeCard({
  outcome,
  deviceLabel,
  counted,
}: {
  outcome: ImportOutcome;
  deviceLabel: string | null;
  /** The warnings the stored source counts, once the sources are read. */
  counted: number | null;
}) {
  const { notes, warnings } = splitWarnings(outcome.warnings);
  const backup = isBackupOutcome(outcome);
  return (
    <li
      className="outcome"
      data-testid="import-outcome"
      data-status={outcome.status}
      data-importer={outcome.importer ?? ''}
    >
      <div className="outcome-head">
        <span className="outcome-file" title={outcome.path} data-testid="import-outcome-title">
          {outcomeTitle(outcome)}
        </span>
        <span
          className={`tag tag-${statusTone(outcome.status)}`}
          data-testid="import-outcome-status"
        >
          {statusLabel(outcome.status)}
        </span>
      </div>
      {outcome.locator ? (
        <div className="small mono break" title="Where in the backup">
          {outcome.locator}
        </div>
      ) : null}
      <div className="muted small mono break" title={outcome.path}>
        {outcome.path}
      </div>
      {outcome.timeZone ? (
        <div className="small" data-testid="import-outcome-time-zone">
          Times placed in {clockLabel(outcome.timeZone)}
        </div>
      ) : null}
      <div className="muted small">
        {backup ? 'From an iPhone backup' : outcomeSourceLabel(outcome)}
        {deviceLabel ? ` · device ${deviceLabel}` : ''}
        {backup && outcome.importer !== 'ios-backup' && outcome.status === 'imported' ? (
          <span data-testid="import-outcome-records">
            {' '}
            · {plural(outcome.counts.records, 'record')}
          </span>
        ) : null}
      </div>
      {outcome.sha256 ? (
        <div className="small">
          SHA-256 <span className="mono break">{outcome.sha256}</span>
        </div>
      ) : null}
      <Stats outcome={outcome} />
      {outcome.error ? (
        <div className="banner banner-error" role="alert">
          <div className="banner-body">{outcome.error}</div>
        </div>
      ) : null}
      <Notes notes={notes} />
      <Warnings
        warnings={warnings}
        title={outcomeTitle(outcome)}
        carried={outcome.warnings.length}
        counted={counted}
      />
    </li>
  );
}

/** The time zone (or offsets) each stored file was placed in, in words. */
function ZonesApplied({ outcomes }: { outcomes: readonly ImportOutcome[] }) {
  const uses = zonesApplied(outcomes);
  if (uses.length === 0) return null;
  const [only] = uses;
  if (uses.length === 1 && only)
    return (
      <p className="import-zone" data-testid="import-zones-applied">
        <strong>Time zone applied:</strong> {only.label}.
      </p>
    );
  return (
    <div className="import-zone" data-testid="import-zones-applied">
      <strong>Time zones applied:</strong>
      <ul>
        {uses.map((u) => (
          <li key={u.label}>
            {u.label}: {u.files.join(', ')}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Every file the import did not store, with the reason, above the per-file cards. */
function Skipped({ outcomes }: { outcomes: readonly ImportOutcome[] }) {
  const skipped = skippedFiles(outcomes);
  if (skipped.length === 0) return null;
  return (
    <section
      className="import-skipped"
      data-testid="import-skipped"
      aria-labelledby="import-skipped-title"
    >
      <h3 id="import-skipped-title">Skipped: {plural(skipped.length, 'file')} not stored</h3>
      <ul>
        {skipped.map((f, i) => (
          <li key={`${f.path}-${i}`} data-testid="import-skipped-file" data-status={f.status}>
            <span className="mono break" title={f.path}>
              {f.name}
            </span>{' '}
            <span className={`tag tag-${statusTone(f.status)}`}>{statusLabel(f.status)}</span>
            <div className="small">{f.reason}</div>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Per-file results of a finished import; a backup's results per part (the phone, each artifact). */
export function ImportSummary({ finished, onRetryWithTimeZone }: Props) {
  const { devices } = useCase();
  const t = totals(finished.outcomes);
  const retry = onRetryWithTimeZone ? timeZoneRetry(finished) : null;
  const noun = finished.outcomes.some(isBackupOutcome) ? 'part' : 'file';
  const label = (id: number | null): string | null =>
    id === null ? null : (devices.find((d) => d.id === id)?.label ?? `Device ${id}`);
  // The devices this import stored into: each is checked for a report and a PowerLog that
  // cover no common time.
  const touched = [
    ...new Set(
      finished.outcomes
        .filter((o) => o.status === 'imported' && o.deviceId !== null)
        .map((o) => o.deviceId!),
    ),
  ].sort((a, b) => a - b);
  const sources = useQuery('listSources', touched.length > 0 ? {} : null);
  return (
    <section className="import-summary" data-testid="import-summary" aria-label="Import results">
      <p className="summary-line">
        {finished.cancelled ? <strong>Import cancelled. </strong> : null}
        {plural(t.imported, noun)} imported
        {t['already-imported'] > 0
          ? `, ${formatCount(t['already-imported'])} already imported`
          : ''}
        {t.refused > 0 ? `, ${formatCount(t.refused)} refused` : ''}
        {t.cancelled > 0 ? `, ${formatCount(t.cancelled)} cancelled` : ''} ·{' '}
        {plural(t.warnings, 'warning')}
        {t.notes > 0 ? ` · ${plural(t.notes, 'note')}` : ''}
      </p>
      <ZonesApplied outcomes={finished.outcomes} />
      {sources.data ? <StateCoverageNotice sources={sources.data} deviceIds={touched} /> : null}
      <Skipped outcomes={finished.outcomes} />
      {retry && onRetryWithTimeZone ? (
        <TimeZoneRetry
          paths={retry.paths}
          onRetry={(zone) => onRetryWithTimeZone(retry.paths, retry.deviceId, zone)}
        />
      ) : null}
      <ul className="outcomes">
        {finished.outcomes.map((o, i) => (
          <OutcomeCard
            key={`${o.path}-${i}`}
            outcome={o}
            deviceLabel={label(o.deviceId)}
            counted={
              o.sourceId === null
                ? null
                : (sources.data?.find((s) => s.id === o.sourceId)?.warnings ?? null)
            }
          />
        ))}
      </ul>
    </section>
  );
}
