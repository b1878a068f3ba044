import type { ApiInput } from '../../contract/api';
import { FINDING_RULES, type Annotation } from '../../contract/findings';
import { appendAudit } from '../db/audit';
import type { Db } from '../db/open';
import { AppError } from '../model/errors';
import { writeTx } from './case-service';
import { storedStrings } from '../model/json';

export type AnnotationKind = Annotation['kind'];
export type AnnotateInput = ApiInput<'annotate'>;
export type ListAnnotationsInput = ApiInput<'listAnnotations'>;

/** The record tables by id prefix: `p:<rowid>` is a row of `permission_records`, and so on. */
const RECORD_PREFIXES = {
  p: { kind: 'permission', table: 'permission_records' },
  u: { kind: 'network-usage', table: 'network_usage_records' },
  m: { kind: 'profile', table: 'profile_records' },
  r: { kind: 'reject', table: 'reject_records' },
  e: { kind: 'usage', table: 'usage_records' },
  n: { kind: 'network', table: 'network_observations' },
} as const satisfies Record<string, { kind: AnnotationKind; table: string }>;

type RecordPrefix = keyof typeof RECORD_PREFIXES;

/** The id prefix of each record kind, for the filter clauses. */
export const RECORD_ID_PREFIX = {
  permission: 'p',
  'network-usage': 'u',
  profile: 'm',
  reject: 'r',
  usage: 'e',
  network: 'n',
} as const satisfies Record<Exclude<AnnotationKind, 'access' | 'finding'>, RecordPrefix>;

/** What an annotation target names, parsed from its id. */
export type AnnotationTarget =
  | { kind: 'access'; deviceId: number; intervalKey: string }
  | { kind: Exclude<AnnotationKind, 'access' | 'finding'>; table: string; rowId: number }
  | { kind: 'finding' };

/** Parses a record or finding id; a malformed id is NOT_FOUND, as no record can have it. */
export function parseTarget(target: string): AnnotationTarget {
  // As `parseSessionId`: the key is everything after the device's colon, line breaks included.
  const session = /^s:(\d+):(.+)$/s.exec(target);
  if (session) return { kind: 'access', deviceId: Number(session[1]), intervalKey: session[2]! };
  const record = /^([pumren]):(\d+)$/.exec(target);
  if (record) {
    const { kind, table } = RECORD_PREFIXES[record[1] as RecordPrefix];
    return { kind, table, rowId: Number(record[2]) };
  }
  // Findings are computed, never stored: the id is accepted when it has the finding shape.
  const finding = /^f:([a-z-]+):(\d+):(.*):([A-Za-z]*)$/.exec(target);
  if (finding && (FINDING_RULES as readonly string[]).includes(finding[1]!)) {
    return { kind: 'finding' };
  }
  throw new AppError('NOT_FOUND', `Not a record or finding id: ${target}`);
}

function targetExists(db: Db, t: AnnotationTarget): boolean {
  switch (t.kind) {
    case 'finding':
      return true;
    case 'access':
      return (
        db
          .prepare('SELECT 1 FROM access_sessions WHERE device_id = ? AND interval_key = ?')
          .get(t.deviceId, t.intervalKey) !== undefined
      );
    case 'permission':
    case 'network-usage':
    case 'profile':
    case 'reject':
    case 'usage':
    case 'network':
      return db.prepare(`SELECT 1 FROM ${t.table} WHERE id = ?`).get(t.rowId) !== undefined;
    default: {
      const never: never = t;
      throw new Error(`Unhandled target ${JSON.stringify(never)}`);
    }
  }
}

interface AnnotationRow {
  target: string;
  kind: AnnotationKind;
  star: number;
  tags: string;
  note: string | null;
  updated_at: number;
}

