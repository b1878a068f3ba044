import { createHash } from 'node:crypto';
import type { ImportWarning } from '../../contract/warnings';
import type {
  AccessEdgeRecord,
  AccessIntervalRecord,
  NetworkRecord,
} from '../model/import-records';
import type { LineStore } from './line-store';
import type { Db } from './open';
import {
  cloneRecord,
  SessionStore,
  type IntervalRow,
  type ReportedColumns,
  type StoredEdge,
} from './pairing';
import { AppResolver } from './queries/apps';
import type { SessionState } from './session-state';

const lineHash = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The two edges of an interval read at once: the end is the start plus the length, same offset. */
export function intervalEdges(r: AccessIntervalRecord): [AccessEdgeRecord, AccessEdgeRecord] {
  const base = {
    type: 'access-edge' as const,
    line: r.line,
    rawLine: r.rawLine,
    app: r.app,
    rawCategory: r.rawCategory,
    category: r.category,
    intervalKey: r.intervalKey,
    rawTs: r.rawTs,
    extra: {},
  };
  return [
    { ...base, edge: 'begin', tsMs: r.start.ms, offsetMin: r.start.offsetMin },
    {
      ...base,
      edge: 'end',
      tsMs: r.start.ms + (r.durationMs ?? 0),
      offsetMin: r.start.offsetMin,
    },
  ];
}

interface PendingBegin {
  edge: StoredEdge;
  rec: AccessEdgeRecord;
}

/**
 * Writes one source's records into a device and pairs access edges into sessions. A begin waits
 * in memory for its end in the same file (exports are time-sorted, so few wait), and the pair is
 * written as one row; anything else (lone edges, edges another export already stored, duplicates,
 * conflicts) goes through the stored row. Lives for one transaction.
 */
export class StoreWriter {
  accessRows = 0;
  networkRows = 0;
  duplicateLines = 0;
  alreadyStored = 0;
  dataFrom: number | null = null;
  dataTo: number | null = null;
  /** The UTC offsets (minutes) the stored times carry: the import summary names them. */
  readonly offsets = new Set<number>();

  private readonly apps: AppResolver;
  private readonly store: SessionStore;
  private readonly findOccurrence;
  private readonly insertOccurrence;
  private readonly insertNetwork;
  private readonly pending = new Map<string, PendingBegin>();
  private readonly networkSeen = new Set<string>();
  /** Rows that existed before this source and that it touched. */
  private readonly touchedExisting = new Set<number>();
  private readonly firstNewId: number;
  private readonly intervalRow: IntervalRow;

