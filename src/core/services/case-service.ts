import { basename, resolve } from 'node:path';
import type { CaseInfo } from '../../contract/api';
import type { Device, Platform, SourceInfo } from '../../contract/records';
import type { ImportWarning, WarningCode } from '../../contract/warnings';
import { appendAudit } from '../db/audit';
import {
  buildCaseFile,
  createCaseDatabase,
  describeSqliteError,
  openCaseDatabase,
  pendingCasePath,
  publishCaseFile,
  removePendingCase,
  schemaVersion,
  type Db,
  type OpenCaseOptions,
} from '../db/open';
import { latestOffset } from '../db/queries/device-offset';
import { AppError } from '../model/errors';
import { moveSourceRows, removeSourceRows } from './source-edit';
import { QueryService } from './query-service';

interface DeviceRow {
  id: number;
  label: string;
  platform: Platform;
  model: string | null;
  os_version: string | null;
  time_zone: string | null;
  created_at: number;
  sources: number;
  udid: string | null;
  serial: string | null;
  imei: string | null;
  phone_number: string | null;
}

const toDevice = (db: Db, r: DeviceRow): Device => ({
  id: r.id,
  label: r.label,
  platform: r.platform,
  model: r.model,
  osVersion: r.os_version,
  timeZone: r.time_zone,
  offsetMin: latestOffset(db, r.id),
  identifiers: { udid: r.udid, serial: r.serial, imei: r.imei, phoneNumber: r.phone_number },
  sources: r.sources,
  createdAt: r.created_at,
});

const DEVICE_SQL = `SELECT d.*, (SELECT COUNT(*) FROM sources s WHERE s.device_id = d.id) AS sources FROM devices d`;

/** Runs `fn` in a write transaction; SQLite busy errors become a clear CASE_BUSY. */
export function writeTx<T>(db: Db, fn: () => T): T {
  try {
    return db.transaction(fn).immediate();
  } catch (e) {
    throw describeSqliteError(e) ?? e;
  }
}

/** One open case file: devices, sources and the queries over them. */
export class CaseSession {
  readonly queries: QueryService;

  private constructor(
    readonly db: Db,
    readonly path: string,
  ) {
    this.queries = new QueryService(db);
  }

  /**
   * Creates a case file; it appears complete, with the audit entry of its creation. CONFLICT when
   * a file is already there (also when another process created it a moment before).
   */
  static create(path: string): CaseSession {
    const full = resolve(path);
    const name = caseName(full);
    const db = createCaseDatabase(full, name, (d) =>
      appendAudit(d, 'case-created', { path: full, name }),
    );
    return new CaseSession(db, full);
  }

  /**
   * Builds a new case under a private name beside `path`, to be published there only once
   * something worth keeping is stored in it (`PendingCase.publish`) or dropped (`discard`). The
   * session's `path` is already the final one.
   */
  static createPending(path: string): PendingCase {
    const full = resolve(path);
    const name = caseName(full);
    const temp = pendingCasePath(full);
    const db = buildCaseFile(temp, name, (d) =>
      appendAudit(d, 'case-created', { path: full, name }),
    );
    return new PendingCase(new CaseSession(db, full), temp);
  }

