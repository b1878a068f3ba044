// The stored access sessions as read for their records: the row's columns and its SQL, the small
// tables of names a record refers to, and the exports and lines a session was read from.
import type { AccessEvent } from '../../contract/records';
import type { CaseSession } from './case-service';

/** One stored session as read for its record: a row of values, in this order. */
export type AccessRow = [
  deviceId: number,
  intervalKey: string,
  appId: number,
  category: string,
  raw: string,
  startMs: number | null,
  startOffset: number | null,
  endMs: number | null,
  endOffset: number | null,
  durationMs: number | null,
  state: AccessEvent['state'],
  stateSource: AccessEvent['stateSource'],
  inferredState: 'foreground' | 'background' | null,
  proxy: string | null,
  attributionTag: string | null,
  durationKnown: number,
  beginSource: number | null,
  beginLine: number | null,
  endSource: number | null,
  endLine: number | null,
  /** Further exports holding either edge: `source line` pairs, space-separated; null when none. */
  more: string | null,
];

// Labels, names and sources' sha256 come from small maps read once; a session's further exports
// (edge occurrences) are looked up through their key, and are usually none: a lookup of the key
// alone says so before their list is sorted. The sessions come from the index of migration 0018,
// which holds every column read here in this order.
export const ACCESS_SQL = (where: string, occurrences = true): string => `
SELECT s.device_id, s.interval_key, s.app_id, s.category, s.raw_category, s.start_ms, s.start_offset,
       s.end_ms, s.end_offset, s.duration_ms, s.state, s.state_source, s.inferred_state, s.proxy,
       s.attribution_tag, s.duration_known, s.b_source_id, s.b_line, s.e_source_id, s.e_line,
       ${
         occurrences
           ? `CASE WHEN EXISTS (SELECT 1 FROM edge_occurrences WHERE session_id = s.id)
       THEN (SELECT group_concat(o.source_id || ' ' || o.line, ' ')
             FROM (SELECT source_id, line FROM edge_occurrences WHERE session_id = s.id
                   ORDER BY source_id, kind, line) o) END`
           : 'NULL'
       } AS more
FROM access_sessions s
${where}
ORDER BY s.anchor_ms, s.device_id, s.interval_key`;

/** The small tables an access record names: device labels, app names, sources' sha256. */
export interface AccessNames {
  device: Map<number, string>;
  app: Map<number, { identifier: string; name: string | null }>;
  sha256: Map<number, string>;
}

export function accessNames(session: CaseSession): AccessNames {
  const db = session.db;
  return {
    device: new Map(
      (db.prepare('SELECT id, label FROM devices').raw().all() as [number, string][]).map(
        ([id, label]) => [id, label],
      ),
    ),
    app: new Map(
      (
        db.prepare('SELECT id, identifier, display_name FROM apps').raw().all() as [
          number,
          string,
          string | null,
        ][]
      ).map(([id, identifier, name]) => [id, { identifier, name }]),
    ),
    sha256: new Map(
      (db.prepare('SELECT id, sha256 FROM sources').raw().all() as [number, string][]).map(
        ([id, sha]) => [id, sha],
      ),
    ),
  };
}

/** Provenance of a session: each (export, line) once, begin edge first, then end edge, then further exports. */
export function provenance(r: AccessRow, names: AccessNames): AccessEvent['sources'] {
  const out: AccessEvent['sources'] = [];
  const add = (source: number | null, line: number | null): void => {
    if (source === null || line === null) return;
    const sha256 = names.sha256.get(source);
    // A source that is no longer in the case names nothing (as a join would drop it).
    if (sha256 === undefined) return;
    const locator = `line ${line}`;
    // A handful of places at most: a linear check is cheaper than a set.
    for (const o of out) if (o.sha256 === sha256 && o.locator === locator) return;
    out.push({ sha256, locator });
  };
  add(r[16], r[17]);
  add(r[18], r[19]);
  const more = r[20];
  if (more !== null) {
    const parts = more.split(' ');
    for (let i = 0; i + 1 < parts.length; i += 2) add(Number(parts[i]), Number(parts[i + 1]));
  }
  return out;
}

/** Whether any session has further exports holding its edges (none: no session is looked up). */
export function anyOccurrences(session: CaseSession): boolean {
  return session.db.prepare('SELECT 1 FROM edge_occurrences LIMIT 1').get() !== undefined;
}

/** The sources of a row as `provenance` lists them, when the row names only its two edges. */
export function edgeSources(
  r: AccessRow,
  names: AccessNames,
): { sha256: string; line: number }[] | null {
  if (r[20] !== null) return null;
  const out: { sha256: string; line: number }[] = [];
  const b = r[16] === null || r[17] === null ? undefined : names.sha256.get(r[16]);
  if (b !== undefined) out.push({ sha256: b, line: r[17]! });
  const e = r[18] === null || r[19] === null ? undefined : names.sha256.get(r[18]);
  if (e !== undefined && !(b === e && r[17] === r[19])) out.push({ sha256: e, line: r[19]! });
  return out;
}
