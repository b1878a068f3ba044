import type { TimelineLane, TimelineResult } from '../../../contract/api';
import type { Category } from '../../../contract/categories';
import { orderedCategories } from '../../shared/category-colors';

/** Vertical geometry of one lane: category tracks on top, the network strip below. */
export const LANE_HEIGHT = 34;
export const BAR_TOP = 5;
export const BAR_AREA = 20;
export const NET_TOP = 28;
export const NET_HEIGHT = 3;

export interface LaneLayout {
  lanes: TimelineLane[];
  indexByKey: Map<string, number>;
  /** The categories drawn in each lane, one track each, in canonical order. */
  tracks: Map<string, Category[]>;
  /** The lanes whose sessions and bins the answer holds (see `lanesLoaded`); null for all. */
  loaded: { offset: number; count: number } | null;
}

/** Lays out lanes in the order the query returned them, with one track per category present. */
export function buildLayout(
  result: Pick<TimelineResult, 'lanes' | 'sessions' | 'bins' | 'lanesLoaded'>,
): LaneLayout {
  const indexByKey = new Map<string, number>();
  result.lanes.forEach((lane, i) => indexByKey.set(lane.key, i));
  const present = new Map<string, Set<Category>>();
  const note = (lane: string, category: Category): void => {
    let set = present.get(lane);
    if (!set) {
      set = new Set();
      present.set(lane, set);
    }
    set.add(category);
  };
  for (const s of result.sessions) note(s.lane, s.category);
  const bins = result.bins;
  for (let i = 0; i < bins.count.length; i += 1)
    note(bins.lanes[bins.lane[i]!]!, bins.categories[bins.category[i]!]!);
  const tracks = new Map<string, Category[]>();
  for (const [lane, set] of present) tracks.set(lane, orderedCategories(set));
  return { lanes: result.lanes, indexByKey, tracks, loaded: result.lanesLoaded ?? null };
}

/**
 * Whether the lane at `index` has its sessions and bins in the answer: an answer for the lanes in
 * view leaves the others to be loaded, which says nothing of their activity.
 */
export function laneLoaded(layout: LaneLayout, index: number): boolean {
  const w = layout.loaded;
  return w === null || (index >= w.offset && index < w.offset + w.count);
}

/** Lanes above and below those in view that a window of lanes loads too, and the step it moves by. */
const LANE_MARGIN = 10;
const LANE_STEP = 10;

/**
 * The lanes to ask for when `count` lanes from `first` are in view: those with a margin on both
 * sides, moved in steps, so a short scroll stays within the lanes already loaded.
 */
export function laneWindow(first: number, count: number): { offset: number; limit: number } {
  const offset = Math.max(0, Math.floor(first / LANE_STEP) * LANE_STEP - LANE_MARGIN);
  const limit =
    Math.ceil((Math.max(1, count) + 2 * LANE_MARGIN + LANE_STEP) / LANE_STEP) * LANE_STEP;
  return { offset, limit };
}

/** Top and height of a category track inside a lane (relative to the lane's top). */
export function trackBox(trackIndex: number, trackCount: number): { y: number; h: number } {
  const n = Math.max(1, trackCount);
  const gap = n > 1 ? 1 : 0;
  const h = Math.max(2, (BAR_AREA - gap * (n - 1)) / n);
  return { y: BAR_TOP + trackIndex * (h + gap), h };
}

export type LanePart =
  | { kind: 'track'; laneIndex: number; category: Category }
  | { kind: 'network'; laneIndex: number }
  | { kind: 'none'; laneIndex: number };

/** What lies at a content y (lane area coordinates, scroll included). */
export function partAt(y: number, layout: LaneLayout): LanePart | null {
  if (y < 0) return null;
  const laneIndex = Math.floor(y / LANE_HEIGHT);
  const lane = layout.lanes[laneIndex];
  if (!lane) return null;
  const inner = y - laneIndex * LANE_HEIGHT;
  if (inner >= NET_TOP - 2 && inner <= NET_TOP + NET_HEIGHT + 2)
    return { kind: 'network', laneIndex };
  const tracks = layout.tracks.get(lane.key) ?? [];
  for (let i = 0; i < tracks.length; i += 1) {
    const box = trackBox(i, tracks.length);
    const category = tracks[i];
    // A pixel of slack above and below keeps thin tracks easy to hit.
    if (category && inner >= box.y - 1 && inner <= box.y + box.h + 1)
      return { kind: 'track', laneIndex, category };
  }
  return { kind: 'none', laneIndex };
}

/** The label of a lane: display name or identifier, plus the device when several are shown. */
export function laneLabel(lane: TimelineLane, multiDevice: boolean): string {
  const name = lane.appName && lane.appName.trim().length > 0 ? lane.appName : lane.app;
  return multiDevice ? `${name} · ${lane.deviceLabel}` : name;
}

/** True when lanes come from more than one device. */
export function hasSeveralDevices(lanes: readonly TimelineLane[]): boolean {
  const first = lanes[0]?.deviceId;
  return lanes.some((l) => l.deviceId !== first);
}

/** What a status line says of an answer for some lanes only: which are loaded, of how many. */
export function lanesLoadedText(result: Pick<TimelineResult, 'lanes' | 'lanesLoaded'>): string {
  const w = result.lanesLoaded;
  if (!w) return '';
  const last = Math.min(result.lanes.length, w.offset + w.count);
  return `lanes ${w.offset + 1}–${last} of ${result.lanes.length} loaded`;
}
