import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, statSync, type Stats } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { AppliedClock, ImportOutcome } from '../../contract/records';
import type { ImportWarning } from '../../contract/warnings';
import { appendAudit } from '../db/audit';
import { describeSqliteError, type Db } from '../db/open';
import { AppResolver } from '../db/queries/apps';
import type { SessionState } from '../db/session-stats';
import { describeFileHead } from '../importers/describe-file';
import type { AccessEdgeRecord, Importer, NetworkRecord } from '../importers/importer';
import { IMPORTERS, pickImporter } from '../importers/registry';
import { AppError } from '../model/errors';
import { cloneRecord, SessionStore, type StoredEdge } from './pairing';

export interface ImportFileProgress {
  phase: 'reading' | 'pairing' | 'committing';
  lines: number;
  bytes: number;
  totalBytes: number;
}

export interface ImportFileOptions {
  db: Db;
  path: string;
  /**
   * The device the file goes into: its id, or a function that returns it, called inside the
   * file's transaction (it may create the device there, so a refused file leaves none behind).
   */
  deviceId: number | (() => number);
  isCancelled?: () => boolean;
  onProgress?: (p: ImportFileProgress) => void;
  /** Warnings kept in the outcome (all are counted and stored in the case). */
  maxOutcomeWarnings?: number;
}

/** Warnings stored per source; the count beyond is still recorded. */
const MAX_STORED_WARNINGS = 10_000;
const CHUNK = 1024 * 1024;

class Refused extends Error {}
class Cancelled extends Error {}

/** Lets pending events (a SIGINT, a cancel message) run before a synchronous phase goes on. */
const yieldToEvents = (): Promise<void> => new Promise((r) => setImmediate(r));

/** The outcome of a file that was not imported (nothing of it was kept). */
export function unreadOutcome(
  path: string,
  deviceId: number | null,
  status: ImportOutcome['status'] = 'refused',
  error: string | null = null,
): ImportOutcome {
  return {
    path,
    sha256: null,
    importer: null,
    status,
    counts: { lines: 0, access: 0, network: 0, sessions: 0, openSessions: 0, records: 0 },
    duplicateLines: 0,
    alreadyStored: 0,
    warnings: [],
    error,
    sourceId: null,
    deviceId,
    locator: null,
  };
}

async function readHeadBytes(path: string, n: number): Promise<Uint8Array> {
  const stream = createReadStream(path, { start: 0, end: Math.max(0, n - 1), flags: 'r' });
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

const FS_REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is not a folder',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the path is too long',
  EIO: 'an input/output error (the disk or the network share failed)',
  EISDIR: 'it is a folder',
  EMFILE: 'too many files are open',
  ENXIO: 'no such device',
  EBUSY: 'it is in use',
};

/** A plain reason for a file-system error: "permission denied", not `EACCES: …, open '…'`. */
export function describeFsError(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && FS_REASONS[code]) return FS_REASONS[code];
  return e instanceof Error ? e.message : String(e);
}

/** What a path that is not a regular file is, for messages. */
export function describeNonFile(st: Stats): string {
  if (st.isFIFO()) return 'a named pipe (FIFO), not a file';
  if (st.isSocket()) return 'a socket, not a file';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device, not a file';
  return 'not a regular file';
}

/**
 * The outcome of a file whose import failed with an unexpected error (after its transaction was
 * rolled back): refused, with a sentence naming the file and the reason.
 */
export function failedOutcome(path: string, deviceId: number | null, e: unknown): ImportOutcome {
  const reason = describeFsError(e);
  const message =
    e instanceof AppError ? reason : `Cannot import ${path}: ${reason.replace(/\.?$/, '.')}`;
  return unreadOutcome(path, deviceId, 'refused', `${message} Nothing of this file was kept.`);
}

/** At most this many offsets are listed in an outcome (a file may carry many after crafting). */
const MAX_LISTED_OFFSETS = 12;

/** The clock of a file whose times carry their own UTC offsets: those offsets, ascending. */
export function fileClock(offsets: Iterable<number>): AppliedClock {
  const sorted = [...new Set(offsets)].filter(Number.isInteger).sort((a, b) => a - b);
  return { zone: null, offsets: sorted.slice(0, MAX_LISTED_OFFSETS), source: 'file' };
}

/** True when at most one byte in ten of the file's first 4 KiB is a control byte other than white space. */
function looksTextual(head: Uint8Array): boolean {
  const sample = head.subarray(0, 4096);
  if (sample.length === 0) return false;
  let control = 0;
  for (const b of sample) if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) control += 1;
  return control * 10 <= sample.length;
}

