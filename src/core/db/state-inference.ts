import type { AccessEvent } from '../../contract/records';
import type { Db } from './open';
import { RollupDeltas } from './rollup';

/** Sessions read at a time. */
const PAGE = 5000;

/** How close (ms) foreground activity must be to an access to count as around it. */
export const FOREGROUND_MARGIN_MS = 60_000;

const START_TYPES = new Set(['ACTIVITY_RESUMED', 'MOVE_TO_FOREGROUND']);
const END_TYPES = new Set(['ACTIVITY_PAUSED', 'ACTIVITY_STOPPED', 'MOVE_TO_BACKGROUND']);

interface UsageRow {
  appId: number | null;
  type: string;
  className: string | null;
  instanceId: string | null;
  timeMs: number;
  sourceId: number;
}

/** Foreground intervals per app from usage events; an interval still open ends at `coverEnd`. */
export function foregroundByApp(
  rows: UsageRow[],
  coverEnd: number,
): Map<number, [number, number][]> {
  const open = new Map<string, number>();
  const out = new Map<number, [number, number][]>();
  const add = (app: number, a: number, b: number): void => {
    const list = out.get(app) ?? [];
    list.push([a, b]);
    out.set(app, list);
  };
  for (const r of rows) {
    if (r.appId === null) continue;
    const key = `${r.appId}\n${r.className ?? ''}\n${r.instanceId ?? ''}`;
    if (START_TYPES.has(r.type)) {
      if (!open.has(key)) open.set(key, r.timeMs);
    } else if (END_TYPES.has(r.type)) {
      const start = open.get(key);
      open.delete(key);
      // An end without a start inside the window: the app was in front from before the window.
      add(r.appId, start ?? Number.NEGATIVE_INFINITY, r.timeMs);
    }
  }
  for (const [key, start] of open) add(Number(key.split('\n')[0]), start, coverEnd);
  return out;
}

/** An app's foreground intervals sorted by start, with the latest end among each prefix. */
export interface ForegroundIndex {
  starts: Float64Array;
  maxEnds: Float64Array;
}

export function foregroundIndex(list: readonly [number, number][]): ForegroundIndex {
  const sorted = [...list].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const starts = new Float64Array(sorted.length);
  const maxEnds = new Float64Array(sorted.length);
  let max = Number.NEGATIVE_INFINITY;
  sorted.forEach(([a, b], i) => {
    starts[i] = a;
    max = Math.max(max, b);
    maxEnds[i] = max;
  });
  return { starts, maxEnds };
}

/**
 * Whether any foreground interval lies within the margin of [startMs, endMs]: among the intervals
 * starting by endMs + margin (a binary search), the latest end must reach startMs - margin.
 */
export function nearForeground(
  index: ForegroundIndex | undefined,
  startMs: number,
  endMs: number,
): boolean {
  if (!index || index.starts.length === 0) return false;
  let lo = 0;
  let hi = index.starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (index.starts[mid]! - FOREGROUND_MARGIN_MS <= endMs) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && index.maxEnds[lo - 1]! + FOREGROUND_MARGIN_MS >= startMs;
}

/**
 * Marks each Android access of a device that falls inside the time covered by usage records as
 * background when no foreground activity of its app lies within a minute of it, else foreground
 * (`inferred_state`, apart from the state Android reported). Accesses outside that coverage stay
 * without an inference. Recomputed for the whole device after every import.
 */
export function inferAndroidStates(db: Db, deviceId: number): void {
  const rows = db
    .prepare(
      `SELECT app_id AS appId, type, class_name AS className, instance_id AS instanceId, time_ms AS timeMs,
              source_id AS sourceId
       FROM usage_records WHERE device_id = ? ORDER BY time_ms, id`,
    )
    .all(deviceId) as UsageRow[];
  // Each capture's usage events cover its own window: from its first event to its last.
  const windows = new Map<number, [number, number]>();
  for (const r of rows) {
    const w = windows.get(r.sourceId);
    if (!w) windows.set(r.sourceId, [r.timeMs, r.timeMs]);
    else w[1] = Math.max(w[1], r.timeMs);
  }
  const spans = [...windows.values()];
  const coverEnd = Math.max(...spans.map((w) => w[1]));
  const fg =
    rows.length > 0 ? foregroundByApp(rows, coverEnd) : new Map<number, [number, number][]>();
  const index = new Map<number, ForegroundIndex>();
  for (const [app, list] of fg) index.set(app, foregroundIndex(list));
  // Only sessions that a usage window covers, or that carry an inference to clear, can change:
  // read in pages by id, so a device of millions of sessions is never held at once. Each page is
  // a range of row ids (NOT INDEXED: an index on the device would sort every row for each page).
  const lo = spans.length > 0 ? Math.min(...spans.map((w) => w[0])) : 1;
  const hi = spans.length > 0 ? coverEnd : 0;
  const page = db.prepare(
    `SELECT id, app_id AS appId, category, local_day AS localDay, anchor_ms AS startMs,
            anchor_ms + COALESCE(duration_ms, 0) AS endMs, duration_ms AS durationMs, state,
            state_source AS stateSource,
            inferred_state AS inferredState
     FROM access_sessions NOT INDEXED
     WHERE id > ? AND device_id = ? AND interval_key LIKE 'aop:%'
       AND (inferred_state IS NOT NULL OR anchor_ms BETWEEN ? AND ?)
     ORDER BY id LIMIT ${PAGE}`,
  );
  const set = db.prepare('UPDATE access_sessions SET inferred_state = ? WHERE id = ?');
  const covered = (ms: number): boolean => spans.some(([a, b]) => ms >= a && ms <= b);
  // Only rows whose inference changes are written, and the session stats follow their state.
  const changes = new RollupDeltas();
  for (let last = 0; ;) {
    const sessions = page.all(last, deviceId, lo, hi) as {
      id: number;
      appId: number;
      category: string;
      localDay: number;
      startMs: number;
      endMs: number;
      durationMs: number | null;
      state: AccessEvent['state'];
      stateSource: AccessEvent['stateSource'];
      inferredState: 'foreground' | 'background' | null;
    }[];
    if (sessions.length === 0) break;
    last = sessions[sessions.length - 1]!.id;
    for (const s of sessions) {
      let next: 'foreground' | 'background' | null = null;
      if (covered(s.startMs)) {
        const near = nearForeground(index.get(s.appId), s.startMs, s.endMs);
        next = near ? 'foreground' : 'background';
      }
      if (next === s.inferredState) continue;
      set.run(next, s.id);
      // The state as `eventState` gives it, before and after, without building its objects.
      const reported = s.stateSource === 'reported';
      changes.changeState(
        deviceId,
        s.appId,
        s.category,
        s.localDay,
        reported ? s.state : (s.inferredState ?? 'unknown'),
        reported ? s.state : (next ?? 'unknown'),
        s.durationMs,
      );
    }
    changes.flushIfLarge(db);
  }
  changes.flush(db);
}
