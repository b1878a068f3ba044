import type { Db } from '../db/open';
import { parseSessionId } from '../services/query-service';

/** Tables of records with a source and a locator, by id prefix. */
const RECORD_TABLES: Record<string, { table: string; locator: string }> = {
  p: { table: 'permission_records', locator: 'r.locator' },
  u: { table: 'network_usage_records', locator: 'r.locator' },
  m: { table: 'profile_records', locator: 'r.locator' },
  r: { table: 'reject_records', locator: "'line ' || r.line" },
  e: { table: 'usage_records', locator: "'line ' || r.line" },
  n: { table: 'network_observations', locator: "'line ' || r.line" },
};

/**
 * A lookup of where record ids come from: `sha256:locator` of each record's source (a session
 * gives its begin and end lines), for the provenance columns of a bundle's CSVs. Unknown ids
 * give nothing. The statements are prepared once per lookup.
 */
export function evidenceSourceLookup(db: Db): (ids: readonly string[], limit?: number) => string[] {
  const session = db.prepare(
    `SELECT bs.sha256 AS bSha, s.b_line AS bLine, es.sha256 AS eSha, s.e_line AS eLine
     FROM access_sessions s LEFT JOIN sources bs ON bs.id = s.b_source_id
     LEFT JOIN sources es ON es.id = s.e_source_id WHERE s.device_id = ? AND s.interval_key = ?`,
  );
  const records = new Map(
    Object.entries(RECORD_TABLES).map(([prefix, t]) => [
      prefix,
      db.prepare(
        `SELECT src.sha256 AS sha, ${t.locator} AS locator FROM ${t.table} r JOIN sources src ON src.id = r.source_id WHERE r.id = ?`,
      ),
    ]),
  );
  return (ids, limit = 50) => {
    const out: string[] = [];
    const seen = new Set<string>();
    const add = (sha: string | null, locator: string | null): void => {
      if (!sha || !locator) return;
      const v = `${sha}:${locator}`;
      if (!seen.has(v)) {
        seen.add(v);
        out.push(v);
      }
    };
    for (const id of ids) {
      if (out.length >= limit) break;
      if (id.startsWith('s:')) {
        let key: { deviceId: number; intervalKey: string };
        try {
          key = parseSessionId(id);
        } catch {
          continue;
        }
        const r = session.get(key.deviceId, key.intervalKey) as
          | { bSha: string | null; bLine: number | null; eSha: string | null; eLine: number | null }
          | undefined;
        if (!r) continue;
        add(r.bSha, r.bLine === null ? null : `line ${r.bLine}`);
        add(r.eSha, r.eLine === null ? null : `line ${r.eLine}`);
        continue;
      }
      const m = /^([pumren]):(\d+)$/.exec(id);
      const stmt = m ? records.get(m[1]!) : undefined;
      if (!m || !stmt) continue;
      const r = stmt.get(Number(m[2])) as { sha: string; locator: string } | undefined;
      if (r) add(r.sha, r.locator);
    }
    return out;
  };
}