function fromRow(r: AnnotationRow): Annotation {
  return {
    target: r.target,
    kind: r.kind,
    star: r.star === 1,
    tags: storedStrings(r.tags, () => `The tags of the annotation on ${r.target}`),
    note: r.note,
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

const SELECT = 'SELECT target, kind, star, tags, note, updated_at FROM annotations';

function readAnnotation(db: Db, target: string): Annotation | null {
  const row = db.prepare(`${SELECT} WHERE target = ?`).get(target) as AnnotationRow | undefined;
  return row ? fromRow(row) : null;
}

/** Existing tags, plus the added ones, minus the removed ones; trimmed, unique, sorted. */
function mergeTags(current: string[], add: string[] = [], remove: string[] = []): string[] {
  const removed = new Set(remove.map((t) => t.trim()));
  const tags = new Set<string>();
  for (const t of [...current, ...add.map((x) => x.trim())]) {
    if (t !== '' && !removed.has(t)) tags.add(t);
  }
  return [...tags].sort((a, b) => a.localeCompare(b));
}

const sameTags = (a: string[], b: string[]): boolean =>
  a.length === b.length && a.every((t, i) => t === b[i]);

/**
 * Stars, tags or notes a record or a finding. Tags are merged (added, then removed); `star` and
 * `note` replace the stored values when given (`note: null` or blank clears it). An annotation
 * left with no star, tags or note is deleted. Every change is written with its audit entry
 * (before and after) in one transaction; a call that changes nothing writes nothing.
 */
export function annotate(db: Db, input: AnnotateInput): Annotation {
  const target = input.target.trim();
  const parsed = parseTarget(target);
  return writeTx(db, () => {
    if (!targetExists(db, parsed)) {
      throw new AppError('NOT_FOUND', `No record ${target} in this case.`);
    }
    const before = readAnnotation(db, target);
    const star = input.star ?? before?.star ?? false;
    const tags = mergeTags(before?.tags ?? [], input.addTags, input.removeTags);
    const noteInput = input.note === undefined ? (before?.note ?? null) : input.note;
    const note = noteInput !== null && noteInput.trim() !== '' ? noteInput : null;
    const unchanged =
      star === (before?.star ?? false) &&
      sameTags(tags, before?.tags ?? []) &&
      note === (before?.note ?? null);
    const now = Date.now();
    const empty: Annotation = {
      target,
      kind: parsed.kind,
      star: false,
      tags: [],
      note: null,
      updatedAt: new Date(now).toISOString(),
    };
    if (unchanged) return before ?? empty;

    let after: Annotation | null = null;
    if (!star && tags.length === 0 && note === null) {
      db.prepare('DELETE FROM annotation_tags WHERE target = ?').run(target);
      db.prepare('DELETE FROM annotations WHERE target = ?').run(target);
    } else {
      db.prepare(
        `INSERT INTO annotations (target, kind, star, tags, note, updated_at, device_id, interval_key, row_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (target) DO UPDATE SET
           star = excluded.star, tags = excluded.tags, note = excluded.note, updated_at = excluded.updated_at`,
      ).run(
        target,
        parsed.kind,
        star ? 1 : 0,
        JSON.stringify(tags),
        note,
        now,
        parsed.kind === 'access' ? parsed.deviceId : null,
        parsed.kind === 'access' ? parsed.intervalKey : null,
        'rowId' in parsed ? parsed.rowId : null,
      );
      db.prepare('DELETE FROM annotation_tags WHERE target = ?').run(target);
      const addTag = db.prepare('INSERT INTO annotation_tags (tag, target) VALUES (?, ?)');
      for (const tag of tags) addTag.run(tag, target);
      after = readAnnotation(db, target);
    }
    appendAudit(db, 'annotation', { target, kind: parsed.kind, before, after });
    return after ?? empty;
  });
}

/**
 * Lists annotations, most recently changed first: all of them, those carrying `tag`, or those
 * of the given `targets` (both conditions apply when both are given).
 */
export function listAnnotations(db: Db, input: ListAnnotationsInput = {}): Annotation[] {
  const clauses: string[] = [];
  const params: string[] = [];
  if (input.tag !== undefined) {
    clauses.push('target IN (SELECT target FROM annotation_tags WHERE tag = ?)');
    params.push(input.tag.trim());
  }
  if (input.targets !== undefined) {
    if (input.targets.length === 0) return [];
    clauses.push(`target IN (SELECT value FROM json_each(?))`);
    params.push(JSON.stringify(input.targets));
  }
  const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
  const rows = db
    .prepare(`${SELECT} ${where} ORDER BY updated_at DESC, target`)
    .all(...params) as AnnotationRow[];
  return rows.map(fromRow);
}

/** Every tag in use with the number of annotations carrying it, by name. */
export function listTags(db: Db): { tag: string; count: number }[] {
  return db
    .prepare('SELECT tag, COUNT(*) AS count FROM annotation_tags GROUP BY tag ORDER BY tag')
    .all() as { tag: string; count: number }[];
}
