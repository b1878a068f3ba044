import type {
  NetworkSpan,
  PermissionItem,
  TimelineBin,
  TimelineLane,
  TimelineMark,
  TimelineSession,
} from '../../../contract/api';
import { categoryLabel } from '../../shared/category-colors';
import { formatCount, formatDuration, formatWhen, type TimeMode } from '../../shared/format';
import { statusLabel } from '../permissions/permission-status';
import { stateText } from './state-mark';

export interface TooltipContent {
  title: string;
  lines: string[];
}

/** Duration of a session when both ends are known. */
export function sessionDuration(s: Pick<TimelineSession, 'startMs' | 'endMs'>): number | null {
  return s.startMs !== null && s.endMs !== null ? s.endMs - s.startMs : null;
}

/** What the session's details add to its tooltip once read (Android sessions). */
export interface TooltipDetails {
  /** The state-flag Android printed, e.g. `bg-s`. */
  rawState: string | null;
  /** False when Android printed no duration: the access is drawn as an instant. */
  durationKnown: boolean;
}

/**
 * Tooltip text of a session bar. `details` come from the session's details once read: the
 * state-flag Android printed (`bg-s`) and whether it printed a duration. The app state line says
 * whether the state was reported or inferred.
 */
export function sessionTooltip(
  s: TimelineSession,
  lane: TimelineLane | undefined,
  mode: TimeMode,
  details?: TooltipDetails | null,
): TooltipContent {
  const name = lane ? (lane.appName ?? lane.app) : s.lane;
  const duration = s.open
    ? 'open session'
    : details && !details.durationKnown
      ? 'not printed by Android (shown as an instant)'
      : formatDuration(sessionDuration(s));
  const lines = [
    `${categoryLabel(s.category)}${lane?.appName ? ` · ${lane.app}` : ''}`,
    `Start: ${s.startMs === null ? 'unknown (no begin record)' : formatWhen(s.startMs, s.offsetMin, mode)}`,
    `End: ${s.endMs === null ? 'unknown (no end record)' : formatWhen(s.endMs, s.offsetMin, mode)}`,
    `Duration: ${duration}`,
  ];
  const state = stateText(s.state, s.stateSource, details?.rawState);
  if (state) lines.push(`App state: ${state}`);
  return { title: name, lines };
}

/**
 * True when a session's tooltip needs its details: a known app state (its printed flag) or a
 * zero-length access (whose duration Android may not have printed).
 */
export function tooltipNeedsDetails(
  s: Pick<TimelineSession, 'state' | 'startMs' | 'endMs'>,
): boolean {
  return s.state !== 'unknown' || (s.startMs !== null && s.startMs === s.endMs);
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

/** What the timeline knows of a mark's record beyond the mark itself (from the permissions query). */
export type MarkInfo = Pick<PermissionItem, 'label' | 'origin'>;

/** The most marks one tooltip lists; the rest are counted. */
export const MARK_TOOLTIP_MAX = 6;

/** Tooltip text of the permission mark, or cluster of marks, under the cursor. */
export function markTooltip(
  marks: readonly TimelineMark[],
  lane: TimelineLane | undefined,
  info: ReadonlyMap<string, MarkInfo>,
  mode: TimeMode,
): TooltipContent {
  const app = lane ? (lane.appName ?? lane.app) : (marks[0]?.lane ?? '');
  const service = (m: TimelineMark): string => info.get(m.id)?.label ?? categoryLabel(m.category);
  const when = (m: TimelineMark): string => formatWhen(m.atMs, m.offsetMin, mode);
  const first = marks[0];
  if (marks.length === 1 && first) {
    const located = info.get(first.id)?.origin === 'location-clients';
    return {
      title: `${app} · ${service(first)}`,
      lines: [
        `Permission: ${statusLabel(first.status)}`,
        `${located ? 'Location last used' : 'Last changed'}: ${when(first)}`,
        'Click for the record and its source.',
      ],
    };
  }
  const lines = marks
    .slice(0, MARK_TOOLTIP_MAX)
    .map((m) => `${service(m)}: ${statusLabel(m.status)} · ${when(m)}`);
  if (marks.length > MARK_TOOLTIP_MAX) lines.push(`… and ${marks.length - MARK_TOOLTIP_MAX} more`);
  lines.push('Zoom in to separate them; a click opens the first.');
  return { title: `${app} · ${formatCount(marks.length)} permission records`, lines };
}
