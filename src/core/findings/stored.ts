import type { Statement } from 'better-sqlite3';
import { endianness } from 'node:os';
import { createHash } from 'node:crypto';
import type { Filter } from '../../contract/filter';
import { CATEGORIES } from '../../contract/categories';
import {
  FINDING_RULES,
  severitySchema,
  type Finding,
  type FindingParams,
  type FindingRule,
} from '../../contract/findings';
import { describeSqliteError, type Db } from '../db/open';
import { deviceSourcesList } from '../db/sources-stamp';
import { AppError } from '../model/errors';
import { jsonObject, parsedJson } from '../model/json';
import { writeTx } from '../services/case-service';
import { appIdsSql } from '../services/filter-sql';
import { sessionId } from '../services/session-ids';
import { EVIDENCE_CAP, evidenceRef, type EvidenceRef } from './common';
import { eachFinding, resolveParams } from './engine';
import { isSessionRule } from './session-rules';
import { KeptSessions } from './session-pass';
import { expectationsStamp } from './expectation';
import { storedFindingParams } from './stored-params';

/**
 * The version of the rules' logic and of what a stored finding keeps (4: where each evidence
 * session was read). Raising it makes every stored finding stale, so a change to a rule reaches
 * cases computed by an earlier version.
 */
export const FINDINGS_RULES_VERSION = 4;

/** The evidence ids kept apart at the head of each stored list, read without the rest. */
const HEAD = 100;

/** The stamp of the parameters, the rules' version and the catalog's expectations. */
function paramsStamp(values: ReadonlyMap<string, number | string>): string {
  return JSON.stringify([
    FINDINGS_RULES_VERSION,
    expectationsStamp(),
    [...values].sort(([a], [b]) => a.localeCompare(b)),
  ]);
}

/**
 * The stamp of a device's data: its sources (by id and file hash: a removed source's id can come
 * back for another file) and its apps' names. Every import adds a source and every removal or move
 * takes one away, so a device whose list is unchanged still has the records its findings came from.
 */
function sourcesStamp(db: Db, deviceId: number): string {
  const names = db
    .prepare(
      `SELECT COALESCE(group_concat(length(n) || ':' || n, ','), '')
       FROM (SELECT COALESCE(display_name, '') AS n FROM apps WHERE device_id = ? ORDER BY id)`,
    )
    .pluck()
    .get(deviceId) as string;
  // App names are in the findings' titles; an examiner can rename an app without an import.
  return createHash('sha256')
    .update(deviceSourcesList(db, deviceId))
    .update('|')
    .update(names)
    .digest('hex');
}

const stampOf = (params: string, db: Db, deviceId: number): string =>
  `${params}|${sourcesStamp(db, deviceId)}`;

/** The case's parameters, resolved, and their stamp. */
function caseParams(db: Db): { values: Map<string, number | string>; stamp: string } {
  let values: Map<string, number | string>;
  try {
    values = resolveParams(storedFindingParams(db));
  } catch {
    // Parameters stored by another version that this one refuses: the defaults apply.
    values = resolveParams({});
  }
  return { values, stamp: paramsStamp(values) };
}

/**
 * The stamp a device's stored findings carry when they are up to date: the case's parameters and
 * the device's sources and app names. What is derived from them (key findings) keeps it too.
 */
export function findingsStamp(db: Db, deviceId: number): string {
  return stampOf(caseParams(db).stamp, db, deviceId);
}

/** The devices whose stored findings are missing or were computed from other data or parameters. */
export function staleFindingDevices(db: Db, deviceIds?: readonly number[]): number[] {
  const { stamp } = caseParams(db);
  const ids =
    deviceIds ?? (db.prepare('SELECT id FROM devices ORDER BY id').pluck().all() as number[]);
  const stored = db.prepare('SELECT stamp FROM stored_findings_state WHERE device_id = ?').pluck();
  return ids.filter((d) => stored.get(d) !== stampOf(stamp, db, d));
}

/**
 * Marks a device's stored findings as damaged: a stored finding or evidence list of it does not
 * read as the store writes it (the case file was changed outside Snoopscope). They are derived
 * from the records, so they are made stale (the device's stamp is dropped) to be computed again,
 * when this connection can write. Returns whether it could.
 */
