import { interpolateYlOrRd } from 'd3';
import { useEffect, useMemo, useRef, useState, type MouseEvent as ReactMouseEvent } from 'react';
import { useElementSize } from '../../app/use-element-size';
import { useQuery } from '../../app/use-query';
import {
  useApps,
  useCase,
  useFilter,
  useWorkspaceActions,
} from '../../app/workspace/use-workspace';
import { EmptyState } from '../../shared/EmptyState';
import { ErrorBanner } from '../../shared/ErrorBanner';
import { formatCount, formatDuration, plural } from '../../shared/format';
import { Spinner } from '../../shared/Spinner';
import { NO_DATA_EXPLAINED, NoDataLegend } from '../../shared/NoDataLegend';
import { formatDayNumber, formatHourNumber, formatHourRange } from '../../shared/time-format';
import { drawNoData, prepareCanvas } from '../timeline/draw';
import {
  buildGrid,
  cellAt,
  cellValue,
  heatmapTitle,
  labelEvery,
  type HeatGrid,
  type HeatMetric,
} from './heatmap-grid';
import { cellSpan } from './cell-span';

const LEFT = 112;
const TOP = 24;
const EMPTY = '#eef2f6';

/** Colour of a value relative to the maximum (square-root scale so rare activity still shows). */
function colour(value: number, max: number): string {
  if (value <= 0 || max <= 0) return EMPTY;
  return interpolateYlOrRd(0.12 + 0.88 * Math.sqrt(value / max));
}

function rowHeight(days: number): number {
  if (days <= 60) return 18;
  if (days <= 200) return 12;
  return Math.max(3, Math.min(8, Math.floor(14000 / days)));
}

function draw(
  ctx: CanvasRenderingContext2D,
  grid: HeatGrid,
  metric: HeatMetric,
  width: number,
  height: number,
  hover: { row: number; hour: number } | null,
): void {
  const rowH = rowHeight(grid.days);
  const cellW = (width - LEFT) / 24;
  ctx.clearRect(0, 0, width, height);
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = '#475569';
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'center';
  for (let h = 0; h < 24; h += 1) {
    if (cellW < 18 && h % 2 === 1) continue;
    ctx.fillText(formatHourNumber(h), LEFT + h * cellW + cellW / 2, TOP / 2);
  }
  const every = labelEvery(rowH);
  ctx.textAlign = 'right';
  const max = grid.max[metric];
  for (let r = 0; r < grid.days; r += 1) {
    const y = TOP + r * rowH;
    const day = grid.fromDay + r;
    const coverage = grid.coverage[r] ?? 'observed';
    if (r % every === 0) {
      ctx.fillStyle = coverage === 'none' ? '#94a3b8' : '#334155';
      ctx.fillText(formatDayNumber(day), LEFT - 14, y + Math.max(rowH, 12) / 2);
    }
    if (coverage !== 'observed') {
      // A day without data is hatched across the row (and marked in the gutter when only some
      // devices lack it), so it never reads as a quiet day.
      const markH = Math.max(1, rowH - 1);
      drawNoData(
        ctx,
        [
          {
            fromMs: coverage === 'none' ? LEFT : LEFT - 10,
            toMs: coverage === 'none' ? width : LEFT - 3,
          },
        ],
        { fromMs: 0, toMs: width, width },
        markH,
        y + 0.5,
      );
    }
    for (let h = 0; h < 24; h += 1) {
      const v = cellValue(grid, metric, r, h);
      if (coverage === 'none' && v <= 0) continue;
      ctx.fillStyle = colour(v, max);
      ctx.fillRect(LEFT + h * cellW + 0.5, y + 0.5, cellW - 1, Math.max(1, rowH - 1));
    }
  }
  if (hover) {
    ctx.strokeStyle = '#0f172a';
    ctx.lineWidth = 2;
    ctx.strokeRect(LEFT + hover.hour * cellW, TOP + hover.row * rowH, cellW, rowH);
  }
}

