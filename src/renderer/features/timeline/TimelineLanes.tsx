import {
  useEffect,
  useEffectEvent,
  useRef,
  useState,
  type PointerEvent as ReactPointerEvent,
} from 'react';
import type { NetworkSpan, TimelineResult } from '../../../contract/api';
import { useSelectedId, useWorkspaceActions } from '../../app/workspace/use-workspace';
import type { Platform } from '../../../contract/records';
import { useDebounced } from '../../app/use-debounced';
import { useElementSize } from '../../app/use-element-size';
import { useQuery } from '../../app/use-query';
import { formatCount, formatDuration, plural, type TimeMode } from '../../shared/format';
import { PlatformBadge } from '../devices/PlatformBadge';
import { drawLanes, makeDash, makeHatch, prepareCanvas, type BinIndex } from './draw';
import type { SessionIndex } from './hit-test';
import { laneHitAt, type Hit } from './lane-hit';
import { LANE_HEIGHT, laneLabel, type LaneLayout } from './lane-layout';
import { type MarkIndex } from './marks';
import {
  sessionTooltip,
  tooltipNeedsDetails,
  type MarkInfo,
  type TooltipContent,
} from './tooltip-content';
import { pxToMs, wheelZoomFactor, type TimeRange, type Viewport } from './time-window';

interface Props {
  layout: LaneLayout;
  result: Pick<TimelineResult, 'mode' | 'binMs'>;
  sessions: SessionIndex;
  bins: BinIndex;
  maxBinCount: number;
  network: Map<string, NetworkSpan[]>;
  maxHits: number;
  marks: MarkIndex;
  markCounts: ReadonlyMap<string, number>;
  markInfo: ReadonlyMap<string, MarkInfo>;
  viewport: Viewport;
  nights: TimeRange[];
  /** Stretches without data (comparison bands). */
  noData?: TimeRange[];
  /** Per device, the stretches its access logs do not cover (hatched across its lanes). */
  noDataByDevice?: ReadonlyMap<number, readonly TimeRange[]>;
  gridMs: number[];
  offsetMin: number;
  timeMode: TimeMode;
  multiDevice: boolean;
  /** The platform of each device, for the badge beside the device name. */
  platforms: ReadonlyMap<number, Platform>;
  onPan: (start: TimeRange, deltaPx: number) => void;
  onZoom: (factor: number, anchorMs: number) => void;
  /** Told which lanes are scrolled into view: the first one's place and how many fit. */
  onLanesInView?: (first: number, count: number) => void;
}

interface Hover extends Hit {
  x: number;
  y: number;
}

interface Drag {
  pointerId: number;
  x: number;
  start: TimeRange;
  moved: boolean;
}

