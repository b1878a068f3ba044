import { Fragment, useMemo, useState, type KeyboardEvent } from 'react';
import type { Device, ProfileItem, SourceInfo } from '../../../contract/api';
import type { AppErrorShape } from '../../../contract/result';
import { useApp } from '../../app/use-app';
import { useQuery } from '../../app/use-query';
import { ConfirmDialog } from '../../shared/ConfirmDialog';
import { EmptyState } from '../../shared/EmptyState';
import { ErrorBanner } from '../../shared/ErrorBanner';
import { formatExaminerTime } from '../../shared/examiner-time';
import {
  formatBytes,
  formatCount,
  formatUtcShort,
  plural,
  shortHash,
  type TimeMode,
} from '../../shared/format';
import { Spinner } from '../../shared/Spinner';
import { DeviceIdentity } from '../devices/DeviceIdentity';
import { StateCoverageNotice } from '../import/StateCoverageNotice';
import { When } from '../records/When';
import '../devices/devices.css';
import { PlatformBadge } from '../devices/PlatformBadge';
import { sourceColumns } from '../devices/source-columns';
import { profilesByDevice } from '../profiles/profile-table';
import { ProfilesTable } from '../profiles/ProfilesTable';

interface Props {
  devices: Device[];
  onImport: () => void;
  /** Identifiers shown in full; lasts for this session of the case only. */
  unmasked: boolean;
  onUnmaskedChange: (unmasked: boolean) => void;
  timeMode: TimeMode;
  selectedId: string | null;
  onOpenRecord: (id: string) => void;
}

const NO_PROFILES: ProfileItem[] = [];

type Pending =
  { kind: 'remove'; source: SourceInfo } | { kind: 'move'; source: SourceInfo; to: number };

