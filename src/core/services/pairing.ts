import { localDayNumber, localMinuteOfDay } from '../../contract/time';
import type { Db } from '../db/open';

/** The stored fields of an edge that pairing needs. */
export interface EdgeForPairing {
  id: number;
  appId: number;
  category: string;
  rawCategory: string;
  tsMs: number;
  offsetMin: number;
}

export interface SessionRow {
  deviceId: number;
  intervalKey: string;
  appId: number;
  category: string;
  rawCategory: string;
  beginEdgeId: number | null;
  endEdgeId: number | null;
  startMs: number | null;
  startOffset: number | null;
  endMs: number | null;
  endOffset: number | null;
  anchorMs: number;
  anchorOffset: number;
  anchorMinute: number;
  localDay: number;
  durationMs: number | null;
  open: 0 | 1;
  conflict: 0 | 1;
}

/**
 * Pairs a begin and an end edge of one interval into a session. Either may be missing: the
 * session is then open, anchored at the edge it has (night and hour of day use that edge's
 * device-local time).
 */
export function buildSession(
  deviceId: number,
  intervalKey: string,
  begin: EdgeForPairing | null,
  end: EdgeForPairing | null,
  conflict: boolean,
): SessionRow | null {
  const anchor = begin ?? end;
  if (!anchor) return null;
  return {
    deviceId,
    intervalKey,
    appId: anchor.appId,
    category: anchor.category,
    rawCategory: anchor.rawCategory,
    beginEdgeId: begin?.id ?? null,
    endEdgeId: end?.id ?? null,
    startMs: begin?.tsMs ?? null,
    startOffset: begin?.offsetMin ?? null,
    endMs: end?.tsMs ?? null,
    endOffset: end?.offsetMin ?? null,
    anchorMs: anchor.tsMs,
    anchorOffset: anchor.offsetMin,
    anchorMinute: localMinuteOfDay(anchor.tsMs, anchor.offsetMin),
    localDay: localDayNumber(anchor.tsMs, anchor.offsetMin),
    durationMs: begin && end ? end.tsMs - begin.tsMs : null,
    open: begin && end ? 0 : 1,
    conflict: conflict ? 1 : 0,
  };
}

const UPSERT_SQL = `
INSERT INTO access_sessions (device_id, interval_key, app_id, category, raw_category, begin_edge_id,
  end_edge_id, start_ms, start_offset, end_ms, end_offset, anchor_ms, anchor_offset, anchor_minute,
  local_day, duration_ms, open, conflict)
VALUES (@deviceId, @intervalKey, @appId, @category, @rawCategory, @beginEdgeId, @endEdgeId, @startMs,
  @startOffset, @endMs, @endOffset, @anchorMs, @anchorOffset, @anchorMinute, @localDay, @durationMs,
  @open, @conflict)
ON CONFLICT (device_id, interval_key) DO UPDATE SET app_id = excluded.app_id,
  category = excluded.category, raw_category = excluded.raw_category,
  begin_edge_id = excluded.begin_edge_id, end_edge_id = excluded.end_edge_id,
  start_ms = excluded.start_ms, start_offset = excluded.start_offset, end_ms = excluded.end_ms,
  end_offset = excluded.end_offset, anchor_ms = excluded.anchor_ms,
  anchor_offset = excluded.anchor_offset, anchor_minute = excluded.anchor_minute,
  local_day = excluded.local_day, duration_ms = excluded.duration_ms, open = excluded.open,
  conflict = excluded.conflict`;

/** Prepared statements for writing sessions; create once per connection and reuse. */
export class SessionWriter {
  private readonly upsert;
  private readonly selectEdges;
  private readonly selectConflict;
  private readonly remove;

  constructor(private readonly db: Db) {
    this.upsert = db.prepare(UPSERT_SQL);
    this.selectEdges = db.prepare(
      `SELECT id, kind, app_id AS appId, category, raw_category AS rawCategory, ts_ms AS tsMs,
              offset_min AS offsetMin
       FROM access_edges WHERE device_id = ? AND interval_key = ?`,
    );
    this.selectConflict = db.prepare(
      'SELECT 1 FROM edge_occurrences WHERE edge_id IN (?, ?) AND conflict = 1 LIMIT 1',
    );
    this.remove = db.prepare('DELETE FROM access_sessions WHERE device_id = ? AND interval_key = ?');
  }

  /** Writes a session computed elsewhere. */
  write(row: SessionRow): void {
    this.upsert.run(row);
  }

  /** Rebuilds the sessions of the given intervals from the stored edges of the device. */
  recompute(deviceId: number, keys: Iterable<string>): void {
    for (const key of keys) {
      const edges = this.selectEdges.all(deviceId, key) as (EdgeForPairing & { kind: number })[];
      const begin = edges.find((e) => e.kind === 0) ?? null;
      const end = edges.find((e) => e.kind === 1) ?? null;
      if (!begin && !end) {
        this.remove.run(deviceId, key);
        continue;
      }
      const conflict = this.selectConflict.get(begin?.id ?? -1, end?.id ?? -1) !== undefined;
      const row = buildSession(deviceId, key, begin, end, conflict);
      if (row) this.upsert.run(row);
    }
  }
}
