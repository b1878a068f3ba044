import { createHash } from 'node:crypto';
import { closeSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_NIGHT, inDayWindow, type DayWindow, type Filter } from '../../contract/filter';
import { formatInstant, formatUtc, msToSeconds } from '../../contract/time';
import { appendAudit } from '../db/audit';
import { AppError } from '../model/errors';
import type { CaseSession } from './case-service';
import { writeTx } from './case-service';
import { csvColumns, csvTable, FORMULA_GUARD_NOTE } from './csv';
import { STATE_SOURCE_SQL, STATE_SQL } from './filter-sql';
import { sessionId } from './session-ids';
import { deviceStateReader } from '../db/queries/device-state';

/** Columns of the sessions CSV, documented in the README. */
export const SESSION_CSV_COLUMNS = [
  'id',
  'device',
  'app',
  'app_name',
  'category',
  'raw_category',
  'start_local',
  'end_local',
  'start_utc',
  'end_utc',
  'duration_seconds',
  'open',
  'open_reason',
  'night',
  'state',
  'state_source',
  'conflict',
  'begin_source_sha256',
  'begin_line',
  'end_source_sha256',
  'end_line',
  'device_screen',
  'device_locked',
  'device_foreground_app',
  'device_state_basis',
] as const;

/**
 * The sessions CSV's writer: times, durations, flags, hashes and line numbers are values; the
 * rest (ids, device, app, names, categories as recorded, state source) is text from the evidence.
 */
export const SESSION_CSV = csvTable(
  csvColumns(SESSION_CSV_COLUMNS, [
    'start_local',
    'end_local',
    'start_utc',
    'end_utc',
    'duration_seconds',
    'open',
    'night',
    'conflict',
    'begin_source_sha256',
    'begin_line',
    'end_source_sha256',
    'end_line',
    'device_locked',
  ]),
);

/** How a writer rewrites free text (a bundle's redaction); the identity when not given. */
export type TextRewrite = (text: string) => string;

interface Row {
  device_id: number;
  interval_key: string;
  device: string;
  app: string;
  app_name: string | null;
  category: string;
  raw_category: string;
  start_ms: number | null;
  start_offset: number | null;
  end_ms: number | null;
  end_offset: number | null;
  anchor_minute: number;
  duration_ms: number | null;
  open: number;
  conflict: number;
  state: string;
  state_source: string | null;
  b_sha: string | null;
  b_line: number | null;
  e_sha: string | null;
  e_line: number | null;
}

/**
 * The filtered sessions as CSV lines (header first), one SQLite row at a time. `rewrite` is applied
 * to every free-text cell (a bundle's redaction); categories, states and numbers are left as they are.
 */
export function* sessionCsvLines(
  session: CaseSession,
  filter: Filter,
  night: DayWindow = DEFAULT_NIGHT,
  rewrite: TextRewrite = (t) => t,
): Generator<string, void, undefined> {
  const { where, params } = session.queries.sessionFilter(filter);
  const stmt = session.db.prepare(
    `SELECT s.device_id, s.interval_key, d.label AS device, a.identifier AS app, a.display_name AS app_name,
            s.category, s.raw_category, s.start_ms, s.start_offset, s.end_ms, s.end_offset, s.anchor_minute,
            s.duration_ms, s.open, s.conflict, ${STATE_SQL} AS state,
            ${STATE_SOURCE_SQL} AS state_source,
            bs.sha256 AS b_sha, s.b_line, es.sha256 AS e_sha, s.e_line
     FROM access_sessions s JOIN devices d ON d.id = s.device_id JOIN apps a ON a.id = s.app_id
     LEFT JOIN sources bs ON bs.id = s.b_source_id LEFT JOIN sources es ON es.id = s.e_source_id
     ${where} ORDER BY s.anchor_ms, d.label, a.identifier`,
  );
  const maybe = (t: string | null): string | null => (t === null ? null : rewrite(t));
  yield SESSION_CSV.header();
  const states = deviceStateReader(session.db);
  try {
    for (const r of stmt.iterate(...params) as IterableIterator<Row>) {
      const ds = states.at(r.device_id, r.start_ms);
      yield SESSION_CSV.row([
        rewrite(sessionId(r.device_id, r.interval_key)),
        rewrite(r.device),
        rewrite(r.app),
        maybe(r.app_name),
        r.category,
        rewrite(r.raw_category),
        r.start_ms !== null ? formatInstant(r.start_ms, r.start_offset ?? 0) : null,
        r.end_ms !== null ? formatInstant(r.end_ms, r.end_offset ?? 0) : null,
        r.start_ms !== null ? formatUtc(r.start_ms) : null,
        r.end_ms !== null ? formatUtc(r.end_ms) : null,
        r.duration_ms !== null ? msToSeconds(r.duration_ms) : null,
        r.open === 1,
        r.open === 1 ? (r.start_ms === null ? 'missing-begin' : 'missing-end') : null,
        inDayWindow(r.anchor_minute, night),
        r.state,
        r.state_source,
        r.conflict === 1,
        r.b_sha,
        r.b_line,
        r.e_sha,
        r.e_line,
        ds.screen,
        ds.locked,
        maybe(ds.foregroundApp),
        ds.basis,
      ]);
    }
  } finally {
    states.close();
  }
}

