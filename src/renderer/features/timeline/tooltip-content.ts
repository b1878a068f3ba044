import type {
  NetworkSpan,
  TimelineBin,
  TimelineLane,
  TimelineSession,
} from '../../../contract/api';
import { categoryLabel } from '../../shared/category-colors';
import { formatCount, formatDuration, formatWhen, type TimeMode } from '../../shared/format';

export interface TooltipContent {
  title: string;
  lines: string[];
}

/** Duration of a session when both ends are known. */
export function sessionDuration(s: Pick<TimelineSession, 'startMs' | 'endMs'>): number | null {
  return s.startMs !== null && s.endMs !== null ? s.endMs - s.startMs : null;
}

/** Tooltip text of a session bar. */
export function sessionTooltip(
  s: TimelineSession,
  lane: TimelineLane | undefined,
  mode: TimeMode,
): TooltipContent {
  const name = lane ? (lane.appName ?? lane.app) : s.lane;
  const lines = [
    `${categoryLabel(s.category)}${lane?.appName ? ` · ${lane.app}` : ''}`,
    `Start: ${s.startMs === null ? 'unknown (no begin record)' : formatWhen(s.startMs, s.offsetMin, mode)}`,
    `End: ${s.endMs === null ? 'unknown (no end record)' : formatWhen(s.endMs, s.offsetMin, mode)}`,
    `Duration: ${s.open ? 'open session' : formatDuration(sessionDuration(s))}`,
  ];
  return { title: name, lines };
}

/** Tooltip text of an aggregated bin. */
export function binTooltip(
  b: TimelineBin,
  binMs: number,
  lane: TimelineLane | undefined,
  offsetMin: number,
  mode: TimeMode,
): TooltipContent {
  return {
    title: lane ? (lane.appName ?? lane.app) : b.lane,
    lines: [
      categoryLabel(b.category),
      `${formatWhen(b.startMs, offsetMin, mode)} + ${formatDuration(binMs)}`,
      `${formatCount(b.count)} session${b.count === 1 ? '' : 's'}, in use ${formatDuration(b.busyMs)}`,
      'Zoom in to see individual sessions.',
    ],
  };
}

/** Tooltip text of network activity under the cursor. */
export function networkTooltip(
  spans: readonly NetworkSpan[],
  lane: TimelineLane | undefined,
  offsetMin: number,
  mode: TimeMode,
): TooltipContent {
  const hits = spans.reduce((n, s) => n + s.hits, 0);
  const domains = spans.reduce((n, s) => n + s.domains, 0);
  const first = Math.min(...spans.map((s) => s.firstMs));
  const last = Math.max(...spans.map((s) => s.lastMs));
  return {
    title: `Network · ${lane ? (lane.appName ?? lane.app) : ''}`,
    lines: [
      `${formatCount(domains)} domain${domains === 1 ? '' : 's'}, ${formatCount(hits)} hits (per export snapshot)`,
      `${formatWhen(first, offsetMin, mode)} → ${formatWhen(last, offsetMin, mode)}`,
    ],
  };
}
