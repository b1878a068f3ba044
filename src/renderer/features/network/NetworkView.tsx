import { useMemo, useState } from 'react';
import type { NetworkGroupItem } from '../../../contract/api';
import type { Filter } from '../../../contract/filter';
import { useQuery } from '../../app/use-query';
import { useFilter, useTimeMode } from '../../app/workspace/use-workspace';
import { EmptyState } from '../../shared/EmptyState';
import { ErrorBanner } from '../../shared/ErrorBanner';
import { Notice } from '../../shared/Notice';
import { Spinner } from '../../shared/Spinner';
import { NetworkGroupBody } from './NetworkGroupBody';
import { devicesOf, networkGroupKey, networkSummary, openAtFirst } from './network-group';
import { NETWORK_PAGE } from './use-network-rows';
import './network.css';

type Snapshots = 'latest' | 'all';

/**
 * Domains each app contacted, per App Privacy Report export snapshot: a heading per device and app
 * at once, and a group's rows a page at a time as it is opened.
 */
export function NetworkView() {
  const filter = useFilter();
  const [snapshots, setSnapshots] = useState<Snapshots>('latest');
  const q = useQuery('queryNetworkGroups', { filter, snapshots });
  const groups = q.data?.groups;
  const atFirst = useMemo(() => openAtFirst(groups ?? [], NETWORK_PAGE), [groups]);
  // What the examiner opened or closed, by group; the others are as `openAtFirst` draws them.
  const [toggled, setToggled] = useState<ReadonlyMap<string, boolean>>(new Map());
  const isOpen = (key: string): boolean => toggled.get(key) ?? atFirst.has(key);
  const toggle = (key: string): void =>
    setToggled((m) => new Map(m).set(key, !(m.get(key) ?? atFirst.has(key))));

  return (
    <section className="view" data-testid="network-view" aria-label="Network activity">
      <div className="view-head">
        <h2>Network activity</h2>
        <div className="btn-group" role="group" aria-label="Snapshots">
          <button
            type="button"
            className={snapshots === 'latest' ? 'btn btn-small btn-on' : 'btn btn-small'}
            aria-pressed={snapshots === 'latest'}
            data-testid="network-snapshots-latest"
            onClick={() => setSnapshots('latest')}
          >
            Latest snapshot
          </button>
          <button
            type="button"
            className={snapshots === 'all' ? 'btn btn-small btn-on' : 'btn btn-small'}
            aria-pressed={snapshots === 'all'}
            data-testid="network-snapshots-all"
            onClick={() => setSnapshots('all')}
          >
            All snapshots
          </button>
        </div>
        {q.loading ? <Spinner /> : null}
      </div>
      <Notice>
        Hits are counted per export snapshot, as each App Privacy Report states them; they are never
        summed across exports.
        {snapshots === 'all'
          ? ' The same domain appears once per export that lists it.'
          : ' Showing each app’s most recent export.'}
      </Notice>
      <ErrorBanner error={q.error} title="Network" />
      {q.data === null ? (
        q.loading ? (
          <p className="muted" data-testid="network-loading" role="status">
            Reading the network records…
          </p>
        ) : null
      ) : q.data.groups.length === 0 ? (
        <NoNetworkRows recorded={q.data.recorded} filtered={filterNarrows(filter)} />
      ) : (
        <>
          <p className="muted small" data-testid="network-summary" role="status">
            {networkSummary(q.data.groups, q.data.rows)} Open an app to read its domains.
          </p>
          <div
            className="table-wrap"
            // The table scrolls on its own when wider or taller than the window: it takes the focus
            // so that the keyboard can scroll it too.
            tabIndex={0}
            role="region"
            aria-label="Network activity by app"
          >
            <table className="table table-compact table-sticky" data-testid="network-table">
              <thead>
                <tr>
                  <th scope="col">Domain</th>
                  <th scope="col" className="num">
                    Hits
                  </th>
                  <th scope="col">Owner</th>
                  <th
                    scope="col"
                    title="Apple's domain classification: 1 = flagged as possibly collecting data/profiling"
                  >
                    Profiling (Apple)
                  </th>
                  <th scope="col">Initiated by</th>
                  <th scope="col">Context</th>
                  <th scope="col">First seen</th>
                  <th scope="col">Last seen</th>
                  <th scope="col">Source file</th>
                </tr>
              </thead>
              <NetworkGroups
                groups={q.data.groups}
                filter={filter}
                snapshots={snapshots}
                isOpen={isOpen}
                toggle={toggle}
              />
            </table>
          </div>
        </>
      )}
    </section>
  );
}

/** The groups' bodies; the time mode is read here so a change of it redraws only the rows. */
function NetworkGroups(props: {
  groups: readonly NetworkGroupItem[];
  filter: Filter;
  snapshots: Snapshots;
  isOpen: (key: string) => boolean;
  toggle: (key: string) => void;
}) {
  const timeMode = useTimeMode();
  const multiDevice = devicesOf(props.groups) > 1;
  return (
    <>
      {props.groups.map((g) => {
        const key = networkGroupKey(g);
        return (
          <NetworkGroupBody
            key={key}
            group={g}
            filter={props.filter}
            snapshots={props.snapshots}
            open={props.isOpen(key)}
            onToggle={() => props.toggle(key)}
            showDevice={multiDevice}
            timeMode={timeMode}
          />
        );
      })}
    </>
  );
}

/** True when the filter leaves out some of the devices' network rows. */
function filterNarrows(f: Filter): boolean {
  return Boolean(
    (f.apps && f.apps.length > 0) ||
    f.from ||
    f.to ||
    (f.tags && f.tags.length > 0) ||
    f.starred === true,
  );
}

/**
 * No row to draw: either nothing was recorded for the devices (no report with network records was
 * imported, which says nothing about what the phone did), or the filter leaves every row out.
 */
function NoNetworkRows({ recorded, filtered }: { recorded: boolean; filtered: boolean }) {
  if (!recorded)
    return (
      <EmptyState title="No network records for these devices" testId="network-empty">
        Network activity comes only from an iPhone’s App Privacy Report, and none with network
        records has been imported for the devices shown. This is missing data, not a sign that the
        apps made no connections. Android captures and iPhone backups do not record it.
      </EmptyState>
    );
  return (
    <EmptyState title="No network records match the filter" testId="network-empty">
      The imported reports hold network records for these devices, but none match
      {filtered ? ' the filter’s apps, dates, tags or star' : ' the filter'}. Widen or clear the
      filter to see them.
    </EmptyState>
  );
}
