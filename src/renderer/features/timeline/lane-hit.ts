import type {
  NetworkSpan,
  TimelineLane,
  TimelineResult,
  TimelineSession,
} from '../../../contract/api';
import type { TimeMode } from '../../shared/format';
import type { BinIndex } from './draw';
import { hitBin, hitNetwork, hitSession, type SessionIndex } from './hit-test';
import { LANE_HEIGHT, laneLoaded, partAt, type LaneLayout } from './lane-layout';
import { glyphAt, placeMarks, type MarkIndex } from './marks';
import {
  binTooltip,
  markTooltip,
  networkTooltip,
  sessionTooltip,
  type MarkInfo,
  type TooltipContent,
} from './tooltip-content';
import { pxToMs, type TimeRange, type Viewport } from './time-window';

export type HitKind = 'session' | 'mark' | 'other';

/** Something under the pointer, with its tooltip. */
export interface Hit {
  id: string | null;
  kind: HitKind;
  content: TooltipContent;
  /** The session under the pointer: its tooltip is built when shown, with the printed state. */
  session?: { s: TimelineSession; lane: TimelineLane };
}

/** What the lanes draw, as far as finding what lies under the pointer needs it. */
export interface LaneHitInput {
  layout: LaneLayout;
  result: Pick<TimelineResult, 'mode' | 'binMs'>;
  sessions: SessionIndex;
  bins: BinIndex;
  network: Map<string, NetworkSpan[]>;
  marks: MarkIndex;
  markInfo: ReadonlyMap<string, MarkInfo>;
  noData?: readonly TimeRange[];
  noDataByDevice?: ReadonlyMap<number, readonly TimeRange[]>;
  offsetMin: number;
  timeMode: TimeMode;
}

const NO_DATA_TOOLTIP: TooltipContent = {
  title: 'No data',
  lines: [
    'Outside the imported sources: no App Privacy Report or Android capture of this device covers this day.',
    'Access here was not recorded, so this is not a quiet day.',
  ],
};

const NOT_LOADED_TOOLTIP: TooltipContent = {
  title: 'Loading',
  lines: [
    'This lane’s sessions are read when it is scrolled into view.',
    'Until they arrive, the lane shows nothing of its activity.',
  ],
};

/**
 * What lies under the pointer at `px` across the plot and `y` down the lanes (scrolling
 * included): a permission mark first (marks are drawn over the bars), then a network span, a bin
 * or a session, else a stretch without data.
 */
export function laneHitAt(
  input: LaneHitInput,
  viewport: Viewport,
  px: number,
  y: number,
): Hit | null {
  const { layout, timeMode, offsetMin } = input;
  const part = partAt(y, layout);
  if (!part) return null;
  const lane: TimelineLane | undefined = layout.lanes[part.laneIndex];
  if (!lane) return null;
  if (!laneLoaded(layout, part.laneIndex))
    return { id: null, kind: 'other', content: NOT_LOADED_TOOLTIP };
  const laneMarks = input.marks.get(lane.key);
  const glyph = laneMarks
    ? glyphAt(placeMarks(laneMarks, viewport), px, y - part.laneIndex * LANE_HEIGHT)
    : null;
  const first = glyph?.marks[0];
  if (glyph && first)
    return {
      id: first.id,
      kind: 'mark',
      content: markTooltip(glyph.marks, lane, input.markInfo, timeMode),
    };
  if (part.kind === 'none') return noDataHit(input, viewport, lane, px);
  if (part.kind === 'network') {
    const spans = hitNetwork(input.network.get(lane.key) ?? [], px, viewport);
    return spans.length > 0
      ? { id: null, kind: 'other', content: networkTooltip(spans, lane, offsetMin, timeMode) }
      : null;
  }
  if (input.result.mode === 'bins') {
    const binMs = input.result.binMs ?? 0;
    const bin = hitBin(input.bins.get(lane.key)?.get(part.category) ?? [], binMs, px, viewport);
    return bin
      ? { id: null, kind: 'other', content: binTooltip(bin, binMs, lane, offsetMin, timeMode) }
      : null;
  }
  const s = hitSession(input.sessions.get(lane.key)?.get(part.category) ?? [], px, viewport);
  return s
    ? {
        id: s.id,
        kind: 'session',
        content: sessionTooltip(s, lane, timeMode),
        session: { s, lane },
      }
    : noDataHit(input, viewport, lane, px);
}

// Over a hatched stretch with nothing drawn, the tooltip says why it is empty.
function noDataHit(
  input: LaneHitInput,
  viewport: Viewport,
  lane: TimelineLane,
  px: number,
): Hit | null {
  const ms = pxToMs(px, viewport);
  const gaps = [...(input.noDataByDevice?.get(lane.deviceId) ?? []), ...(input.noData ?? [])];
  return gaps.some((g) => ms >= g.fromMs && ms < g.toMs)
    ? { id: null, kind: 'other', content: NO_DATA_TOOLTIP }
    : null;
}
