import type { Category } from '../../../contract/categories';
import { parseDayWindow, type DayWindow, type Filter } from '../../../contract/filter';
import type { Finding } from '../../../contract/findings';
import { parseIsoWithOffset } from '../../../contract/time';

/** What "Show on timeline" needs of a finding (a finding, or a key finding). */
export interface FindingPlace {
  deviceId: number;
  app: string | null;
  category: Category | null;
  /** The hours the finding is about (a night rule's window), kept as the hours filter. */
  window: DayWindow | null;
  first: string | null;
  last: string | null;
}

/** Where the timeline opens for a finding: the filter narrowed to it, and the span to zoom to. */
export interface TimelineTarget {
  filter: Filter;
  view: { fromMs: number; toMs: number } | null;
}

const HOUR = 3_600_000;

/** A night finding's hours window from its details (`window: "22:00-06:00"`), else null. */
export function findingWindow(f: Finding): DayWindow | null {
  return f.rule === 'night-access' && typeof f.details.window === 'string'
    ? parseDayWindow(f.details.window)
    : null;
}

/** The place of a finding listed by `queryFindings`. */
export function placeOfFinding(f: Finding): FindingPlace {
  return {
    deviceId: f.deviceId,
    app: f.app,
    category: f.category,
    window: findingWindow(f),
    first: f.first,
    last: f.last,
  };
}

/**
 * The timeline for a finding: the filter narrowed to its device, app and category, its hours
 * window kept (else the filter's own hours, under which the finding was found), and the view
 * zoomed to its first and last evidence instants with a margin (a twentieth of the span, at least
 * an hour on each side). No view when the finding has no instants.
 */
export function timelineTarget(filter: Filter, p: FindingPlace): TimelineTarget {
  const next: Filter = {
    ...filter,
    devices: [p.deviceId],
    apps: p.app ? [p.app] : undefined,
    categories: p.category ? [p.category] : undefined,
  };
  const hours = p.window ?? filter.hours;
  if (hours) next.hours = hours;
  else delete next.hours;
  const a = p.first ? parseIsoWithOffset(p.first) : null;
  const b = p.last ? parseIsoWithOffset(p.last) : null;
  if (!a && !b) return { filter: next, view: null };
  const from = Math.min(a?.ms ?? b!.ms, b?.ms ?? a!.ms);
  const to = Math.max(a?.ms ?? b!.ms, b?.ms ?? a!.ms);
  const margin = Math.max(HOUR, (to - from) / 20);
  return { filter: next, view: { fromMs: from - margin, toMs: to + margin } };
}
