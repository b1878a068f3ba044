import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { fileKind } from '../zip/reader';

// Reads the device-state tables of an iOS PowerLog (`*.PLSQL`, SQLite) into typed, time-corrected
// state changes and intervals. The evidence file is only ever read into memory: SQLite opens a
// private in-memory copy (better-sqlite3's `new Database(buffer)`), so nothing is written next to
// the evidence (no -wal, -shm or -journal files) and the copy cannot change it. Table and value
// meanings, with their sources, are in docs/powerlog.md.

const KiB = 1024;
const MiB = 1024 * KiB;

/** The PowerLog table that records the clock corrections. */
export const TIME_OFFSET_TABLE = 'PLStorageOperator_EventForward_TimeOffset';

// Corrected instants outside these bounds are refused as implausible: the first iPhone OS shipped
// in 2007, and a far-future date is a damaged or crafted row, not a PowerLog record.
const EARLIEST_MS = Date.UTC(2007, 0, 1);
const LATEST_MS = Date.UTC(2100, 0, 1);

export type PowerLogErrorCode = 'NOT_FILE' | 'NOT_POWERLOG' | 'UNREADABLE' | 'LIMIT';

/** A refusal of the whole PowerLog file, in plain words. */
export class PowerLogError extends Error {
  override readonly name = 'PowerLogError';
  constructor(
    readonly code: PowerLogErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Where a change comes from: the table and the row's SQLite rowid. */
export interface PowerLogLocator {
  table: string;
  rowid: number;
}

/**
 * What a change is about.
 * - `lock`: value `true` locked, `false` unlocked (SBLock `Locked` 1/0).
 * - `screen`: value `'off'` blanked, `'on'` unblanked (SBBlank `Blanked` 1/0).
 * - `screen-app`: value the bundle id PowerLog attributes the screen to (ScreenState
 *   `bundleID`, e.g. `com.apple.lock-screen`); subject `display <n>`.
 * - `backlight`: value the raw `BacklightLevel` number (not interpreted; see the docs).
 * - `location-client`: value the client's `Type` text; subject the client; an end time when
 *   the row gives one.
 * - `camera`: value `'on'`/`'off'` for camera `State` 1/0, other numbers as stored; subject the
 *   bundle id.
 * - `app-state`: value the raw application `State` number (not interpreted); subject the app.
 */
export type PowerLogStateKind =
  'lock' | 'screen' | 'screen-app' | 'backlight' | 'location-client' | 'camera' | 'app-state';

/** How a row's timestamp was corrected. */
export type OffsetBasis =
  /** The latest time-offset record at or before the row (the offset in effect). */
  | 'in-effect'
  /** The row predates every time-offset record: the earliest record's offset was used. */
  | 'earliest'
  /** The PowerLog holds no usable time-offset record: the timestamp is uncorrected. */
  | 'none';

/** One row of a state table, corrected and typed. */
export interface PowerLogChange {
  kind: PowerLogStateKind;
  /** What the state is of, when a table tracks several (a display, a client, an app). */
  subject: string | null;
  value: boolean | string | number | null;
  /** Corrected instant, milliseconds since 1970 UTC. */
  atMs: number;
  /** Corrected end of the activity, for rows that record one (location clients). */
  endMs: number | null;
  /** The timestamp as stored, seconds (the PowerLog's own clock). */
  rawTimestamp: number;
  /** Seconds added to the stored timestamp. */
  offsetSeconds: number;
  offsetBasis: OffsetBasis;
  locator: PowerLogLocator;
}

/** A span during which a state held, between two rows (or a row and the coverage end). */
export interface PowerLogInterval {
  kind: PowerLogStateKind;
  subject: string | null;
  value: boolean | string | number | null;
  startMs: number;
  endMs: number;
  /** The row that set the state. */
  startLocator: PowerLogLocator;
  /** The row that replaced it, or null when the interval ends at the coverage end. */
  endLocator: PowerLogLocator | null;
}

/** The span one table covers: from its first to its last usable row (corrected). */
export interface PowerLogCoverage {
  kind: PowerLogStateKind;
  table: string;
  startMs: number;
  endMs: number;
  rows: number;
}

/** A time-offset record, as used for the correction. */
export interface PowerLogTimeOffset {
  rawTimestamp: number;
  systemSeconds: number;
  locator: PowerLogLocator;
}

/** Everything read from one PowerLog. */
export interface PowerLogStates {
  /** All usable rows, sorted by corrected time, then table, then rowid. */
  changes: PowerLogChange[];
  /** Intervals per kind and subject, sorted by start. Outside `coverage` nothing is known. */
  intervals: PowerLogInterval[];
  coverage: PowerLogCoverage[];
  timeOffsets: PowerLogTimeOffset[];
  /** State tables this PowerLog does not hold (or holds without the expected columns). */
  missingTables: string[];
  /** Rows or tables skipped, in plain sentences. */
  problems: string[];
}

/** Options of a PowerLog read. */
export interface ReadPowerLogOptions {
  /** Largest file read into memory (default 1 GiB). */
  maxBytes?: number;
  /** Most rows read from one table (default 2,000,000); more and the rest are skipped. */
  maxRowsPerTable?: number;
  /**
   * The capture instant (ms), when the caller knows it: a state table's coverage then runs to it,
   * since an EventForward row stays in effect until the next one. Without it, coverage ends at
   * the table's last row.
   */
  untilMs?: number;
}

type Row = Record<string, unknown>;
type Parsed = { subject: string | null; value: PowerLogChange['value']; end?: number | null };

interface TableSpec {
  table: string;
  kind: PowerLogStateKind;
  columns: readonly string[];
  optional?: readonly string[];
  /** Whether a row stays in effect until the next one (EventForward tables). */
  forward: boolean;
  parse(row: Row): Parsed | string;
}

const STATE_TABLES: readonly TableSpec[] = [
  {
    table: 'PLSpringBoardAgent_EventForward_SBLock',
    kind: 'lock',
    columns: ['Locked'],
    forward: true,
    parse: (r) => {
      const v = num(r.Locked);
      return v === 1
        ? { subject: null, value: true }
        : v === 0
          ? { subject: null, value: false }
          : 'Locked is neither 0 nor 1';
    },
  },
  {
    table: 'PLSpringBoardAgent_EventForward_SBBlank',
    kind: 'screen',
    columns: ['Blanked'],
    forward: true,
    parse: (r) => {
      const v = num(r.Blanked);
      return v === 1
        ? { subject: null, value: 'off' }
        : v === 0
          ? { subject: null, value: 'on' }
          : 'Blanked is neither 0 nor 1';
    },
  },
  {
    table: 'PLScreenStateAgent_EventForward_ScreenState',
    kind: 'screen-app',
    columns: ['bundleID'],
    optional: ['Display'],
    forward: true,
    parse: (r) => {
      const id = str(r.bundleID);
      if (id === null || id === '') return 'bundleID is empty or not text';
      const d = num(r.Display);
      return { subject: Number.isFinite(d) ? `display ${d}` : null, value: id };
    },
  },
  {
    table: 'PLScreenStateAgent_EventPoint_BacklightEvent',
    kind: 'backlight',
    columns: ['BacklightLevel'],
    forward: false,
    parse: (r) => {
      const v = num(r.BacklightLevel);
      return Number.isFinite(v) ? { subject: null, value: v } : 'BacklightLevel is not a number';
    },
  },
  {
    table: 'PLLocationAgent_EventForward_ClientStatus',
    kind: 'location-client',
    columns: [],
    optional: ['BundleId', 'Client', 'Executable', 'Type', 'timestampEnd'],
    forward: false,
    parse: (r) => {
      const client = nonEmpty(r.BundleId) ?? nonEmpty(r.Client) ?? nonEmpty(r.Executable);
      if (client === null) return 'the row names no client';
      const end = num(r.timestampEnd);
      return { subject: client, value: str(r.Type), end: Number.isFinite(end) ? end : null };
    },
  },
  {
    table: 'PLCameraAgent_EventForward_Camera',
    kind: 'camera',
    columns: ['State'],
    optional: ['BundleId'],
    forward: true,
    parse: (r) => {
      const v = num(r.State);
      if (!Number.isFinite(v)) return 'State is not a number';
      // APOLLO's powerlog_camera_state module reads State 0 as off and 1 as on (iOS 9-11);
      // any other value is passed on as stored.
      return { subject: nonEmpty(r.BundleId), value: v === 1 ? 'on' : v === 0 ? 'off' : v };
    },
  },
  {
    table: 'PLApplicationAgent_EventForward_Application',
    kind: 'app-state',
    columns: ['Identifier', 'State'],
    forward: true,
    parse: (r) => {
      const id = nonEmpty(r.Identifier);
      const v = num(r.State);
      if (id === null) return 'Identifier is empty or not text';
      if (!Number.isFinite(v)) return 'State is not a number';
      return { subject: id, value: v };
    },
  },
];

/** The state tables read, in the order they are read. */
export const POWERLOG_STATE_TABLES: readonly string[] = STATE_TABLES.map((t) => t.table);

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/**
 * Reads a PowerLog file into memory (never opening it writable, never creating files beside it)
 * and returns its device-state changes. Throws `PowerLogError` when the path is not a regular
 * file, is too large, or is not a readable SQLite PowerLog.
 */
export async function readPowerLogFile(
  path: string,
  options: ReadPowerLogOptions = {},
): Promise<PowerLogStates> {
  const max = options.maxBytes ?? 1024 * MiB;
  const handle = await open(path, OPEN_FLAGS);
  let bytes: Buffer;
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      throw new PowerLogError('NOT_FILE', `${path} is ${fileKind(stats)}, not a PowerLog file.`);
    }
    if (stats.size > max) {
      throw new PowerLogError(
        'LIMIT',
        `${path} is ${stats.size} bytes, more than the ${max} bytes a PowerLog may have here.`,
      );
    }
    bytes = Buffer.alloc(stats.size);
    let got = 0;
    while (got < bytes.length) {
      const { bytesRead } = await handle.read(bytes, got, bytes.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    bytes = bytes.subarray(0, got);
  } finally {
    await handle.close();
  }
  return parsePowerLog(bytes, options, path);
}

/**
 * Reads a PowerLog from its bytes (a private copy is opened in memory, read-only).
 * `label` names the file in messages.
 */
export function parsePowerLog(
  bytes: Uint8Array,
  options: ReadPowerLogOptions = {},
  label = 'the PowerLog',
): PowerLogStates {
  const maxRows = options.maxRowsPerTable ?? 2_000_000;
  const maxBytes = options.maxBytes ?? 1024 * MiB;
  if (bytes.length > maxBytes) {
    throw new PowerLogError(
      'LIMIT',
      `${label} is ${bytes.length} bytes, more than the ${maxBytes} bytes a PowerLog may have here.`,
    );
  }
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 100));
  if (head.length < 100 || head.subarray(0, 16).toString('latin1') !== 'SQLite format 3\0') {
    throw new PowerLogError(
      'NOT_POWERLOG',
      `${label} is not a SQLite database, so not a PowerLog.`,
    );
  }
  // A database in WAL mode (header bytes 18-19 = 2) cannot be opened from memory; the private
  // copy is marked as a rollback-journal database, which changes nothing in its pages. Pages that
  // lived only in a -wal file beside the original are not part of these bytes.
  const wal = head[18] === 2 || head[19] === 2;
  // SQLite deserializes from its own copy; the caller's bytes are copied here only to be patched.
  const copy = wal ? Buffer.from(bytes) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (copy[18] === 2) copy[18] = 1;
  if (copy[19] === 2) copy[19] = 1;
  let db: Database.Database;
  try {
    db = new Database(copy, { readonly: true });
  } catch (err) {
    throw new PowerLogError(
      'UNREADABLE',
      `${label} cannot be opened as SQLite: ${messageOf(err)}.`,
    );
  }
  try {
    let tables: Set<string>;
    try {
      tables = new Set(
        (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Row[])
          .map((r) => r.name)
          .filter((n): n is string => typeof n === 'string'),
      );
    } catch (err) {
      throw new PowerLogError(
        'UNREADABLE',
        `${label} cannot be read as SQLite: ${messageOf(err)}.`,
      );
    }
    if (![...tables].some((t) => t.startsWith('PL'))) {
      throw new PowerLogError(
        'NOT_POWERLOG',
        `${label} holds no PowerLog tables (no table named PL…).`,
      );
    }
    return readStates(db, tables, maxRows, options.untilMs, label);
  } finally {
    db.close();
  }
}

