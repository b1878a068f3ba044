// The one writer of imported records. Every importer's records, whatever the source kind, are
// stored here: one source per transaction, with its row in `sources`, its warnings, the derived
// tables (paired sessions, rollups, session stats, inferred app states) and its audit entry.
// Importers never touch the case; this module never reads evidence.
import { randomUUID } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { AppliedClock, ImportOutcome, Platform } from '../../contract/records';
import type { ImportWarning } from '../../contract/warnings';
import { recordBackupApp } from '../catalog/app-names';
import type {
  AccessIntervalRecord,
  AppRecord,
  DeviceRecord,
  DeviceStateCoverageRecord,
  DeviceStateRecord,
  ImportRecord,
} from '../model/import-records';
import { AppError } from '../model/errors';
import { appendAudit } from './audit';
import { BULK_DROPPED_INDEXES, BulkIndexes } from './bulk-indexes';
import { LineStore } from './line-store';
import { StoreWriter } from './edge-writer';
import type { ReportedColumns } from './pairing';
import { describeSqliteError, type Db } from './open';
import { AppResolver } from './queries/apps';
import { bindPhoneDevice } from './queries/bind-device';
import { eventState, STATE_SQL, type SessionState } from './session-state';
import { inferAndroidStates } from './state-inference';

/** Warnings stored per source; the count beyond is still recorded. */
const MAX_STORED_WARNINGS = 10_000;

/** The importer refused the source: nothing of it is kept. */
export class SourceRefused extends Error {
  override readonly name = 'SourceRefused';
}

/** The user cancelled: the source's transaction is rolled back. */
export class SourceCancelled extends Error {
  override readonly name = 'SourceCancelled';
}

/** What the writer is told about a source before its records arrive. */
export interface SourcePlan {
  importer: { id: string; version: string; platform: Platform };
  /** The part of a raw line that identifies an edge across sources (default: the line). */
  matchLine?: (rawLine: string) => string;
  path: string;
  name: string;
  size: number;
  /** The container the source was read from (a backup folder, a capture folder), if any. */
  container: string | null;
  /** Where it sits in that container. */
  locator: string | null;
  capturedAtMs: number | null;
  details: Record<string, unknown> | null;
}

/** How a source is stored. */
export interface StoreOptions {
  /** The device (or a function that binds it, called inside the source's transaction). */
  device: number | (() => number);
  /** The sha256 of the source's bytes, known once its records are consumed. */
  sha256: () => string | Promise<string>;
  /** Asked between record batches and before each synchronous phase: true rolls the source back. */
  isCancelled?: () => boolean;
  onProgress?: (phase: 'reading' | 'pairing' | 'committing', lines: number) => void;
  /** Warnings kept in the outcome (all are counted and stored in the case). */
  maxOutcomeWarnings?: number;
}

const yieldToEvents = (): Promise<void> => new Promise((r) => setImmediate(r));

