import { DEFAULT_NIGHT, minutesOfDay, type DayWindow, type Filter } from '../../contract/filter';
import { formatUtc, msToSeconds } from '../../contract/time';
import type { CaseSession } from '../services/case-service';
import { csvField, guardFormula, type CsvColumnKind, type CsvValue } from '../services/csv';
import { encodedCache, instantFormatter } from '../services/events-query';
import { deviceStateReader } from '../db/queries/device-state';
import { SESSION_CSV, type TextRewrite } from '../services/export-service';
import { STATE_SOURCE_SQL, STATE_SQL } from '../services/filter-sql';
import { sessionId } from '../services/query-service';

/** Instants from 1970 to the end of 9999: their UTC text is formatted from the local one. */
const UTC_FAST_MAX = 253_402_300_800_000;

/** One session as read for its CSV row: a row of values, in this order. */
type Row = [
  anchorMs: number,
  deviceId: number,
  intervalKey: string,
  appId: number,
  category: string,
  rawCategory: string,
  startMs: number | null,
  startOffset: number | null,
  endMs: number | null,
  endOffset: number | null,
  anchorMinute: number,
  durationMs: number | null,
  open: number,
  conflict: number,
  state: string,
  stateSource: string | null,
  bSource: number | null,
  bLine: number | null,
  eSource: number | null,
  eLine: number | null,
  id: number,
];

// Every column comes from the index of migration 0018, in its order; labels, app names and the
// sources' sha256 come from small maps read once.
const SQL = (where: string): string => `
SELECT s.anchor_ms, s.device_id, s.interval_key, s.app_id, s.category, s.raw_category, s.start_ms,
       s.start_offset, s.end_ms, s.end_offset, s.anchor_minute, s.duration_ms, s.open, s.conflict,
       ${STATE_SQL}, ${STATE_SOURCE_SQL}, s.b_source_id, s.b_line, s.e_source_id, s.e_line, s.id
FROM access_sessions s
${where}
ORDER BY s.anchor_ms, s.device_id, s.interval_key`;

/** `inDayWindow` for one window, its bounds worked out once. */
function windowTest(w: DayWindow): (minute: number) => boolean {
  const a = minutesOfDay(w.from);
  const b = minutesOfDay(w.to);
  if (a === b) return () => true;
  return a < b ? (m) => m >= a && m < b : (m) => m >= a || m < b;
}

/** SQLite's ASCII-only lower case of one byte. */
const lower = (c: number): number => (c >= 65 && c <= 90 ? c + 32 : c);

/**
 * SQLite's NOCASE collation over UTF-8 bytes: ASCII letters compared without case, the first NUL
 * byte ending the comparison of the common length, then the shorter first.
 */
export function nocaseCompare(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] !== 0 && lower(a[i]!) === lower(b[i]!)) i += 1;
  const r = i === n ? 0 : lower(a[i]!) - lower(b[i]!);
  return r !== 0 ? r : a.length - b.length;
}

/** A cell as the sessions CSV writes it: text guarded against formulas, then quoted when needed. */
function cellOf(kind: CsvColumnKind): (v: CsvValue) => string {
  return (v) => {
    if (v === null || v === undefined) return '';
    return csvField(kind === 'text' ? guardFormula(String(v)) : v);
  };
}

/**
 * The filtered sessions as the text of the sessions CSV (header first), in pieces of about
 * `chunkChars` characters: the same bytes as `sessionCsvLines` writes, each row built from its
 * SQLite row without a row object, read in instant order from the index of migration 0018 and
 * sorted within an instant as the reference sorts them. `rewrite` is applied to every free-text cell (a bundle's redaction); `counter`
 * counts the rows written.
 */
