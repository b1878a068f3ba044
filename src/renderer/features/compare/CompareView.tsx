import { useMemo, useState, type KeyboardEvent } from 'react';
import { CATEGORY_LABELS } from '../../../contract/categories';
import { DEFAULT_NIGHT, type DayWindow } from '../../../contract/filter';
import type { CompareRequest, CompareRow } from '../../../contract/records';
import { useElementSize } from '../../app/use-element-size';
import { useQuery } from '../../app/use-query';
import {
  useCase,
  useFilter,
  useTimeMode,
  useWorkspaceActions,
} from '../../app/workspace/use-workspace';
import { androidRetentionNote, noSessionsNote } from '../../../contract/compare-change';
import { EmptyState } from '../../shared/EmptyState';
import { NoDataLegend } from '../../shared/NoDataLegend';
import { ErrorBanner } from '../../shared/ErrorBanner';
import { offsetLabel } from '../../shared/format';
import { Spinner } from '../../shared/Spinner';
import { ExportDialog } from '../export/ExportDialog';
import { axisTicks } from '../timeline/axis';
import { TimelineAxis } from '../timeline/TimelineAxis';
import { TimeModeButtons, ZoomButtons } from '../timeline/ViewControls';
import {
  panRange,
  paddedExtent,
  viewForKey,
  zoomRange,
  type TimeRange,
} from '../timeline/time-window';
import { CompareBand } from './CompareBand';
import { CompareMatrix, rowKey } from './CompareMatrix';
import { ColumnPicker } from './ColumnPicker';
import {
  bandFilter,
  buildColumns,
  DAY_MS,
  backupOnlyDevices,
  daysExtent,
  defaultPicked,
  narrowRows,
  sessionsByDevice,
  type Alignment,
  type CompareMode,
  type PeriodDraft,
} from './compare-model';
import { PairingsPanel } from './PairingsPanel';
import './compare.css';

const MAX_WIDTH = 20_000;
const FULL_DAY: TimeRange = { fromMs: 0, toMs: DAY_MS };

/**
 * Devices, or periods of one device, side by side: the app × category matrix with its
 * differences, and one band per column on a shared time axis (real time, or days overlaid).
 */
