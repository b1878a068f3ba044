import type Database from 'better-sqlite3';
import type { ImporterManifest } from '../../importer';
import { parseCoreDataTime } from './core-data-time';

/** One row of per-process network usage from `DataUsage.sqlite`, at the source's own granularity. */
export interface NetworkUsageRecord {
  /** `ZLIVEUSAGE` rowid, or null for a process row without live usage. */
  liveRowid: number | null;
  /** `ZPROCESS.Z_PK` the usage belongs to (as stored in `ZHASPROCESS`; it may point nowhere). */
  processRowid: number | null;
  /** `ZPROCNAME` as stored: `UUID/bundle`, `executable/bundle` or a bare process name. */
  process: string | null;
  /** `ZBUNDLENAME`, else the bundle after `UUID/` in `ZPROCNAME`, else null. */
  bundleId: string | null;
  /** The executable named before `/` in `ZPROCNAME` (or the whole name without `/`); null for `UUID/…`. */
  executable: string | null;
  /** `ZLIVEUSAGE.ZKIND` as stored (the real fixture has 0, 2 and 255); null when absent. */
  kind: number | null;
  wifiIn: number | null;
  wifiOut: number | null;
  cellIn: number | null;
  cellOut: number | null;
  /** `ZPROCESS.ZFIRSTTIMESTAMP`, epoch ms. */
  firstSeenMs: number | null;
  /** `ZLIVEUSAGE.ZTIMESTAMP` (or `ZPROCESS.ZTIMESTAMP` for a process row without usage), epoch ms. */
  lastSeenMs: number | null;
  /** `ZLIVEUSAGE rowid N` or `ZPROCESS rowid N`. */
  locator: string;
}

/** What `readDataUsage` found: one record per usage row (and per unused process), and problems. */
export interface DataUsageResult {
  records: NetworkUsageRecord[];
  problems: string[];
}

export const dataUsageManifest: ImporterManifest = {
  id: 'ios-backup-data-usage',
  name: 'iOS per-process data usage (DataUsage.sqlite)',
  version: '1.0.0',
  platform: 'ios',
  reads:
    'WirelessDomain · Library/Databases/DataUsage.sqlite from an iOS backup: ZPROCESS joined to ZLIVEUSAGE ' +
    '(Core Data, times in seconds since 2001-01-01 UTC). Missing ZWIFI*/ZWWAN* columns are tolerated.',
  proves: [
    'iOS attributed Wi-Fi and/or cellular traffic to the named process or bundle, with the byte counts it stored in each ZLIVEUSAGE row.',
    'When iOS first recorded the process (ZFIRSTTIMESTAMP) and when it last updated each usage row (ZTIMESTAMP), by the device clock.',
  ],
  doesNotProve: [
    'Which hosts or domains were contacted: the database holds no destinations.',
    'What was sent or received: only byte counts, no content.',
    'When within the period the bytes flowed: counters are cumulative per row, with one timestamp per update.',
    'Totals per app: rows are kept apart and must not be summed blindly (e.g. a CumulativeUsageTracker row holds a device-wide total, and a bundle appears under several executables such as mDNSResponder/…).',
    'That the user was present or that the app was in the foreground.',
  ],
};

const UUID_PREFIX = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\//i;

const PROCESS_COLUMNS = [
  'Z_PK',
  'ZPROCNAME',
  'ZBUNDLENAME',
  'ZFIRSTTIMESTAMP',
  'ZTIMESTAMP',
] as const;
const LIVE_COLUMNS = [
  'ZHASPROCESS',
  'ZKIND',
  'ZTIMESTAMP',
  'ZWIFIIN',
  'ZWIFIOUT',
  'ZWWANIN',
  'ZWWANOUT',
] as const;
// MVT tolerates databases without these (ios-backup.md §10); their absence is reported once.
const BYTE_COLUMNS = ['ZWIFIIN', 'ZWIFIOUT', 'ZWWANIN', 'ZWWANOUT'] as const;

type Row = Record<string, unknown>;

interface ProcessRow {
  rowid: number;
  pk: number;
  name: string | null;
  bundle: string | null;
  first: unknown;
  last: unknown;
}

/**
 * Reads per-process network usage from an open `DataUsage.sqlite` (ios-backup.md §10).
 * One record per `ZLIVEUSAGE` row, joined to its `ZPROCESS` row, plus one record with null byte
 * counts per process that has no usage row. Missing tables or columns, dangling references and
 * implausible values become problems with their locator; nothing throws for bad content.
 */