/** Lane labels and the canvas of marks, with hover, click, drag-to-pan and wheel zoom. */
export function TimelineLanes(props: Props) {
  const { layout, viewport } = props;
  const selectedId = useSelectedId();
  const { selectSession, openRecord } = useWorkspaceActions();
  const [scrollRef, scrollSize] = useElementSize<HTMLDivElement>();
  const [scrollTop, setScrollTop] = useState(0);
  const [hover, setHover] = useState<Hover | null>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const hatchRef = useRef<CanvasPattern | null>(null);
  const dashRef = useRef<CanvasPattern | null>(null);
  const dragRef = useRef<Drag | null>(null);
  const totalHeight = layout.lanes.length * LANE_HEIGHT;
  const canvasHeight = Math.max(0, Math.min(scrollSize.height, totalHeight));

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || viewport.width <= 0 || canvasHeight <= 0) return;
    const ctx = prepareCanvas(canvas, viewport.width, canvasHeight);
    if (!ctx) return;
    hatchRef.current ??= makeHatch(ctx);
    dashRef.current ??= makeDash(ctx);
    drawLanes({
      ctx,
      width: viewport.width,
      height: canvasHeight,
      scrollTop,
      viewport,
      layout,
      result: props.result,
      sessions: props.sessions,
      bins: props.bins,
      maxBinCount: props.maxBinCount,
      network: props.network,
      maxHits: props.maxHits,
      marks: props.marks,
      nights: props.nights,
      noData: props.noData,
      noDataByDevice: props.noDataByDevice,
      gridMs: props.gridMs,
      selectedId,
      hoverId: hover?.id ?? null,
      hatch: hatchRef.current,
      dash: dashRef.current,
    });
  }, [
    viewport,
    canvasHeight,
    scrollTop,
    layout,
    props.result,
    props.sessions,
    props.bins,
    props.maxBinCount,
    props.network,
    props.maxHits,
    props.marks,
    props.nights,
    props.noData,
    props.noDataByDevice,
    props.gridMs,
    selectedId,
    hover?.id,
  ]);

  const tellLanesInView = useEffectEvent((first: number, count: number) =>
    props.onLanesInView?.(first, count),
  );
  useEffect(() => {
    if (scrollSize.height <= 0) return;
    tellLanesInView(
      Math.floor(scrollTop / LANE_HEIGHT),
      Math.ceil(scrollSize.height / LANE_HEIGHT) + 1,
    );
  }, [scrollTop, scrollSize.height]);

  const hitAt = (px: number, py: number): Hit | null =>
    laneHitAt(props, viewport, px, py + scrollTop);

  // The printed state-flag (`bg-s`) and whether Android printed a duration are in the session's
  // details only: read them for the session under the pointer once it has rested a moment.
  const hovered = hover?.session?.s ?? null;
  const wantedId = hovered && tooltipNeedsDetails(hovered) ? hovered.id : null;
  const detailsId = useDebounced(wantedId, 120, wantedId ?? '');
  const details = useQuery('getSession', detailsId ? { id: detailsId } : null);
  const android = details.data && details.data.id === wantedId ? details.data.android : undefined;
  const tooltip: TooltipContent | null = hover
    ? hover.session
      ? sessionTooltip(hover.session.s, hover.session.lane, props.timeMode, android)
      : hover.content
    : null;

  const onWheel = useEffectEvent((e: WheelEvent) => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    if (e.shiftKey) {
      const scroller = canvas.closest('.lanes-scroll');
      if (scroller) scroller.scrollTop += e.deltaY || e.deltaX;
      e.preventDefault();
      return;
    }
    e.preventDefault();
    const rect = canvas.getBoundingClientRect();
    props.onZoom(wheelZoomFactor(e.deltaY, e.deltaMode), pxToMs(e.clientX - rect.left, viewport));
  });

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const handler = (e: WheelEvent): void => onWheel(e);
    canvas.addEventListener('wheel', handler, { passive: false });
    return () => canvas.removeEventListener('wheel', handler);
  }, []);

  const local = (e: ReactPointerEvent<HTMLCanvasElement>): { x: number; y: number } => {
    const rect = e.currentTarget.getBoundingClientRect();
    return { x: e.clientX - rect.left, y: e.clientY - rect.top };
  };

  const onPointerDown = (e: ReactPointerEvent<HTMLCanvasElement>): void => {
    if (e.button !== 0) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    dragRef.current = {
      pointerId: e.pointerId,
      x: e.clientX,
      start: { fromMs: viewport.fromMs, toMs: viewport.toMs },
      moved: false,
    };
  };

  const onPointerMove = (e: ReactPointerEvent<HTMLCanvasElement>): void => {
    const drag = dragRef.current;
    if (drag && drag.pointerId === e.pointerId) {
      const dx = e.clientX - drag.x;
      if (drag.moved || Math.abs(dx) > 3) {
        drag.moved = true;
        setHover(null);
        props.onPan(drag.start, dx);
        return;
      }
    }
    const p = local(e);
    const hit = hitAt(p.x, p.y);
    const wrapper = e.currentTarget.closest('.timeline-body')?.getBoundingClientRect();
    if (!hit || !wrapper) {
      if (hover) setHover(null);
      return;
    }
    setHover({ ...hit, x: e.clientX - wrapper.left, y: e.clientY - wrapper.top });
  };

  const onPointerUp = (e: ReactPointerEvent<HTMLCanvasElement>): void => {
    const drag = dragRef.current;
    dragRef.current = null;
    if (e.currentTarget.hasPointerCapture(e.pointerId))
      e.currentTarget.releasePointerCapture(e.pointerId);
    if (!drag || drag.moved) return;
    const p = local(e);
    const hit = hitAt(p.x, p.y);
    if (!hit?.id) return;
    if (hit.kind === 'mark') openRecord(hit.id);
    else selectSession(hit.id);
  };

  return (
    <div className="timeline-body">
      <div
        className="lanes-scroll"
        ref={scrollRef}
        // Focusable so that the keyboard can scroll through many lanes (the rows hold no control);
        // a group, not a landmark, since Compare shows one per device.
        tabIndex={0}
        role="group"
        aria-label="Timeline lanes, one per app"
        onScroll={(e) => {
          setScrollTop(e.currentTarget.scrollTop);
          setHover(null);
        }}
      >
        <div className="lanes-inner" style={{ height: totalHeight }}>
          <div className="lane-labels">
            {layout.lanes.map((lane) => (
              <div
                key={lane.key}
                className="lane-label"
                data-testid="lane-label"
                data-lane={lane.key}
                style={{ height: LANE_HEIGHT }}
                title={`${lane.app}${lane.appName ? ` (${lane.appName})` : ''} · ${lane.deviceLabel}`}
              >
                <span className="lane-name">{laneLabel(lane, false)}</span>
                <span className="lane-meta">
                  {props.multiDevice ? (
                    <>
                      <span className="lane-device">
                        {lane.deviceLabel}
                        <PlatformBadge platform={props.platforms.get(lane.deviceId) ?? 'unknown'} />
                      </span>
                      {' · '}
                    </>
                  ) : null}
                  {lane.sessions === 0 && props.markCounts.has(lane.key)
                    ? plural(props.markCounts.get(lane.key) ?? 0, 'permission record')
                    : `${formatCount(lane.sessions)} · ${formatDuration(lane.totalMs)}`}
                </span>
              </div>
            ))}
          </div>
          <div className="lane-canvas-col">
            <canvas
              ref={canvasRef}
              className={hover?.id ? 'lanes-canvas lanes-canvas-hit' : 'lanes-canvas'}
              data-testid="timeline-canvas"
              style={{ width: viewport.width, height: canvasHeight }}
              role="img"
              aria-label="Access sessions and permission records per app over time. The List view and the Permissions tab hold the same data as tables."
              onPointerDown={onPointerDown}
              onPointerMove={onPointerMove}
              onPointerUp={onPointerUp}
              onPointerCancel={() => {
                dragRef.current = null;
              }}
              onPointerLeave={() => setHover(null)}
            />
          </div>
        </div>
      </div>
      {hover ? (
        <div
          className="tooltip"
          data-testid="timeline-tooltip"
          data-kind={hover.kind}
          data-id={hover.id ?? ''}
          style={{
            left: Math.min(hover.x + 14, Math.max(0, (scrollSize.width || 0) - 300)),
            top: hover.y + 14,
          }}
        >
          <div className="tooltip-title">{tooltip?.title}</div>
          {tooltip?.lines.map((line) => (
            <div key={line}>{line}</div>
          ))}
        </div>
      ) : null}
    </div>
  );
}
