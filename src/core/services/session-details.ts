import type { EdgeDetails, SessionDetails } from '../../contract/api';
import { toCategory, type Category } from '../../contract/categories';
import type { Db } from '../db/open';
import { LineReader } from '../db/line-store';
import { fromRow } from '../db/pairing';
import { eventState } from '../db/session-state';
import { AppError } from '../model/errors';
import { parseSessionId } from './session-ids';
import { proxyOf, storedJson } from '../model/json';

const READ_KEYS = new Set([
  'type',
  'accessor',
  'category',
  'identifier',
  'kind',
  'timeStamp',
  'timestamp',
]);

/** The fields of a stored raw line beyond those the session shows (outOfProcess, broadcaster, ...). */
function extraFields(rawLine: string): Record<string, unknown> {
  try {
    const obj = JSON.parse(rawLine) as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) if (!READ_KEYS.has(k)) out[k] = v;
    const acc = obj.accessor as Record<string, unknown> | undefined;
    if (acc && acc.identifierType !== undefined) out.identifierType = acc.identifierType;
    return out;
  } catch {
    return {};
  }
}

/** One session with both edges as read, the exports that also hold them and its Android details. */
export function sessionDetails(db: Db, id: string): SessionDetails {
  const { deviceId, intervalKey } = parseSessionId(id);
  const s = db
    .prepare(
      `SELECT s.*, d.label AS device, a.identifier AS app, a.display_name AS appName
       FROM access_sessions s JOIN devices d ON d.id = s.device_id JOIN apps a ON a.id = s.app_id
       WHERE s.device_id = ? AND s.interval_key = ?`,
    )
    .get(deviceId, intervalKey) as
    | (Parameters<typeof fromRow>[0] & {
        duration_ms: number | null;
        open: number;
        state: 'foreground' | 'background' | 'unknown';
        state_source: 'reported' | 'inferred' | null;
        inferred_state: 'foreground' | 'background' | null;
        raw_state: string | null;
        attribution_tag: string | null;
        proxy: string | null;
        duration_known: number;
        device: string;
        app: string;
        appName: string | null;
      })
    | undefined;
  if (!s) throw new AppError('NOT_FOUND', `No session ${id} in this case.`);
  const rec = fromRow(s, new LineReader(db).lookup());
  const source = db.prepare(
    'SELECT id, file_name AS fileName, sha256, original_path AS path FROM sources WHERE id = ?',
  );
  const occ = db.prepare(
    `SELECT o.source_id AS sourceId, src.file_name AS fileName, src.sha256, o.line, o.conflict, o.raw_line AS rawLine
     FROM edge_occurrences o JOIN sources src ON src.id = o.source_id
     WHERE o.session_id = ? AND o.kind = ? ORDER BY src.id, o.line`,
  );
  const extra: Record<string, unknown> = {};
  const edges: SessionDetails['edges'] = [];
  for (const [kind, e] of [
    [0, rec.begin],
    [1, rec.end],
  ] as const) {
    if (!e) continue;
    Object.assign(extra, extraFields(e.rawLine));
    const others = occ.all(s.id, kind) as {
      sourceId: number;
      fileName: string;
      sha256: string;
      line: number;
      conflict: number;
      rawLine: string | null;
    }[];
    edges.push({
      kind: kind === 0 ? 'begin' : 'end',
      timestamp: e.rawTs,
      line: e.line,
      rawLine: e.rawLine,
      source: source.get(e.sourceId) as EdgeDetails['source'],
      alsoIn: others.map((o) => ({
        sourceId: o.sourceId,
        fileName: o.fileName,
        sha256: o.sha256,
        line: o.line,
        differs: o.conflict === 1,
        rawLine: o.rawLine,
      })),
    });
  }
  return {
    id,
    deviceId,
    device: s.device,
    app: s.app,
    appName: s.appName,
    category: toCategory(s.category) as Category,
    raw: s.raw_category,
    startMs: s.start_ms,
    endMs: s.end_ms,
    startOffsetMin: s.start_offset,
    endOffsetMin: s.end_offset,
    durationMs: s.duration_ms,
    open: s.open === 1,
    openReason: s.open === 1 ? (s.start_ms === null ? 'missing-begin' : 'missing-end') : null,
    conflict: s.conflict === 1,
    ...eventState({
      state: s.state,
      stateSource: s.state_source,
      inferredState: s.inferred_state,
    }),
    intervalId: intervalKey,
    extra,
    edges,
    android: intervalKey.startsWith('aop:')
      ? {
          rawState: s.raw_state,
          attributionTag: s.attribution_tag,
          proxy:
            s.proxy === null
              ? null
              : storedJson<{
                  uid: number | null;
                  packageName: string | null;
                  attributionTag: string | null;
                }>(s.proxy, () => proxyOf(id)),
          durationKnown: s.duration_known === 1,
          inferredState: s.inferred_state,
          proxyLines: db
            .prepare(
              `SELECT p.app, p.source_id AS sourceId, src.file_name AS fileName, src.sha256, p.line, p.raw_line AS rawLine
               FROM proxy_lines p JOIN sources src ON src.id = p.source_id WHERE p.session_id = ? ORDER BY p.source_id, p.line`,
            )
            .all(s.id) as NonNullable<SessionDetails['android']>['proxyLines'],
        }
      : null,
  };
}