export function markFindingsDamaged(db: Db, deviceId: number): boolean {
  return dropDerived(db, 'stored_findings_state', deviceId);
}

/**
 * Drops a device's row of a table derived from the records (which makes it stale), when this
 * connection can write outside a transaction; returns whether it did. Another program holding
 * the case for writing leaves it in place.
 */
export function dropDerived(
  db: Db,
  table: 'stored_findings_state' | 'stored_key_findings',
  deviceId: number,
): boolean {
  if (db.readonly || db.inTransaction) return false;
  try {
    db.prepare(`DELETE FROM ${table} WHERE device_id = ?`).run(deviceId);
  } catch (e) {
    if (describeSqliteError(e)) return false;
    throw e;
  }
  droppedHooks.get(db)?.();
  return true;
}

const droppedHooks = new WeakMap<Db, () => void>();

/**
 * Calls `then` whenever this connection drops derived rows it found damaged (see `dropDerived`):
 * the app's connection, which leaves the stored findings to a worker, has them computed again.
 */
export function whenDerivedDropped(db: Db, then: () => void): void {
  droppedHooks.set(db, then);
}

/**
 * Computes and stores the findings of the devices named (every device when none are), with the
 * case's parameters: the incremental step to run after an import into those devices, a source
 * removal or move, or a change of the parameters. Each device is computed in a read snapshot and
 * written in a short transaction of its own, kept only when its sources did not change meanwhile.
 * Stored findings of devices that no longer exist are dropped. Returns the devices refreshed.
 */