function Warnings({ sourceId }: { sourceId: number }) {
  const q = useQuery('getSourceWarnings', { sourceId });
  if (q.error) return <ErrorBanner error={q.error} />;
  if (!q.data) return <Spinner />;
  if (q.data.length === 0) return <p className="muted small">No warnings.</p>;
  return (
    <table className="table table-compact" data-testid="source-warnings">
      <thead>
        <tr>
          <th scope="col">Code</th>
          <th scope="col">Where</th>
          <th scope="col">Message</th>
        </tr>
      </thead>
      <tbody>
        {q.data.map((w, i) => (
          <tr key={`${w.locator}-${i}`}>
            <td className="mono">{w.code}</td>
            <td className="mono nowrap">{w.locator}</td>
            <td>{w.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RenameDevice({ device, onDone }: { device: Device; onDone: () => void }) {
  const { client, invalidate } = useApp();
  const [label, setLabel] = useState(device.label);
  const [error, setError] = useState<AppErrorShape | null>(null);
  return (
    <form
      className="row row-tight"
      onSubmit={(e) => {
        e.preventDefault();
        void client.call('renameDevice', { deviceId: device.id, label: label.trim() }).then((r) => {
          if (!r.ok) setError(r.error);
          else {
            invalidate();
            onDone();
          }
        });
      }}
    >
      <input
        className="input input-small"
        aria-label="Device label"
        value={label}
        maxLength={200}
        autoFocus
        onChange={(e) => setLabel(e.target.value)}
      />
      <button type="submit" className="btn btn-small btn-primary" disabled={label.trim() === ''}>
        Save
      </button>
      <button type="button" className="btn btn-small" onClick={onDone}>
        Cancel
      </button>
      <ErrorBanner error={error} />
    </form>
  );
}

/**
 * Devices of the case with their identity and configuration profiles, and the source files
 * imported for each, with move and remove.
 */
export function SourcesView({ devices, onImport, unmasked, onUnmaskedChange, ...props }: Props) {
  const { client, invalidate } = useApp();
  const q = useQuery('listSources', {});
  const profiles = useQuery('queryProfiles', { filter: {} });
  const profilesOf = useMemo(() => profilesByDevice(profiles.data ?? []), [profiles.data]);
  const [pending, setPending] = useState<Pending | null>(null);
  const [moveTarget, setMoveTarget] = useState<Record<number, number>>({});
  const [openWarnings, setOpenWarnings] = useState<number | null>(null);
  // Escape folds a source's warnings and returns to their button.
  const foldOnEscape =
    (sourceId: number) =>
    (e: KeyboardEvent<HTMLElement>): void => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      e.stopPropagation();
      setOpenWarnings(null);
      document.getElementById(`source-warnings-toggle-${sourceId}`)?.focus();
    };
  const [renaming, setRenaming] = useState<number | null>(null);
  const [error, setError] = useState<AppErrorShape | null>(null);
  const [working, setWorking] = useState(false);
  const byDevice = useMemo(() => {
    const m = new Map<number, SourceInfo[]>();
    for (const s of q.data ?? []) {
      const list = m.get(s.deviceId);
      if (list) list.push(s);
      else m.set(s.deviceId, [s]);
    }
    return m;
  }, [q.data]);
  const label = (id: number): string => devices.find((d) => d.id === id)?.label ?? `Device ${id}`;

  const confirm = async (): Promise<void> => {
    if (!pending) return;
    setWorking(true);
    const r =
      pending.kind === 'remove'
        ? await client.call('removeSource', { sourceId: pending.source.id })
        : await client.call('moveSource', { sourceId: pending.source.id, deviceId: pending.to });
    setWorking(false);
    setPending(null);
    if (!r.ok) setError(r.error);
    invalidate();
  };

  if (devices.length === 0) {
    return (
      <section className="view" data-testid="sources-view">
        <EmptyState title="No devices yet" testId="sources-empty">
          <p>
            A device groups the App Privacy Report exports, iPhone backups and Android captures
            taken from one phone.
          </p>
          <button type="button" className="btn btn-primary" onClick={onImport}>
            Import…
          </button>
        </EmptyState>
      </section>
    );
  }

  return (
    <section className="view" data-testid="sources-view" aria-label="Devices and sources">
      <div className="view-head">
        <h2>Devices and sources</h2>
        <button type="button" className="btn btn-small" onClick={onImport}>
          Import…
        </button>
        <button
          type="button"
          className={unmasked ? 'btn btn-small btn-on' : 'btn btn-small'}
          aria-pressed={unmasked}
          data-testid="unmask-identifiers"
          title="Identifiers are masked to their last four characters; unmasking lasts until the case is closed."
          onClick={() => onUnmaskedChange(!unmasked)}
        >
          {unmasked ? 'Mask identifiers' : 'Unmask identifiers'}
        </button>
        {q.loading || profiles.loading ? <Spinner /> : null}
      </div>
      <ErrorBanner error={error ?? q.error} onDismiss={error ? () => setError(null) : undefined} />
      <ErrorBanner error={profiles.error} title="Configuration profiles" />
      {devices.map((d) => {
        const sources = byDevice.get(d.id) ?? [];
        const deviceProfiles = profilesOf.get(d.id) ?? NO_PROFILES;
        const cols = sourceColumns(sources);
        const columnCount = 5 + (cols.report ? 5 : 0) + (cols.records ? 1 : 0);
        return (
          <article
            key={d.id}
            className="device-card"
            data-testid="device-card"
            data-device-id={d.id}
          >
            <header className="device-head">
              {renaming === d.id ? (
                <RenameDevice device={d} onDone={() => setRenaming(null)} />
              ) : (
                <>
                  <h3 data-testid="device-card-name">
                    {d.label}
                    <PlatformBadge platform={d.platform} />
                  </h3>
                  <button
                    type="button"
                    className="btn btn-small btn-quiet"
                    onClick={() => setRenaming(d.id)}
                  >
                    Rename
                  </button>
                </>
              )}
              <span className="muted small">{plural(d.sources, 'source')}</span>
            </header>
            <DeviceIdentity device={d} unmasked={unmasked} />
            <StateCoverageNotice sources={sources} devices={devices} deviceIds={[d.id]} />
            {deviceProfiles.length > 0 ? (
              <>
                <h4 className="device-section-title">Configuration profiles</h4>
                <ProfilesTable
                  items={deviceProfiles}
                  timeMode={props.timeMode}
                  selectedId={props.selectedId}
                  onOpen={props.onOpenRecord}
                />
              </>
            ) : null}
            <h4 className="device-section-title">Sources</h4>
            {q.data !== null && sources.length === 0 ? (
              <p className="muted small" data-testid="device-no-sources">
                No sources imported for this device yet.
              </p>
            ) : (
              <div className="table-wrap">
                <table className="table table-compact">
                  <thead>
                    <tr>
                      <th scope="col">File</th>
                      <th scope="col" className="num">
                        Lines
                      </th>
                      {cols.report ? (
                        <>
                          <th scope="col" className="num">
                            Access
                          </th>
                          <th scope="col" className="num">
                            Network
                          </th>
                          <th scope="col" className="num">
                            Sessions
                          </th>
                        </>
                      ) : null}
                      {cols.records ? (
                        <th
                          scope="col"
                          className="num"
                          title="Permission, data usage, profile and usage records read from a backup artifact or an Android capture"
                        >
                          Records
                        </th>
                      ) : null}
                      {cols.report ? (
                        <>
                          <th scope="col" className="num">
                            Duplicates
                          </th>
                          <th scope="col" className="num">
                            Already stored
                          </th>
                        </>
                      ) : null}
                      <th scope="col" className="num">
                        Warnings
                      </th>
                      <th scope="col">Data (UTC)</th>
                      <th scope="col">Actions</th>
                    </tr>
                  </thead>
                  <tbody>
                    {sources.map((s) => {
                      const target =
                        moveTarget[s.id] ?? devices.find((x) => x.id !== s.deviceId)?.id ?? null;
                      return (
                        <Fragment key={s.id}>
                          <tr data-testid="source-row" data-source-id={s.id}>
                            <td title={s.path}>
                              <div>{s.fileName}</div>
                              <div className="muted small">
                                {s.importer}@{s.importerVersion} · {formatBytes(s.size)} · imported{' '}
                                {formatExaminerTime(s.importedAt)}
                              </div>
                              {/* The hash sits under the name so that the counts and the actions
                                  keep their place on a 1024 px window. */}
                              <div className="small" data-testid="source-sha256">
                                SHA-256{' '}
                                <span className="mono nowrap" title={s.sha256}>
                                  {shortHash(s.sha256)}
                                </span>
                              </div>
                            </td>
                            <td className="num">{formatCount(s.counts.lines)}</td>
                            {cols.report ? (
                              <>
                                <td className="num">{formatCount(s.counts.access)}</td>
                                <td className="num">{formatCount(s.counts.network)}</td>
                                <td className="num">
                                  {formatCount(s.counts.sessions)}
                                  {s.counts.openSessions > 0 ? (
                                    <div className="muted small nowrap">
                                      {formatCount(s.counts.openSessions)} open
                                    </div>
                                  ) : null}
                                </td>
                              </>
                            ) : null}
                            {cols.records ? (
                              <td className="num">{formatCount(s.counts.records)}</td>
                            ) : null}
                            {cols.report ? (
                              <>
                                <td className="num">{formatCount(s.duplicateLines)}</td>
                                <td className="num">{formatCount(s.alreadyStored)}</td>
                              </>
                            ) : null}
                            <td className="num">
                              {s.warnings > 0 ? (
                                <button
                                  type="button"
                                  className="btn-link"
                                  id={`source-warnings-toggle-${s.id}`}
                                  aria-expanded={openWarnings === s.id}
                                  aria-controls={
                                    openWarnings === s.id ? `source-warnings-${s.id}` : undefined
                                  }
                                  aria-label={`${plural(s.warnings, 'warning')} of ${s.fileName}`}
                                  data-testid="source-warnings-toggle"
                                  onKeyDown={openWarnings === s.id ? foldOnEscape(s.id) : undefined}
                                  onClick={() => setOpenWarnings((v) => (v === s.id ? null : s.id))}
                                >
                                  {formatCount(s.warnings)}
                                </button>
                              ) : (
                                '0'
                              )}
                            </td>
                            <td className="small">
                              <div>
                                <When
                                  text={s.dataFrom !== null ? formatUtcShort(s.dataFrom) : '—'}
                                />
                              </div>
                              <div>
                                <When text={s.dataTo !== null ? formatUtcShort(s.dataTo) : '—'} />
                              </div>
                            </td>
                            <td>
                              <div className="row row-tight">
                                {devices.length > 1 && target !== null ? (
                                  <>
                                    <select
                                      className="input input-small"
                                      aria-label={`Move ${s.fileName} to device`}
                                      value={target}
                                      onChange={(e) =>
                                        setMoveTarget((m) => ({
                                          ...m,
                                          [s.id]: Number(e.target.value),
                                        }))
                                      }
                                    >
                                      {devices
                                        .filter((x) => x.id !== s.deviceId)
                                        .map((x) => (
                                          <option key={x.id} value={x.id}>
                                            {x.label}
                                          </option>
                                        ))}
                                    </select>
                                    <button
                                      type="button"
                                      className="btn btn-small"
                                      data-testid="source-move"
                                      onClick={() =>
                                        setPending({ kind: 'move', source: s, to: target })
                                      }
                                    >
                                      Move
                                    </button>
                                  </>
                                ) : null}
                                <button
                                  type="button"
                                  className="btn btn-small btn-danger-quiet"
                                  data-testid="source-remove"
                                  onClick={() => setPending({ kind: 'remove', source: s })}
                                >
                                  Remove
                                </button>
                              </div>
                            </td>
                          </tr>
                          {openWarnings === s.id ? (
                            <tr id={`source-warnings-${s.id}`} onKeyDown={foldOnEscape(s.id)}>
                              <td colSpan={columnCount}>
                                <Warnings sourceId={s.id} />
                              </td>
                            </tr>
                          ) : null}
                        </Fragment>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )}
          </article>
        );
      })}
      {pending ? (
        <ConfirmDialog
          title={
            pending.kind === 'remove'
              ? 'Remove source from the case?'
              : 'Move source to another device?'
          }
          confirmLabel={pending.kind === 'remove' ? 'Remove source' : 'Move source'}
          danger={pending.kind === 'remove'}
          busy={working}
          onConfirm={() => void confirm()}
          onCancel={() => setPending(null)}
        >
          {pending.kind === 'remove' ? (
            <>
              <p>
                <strong>{pending.source.fileName}</strong> will be removed from device{' '}
                <strong>{label(pending.source.deviceId)}</strong>:
              </p>
              <ul>
                <li>
                  the {plural(pending.source.counts.access, 'access record')},{' '}
                  {plural(pending.source.counts.network, 'network record')} and{' '}
                  {plural(pending.source.counts.records, 'other record')} read from it
                </li>
                <li>its {plural(pending.source.warnings, 'import warning')}</li>
                <li>
                  the access sessions built from its records (
                  {formatCount(pending.source.counts.sessions)} at import time)
                </li>
              </ul>
              <p className="muted small">
                SHA-256 <span className="mono break">{pending.source.sha256}</span>. Only the case
                file changes; the original export on disk is not touched and can be imported again.
              </p>
            </>
          ) : (
            <>
              <p>
                <strong>{pending.source.fileName}</strong> and everything read from it (
                {plural(pending.source.counts.access, 'access record')},{' '}
                {plural(pending.source.counts.network, 'network record')}) will move from{' '}
                <strong>{label(pending.source.deviceId)}</strong> to{' '}
                <strong>{label(pending.to)}</strong>.
              </p>
              <p className="muted small">
                Only the case file changes; the original export on disk is not touched.
              </p>
            </>
          )}
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
