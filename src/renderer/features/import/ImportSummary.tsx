import type { Device } from '../../../contract/api';
import type { ImportFinished } from '../../../contract/events';
import type { ImportOutcome } from '../../../contract/records';
import { formatCount, plural } from '../../shared/format';
import { baseName, statusLabel, statusTone, totals } from './import-format';

interface Props {
  finished: ImportFinished;
  devices: Device[];
}

const WARNING_ROWS = 200;

function Stat({ label, value, note }: { label: string; value: string; note?: string }) {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd>
        {value}
        {note ? <span className="muted small"> ({note})</span> : null}
      </dd>
    </div>
  );
}

function OutcomeCard({
  outcome,
  deviceLabel,
}: {
  outcome: ImportOutcome;
  deviceLabel: string | null;
}) {
  const c = outcome.counts;
  return (
    <li className="outcome" data-testid="import-outcome" data-status={outcome.status}>
      <div className="outcome-head">
        <span className="outcome-file" title={outcome.path}>
          {baseName(outcome.path)}
        </span>
        <span
          className={`tag tag-${statusTone(outcome.status)}`}
          data-testid="import-outcome-status"
        >
          {statusLabel(outcome.status)}
        </span>
      </div>
      <div className="muted small mono" title={outcome.path}>
        {outcome.path}
      </div>
      <div className="muted small">
        {outcome.importer ? `${outcome.importer}` : 'format not recognised'}
        {deviceLabel ? ` · device ${deviceLabel}` : ''}
      </div>
      {outcome.sha256 ? (
        <div className="small">
          SHA-256 <span className="mono break">{outcome.sha256}</span>
        </div>
      ) : null}
      <dl className="stats">
        <Stat label="Lines" value={formatCount(c.lines)} />
        <Stat label="Access records" value={formatCount(c.access)} />
        <Stat label="Network records" value={formatCount(c.network)} />
        <Stat
          label="Sessions"
          value={formatCount(c.sessions)}
          note={c.openSessions > 0 ? `${formatCount(c.openSessions)} open` : undefined}
        />
        <Stat label="Duplicate lines" value={formatCount(outcome.duplicateLines)} />
        <Stat label="Already stored" value={formatCount(outcome.alreadyStored)} />
      </dl>
      {outcome.error ? (
        <div className="banner banner-error" role="alert">
          <div className="banner-body">{outcome.error}</div>
        </div>
      ) : null}
      {outcome.warnings.length > 0 ? (
        <details className="warnings" open={outcome.warnings.length <= 10}>
          <summary data-testid="import-warnings-toggle">
            {plural(outcome.warnings.length, 'warning')}
          </summary>
          <table className="table table-compact" data-testid="import-warnings">
            <thead>
              <tr>
                <th scope="col">Code</th>
                <th scope="col">Line</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {outcome.warnings.slice(0, WARNING_ROWS).map((w, i) => (
                <tr key={`${w.locator}-${i}`} data-testid="import-warning">
                  <td className="mono">{w.code}</td>
                  <td className="num">{w.line ?? w.locator}</td>
                  <td>{w.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {outcome.warnings.length > WARNING_ROWS ? (
            <p className="muted small">
              Showing the first {WARNING_ROWS}; the Sources tab lists all{' '}
              {formatCount(outcome.warnings.length)}.
            </p>
          ) : null}
        </details>
      ) : null}
    </li>
  );
}

/** Per-file results of a finished import. */
export function ImportSummary({ finished, devices }: Props) {
  const t = totals(finished.outcomes);
  const label = (id: number | null): string | null =>
    id === null ? null : (devices.find((d) => d.id === id)?.label ?? `Device ${id}`);
  return (
    <section className="import-summary" data-testid="import-summary" aria-label="Import results">
      <p className="summary-line">
        {finished.cancelled ? <strong>Import cancelled. </strong> : null}
        {plural(t.imported, 'file')} imported
        {t['already-imported'] > 0
          ? `, ${formatCount(t['already-imported'])} already imported`
          : ''}
        {t.refused > 0 ? `, ${formatCount(t.refused)} refused` : ''}
        {t.cancelled > 0 ? `, ${formatCount(t.cancelled)} cancelled` : ''} ·{' '}
        {plural(t.warnings, 'warning')}
      </p>
      <ul className="outcomes">
        {finished.outcomes.map((o, i) => (
          <OutcomeCard key={`${o.path}-${i}`} outcome={o} deviceLabel={label(o.deviceId)} />
        ))}
      </ul>
    </section>
  );
}