const WRITE_CHUNK_CHARS = 1 << 20;

/**
 * Writes the filtered sessions as CSV (UTF-8, header row, device-local and UTC times, source
 * sha256 and line numbers) plus a sidecar `<file>.json` with the filter so a reader can
 * reproduce it. Written to a temporary name first, then renamed.
 */
export function exportSessionsCsv(
  session: CaseSession,
  input: { filter: Filter; path: string; night?: DayWindow; version: string },
): { path: string; rows: number; sha256: string } {
  const path = resolve(input.path);
  const night = input.night ?? DEFAULT_NIGHT;
  const tmp = `${path}.partial`;
  const hash = createHash('sha256');
  let fd: number;
  try {
    fd = openSync(tmp, 'w');
  } catch (e) {
    throw new AppError('IO_ERROR', `Cannot write ${path}: ${(e as Error).message}`);
  }
  let rows = 0;
  try {
    // Lines are written about a megabyte at a time: one write per line costs a system call each.
    let held: string[] = [];
    let heldChars = 0;
    const flush = (): void => {
      const buf = Buffer.from(held.join(''), 'utf8');
      hash.update(buf);
      writeSync(fd, buf);
      held = [];
      heldChars = 0;
    };
    for (const line of sessionCsvLines(session, input.filter, night)) {
      held.push(line);
      heldChars += line.length;
      if (heldChars >= WRITE_CHUNK_CHARS) flush();
      rows += 1;
    }
    flush();
    rows -= 1; // the header
    closeSync(fd);
    renameSync(tmp, path);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(tmp, { force: true });
    throw e instanceof AppError
      ? e
      : new AppError('IO_ERROR', `Cannot write ${path}: ${(e as Error).message}`);
  }
  const sha256 = hash.digest('hex');
  const exportedAt = new Date().toISOString();
  writeFileSync(
    `${path}.json`,
    JSON.stringify(
      {
        tool: 'snoopscope',
        version: input.version,
        exportedAt,
        case: session.path,
        file: path,
        sha256,
        rows,
        filter: input.filter,
        night,
        devices: session.devices().map((d) => ({ id: d.id, label: d.label })),
        columns: SESSION_CSV_COLUMNS,
        valueColumns: SESSION_CSV.columns.filter((c) => c.kind === 'value').map((c) => c.name),
        note: 'Times in *_local columns are device-local with the offset recorded for that event; night uses device-local time.',
        formulaGuard: FORMULA_GUARD_NOTE,
      },
      null,
      2,
    ),
  );
  writeTx(session.db, () =>
    appendAudit(session.db, 'export-csv', {
      path,
      sha256,
      rows,
      filter: input.filter,
      night,
      exportedAt,
    }),
  );
  return { path, rows, sha256 };
}