/** Chooses the importer, or refuses with a message that names what the file looks like. */
function chooseImporter(head: Uint8Array, fileName: string): Importer {
  const picked = pickImporter(head, fileName);
  if (picked) return picked;
  const description = describeFileHead(head);
  // Text that no sniffer recognises goes to the line-oriented report parser, which reports each
  // line and refuses only when none of the first 20 non-empty lines is a record. A stray NUL or
  // a first line longer than the sniffed head does not make a file binary: many control bytes do.
  if (looksTextual(head) && !/zip|SQLite|plist|gzip|PDF|Android backup|UTF-16/.test(description))
    return IMPORTERS[0]!;
  throw new Refused(
    `Unsupported file: it looks like ${description}. Supported: ${IMPORTERS.map((i) => i.manifest.name).join('; ')}.`,
  );
}

/**
 * Imports one file into one device as one transaction: hashes it while reading, stores every
 * record with its line, pairs access edges into sessions, records the import in the audit log.
 * A refusal, a cancel or an error rolls everything back. The source file is only read.
 */
export async function importFile(options: ImportFileOptions): Promise<ImportOutcome> {
  const { db } = options;
  const path = resolve(options.path);
  const outcome = unreadOutcome(
    path,
    typeof options.deviceId === 'number' ? options.deviceId : null,
  );
  const maxOutcomeWarnings = options.maxOutcomeWarnings ?? 1000;

  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) {
      outcome.error =
        `${path} is a folder, not an export file. Import an iPhone backup folder with ` +
        'Import › iPhone backup (or `snoopscope import <case> <backup-folder>`).';
      return outcome;
    }
    if (!st.isFile()) {
      outcome.error = `Cannot read ${path}: it is ${describeNonFile(st)}.`;
      return outcome;
    }
    size = st.size;
  } catch (e) {
    outcome.error = `Cannot read ${path}: ${describeFsError(e)}.`;
    return outcome;
  }
  if (typeof options.deviceId === 'number') {
    const device = db.prepare('SELECT id FROM devices WHERE id = ?').get(options.deviceId);
    if (!device)
      throw new AppError('NOT_FOUND', `No device with id ${options.deviceId} in this case.`);
  }

  let importer: Importer;
  try {
    importer = chooseImporter(await readHeadBytes(path, 64 * 1024), basename(path));
  } catch (e) {
    if (e instanceof Refused) {
      outcome.error = e.message;
      return outcome;
    }
    outcome.error = `Cannot read ${path}: ${describeFsError(e)}.`;
    return outcome;
  }
  outcome.importer = importer.manifest.id;

  const hash = createHash('sha256');
  let bytes = 0;
  const progress = (phase: ImportFileProgress['phase'], lines: number): void =>
    options.onProgress?.({ phase, lines, bytes, totalBytes: size });

  async function* chunks(): AsyncGenerator<Uint8Array> {
    const stream = createReadStream(path, { highWaterMark: CHUNK, flags: 'r' });
    for await (const c of stream) {
      const b = c as Buffer;
      hash.update(b);
      bytes += b.length;
      yield b;
    }
  }

  try {
    db.exec('BEGIN IMMEDIATE');
  } catch (e) {
    throw describeSqliteError(e) ?? e;
  }
  try {
    const deviceId = typeof options.deviceId === 'number' ? options.deviceId : options.deviceId();
    outcome.deviceId = deviceId;
    const now = Date.now();
    const sourceId = Number(
      db
        .prepare(
          `INSERT INTO sources (device_id, importer_id, importer_version, original_path, file_name, size, sha256, imported_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          deviceId,
          importer.manifest.id,
          importer.manifest.version,
          path,
          basename(path),
          size,
          `pending-${randomUUID()}`,
          now,
        ).lastInsertRowid,
    );
    outcome.sourceId = sourceId;
    let warningCount = 0;
    const storeWarning = db.prepare(
      'INSERT INTO source_warnings (source_id, line, locator, code, message) VALUES (?, ?, ?, ?, ?)',
    );
    const addWarning = (w: ImportWarning): void => {
      warningCount += 1;
      if (warningCount <= MAX_STORED_WARNINGS)
        storeWarning.run(sourceId, w.line, w.locator, w.code, w.message);
      if (outcome.warnings.length < maxOutcomeWarnings) outcome.warnings.push(w);
    };
    const writer = new StoreWriter(db, deviceId, sourceId, addWarning);

    let lines = 0;
    for await (const batch of importer.parse(chunks())) {
      for (const item of batch) {
        switch (item.type) {
          case 'access-edge':
            writer.addEdge(item);
            break;
          case 'network':
            writer.addNetwork(item);
            break;
          case 'warning':
            addWarning(item.warning);
            break;
          case 'progress':
            lines = item.lines;
            if (options.isCancelled?.()) throw new Cancelled();
            progress('reading', lines);
            break;
          case 'refusal':
            throw new Refused(item.message);
          default: {
            const never: never = item;
            throw new Error(`Unhandled record ${String(never)}`);
          }
        }
      }
    }
    // Each synchronous phase below is preceded by a pause for events, so a cancel (SIGINT, or the
    // app's cancel message) that arrives at any point before the commit rolls this file back.
    const checkpoint = async (): Promise<void> => {
      await yieldToEvents();
      if (options.isCancelled?.()) throw new Cancelled();
    };
    await checkpoint();
    progress('pairing', lines);
    writer.finishPairing();
    await checkpoint();
    const sha256 = hash.digest('hex');
    outcome.sha256 = sha256;

    const existing = db
      .prepare('SELECT id, device_id FROM sources WHERE sha256 = ?')
      .get(sha256) as { id: number; device_id: number } | undefined;
    if (existing) {
      db.exec('ROLLBACK');
      outcome.status = 'already-imported';
      outcome.sourceId = existing.id;
      outcome.deviceId = existing.device_id;
      outcome.warnings = [];
      outcome.error = null;
      return outcome;
    }

    progress('committing', lines);
    const sessionCounts = writer.countSessions();
    outcome.counts = {
      lines,
      access: writer.accessRows,
      network: writer.networkRows,
      sessions: sessionCounts.sessions,
      openSessions: sessionCounts.open,
      records: 0,
    };
    outcome.duplicateLines = writer.duplicateLines;
    outcome.alreadyStored = writer.alreadyStored;
    db.prepare(
      `UPDATE sources SET sha256 = ?, lines = ?, access_rows = ?, network_rows = ?, duplicate_lines = ?,
         already_stored = ?, sessions = ?, open_sessions = ?, warning_count = ?, data_from = ?, data_to = ?
       WHERE id = ?`,
    ).run(
      sha256,
      lines,
      writer.accessRows,
      writer.networkRows,
      writer.duplicateLines,
      writer.alreadyStored,
      sessionCounts.sessions,
      sessionCounts.open,
      warningCount,
      writer.dataFrom,
      writer.dataTo,
      sourceId,
    );
    // An App Privacy Report comes from an iPhone or iPad: a device of unknown platform becomes iOS.
    if (importer.manifest.platform !== 'unknown')
      db.prepare("UPDATE devices SET platform = ? WHERE id = ? AND platform = 'unknown'").run(
        importer.manifest.platform,
        deviceId,
      );
    appendAudit(db, 'import', {
      sourceId,
      deviceId,
      path,
      fileName: basename(path),
      size,
      sha256,
      importer: `${importer.manifest.id}@${importer.manifest.version}`,
      counts: outcome.counts,
      duplicateLines: writer.duplicateLines,
      alreadyStored: writer.alreadyStored,
      warnings: warningCount,
    });
    await checkpoint();
    db.exec('COMMIT');
    outcome.status = 'imported';
    if (writer.offsets.size > 0) outcome.timeZone = fileClock(writer.offsets);
    return outcome;
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    outcome.sourceId = null;
    if (e instanceof Refused) {
      outcome.status = 'refused';
      outcome.error = e.message;
      outcome.counts = unreadOutcome(path, null).counts;
      if (typeof options.deviceId !== 'number') outcome.deviceId = null;
      return outcome;
    }
    if (e instanceof Cancelled) {
      outcome.status = 'cancelled';
      outcome.error = 'The import was cancelled; nothing of this file was kept.';
      outcome.counts = unreadOutcome(path, null).counts;
      outcome.sha256 = null;
      if (typeof options.deviceId !== 'number') outcome.deviceId = null;
      return outcome;
    }
    throw describeSqliteError(e) ?? e;
  }
}

const lineHash = (text: string): string => createHash('sha256').update(text).digest('hex');

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

  /**
   * `sameEdge` decides whether two lines record the same edge (default: byte-identical). A
   * capture whose lines print a time relative to the dump compares them without that part; an
   * equal edge with other bytes is kept as an occurrence with its own line.
   */
  constructor(
    private readonly db: Db,
    private readonly deviceId: number,
    private readonly sourceId: number,
    private readonly warn: (w: ImportWarning) => void,
    private readonly sameEdge: (a: string, b: string) => boolean = (a, b) => a === b,
  ) {
    this.apps = new AppResolver(db, deviceId);
    this.store = new SessionStore(db);
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
      appId: this.apps.idFor(rec.app),
      category: rec.category,
      rawCategory: rec.rawCategory,
    };
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
  ): void {
    this.store.changeState(this.deviceId, appId, category, localDay, before, after);
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