export function refreshFindings(
  db: Db,
  deviceIds?: readonly number[],
  chunkGroups = FINDINGS_CHUNK_GROUPS,
  control: RefreshControl = {},
): number[] {
  const existing = new Set(db.prepare('SELECT id FROM devices').pluck().all() as number[]);
  const targets = [...new Set(deviceIds ?? existing)]
    .filter((d) => existing.has(d))
    .sort((a, b) => a - b);
  const { values, stamp } = caseParams(db);
  const done: number[] = [];
  // A device's findings are gathered in a temporary table while they are computed (a read
  // transaction can write it), then copied in one short write: neither the findings nor the
  // pass over the sessions have to be held at once.
  // A device's findings are gathered in a temporary table while they are computed (a read
  // transaction can write it), a few at a time as they are made, then copied in one short write:
  // neither the findings nor the pass over the sessions have to be held at once. They arrive a
  // group of apps at a time and are copied in the order the rules list them: by call (the record
  // rules, then each range of apps), rule and sequence.
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS findings_pending_v2 (
    call INTEGER NOT NULL, rule_index INTEGER NOT NULL, rule TEXT NOT NULL, seq INTEGER NOT NULL,
    app_id INTEGER, category TEXT, finding TEXT NOT NULL, evidence_total INTEGER NOT NULL,
    evidence_head TEXT NOT NULL, evidence TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS temp.findings_pending_v2_order ON findings_pending_v2 (call, rule_index, seq)`);
  const pending = db.prepare(
    `INSERT INTO temp.findings_pending_v2 (call, rule_index, rule, seq, app_id, category, finding, evidence_total, evidence_head, evidence)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const appOf = db.prepare('SELECT id FROM apps WHERE device_id = ? AND identifier = ?').pluck();
  const sessionRules = FINDING_RULES.filter(isSessionRule);
  const recordRules = FINDING_RULES.filter((r) => !isSessionRule(r));
  const ruleIndex = new Map<string, number>(FINDING_RULES.map((r, i) => [r, i]));
  // One store for every device's pass: its memory is the largest device's, not asked for again.
  const kept = new KeptSessions();
  const stop = (): void => {
    if (control.isCancelled?.())
      throw new AppError('CANCELLED', 'The computation of the findings was cancelled.');
  };
  try {
    for (const [index, deviceId] of targets.entries()) {
      stop();
      control.onDevice?.(index, targets.length);
      let computedFrom = '';
      db.exec('DELETE FROM temp.findings_pending_v2');
      db.transaction(() => {
        computedFrom = stampOf(stamp, db, deviceId);
        const seq = new Map<string, number>();
        let call = 0;
        const keep = (findings: Finding[]): void => {
          for (const f of findings) {
            const n = seq.get(f.rule) ?? 0;
            seq.set(f.rule, n + 1);
            const { evidence, ...rest } = f;
            const truncated = Number(f.details.evidenceTruncated ?? 0);
            const ref = evidenceRef(f);
            pending.run(
              call,
              ruleIndex.get(f.rule)!,
              f.rule,
              n,
              f.app === null ? null : ((appOf.get(deviceId, f.app) as number | undefined) ?? null),
              f.category,
              JSON.stringify(rest),
              evidence.length + truncated,
              JSON.stringify(ref ? leanIds(ref, HEAD) : evidence.slice(0, HEAD)),
              // Lean evidence is kept as its keys: [device id, interval keys, other ids], then
              // where each key's session was read when known: four 32-bit numbers per key, as
              // the base64 text of their little-endian bytes.
              JSON.stringify(
                ref
                  ? [
                      ref.deviceId,
                      ref.keys,
                      ref.extra,
                      ...(ref.places ? [littleEndian(ref.places).toString('base64')] : []),
                    ]
                  : evidence,
              ),
            );
          }
        };
        const options = {
          path: 'auto' as const,
          evidenceLimit: EVIDENCE_CAP,
          leanEvidence: true,
          kept,
        };
        const filter = { devices: [deviceId] };
        eachFinding(db, filter, values, recordRules, options, keep);
        const ranges = appRanges(db, deviceId, chunkGroups);
        // One range reads the device's sessions as a whole (in time order through the time
        // index); several read each range's apps through the app index.
        for (const appRange of ranges) {
          // Between ranges of apps; a device read as a whole stops only before it begins.
          if (ranges.length > 1) stop();
          call += 1;
          eachFinding(
            db,
            filter,
            values,
            sessionRules,
            ranges.length === 1 ? options : { ...options, appRange },
            keep,
          );
        }
      })();
      writeTx(db, () => {
        // The device's sources changed while it was computed: leave it stale for the next call.
        if (stampOf(stamp, db, deviceId) !== computedFrom) return;
        db.prepare('DELETE FROM stored_findings WHERE device_id = ?').run(deviceId);
        db.prepare(
          `INSERT INTO stored_findings (device_id, rule, seq, app_id, category, finding, evidence_total, evidence_head, evidence)
           SELECT ?, rule, seq, app_id, category, finding, evidence_total, evidence_head, evidence
           FROM temp.findings_pending_v2 ORDER BY call, rule_index, seq`,
        ).run(deviceId);
        db.prepare(
          'INSERT INTO stored_findings_state (device_id, stamp) VALUES (?, ?) ON CONFLICT (device_id) DO UPDATE SET stamp = excluded.stamp',
        ).run(deviceId, computedFrom);
        done.push(deviceId);
      });
    }
  } finally {
    db.exec('DELETE FROM temp.findings_pending_v2');
  }
  if (deviceIds === undefined)
    writeTx(db, () => {
      db.exec(
        'DELETE FROM stored_findings WHERE device_id NOT IN (SELECT id FROM devices); DELETE FROM stored_findings_state WHERE device_id NOT IN (SELECT id FROM devices)',
      );
    });
  return done;
}

/** How a refresh is followed and stopped (between devices, and between ranges of apps). */
export interface RefreshControl {
  /** Asked before each device and each range of apps; true stops the refresh with CANCELLED. */
  isCancelled?: () => boolean;
  /** Called before each device is computed, with its index among the devices to compute. */
  onDevice?: (index: number, count: number) => void;
}

/**
 * Groups (app and category) one pass of a device's session rules holds at most; one app's are
 * never split. A pass holds each group's tallies and evidence, so a phone with tens of thousands
 * of apps is passed over a range of apps at a time.
 */
export const FINDINGS_CHUNK_GROUPS = 2_000;

/**
 * Ranges of app ids that together cover every app, each holding about `chunk` of the device's
 * groups (counted from the rollup's coarsest level); one range when the device has fewer.
 */
export function appRanges(
  db: Db,
  deviceId: number,
  chunk = FINDINGS_CHUNK_GROUPS,
): { from: number; to: number }[] {
  const rows = db
    .prepare(
      `SELECT app_id AS id, COUNT(DISTINCT category) AS n FROM session_rollup
       WHERE level = 28 AND device_id = ? GROUP BY app_id ORDER BY app_id`,
    )
    .all(deviceId) as { id: number; n: number }[];
  const ranges: { from: number; to: number }[] = [];
  let from = Number.MIN_SAFE_INTEGER;
  let held = 0;
  for (const r of rows) {
    held += r.n;
    if (held >= chunk) {
      ranges.push({ from, to: r.id });
      from = r.id + 1;
      held = 0;
    }
  }
  ranges.push({ from, to: Number.MAX_SAFE_INTEGER });
  return ranges;
}

/** The first `limit` ids of lean evidence. */
function leanIds(ref: EvidenceRef, limit: number): string[] {
  const ids: string[] = [];
  for (const k of ref.keys) {
    if (ids.length >= limit) return ids;
    ids.push(sessionId(ref.deviceId, k));
  }
  for (const x of ref.extra) {
    if (ids.length >= limit) return ids;
    ids.push(x);
  }
  return ids;
}

/** Whether the stored findings can answer a filter: one of devices, apps and categories only. */
function servable(filter: Filter): boolean {
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    if (key === 'devices' || key === 'apps' || key === 'categories') continue;
    if (Array.isArray(value) && value.length === 0) continue;
    if (key === 'starred' && value === false) continue;
    if (key === 'minSeconds' && value === 0) continue;
    return false;
  }
  return true;
}

