import { useMemo, useState, type KeyboardEvent } from 'react';
import type { Platform } from '../../../contract/records';
import { useDebounced } from '../../app/use-debounced';
import { useElementSize } from '../../app/use-element-size';
import { useQuery } from '../../app/use-query';
import {
  useCase,
  useFilter,
  useTimeMode,
  useView,
  useWorkspaceActions,
} from '../../app/workspace/use-workspace';
import { ErrorBanner } from '../../shared/ErrorBanner';
import { formatCount, formatDuration, offsetLabel, plural } from '../../shared/format';
import { Spinner } from '../../shared/Spinner';
import { countActive } from '../filters/filter-text';
import { axisTicks } from './axis';
import { pickAxisOffset } from './axis-offset';
import { overviewColumns } from './density';
import { hasSeveralDevices, laneWindow, lanesLoadedText } from './lane-layout';
import { nightBands } from './night-bands';
import { countStretches, noDataByDevice, noDataForAll } from './no-data';
import { SessionList } from './SessionList';
import { countBackground, stateMarkKinds } from './state-mark';
import { visibleSessions } from './session-list';
import { TimelineAxis } from './TimelineAxis';
import { TimelineEmpty, TimelineFoot } from './TimelineFoot';
import { indexTimeline } from './timeline-index';
import { TimelineLanes } from './TimelineLanes';
import { TimelineOverview } from './TimelineOverview';
import { TimeModeButtons, ZoomButtons } from './ViewControls';
import {
  paddedExtent,
  panRange,
  roundRange,
  viewForKey,
  zoomRange,
  type TimeRange,
  type Viewport,
} from './time-window';
import { DeviceStateBands } from './DeviceStateBands';
import type { MarkInfo } from './tooltip-content';

const MAX_WIDTH = 20_000;

