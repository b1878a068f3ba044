import {
  useCallback,
  useEffect,
  useEffectEvent,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
} from 'react';
import type { CaseInfo, SummaryItem } from '../../contract/api';
import type { Filter } from '../../contract/filter';
import type { AppErrorShape } from '../../contract/result';
import { CompareView } from '../features/compare/CompareView';
import { ExportDialog } from '../features/export/ExportDialog';
import { appDisplayName, mergeApps } from '../features/filters/app-options';
import { FilterSidebar } from '../features/filters/FilterSidebar';
import { loadFilter, saveFilter } from '../features/filters/filter-storage';
import {
  countActive,
  describeFilter,
  normalizeFilter,
  withoutField,
} from '../features/filters/filter-text';
import { HeatmapView } from '../features/heatmap/HeatmapView';
import { ImportDialog } from '../features/import/ImportDialog';
import { useImport } from '../features/import/use-import';
import { NetworkView } from '../features/network/NetworkView';
import { PermissionsView } from '../features/permissions/PermissionsView';
import { RecordDetails } from '../features/records/RecordDetails';
import { SourcesView } from '../features/sources/SourcesView';
import { SummaryView } from '../features/summary/SummaryView';
import { SessionDetails } from '../features/timeline/SessionDetails';
import { Timeline } from '../features/timeline/Timeline';
import type { TimeRange } from '../features/timeline/time-window';
import { UsageView } from '../features/usage/UsageView';
import { ErrorBanner } from '../shared/ErrorBanner';
import type { TimeMode } from '../shared/format';
import { Notice } from '../shared/Notice';
import { ViewBoundary } from '../shared/ViewBoundary';
import { localStore } from '../shared/storage';
import { deviceOffsetsFrom } from './device-offsets';
import { escapeAction } from './escape';
import { nextTabIndex } from './tab-keys';
import { TopBar } from './TopBar';
import type { Finding } from '../../contract/findings';
import { AuditView } from '../features/annotations/AuditView';
import { FindingsView } from '../features/findings/FindingsView';
import {
  placeOfFinding,
  timelineTarget,
  type FindingPlace,
} from '../features/findings/timeline-target';
import { KeyFindingsView } from '../features/key-findings/KeyFindingsView';
import { hasAnyFinding } from '../features/key-findings/key-findings-model';
import { VerifyView } from '../features/verify/VerifyView';
import { useBridgeEvent } from './use-bridge-event';
import { useApp } from './use-app';
import { useMediaQuery } from './use-media-query';
import { useQuery } from './use-query';

const TABS = [
  { id: 'key-findings', label: 'Key findings' },
  { id: 'timeline', label: 'Timeline' },
  { id: 'summary', label: 'Summary' },
  { id: 'compare', label: 'Compare' },
  { id: 'heatmap', label: 'Heatmap' },
  { id: 'network', label: 'Network' },
  { id: 'permissions', label: 'Permissions' },
  { id: 'usage', label: 'Data usage' },
  { id: 'findings', label: 'Findings' },
  { id: 'sources', label: 'Sources' },
  { id: 'audit', label: 'Audit log' },
  { id: 'verify', label: 'Verify bundle' },
] as const;

type Tab = (typeof TABS)[number]['id'];

/** What the details panel shows: an access session, or a record read from a backup. */
type Selection = { kind: 'session'; id: string } | { kind: 'record'; id: string };

/**
 * Below this width the filters are a panel opened from the Filters button, so that the views and
 * their key columns keep the window's width (1024 px laptops and split screens).
 */
const NARROW = '(max-width: 1199px)';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Props {
  caseInfo: CaseInfo;
}