function readStates(
  db: Database.Database,
  tables: ReadonlySet<string>,
  maxRows: number,
  untilMs: number | undefined,
  label: string,
): PowerLogStates {
  const problems: string[] = [];
  const missingTables: string[] = [];
  const offsets = readOffsets(db, tables, maxRows, problems, label);
  const changes: PowerLogChange[] = [];
  const coverage: PowerLogCoverage[] = [];
  const forwardKinds = new Set<PowerLogStateKind>();
  for (const spec of STATE_TABLES) {
    const rows = readTable(
      db,
      tables,
      spec.table,
      spec.columns,
      spec.optional ?? [],
      maxRows,
      problems,
      label,
    );
    if (rows === null) {
      missingTables.push(spec.table);
      continue;
    }
    if (spec.forward) forwardKinds.add(spec.kind);
    const skipped = new Map<string, number>();
    const skip = (why: string): void => {
      skipped.set(why, (skipped.get(why) ?? 0) + 1);
    };
    const mine: PowerLogChange[] = [];
    for (const r of rows) {
      const rowid = num(r.__rowid);
      if (!Number.isSafeInteger(rowid)) {
        skip('its rowid is out of range');
        continue;
      }
      const raw = num(r.timestamp);
      const parsed = spec.parse(r);
      if (typeof parsed === 'string') {
        skip(parsed);
        continue;
      }
      const corrected = correct(raw, offsets);
      if (corrected === null) {
        skip('its timestamp is not a plausible date');
        continue;
      }
      let endMs: number | null = null;
      if (parsed.end !== undefined && parsed.end !== null) {
        const end = correct(parsed.end, offsets);
        if (end !== null && end.atMs >= corrected.atMs) endMs = end.atMs;
      }
      mine.push({
        kind: spec.kind,
        subject: parsed.subject,
        value: parsed.value,
        atMs: corrected.atMs,
        endMs,
        rawTimestamp: raw,
        offsetSeconds: corrected.offset,
        offsetBasis: corrected.basis,
        locator: { table: spec.table, rowid },
      });
    }
    for (const [why, n] of skipped) {
      problems.push(`${n} row${n === 1 ? '' : 's'} of ${spec.table} in ${label} skipped: ${why}.`);
    }
    if (mine.length === 0) continue;
    let start = Infinity;
    let end = -Infinity;
    for (const c of mine) {
      start = Math.min(start, c.atMs);
      end = Math.max(end, c.endMs ?? c.atMs);
    }
    if (spec.forward && untilMs !== undefined && untilMs <= LATEST_MS && untilMs > end)
      end = untilMs;
    coverage.push({
      kind: spec.kind,
      table: spec.table,
      startMs: start,
      endMs: end,
      rows: mine.length,
    });
    for (const c of mine) changes.push(c);
  }
  changes.sort(byTime);
  return {
    changes,
    intervals: toIntervals(changes, coverage, forwardKinds),
    coverage,
    timeOffsets: offsets,
    missingTables,
    problems,
  };
}