/** An empty outcome of a source (nothing stored yet). */
export function emptyOutcome(
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

/**
 * Stores one source's record stream in one transaction: a refusal, a cancel or an error rolls
 * it back, and a source whose bytes are already in the case is not stored again.
 */
export async function storeSource(
  db: Db,
  plan: SourcePlan,
  records: AsyncIterable<readonly ImportRecord[]>,
  options: StoreOptions,
): Promise<ImportOutcome> {
  const outcome = emptyOutcome(
    plan.path,
    typeof options.device === 'number' ? options.device : null,
  );
  outcome.importer = plan.importer.id;
  outcome.locator = plan.locator;
  const cancelled = (): boolean => options.isCancelled?.() === true;
  try {
    db.exec('BEGIN IMMEDIATE');
  } catch (e) {
    throw describeSqliteError(e) ?? e;
  }
  try {
    const deviceId = typeof options.device === 'number' ? options.device : options.device();
    outcome.deviceId = deviceId;
    const writer = new SourceWriter(db, deviceId, plan, outcome, options.maxOutcomeWarnings);
    for await (const batch of records) {
      writer.add(batch);
      await writer.settleLines();
      if (cancelled()) throw new SourceCancelled();
      options.onProgress?.('reading', writer.lines);
    }
    // Each synchronous phase is preceded by a pause for events, so a cancel that arrives at any
    // point before the commit rolls this source back.
    const checkpoint = async (): Promise<void> => {
      await yieldToEvents();
      if (cancelled()) throw new SourceCancelled();
    };
    await checkpoint();
    options.onProgress?.('pairing', writer.lines);
    writer.finishDerived();
    await checkpoint();
    const sha256 = await options.sha256();
    outcome.sha256 = sha256;
    const existing = db
      .prepare('SELECT id, device_id FROM sources WHERE sha256 = ?')
      .get(sha256) as { id: number; device_id: number } | undefined;
    if (existing) {
      db.exec('ROLLBACK');
      return {
        ...emptyOutcome(plan.path, existing.device_id, 'already-imported'),
        importer: plan.importer.id,
        locator: plan.locator,
        sha256,
        sourceId: existing.id,
      };
    }
    options.onProgress?.('committing', writer.lines);
    writer.finishSource(sha256);
    writer.restoreIndexes();
    await checkpoint();
    db.exec('COMMIT');
    outcome.status = 'imported';
    return outcome;
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    const unread = emptyOutcome(plan.path, null);
    if (e instanceof SourceRefused || e instanceof SourceCancelled) {
      return {
        ...unread,
        importer: plan.importer.id,
        locator: plan.locator,
        status: e instanceof SourceRefused ? 'refused' : 'cancelled',
        deviceId: typeof options.device === 'number' ? options.device : null,
        warnings: e instanceof SourceRefused ? outcome.warnings : [],
        sha256: e instanceof SourceRefused ? outcome.sha256 : null,
        error:
          e instanceof SourceRefused
            ? e.message
            : 'The import was cancelled; nothing of this file was kept.',
      };
    }
    throw describeSqliteError(e) ?? e;
  }
}

/** Who a container's phone is, as the examiner chose it. */
export interface DeviceChoice {
  deviceId?: number;
  label?: string;
}

/**
 * Binds the phone a container describes to a device of the case and records its facts and apps,
 * in one transaction with its audit entry. Returns the device id.
 */
export function storeDevice(
  db: Db,
  choice: DeviceChoice,
  device: DeviceRecord | null,
  apps: readonly AppRecord[],
  audit: Record<string, unknown>,
): number {
  try {
    db.exec('BEGIN IMMEDIATE');
  } catch (e) {
    throw describeSqliteError(e) ?? e;
  }
  try {
    let id: number;
    if (device) id = bindDevice(db, choice, device);
    else if (choice.deviceId !== undefined) id = choice.deviceId;
    else throw new AppError('INVALID_INPUT', 'Apps were listed before any device was named.');
    const resolver = new AppResolver(db, id);
    const setVersion = versionStatement(db);
    for (const a of apps) storeApp(db, id, resolver, setVersion, a);
    appendAudit(db, 'device', {
      deviceId: id,
      ...(device
        ? {
            platform: device.platform,
            [device.identity.column]: device.identity.value,
            facts: device.facts,
          }
        : {}),
      apps: apps.length,
      ...audit,
    });
    db.exec('COMMIT');
    return id;
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw describeSqliteError(e) ?? e;
  }
}

/** Columns a device record may set (the allow-list keeps record keys out of the SQL text). */
const FACT_COLUMNS = new Set([
  'model',
  'product_type',
  'os_version',
  'build_version',
  'sdk',
  'fingerprint',
  'serial',
  'imei',
  'phone_number',
  'time_zone',
]);

/** Binds a device record to a device (inside the caller's transaction) and records its facts. */
export function bindDevice(db: Db, choice: DeviceChoice, device: DeviceRecord): number {
  const id = bindPhoneDevice(db, {
    platform: device.platform,
    column: device.identity.column,
    value: device.identity.value,
    label: choice.deviceId === undefined ? choice.label : undefined,
    deviceId: choice.deviceId,
    defaultLabel: device.defaultLabel,
  });
  const facts = Object.entries(device.facts).filter(
    ([k, v]) => FACT_COLUMNS.has(k) && v !== null && v !== undefined,
  );
  const columns =
    device.identity.value !== null ? [[device.identity.column, device.identity.value]] : [];
  const sets = [...columns, ...facts] as [string, string | number][];
  db.prepare(
    `UPDATE devices SET platform = ?${sets.map(([k]) => `, ${k} = ?`).join('')} WHERE id = ?`,
  ).run(device.platform, ...sets.map(([, v]) => v), id);
  return id;
}

/** The statement that records an app's version and whether an inventory lists it. */
function versionStatement(db: Db): Statement {
  return db.prepare(
    `UPDATE apps SET version = COALESCE(?, version), inventory = MAX(inventory, ?)
     WHERE device_id = ? AND identifier = ?`,
  );
}

/** Stores what a source says of an app: a backup's name wins; otherwise its version. */
function storeApp(
  db: Db,
  deviceId: number,
  resolver: AppResolver,
  setVersion: Statement,
  a: AppRecord,
): void {
  if (a.name !== null) {
    recordBackupApp(db, deviceId, a.identifier, a.name, a.version);
    return;
  }
  resolver.idFor(a.identifier);
  setVersion.run(a.version, a.installed ? 1 : 0, deviceId, a.identifier);
}

/** An interval already stored before this source, to stamp with what this source reported. */
interface IntervalColumns {
  key: string;
  reported: ReportedColumns;
  linked: AccessIntervalRecord['linked'];
}

/**
 * Stores the records of one source (inside the transaction `storeSource` holds): every record
 * kind the model knows. Lives for one source.
 */
export class SourceWriter {
  lines = 0;
  private linesSeen = false;
  private records = 0;
  private intervals = 0;
  private warningCount = 0;
  private clock: AppliedClock | null = null;
  private capturedAtMs: number | null;
  private details: Record<string, unknown>;
  private readonly sourceId: number;
  private readonly edges: StoreWriter;
  private readonly lineStore: LineStore;
  private readonly apps: AppResolver;
  private readonly bulk: BulkIndexes;
  private readonly intervalColumns: IntervalColumns[] = [];
  private usageAdded = false;
  private readonly stmts;
  private readonly maxOutcomeWarnings: number;

  constructor(
    private readonly db: Db,
    private readonly deviceId: number,
    private readonly plan: SourcePlan,
    private readonly outcome: ImportOutcome,
    maxOutcomeWarnings = 1000,
  ) {
    this.maxOutcomeWarnings = maxOutcomeWarnings;
    this.capturedAtMs = plan.capturedAtMs;
    this.details = { ...(plan.details ?? {}) };
    this.sourceId = Number(
      db
        .prepare(
          `INSERT INTO sources (device_id, importer_id, importer_version, original_path, file_name, size, sha256,
             imported_at, container, locator) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          deviceId,
          plan.importer.id,
          plan.importer.version,
          plan.path,
          plan.name,
          plan.size,
          `pending-${randomUUID()}`,
          Date.now(),
          plan.container,
          plan.locator,
        ).lastInsertRowid,
    );
    outcome.sourceId = this.sourceId;
    const match = plan.matchLine;
    this.lineStore = new LineStore(db, this.sourceId);
    this.edges = new StoreWriter(
      db,
      deviceId,
      this.sourceId,
      (w) => this.warn(w),
      match ? (a, b) => match(a) === match(b) : undefined,
      this.lineStore,
    );
    this.apps = new AppResolver(db, deviceId);
    this.bulk = new BulkIndexes(db, 'access_sessions', BULK_DROPPED_INDEXES);
    this.stmts = {
      warning: db.prepare(
        'INSERT INTO source_warnings (source_id, line, locator, code, message) VALUES (?, ?, ?, ?, ?)',
      ),
      reject: db.prepare(
        `INSERT OR IGNORE INTO reject_records (device_id, app_id, source_id, record_key, op, category, time_ms,
           time_offset, state, raw_state, attribution_tag, proxy, line, raw_line)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      history: db.prepare(
        `INSERT OR IGNORE INTO op_history_records (device_id, app_id, source_id, record_key, op, category,
           attribution_tag, state, raw_state, begin_ms, end_ms, time_offset, access_count, reject_count,
           duration_ms, line, raw_line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      usage: db.prepare(
        `INSERT OR IGNORE INTO usage_records (device_id, app_id, source_id, record_key, type, class_name,
           instance_id, time_ms, time_offset, line, raw_line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      permission: db.prepare(
        `INSERT INTO permission_records (device_id, app_id, source_id, origin, raw, category, status, reason,
           time_ms, time_offset, locator, raw_fields) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      networkUsage: db.prepare(
        `INSERT INTO network_usage_records (device_id, app_id, source_id, origin, process, wifi_in, wifi_out,
           cell_in, cell_out, first_ms, last_ms, time_offset, locator, raw_fields)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      profile: db.prepare(
        `INSERT INTO profile_records (device_id, source_id, identifier, display_name, organization, operation,
           process, payload_types, mdm, vpn, root_certificate, time_ms, time_offset, locator, raw_fields)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      deviceState: db.prepare(
        `INSERT OR IGNORE INTO device_states (device_id, source_id, kind, value, from_ms, from_offset, to_ms,
           to_offset, basis, locator) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      coverage: db.prepare(
        `INSERT INTO device_state_coverage (device_id, source_id, kind, basis, from_ms, to_ms)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      proxyLine: db.prepare(
        'INSERT OR IGNORE INTO proxy_lines (session_id, source_id, line, app, raw_line) VALUES (?, ?, ?, ?, ?)',
      ),
      version: versionStatement(db),
    };
  }

  /** Records a warning: stored (up to a bound), counted, and kept in the outcome (up to a bound). */
  warn(w: ImportWarning): void {
    this.warningCount += 1;
    if (this.warningCount <= MAX_STORED_WARNINGS)
      this.stmts.warning.run(this.sourceId, w.line, w.locator, w.code, w.message);
    if (this.outcome.warnings.length < this.maxOutcomeWarnings) this.outcome.warnings.push(w);
  }

  private span(ms: number | null | undefined): void {
    if (ms === null || ms === undefined) return;
    this.edges.extendSpan(ms);
  }

  /** Stores a batch of records. Throws SourceRefused on a refusal record. */
  add(batch: readonly ImportRecord[]): void {
    for (const r of batch) this.addOne(r);
    this.edges.flushSummariesIfLarge();
    this.bulk.consider(this.edges.sessionsAdded, this.edges.sessionsScattered);
  }

  /** Waits for the line blocks being compressed in the background (all but a few). */
  settleLines(): Promise<void> {
    return this.lineStore.settle();
  }

  /** Creates again the session indexes a large source dropped; call before the commit. */
  restoreIndexes(): void {
    this.bulk.restore();
  }

  private addOne(r: ImportRecord): void {
    switch (r.type) {
      case 'access-edge':
        this.edges.addEdge(r);
        return;
      case 'access-interval':
        this.addInterval(r);
        return;
      case 'network':
        this.edges.addNetwork(r);
        return;
      case 'reject': {
        this.records += 1;
        this.span(r.time.ms);
        this.stmts.reject.run(
          this.deviceId,
          this.apps.idFor(r.app),
          this.sourceId,
          r.recordKey,
          r.op,
          r.category,
          r.time.ms,
          r.time.offsetMin,
          r.state,
          r.rawState,
          r.attributionTag,
          r.proxy ? JSON.stringify(r.proxy) : null,
          r.line,
          r.rawLine,
        );
        return;
      }
      case 'op-history':
        this.records += 1;
        this.stmts.history.run(
          this.deviceId,
          r.app === null ? null : this.apps.idFor(r.app),
          this.sourceId,
          r.recordKey,
          r.op,
          r.category,
          r.attributionTag,
          r.state,
          r.rawState,
          r.beginMs,
          r.endMs,
          r.offsetMin,
          r.accessCount,
          r.rejectCount,
          r.durationMs,
          r.line,
          r.rawLine,
        );
        return;
      case 'usage':
        this.records += 1;
        this.usageAdded = true;
        this.stmts.usage.run(
          this.deviceId,
          r.app === null ? null : this.apps.idFor(r.app),
          this.sourceId,
          r.recordKey,
          r.eventType,
          r.className,
          r.instanceId,
          r.time.ms,
          r.time.offsetMin,
          r.line,
          r.rawLine,
        );
        return;
      case 'permission':
        this.records += 1;
        this.span(r.time?.ms);
        this.stmts.permission.run(
          this.deviceId,
          this.apps.idFor(r.app),
          this.sourceId,
          r.origin,
          r.raw,
          r.category,
          r.status,
          r.reason,
          r.time?.ms ?? null,
          r.time?.offsetMin ?? null,
          r.locator,
          JSON.stringify(r.rawFields),
        );
        return;
      case 'network-usage': {
        this.records += 1;
        this.span(r.first?.ms);
        this.span(r.last?.ms);
        const at = r.last ?? r.first;
        this.stmts.networkUsage.run(
          this.deviceId,
          r.app === null ? null : this.apps.idFor(r.app),
          this.sourceId,
          r.origin,
          r.process,
          r.wifiIn,
          r.wifiOut,
          r.cellIn,
          r.cellOut,
          r.first?.ms ?? null,
          r.last?.ms ?? null,
          at?.offsetMin ?? null,
          r.locator,
          JSON.stringify(r.rawFields),
        );
        return;
      }
      case 'profile':
        this.records += 1;
        this.span(r.time?.ms);
        this.stmts.profile.run(
          this.deviceId,
          this.sourceId,
          r.identifier,
          r.displayName,
          r.organization,
          r.operation,
          r.process,
          JSON.stringify(r.payloadTypes),
          r.mdm ? 1 : 0,
          r.vpn ? 1 : 0,
          r.rootCertificate ? 1 : 0,
          r.time?.ms ?? null,
          r.time?.offsetMin ?? null,
          r.locator,
          JSON.stringify(r.rawFields),
        );
        return;
      case 'app':
        storeApp(this.db, this.deviceId, this.apps, this.stmts.version, r);
        return;
      case 'device':
        // A source that describes its own phone (a member read alone): its facts are recorded.
        bindDevice(this.db, { deviceId: this.deviceId }, r);
        return;
      case 'device-state':
        this.addDeviceState(r);
        return;
      case 'device-state-coverage':
        this.addCoverage(r);
        return;
      case 'refusal':
        throw new SourceRefused(r.message);
      case 'warning':
        this.warn(r.warning);
        return;
      case 'progress':
        this.lines = r.lines;
        this.linesSeen = true;
        return;
      case 'lines':
        this.lines += r.lines;
        this.linesSeen = true;
        return;
      case 'clock':
        this.clock = r.clock;
        if (r.capturedAtMs !== null) this.capturedAtMs = r.capturedAtMs;
        Object.assign(this.details, r.details);
        return;
      default: {
        const never: never = r;
        throw new Error(`Unhandled record ${JSON.stringify(never)}`);
      }
    }
  }

  private addDeviceState(r: DeviceStateRecord): void {
    this.records += 1;
    this.span(r.from.ms);
    this.span(r.to?.ms);
    this.stmts.deviceState.run(
      this.deviceId,
      this.sourceId,
      r.kind,
      r.value,
      r.from.ms,
      r.from.offsetMin,
      r.to?.ms ?? null,
      r.to?.offsetMin ?? null,
      r.basis,
      r.locator,
    );
  }

  private addCoverage(r: DeviceStateCoverageRecord): void {
    this.stmts.coverage.run(this.deviceId, this.sourceId, r.kind, r.basis, r.fromMs, r.toMs);
  }

  private addInterval(r: AccessIntervalRecord): void {
    this.records += 1;
    this.intervals += 1;
    const reported: ReportedColumns = {
      state: r.state,
      stateSource: r.rawState === null ? null : 'reported',
      rawState: r.rawState,
      attributionTag: r.attributionTag,
      proxy: r.proxy ? JSON.stringify(r.proxy) : null,
      durationKnown: r.durationKnown,
    };
    const id = this.edges.addInterval(r, reported);
    const linked = r.linked;
    if (id !== null) {
      // A new row holds its reported columns already; only a proxy's own line is added.
      if (linked)
        this.stmts.proxyLine.run(id, this.sourceId, linked.line, linked.app, linked.rawLine);
      return;
    }
    // The interval was already stored (an earlier capture): its columns are stamped at the end,
    // from a compact tuple, so memory holds no record.
    this.intervalColumns.push({ key: r.intervalKey, reported, linked });
  }

  /** Pairs what waits, stamps reported states on interval sessions, and applies the summaries. */
  finishDerived(): void {
    if (this.intervalColumns.length === 0) {
      this.edges.finishPairing();
    } else {
      // The state changes are applied with the sessions' own changes, in one pass.
      this.edges.finishPairing(false);
      this.stampIntervals();
      this.edges.applySummaries();
    }
    if (this.plan.importer.platform === 'android' && (this.usageAdded || this.intervals > 0))
      inferAndroidStates(this.db, this.deviceId);
  }

  private stampIntervals(): void {
    const db = this.db;
    const setColumns = db.prepare(
      `UPDATE access_sessions SET state = ?, state_source = ?, raw_state = ?, attribution_tag = ?, proxy = ?,
         duration_known = ? WHERE id = ?`,
    );
    // The row's stats cell and app state before the change, so the session stats follow it.
    const sessionOf = db.prepare(
      `SELECT s.id, s.app_id AS appId, s.category, s.local_day AS localDay, s.duration_ms AS durationMs,
              s.inferred_state AS inferredState, ${STATE_SQL} AS state
       FROM access_sessions s WHERE s.device_id = ? AND s.interval_key = ?`,
    );
    for (const { key, reported, linked } of this.intervalColumns) {
      const s = sessionOf.get(this.deviceId, key) as
        | {
            id: number;
            appId: number;
            category: string;
            localDay: number;
            durationMs: number | null;
            inferredState: 'foreground' | 'background' | null;
            state: SessionState;
          }
        | undefined;
      if (!s) continue;
      setColumns.run(
        reported.state,
        reported.stateSource,
        reported.rawState,
        reported.attributionTag,
        reported.proxy,
        reported.durationKnown ? 1 : 0,
        s.id,
      );
      this.edges.changeState(
        s.appId,
        s.category,
        s.localDay,
        s.state,
        eventState({
          state: reported.state,
          stateSource: reported.stateSource,
          inferredState: s.inferredState,
        }).state,
        s.durationMs,
      );
      if (linked)
        this.stmts.proxyLine.run(s.id, this.sourceId, linked.line, linked.app, linked.rawLine);
    }
    this.intervalColumns.length = 0;
  }

  /** Completes the source row, the outcome and the audit entry. */
  finishSource(sha256: string): void {
    this.lineStore.finish();
    const sessions = this.edges.countSessions();
    const e = this.edges;
    // An interval is two edges: counts of an interval source are of intervals, not edges.
    const perRecord = this.intervals > 0 ? 2 : 1;
    const access = this.intervals > 0 ? this.intervals : e.accessRows;
    const lines = this.linesSeen ? this.lines : this.records;
    const o = this.outcome;
    o.counts = {
      lines,
      access,
      network: e.networkRows,
      sessions: sessions.sessions,
      openSessions: sessions.open,
      records: this.records,
    };
    o.duplicateLines = Math.floor(e.duplicateLines / perRecord);
    o.alreadyStored = Math.floor(e.alreadyStored / perRecord);
    o.sha256 = sha256;
    if (this.clock) o.timeZone = this.clock;
    else if (e.offsets.size > 0) o.timeZone = fileClock(e.offsets);
    const details =
      Object.keys(this.details).length > 0 || this.clock ? JSON.stringify(this.details) : null;
    this.db
      .prepare(
        `UPDATE sources SET sha256 = ?, lines = ?, access_rows = ?, network_rows = ?, duplicate_lines = ?,
           already_stored = ?, sessions = ?, open_sessions = ?, warning_count = ?, data_from = ?, data_to = ?,
           record_rows = ?, captured_at = ?, details = ? WHERE id = ?`,
      )
      .run(
        sha256,
        lines,
        access,
        e.networkRows,
        o.duplicateLines,
        o.alreadyStored,
        sessions.sessions,
        sessions.open,
        this.warningCount,
        e.dataFrom,
        e.dataTo,
        this.records,
        this.capturedAtMs,
        details,
        this.sourceId,
      );
    // A source of a platform-specific format settles a device of unknown platform.
    if (this.plan.importer.platform !== 'unknown')
      this.db
        .prepare("UPDATE devices SET platform = ? WHERE id = ? AND platform = 'unknown'")
        .run(this.plan.importer.platform, this.deviceId);
    appendAudit(this.db, 'import', {
      sourceId: this.sourceId,
      deviceId: this.deviceId,
      path: this.plan.path,
      fileName: this.plan.name,
      ...(this.plan.container !== null
        ? { container: this.plan.container, locator: this.plan.locator }
        : {}),
      size: this.plan.size,
      sha256,
      importer: `${this.plan.importer.id}@${this.plan.importer.version}`,
      counts: o.counts,
      duplicateLines: o.duplicateLines,
      alreadyStored: o.alreadyStored,
      warnings: this.warningCount,
      ...(this.clock ? { clock: this.clock } : {}),
    });
  }
}

/** At most this many offsets are listed in an outcome (a file may carry many after crafting). */
const MAX_LISTED_OFFSETS = 12;

/** The clock of a file whose times carry their own UTC offsets: those offsets, ascending. */
export function fileClock(offsets: Iterable<number>): AppliedClock {
  const sorted = [...new Set(offsets)].filter(Number.isInteger).sort((a, b) => a - b);
  return { zone: null, offsets: sorted.slice(0, MAX_LISTED_OFFSETS), source: 'file' };
}

/** Throws when a device id does not exist (a caller's mistake, not the input's). */
export function requireDevice(db: Db, deviceId: number): void {
  if (!db.prepare('SELECT id FROM devices WHERE id = ?').get(deviceId))
    throw new AppError('NOT_FOUND', `No device with id ${deviceId} in this case.`);
}