  /**
   * Opens a case file. By default pending migrations are applied on this connection (the
   * command line); `upgrade: 'refuse'` refuses a case that needs one (workers), and `progress`
   * hears the upgrade's steps.
   */
  static open(path: string, options: OpenCaseOptions = {}): CaseSession {
    const full = resolve(path);
    return new CaseSession(openCaseDatabase(full, options), full);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /**
   * Begins a read transaction and reads, so its snapshot is taken now: everything read until the
   * caller commits sees the case as it is at this moment.
   */
  beginSnapshot(): void {
    this.db.exec('BEGIN');
    this.db.prepare('SELECT COUNT(*) FROM sources').get();
  }

  meta(key: string): string | null {
    const r = this.db.prepare('SELECT value FROM case_meta WHERE key = ?').get(key) as
      { value: string } | undefined;
    return r?.value ?? null;
  }

  info(): CaseInfo {
    const counts = this.db
      .prepare(
        // The coarsest rollup level holds every session once: a count without reading the sessions.
        'SELECT (SELECT COUNT(*) FROM sources) AS sources, (SELECT COALESCE(SUM(sessions), 0) FROM session_rollup WHERE level = 28) AS sessions',
      )
      .get() as { sources: number; sessions: number };
    return {
      path: this.path,
      name: this.meta('name') ?? basename(this.path),
      createdAt: Number(this.meta('created_at') ?? 0),
      schemaVersion: schemaVersion(this.db),
      devices: this.devices(),
      sources: counts.sources,
      sessions: counts.sessions,
      extent: this.queries.extent(),
    };
  }

  devices(): Device[] {
    return (this.db.prepare(`${DEVICE_SQL} ORDER BY d.label`).all() as DeviceRow[]).map((r) =>
      toDevice(this.db, r),
    );
  }

  device(id: number): Device {
    const r = this.db.prepare(`${DEVICE_SQL} WHERE d.id = ?`).get(id) as DeviceRow | undefined;
    if (!r) throw new AppError('NOT_FOUND', `No device with id ${id} in this case.`);
    return toDevice(this.db, r);
  }

  deviceByLabel(label: string): Device | null {
    const r = this.db.prepare(`${DEVICE_SQL} WHERE d.label = ? COLLATE NOCASE`).get(label) as
      DeviceRow | undefined;
    return r ? toDevice(this.db, r) : null;
  }

  createDevice(input: { label: string; platform?: Platform; timeZone?: string }): Device {
    const id = writeTx(this.db, () => this.insertDevice(input));
    return this.device(id);
  }

  /**
   * Adds a device with its audit entry inside the caller's transaction (so a rolled-back import
   * leaves no device behind) and returns its id; CONFLICT when the label is taken.
   */
  insertDevice(input: { label: string; platform?: Platform; timeZone?: string }): number {
    const label = input.label.trim();
    if (this.deviceByLabel(label))
      throw new AppError('CONFLICT', `A device labelled "${label}" already exists.`);
    const r = this.db
      .prepare('INSERT INTO devices (label, platform, time_zone, created_at) VALUES (?, ?, ?, ?)')
      .run(label, input.platform ?? 'unknown', input.timeZone ?? null, Date.now());
    const newId = Number(r.lastInsertRowid);
    appendAudit(this.db, 'device-created', {
      deviceId: newId,
      label,
      platform: input.platform ?? 'unknown',
    });
    return newId;
  }

  renameDevice(deviceId: number, label: string): Device {
    const before = this.device(deviceId);
    const other = this.deviceByLabel(label);
    if (other && other.id !== deviceId)
      throw new AppError('CONFLICT', `A device labelled "${label}" already exists.`);
    writeTx(this.db, () => {
      this.db.prepare('UPDATE devices SET label = ? WHERE id = ?').run(label.trim(), deviceId);
      appendAudit(this.db, 'device-renamed', { deviceId, from: before.label, to: label.trim() });
    });
    return this.device(deviceId);
  }

  sources(deviceId?: number): SourceInfo[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM sources ${deviceId ? 'WHERE device_id = ?' : ''} ORDER BY imported_at, id`,
      )
      .all(...(deviceId ? [deviceId] : [])) as {
      id: number;
      device_id: number;
      importer_id: string;
      importer_version: string;
      original_path: string;
      file_name: string;
      size: number;
      sha256: string;
      imported_at: number;
      lines: number;
      access_rows: number;
      network_rows: number;
      duplicate_lines: number;
      already_stored: number;
      sessions: number;
      open_sessions: number;
      warning_count: number;
      data_from: number | null;
      data_to: number | null;
      record_rows: number;
    }[];
    return rows.map((r) => ({
      id: r.id,
      deviceId: r.device_id,
      importer: r.importer_id,
      importerVersion: r.importer_version,
      path: r.original_path,
      fileName: r.file_name,
      size: r.size,
      sha256: r.sha256,
      importedAt: r.imported_at,
      counts: {
        lines: r.lines,
        access: r.access_rows,
        network: r.network_rows,
        sessions: r.sessions,
        openSessions: r.open_sessions,
        records: r.record_rows,
      },
      duplicateLines: r.duplicate_lines,
      alreadyStored: r.already_stored,
      warnings: r.warning_count,
      dataFrom: r.data_from,
      dataTo: r.data_to,
    }));
  }

  source(id: number): SourceInfo {
    const s = this.sources().find((x) => x.id === id);
    if (!s) throw new AppError('NOT_FOUND', `No source with id ${id} in this case.`);
    return s;
  }

  sourceWarnings(sourceId: number): ImportWarning[] {
    this.source(sourceId);
    return (
      this.db
        .prepare(
          'SELECT line, locator, code, message FROM source_warnings WHERE source_id = ? ORDER BY id',
        )
        .all(sourceId) as {
        line: number | null;
        locator: string;
        code: WarningCode;
        message: string;
      }[]
    ).map((w) => ({ line: w.line, locator: w.locator, code: w.code, message: w.message }));
  }

  /** Moves a source to another device; pairing is recomputed on both. */
  moveSource(sourceId: number, deviceId: number): SourceInfo {
    const src = this.source(sourceId);
    const target = this.device(deviceId);
    if (src.deviceId === deviceId) return src;
    writeTx(this.db, () => {
      const { conflicts } = moveSourceRows(this.db, sourceId, src.deviceId, deviceId);
      appendAudit(this.db, 'source-moved', {
        sourceId,
        sha256: src.sha256,
        fileName: src.fileName,
        fromDeviceId: src.deviceId,
        toDeviceId: deviceId,
        toDevice: target.label,
        conflicts: conflicts.length,
      });
    });
    return this.source(sourceId);
  }

  /** Removes a source and everything derived from it; pairing is recomputed. */
  removeSource(sourceId: number): void {
    const src = this.source(sourceId);
    writeTx(this.db, () => {
      removeSourceRows(this.db, sourceId, src.deviceId);
      appendAudit(this.db, 'source-removed', {
        sourceId,
        sha256: src.sha256,
        fileName: src.fileName,
        deviceId: src.deviceId,
      });
    });
  }
}

const caseName = (full: string): string => basename(full).replace(/\.snoopcase$/i, '');

/** Pending case files of this process, removed if it exits before publishing or discarding them. */
const pendingFiles = new Set<string>();
let exitHookInstalled = false;

/** A case built under a private name, not visible at its path until `publish`. */
export class PendingCase {
  private settled = false;

  constructor(
    readonly session: CaseSession,
    private readonly tempPath: string,
  ) {
    pendingFiles.add(tempPath);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      // A second Ctrl-C exits at once: the half-made case must not stay behind as litter.
      process.on('exit', () => {
        for (const f of pendingFiles) removePendingCase(f);
      });
    }
  }

  /**
   * Closes the session and makes the case appear at its path. CONFLICT when a file appeared
   * there meanwhile (another process created the case first); the pending case is then dropped.
   */
  publish(): void {
    this.finish(() => publishCaseFile(this.tempPath, this.session.path));
  }

  /** Closes the session and removes the pending case: nothing appears at the path. */
  discard(): void {
    this.finish(() => undefined);
  }

  private finish(step: () => void): void {
    if (this.settled) return;
    this.settled = true;
    this.session.close();
    try {
      step();
    } finally {
      removePendingCase(this.tempPath);
      pendingFiles.delete(this.tempPath);
    }
  }
}
