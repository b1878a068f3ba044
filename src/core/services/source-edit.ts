import { toCategory } from '../../contract/categories';
import type { ImportWarning } from '../../contract/warnings';
import { parseV4Access } from '../importers/app-privacy-report/parse';
import { jsonObject } from '../model/json';
import type { AccessEdgeRecord } from '../importers/importer';
import type { Db } from '../db/open';
import { AppResolver } from '../db/queries/apps';
import { StoreWriter } from '../db/edge-writer';
import { LineReader } from '../db/line-store';
import {
  cloneRecord,
  fromRow,
  SessionStore,
  type SessionRecord,
  type StoredEdge,
} from '../db/pairing';

/** Rebuilds the record an edge was read as, to attach it to another device. */
function edgeRecord(key: string, kind: 0 | 1, e: StoredEdge, app: string): AccessEdgeRecord {
  const reread = reparse(e.rawLine, e.line);
  return {
    type: 'access-edge',
    line: e.line,
    rawLine: e.rawLine,
    app,
    rawCategory: e.rawCategory,
    category: toCategory(e.category),
    intervalKey: key,
    edge: kind === 0 ? 'begin' : 'end',
    tsMs: e.tsMs,
    offsetMin: e.offsetMin,
    rawTs: e.rawTs,
    extra: reread?.extra ?? {},
  };
}

/** Reads a stored conflicting variant again (only its raw line is kept). */
function reparse(rawLine: string, line: number): AccessEdgeRecord | null {
  const obj = jsonObject(rawLine);
  if (!obj) return null;
  const r = parseV4Access(obj, {
    line,
    text: rawLine,
    bytesRead: 0,
    terminated: true,
  });
  return 'type' in r ? r : null;
}

interface Occurrence {
  session_id: number;
  kind: 0 | 1;
  source_id: number;
  line: number;
  raw_line: string | null;
  conflict: number;
}

/**
 * Takes one source's access edges out of its device: an edge another export of the device also
 * holds is kept and credited to that export; the others are removed, and an interval left with no
 * edge is deleted. Returns the records taken out, in line order, to re-attach elsewhere.
 */
export function detachSourceEdges(db: Db, sourceId: number): AccessEdgeRecord[] {
  const lines = new LineReader(db).lookup();
  const store = new SessionStore(db, lines);
  const records: AccessEdgeRecord[] = [];
  const appName = db.prepare('SELECT identifier FROM apps WHERE id = ?');
  const app = (id: number): string => (appName.get(id) as { identifier: string }).identifier;
  const rows = (
    db
      .prepare('SELECT * FROM access_sessions WHERE b_source_id = ? OR e_source_id = ?')
      .all(sourceId, sourceId) as Parameters<typeof fromRow>[0][]
  ).map((r) => fromRow(r, lines));
  const occurrencesOf = db.prepare(
    'SELECT * FROM edge_occurrences WHERE session_id = ? ORDER BY kind, conflict, source_id, line',
  );
  const dropOccurrence = db.prepare(
    'DELETE FROM edge_occurrences WHERE session_id = ? AND kind = ? AND source_id = ? AND line = ?',
  );
  const dropProxies = db.prepare('DELETE FROM proxy_lines WHERE session_id = ?');
  const mine = db
    .prepare('SELECT * FROM edge_occurrences WHERE source_id = ?')
    .all(sourceId) as Occurrence[];

  const settle = (before: SessionRecord, s: SessionRecord): void => {
    const rest = occurrencesOf.all(s.id) as Occurrence[];
    if (!s.begin && !s.end) {
      for (const o of rest) dropOccurrence.run(o.session_id, o.kind, o.source_id, o.line);
      // Proxy lines point at the session: they go first, whichever capture printed them.
      dropProxies.run(s.id);
      store.delete(before);
      return;
    }
    s.conflict = rest.some((o) => o.conflict === 1);
    store.update(before, s);
  };

  for (const s of rows) {
    const before = cloneRecord(s);
    for (const kind of [0, 1] as const) {
      const edge = kind === 0 ? s.begin : s.end;
      if (!edge || edge.sourceId !== sourceId) continue;
      records.push(edgeRecord(s.intervalKey, kind, edge, app(edge.appId)));
      const next = (occurrencesOf.all(s.id) as Occurrence[]).find(
        (o) => o.kind === kind && o.source_id !== sourceId,
      );
      let replacement: StoredEdge | null = null;
      if (next) {
        dropOccurrence.run(next.session_id, next.kind, next.source_id, next.line);
        if (next.raw_line === null || next.conflict === 0) {
          // The same edge (a capture may print it with other bytes, e.g. a relative time). Its
          // line is written into the row: the source being taken out takes its blocks along.
          replacement = {
            ...edge,
            sourceId: next.source_id,
            line: next.line,
            rawLine: next.raw_line ?? edge.rawLine,
            rawHeld: false,
          };
        } else {
          const v = reparse(next.raw_line, next.line);
          if (v) {
            replacement = {
              ...edge,
              tsMs: v.tsMs,
              offsetMin: v.offsetMin,
              rawTs: v.rawTs,
              sourceId: next.source_id,
              line: next.line,
              rawLine: next.raw_line,
              rawHeld: false,
              category: v.category,
              rawCategory: v.rawCategory,
            };
          }
        }
      }
      if (kind === 0) s.begin = replacement;
      else s.end = replacement;
    }
    settle(before, s);
  }
  for (const o of mine) {
    dropOccurrence.run(o.session_id, o.kind, o.source_id, o.line);
    const s = store.findById(o.session_id);
    if (!s) continue;
    const stored = o.kind === 0 ? s.begin : s.end;
    if (stored) {
      const rec =
        o.raw_line === null || o.conflict === 0
          ? edgeRecord(
              s.intervalKey,
              o.kind,
              { ...stored, line: o.line, rawLine: o.raw_line ?? stored.rawLine },
              app(stored.appId),
            )
          : reparse(o.raw_line, o.line);
      if (rec) records.push(rec);
    }
    settle(cloneRecord(s), s);
  }
  store.flush();
  records.sort((a, b) => a.line - b.line);
  return records;
}

