import type Database from 'better-sqlite3';
import type { Category } from '../../../../contract/categories';
import { tccCategory } from '../../../../contract/tcc-services';
import type { ImporterManifest } from '../../importer';

/** A value of one SQLite column as better-sqlite3 returns it. */
export type SqliteValue = string | number | bigint | Uint8Array | null;

/** One row of TCC.db `access`: the current permission state of one client for one service. */
export interface TccRecord {
  rowid: number;
  /** The raw `service` value, e.g. `kTCCServiceCamera`. */
  service: string;
  category: Category;
  /** A bundle id or an executable path, as `clientType` says. */
  client: string;
  clientType: 'bundle' | 'path' | 'unknown';
  /** The raw `client_type`, null when the column is absent or empty. */
  clientTypeCode: number | null;
  status: 'granted' | 'denied' | 'limited' | 'unknown';
  /** The raw `auth_value` (modern schema) or `allowed` (older schema). */
  statusCode: number | null;
  /** `auth_reason` in words; `unrecognised (N)` for an undocumented code. */
  reason: string | null;
  reasonCode: number | null;
  /** `last_modified` (Unix seconds) as epoch ms; null in older schemas. */
  lastModifiedMs: number | null;
  /** Every other column of the row, raw (`auth_version`, `prompt_count`, `indirect_object_identifier`, `csreq`, …). */
  extra: Record<string, SqliteValue>;
  locator: string;
}

export type TccSchema = 'modern' | 'legacy' | 'unknown';

export const tccManifest: ImporterManifest = {
  id: 'ios-backup-tcc',
  name: 'iOS permissions (TCC.db)',
  version: '1.0.0',
  platform: 'ios',
  reads:
    'HomeDomain Library/TCC/TCC.db, table access: the modern schema (auth_value, auth_reason, ' +
    'last_modified) and the older one (allowed, prompt_count).',
  proves: [
    'At backup time, the named app (bundle id or path) held the recorded permission state ' +
      '(granted, denied, limited or undetermined) for the named service.',
    'Modern schema: when that entry last changed (last_modified, device clock) and how it was set ' +
      '(auth_reason: user consent, system, MDM policy, …).',
  ],
  doesNotProve: [
    'Any use of the resource: a grant is permission, not access. Use access records for that.',
    'Earlier states: only the current row is kept; a grant later revoked, or an uninstalled app, leaves no trace here.',
    'When the permission was first granted: last_modified is the last change only.',
    'That the entries cover every service: which services current iOS stores in this file is unverified (location is held by locationd).',
  ],
};

// auth_value and auth_reason codes: reference ios-backup.md §10 (TCC.db row).
const AUTH_VALUES: ReadonlyMap<number, TccRecord['status']> = new Map([
  [0, 'denied'],
  [1, 'unknown'],
  [2, 'granted'],
  [3, 'limited'],
] as const);

const AUTH_REASONS: ReadonlyMap<number, string> = new Map([
  [1, 'error'],
  [2, 'user consent'],
  [3, 'user set'],
  [4, 'system set'],
  [5, 'service policy'],
  [6, 'MDM policy'],
  [7, 'override policy'],
  [8, 'missing usage string'],
  [9, 'prompt timeout'],
  [10, 'preflight unknown'],
  [11, 'entitled'],
  [12, 'app type policy'],
]);

const CLIENT_TYPES: ReadonlyMap<number, TccRecord['clientType']> = new Map([
  [0, 'bundle'],
  [1, 'path'],
] as const);

// Numeric columns read into named fields; the rest, and any of these that does not parse, go to `extra`.
const NUMERIC = ['client_type', 'auth_value', 'allowed', 'auth_reason', 'last_modified'] as const;

/** The readable meaning of an `auth_reason` code, `unrecognised (N)` when undocumented. */
export function tccReasonLabel(code: number): string {
  return AUTH_REASONS.get(code) ?? `unrecognised (${code})`;
}

/**
 * Reads every row of TCC.db `access` from an open database.
 * Never throws for content: a missing table or an unexpected schema is returned as a problem, and a
 * row with an undocumented value keeps it raw (status `unknown`) with a problem naming its rowid.
 * A database that cannot be read (damaged, closed) throws SQLite's error, as every SQLite artifact
 * reader does, so the artifact is refused rather than imported empty.
 */
