import { toCategory } from '../../contract/categories';
import type { ImportWarning } from '../../contract/warnings';
import { parseV4Access } from '../importers/app-privacy-report/parse';
import type { AccessEdgeRecord } from '../importers/importer';
import type { Db } from '../db/open';
import { AppResolver } from '../db/queries/apps';
import { StoreWriter } from './import-run';
import { SessionWriter } from './pairing';

interface StoredEdge {
  id: number;
  interval_key: string;
  kind: number;
  app: string;
  category: string;
  raw_category: string;
  ts_ms: number;
  offset_min: number;
  raw_ts: string;
  line: number;
  raw_line: string;
  extra: string | null;
}

/** Rebuilds the record an edge was stored from (used to re-attach it to another device). */
function toRecord(e: StoredEdge, line: number, rawLine: string | null): AccessEdgeRecord | null {
  if (rawLine !== null && rawLine !== e.raw_line) {
    // A conflicting variant: only its raw line is stored, so read it again.
    let obj: unknown;
    try {
      obj = JSON.parse(rawLine);
    } catch {
      return null;
    }
    const parsed = parseV4Access(obj as Record<string, unknown>, { line, text: rawLine, bytesRead: 0, terminated: true });
    return 'type' in parsed ? parsed : null;
  }
  return {
    type: 'access-edge',
    line,
    rawLine: e.raw_line,
    app: e.app,
    rawCategory: e.raw_category,
    category: toCategory(e.category),
    intervalKey: e.interval_key,
    edge: e.kind === 0 ? 'begin' : 'end',
    tsMs: e.ts_ms,
    offsetMin: e.offset_min,
    rawTs: e.raw_ts,
    extra: e.extra ? (JSON.parse(e.extra) as Record<string, unknown>) : {},
  };
}

const EDGE_COLUMNS = `e.id, e.interval_key, e.kind, a.identifier AS app, e.category, e.raw_category, e.ts_ms,
  e.offset_min, e.raw_ts, e.line, e.raw_line, e.extra`;

/**
 * Takes one source's access edges out of its device: an edge also held by another export of the
 * device is kept and credited to that export; the others are deleted. Sessions of the affected
 * intervals are rebuilt. Returns the records removed, in line order, to re-attach elsewhere.
 */
export function detachSourceEdges(db: Db, sourceId: number, deviceId: number): AccessEdgeRecord[] {
  const records: AccessEdgeRecord[] = [];
  const keys = new Set<string>();
  const primary = db
    .prepare(`SELECT ${EDGE_COLUMNS} FROM access_edges e JOIN apps a ON a.id = e.app_id WHERE e.source_id = ?`)
    .all(sourceId) as StoredEdge[];
  const occurrences = db
    .prepare(
      `SELECT ${EDGE_COLUMNS}, o.line AS occ_line, o.raw_line AS occ_raw FROM edge_occurrences o
       JOIN access_edges e ON e.id = o.edge_id JOIN apps a ON a.id = e.app_id WHERE o.source_id = ?`,
    )
    .all(sourceId) as (StoredEdge & { occ_line: number; occ_raw: string | null })[];

  const nextOccurrence = db.prepare(
    `SELECT source_id, line, line_hash, raw_line, conflict FROM edge_occurrences
     WHERE edge_id = ? AND source_id <> ? ORDER BY conflict, source_id, line LIMIT 1`,
  );
  const promote = db.prepare(
    'UPDATE access_edges SET source_id = ?, line = ?, line_hash = ?, raw_line = COALESCE(?, raw_line) WHERE id = ?',
  );
  const promoteVariant = db.prepare(
    `UPDATE access_edges SET source_id = ?, line = ?, line_hash = ?, raw_line = ?, ts_ms = ?, offset_min = ?,
       raw_ts = ?, category = ?, raw_category = ?, extra = ? WHERE id = ?`,
  );
  const dropOccurrence = db.prepare('DELETE FROM edge_occurrences WHERE edge_id = ? AND source_id = ? AND line = ?');
  const clearSessionRefs = db.prepare(
    'UPDATE access_sessions SET begin_edge_id = NULL, end_edge_id = NULL WHERE device_id = ? AND interval_key = ?',
  );
  const dropEdge = db.prepare('DELETE FROM access_edges WHERE id = ?');

  for (const e of primary) {
    const rec = toRecord(e, e.line, null);
    if (rec) records.push(rec);
    keys.add(e.interval_key);
    const next = nextOccurrence.get(e.id, sourceId) as
      | { source_id: number; line: number; line_hash: string; raw_line: string | null; conflict: number }
      | undefined;
    if (next) {
      const variant = next.conflict === 1 && next.raw_line !== null ? toRecord(e, next.line, next.raw_line) : null;
      if (variant) {
        promoteVariant.run(
          next.source_id,
          next.line,
          next.line_hash,
          next.raw_line,
          variant.tsMs,
          variant.offsetMin,
          variant.rawTs,
          variant.category,
          variant.rawCategory,
          Object.keys(variant.extra).length > 0 ? JSON.stringify(variant.extra) : null,
          e.id,
        );
      } else {
        promote.run(next.source_id, next.line, next.line_hash, next.raw_line, e.id);
      }
      dropOccurrence.run(e.id, next.source_id, next.line);
    } else {
      clearSessionRefs.run(deviceId, e.interval_key);
      db.prepare('DELETE FROM edge_occurrences WHERE edge_id = ?').run(e.id);
      dropEdge.run(e.id);
    }
  }
  for (const o of occurrences) {
    const rec = toRecord(o, o.occ_line, o.occ_raw);
    if (rec) records.push(rec);
    keys.add(o.interval_key);
    dropOccurrence.run(o.id, sourceId, o.occ_line);
  }
  new SessionWriter(db).recompute(deviceId, keys);
  records.sort((a, b) => a.line - b.line);
  return records;
}

