import { DEFAULT_NIGHT, minutesOfDay, type DayWindow, type Filter } from '../../contract/filter';
import { formatUtc, msToSeconds } from '../../contract/time';
import type { CaseSession } from '../services/case-service';
import {
  CSV_NEEDS_QUOTES,
  csvField,
  guardFormula,
  type CsvColumnKind,
  type CsvValue,
} from '../services/csv';
import {
  ByteText,
  encodedCache,
  instantBytes,
  instantFormatter,
  utcBytes,
  utf8,
  writeSeconds,
} from '../services/event-text';
import { deviceStateReader } from '../db/queries/device-state';
import { SESSION_CSV, type TextRewrite } from '../services/export-service';
import { STATE_SOURCE_SQL, STATE_SQL } from '../services/filter-sql';
import { sessionId } from '../services/session-ids';
import { KEEP_TEXT } from './redaction';

/** Instants from 1970 to the end of 9999: their UTC text is formatted from the local one. */
const UTC_FAST_MAX = 253_402_300_800_000;

/** The state a session has when none was reported or inferred. */
const UNKNOWN_STATE = 'unknown';

/**
 * {@link encodedCache} for keys that are row ids (small whole numbers, or null): an array
 * indexed by the id, so that a row's lookups need no hashing; other keys go to the map.
 */
function idCache<V>(encode: (id: number | null) => V): (id: number | null) => V {
  const byId: (V | undefined)[] = [];
  let ofNull: V | undefined;
  const other = encodedCache(encode);
  return (id) => {
    if (id === null) return (ofNull ??= encode(null));
    if (!(id >= 0 && id < 1 << 16 && Number.isInteger(id))) return other(id);
    let v = byId[id];
    if (v === undefined) {
      v = encode(id);
      byId[id] = v;
    }
    return v;
  };
}

/** One session as read for its CSV row: a row of values, in this order. */
type Row = [
  anchorMs: number,
  deviceId: number,
  intervalKey: string,
  appId: number,
  category: string,
  /** Null when the same as the category (most rows): no string is made for it. */
  rawCategory: string | null,
  startMs: number | null,
  startOffset: number | null,
  endMs: number | null,
  endOffset: number | null,
  anchorMinute: number,
  durationMs: number | null,
  open: number,
  conflict: number,
  /** Null for the unknown state (most rows): no string is made for it. */
  state: string | null,
  stateSource: string | null,
  bSource: number | null,
  bLine: number | null,
  eSource: number | null,
  eLine: number | null,
  id: number,
];

// Every column comes from the index of migration 0018, in its order; labels, app names and the
// sources' sha256 come from small maps read once. A raw category equal to the category and the
// unknown state come back as NULL: better-sqlite3 makes a new string for every text value of
// every row, and these repeat on nearly every row.
const SQL = (where: string): string => `
SELECT s.anchor_ms, s.device_id, s.interval_key, s.app_id, s.category,
       NULLIF(s.raw_category, s.category), s.start_ms, s.start_offset, s.end_ms, s.end_offset,
       s.anchor_minute, s.duration_ms, s.open, s.conflict, NULLIF(${STATE_SQL}, '${UNKNOWN_STATE}'),
       ${STATE_SOURCE_SQL}, s.b_source_id, s.b_line, s.e_source_id, s.e_line, s.id
FROM access_sessions s
${where}
ORDER BY s.anchor_ms, s.device_id, s.interval_key`;

/**
 * `formatUtc`, without a Date for each instant of years 1970-9999: there the local text at offset
 * 0 (`local`, an `instantFormatter`) is the UTC text with +00:00 for its Z.
 */
export function utcFormatter(local = instantFormatter()): (ms: number) => string {
  return (ms) =>
    Number.isInteger(ms) && ms >= 0 && ms < UTC_FAST_MAX
      ? `${local(ms, 0).slice(0, 23)}Z`
      : formatUtc(ms);
}

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
 * `chunkChars` bytes of UTF-8: {@link sessionCsvBytes} as text.
 */
export function* sessionCsvText(
  session: CaseSession,
  filter: Filter,
  night: DayWindow = DEFAULT_NIGHT,
  rewrite: TextRewrite = KEEP_TEXT,
  counter: { rows: number } = { rows: 0 },
  chunkChars = 64 * 1024,
): Generator<string, void, undefined> {
  for (const chunk of sessionCsvBytes(session, filter, night, rewrite, counter, chunkChars))
    yield chunk.toString('utf8');
}

/**
 * A part of the sessions CSV: the sessions anchored at `fromMs` or later (all by default), with or
 * without the header, stopping before the first instant `stop` refuses (asked once per instant,
 * in order, before its sessions are written). Parts split at one instant join into the whole CSV.
 */