/** Orders changes by corrected time, then table, then rowid. */
function byTime(a: PowerLogChange, b: PowerLogChange): number {
  return (
    a.atMs - b.atMs ||
    (a.locator.table < b.locator.table ? -1 : a.locator.table > b.locator.table ? 1 : 0) ||
    a.locator.rowid - b.locator.rowid
  );
}

// EventForward rows hold until the next row of the same subject; the last one holds to the
// coverage end. Rows with their own end (location clients) are intervals by themselves. Point
// tables (backlight) give no intervals: a level sample says nothing about the time after it.
function toIntervals(
  changes: readonly PowerLogChange[],
  coverage: readonly PowerLogCoverage[],
  forwardKinds: ReadonlySet<PowerLogStateKind>,
): PowerLogInterval[] {
  const out: PowerLogInterval[] = [];
  const coverEnd = new Map(coverage.map((c) => [c.kind, c.endMs] as const));
  const groups = new Map<string, PowerLogChange[]>();
  for (const c of changes) {
    if (c.endMs !== null) {
      out.push({
        kind: c.kind,
        subject: c.subject,
        value: c.value,
        startMs: c.atMs,
        endMs: c.endMs,
        startLocator: c.locator,
        endLocator: c.locator,
      });
      continue;
    }
    if (!forwardKinds.has(c.kind)) continue;
    const key = `${c.kind}\u0000${c.subject ?? ''}`;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, [c]);
    else g.push(c);
  }
  for (const g of groups.values()) {
    for (let i = 0; i < g.length; i++) {
      const c = g[i]!;
      const next = g[i + 1];
      const endMs = next?.atMs ?? coverEnd.get(c.kind) ?? c.atMs;
      if (endMs <= c.atMs) continue;
      out.push({
        kind: c.kind,
        subject: c.subject,
        value: c.value,
        startMs: c.atMs,
        endMs,
        startLocator: c.locator,
        endLocator: next?.locator ?? null,
      });
    }
  }
  out.sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
  return out;
}