/** Deletes apps of a device that no stored row refers to any more. */
export function pruneApps(db: Db, deviceId: number): void {
  db.prepare(
    `DELETE FROM apps WHERE device_id = ? AND id NOT IN (SELECT app_id FROM access_edges WHERE device_id = ?)
       AND id NOT IN (SELECT app_id FROM network_observations WHERE device_id = ?)
       AND id NOT IN (SELECT app_id FROM access_sessions WHERE device_id = ?)`,
  ).run(deviceId, deviceId, deviceId, deviceId);
}

/** Moves a source and everything derived from it to another device (inside the caller's transaction). */
export function moveSourceRows(db: Db, sourceId: number, fromDevice: number, toDevice: number): { conflicts: ImportWarning[] } {
  const records = detachSourceEdges(db, sourceId, fromDevice);
  db.prepare('UPDATE sources SET device_id = ? WHERE id = ?').run(toDevice, sourceId);
  const apps = new AppResolver(db, toDevice);
  const netRows = db
    .prepare('SELECT n.id, a.identifier FROM network_observations n JOIN apps a ON a.id = n.app_id WHERE n.source_id = ?')
    .all(sourceId) as { id: number; identifier: string }[];
  const moveNet = db.prepare('UPDATE network_observations SET device_id = ?, app_id = ? WHERE id = ?');
  for (const r of netRows) moveNet.run(toDevice, apps.idFor(r.identifier), r.id);
  const writer = new StoreWriter(db, toDevice, sourceId);
  const conflicts: ImportWarning[] = [];
  for (const rec of records) writer.addEdge(rec, (w) => conflicts.push(w));
  writer.finishPairing();
  const counts = writer.countSessions();
  db.prepare(
    'UPDATE sources SET duplicate_lines = ?, already_stored = ?, sessions = ?, open_sessions = ? WHERE id = ?',
  ).run(writer.duplicateLines, writer.alreadyStored, counts.sessions, counts.open, sourceId);
  pruneApps(db, fromDevice);
  return { conflicts };
}

/** Removes a source and everything derived from it (inside the caller's transaction). */
export function removeSourceRows(db: Db, sourceId: number, deviceId: number): void {
  detachSourceEdges(db, sourceId, deviceId);
  db.prepare('DELETE FROM network_observations WHERE source_id = ?').run(sourceId);
  db.prepare('DELETE FROM source_warnings WHERE source_id = ?').run(sourceId);
  db.prepare('DELETE FROM sources WHERE id = ?').run(sourceId);
  pruneApps(db, deviceId);
}