export interface SessionCsvPart {
  fromMs?: number;
  header?: boolean;
  stop?: (anchorMs: number) => boolean;
}

/**
 * The filtered sessions as the sessions CSV (header first), in pieces of about `chunkBytes`
 * bytes of UTF-8 (or the `part` of it asked for): the same bytes as `sessionCsvLines` writes,
 * each row built from its SQLite row without a row object or a string per row (cached cells
 * copied as bytes, instants and numbers written digit by digit), read in instant order from the
 * index of migration 0018 and sorted within an instant as the reference sorts them. `rewrite`
 * is applied to every free-text cell (a bundle's redaction); `counter` counts the rows written.
 */
export function* sessionCsvBytes(
  session: CaseSession,
  filter: Filter,
  night: DayWindow = DEFAULT_NIGHT,
  rewrite: TextRewrite = KEEP_TEXT,
  counter: { rows: number } = { rows: 0 },
  chunkBytes = 64 * 1024,
  part: SessionCsvPart = {},
): Generator<Buffer, void, undefined> {
  const db = session.db;
  const filtered = session.queries.sessionFilter(filter);
  const from = part.fromMs;
  const where =
    from === undefined
      ? filtered.where
      : `${filtered.where === '' ? 'WHERE' : `${filtered.where} AND`} s.anchor_ms >= ?`;
  const params = from === undefined ? filtered.params : [...filtered.params, from];
  const stop = part.stop;
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
  const device = idCache((id) => utf8(`${cell[1]!(rewrite(labels.get(id!)!))},`));
  const app = idCache((id) => {
    const a = apps.get(id!)!;
    return utf8(
      `${cell[2]!(rewrite(a.identifier))},${cell[3]!(a.name === null ? null : rewrite(a.name))},`,
    );
  });
  const category = encodedCache((c: string) => utf8(`${cell[4]!(c)},`));
  const raw = encodedCache((c: string) => utf8(`${cell[5]!(rewrite(c))},`));
  // Both cells of a session whose raw category is its category (read as NULL): one copy.
  const categoryTwice = encodedCache((c: string) => Buffer.concat([category(c), raw(c)]));
  const state = encodedCache((s: string) => utf8(`,${cell[14]!(s)},`));
  const stateSource = encodedCache((s: string | null) => utf8(`${cell[15]!(s)},`));
  const sha = idCache((id) => {
    const s = id === null ? undefined : shas.get(id);
    return utf8(`${cell[17]!(s ?? null)},`);
  });
  const flags = [
    [utf8(`${cell[11]!(false)},`), utf8(`${cell[11]!(true)},`)],
    [utf8(`${cell[16]!(false)},`), utf8(`${cell[16]!(true)},`)],
  ] as const;
  const nightCell = [utf8(cell[13]!(false)), utf8(cell[13]!(true))];
  const openReason = [utf8(`${cell[12]!('missing-begin')},`), utf8(`${cell[12]!('missing-end')},`)];
  const comma = utf8(',');
  const local = instantFormatter();
  const localBytes = instantBytes();
  const utcWrite = utcBytes();
  // Times and numbers the tool formats hold no comma, quote or line break: a value cell is the text.
  const plainTimes = [6, 7, 8, 9, 10].every(value);
  const plainLines = value(18) && value(20);
  // The night window's test, with its bounds read once rather than for every row.
  const atNight = windowTest(night);
  const utc = utcFormatter(local);
  const states = deviceStateReader(db);
  const screenCell = encodedCache((v: string | null) => cell[21]!(v));
  const lockedCell = [cell[22]!(null), cell[22]!(false), cell[22]!(true)];
  const foreground = encodedCache((v: string | null) => cell[23]!(v === null ? null : rewrite(v)));
  const basisCell = encodedCache((v: string | null) => cell[24]!(v));
  const unknownState = utf8(
    `,${screenCell(null)},${lockedCell[0]},${foreground(null)},${basisCell(null)}\r\n`,
  );
  const out = new ByteText(chunkBytes);
  // Whether each device has state records, asked of the reader once per device.
  const tracks = idCache((id) => states.tracks(id!));
  // `s:<device>:` of each device's ids, for ids written from their pieces.
  const idStart = idCache((id) => utf8(sessionId(id!, '')));
  const line = (r: Row): void => {
    const open = r[12] === 1;
    if (rewrite === KEEP_TEXT && !CSV_NEEDS_QUOTES.test(r[2])) {
      // The id as it is (it starts with `s`: no guard), without a string of it for each row.
      out.bytes(idStart(r[1]));
      out.text(r[2]);
    } else {
      // The id: written as it is when it starts with `s` (no guard) and needs no quotes.
      const id = rewrite(sessionId(r[1], r[2]));
      out.text(id.charCodeAt(0) === 0x73 && !CSV_NEEDS_QUOTES.test(id) ? id : cell[0]!(id));
    }
    out.bytes(comma);
    out.bytes(device(r[1]));
    out.bytes(app(r[3]));
    if (r[5] === null) out.bytes(categoryTwice(r[4]));
    else {
      out.bytes(category(r[4]));
      out.bytes(raw(r[5]));
    }
    if (r[6] !== null) {
      if (plainTimes) localBytes(out, r[6], r[7] ?? 0);
      else out.text(cell[6]!(local(r[6], r[7] ?? 0)));
    }
    out.bytes(comma);
    if (r[8] !== null) {
      if (plainTimes) localBytes(out, r[8], r[9] ?? 0);
      else out.text(cell[7]!(local(r[8], r[9] ?? 0)));
    }
    out.bytes(comma);
    if (r[6] !== null) {
      if (plainTimes) utcWrite(out, r[6]);
      else out.text(cell[8]!(utc(r[6])));
    }
    out.bytes(comma);
    if (r[8] !== null) {
      if (plainTimes) utcWrite(out, r[8]);
      else out.text(cell[9]!(utc(r[8])));
    }
    out.bytes(comma);
    if (r[11] !== null) {
      if (plainTimes) writeSeconds(out, r[11]);
      else out.text(cell[10]!(String(msToSeconds(r[11]))));
    }
    out.bytes(comma);
    out.bytes(flags[0][open ? 1 : 0]);
    if (open) out.bytes(openReason[r[6] === null ? 0 : 1]!);
    else out.bytes(comma);
    out.bytes(nightCell[atNight(r[10]) ? 1 : 0]!);
    out.bytes(state(r[14] ?? UNKNOWN_STATE));
    out.bytes(stateSource(r[15]));
    out.bytes(flags[1][r[13] === 1 ? 1 : 0]);
    out.bytes(sha(r[16]));
    if (r[17] !== null) {
      if (plainLines) out.number(r[17]);
      else out.text(cell[18]!(r[17]));
    }
    out.bytes(comma);
    out.bytes(sha(r[18]));
    if (r[19] !== null) {
      if (plainLines) out.number(r[19]);
      else out.text(cell[20]!(r[19]));
    }
    if (!tracks(r[1])) {
      out.bytes(unknownState);
      return;
    }
    const ds = states.at(r[1], r[6]);
    out.text(
      `,${screenCell(ds.screen)},${lockedCell[ds.locked === null ? 0 : ds.locked ? 2 : 1]},${foreground(ds.foregroundApp)},${basisCell(ds.basis)}\r\n`,
    );
  };
  // Sessions of one instant in the order the reference sorts them: device label (a NOCASE
  // column) and app identifier, then as its index lists them: category, local minute, duration
  // (unknown first) and row id.
  const bytesOf = encodedCache((t: string) => utf8(t));
  const byReferenceOrder = (a: Row, b: Row): number =>
    nocaseCompare(bytesOf(labels.get(a[1])!), bytesOf(labels.get(b[1])!)) ||
    Buffer.compare(bytesOf(apps.get(a[3])!.identifier), bytesOf(apps.get(b[3])!.identifier)) ||
    Buffer.compare(bytesOf(a[4]), bytesOf(b[4])) ||
    a[10] - b[10] ||
    (a[11] ?? -Infinity) - (b[11] ?? -Infinity) ||
    a[20] - b[20];
  if (part.header !== false) out.text(SESSION_CSV.header());
  // The rows of one instant; the one array serves every instant.
  const group: Row[] = [];
  const writeGroup = (): void => {
    if (group.length > 1) group.sort(byReferenceOrder);
    for (const r of group) line(r);
    counter.rows += group.length;
    group.length = 0;
  };
  try {
    for (const r of db
      .prepare(SQL(where))
      .raw()
      .iterate(...params) as IterableIterator<Row>) {
      // A session whose device or app is gone is not listed (as the joins of the reference drop it).
      if (!labels.has(r[1]) || !apps.has(r[3])) continue;
      if (group.length === 0 || group[0]![0] !== r[0]) {
        if (group.length > 0) {
          writeGroup();
          if (out.full()) yield out.take();
        }
        if (stop?.(r[0])) break;
      }
      group.push(r);
    }
    writeGroup();
    if (out.pos > 0) yield out.take();
  } finally {
    // The state reads stop with the rows, however the caller stops reading.
    states.close();
  }
}