/** Connections that read stored findings but never compute them (the app's main thread). */
const servingOnly = new WeakSet<Db>();

/**
 * Makes a connection read the stored findings without ever computing them: a request they would
 * answer once brought up to date, while some of them are stale, fails with the error of
 * {@link FindingsPendingError} instead, and the caller has them computed elsewhere (the import
 * worker). Requests the stored findings cannot answer (other parameters, a filter on time) are
 * still computed from the records by the caller.
 */
export function serveStoredFindingsOnly(db: Db): void {
  servingOnly.add(db);
}

/** Whether this connection leaves stale stored findings (and what derives from them) to a worker. */
export function servesStoredFindingsOnly(db: Db): boolean {
  return servingOnly.has(db);
}

/** The stored findings a request needs are stale, and this connection does not compute them. */
export class FindingsPendingError extends AppError {
  constructor() {
    super(
      'CASE_BUSY',
      'The findings are being computed for the latest data and parameters; this view is updated when they are ready.',
    );
  }
}

/**
 * Whether the stored findings answer a request (once brought up to date): a filter of devices,
 * apps and categories only, with the case's parameters. Parameters that do not read count as
 * answered, so the engine says what is wrong with them.
 */
export function servedByStoredFindings(db: Db, filter: Filter, params: FindingParams): boolean {
  if (!servable(filter)) return false;
  let values: Map<string, number | string>;
  try {
    values = resolveParams(params);
  } catch {
    return true;
  }
  return paramsStamp(values) === caseParams(db).stamp;
}

/**
 * Whether the stored findings would answer this request once brought up to date, and some of
 * them are not: the caller may open the case for writing so they are computed and kept.
 */
export function findingsNeedRefresh(db: Db, filter: Filter, params: FindingParams): boolean {
  if (!servable(filter)) return false;
  let values: Map<string, number | string>;
  try {
    values = resolveParams(params);
  } catch {
    return false;
  }
  if (paramsStamp(values) !== caseParams(db).stamp) return false;
  const wanted = filter.devices && filter.devices.length > 0 ? new Set(filter.devices) : null;
  const devices = (
    db.prepare('SELECT id FROM devices ORDER BY id').pluck().all() as number[]
  ).filter((d) => wanted === null || wanted.has(d));
  return staleFindingDevices(db, devices).length > 0;
}

/**
 * The stored findings answering a request, in rule order and, within a rule, in the order they
 * were computed (as a `list`: without caveats and details); null when they cannot: other parameters than the case's, a filter on more than
 * devices, apps and categories, or stale findings on a case this connection cannot bring up to
 * date (read-only, or busy with another writer).
 */