function readOffsets(
  db: Database.Database,
  tables: ReadonlySet<string>,
  maxRows: number,
  problems: string[],
  label: string,
): PowerLogTimeOffset[] {
  const rows = readTable(db, tables, TIME_OFFSET_TABLE, ['system'], [], maxRows, problems, label);
  if (rows === null) {
    problems.push(
      `${label} has no usable ${TIME_OFFSET_TABLE} table: its timestamps are left uncorrected.`,
    );
    return [];
  }
  const out: PowerLogTimeOffset[] = [];
  let bad = 0;
  for (const r of rows) {
    const rowid = num(r.__rowid);
    const t = num(r.timestamp);
    const s = num(r.system);
    // An offset beyond a few years is a damaged row: PowerLog corrects clock drift and time
    // changes, not decades.
    if (
      !Number.isSafeInteger(rowid) ||
      !Number.isFinite(t) ||
      !Number.isFinite(s) ||
      Math.abs(s) > 5 * 365 * 86400
    ) {
      bad++;
      continue;
    }
    out.push({ rawTimestamp: t, systemSeconds: s, locator: { table: TIME_OFFSET_TABLE, rowid } });
  }
  if (bad > 0)
    problems.push(
      `${bad} row${bad === 1 ? '' : 's'} of ${TIME_OFFSET_TABLE} in ${label} skipped: unusable timestamp or offset.`,
    );
  if (out.length === 0 && rows.length === 0) {
    problems.push(`${label} has no time-offset records: its timestamps are left uncorrected.`);
  }
  out.sort((a, b) => a.rawTimestamp - b.rawTimestamp || a.locator.rowid - b.locator.rowid);
  return out;
}