/** Deletes apps of a device that no stored row refers to any more. */
export function pruneApps(db: Db, deviceId: number): void {
  db.prepare(
    `DELETE FROM apps WHERE device_id = ? AND inventory = 0
       AND id NOT IN (SELECT app_id FROM network_observations WHERE device_id = ?)
       AND id NOT IN (SELECT app_id FROM access_sessions WHERE device_id = ?)
       AND id NOT IN (SELECT app_id FROM permission_records WHERE device_id = ?)
       AND id NOT IN (SELECT app_id FROM network_usage_records WHERE device_id = ? AND app_id IS NOT NULL)
       AND id NOT IN (SELECT app_id FROM reject_records WHERE device_id = ?)
       AND id NOT IN (SELECT app_id FROM usage_records WHERE device_id = ? AND app_id IS NOT NULL)
       AND id NOT IN (SELECT app_id FROM op_history_records WHERE device_id = ? AND app_id IS NOT NULL)`,
  ).run(deviceId, deviceId, deviceId, deviceId, deviceId, deviceId, deviceId, deviceId);
}

/** Tables of records read from backup artifacts; each row belongs to one source. */
const BACKUP_RECORD_TABLES = [
  'permission_records',
  'network_usage_records',
  'profile_records',
  'reject_records',
  'usage_records',
  'op_history_records',
];

/** Re-homes a source's backup and Android records (and their apps) on another device. */
function moveBackupRecords(db: Db, sourceId: number, toDevice: number, apps: AppResolver): void {
  for (const table of [
    'permission_records',
    'network_usage_records',
    'reject_records',
    'usage_records',
    'op_history_records',
  ]) {
    const rows = db
      .prepare(
        `SELECT r.id, a.identifier FROM ${table} r LEFT JOIN apps a ON a.id = r.app_id WHERE r.source_id = ?`,
      )
      .all(sourceId) as { id: number; identifier: string | null }[];
    // A record the target device already holds from another source stays there once.
    const move = db.prepare(`UPDATE OR IGNORE ${table} SET device_id = ?, app_id = ? WHERE id = ?`);
    for (const r of rows)
      move.run(toDevice, r.identifier === null ? null : apps.idFor(r.identifier), r.id);
    db.prepare(`DELETE FROM ${table} WHERE source_id = ? AND device_id != ?`).run(
      sourceId,
      toDevice,
    );
  }
  for (const table of ['profile_records', 'device_states', 'device_state_coverage'])
    db.prepare(`UPDATE ${table} SET device_id = ? WHERE source_id = ?`).run(toDevice, sourceId);
}

/** Moves a source and everything derived from it to another device (inside the caller's transaction). */
export function moveSourceRows(
  db: Db,
  sourceId: number,
  fromDevice: number,
  toDevice: number,
): { conflicts: ImportWarning[] } {
  const records = detachSourceEdges(db, sourceId);
  db.prepare('UPDATE sources SET device_id = ? WHERE id = ?').run(toDevice, sourceId);
  const apps = new AppResolver(db, toDevice);
  const netRows = db
    .prepare(
      'SELECT n.id, a.identifier FROM network_observations n JOIN apps a ON a.id = n.app_id WHERE n.source_id = ?',
    )
    .all(sourceId) as { id: number; identifier: string }[];
  const moveNet = db.prepare(
    'UPDATE network_observations SET device_id = ?, app_id = ? WHERE id = ?',
  );
  for (const r of netRows) moveNet.run(toDevice, apps.idFor(r.identifier), r.id);
  moveBackupRecords(db, sourceId, toDevice, apps);
  const conflicts: ImportWarning[] = [];
  const writer = new StoreWriter(db, toDevice, sourceId, (w) => conflicts.push(w));
  for (const rec of records) writer.addEdge(rec);
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
  detachSourceEdges(db, sourceId);
  db.prepare('DELETE FROM network_observations WHERE source_id = ?').run(sourceId);
  for (const table of BACKUP_RECORD_TABLES)
    db.prepare(`DELETE FROM ${table} WHERE source_id = ?`).run(sourceId);
  db.prepare('DELETE FROM proxy_lines WHERE source_id = ?').run(sourceId);
  db.prepare('DELETE FROM device_states WHERE source_id = ?').run(sourceId);
  db.prepare('DELETE FROM device_state_coverage WHERE source_id = ?').run(sourceId);
  // Proxy lines of other captures whose session no longer exists.
  db.prepare(
    'DELETE FROM proxy_lines WHERE session_id NOT IN (SELECT id FROM access_sessions)',
  ).run();
  db.prepare('DELETE FROM source_warnings WHERE source_id = ?').run(sourceId);
  db.prepare('DELETE FROM source_line_blocks WHERE source_id = ?').run(sourceId);
  db.prepare('DELETE FROM sources WHERE id = ?').run(sourceId);
  pruneApps(db, deviceId);
}