export function readStoredFindings(
  db: Db,
  filter: Filter,
  values: ReadonlyMap<string, number | string>,
  rules: readonly FindingRule[],
  evidenceLimit: number,
  list = false,
  retried = false,
): Finding[] | null {
  if (!servable(filter)) return null;
  if (paramsStamp(values) !== caseParams(db).stamp) return null;
  const all = db.prepare('SELECT id FROM devices ORDER BY id').pluck().all() as number[];
  const wanted = filter.devices && filter.devices.length > 0 ? new Set(filter.devices) : null;
  const devices = wanted ? all.filter((d) => wanted.has(d)) : all;
  if (devices.length === 0) return [];
  if (staleFindingDevices(db, devices).length > 0) {
    if (servingOnly.has(db)) throw new FindingsPendingError();
    if (db.readonly || db.inTransaction) return null;
    try {
      refreshFindings(db, devices);
    } catch (e) {
      // Another process is writing (an import): answer from the records instead.
      if (describeSqliteError(e) || (e instanceof AppError && e.code === 'CASE_BUSY')) return null;
      throw e;
    }
    if (staleFindingDevices(db, devices).length > 0) return null;
  }
  const clauses = [
    `f.device_id IN (${devices.map(() => '?').join(', ')})`,
    `f.rule IN (${rules.map(() => '?').join(', ')})`,
  ];
  const params: (string | number)[] = [...devices, ...rules];
  if (filter.apps && filter.apps.length > 0) {
    const apps = appIdsSql(filter.apps);
    clauses.push(`f.app_id IN (${apps.sql})`);
    for (const p of apps.params) params.push(p as string | number);
  }
  if (filter.categories && filter.categories.length > 0) {
    // Network findings have no category; the categories do not narrow them (nor their records).
    // Every importer stores a session's and a permission's category as one of the known names
    // (the name as read is kept apart), so the category shown is the one the records hold.
    clauses.push(
      `(f.category IS NULL OR f.category IN (${filter.categories.map(() => '?').join(', ')}))`,
    );
    for (const c of filter.categories) params.push(c);
  }
  const evidenceColumn =
    evidenceLimit === 0 ? "'[]'" : evidenceLimit <= HEAD ? 'f.evidence_head' : 'f.evidence';
  // A list without evidence ids is read from the index that holds each finding without its caveat
  // and details: the row holds the evidence too, and reading the finding there walks its overflow
  // pages. The expression is the index's own, word for word, or SQLite computes it from the row.
  const fromIndex = list && evidenceLimit === 0 && hasListIndex(db);
  const rows = db
    .prepare(
      `SELECT f.id, f.rule, f.device_id AS deviceId, f.seq, d.label,
              ${list ? LIST_EXPRESSION : 'f.finding'} AS finding,
              f.evidence_total AS total, ${evidenceColumn} AS evidence
       FROM stored_findings f ${fromIndex ? 'INDEXED BY stored_findings_list' : ''}
       JOIN devices d ON d.id = f.device_id
       WHERE ${clauses.join(' AND ')}`,
    )
    .all(...params) as {
    id: number;
    rule: FindingRule;
    deviceId: number;
    seq: number;
    label: string;
    finding: string;
    total: number;
    evidence: string;
  }[];
  const order = new Map<string, number>(FINDING_RULES.map((r, i) => [r, i]));
  rows.sort(
    (a, b) => order.get(a.rule)! - order.get(b.rule)! || a.deviceId - b.deviceId || a.seq - b.seq,
  );
  const out: Finding[] = [];
  for (const r of rows) {
    // A stored finding that is not JSON is `{}` in the list's index.
    const f = storedFinding(r.finding, r.rule, r.deviceId, list);
    const evidence = f && storedIds(r.evidence, evidenceLimit, r.deviceId);
    if (!f || !evidence) {
      // Damaged: computed again, here when this connection can, by the worker when it serves
      // only stored findings, or from the records for this answer.
      const forgotten = markFindingsDamaged(db, r.deviceId);
      if (servingOnly.has(db) && forgotten) throw new FindingsPendingError();
      if (!forgotten || retried) return null;
      return readStoredFindings(db, filter, values, rules, evidenceLimit, list, true);
    }
    if (list) {
      const item: Finding = { ...f, device: r.label, caveat: '', details: {}, evidence };
      storedRows.set(item, r.id);
      out.push(item);
      continue;
    }
    const details = { ...f.details };
    delete details.evidenceTruncated;
    if (r.total > evidence.length) details.evidenceTruncated = r.total - evidence.length;
    const item = { ...f, device: r.label, evidence, details };
    storedRows.set(item, r.id);
    out.push(item);
  }
  return out;
}

