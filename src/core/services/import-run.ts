import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { ImportOutcome } from '../../contract/records';
import type { ImportWarning } from '../../contract/warnings';
import { appendAudit } from '../db/audit';
import { describeSqliteError, type Db } from '../db/open';
import { AppResolver } from '../db/queries/apps';
import { describeFileHead } from '../importers/describe-file';
import type { AccessEdgeRecord, Importer, NetworkRecord } from '../importers/importer';
import { IMPORTERS, pickImporter } from '../importers/registry';
import { AppError } from '../model/errors';
import { buildSession, SessionWriter, type EdgeForPairing } from './pairing';

export interface ImportFileProgress {
  phase: 'reading' | 'pairing' | 'committing';
  lines: number;
  bytes: number;
  totalBytes: number;
}

export interface ImportFileOptions {
  db: Db;
  path: string;
  deviceId: number;
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

function emptyOutcome(path: string): ImportOutcome {
  return {
    path,
    sha256: null,
    importer: null,
    status: 'refused',
    counts: { lines: 0, access: 0, network: 0, sessions: 0, openSessions: 0 },
    duplicateLines: 0,
    alreadyStored: 0,
    warnings: [],
    error: null,
    sourceId: null,
    deviceId: null,
  };
}

async function readHeadBytes(path: string, n: number): Promise<Uint8Array> {
  const stream = createReadStream(path, { start: 0, end: Math.max(0, n - 1), flags: 'r' });
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** Chooses the importer, or refuses with a message that names what the file looks like. */
function chooseImporter(head: Uint8Array, fileName: string): Importer {
  const picked = pickImporter(head, fileName);
  if (picked) return picked;
  const description = describeFileHead(head);
  const textual = !head.subarray(0, 4096).includes(0) && head.length > 0;
  // Text that no sniffer recognises goes to the line-oriented report parser, which reports each
  // line and refuses only when none of the first 20 non-empty lines is a record.
  if (textual && !/zip|SQLite|plist|gzip|PDF|Android backup/.test(description)) return IMPORTERS[0]!;
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
  const { db, deviceId } = options;
  const path = resolve(options.path);
  const outcome = emptyOutcome(path);
  outcome.deviceId = deviceId;
  const maxOutcomeWarnings = options.maxOutcomeWarnings ?? 1000;

  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('not a regular file');
    size = st.size;
  } catch (e) {
    outcome.error = `Cannot read ${path}: ${(e as Error).message}`;
    return outcome;
  }
  const device = db.prepare('SELECT id FROM devices WHERE id = ?').get(deviceId);
  if (!device) throw new AppError('NOT_FOUND', `No device with id ${deviceId} in this case.`);

  let importer: Importer;
  try {
    importer = chooseImporter(await readHeadBytes(path, 64 * 1024), basename(path));
  } catch (e) {
    if (e instanceof Refused) {
      outcome.error = e.message;
      return outcome;
    }
    outcome.error = `Cannot read ${path}: ${(e as Error).message}`;
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
    const now = Date.now();
    const sourceId = Number(
      db
        .prepare(
          `INSERT INTO sources (device_id, importer_id, importer_version, original_path, file_name, size, sha256, imported_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(deviceId, importer.manifest.id, importer.manifest.version, path, basename(path), size, `pending-${randomUUID()}`, now)
        .lastInsertRowid,
    );
    outcome.sourceId = sourceId;
    const writer = new StoreWriter(db, deviceId, sourceId);

    let warningCount = 0;
    const storeWarning = db.prepare(
      'INSERT INTO source_warnings (source_id, line, locator, code, message) VALUES (?, ?, ?, ?, ?)',
    );
    const addWarning = (w: ImportWarning): void => {
      warningCount += 1;
      if (warningCount <= MAX_STORED_WARNINGS) storeWarning.run(sourceId, w.line, w.locator, w.code, w.message);
      if (outcome.warnings.length < maxOutcomeWarnings) outcome.warnings.push(w);
    };

    let lines = 0;
    for await (const item of importer.parse(chunks())) {
      switch (item.type) {
        case 'access-edge':
          writer.addEdge(item, addWarning);
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
    if (options.isCancelled?.()) throw new Cancelled();
    progress('pairing', lines);
    writer.finishPairing();
    const sha256 = hash.digest('hex');
    outcome.sha256 = sha256;

    const existing = db.prepare('SELECT id, device_id FROM sources WHERE sha256 = ?').get(sha256) as
      | { id: number; device_id: number }
      | undefined;
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
    db.exec('COMMIT');
    outcome.status = 'imported';
    return outcome;
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    outcome.sourceId = null;
    if (e instanceof Refused) {
      outcome.status = 'refused';
      outcome.error = e.message;
      outcome.counts = emptyOutcome(path).counts;
      return outcome;
    }
    if (e instanceof Cancelled) {
      outcome.status = 'cancelled';
      outcome.error = 'The import was cancelled; nothing of this file was kept.';
      return outcome;
    }
    throw describeSqliteError(e) ?? e;
  }
}

const lineHash = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Writes one source's records and keeps what pairing needs. Lives for one import transaction. */
export class StoreWriter {
  accessRows = 0;
  networkRows = 0;
  duplicateLines = 0;
  alreadyStored = 0;
  dataFrom: number | null = null;
  dataTo: number | null = null;

  private readonly apps: AppResolver;
  private readonly sessions: SessionWriter;
  private readonly insertEdge;
  private readonly findEdge;
  private readonly findOccurrence;
  private readonly insertOccurrence;
  private readonly insertNetwork;
  private readonly countStmt;
  /** Fresh begins of this file waiting for their end in the same file. */
  private readonly pendingBegins = new Map<string, EdgeForPairing>();
  /** Intervals whose session must be rebuilt from the stored edges. */
  private readonly touched = new Set<string>();
  private readonly networkSeen = new Set<string>();

  constructor(
    private readonly db: Db,
    private readonly deviceId: number,
    private readonly sourceId: number,
  ) {
    this.apps = new AppResolver(db, deviceId);
    this.sessions = new SessionWriter(db);
    this.insertEdge = db.prepare(
      `INSERT INTO access_edges (device_id, interval_key, kind, app_id, category, raw_category, ts_ms,
         offset_min, raw_ts, line_hash, source_id, line, raw_line, extra)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (device_id, interval_key, kind) DO NOTHING`,
    );
    this.findEdge = db.prepare(
      'SELECT id, line_hash AS lineHash, source_id AS sourceId, line FROM access_edges WHERE device_id = ? AND interval_key = ? AND kind = ?',
    );
    this.findOccurrence = db.prepare(
      'SELECT line_hash AS lineHash FROM edge_occurrences WHERE edge_id = ? AND source_id = ?',
    );
    this.insertOccurrence = db.prepare(
      'INSERT OR IGNORE INTO edge_occurrences (edge_id, source_id, line, line_hash, raw_line, conflict) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.insertNetwork = db.prepare(
      `INSERT INTO network_observations (device_id, app_id, source_id, line, domain, domain_lower,
         domain_owner, domain_type, initiated_type, context, hits, first_ms, first_offset, last_ms,
         last_offset, context_verification_type, domain_classification, raw_line, extra)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.countStmt = db.prepare(
      `SELECT COUNT(*) AS sessions, COALESCE(SUM(s.open), 0) AS open FROM access_sessions s
       WHERE s.device_id = ? AND s.interval_key IN (
         SELECT interval_key FROM access_edges WHERE source_id = ?
         UNION SELECT e.interval_key FROM edge_occurrences o JOIN access_edges e ON e.id = o.edge_id
           WHERE o.source_id = ?)`,
    );
  }

  private extend(ms: number): void {
    if (this.dataFrom === null || ms < this.dataFrom) this.dataFrom = ms;
    if (this.dataTo === null || ms > this.dataTo) this.dataTo = ms;
  }

  addEdge(rec: AccessEdgeRecord, warn: (w: ImportWarning) => void): void {
    this.accessRows += 1;
    this.extend(rec.tsMs);
    const kind = rec.edge === 'begin' ? 0 : 1;
    const hash = lineHash(rec.rawLine);
    const appId = this.apps.idFor(rec.app);
    const extra = Object.keys(rec.extra).length > 0 ? JSON.stringify(rec.extra) : null;
    const info = this.insertEdge.run(
      this.deviceId,
      rec.intervalKey,
      kind,
      appId,
      rec.category,
      rec.rawCategory,
      rec.tsMs,
      rec.offsetMin,
      rec.rawTs,
      hash,
      this.sourceId,
      rec.line,
      rec.rawLine,
      extra,
    );
    if (info.changes === 1) {
      const edge: EdgeForPairing = {
        id: Number(info.lastInsertRowid),
        appId,
        category: rec.category,
        rawCategory: rec.rawCategory,
        tsMs: rec.tsMs,
        offsetMin: rec.offsetMin,
      };
      if (kind === 0) {
        this.pendingBegins.set(rec.intervalKey, edge);
      } else {
        const begin = this.pendingBegins.get(rec.intervalKey);
        if (begin && !this.touched.has(rec.intervalKey)) {
          this.pendingBegins.delete(rec.intervalKey);
          const row = buildSession(this.deviceId, rec.intervalKey, begin, edge, false);
          if (row) this.sessions.write(row);
        } else {
          this.touched.add(rec.intervalKey);
        }
      }
      return;
    }
    // The interval edge is already stored: from this file (duplicate line), or from another export.
    const existing = this.findEdge.get(this.deviceId, rec.intervalKey, kind) as {
      id: number;
      lineHash: string;
      sourceId: number;
      line: number;
    };
    if (existing.sourceId === this.sourceId) {
      if (existing.lineHash === hash) {
        this.duplicateLines += 1;
        return;
      }
      this.recordConflict(existing.id, existing.line, rec, hash, warn);
      return;
    }
    const seen = this.findOccurrence.get(existing.id, this.sourceId) as { lineHash: string } | undefined;
    if (seen) {
      if (seen.lineHash === hash) {
        this.duplicateLines += 1;
        return;
      }
      this.recordConflict(existing.id, null, rec, hash, warn);
      return;
    }
    if (existing.lineHash === hash) {
      this.alreadyStored += 1;
      this.insertOccurrence.run(existing.id, this.sourceId, rec.line, hash, null, 0);
      return;
    }
    this.recordConflict(existing.id, null, rec, hash, warn);
  }

  private recordConflict(
    edgeId: number,
    firstLine: number | null,
    rec: AccessEdgeRecord,
    hash: string,
    warn: (w: ImportWarning) => void,
  ): void {
    this.insertOccurrence.run(edgeId, this.sourceId, rec.line, hash, rec.rawLine, 1);
    this.touched.add(rec.intervalKey);
    warn({
      line: rec.line,
      locator: `line ${rec.line}`,
      code: 'EDGE_CONFLICT',
      message:
        `Line ${rec.line}: interval ${rec.intervalKey} ${rec.edge} differs from the one already stored` +
        (firstLine !== null ? ` (line ${firstLine})` : ' from another export') +
        '; both are kept and the session is flagged.',
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
    if (rec.first) this.extend(rec.first.ms);
    if (rec.last) this.extend(rec.last.ms);
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

  /** Rebuilds the sessions that could not be paired within the file (open, overlapping, conflicting). */
  finishPairing(): void {
    for (const key of this.pendingBegins.keys()) this.touched.add(key);
    this.pendingBegins.clear();
    this.sessions.recompute(this.deviceId, this.touched);
  }

  countSessions(): { sessions: number; open: number } {
    const r = this.countStmt.get(this.deviceId, this.sourceId, this.sourceId) as { sessions: number; open: number };
    return { sessions: r.sessions, open: r.open };
  }
}