export function CompareView() {
  const filter = useFilter();
  const timeMode = useTimeMode();
  const { devices } = useCase();
  const { setTimeMode } = useWorkspaceActions();
  const platformOf = (id: number) => devices.find((d) => d.id === id)?.platform ?? 'unknown';
  const [mode, setMode] = useState<CompareMode>(devices.length >= 2 ? 'devices' : 'periods');
  // Until the examiner ticks a device, the default columns: devices with access sessions.
  const sourcesQ = useQuery('listSources', {});
  const sessions = useMemo(
    () => (sourcesQ.data ? sessionsByDevice(sourcesQ.data) : null),
    [sourcesQ.data],
  );
  const backupOnly = useMemo(() => backupOnlyDevices(sourcesQ.data ?? []), [sourcesQ.data]);
  const [pickedByHand, setPicked] = useState<number[] | null>(null);
  const picked = useMemo(
    () => pickedByHand ?? defaultPicked(devices, sessions),
    [pickedByHand, devices, sessions],
  );
  const [periods, setPeriods] = useState<PeriodDraft[]>([]);
  const [night, setNight] = useState<DayWindow>(DEFAULT_NIGHT);
  const [alignment, setAlignment] = useState<Alignment>('absolute');
  const [focus, setFocus] = useState<CompareRow | null>(null);
  const [absView, setAbsView] = useState<TimeRange | null>(null);
  const [dayView, setDayView] = useState<TimeRange | null>(null);
  const [exportOpen, setExportOpen] = useState(false);
  const [plotRef, plotSize] = useElementSize<HTMLDivElement>();
  const width = Math.min(MAX_WIDTH, Math.floor(plotSize.width));

  const built = useMemo(
    () => buildColumns(mode, devices, picked, periods),
    [mode, devices, picked, periods],
  );
  const request: CompareRequest | null = useMemo(
    () => ('columns' in built ? { columns: built.columns, night, kind: mode } : null),
    [built, night, mode],
  );
  const compared = useQuery('queryCompare', request);
  const result = compared.data;
  const rows = useMemo(() => (result ? narrowRows(result.rows, filter) : []), [result, filter]);
  const labels = useMemo(() => (result ? result.columns.map((c) => c.label) : []), [result]);
  // The kind of the comparison on screen (it may lag the mode while a new one loads).
  const kind = result?.kind ?? mode;
  const android = useMemo(() => {
    const platforms = new Map(devices.map((d) => [d.id, d.platform]));
    return new Set(
      (result?.columns ?? []).flatMap((c, i) =>
        (c.platform ?? platforms.get(c.deviceId)) === 'android' ? [i] : [],
      ),
    );
  }, [result, devices]);
  const focusKey = focus ? rowKey(focus) : null;
  const focusSpec = useMemo(
    () => (focus ? { apps: focus.apps, category: focus.category } : null),
    [focus],
  );

  const folded = alignment === 'time-of-day';
  const bounds = useMemo(() => {
    if (folded) return FULL_DAY;
    const e = result ? daysExtent(result.columns) : null;
    return e ? paddedExtent(e) : null;
  }, [folded, result]);
  const view = folded ? (dayView ?? FULL_DAY) : (absView ?? bounds);
  const setView = folded ? setDayView : setAbsView;
  const axisOffset = folded || timeMode === 'utc' ? 0 : (result?.columns[0]?.offsetMin ?? 0);
  const gridMs = useMemo(
    () => (view && width > 0 ? axisTicks({ ...view, width }, axisOffset) : []),
    [view, width, axisOffset],
  );

  const zoom = (factor: number, anchorMs?: number): void => {
    if (!view) return;
    setView(zoomRange(view, factor, anchorMs ?? (view.fromMs + view.toMs) / 2, bounds));
  };
  const onKeyDown = (e: KeyboardEvent<HTMLElement>): void => {
    const target = e.target as HTMLElement;
    if (target.closest('input, textarea, select, table, form')) return;
    const next = view ? viewForKey(e.key, view, bounds) : undefined;
    if (next === undefined) return;
    setView(next);
    e.preventDefault();
  };

  const axisCaption = folded
    ? 'Time of day (each device local)'
    : timeMode === 'utc'
      ? 'UTC'
      : `Local time of ${result?.columns[0]?.label ?? 'the first column'} (${offsetLabel(axisOffset)})`;

  if (devices.length === 0)
    return (
      <EmptyState title="Nothing to compare yet" testId="compare-empty">
        Import logs from two phones, or from one phone over time, to compare them side by side.
      </EmptyState>
    );

  return (
    <section
      className="compare timeline"
      data-testid="compare-view"
      data-alignment={alignment}
      data-view-from={view ? Math.round(view.fromMs) : ''}
      data-view-to={view ? Math.round(view.toMs) : ''}
      tabIndex={0}
      aria-label="Comparison. Plus and minus zoom every band, arrow keys pan, 0 resets."
      onKeyDown={onKeyDown}
    >
      <h2 className="sr-only">Compare</h2>
      <ColumnPicker
        mode={mode}
        onModeChange={(m) => {
          setMode(m);
          setFocus(null);
        }}
        devices={devices}
        picked={picked}
        onPickedChange={setPicked}
        sessions={sessions}
        backupOnly={backupOnly}
        periods={periods}
        onPeriodsChange={setPeriods}
        night={night}
        onNightChange={setNight}
      />
      {'problem' in built ? (
        <p className="muted" data-testid="compare-problem">
          {built.problem}
        </p>
      ) : null}
      <ErrorBanner error={compared.error} title="Comparison" />

      {result ? (
        <>
          <div className="toolbar cmp-toolbar">
            <span className="small" data-testid="compare-observed">
              Observed days: {result.columns.map((c) => `${c.label} ${c.days.length}`).join(' · ')}{' '}
              — rates are per observed day; days without data are not counted as quiet days.
            </span>
            <button
              type="button"
              className="btn btn-small"
              data-testid="compare-export"
              onClick={() => setExportOpen(true)}
            >
              Export bundle with this comparison…
            </button>
          </div>
          {result.columns.map((c, i) =>
            android.has(i) ? (
              <p className="cmp-note" key={`android-${i}`} data-testid="compare-android-note">
                † {androidRetentionNote(c.label, c.androidCaptures ?? 0)}
              </p>
            ) : null,
          )}
          {kind === 'devices'
            ? result.columns.map((c, i) =>
                c.sessions === 0 ? (
                  <p className="cmp-note" key={`empty-${i}`} data-testid="compare-empty-note">
                    {noSessionsNote(c.label)}
                  </p>
                ) : null,
              )
            : null}
          {rows.length === 0 ? (
            <EmptyState title="No access sessions in these columns" testId="compare-no-rows">
              {result.rows.length > 0
                ? 'The sidebar’s app or category filter hides every row.'
                : 'None of the compared columns holds an access session.'}
            </EmptyState>
          ) : (
            <CompareMatrix
              rows={rows}
              labels={labels}
              kind={kind}
              android={android}
              focusKey={focusKey}
              onFocus={setFocus}
            />
          )}

          <div className="toolbar">
            <div className="btn-group" role="group" aria-label="Alignment">
              <button
                type="button"
                className={!folded ? 'btn btn-small btn-on' : 'btn btn-small'}
                aria-pressed={!folded}
                data-testid="compare-align-absolute"
                onClick={() => setAlignment('absolute')}
              >
                Absolute time
              </button>
              <button
                type="button"
                className={folded ? 'btn btn-small btn-on' : 'btn btn-small'}
                aria-pressed={folded}
                data-testid="compare-align-day"
                onClick={() => setAlignment('time-of-day')}
              >
                Time of day (days overlaid)
              </button>
            </div>
            {!folded ? <TimeModeButtons timeMode={timeMode} onChange={setTimeMode} /> : null}
            <ZoomButtons
              testIdPrefix="compare"
              onZoom={(f) => zoom(f)}
              onReset={() => setView(null)}
            />
            {focus ? (
              <span className="chip" data-testid="compare-focus">
                Showing {focus.appName ?? focus.app} · {CATEGORY_LABELS[focus.category]} on every
                band
                <button
                  type="button"
                  className="chip-x"
                  aria-label="Show every app"
                  onClick={() => setFocus(null)}
                >
                  ×
                </button>
              </span>
            ) : null}
          </div>

          <div className="tl-row">
            <div className="tl-caption small" data-testid="compare-axis-caption">
              {axisCaption}
            </div>
            <div className="tl-plot" ref={plotRef}>
              {view && width >= 10 ? (
                <TimelineAxis
                  viewport={{ ...view, width }}
                  offsetMin={axisOffset}
                  timeOfDay={folded}
                  onSelectRange={(r) => setView(zoomRange(r, 1, r.fromMs, bounds))}
                />
              ) : null}
            </div>
          </div>
          <div className="cmp-bands" data-testid="compare-bands">
            {view && width >= 10 ? (
              result.columns.map((info, i) => (
                <CompareBand
                  key={`${info.label}|${i}`}
                  info={info}
                  platform={info.platform ?? platformOf(info.deviceId)}
                  filter={bandFilter(filter, info, focusSpec)}
                  alignment={alignment}
                  view={view}
                  width={width}
                  gridMs={gridMs}
                  night={result.night}
                  timeMode={timeMode}
                  onPan={(start, dx) =>
                    setView(panRange(start, (-dx * (start.toMs - start.fromMs)) / width, bounds))
                  }
                  onZoom={(factor, anchor) => zoom(factor, anchor)}
                />
              ))
            ) : (
              <p className="muted small">No observed day in any column.</p>
            )}
          </div>
          <p className="muted small">
            Wheel: zoom every band · Drag: pan · Drag on the axis: zoom to range · Keys + − ← → 0 ·
            Shaded: the night window {result.night.from}–{result.night.to} (24-hour, device-local)
          </p>
          <NoDataLegend testId="compare-nodata-legend" />
        </>
      ) : request ? (
        <Spinner label="Comparing…" />
      ) : null}

      <PairingsPanel />

      {exportOpen && request ? (
        <ExportDialog comparison={request} onClose={() => setExportOpen(false)} />
      ) : null}
    </section>
  );
}