// The offset in effect at a row is that of the latest time-offset record whose own (stored)
// timestamp is at or before the row's stored timestamp; rows older than every record take the
// earliest record's offset (the same rule as iLEAPP's PowerLog artifacts; see docs/powerlog.md).
function correct(
  raw: number,
  offsets: readonly PowerLogTimeOffset[],
): { atMs: number; offset: number; basis: OffsetBasis } | null {
  if (!Number.isFinite(raw)) return null;
  let offset = 0;
  let basis: OffsetBasis = 'none';
  if (offsets.length > 0) {
    let lo = 0;
    let hi = offsets.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (offsets[mid]!.rawTimestamp <= raw) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found >= 0) {
      offset = offsets[found]!.systemSeconds;
      basis = 'in-effect';
    } else {
      offset = offsets[0]!.systemSeconds;
      basis = 'earliest';
    }
  }
  const atMs = Math.round((raw + offset) * 1000);
  if (!Number.isFinite(atMs) || atMs < EARLIEST_MS || atMs > LATEST_MS) return null;
  return { atMs, offset, basis };
}

// Reads a table's rowid, timestamp and named columns; null when the table or a required column
// is missing. SQLite errors (a damaged page) are reported and end that table only.
function readTable(
  db: Database.Database,
  tables: ReadonlySet<string>,
  table: string,
  columns: readonly string[],
  optional: readonly string[],
  maxRows: number,
  problems: string[],
  label: string,
): Row[] | null {
  if (!tables.has(table)) return null;
  try {
    const info = db.prepare(`PRAGMA table_info("${table}")`).all() as Row[];
    const have = new Set(info.map((c) => c.name));
    const lacking = ['timestamp', ...columns].filter((c) => !have.has(c));
    if (lacking.length > 0) {
      problems.push(
        `${table} in ${label} lacks the column${lacking.length === 1 ? '' : 's'} ${lacking.join(', ')}; it is not read.`,
      );
      return null;
    }
    const wanted = ['timestamp', ...columns, ...optional.filter((c) => have.has(c))];
    const stmt = db
      .prepare(
        `SELECT rowid AS __rowid, ${wanted.map((c) => `"${c}"`).join(', ')} FROM "${table}" ORDER BY rowid LIMIT ?`,
      )
      .safeIntegers(true);
    const rows = stmt.all(maxRows + 1) as Row[];
    if (rows.length > maxRows) {
      problems.push(
        `${table} in ${label} holds more than ${maxRows} rows; only the first ${maxRows} are read.`,
      );
      rows.length = maxRows;
    }
    return rows;
  } catch (err) {
    problems.push(`${table} in ${label} could not be read: ${messageOf(err)}.`);
    return [];
  }
}

function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') {
    return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(v)
      : NaN;
  }
  return NaN;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function nonEmpty(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function messageOf(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.replace(/\.$/, '');
}

/**
 * The capture time a sysdiagnose writes into a PowerLog's file name
 * (`powerlog_2021-12-16_05-54_84E2141B.PLSQL`), as device-local wall time `YYYY-MM-DDTHH:MM`
 * without a zone (the name carries none), or null when the name has no such time.
 */
export function captureLocalTimeFromName(name: string): string | null {
  const m = /powerlog_(\d{4})-(\d{2})-(\d{2})_(\d{2})-(\d{2})_[0-9A-Fa-f]+\.PLSQL$/.exec(name);
  if (m === null) return null;
  const [, y, mo, d, h, mi] = m;
  if (
    Number(mo) < 1 ||
    Number(mo) > 12 ||
    Number(d) < 1 ||
    Number(d) > 31 ||
    Number(h) > 23 ||
    Number(mi) > 59
  ) {
    return null;
  }
  return `${y}-${mo}-${d}T${h}:${mi}`;
}
