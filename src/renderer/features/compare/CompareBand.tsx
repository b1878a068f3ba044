import { useMemo } from 'react';
import { androidRetentionNote } from '../../../contract/compare-change';
import type { Filter } from '../../../contract/filter';
import type { CompareColumnInfo } from '../../../contract/records';
import type { Platform } from '../../../contract/records';
import { useDebounced } from '../../app/use-debounced';
import { useQuery } from '../../app/use-query';
import { ErrorBanner } from '../../shared/ErrorBanner';
import { formatCount, formatDuration, plural, type TimeMode } from '../../shared/format';
import { Spinner } from '../../shared/Spinner';
import { PlatformBadge } from '../devices/PlatformBadge';
import { LANE_HEIGHT } from '../timeline/lane-layout';
import { nightBands } from '../timeline/night-bands';
import { indexTimeline } from '../timeline/timeline-index';
import { TimelineLanes } from '../timeline/TimelineLanes';
import { roundRange, type TimeRange, type Viewport } from '../timeline/time-window';
import type { Alignment } from './compare-model';
import { dayStretches, noDataRanges } from './compare-model';
import { CoverageStrip } from './CoverageStrip';

interface Props {
  info: CompareColumnInfo;
  platform: Platform;
  filter: Filter;
  alignment: Alignment;
  /** The shared view (absolute instants, or ms of the folded day). */
  view: TimeRange;
  width: number;
  gridMs: number[];
  night: { from: string; to: string };
  timeMode: TimeMode;
  onPan: (start: TimeRange, deltaPx: number) => void;
  onZoom: (factor: number, anchorMs: number) => void;
}

/** Lanes shown per band before it scrolls, so every band stays on screen. */
const MAX_LANES = 6;
const NO_INFO = new Map();

/** One compared column as a band: its header, its observed days and its app lanes on the shared axis. */
export function CompareBand(props: Props) {
  const { info, filter, alignment, view, width } = props;
  // Zoom and pan redraw at once with the data in hand; the core is asked for the visible range
  // once the view rests.
  const range = useDebounced(
    roundRange(view),
    150,
    `${Math.round(view.fromMs)}:${Math.round(view.toMs)}`,
  );
  const folded = alignment === 'time-of-day';
  const absolute = useQuery(
    'queryTimeline',
    !folded && width >= 10 ? { filter, width, range } : null,
  );
  const day = useQuery('queryTimeOfDay', folded && width >= 10 ? { filter, width, range } : null);
  const q = folded ? day : absolute;
  const result = q.data;

  const index = useMemo(() => (result ? indexTimeline(result) : null), [result]);
  const viewport: Viewport = useMemo(
    () => ({ fromMs: view.fromMs, toMs: view.toMs, width }),
    [view.fromMs, view.toMs, width],
  );
  const noData = useMemo(() => (folded ? [] : noDataRanges(info, view)), [folded, info, view]);
  // In the folded day the night window is the same stretch of every day; on the real axis it
  // follows the device's own offset.
  const nights = useMemo(
    () =>
      folded
        ? nightBands(view, 0, props.night, 2)
        : props.timeMode === 'local'
          ? nightBands(view, info.offsetMin, props.night)
          : [],
    [folded, view, info.offsetMin, props.night, props.timeMode],
  );
  const platforms = useMemo(
    () => new Map<number, Platform>([[info.deviceId, props.platform]]),
    [info.deviceId, props.platform],
  );
  const stretches = useMemo(() => dayStretches(info.days), [info.days]);
  const period =
    info.from || info.to ? `${info.from ?? 'start'} → ${info.to ?? 'end'} (end exclusive)` : null;

  return (
    <section
      className="cmp-band"
      data-testid="compare-band"
      data-label={info.label}
      data-mode={result?.mode ?? ''}
      data-lanes={result?.lanes.length ?? 0}
      data-total={result?.total ?? 0}
      data-nodata={noData.length}
      aria-label={`Band ${info.label}`}
    >
      <header className="cmp-band-head">
        <strong className="cmp-band-label">{info.label}</strong>
        <PlatformBadge platform={props.platform} />
        {props.platform === 'android' ? (
          <span
            className="badge"
            data-testid="compare-band-retention"
            title={androidRetentionNote(info.label, info.androidCaptures ?? 0)}
          >
            † last access per op only
          </span>
        ) : null}
        {period ? <span className="muted small">{period}</span> : null}
        <span className="muted small" title={stretches}>
          {info.days.length === 0
            ? 'no observed days'
            : `${plural(info.days.length, 'observed day')}${folded ? ', overlaid' : ''}`}
        </span>
        <span className="muted small" data-testid="compare-band-status">
          {q.loading ? <Spinner label="Updating…" /> : null}
          {result && !q.loading
            ? result.mode === 'bins'
              ? `${formatCount(result.total)} sessions · density per ${formatDuration(result.binMs)}`
              : `${formatCount(result.sessions.length)} sessions in view`
            : null}
        </span>
      </header>
      <ErrorBanner error={q.error} title={info.label} />
      {!folded ? (
        <div className="cmp-band-strip">
          <CoverageStrip viewport={viewport} noData={noData} />
        </div>
      ) : null}
      {result === null ? (
        <div className="cmp-band-empty">
          {q.error ? null : <Spinner label={`Loading ${info.label}…`} />}
        </div>
      ) : result.lanes.length === 0 ? (
        <div className="cmp-band-empty muted small" data-testid="compare-band-empty">
          {info.days.length === 0
            ? 'This column has no observed days: its sources hold no dated records here.'
            : noData.length > 0 && !folded
              ? 'No sessions in view. Hatched stretches have no data; the rest are observed days without a matching session.'
              : 'No sessions in view on observed days.'}
        </div>
      ) : index ? (
        <div
          className="cmp-band-lanes"
          style={{ height: Math.min(result.lanes.length, MAX_LANES) * LANE_HEIGHT + 2 }}
        >
          <TimelineLanes
            {...index}
            result={result}
            markInfo={NO_INFO}
            viewport={viewport}
            nights={nights}
            noData={noData}
            gridMs={props.gridMs}
            offsetMin={folded ? 0 : info.offsetMin}
            timeMode={folded ? 'time-of-day' : props.timeMode}
            multiDevice={false}
            platforms={platforms}
            onPan={props.onPan}
            onZoom={props.onZoom}
          />
        </div>
      ) : null}
    </section>
  );
}