/** The expression of the index `stored_findings_list` (migration 0026), as it is written there. */
export const LIST_EXPRESSION =
  "json_remove(iif(json_valid(finding), finding, '{}'), '$.caveat', '$.details')";

const listIndexes = new WeakMap<Db, boolean>();

/** Whether the case has the index of findings as a list shows them (a case not yet upgraded may not). */
function hasListIndex(db: Db): boolean {
  let has = listIndexes.get(db);
  if (has === undefined) {
    has =
      db
        .prepare(
          "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'stored_findings_list'",
        )
        .get() !== undefined;
    listIndexes.set(db, has);
  }
  return has;
}

/**
 * A lean evidence column (`[device, keys, extra, places]`) without its places, which only a read
 * of where each session was read needs: they are base64 text as long as the keys themselves, and
 * parsing them into a string only to drop it costs as much again. Base64 holds no quote or comma,
 * so the places begin after the last `,"` of a column that ends in a string; a column of full ids
 * (`["s:…", …]`, which begins with a quote) or without places is returned as it is.
 */
export function withoutPlaces(json: string): string {
  const first = json.charCodeAt(1);
  if (json.charCodeAt(0) !== 0x5b || first < 0x30 || first > 0x39 || !json.endsWith('"]'))
    return json;
  const at = json.lastIndexOf(',"');
  return at < 0 ? json : `${json.slice(0, at)}]`;
}

/** A stored evidence column as read: full ids, or lean keys (see `refreshFindings`). */
type EvidenceColumn =
  | { lean: false; ids: string[] }
  | { lean: true; deviceId: number; keys: string[]; extra: string[]; packed: unknown };

const allStrings = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string');

/**
 * A stored evidence column, or null when it is not one as the store writes it: not JSON, not a
 * list of strings nor `[device id, keys, other ids, places?]`, or lean keys of another device than
 * `deviceId` (when given) names.
 */
function evidenceColumn(json: string, deviceId?: number): EvidenceColumn | null {
  const v = parsedJson(json);
  if (!Array.isArray(v)) return null;
  if (typeof v[0] !== 'number') return allStrings(v) ? { lean: false, ids: v } : null;
  const [device, keys, extra, places] = v as unknown[];
  if (v.length > 4 || !allStrings(keys) || !allStrings(extra)) return null;
  if (!Number.isSafeInteger(device) || (deviceId !== undefined && device !== deviceId)) return null;
  return { lean: true, deviceId: device as number, keys, extra, packed: places };
}

/**
 * The first `limit` ids of a stored evidence column (full ids, or lean keys): the reference that
 * `storedEvidenceItems` writes as bytes without a string per id. Null when the column does not
 * read (see `evidenceColumn`).
 */
export function storedIds(json: string, limit: number, deviceId?: number): string[] | null {
  const c = evidenceColumn(withoutPlaces(json), deviceId);
  if (!c) return null;
  return c.lean ? leanIds(c, limit) : c.ids.slice(0, limit);
}

const SEVERITIES: ReadonlySet<unknown> = new Set(severitySchema.options);
const CATEGORY_NAMES: ReadonlySet<unknown> = new Set(CATEGORIES);
const textOrNull = (v: unknown): boolean => v === null || typeof v === 'string';

/**
 * A stored finding (all of it but its evidence and device name) as its row holds it, or null
 * when it is not one the store writes for that rule and device: every field the views and files
 * read has its type (a `list` reads the finding without its caveat and details).
 */