  /**
   * `sameEdge` decides whether two lines record the same edge (default: byte-identical). A
   * capture whose lines print a time relative to the dump compares them without that part; an
   * equal edge with other bytes is kept as an occurrence with its own line. `lines` keeps the
   * source's access lines in compressed blocks as they are read; without it every row holds its
   * raw lines.
   */
  constructor(
    private readonly db: Db,
    private readonly deviceId: number,
    private readonly sourceId: number,
    private readonly warn: (w: ImportWarning) => void,
    private readonly sameEdge: (a: string, b: string) => boolean = (a, b) => a === b,
    private readonly lines: LineStore | null = null,
  ) {
    this.apps = new AppResolver(db, deviceId);
    this.store = new SessionStore(db, lines?.lookup());
    this.intervalRow = {
      deviceId,
      intervalKey: '',
      appId: 0,
      category: '',
      rawCategory: '',
      startMs: 0,
      durationMs: 0,
      offsetMin: 0,
      rawTs: '',
      sourceId,
      line: 0,
      rawLine: null,
    };
    this.firstNewId =
      ((db.prepare('SELECT MAX(id) AS m FROM access_sessions').get() as { m: number | null }).m ??
        0) + 1;
    this.findOccurrence = db.prepare(
      'SELECT raw_line AS rawLine FROM edge_occurrences WHERE session_id = ? AND kind = ? AND source_id = ?',
    );
    this.insertOccurrence = db.prepare(
      'INSERT OR IGNORE INTO edge_occurrences (session_id, kind, source_id, line, raw_line, conflict) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.insertNetwork = db.prepare(
      `INSERT INTO network_observations (device_id, app_id, source_id, line, domain, domain_lower,
         domain_owner, domain_type, initiated_type, context, hits, first_ms, first_offset, last_ms,
         last_offset, context_verification_type, domain_classification, raw_line, extra)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /** Sessions this writer inserted so far. */
  get sessionsAdded(): number {
    return this.store.inserted;
  }

  /** Sessions inserted that start more than a day before the latest start inserted before them. */
  get sessionsScattered(): number {
    return this.store.scattered;
  }

  /** Widens the source's data span to an instant of one of its records. */
  extendSpan(ms: number): void {
    this.extend(ms);
  }

  private extend(ms: number): void {
    if (this.dataFrom === null || ms < this.dataFrom) this.dataFrom = ms;
    if (this.dataTo === null || ms > this.dataTo) this.dataTo = ms;
  }

  private toEdge(rec: AccessEdgeRecord): StoredEdge {
    return {
      tsMs: rec.tsMs,
      offsetMin: rec.offsetMin,
      rawTs: rec.rawTs,
      sourceId: this.sourceId,
      line: rec.line,
      rawLine: rec.rawLine,
      rawHeld: this.lines?.hold(rec.line, rec.rawLine) ?? false,
      appId: this.apps.idFor(rec.app),
      category: rec.category,
      rawCategory: rec.rawCategory,
    };
  }

  /**
   * Stores an access whose two edges are read at once, with what the platform reported of it,
   * as one new row. Returns the new row's id; null when the device already holds the interval
   * (or one of its edges waits in this source), in which case its edges went through the stored
   * row and the caller stamps the reported columns afterwards.
   */
  addInterval(r: AccessIntervalRecord, reported: ReportedColumns): number | null {
    const key = r.intervalKey;
    // An Android capture never has a begin waiting: the key is then not even looked up.
    if (this.pending.size === 0 || !this.pending.has(key)) {
      const startMs = r.start.ms;
      const endMs = startMs + (r.durationMs ?? 0);
      this.accessRows += 2;
      this.extend(startMs);
      this.extend(endMs);
      this.offsets.add(r.start.offsetMin);
      const held = this.lines?.hold(r.line, r.rawLine) ?? false;
      // One row object refilled for every access: nothing of it is kept after the insert.
      const row = this.intervalRow;
      row.intervalKey = key;
      row.appId = this.apps.idFor(r.app);
      row.category = r.category;
      row.rawCategory = r.rawCategory;
      row.startMs = startMs;
      row.durationMs = r.durationMs ?? 0;
      row.offsetMin = r.start.offsetMin;
      row.rawTs = r.rawTs;
      row.line = r.line;
      row.rawLine = held ? null : r.rawLine;
      const id = this.store.insertInterval(row, reported);
      if (id !== null) return id;
      this.accessRows -= 2;
    }
    const [begin, end] = intervalEdges(r);
    this.addEdge(begin);
    this.addEdge(end);
    return null;
  }

  addEdge(rec: AccessEdgeRecord): void {
    this.accessRows += 1;
    this.extend(rec.tsMs);
    this.offsets.add(rec.offsetMin);
    const key = rec.intervalKey;
    const waiting = this.pending.get(key);
    if (rec.edge === 'begin') {
      if (waiting) {
        // A second begin for the same interval in this file: settle the first through the store.
        this.pending.delete(key);
        this.merge(key, 0, waiting.edge, waiting.rec);
        this.merge(key, 0, this.toEdge(rec), rec);
        return;
      }
      this.pending.set(key, { edge: this.toEdge(rec), rec });
      return;
    }
    const end = this.toEdge(rec);
    if (waiting) {
      this.pending.delete(key);
      if (end.tsMs < waiting.edge.tsMs) {
        this.merge(key, 0, waiting.edge, waiting.rec);
        this.refuseReversed(key, rec, waiting.edge);
        return;
      }
      const id = this.store.insert({
        id: null,
        deviceId: this.deviceId,
        intervalKey: key,
        begin: waiting.edge,
        end,
        conflict: false,
      });
      if (id !== null) return;
      this.merge(key, 0, waiting.edge, waiting.rec);
      this.merge(key, 1, end, rec);
      return;
    }
    this.merge(key, 1, end, rec);
  }

  /** Adds one edge to the stored interval (creating it if needed), handling repeats and conflicts. */
  private merge(key: string, kind: 0 | 1, edge: StoredEdge, rec: AccessEdgeRecord): void {
    const stored = this.store.find(this.deviceId, key);
    if (!stored) {
      this.store.insert({
        id: null,
        deviceId: this.deviceId,
        intervalKey: key,
        begin: kind === 0 ? edge : null,
        end: kind === 1 ? edge : null,
        conflict: false,
      });
      return;
    }
    const id = stored.id!;
    if (id < this.firstNewId) this.touchedExisting.add(id);
    const current = kind === 0 ? stored.begin : stored.end;
    if (!current) {
      const partner = kind === 0 ? stored.end : stored.begin;
      if (partner && (kind === 0 ? edge.tsMs > partner.tsMs : edge.tsMs < partner.tsMs)) {
        this.refuseReversed(key, rec, partner);
        return;
      }
      const before = cloneRecord(stored);
      if (kind === 0) stored.begin = edge;
      else stored.end = edge;
      this.store.update(before, stored);
      return;
    }
    if (current.sourceId === this.sourceId && this.sameEdge(current.rawLine, edge.rawLine)) {
      this.duplicateLines += 1;
      return;
    }
    const seen = this.findOccurrence.all(id, kind, this.sourceId) as { rawLine: string | null }[];
    if (seen.some((o) => this.sameEdge(o.rawLine ?? current.rawLine, edge.rawLine))) {
      this.duplicateLines += 1;
      return;
    }
    if (this.sameEdge(current.rawLine, edge.rawLine)) {
      this.alreadyStored += 1;
      const bytes = current.rawLine === edge.rawLine ? null : edge.rawLine;
      this.insertOccurrence.run(id, kind, this.sourceId, edge.line, bytes, 0);
      return;
    }
    this.insertOccurrence.run(id, kind, this.sourceId, edge.line, edge.rawLine, 1);
    if (!stored.conflict) {
      const before = cloneRecord(stored);
      stored.conflict = true;
      this.store.update(before, stored);
    }
    const where =
      current.sourceId === this.sourceId ? ` (line ${current.line})` : ' from another export';
    this.warn({
      line: rec.line,
      locator: `line ${rec.line}`,
      code: 'EDGE_CONFLICT',
      message:
        `Line ${rec.line}: interval ${key} ${rec.edge} differs from the one already stored${where}; ` +
        'both are kept and the session is flagged.',
    });
  }

  /**
   * Leaves out an edge that would make its interval end before it begins: which of the two
   * timestamps is wrong cannot be told, so the edge already held stays and this one is reported.
   */
  private refuseReversed(key: string, rec: AccessEdgeRecord, partner: StoredEdge): void {
    const where = partner.sourceId === this.sourceId ? `line ${partner.line}` : 'another export';
    const other = rec.edge === 'begin' ? 'end' : 'begin';
    this.warn({
      line: rec.line,
      locator: `line ${rec.line}`,
      code: 'INVALID_TIMESTAMP',
      message:
        `Line ${rec.line}: interval ${key} would ${rec.edge === 'begin' ? 'begin after it ends' : 'end before it begins'} ` +
        `(${rec.edge} ${rec.rawTs}, ${other} ${partner.rawTs} from ${where}); this ${rec.edge} was not stored.`,
    });
  }

  addNetwork(rec: NetworkRecord): void {
    const hash = lineHash(rec.rawLine);
    if (this.networkSeen.has(hash)) {
      this.duplicateLines += 1;
      return;
    }
    this.networkSeen.add(hash);
    this.networkRows += 1;
    if (rec.first) {
      this.extend(rec.first.ms);
      this.offsets.add(rec.first.offsetMin);
    }
    if (rec.last) {
      this.extend(rec.last.ms);
      this.offsets.add(rec.last.offsetMin);
    }
    this.insertNetwork.run(
      this.deviceId,
      this.apps.idFor(rec.app),
      this.sourceId,
      rec.line,
      rec.domain,
      rec.domain.toLowerCase(),
      rec.domainOwner,
      rec.domainType,
      rec.initiatedType,
      rec.context,
      rec.hits,
      rec.first?.ms ?? null,
      rec.first?.offsetMin ?? null,
      rec.last?.ms ?? null,
      rec.last?.offsetMin ?? null,
      rec.contextVerificationType,
      rec.domainClassification,
      rec.rawLine,
      Object.keys(rec.extra).length > 0 ? JSON.stringify(rec.extra) : null,
    );
  }

  /**
   * Stores the begins still waiting for an end: open sessions, or completions of stored ones.
   * Then applies the summaries' changes, unless the caller has more (`applySummaries`).
   */
  finishPairing(apply = true): void {
    for (const [key, p] of this.pending) this.merge(key, 0, p.edge, p.rec);
    this.pending.clear();
    if (apply) this.store.flush();
  }

  /** Records that a stored session's app state changed (applied with the writer's own changes). */
  changeState(
    appId: number,
    category: string,
    localDay: number,
    before: SessionState,
    after: SessionState,
    durationMs: number | null,
  ): void {
    this.store.changeState(this.deviceId, appId, category, localDay, before, after, durationMs);
  }

  /** Applies the summaries' changes held so far once they grow large (between record batches). */
  flushSummariesIfLarge(): void {
    this.store.flushIfLarge();
  }

  /** Applies the summaries' changes held since `finishPairing(false)`. */
  applySummaries(): void {
    this.store.flush();
  }

  /** Sessions this source contributes to, and how many of them are open. */
  countSessions(): { sessions: number; open: number } {
    const fresh = this.db
      .prepare(
        'SELECT COUNT(*) AS n, COALESCE(SUM(open), 0) AS open FROM access_sessions WHERE id >= ? AND (b_source_id = ? OR e_source_id = ?)',
      )
      .get(this.firstNewId, this.sourceId, this.sourceId) as { n: number; open: number };
    let n = fresh.n;
    let open = fresh.open;
    const ids = [...this.touchedExisting];
    const chunk = 500;
    for (let i = 0; i < ids.length; i += chunk) {
      const part = ids.slice(i, i + chunk);
      const r = this.db
        .prepare(
          `SELECT COUNT(*) AS n, COALESCE(SUM(open), 0) AS open FROM access_sessions WHERE id IN (${part.map(() => '?').join(',')})`,
        )
        .get(...part) as { n: number; open: number };
      n += r.n;
      open += r.open;
    }
    return { sessions: n, open };
  }
}
