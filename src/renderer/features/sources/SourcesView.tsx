import { useMemo, useState, type KeyboardEvent } from 'react';
import type { ProfileItem, SourceInfo } from '../../../contract/api';
import type { AppErrorShape } from '../../../contract/result';
import { useApp } from '../../app/use-app';
import { useQuery } from '../../app/use-query';
import { useCase, useWorkspaceActions, useWorkspaceSlice } from '../../app/workspace/use-workspace';
import { EmptyState } from '../../shared/EmptyState';
import { ErrorBanner } from '../../shared/ErrorBanner';
import { plural } from '../../shared/format';
import { Spinner } from '../../shared/Spinner';
import { DeviceIdentity } from '../devices/DeviceIdentity';
import { StateCoverageNotice } from '../import/StateCoverageNotice';
import '../devices/devices.css';
import { PlatformBadge } from '../devices/PlatformBadge';
import { sourceColumns } from '../devices/source-columns';
import { profilesByDevice } from '../profiles/profile-table';
import { ProfilesTable } from '../profiles/ProfilesTable';
import { RenameDevice } from './RenameDevice';
import { SourceChangeDialog, type PendingChange } from './SourceChangeDialog';
import { SourceRow } from './SourceRow';

const NO_PROFILES: ProfileItem[] = [];

/**
 * Devices of the case with their identity and configuration profiles, and the source files
 * imported for each, with move and remove.
 */
export function SourcesView() {
  const { devices } = useCase();
  // Identifiers shown in full; lasts for this session of the case only.
  const unmasked = useWorkspaceSlice('unmasked');
  const actions = useWorkspaceActions();
  const onImport = (): void => actions.openImport();
  const { client, invalidate } = useApp();
  const q = useQuery('listSources', {});
  const profiles = useQuery('queryProfiles', { filter: {} });
  const profilesOf = useMemo(() => profilesByDevice(profiles.data ?? []), [profiles.data]);
  const [pending, setPending] = useState<PendingChange | null>(null);
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
          onClick={() => actions.setUnmasked(!unmasked)}
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
            <StateCoverageNotice sources={sources} deviceIds={[d.id]} />
            {deviceProfiles.length > 0 ? (
              <>
                <h4 className="device-section-title">Configuration profiles</h4>
                <ProfilesTable items={deviceProfiles} />
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
                    {sources.map((s) => (
                      <SourceRow
                        key={s.id}
                        source={s}
                        columns={cols}
                        columnCount={columnCount}
                        warningsOpen={openWarnings === s.id}
                        onToggleWarnings={() => setOpenWarnings((v) => (v === s.id ? null : s.id))}
                        onFoldWarnings={foldOnEscape(s.id)}
                        target={
                          moveTarget[s.id] ?? devices.find((x) => x.id !== s.deviceId)?.id ?? null
                        }
                        onTarget={(to) => setMoveTarget((m) => ({ ...m, [s.id]: to }))}
                        onPending={setPending}
                      />
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </article>
        );
      })}
      {pending ? (
        <SourceChangeDialog
          pending={pending}
          busy={working}
          onConfirm={() => void confirm()}
          onCancel={() => setPending(null)}
        />
      ) : null}
    </section>
  );
}
