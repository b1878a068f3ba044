import {
  useEffect,
  useEffectEvent,
  useRef,
  useState,
  type PointerEvent as ReactPointerEvent,
} from 'react';
import type {
  NetworkSpan,
  TimelineLane,
  TimelineResult,
  TimelineSession,
} from '../../../contract/api';
import type { Platform } from '../../../contract/records';
import { useDebounced } from '../../app/use-debounced';
import { useElementSize } from '../../app/use-element-size';
import { useQuery } from '../../app/use-query';
import { formatCount, formatDuration, plural, type TimeMode } from '../../shared/format';
import { PlatformBadge } from '../devices/PlatformBadge';
import { drawLanes, makeDash, makeHatch, prepareCanvas, type BinIndex } from './draw';
import { hitBin, hitNetwork, hitSession, type SessionIndex } from './hit-test';
import { LANE_HEIGHT, laneLabel, partAt, type LaneLayout } from './lane-layout';
import { glyphAt, placeMarks, type MarkIndex } from './marks';
import {
  binTooltip,
  markTooltip,
  networkTooltip,
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
  selectedId: string | null;
  onSelect: (id: string) => void;
  /** A permission mark was clicked. */
  onSelectRecord: (id: string) => void;
  onPan: (start: TimeRange, deltaPx: number) => void;
  onZoom: (factor: number, anchorMs: number) => void;
}

type HitKind = 'session' | 'mark' | 'other';

const NO_DATA_TOOLTIP: TooltipContent = {
  title: 'No data',
  lines: [
    'Outside the imported sources: no App Privacy Report or Android capture of this device covers this day.',
    'Access here was not recorded, so this is not a quiet day.',
  ],
};

interface Hit {
  id: string | null;
  kind: HitKind;
  content: TooltipContent;
  /** The session under the pointer: its tooltip is built when shown, with the printed state. */
  session?: { s: TimelineSession; lane: TimelineLane };
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
  const { layout, viewport, selectedId } = props;
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

  const hitAt = (px: number, py: number): Hit | null => {
    const y = py + scrollTop;
    const part = partAt(y, layout);
    if (!part) return null;
    const lane: TimelineLane | undefined = layout.lanes[part.laneIndex];
    if (!lane) return null;
    // Marks are drawn over the bars, so they take the pointer first.
    const laneMarks = props.marks.get(lane.key);
    const glyph = laneMarks
      ? glyphAt(placeMarks(laneMarks, viewport), px, y - part.laneIndex * LANE_HEIGHT)
      : null;
    const first = glyph?.marks[0];
    if (glyph && first)
      return {
        id: first.id,
        kind: 'mark',
        content: markTooltip(glyph.marks, lane, props.markInfo, props.timeMode),
      };
    if (part.kind === 'none') return noDataHit(lane, px);
    if (part.kind === 'network') {
      const spans = hitNetwork(props.network.get(lane.key) ?? [], px, viewport);
      return spans.length > 0
        ? {
            id: null,
            kind: 'other',
            content: networkTooltip(spans, lane, props.offsetMin, props.timeMode),
          }
        : null;
    }
    if (props.result.mode === 'bins') {
      const binMs = props.result.binMs ?? 0;
      const bin = hitBin(props.bins.get(lane.key)?.get(part.category) ?? [], binMs, px, viewport);
      return bin
        ? {
            id: null,
            kind: 'other',
            content: binTooltip(bin, binMs, lane, props.offsetMin, props.timeMode),
          }
        : null;
    }
    const s = hitSession(props.sessions.get(lane.key)?.get(part.category) ?? [], px, viewport);
    return s
      ? {
          id: s.id,
          kind: 'session',
          content: sessionTooltip(s, lane, props.timeMode),
          session: { s, lane },
        }
      : noDataHit(lane, px);
  };

  // Over a hatched stretch with nothing drawn, the tooltip says why it is empty.
  const noDataHit = (lane: TimelineLane, px: number): Hit | null => {
    const ms = pxToMs(px, viewport);
    const gaps = [...(props.noDataByDevice?.get(lane.deviceId) ?? []), ...(props.noData ?? [])];
    return gaps.some((g) => ms >= g.fromMs && ms < g.toMs)
      ? { id: null, kind: 'other', content: NO_DATA_TOOLTIP }
      : null;
  };

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
    if (hit.kind === 'mark') props.onSelectRecord(hit.id);
    else props.onSelect(hit.id);
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