export function* sessionCsvText(
  session: CaseSession,
  filter: Filter,
  night: DayWindow = DEFAULT_NIGHT,
  rewrite: TextRewrite = (t) => t,
  counter: { rows: number } = { rows: 0 },
  chunkChars = 64 * 1024,
): Generator<string, void, undefined> {
  const db = session.db;
  const { where, params } = session.queries.sessionFilter(filter);
  const labels = new Map(
    db.prepare('SELECT id, label FROM devices').raw().all() as [number, string][],
  );
  const apps = new Map(
    (
      db.prepare('SELECT id, identifier, display_name FROM apps').raw().all() as [
        number,
        string,
        string | null,
      ][]
    ).map(([id, identifier, name]) => [id, { identifier, name }]),
  );
  const shas = new Map(
    db.prepare('SELECT id, sha256 FROM sources').raw().all() as [number, string][],
  );
  const cell = SESSION_CSV.columns.map((c) => cellOf(c.kind));
  const value = (i: number): boolean => SESSION_CSV.columns[i]!.kind === 'value';
  const device = encodedCache((id: number) => cell[1]!(rewrite(labels.get(id)!)));
  const app = encodedCache((id: number) => {
    const a = apps.get(id)!;
    return `${cell[2]!(rewrite(a.identifier))},${cell[3]!(a.name === null ? null : rewrite(a.name))}`;
  });
  const category = encodedCache((c: string) => cell[4]!(c));
  const raw = encodedCache((c: string) => cell[5]!(rewrite(c)));
  const state = encodedCache((s: string) => cell[14]!(s));
  const stateSource = encodedCache((s: string | null) => cell[15]!(s));
  const sha = encodedCache((id: number | null) => {
    const s = id === null ? undefined : shas.get(id);
    return cell[17]!(s ?? null);
  });
  const flags = [
    [cell[11]!(false), cell[11]!(true)],
    [cell[16]!(false), cell[16]!(true)],
  ] as const;
  const nightCell = [cell[13]!(false), cell[13]!(true)];
  const openReason = [cell[12]!('missing-begin'), cell[12]!('missing-end')];
  const local = instantFormatter();
  // Times and numbers the tool formats hold no comma, quote or line break: a value cell is the text.
  const plainTimes = [6, 7, 8, 9, 10].every(value);
  const time = (text: string, i: number): string => (plainTimes ? text : cell[i]!(text));
  const plainLines = value(18) && value(20);
  const lineCell = (n: number | null, i: number): string =>
    n === null ? '' : plainLines ? String(n) : cell[i]!(n);
  // The night window's test, with its bounds read once rather than for every row.
  const atNight = windowTest(night);
  // In years 1970-9999 the local text at offset 0 is the UTC text with +00:00 for its Z.
  const utc = (ms: number): string =>
    Number.isInteger(ms) && ms >= 0 && ms < UTC_FAST_MAX
      ? `${local(ms, 0).slice(0, 23)}Z`
      : formatUtc(ms);
  const states = deviceStateReader(db);
  const screenCell = encodedCache((v: string | null) => cell[21]!(v));
  const lockedCell = [cell[22]!(null), cell[22]!(false), cell[22]!(true)];
  const foreground = encodedCache((v: string | null) => cell[23]!(v === null ? null : rewrite(v)));
  const basisCell = encodedCache((v: string | null) => cell[24]!(v));
  const deviceState = (r: Row): string => {
    const ds = states.at(r[1], r[6]);
    return `,${screenCell(ds.screen)},${lockedCell[ds.locked === null ? 0 : ds.locked ? 2 : 1]},${foreground(ds.foregroundApp)},${basisCell(ds.basis)}`;
  };
  const line = (r: Row): string => {
    const open = r[12] === 1;
    return (
      `${cell[0]!(rewrite(sessionId(r[1], r[2])))},${device(r[1])},${app(r[3])},${category(r[4])},` +
      `${raw(r[5])},${r[6] === null ? '' : time(local(r[6], r[7] ?? 0), 6)},` +
      `${r[8] === null ? '' : time(local(r[8], r[9] ?? 0), 7)},` +
      `${r[6] === null ? '' : time(utc(r[6]), 8)},${r[8] === null ? '' : time(utc(r[8]), 9)},` +
      `${r[11] === null ? '' : time(String(msToSeconds(r[11])), 10)},${flags[0][open ? 1 : 0]},` +
      `${open ? openReason[r[6] === null ? 0 : 1] : ''},${nightCell[atNight(r[10]) ? 1 : 0]},` +
      `${state(r[14])},${stateSource(r[15])},${flags[1][r[13] === 1 ? 1 : 0]},${sha(r[16])},` +
      `${lineCell(r[17], 18)},${sha(r[18])},${lineCell(r[19], 20)}${deviceState(r)}\r\n`
    );
  };
  // Sessions of one instant in the order the reference sorts them: device label (a NOCASE
  // column) and app identifier, then as its index lists them: category, local minute, duration
  // (unknown first) and row id.
  const utf8 = encodedCache((t: string) => Buffer.from(t, 'utf8'));
  const byReferenceOrder = (a: Row, b: Row): number =>
    nocaseCompare(utf8(labels.get(a[1])!), utf8(labels.get(b[1])!)) ||
    Buffer.compare(utf8(apps.get(a[3])!.identifier), utf8(apps.get(b[3])!.identifier)) ||
    Buffer.compare(utf8(a[4]), utf8(b[4])) ||
    a[10] - b[10] ||
    (a[11] ?? -Infinity) - (b[11] ?? -Infinity) ||
    a[20] - b[20];
  let chunk = SESSION_CSV.header();
  let group: Row[] = [];
  const writeGroup = (): void => {
    if (group.length > 1) group.sort(byReferenceOrder);
    for (const r of group) chunk += line(r);
    counter.rows += group.length;
    group = [];
  };
  try {
    for (const r of db
      .prepare(SQL(where))
      .raw()
      .iterate(...params) as IterableIterator<Row>) {
      // A session whose device or app is gone is not listed (as the joins of the reference drop it).
      if (!labels.has(r[1]) || !apps.has(r[3])) continue;
      if (group.length > 0 && group[0]![0] !== r[0]) {
        writeGroup();
        if (chunk.length >= chunkChars) {
          yield chunk;
          chunk = '';
        }
      }
      group.push(r);
    }
    writeGroup();
    if (chunk !== '') yield chunk;
  } finally {
    // The state reads stop with the rows, however the caller stops reading.
    states.close();
  }
}