export function readTccDb(db: Database.Database): { records: TccRecord[]; problems: string[] } {
  const problems: string[] = [];
  const columns = (db.prepare('PRAGMA table_info(access)').all() as Array<{ name: string }>).map(
    (c) => String(c.name),
  );
  if (columns.length === 0) {
    return { records: [], problems: ['TCC.db has no access table'] };
  }
  const has = new Set(columns);
  const missing = ['service', 'client'].filter((c) => !has.has(c));
  if (missing.length > 0) {
    return {
      records: [],
      problems: [
        `TCC.db access table lacks ${missing.join(' and ')} (columns: ${columns.join(', ')})`,
      ],
    };
  }
  const schema: TccSchema = has.has('auth_value')
    ? 'modern'
    : has.has('allowed')
      ? 'legacy'
      : 'unknown';
  if (schema === 'unknown') {
    problems.push(
      `TCC.db access table has neither auth_value nor allowed (columns: ${columns.join(', ')}); every status is unknown`,
    );
  }

  let rows: Array<Record<string, SqliteValue>>;
  let ordinalLocators = false;
  try {
    rows = db.prepare('SELECT rowid AS "__snoopscope_rowid", * FROM access').all() as Array<
      Record<string, SqliteValue>
    >;
  } catch (e) {
    // A WITHOUT ROWID table has no rowid: rows are numbered in scan order instead. Any other
    // failure is the database's own, and is thrown.
    if (!/no such column: rowid/i.test(errorText(e))) throw e;
    ordinalLocators = true;
    rows = db.prepare('SELECT * FROM access').all() as Array<Record<string, SqliteValue>>;
    problems.push('TCC.db access table has no rowid; locators give the row number in scan order');
  }

  const records: TccRecord[] = [];
  rows.forEach((row, index) => {
    const rowid = ordinalLocators ? index + 1 : (toInt(row['__snoopscope_rowid']) ?? index + 1);
    const locator = ordinalLocators ? `access row ${rowid}` : `access rowid ${rowid}`;
    const record = readRow(row, schema, rowid, locator, columns, problems);
    if (record) records.push(record);
  });
  return { records, problems };
}

function readRow(
  row: Record<string, SqliteValue>,
  schema: TccSchema,
  rowid: number,
  locator: string,
  columns: string[],
  problems: string[],
): TccRecord | null {
  const service = toText(row['service']);
  const client = toText(row['client']);
  if (service === null || client === null) {
    problems.push(`${locator}: no service or client; row skipped`);
    return null;
  }

  const clientTypeCode = toInt(row['client_type']);
  const clientType =
    clientTypeCode === null ? 'unknown' : (CLIENT_TYPES.get(clientTypeCode) ?? 'unknown');
  if (clientTypeCode !== null && !CLIENT_TYPES.has(clientTypeCode)) {
    problems.push(`${locator}: client_type ${clientTypeCode} is not documented`);
  }

  const { status, statusCode } = readStatus(row, schema, locator, problems);

  const reasonCode = toInt(row['auth_reason']);
  const reason = reasonCode === null ? null : tccReasonLabel(reasonCode);
  if (reasonCode !== null && !AUTH_REASONS.has(reasonCode)) {
    problems.push(`${locator}: auth_reason ${reasonCode} is not documented`);
  }

  const seconds = toNumber(row['last_modified']);
  const lastModifiedMs = seconds === null ? null : Math.round(seconds * 1000);

  const extra: Record<string, SqliteValue> = {};
  const statusColumn = schema === 'legacy' ? 'allowed' : 'auth_value';
  for (const column of columns) {
    if (column === 'service' || column === 'client') continue;
    const raw = row[column] ?? null;
    const named = (NUMERIC as readonly string[]).includes(column);
    if (!named || (column === 'allowed' && statusColumn !== 'allowed')) {
      extra[column] = raw;
    } else if (raw !== null && (column === 'last_modified' ? toNumber(raw) : toInt(raw)) === null) {
      extra[column] = raw;
      const what = column === 'last_modified' ? 'a number' : 'an integer';
      problems.push(`${locator}: ${column} is not ${what} (${describe(raw)}); kept raw in extra`);
    }
  }

  return {
    rowid,
    service,
    category: tccCategory(service),
    client,
    clientType,
    clientTypeCode,
    status,
    statusCode,
    reason,
    reasonCode,
    lastModifiedMs,
    extra,
    locator,
  };
}

function readStatus(
  row: Record<string, SqliteValue>,
  schema: TccSchema,
  locator: string,
  problems: string[],
): Pick<TccRecord, 'status' | 'statusCode'> {
  switch (schema) {
    case 'modern': {
      const code = toInt(row['auth_value']);
      if (code === null) return { status: 'unknown', statusCode: null };
      const status = AUTH_VALUES.get(code);
      if (status === undefined) {
        problems.push(`${locator}: auth_value ${code} is not documented; status unknown`);
      }
      return { status: status ?? 'unknown', statusCode: code };
    }
    case 'legacy': {
      const code = toInt(row['allowed']);
      if (code === null) return { status: 'unknown', statusCode: null };
      if (code !== 0 && code !== 1) {
        problems.push(`${locator}: allowed ${code} is not 0 or 1; status unknown`);
        return { status: 'unknown', statusCode: code };
      }
      return { status: code === 1 ? 'granted' : 'denied', statusCode: code };
    }
    case 'unknown':
      return { status: 'unknown', statusCode: null };
    default: {
      const never: never = schema;
      throw new Error(`unhandled TCC schema ${String(never)}`);
    }
  }
}

function toNumber(v: SqliteValue | undefined): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) return Number(v);
  return null;
}

function toInt(v: SqliteValue | undefined): number | null {
  const n = toNumber(v);
  return n !== null && Number.isInteger(n) ? n : null;
}

function toText(v: SqliteValue | undefined): string | null {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  return null;
}

function describe(v: SqliteValue): string {
  if (v instanceof Uint8Array) return `${v.length}-byte blob`;
  return JSON.stringify(typeof v === 'bigint' ? v.toString() : v);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