export function readDataUsage(db: Database.Database): DataUsageResult {
  const problems: string[] = [];
  const records: NetworkUsageRecord[] = [];

  const processCols = columnsOf(db, 'ZPROCESS');
  const liveCols = columnsOf(db, 'ZLIVEUSAGE');
  if (processCols === null)
    problems.push('DataUsage.sqlite has no ZPROCESS table: usage rows cannot be named.');
  if (liveCols === null)
    problems.push('DataUsage.sqlite has no ZLIVEUSAGE table: no byte counts are available.');

  const processes = new Map<number, ProcessRow>();
  if (processCols !== null) {
    for (const c of PROCESS_COLUMNS) {
      if (!processCols.has(c)) problems.push(`ZPROCESS has no ${c} column; it is read as null.`);
    }
    const pkExpr = processCols.has('Z_PK') ? 'Z_PK' : 'rowid';
    const sql = `SELECT rowid AS _rowid, ${pkExpr} AS _pk, ${select(processCols, PROCESS_COLUMNS.slice(1))} FROM ZPROCESS ORDER BY rowid`;
    for (const r of db.prepare(sql).iterate() as IterableIterator<Row>) {
      const rowid = Number(r._rowid);
      const pk = Number(r._pk);
      processes.set(pk, {
        rowid,
        pk,
        name: text(r.ZPROCNAME),
        bundle: text(r.ZBUNDLENAME),
        first: r.ZFIRSTTIMESTAMP,
        last: r.ZTIMESTAMP,
      });
    }
  }

  const used = new Set<number>();
  if (liveCols !== null) {
    for (const c of LIVE_COLUMNS) {
      if (liveCols.has(c)) continue;
      if ((BYTE_COLUMNS as readonly string[]).includes(c)) {
        problems.push(
          `ZLIVEUSAGE has no ${c} column (older or newer schema); those byte counts are null.`,
        );
      } else if (c !== 'ZKIND') {
        problems.push(`ZLIVEUSAGE has no ${c} column; it is read as null.`);
      }
    }
    const sql = `SELECT rowid AS _rowid, ${select(liveCols, LIVE_COLUMNS)} FROM ZLIVEUSAGE ORDER BY rowid`;
    for (const r of db.prepare(sql).iterate() as IterableIterator<Row>) {
      const liveRowid = Number(r._rowid);
      const locator = `ZLIVEUSAGE rowid ${liveRowid}`;
      const ref = integer(r.ZHASPROCESS);
      const proc = ref === null ? undefined : processes.get(ref);
      if (ref !== null && proc !== undefined) used.add(ref);
      else if (processCols !== null && liveCols.has('ZHASPROCESS')) {
        problems.push(
          ref === null
            ? `${locator}: ZHASPROCESS is empty; the usage belongs to no process.`
            : `${locator}: ZHASPROCESS ${ref} names no ZPROCESS row; the usage is kept unnamed.`,
        );
      }
      records.push({
        liveRowid,
        processRowid: ref,
        ...naming(proc?.name ?? null, proc?.bundle ?? null),
        kind: integer(r.ZKIND),
        wifiIn: bytes(r.ZWIFIIN, 'ZWIFIIN', locator, problems),
        wifiOut: bytes(r.ZWIFIOUT, 'ZWIFIOUT', locator, problems),
        cellIn: bytes(r.ZWWANIN, 'ZWWANIN', locator, problems),
        cellOut: bytes(r.ZWWANOUT, 'ZWWANOUT', locator, problems),
        firstSeenMs:
          proc === undefined
            ? null
            : time(proc.first, 'ZFIRSTTIMESTAMP', `ZPROCESS rowid ${proc.rowid}`, problems),
        lastSeenMs: time(r.ZTIMESTAMP, 'ZTIMESTAMP', locator, problems),
        locator,
      });
    }
  }

  for (const p of processes.values()) {
    if (used.has(p.pk)) continue;
    const locator = `ZPROCESS rowid ${p.rowid}`;
    records.push({
      liveRowid: null,
      processRowid: p.pk,
      ...naming(p.name, p.bundle),
      kind: null,
      wifiIn: null,
      wifiOut: null,
      cellIn: null,
      cellOut: null,
      firstSeenMs: time(p.first, 'ZFIRSTTIMESTAMP', locator, problems),
      lastSeenMs: time(p.last, 'ZTIMESTAMP', locator, problems),
      locator,
    });
  }
  return { records, problems };
}

/** Column names of a table, or null when the table does not exist. */
function columnsOf(db: Database.Database, table: string): Set<string> | null {
  const rows = db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[];
  return rows.length === 0 ? null : new Set(rows.map((r) => r.name));
}

function select(present: Set<string>, wanted: readonly string[]): string {
  return wanted.map((c) => (present.has(c) ? c : `NULL AS ${c}`)).join(', ');
}

function naming(
  name: string | null,
  bundle: string | null,
): Pick<NetworkUsageRecord, 'process' | 'bundleId' | 'executable'> {
  if (name === null) return { process: null, bundleId: bundle, executable: null };
  const slash = name.indexOf('/');
  if (UUID_PREFIX.test(name)) {
    return { process: name, bundleId: bundle ?? (name.slice(slash + 1) || null), executable: null };
  }
  return {
    process: name,
    bundleId: bundle,
    executable: slash < 0 ? name : name.slice(0, slash) || null,
  };
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function integer(v: unknown): number | null {
  if (typeof v === 'bigint') return Number(v);
  return typeof v === 'number' && Number.isInteger(v) ? v : null;
}

function bytes(v: unknown, column: string, locator: string, problems: string[]): number | null {
  if (v === null || v === undefined) return null;
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n === 'number' && Number.isFinite(n) && n >= 0) return n;
  problems.push(`${locator}: ${column} is ${String(v)}, not a byte count; it is read as null.`);
  return null;
}

function time(v: unknown, column: string, locator: string, problems: string[]): number | null {
  const r = parseCoreDataTime(v);
  if (r.ok) return r.ms;
  problems.push(`${locator}: ${column} ${r.reason}; it is read as null.`);
  return null;
}