function storedFinding(
  json: string,
  rule: FindingRule,
  deviceId: number,
  list: boolean,
): Omit<Finding, 'evidence' | 'device'> | null {
  const f = jsonObject(json);
  if (!f) return null;
  const fits =
    typeof f.id === 'string' &&
    f.rule === rule &&
    f.deviceId === deviceId &&
    SEVERITIES.has(f.severity) &&
    textOrNull(f.app) &&
    textOrNull(f.appName) &&
    (f.category === null || CATEGORY_NAMES.has(f.category)) &&
    Number.isSafeInteger(f.count) &&
    textOrNull(f.first) &&
    textOrNull(f.last) &&
    typeof f.title === 'string' &&
    (list || (typeof f.caveat === 'string' && plainDetails(f.details)));
  return fits ? (f as Omit<Finding, 'evidence' | 'device'>) : null;
}

/** Whether a finding's details are a plain object of numbers, strings, booleans and nulls. */
function plainDetails(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  for (const x of Object.values(v))
    if (x !== null && typeof x !== 'number' && typeof x !== 'string' && typeof x !== 'boolean')
      return false;
  return true;
}

/**
 * A finding's whole evidence read from the stored findings with where each id's session was read
 * (`edges`: four values per id, begin source id and line, end source id and line, NaN where there
 * is none or the id is no session), or null for a finding computed afresh; `edges` is null when
 * the stored evidence does not hold them.
 */
export function storedEvidenceWithEdges(
  db: Db,
  f: Finding,
): { ids: string[]; edges: Float64Array | null } | null {
  const json = storedEvidenceText(db, f);
  if (json === null) return null;
  const c = evidenceColumn(json, f.deviceId);
  if (!c) throw new StoredEvidenceDamagedError(db, f);
  if (!c.lean) return { ids: c.ids.slice(0, EVIDENCE_CAP), edges: null };
  const ids = leanIds(c, EVIDENCE_CAP);
  const places = typeof c.packed === 'string' ? Buffer.from(c.packed, 'base64') : null;
  if (!places || places.length !== c.keys.length * 16) return { ids, edges: null };
  return { ids, edges: placesEdges(places, ids.length, c.keys.length) };
}

/**
 * A stored finding's whole evidence does not read (see `evidenceColumn`), although the finding
 * did: its device's stored findings are marked damaged, and the caller reads the evidence from
 * the records instead (see `findingsWithEvidence`).
 */
export class StoredEvidenceDamagedError extends AppError {
  constructor(db: Db, f: Finding) {
    markFindingsDamaged(db, f.deviceId);
    super(
      'CASE_INVALID',
      `The evidence stored with the finding “${f.title}” (${f.device}) does not read, and the records do not give this finding again: the case file was changed outside Snoopscope. Open the case again to have its findings computed afresh from its records.`,
    );
  }
}

/**
 * The edges of `count` ids from a stored evidence column's places (four 32-bit little-endian
 * numbers for each of its first `keys` ids, negative for none): four values an id, NaN where
 * there is none; written into the start of `into` when given (at least four values an id).
 */
export function placesEdges(
  places: Buffer,
  count: number,
  keys: number,
  into?: Float64Array,
): Float64Array {
  const edges = (into ? into.subarray(0, count * 4) : new Float64Array(count * 4)).fill(NaN);
  const n = Math.min(keys, count) * 4;
  for (let i = 0; i < n; i += 1) {
    const v = places.readInt32LE(i * 4);
    if (v >= 0) edges[i] = v;
  }
  return edges;
}

/** 32-bit numbers as little-endian bytes, as `storedEvidenceWithEdges` reads them. */
function littleEndian(values: Int32Array): Buffer {
  const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  return endianness() === 'LE' ? bytes : Buffer.from(bytes).swap32();
}

/** The stored row each finding read from the table came from. */
const storedRows = new WeakMap<Finding, number>();

/**
 * The whole evidence (at most {@link EVIDENCE_CAP} ids) of a finding read from the stored
 * findings, or null for a finding computed afresh.
 */