/** The open case: top bar, filter sidebar, the views, and the details panel. */
export function Workspace({ caseInfo }: Props) {
  const { client, setCaseInfo } = useApp();
  const [filter, setFilterState] = useState<Filter>(() => loadFilter(localStore(), caseInfo.path));
  const [tab, setTab] = useState<Tab>('timeline');
  const [view, setView] = useState<TimeRange | null>(null);
  const [timeMode, setTimeMode] = useState<TimeMode>('local');
  const [selection, setSelection] = useState<Selection | null>(null);
  // Unmasked identifiers last until the case is closed (this component is keyed by the case).
  const [unmasked, setUnmasked] = useState(false);
  const [importOpen, setImportOpen] = useState(false);
  const [dropped, setDropped] = useState<string[]>([]);
  const [dropNotice, setDropNotice] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const [exportOpen, setExportOpen] = useState(false);
  const [error, setError] = useState<AppErrorShape | null>(null);
  const importControl = useImport();
  const devices = caseInfo.devices;
  const narrow = useMediaQuery(NARROW);
  // null: the layout decides (a column on wide windows, closed on narrow ones).
  const [filtersChoice, setFiltersChoice] = useState<boolean | null>(null);
  const filtersShown = filtersChoice ?? !narrow;
  const filtersToggle = useRef<HTMLButtonElement>(null);
  const focusFilters = useRef(false);
  // What had the focus when the details panel opened, so that closing it returns there.
  const detailsOpener = useRef<HTMLElement | null>(null);

  const setFilter = useCallback(
    (next: Filter) => {
      const f = normalizeFilter(next);
      setFilterState(f);
      saveFilter(localStore(), caseInfo.path, f);
    },
    [caseInfo.path],
  );

  const apps = useQuery('listApps', filter.devices ? { deviceIds: filter.devices } : {});
  // A case with findings opens on its key findings: decided once, when the case opens, and only
  // while no other view was chosen.
  const openedOn = useRef(false);
  useEffect(() => {
    if (openedOn.current) return;
    openedOn.current = true;
    if (caseInfo.sessions === 0) return;
    void client.call('queryKeyFindings', {}).then((r) => {
      if (r.ok && hasAnyFinding(r.value)) setTab((t) => (t === 'timeline' ? 'key-findings' : t));
    });
  }, [client, caseInfo.sessions]);
  const appOptions = useMemo(() => mergeApps(apps.data ?? []), [apps.data]);
  const deviceOffsets = useMemo(() => deviceOffsetsFrom(devices), [devices]);
  const appName = useCallback((id: string) => appDisplayName(appOptions, id), [appOptions]);

  const openImport = (paths: string[] = []): void => {
    setDropped(paths);
    setImportOpen(true);
  };

  // File › Import… and File › Export CSV… in the desktop app's menu.
  useBridgeEvent('onMenuCommand', ({ command }) => {
    switch (command) {
      case 'import':
        openImport();
        break;
      case 'exportCsv':
        setExportOpen(true);
        break;
      default: {
        const never: never = command;
        throw new Error(`unknown menu command ${String(never)}`);
      }
    }
  });

  const onDrop = useEffectEvent((e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const files = [...(e.dataTransfer?.files ?? [])];
    if (files.length === 0) return;
    const paths = files.map((f) => client.pathForFile(f)).filter((p): p is string => p !== null);
    if (paths.length === 0) {
      setDropNotice(
        'Drag-and-drop of file paths needs the desktop app. In the browser, use Import → type the paths.',
      );
      return;
    }
    if (importControl.state.phase === 'starting' || importControl.state.phase === 'running') {
      setDropNotice('An import is running; drop the files again when it has finished.');
      return;
    }
    importControl.reset();
    openImport(paths);
  });

  useEffect(() => {
    const hasFiles = (e: DragEvent): boolean =>
      [...(e.dataTransfer?.types ?? [])].includes('Files');
    const over = (e: DragEvent): void => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      setDragging(true);
    };
    const leave = (e: DragEvent): void => {
      if (e.relatedTarget === null) setDragging(false);
    };
    const drop = (e: DragEvent): void => onDrop(e);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, []);

  const closeCase = async (): Promise<void> => {
    const r = await client.call('closeCase', {});
    if (r.ok) setCaseInfo(null);
    else setError(r.error);
  };

  const pickSummary = (item: SummaryItem): void => {
    setFilter({
      ...filter,
      devices: [item.deviceId],
      apps: [item.app],
      categories: [item.category],
    });
    setView(null);
    setTab('timeline');
  };

  const pickHeatCell = (day: number, hour: number): void => {
    const deviceId = filter.devices?.[0] ?? devices[0]?.id;
    const off = (deviceId !== undefined ? deviceOffsets.get(deviceId) : undefined) ?? 0;
    const fromMs = day * DAY + hour * HOUR - off * 60_000;
    setView({ fromMs: fromMs - HOUR / 4, toMs: fromMs + HOUR + HOUR / 4 });
    setTab('timeline');
  };

  const chips = describeFilter(filter, {
    device: (id) => devices.find((d) => d.id === id)?.label ?? `#${id}`,
    app: appName,
  });
  const hasSessions = caseInfo.sessions > 0;
  const selectedId = selection?.id ?? null;
  const rememberOpener = (): void => {
    const active = document.activeElement;
    detailsOpener.current =
      active instanceof HTMLElement && active !== document.body ? active : null;
  };
  const selectSession = (id: string | null): void => {
    if (id !== null) rememberOpener();
    setSelection(id === null ? null : { kind: 'session', id });
  };
  const openRecord = (id: string): void => {
    rememberOpener();
    setSelection({ kind: 'record', id });
  };
  /** Closes the details panel and gives the focus back to what opened it (else the view's tab). */
  const closeDetails = (): void => {
    setSelection(null);
    const opener = detailsOpener.current;
    detailsOpener.current = null;
    if (opener?.isConnected && !opener.closest('.details')) opener.focus();
    else document.getElementById(`tab-${tab}`)?.focus();
  };
  const toggleFilters = (): void => {
    // Opened as a panel, the filters come before the views in the page: the focus goes to them.
    if (!filtersShown && narrow) focusFilters.current = true;
    setFiltersChoice(!filtersShown);
  };
  useEffect(() => {
    if (!filtersShown || !focusFilters.current) return;
    focusFilters.current = false;
    document
      .querySelector<HTMLElement>(
        '#filter-panel :is(button, input, select, textarea):not(:disabled)',
      )
      ?.focus();
  }, [filtersShown]);
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (e.key !== 'Escape') return;
    const target = e.target as HTMLElement;
    const action = escapeAction({
      inDialog: target.closest('dialog') !== null,
      inTextArea: target.closest('textarea') !== null,
      composing: e.nativeEvent.isComposing,
      inFilters: target.closest('#filter-panel') !== null,
      filtersArePanel: narrow,
      filtersShown,
      detailsOpen: selection !== null,
    });
    if (action === 'filters') {
      setFiltersChoice(false);
      filtersToggle.current?.focus();
    } else if (action === 'details') closeDetails();
    else return;
    e.preventDefault();
  };
  /** Opens a finding's evidence record: a session or a backup record in the details panel. */
  const openEvidence = (id: string): void => {
    if (id.startsWith('s:')) selectSession(id);
    else if (/^[pum]:/.test(id)) openRecord(id);
  };
  // The timeline narrows to the finding, zooms to its evidence and keeps its hours window.
  const showPlace = (place: FindingPlace): void => {
    const target = timelineTarget(filter, place);
    setFilter(target.filter);
    setView(target.view);
    setTab('timeline');
  };
  const showFinding = (f: Finding): void => showPlace(placeOfFinding(f));

  const renderTab = () => {
    switch (tab) {
      case 'timeline':
        return (
          <Timeline
            filter={filter}
            view={view}
            onViewChange={setView}
            timeMode={timeMode}
            onTimeModeChange={setTimeMode}
            selectedId={selectedId}
            onSelect={selectSession}
            onSelectRecord={openRecord}
            devices={devices}
            deviceOffsets={deviceOffsets}
            caseHasSessions={hasSessions}
          />
        );
      case 'summary':
        return (
          <SummaryView
            filter={filter}
            timeMode={timeMode}
            caseHasSessions={hasSessions}
            devices={devices}
            onPick={pickSummary}
          />
        );
      case 'compare':
        return (
          <CompareView
            filter={filter}
            devices={devices}
            timeMode={timeMode}
            onTimeModeChange={setTimeMode}
            selectedId={selectedId}
            onSelect={selectSession}
            onSelectRecord={openRecord}
          />
        );
      case 'heatmap':
        return (
          <HeatmapView
            filter={filter}
            appName={appName}
            caseHasSessions={hasSessions}
            onPickCell={pickHeatCell}
          />
        );
      case 'network':
        return <NetworkView filter={filter} timeMode={timeMode} />;
      case 'permissions':
        return (
          <PermissionsView
            filter={filter}
            timeMode={timeMode}
            onTimeModeChange={setTimeMode}
            selectedId={selectedId}
            onOpen={openRecord}
            onImport={() => openImport()}
          />
        );
      case 'usage':
        return (
          <UsageView
            filter={filter}
            timeMode={timeMode}
            onTimeModeChange={setTimeMode}
            selectedId={selectedId}
            onOpen={openRecord}
            onImport={() => openImport()}
          />
        );
      case 'key-findings':
        return (
          <KeyFindingsView
            deviceIds={filter.devices}
            onShowOnTimeline={showPlace}
            onOpenFindings={() => setTab('findings')}
          />
        );
      case 'findings':
        return (
          <FindingsView filter={filter} onShowEvidence={showFinding} onOpenRecord={openEvidence} />
        );
      case 'audit':
        return <AuditView />;
      case 'verify':
        return <VerifyView />;
      case 'sources':
        return (
          <SourcesView
            devices={devices}
            onImport={() => openImport()}
            unmasked={unmasked}
            onUnmaskedChange={setUnmasked}
            timeMode={timeMode}
            selectedId={selectedId}
            onOpenRecord={openRecord}
          />
        );
      default: {
        const never: never = tab;
        return never;
      }
    }
  };

  return (
    <div
      className={dragging ? 'workspace workspace-drop' : 'workspace'}
      data-testid="workspace"
      data-narrow={narrow}
      onKeyDown={onKeyDown}
    >
      <button
        type="button"
        className="skip-link"
        data-testid="skip-to-views"
        onClick={() => document.getElementById(`tab-${tab}`)?.focus()}
      >
        Skip to the views
      </button>
      <TopBar
        caseInfo={caseInfo}
        importPhase={importControl.state.phase}
        onImport={() => openImport()}
        onExport={() => setExportOpen(true)}
        onVerify={() => setTab('verify')}
        onClose={() => void closeCase()}
      />
      <div className="workspace-body">
        <div
          id="filter-panel"
          className={narrow ? 'filter-panel filter-panel-narrow' : 'filter-panel'}
          data-testid="filter-panel"
          hidden={!filtersShown}
        >
          <FilterSidebar
            filter={filter}
            onChange={setFilter}
            devices={devices}
            apps={appOptions}
            appsLoading={apps.loading}
          />
        </div>
        <main className="main">
          <ErrorBanner error={error} onDismiss={() => setError(null)} />
          <ErrorBanner error={apps.error} title="Apps" />
          {dropNotice ? (
            <Notice tone="warning" testId="drop-notice" onDismiss={() => setDropNotice(null)}>
              {dropNotice}
            </Notice>
          ) : null}
          {devices.length === 0 ? (
            <Notice testId="no-devices">
              This case has no devices yet.{' '}
              <button type="button" className="btn-link" onClick={() => openImport()}>
                Import App Privacy Report exports, an iPhone backup or an Android capture
              </button>{' '}
              to begin.
            </Notice>
          ) : null}
          <div className="main-bar">
            <button
              ref={filtersToggle}
              type="button"
              className={filtersShown ? 'btn btn-small btn-on' : 'btn btn-small'}
              data-testid="filters-toggle"
              aria-expanded={filtersShown}
              aria-controls="filter-panel"
              onClick={toggleFilters}
            >
              {filtersShown ? 'Hide filters' : 'Filters'}
              {countActive(filter) > 0 ? (
                <span className="badge badge-on">{countActive(filter)}</span>
              ) : null}
            </button>
            {chips.length > 0 ? (
              <div className="chips" data-testid="filter-chips" aria-label="Active filters">
                {chips.map((c) => (
                  <span key={c.field} className="chip">
                    {c.label}
                    <button
                      type="button"
                      className="chip-x"
                      aria-label={`Remove filter ${c.label}`}
                      onClick={() => setFilter(withoutField(filter, c.field))}
                    >
                      ×
                    </button>
                  </span>
                ))}
                <button type="button" className="btn-link small" onClick={() => setFilter({})}>
                  Clear all
                </button>
              </div>
            ) : null}
          </div>
          <div className="tabs" role="tablist" aria-label="Views">
            {TABS.map((t) => (
              <button
                key={t.id}
                type="button"
                role="tab"
                id={`tab-${t.id}`}
                aria-selected={tab === t.id}
                aria-controls="tab-panel"
                tabIndex={tab === t.id ? 0 : -1}
                className={tab === t.id ? 'tab tab-on' : 'tab'}
                data-testid={`tab-${t.id}`}
                onClick={() => setTab(t.id)}
                onKeyDown={(e) => {
                  const next = TABS[nextTabIndex(TABS.length, TABS.indexOf(t), e.key) ?? -1];
                  if (!next) return;
                  e.preventDefault();
                  setTab(next.id);
                  document.getElementById(`tab-${next.id}`)?.focus();
                }}
              >
                {t.label}
              </button>
            ))}
          </div>
          <div className="tab-panel" id="tab-panel" role="tabpanel" aria-labelledby={`tab-${tab}`}>
            <ViewBoundary key={tab} name={TABS.find((t) => t.id === tab)?.label ?? 'This view'}>
              {renderTab()}
            </ViewBoundary>
          </div>
        </main>
        {selection?.kind === 'session' ? (
          <SessionDetails key={selection.id} id={selection.id} onClose={closeDetails} />
        ) : selection?.kind === 'record' ? (
          <RecordDetails key={selection.id} id={selection.id} onClose={closeDetails} />
        ) : null}
      </div>
      {importOpen ? (
        <ImportDialog
          key={dropped.join('\n')}
          control={importControl}
          devices={devices}
          initialPaths={dropped}
          onClose={() => setImportOpen(false)}
        />
      ) : null}
      {exportOpen ? <ExportDialog filter={filter} onClose={() => setExportOpen(false)} /> : null}
    </div>
  );
}
