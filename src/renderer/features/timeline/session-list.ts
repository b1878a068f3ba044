import type { TimelineSession } from '../../../contract/api';
import type { TimeRange } from './time-window';

/** Sessions that overlap a window, ordered by their known start (or end). */
export function visibleSessions(
  sessions: readonly TimelineSession[],
  range: TimeRange,
): TimelineSession[] {
  const startOf = (s: TimelineSession): number => s.startMs ?? s.endMs ?? s.anchorMs;
  const endOf = (s: TimelineSession): number => s.endMs ?? s.startMs ?? s.anchorMs;
  return sessions
    .filter((s) => endOf(s) >= range.fromMs && startOf(s) <= range.toMs)
    .sort((a, b) => startOf(a) - startOf(b) || a.id.localeCompare(b.id));
}