/** Hour of day × date grid of access sessions, device-local. */
export function HeatmapView() {
  const filter = useFilter();
  const { appName } = useApps();
  const { devices, deviceOffsets, hasSessions: caseHasSessions } = useCase();
  const { showSpan } = useWorkspaceActions();
  // The grid is in device-local hours: a cell is found in the offset of the device the filter
  // names first (else the case's first device).
  const onPickCell = (day: number, hour: number): void => {
    const deviceId = filter.devices?.[0] ?? devices[0]?.id;
    const offsetMin = (deviceId !== undefined ? deviceOffsets.get(deviceId) : undefined) ?? 0;
    showSpan(cellSpan(day, hour, offsetMin));
  };
  const q = useQuery('queryHeatmap', { filter });
  const [metric, setMetric] = useState<HeatMetric>('sessions');
  const [hover, setHover] = useState<{ row: number; hour: number; x: number; y: number } | null>(
    null,
  );
  const [wrapRef, size] = useElementSize<HTMLDivElement>();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const grid = useMemo(() => (q.data ? buildGrid(q.data) : null), [q.data]);
  const width = Math.max(LEFT + 24 * 12, Math.min(size.width, LEFT + 24 * 48));
  const rowH = grid ? rowHeight(grid.days) : 0;
  const height = grid ? TOP + grid.days * rowH + 4 : 0;
  const hoverRow = hover?.row ?? -1;
  const hoverHour = hover?.hour ?? -1;

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !grid || width <= 0) return;
    const ctx = prepareCanvas(canvas, width, height);
    if (!ctx) return;
    draw(
      ctx,
      grid,
      metric,
      width,
      height,
      hoverRow >= 0 ? { row: hoverRow, hour: hoverHour } : null,
    );
  }, [grid, metric, width, height, hoverRow, hoverHour]);

  const locate = (e: ReactMouseEvent<HTMLCanvasElement>) => {
    if (!grid) return null;
    const rect = e.currentTarget.getBoundingClientRect();
    const x = e.clientX - rect.left;
    const y = e.clientY - rect.top;
    const cell = cellAt(x, y, {
      left: LEFT,
      top: TOP,
      cellW: (width - LEFT) / 24,
      rowH,
      days: grid.days,
    });
    return cell ? { ...cell, x, y } : null;
  };

  const title = heatmapTitle(filter, appName);
  const max = grid ? grid.max[metric] : 0;
  // Squared steps undo the square-root colour scale, so the ramp runs evenly from low to high.
  const legendStops = Array.from({ length: 10 }, (_, i) => colour(((i + 1) / 10) ** 2, 1));
  const tip = hover && grid ? { day: grid.fromDay + hover.row, hour: hover.hour } : null;
  const noDataDays = grid ? grid.coverage.filter((c) => c === 'none').length : 0;
  const partialDays = grid ? grid.coverage.filter((c) => c === 'partial').length : 0;

  return (
    <section className="view" data-testid="heatmap" aria-label="Heatmap">
      <div className="view-head">
        <h2 data-testid="heatmap-title">{title}</h2>
        <div className="btn-group" role="group" aria-label="Colour by">
          <button
            type="button"
            className={metric === 'sessions' ? 'btn btn-small btn-on' : 'btn btn-small'}
            aria-pressed={metric === 'sessions'}
            onClick={() => setMetric('sessions')}
          >
            Sessions
          </button>
          <button
            type="button"
            className={metric === 'busyMs' ? 'btn btn-small btn-on' : 'btn btn-small'}
            aria-pressed={metric === 'busyMs'}
            onClick={() => setMetric('busyMs')}
          >
            Time in use
          </button>
        </div>
        {q.loading ? <Spinner /> : null}
      </div>
      <p className="muted small">
        Hours (00–23) and dates are device-local (each session at its own UTC offset). Click a cell
        to open that hour on the timeline.
      </p>
      <ErrorBanner error={q.error} title="Heatmap" />
      {q.data === null ? null : grid === null ? (
        <EmptyState
          title={caseHasSessions ? 'Nothing matches the filter' : 'No access sessions yet'}
          testId="heatmap-empty"
        >
          {caseHasSessions
            ? 'Loosen the filter to see when access happens.'
            : 'Import an App Privacy Report export or an Android capture first.'}
        </EmptyState>
      ) : (
        <>
          <div className="heat-legend" data-testid="heatmap-legend">
            <span className="small">
              {metric === 'sessions' ? 'Sessions per hour' : 'Time in use per hour'}
            </span>
            <span className="small num">0</span>
            <span
              className="heat-ramp"
              style={{
                background: `linear-gradient(to right, ${EMPTY}, ${legendStops.join(', ')})`,
              }}
              aria-hidden="true"
            />
            <span className="small num">
              {metric === 'sessions' ? formatCount(max) : formatDuration(max)}
            </span>
            {noDataDays + partialDays > 0 ? <NoDataLegend testId="heatmap-nodata-legend" /> : null}
            {partialDays > 0 ? (
              <span className="small muted" title={NO_DATA_EXPLAINED}>
                hatch beside a date: some devices have no data that day
              </span>
            ) : null}
          </div>
          {grid.unobserved.length > 0 ? (
            <p className="muted small" data-testid="heatmap-unobserved">
              No App Privacy Report or Android capture of {grid.unobserved.join(', ')} covers this
              period: {grid.unobserved.length === 1 ? 'its' : 'their'} access cannot show here.
            </p>
          ) : null}
          <div className="heat-wrap" ref={wrapRef}>
            <canvas
              ref={canvasRef}
              data-testid="heatmap-canvas"
              data-days={grid.days}
              data-nodata-days={noDataDays}
              data-partial-days={partialDays}
              style={{ width, height }}
              role="img"
              aria-label={`${title} ${grid.days} days by 24 hours, device-local${noDataDays > 0 ? `; ${noDataDays} days without data, hatched` : ''}.`}
              onPointerMove={(e) => setHover(locate(e))}
              onPointerLeave={() => setHover(null)}
              onClick={(e) => {
                const c = locate(e);
                if (c && grid && cellValue(grid, 'sessions', c.row, c.hour) > 0)
                  onPickCell(grid.fromDay + c.row, c.hour);
              }}
            />
            {tip && hover && grid ? (
              <div
                className="tooltip"
                style={{ left: Math.min(hover.x + 14, width - 220), top: hover.y + 14 }}
                data-testid="heatmap-tooltip"
              >
                <div className="tooltip-title">
                  {formatDayNumber(tip.day)} · {formatHourRange(tip.hour)}
                </div>
                {grid.coverage[hover.row] === 'none' &&
                cellValue(grid, 'sessions', hover.row, hover.hour) === 0 ? (
                  <div data-testid="heatmap-tooltip-nodata">
                    No data: outside the imported sources, not a quiet hour.
                  </div>
                ) : (
                  <>
                    <div>
                      {plural(cellValue(grid, 'sessions', hover.row, hover.hour), 'session')}
                    </div>
                    <div>
                      In use {formatDuration(cellValue(grid, 'busyMs', hover.row, hover.hour))}
                    </div>
                    {grid.coverage[hover.row] === 'partial' ? (
                      <div className="muted">
                        No data from {(grid.missing[hover.row] ?? []).join(', ')} this day.
                      </div>
                    ) : null}
                  </>
                )}
              </div>
            ) : null}
          </div>
        </>
      )}
    </section>
  );
}