export function storedEvidence(db: Db, f: Finding): string[] | null {
  const json = storedEvidenceText(db, f);
  if (json === null) return null;
  const ids = storedIds(json, EVIDENCE_CAP, f.deviceId);
  if (!ids) throw new StoredEvidenceDamagedError(db, f);
  return ids;
}

const textReads = new WeakMap<Db, Statement>();

/** A finding's stored evidence column as its text, or null for a finding computed afresh. */
function storedEvidenceText(db: Db, f: Finding): string | null {
  const id = storedRows.get(f);
  if (id === undefined) return null;
  let read = textReads.get(db);
  if (!read) {
    read = db.prepare('SELECT evidence FROM stored_findings WHERE id = ?').pluck();
    textReads.set(db, read);
  }
  const json = read.get(id) as string | undefined;
  return json ?? null;
}

/** The pieces a stored evidence column is read in, and how long each is (in bytes). */
const PIECES = 16;
const PIECE_BYTES = 60_000;

const pieceReads = new WeakMap<Db, Statement>();

/**
 * The stored evidence column of a finding read from the stored findings, as its text in pieces of
 * at most 60,000 bytes (none empty but the first; a piece of a column that is not ASCII may hold
 * a character cut in two, which then reads as U+FFFD), or null for a finding computed afresh or a
 * column longer than the pieces hold. Each piece is small enough to be made and dropped in the
 * young generation of the heap: one string of the whole column (hundreds of KB for thousands of
 * ids) would be made in the old generation, and thousands of them make the heap collect it far
 * more often.
 */
export function storedEvidencePieces(db: Db, f: Finding): string[] | null {
  const id = storedRows.get(f);
  return id === undefined ? null : evidencePiecesOfRow(db, id);
}

/** {@link storedEvidencePieces} of the stored finding in row `id`; null when there is none. */
export function evidencePiecesOfRow(db: Db, id: number): string[] | null {
  let read = pieceReads.get(db);
  if (!read) {
    // One read of the column, cut into pieces: SQLite reads the value once for all of them.
    // Cut as bytes (a text's characters are counted from its start for each cut), each piece
    // then read as text: a column that is not ASCII is not read here (a cut may split a
    // character), which the caller tells from the pieces.
    const cuts = Array.from(
      { length: PIECES },
      (_, i) =>
        `CAST(substr(CAST(evidence AS BLOB), ${i * PIECE_BYTES + 1}, ${PIECE_BYTES}) AS TEXT)`,
    );
    read = db
      .prepare(
        `SELECT length(CAST(evidence AS BLOB)), ${cuts.join(', ')} FROM stored_findings WHERE id = ?`,
      )
      .raw();
    pieceReads.set(db, read);
  }
  const row = read.get(id) as [unknown, ...unknown[]] | undefined;
  if (!row || typeof row[0] !== 'number' || row[0] > PIECES * PIECE_BYTES) return null;
  const pieces: string[] = [];
  for (let i = 1; i < row.length; i += 1) {
    const piece = row[i];
    if (typeof piece !== 'string') return null;
    if (piece === '' && i > 1) break;
    pieces.push(piece);
  }
  return pieces;
}

const columnReads = new WeakMap<Db, Statement>();

/**
 * The stored evidence column of a finding read from the stored findings, as its UTF-8 bytes (see
 * `storedEvidenceItems`), or null for a finding computed afresh.
 */
export function storedEvidenceColumn(db: Db, f: Finding): Buffer | null {
  const id = storedRows.get(f);
  if (id === undefined) return null;
  let read = columnReads.get(db);
  if (!read) {
    read = db.prepare('SELECT CAST(evidence AS BLOB) FROM stored_findings WHERE id = ?').pluck();
    columnReads.set(db, read);
  }
  const column = read.get(id) as Buffer | null | undefined;
  return Buffer.isBuffer(column) && ofDevice(column.toString('latin1', 0, 24), f.deviceId)
    ? column
    : null;
}

/**
 * Whether the start of a stored evidence column is full ids' (`["`) or lean keys' of this device
 * (`[<device>,`): a column read as bytes names its keys' device itself.
 */
export function ofDevice(start: string, deviceId: number): boolean {
  return start.startsWith('["') || start.startsWith(`[${deviceId},`);
}
