import type { Db } from '../../db/open';

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
  db.prepare(
    "UPDATE access_sessions SET inferred_state = NULL WHERE device_id = ? AND interval_key LIKE 'aop:%'",
  ).run(deviceId);
  if (rows.length === 0) return;
  // Each capture's usage events cover its own window: from its first event to its last.
  const windows = new Map<number, [number, number]>();
  for (const r of rows) {
    const w = windows.get(r.sourceId);
    if (!w) windows.set(r.sourceId, [r.timeMs, r.timeMs]);
    else w[1] = Math.max(w[1], r.timeMs);
  }
  const coverEnd = Math.max(...[...windows.values()].map((w) => w[1]));
  const fg = foregroundByApp(rows, coverEnd);
  const sessions = db
    .prepare(
      `SELECT id, app_id AS appId, anchor_ms AS startMs, anchor_ms + COALESCE(duration_ms, 0) AS endMs
       FROM access_sessions WHERE device_id = ? AND interval_key LIKE 'aop:%'`,
    )
    .all(deviceId) as { id: number; appId: number; startMs: number; endMs: number }[];
  const set = db.prepare('UPDATE access_sessions SET inferred_state = ? WHERE id = ?');
  const covered = (ms: number): boolean =>
    [...windows.values()].some(([a, b]) => ms >= a && ms <= b);
  for (const s of sessions) {
    if (!covered(s.startMs)) continue;
    const near = (fg.get(s.appId) ?? []).some(
      ([a, b]) => a - FOREGROUND_MARGIN_MS <= s.endMs && s.startMs <= b + FOREGROUND_MARGIN_MS,
    );
    set.run(near ? 'foreground' : 'background', s.id);
  }
}