/** The timeline: one lane per app, sessions as bars (or density bins when zoomed out), zoom and pan. */
export function Timeline() {
  const filter = useFilter();
  const view = useView();
  const timeMode = useTimeMode();
  const { devices, deviceOffsets, hasSessions: caseHasSessions } = useCase();
  const { setView: onViewChange, setTimeMode, selectSession: onSelect } = useWorkspaceActions();
  const [plotRef, plotSize] = useElementSize<HTMLDivElement>();
  const [search, setSearch] = useState('');
  const [listOpen, setListOpen] = useState(false);
  const laneSearch = useDebounced(search.trim(), 250, search.trim());
  const viewKey = view ? `${Math.round(view.fromMs)}:${Math.round(view.toMs)}` : 'all';
  const queryView = useDebounced(view, 150, viewKey);
  const width = Math.min(MAX_WIDTH, Math.floor(plotSize.width));
  const ready = width >= 10;

  const overview = useQuery(
    'queryTimeline',
    ready ? { filter, width, ...(laneSearch ? { laneSearch } : {}) } : null,
  );
  // Over more lanes than fit, the lanes in view are asked for on their own, so their bins are
  // as fine as if they were the only ones (the list, when open, lists every lane's sessions).
  const [inView, setInView] = useState({ first: 0, count: 30 });
  const wanted = laneWindow(inView.first, inView.count);
  const lanesWindow = useDebounced(wanted, 150, `${wanted.offset}:${wanted.limit}`);
  const paging = !listOpen && (overview.data?.lanes.length ?? 0) > lanesWindow.limit;
  const detail = useQuery(
    'queryTimeline',
    ready && (queryView || paging)
      ? {
          filter,
          width,
          ...(queryView ? { range: roundRange(queryView) } : {}),
          ...(laneSearch ? { laneSearch } : {}),
          ...(paging ? { lanes: lanesWindow } : {}),
        }
      : null,
  );
  const result = queryView || paging ? (detail.data ?? overview.data) : overview.data;
  const error = detail.error ?? overview.error;
  const loading = overview.loading || detail.loading;

  const extent = overview.data?.extent ?? result?.extent ?? null;
  const bounds = useMemo(() => (extent ? paddedExtent(extent) : null), [extent]);
  const shown: TimeRange | null = view ?? bounds ?? result?.range ?? null;
  const shownFrom = shown?.fromMs ?? 0;
  const shownTo = shown?.toMs ?? 0;
  const hasShown = shown !== null && ready;
  const viewport: Viewport | null = useMemo(
    () => (hasShown ? { fromMs: shownFrom, toMs: shownTo, width } : null),
    [hasShown, shownFrom, shownTo, width],
  );

  const index = useMemo(() => (result ? indexTimeline(result) : null), [result]);
  const layout = index?.layout ?? null;
  const hasMarks = (result?.marks.length ?? 0) > 0;
  // The marks carry category and status only; the service name and origin for their tooltips
  // come from the permission records of the same filter.
  const permissions = useQuery('queryPermissions', hasMarks ? { filter } : null);
  const markInfo = useMemo(
    () => new Map<string, MarkInfo>((permissions.data ?? []).map((p) => [p.id, p])),
    [permissions.data],
  );
  const multiDevice = devices.length > 1 || (result ? hasSeveralDevices(result.lanes) : false);
  const platforms = useMemo(
    () => new Map<number, Platform>(devices.map((d) => [d.id, d.platform])),
    [devices],
  );
  const stateKinds = useMemo(() => stateMarkKinds(result?.sessions ?? []), [result]);
  const background = useMemo(() => countBackground(result?.sessions ?? []), [result]);

  const midMs = (shownFrom + shownTo) / 2;
  const axis = useMemo(
    () => pickAxisOffset(result, devices, deviceOffsets, midMs),
    [result, devices, deviceOffsets, midMs],
  );
  const offsetMin = timeMode === 'utc' ? 0 : axis.offsetMin;
  const gridMs = useMemo(
    () => (hasShown ? axisTicks({ fromMs: shownFrom, toMs: shownTo, width }, offsetMin) : []),
    [hasShown, shownFrom, shownTo, width, offsetMin],
  );
  const nights = useMemo(
    () =>
      hasShown && timeMode === 'local'
        ? nightBands({ fromMs: shownFrom, toMs: shownTo }, offsetMin)
        : [],
    [hasShown, shownFrom, shownTo, offsetMin, timeMode],
  );

  // The observed days do not depend on the window: the whole-period answer carries them.
  const observed = overview.data?.observed ?? result?.observed;
  const noDataInView = useMemo(
    () => (hasShown ? noDataByDevice(observed, { fromMs: shownFrom, toMs: shownTo }) : new Map()),
    [observed, hasShown, shownFrom, shownTo],
  );
  // With lanes, the stretches of their devices; with none, those of every device in the filter,
  // so an empty window that lies outside the sources does not read as a quiet one.
  const laneDevices = useMemo(
    () => (result && result.lanes.length > 0 ? new Set(result.lanes.map((l) => l.deviceId)) : null),
    [result],
  );
  const stretchesInView = countStretches(
    laneDevices ? new Map([...noDataInView].filter(([id]) => laneDevices.has(id))) : noDataInView,
  );

  const fullViewport: Viewport | null = useMemo(
    () => (bounds && ready ? { ...bounds, width } : null),
    [bounds, ready, width],
  );
  const columns = useMemo(
    () =>
      overview.data && fullViewport
        ? overviewColumns(overview.data, fullViewport)
        : new Float64Array(0),
    [overview.data, fullViewport],
  );
  const overviewNoData = useMemo(
    () => (fullViewport ? noDataForAll(observed, fullViewport) : []),
    [observed, fullViewport],
  );

  const lanesByKey = useMemo(() => new Map((result?.lanes ?? []).map((l) => [l.key, l])), [result]);
  const listed = useMemo(
    () =>
      result && hasShown && listOpen
        ? visibleSessions(result.sessions, { fromMs: shownFrom, toMs: shownTo })
        : [],
    [result, hasShown, shownFrom, shownTo, listOpen],
  );

  const zoom = (factor: number, anchorMs?: number): void => {
    if (!shown) return;
    onViewChange(zoomRange(shown, factor, anchorMs ?? (shown.fromMs + shown.toMs) / 2, bounds));
  };

  const onKeyDown = (e: KeyboardEvent<HTMLElement>): void => {
    const target = e.target as HTMLElement;
    if (target.closest('input, textarea, select, [data-testid="session-list"]')) return;
    if (e.key === 'Escape') onSelect(null);
    else {
      const next = shown ? viewForKey(e.key, shown, bounds) : undefined;
      if (next === undefined) return;
      onViewChange(next);
    }
    e.preventDefault();
  };

  const axisCaption =
    timeMode === 'utc'
      ? 'UTC'
      : axis.source === 'unknown'
        ? 'Device-local time (offset unknown — showing UTC)'
        : `Device-local time (${offsetLabel(axis.offsetMin)})`;

  const empty = result !== null && result.lanes.length === 0;
  const binned = result?.mode === 'bins';

  return (
    <section
      className="timeline"
      data-testid="timeline"
      data-mode={result?.mode ?? ''}
      data-lanes={result?.lanes.length ?? 0}
      data-sessions={result?.sessions.length ?? 0}
      data-marks={result?.marks.length ?? 0}
      data-background={background}
      data-view-from={shown ? Math.round(shown.fromMs) : ''}
      data-view-to={shown ? Math.round(shown.toMs) : ''}
      data-nodata={stretchesInView}
      tabIndex={0}
      aria-label="Timeline. Plus and minus zoom, arrow keys pan, 0 resets."
      onKeyDown={onKeyDown}
    >
      <h2 className="sr-only">Timeline</h2>
      <div className="toolbar">
        <input
          type="search"
          className="input input-small"
          placeholder="Find lane (app)…"
          aria-label="Find lane"
          data-testid="timeline-lane-search"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <ZoomButtons
          testIdPrefix="timeline"
          onZoom={(f) => zoom(f)}
          onReset={() => onViewChange(null)}
          resetDisabled={view === null}
        />
        <TimeModeButtons timeMode={timeMode} onChange={setTimeMode} withTestIds />
        <button
          type="button"
          className={listOpen ? 'btn btn-small btn-on' : 'btn btn-small'}
          aria-pressed={listOpen}
          data-testid="timeline-list-toggle"
          onClick={() => setListOpen((v) => !v)}
        >
          List
        </button>
        <span className="toolbar-status muted small" data-testid="timeline-status">
          {loading ? <Spinner label="Updating…" /> : null}
          {result && !loading
            ? binned
              ? `${formatCount(result.total)} sessions · density per ${formatDuration(result.binMs)}`
              : result.lanesLoaded
                ? `${formatCount(result.total)} sessions in view · ${formatCount(result.sessions.length)} of them in the lanes loaded`
                : `${formatCount(result.sessions.length)} of ${formatCount(result.total)} sessions in view`
            : null}
          {result && !loading && hasMarks
            ? ` · ${plural(result.marks.length, 'permission record')}`
            : null}
          {result?.lanesLoaded && !loading ? ` · ${lanesLoadedText(result)}` : null}
        </span>
      </div>

      <ErrorBanner error={error} title="Timeline" />

      <div className="tl-row">
        <div className="tl-caption small muted">Whole period</div>
        <div className="tl-plot">
          <TimelineOverview
            full={fullViewport}
            columns={columns}
            noData={overviewNoData}
            window={view}
            onWindow={onViewChange}
          />
        </div>
      </div>
      <div className="tl-row">
        <div className="tl-caption small" data-testid="timeline-time-caption">
          {axisCaption}
        </div>
        <div className="tl-plot" ref={plotRef}>
          {viewport ? (
            <TimelineAxis
              viewport={viewport}
              offsetMin={offsetMin}
              onSelectRange={(r) => onViewChange(zoomRange(r, 1, r.fromMs, bounds))}
            />
          ) : null}
        </div>
      </div>

      {result === null ? (
        <div className="timeline-placeholder">
          {error ? null : <Spinner label="Loading timeline…" />}
        </div>
      ) : empty ? (
        <TimelineEmpty
          caseHasSessions={caseHasSessions}
          narrowed={countActive(filter) > 0 || laneSearch !== ''}
          outsideSources={stretchesInView > 0}
        />
      ) : index && viewport ? (
        <TimelineLanes
          {...index}
          result={result}
          markInfo={markInfo}
          viewport={viewport}
          nights={nights}
          noDataByDevice={noDataInView}
          gridMs={gridMs}
          offsetMin={offsetMin}
          timeMode={timeMode}
          multiDevice={multiDevice}
          platforms={platforms}
          onPan={(start, dx) =>
            onViewChange(panRange(start, (-dx * (start.toMs - start.fromMs)) / width, bounds))
          }
          onZoom={(factor, anchor) => zoom(factor, anchor)}
          onLanesInView={(first, count) =>
            setInView((v) => (v.first === first && v.count === count ? v : { first, count }))
          }
        />
      ) : null}
      {viewport && laneDevices ? (
        <DeviceStateBands deviceIds={[...laneDevices]} devices={devices} viewport={viewport} />
      ) : null}

      <TimelineFoot
        result={result}
        layout={layout}
        noData={stretchesInView > 0 || overviewNoData.length > 0}
        stateKinds={stateKinds}
        timeMode={timeMode}
      />

      {listOpen && result ? (
        <SessionList
          sessions={listed}
          lanes={lanesByKey}
          binned={binned}
          total={result.total}
          multiDevice={multiDevice}
        />
      ) : null}
    </section>
  );
}
