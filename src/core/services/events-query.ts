import { toCategory } from '../../contract/categories';
import type { Filter } from '../../contract/filter';
import type {
  AccessEvent,
  NetworkEvent,
  NetworkUsageEvent,
  PermissionEvent,
  ProfileEvent,
  OpHistoryEvent,
  RejectEvent,
  UsageEvent,
} from '../../contract/records';
import { formatInstant, formatOffset, formatUtc, msToSeconds } from '../../contract/time';
import type { Statement } from 'better-sqlite3';
import type { CaseSession } from './case-service';
import { csvField, guardFormula, needsFormulaGuard, type CsvColumn } from './csv';
import { networkWhere, recordWhere, whereSql } from './filter-sql';
import { sessionId } from './query-service';
import { eventState } from '../db/session-state';
import {
  deviceStateReader,
  unknownDeviceState,
  type DeviceStateAt,
} from '../db/queries/device-state';
import {
  PERMISSION_SQL,
  permissionFilter,
  PROFILE_SQL,
  profileFilter,
  toProfileItem,
  USAGE_SQL,
  usageFilter,
  type PermissionRowOut,
  type ProfileRowOut,
  type UsageRowOut,
} from './record-queries';

/** One stored session as read for its record: a row of values, in this order. */
type AccessRow = [
  deviceId: number,
  intervalKey: string,
  appId: number,
  category: string,
  raw: string,
  startMs: number | null,
  startOffset: number | null,
  endMs: number | null,
  endOffset: number | null,
  durationMs: number | null,
  state: AccessEvent['state'],
  stateSource: AccessEvent['stateSource'],
  inferredState: 'foreground' | 'background' | null,
  proxy: string | null,
  attributionTag: string | null,
  durationKnown: number,
  beginSource: number | null,
  beginLine: number | null,
  endSource: number | null,
  endLine: number | null,
  /** Further exports holding either edge: `source line` pairs, space-separated; null when none. */
  more: string | null,
];

interface NetworkRow {
  id: number;
  device: string;
  app: string;
  appName: string | null;
  domain: string;
  domainOwner: string | null;
  domainType: number | null;
  initiatedType: string | null;
  context: string | null;
  hits: number | null;
  firstMs: number | null;
  firstOffset: number | null;
  lastMs: number | null;
  lastOffset: number | null;
  contextVerificationType: number | null;
  domainClassification: number | null;
  sha256: string;
  line: number;
}

// Labels, names and sources' sha256 come from small maps read once; a session's further exports
// (edge occurrences) are looked up through their key, and are usually none: a lookup of the key
// alone says so before their list is sorted. The sessions come from the index of migration 0018,
// which holds every column read here in this order.
const ACCESS_SQL = (where: string, occurrences = true): string => `
SELECT s.device_id, s.interval_key, s.app_id, s.category, s.raw_category, s.start_ms, s.start_offset,
       s.end_ms, s.end_offset, s.duration_ms, s.state, s.state_source, s.inferred_state, s.proxy,
       s.attribution_tag, s.duration_known, s.b_source_id, s.b_line, s.e_source_id, s.e_line,
       ${
         occurrences
           ? `CASE WHEN EXISTS (SELECT 1 FROM edge_occurrences WHERE session_id = s.id)
       THEN (SELECT group_concat(o.source_id || ' ' || o.line, ' ')
             FROM (SELECT source_id, line FROM edge_occurrences WHERE session_id = s.id
                   ORDER BY source_id, kind, line) o) END`
           : 'NULL'
       } AS more
FROM access_sessions s
${where}
ORDER BY s.anchor_ms, s.device_id, s.interval_key`;

const NETWORK_SQL = (where: string): string => `
SELECT n.id, d.label AS device, a.identifier AS app, a.display_name AS appName, n.domain,
       n.domain_owner AS domainOwner, n.domain_type AS domainType, n.initiated_type AS initiatedType,
       n.context, n.hits, n.first_ms AS firstMs, n.first_offset AS firstOffset, n.last_ms AS lastMs,
       n.last_offset AS lastOffset, n.context_verification_type AS contextVerificationType,
       n.domain_classification AS domainClassification, src.sha256, n.line
FROM network_observations n JOIN apps a ON a.id = n.app_id JOIN devices d ON d.id = n.device_id
JOIN sources src ON src.id = n.source_id
${where}
ORDER BY COALESCE(n.first_ms, n.last_ms), n.id`;

const instant = (ms: number | null, offsetMin: number | null): string | null =>
  ms === null ? null : formatInstant(ms, offsetMin ?? 0);

/** The small tables an access record names: device labels, app names, sources' sha256. */
interface AccessNames {
  device: Map<number, string>;
  app: Map<number, { identifier: string; name: string | null }>;
  sha256: Map<number, string>;
}

function accessNames(session: CaseSession): AccessNames {
  const db = session.db;
  return {
    device: new Map(
      (db.prepare('SELECT id, label FROM devices').raw().all() as [number, string][]).map(
        ([id, label]) => [id, label],
      ),
    ),
    app: new Map(
      (
        db.prepare('SELECT id, identifier, display_name FROM apps').raw().all() as [
          number,
          string,
          string | null,
        ][]
      ).map(([id, identifier, name]) => [id, { identifier, name }]),
    ),
    sha256: new Map(
      (db.prepare('SELECT id, sha256 FROM sources').raw().all() as [number, string][]).map(
        ([id, sha]) => [id, sha],
      ),
    ),
  };
}

/** Provenance of a session: each (export, line) once, begin edge first, then end edge, then further exports. */
function provenance(r: AccessRow, names: AccessNames): AccessEvent['sources'] {
  const out: AccessEvent['sources'] = [];
  const add = (source: number | null, line: number | null): void => {
    if (source === null || line === null) return;
    const sha256 = names.sha256.get(source);
    // A source that is no longer in the case names nothing (as a join would drop it).
    if (sha256 === undefined) return;
    const locator = `line ${line}`;
    // A handful of places at most: a linear check is cheaper than a set.
    for (const o of out) if (o.sha256 === sha256 && o.locator === locator) return;
    out.push({ sha256, locator });
  };
  add(r[16], r[17]);
  add(r[18], r[19]);
  const more = r[20];
  if (more !== null) {
    const parts = more.split(' ');
    for (let i = 0; i + 1 < parts.length; i += 2) add(Number(parts[i]), Number(parts[i + 1]));
  }
  return out;
}

/** Maps one stored session row to its public access event record. */
function toAccessEvent(r: AccessRow, names: AccessNames, deviceState: DeviceStateAt): AccessEvent {
  const app = names.app.get(r[2]);
  return {
    id: sessionId(r[0], r[1]),
    kind: 'access',
    device: names.device.get(r[0]) ?? '',
    app: app?.identifier ?? '',
    appName: app?.name ?? null,
    category: toCategory(r[3]),
    raw: r[4],
    start: instant(r[5], r[6]),
    end: instant(r[7], r[8]),
    durationSeconds: r[9] === null ? null : msToSeconds(r[9]),
    ...eventState({ state: r[10], stateSource: r[11], inferredState: r[12] }),
    proxy: r[13] === null ? null : (JSON.parse(r[13]) as AccessEvent['proxy']),
    attributionTag: r[14],
    durationKnown: r[15] === 1,
    sources: provenance(r, names),
    deviceState,
  };
}

/** Maps one stored network snapshot row to its public network event record. */
function toNetworkEvent(r: NetworkRow): NetworkEvent {
  return {
    id: `n:${r.id}`,
    kind: 'network',
    device: r.device,
    app: r.app,
    appName: r.appName,
    domain: r.domain,
    domainOwner: r.domainOwner,
    domainType: r.domainType,
    profiling: r.domainType === 1,
    initiatedType: r.initiatedType,
    context: r.context,
    hits: r.hits,
    firstSeen: instant(r.firstMs, r.firstOffset),
    lastSeen: instant(r.lastMs, r.lastOffset),
    contextVerificationType: r.contextVerificationType,
    domainClassification: r.domainClassification,
    sources: [{ sha256: r.sha256, locator: `line ${r.line}` }],
  };
}

/**
 * Streams the access sessions matching a filter as public records, in order of their anchor
 * instant, one SQLite row at a time (never the whole result in memory).
 */
export function* accessEvents(
  session: CaseSession,
  filter: Filter,
): Generator<AccessEvent, void, undefined> {
  const { where, params } = session.queries.sessionFilter(filter);
  const names = accessNames(session);
  const rows = session.db
    .prepare(ACCESS_SQL(where))
    .raw()
    .iterate(...params) as IterableIterator<AccessRow>;
  const states = deviceStateReader(session.db);
  try {
    for (const r of rows) yield toAccessEvent(r, names, states.at(r[0], r[5]));
  } finally {
    states.close();
    rows.return?.();
  }
}

/** Whether any session has further exports holding its edges (none: no session is looked up). */
function anyOccurrences(session: CaseSession): boolean {
  return session.db.prepare('SELECT 1 FROM edge_occurrences LIMIT 1').get() !== undefined;
}

/** Instants whose local date falls in years 1970-9999: formatted from a day's cached date. */
const FAST_LOCAL_MAX = 253_402_300_800_000;

/**
 * `formatInstant` for many instants in a row: the date part of the last days and each offset's
 * text are kept, the time of day is worked out from the milliseconds (the same text; instants
 * outside years 1970-9999 or not whole milliseconds go through `formatInstant` itself).
 */
export function instantFormatter(): (ms: number, offsetMin: number) => string {
  const days = new Map<number, string>();
  const offsets = new Map<number, string>();
  const two = (n: number): string => (n < 10 ? `0${n}` : String(n));
  return (ms, offsetMin) => {
    const local = ms + offsetMin * 60_000;
    if (
      !Number.isInteger(local) ||
      local < 0 ||
      local >= FAST_LOCAL_MAX ||
      !Number.isInteger(offsetMin)
    )
      return formatInstant(ms, offsetMin);
    const day = Math.floor(local / 86_400_000);
    let date = days.get(day);
    if (date === undefined) {
      // A year of days at most: a long export crosses many, each looked up once.
      if (days.size >= 4096) days.clear();
      date = formatInstant(day * 86_400_000, 0).slice(0, 11);
      days.set(day, date);
    }
    let offset = offsets.get(offsetMin);
    if (offset === undefined) {
      offset = formatOffset(offsetMin);
      if (offsets.size < 4096) offsets.set(offsetMin, offset);
    }
    let rest = local - day * 86_400_000;
    const milli = rest % 1000;
    rest = (rest - milli) / 1000;
    const sec = rest % 60;
    rest = (rest - sec) / 60;
    const min = rest % 60;
    const hour = (rest - min) / 60;
    return `${date}${two(hour)}:${two(min)}:${two(sec)}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}${offset}`;
  };
}

/** The fields of an access record, in the order a record lists them. */
const ACCESS_FIELDS = [
  'id',
  'kind',
  'device',
  'app',
  'appName',
  'category',
  'raw',
  'start',
  'end',
  'durationSeconds',
  'state',
  'stateSource',
  'proxy',
  'attributionTag',
  'durationKnown',
  'sources',
  'deviceState',
] as const;

/** A device state's JSON (the unknown one's text is given, as most rows have it). */
function deviceStateJson(state: DeviceStateAt, unknownText: string): string {
  return state.screen === null &&
    state.locked === null &&
    state.foregroundApp === null &&
    state.basis === null &&
    state.sources.length === 0
    ? unknownText
    : JSON.stringify(state);
}

/** Small caches of encoded text for values that repeat from row to row (categories, states). */
export function encodedCache<K, V = string>(encode: (k: K) => V, max = 4096): (k: K) => V {
  const m = new Map<K, V>();
  return (k) => {
    let v = m.get(k);
    if (v === undefined) {
      v = encode(k);
      if (m.size < max) m.set(k, v);
    }
    return v;
  };
}

/**
 * Text written as UTF-8 bytes into one buffer, handed out a piece at a time: cached pieces are
 * copied as bytes and numbers written digit by digit, so millions of lines never become strings.
 */
export class ByteText {
  protected buf: Buffer;
  pos = 0;

  constructor(private readonly size: number) {
    this.buf = Buffer.allocUnsafe(size + 4096);
  }

  protected room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Whether a piece is full (the caller ends it at a line's end). */
  full(): boolean {
    return this.pos >= this.size;
  }

  /** Bytes as they are. */
  bytes(b: Uint8Array): void {
    this.room(b.length);
    if (b.length > 32) {
      this.buf.set(b, this.pos);
      this.pos += b.length;
      return;
    }
    const t = this.buf;
    let p = this.pos;
    for (let i = 0; i < b.length; i += 1) t[p++] = b[i]!;
    this.pos = p;
  }

  /** Any text, as UTF-8. */
  text(s: string): void {
    this.room(s.length * 3);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** A number as `String` writes it: digits directly for whole numbers from 0 to 2^53. */
  number(n: number): void {
    if (!(Number.isSafeInteger(n) && n >= 0)) {
      this.text(String(n));
      return;
    }
    this.room(16);
    const t = this.buf;
    if (n < 10) {
      t[this.pos++] = 48 + n;
      return;
    }
    let digits = 1;
    for (let v = n; v >= 10; v = Math.floor(v / 10)) digits += 1;
    let p = this.pos + digits;
    this.pos = p;
    for (let v = n; digits > 0; digits -= 1) {
      const q = Math.floor(v / 10);
      t[--p] = 48 + (v - q * 10);
      v = q;
    }
  }

  /** Two digits (0-99). */
  two(n: number): void {
    this.room(2);
    const q = (n / 10) | 0;
    this.buf[this.pos++] = 48 + q;
    this.buf[this.pos++] = 48 + n - q * 10;
  }

  /**
   * Writes `text` when every character is printable ASCII and none is in `forbid` (char codes),
   * and says whether it did; otherwise writes nothing.
   */
  plain(text: string, forbid: readonly number[]): boolean {
    this.room(text.length);
    const t = this.buf;
    let p = this.pos;
    for (let i = 0; i < text.length; i += 1) {
      const c = text.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || forbid.includes(c)) return false;
      t[p++] = c;
    }
    this.pos = p;
    return true;
  }

  /** The bytes written since the last call, as their own buffer. */
  take(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(this.size + 4096);
    this.pos = 0;
    return out;
  }
}

/** A text's UTF-8 bytes. */
export const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

/**
 * `formatInstant` written as bytes: the date part of a day and each offset's text are kept, the
 * time of day is written from the milliseconds (instants outside years 1970-9999 or not whole
 * milliseconds go through `formatInstant` itself). The same text as {@link instantFormatter}.
 */
export function instantBytes(): (out: ByteText, ms: number, offsetMin: number) => void {
  const clock = clockBytes();
  const offsets = new Map<number, Buffer>();
  return (out, ms, offsetMin) => {
    const local = ms + offsetMin * 60_000;
    if (!Number.isInteger(offsetMin) || !clock(out, local)) {
      out.text(formatInstant(ms, offsetMin));
      return;
    }
    let offset = offsets.get(offsetMin);
    if (offset === undefined) {
      offset = utf8(formatOffset(offsetMin));
      if (offsets.size < 4096) offsets.set(offsetMin, offset);
    }
    out.bytes(offset);
  };
}

/** `formatUtc` written as bytes, as {@link instantBytes} writes instants (`Z` for the offset). */
export function utcBytes(): (out: ByteText, ms: number) => void {
  const clock = clockBytes();
  const z = utf8('Z');
  return (out, ms) => {
    if (clock(out, ms)) out.bytes(z);
    else out.text(formatUtc(ms));
  };
}

/**
 * Writes `YYYY-MM-DDTHH:mm:ss.SSS` of a local instant (ms of local time) from a day's cached date,
 * when it is whole milliseconds in years 1970-9999; otherwise writes nothing and says so.
 */
function clockBytes(): (out: ByteText, local: number) => boolean {
  const days = new Map<number, Buffer>();
  return (out, local) => {
    if (!Number.isInteger(local) || local < 0 || local >= FAST_LOCAL_MAX) return false;
    const day = Math.floor(local / 86_400_000);
    let date = days.get(day);
    if (date === undefined) {
      // A year of days at most: a long export crosses many, each looked up once.
      if (days.size >= 4096) days.clear();
      date = utf8(formatInstant(day * 86_400_000, 0).slice(0, 11));
      days.set(day, date);
    }
    let rest = local - day * 86_400_000;
    const milli = rest % 1000;
    rest = (rest - milli) / 1000;
    const sec = rest % 60;
    rest = (rest - sec) / 60;
    const min = rest % 60;
    out.bytes(date);
    out.two((rest - min) / 60);
    out.bytes(COLON);
    out.two(min);
    out.bytes(COLON);
    out.two(sec);
    out.bytes(DOT);
    out.two((milli / 10) | 0);
    out.number(milli % 10);
    return true;
  };
}

const COLON = utf8(':');
const DOT = utf8('.');

/** A duration in ms as `String(msToSeconds(ms))` writes it (digits directly for whole ms). */
export function writeSeconds(out: ByteText, ms: number): void {
  if (!(Number.isSafeInteger(ms) && ms >= 0 && ms < 1e15)) {
    out.text(String(msToSeconds(ms)));
    return;
  }
  const frac = ms % 1000;
  out.number((ms - frac) / 1000);
  if (frac === 0) return;
  // Three places with trailing zeros left out, as the shortest text of the number has them.
  out.bytes(DOT);
  const d1 = (frac / 100) | 0;
  const d2 = ((frac / 10) | 0) % 10;
  const d3 = frac % 10;
  out.number(d1);
  if (d2 !== 0 || d3 !== 0) out.number(d2);
  if (d3 !== 0) out.number(d3);
}

/** How access lines are written: JSON lines, or CSV rows over a table's columns. */
export type AccessLineFormat =
  { format: 'jsonl' } | { format: 'csv'; columns: readonly CsvColumn[] };

/**
 * The access events matching a filter, written as UTF-8 in pieces of about `chunkBytes` bytes,
 * each ending at a line's end: each line is exactly `JSON.stringify(record) + '\n'` (JSON lines)
 * or the CSV row of the record over the given columns (as `csvRecord` writes it), but built from
 * the SQLite row without a record object or strings, with device, app, source, category and
 * state texts encoded once. Rows are read one at a time, in the order of `accessEvents`.
 */
export function* accessEventBytes(
  session: CaseSession,
  filter: Filter,
  how: AccessLineFormat,
  chunkBytes = 64 * 1024,
): Generator<Buffer, void, undefined> {
  const writer = accessSliceWriter(session, filter, how, chunkBytes);
  try {
    yield* writer.slice(null, null);
  } finally {
    writer.close();
  }
}

/** Writes the access events of one range of anchor instants after another (see below). */
export interface AccessSliceWriter {
  /**
   * The lines of the rows whose anchor instant is at or after `fromMs` and before `toMs` (null:
   * no bound), as {@link accessEventBytes} writes them, its last piece ending with the range.
   * Ranges are asked for in ascending order (the device states are swept forward).
   */
  slice(fromMs: number | null, toMs: number | null): Generator<Buffer, void, undefined>;
  close(): void;
}

/**
 * {@link accessEventBytes} a range of anchor instants at a time, the names, device states and
 * encoded texts kept from one range to the next: consecutive ranges give consecutive lines.
 */
export function accessSliceWriter(
  session: CaseSession,
  filter: Filter,
  how: AccessLineFormat,
  chunkBytes = 64 * 1024,
): AccessSliceWriter {
  const { where, params } = session.queries.sessionFilter(filter);
  const names = accessNames(session);
  const occurrences = anyOccurrences(session);
  const states = deviceStateReader(session.db);
  const out = new ByteText(chunkBytes);
  const line =
    how.format === 'jsonl'
      ? jsonAccessLine(names, states)
      : csvAccessLine(names, how.columns, states);
  // One statement for each kind of range: unbounded, from, to, from and to.
  const statements = new Map<string, Statement>();
  const statement = (range: string): Statement => {
    let st = statements.get(range);
    if (!st) {
      // The filter's terms in parentheses: the range bounds every row whatever they hold.
      const terms = where.replace(/^WHERE /, '');
      const clause =
        range === '' ? where : `WHERE ${terms === '' ? '' : `(${terms}) AND `}${range}`;
      st = session.db.prepare(ACCESS_SQL(clause, occurrences)).raw();
      statements.set(range, st);
    }
    return st;
  };
  return {
    *slice(fromMs, toMs) {
      const range = [
        ...(fromMs === null ? [] : ['s.anchor_ms >= ?']),
        ...(toMs === null ? [] : ['s.anchor_ms < ?']),
      ].join(' AND ');
      const bounds = [...(fromMs === null ? [] : [fromMs]), ...(toMs === null ? [] : [toMs])];
      const rows = statement(range).iterate(...params, ...bounds) as IterableIterator<AccessRow>;
      try {
        for (const r of rows) {
          line(out, r);
          if (out.full()) yield out.take();
        }
        if (out.pos > 0) yield out.take();
      } finally {
        // A range left unfinished leaves nothing behind for the next one.
        out.pos = 0;
        rows.return?.();
      }
    },
    close: () => states.close(),
  };
}

/** {@link accessEventBytes} as text, in pieces of about `chunkChars` bytes of UTF-8. */
export function* accessEventText(
  session: CaseSession,
  filter: Filter,
  how: AccessLineFormat,
  chunkChars = 64 * 1024,
): Generator<string, void, undefined> {
  for (const chunk of accessEventBytes(session, filter, how, chunkChars))
    yield chunk.toString('utf8');
}

/**
 * A row's state and its source as the record shows them (see `eventState`), encoded once per
 * combination of the stored state, state source and inferred state.
 */
function stateText<V>(
  encode: (state: AccessEvent['state'], source: AccessEvent['stateSource']) => V,
): (r: AccessRow) => V {
  const done = new Map<string | null, Map<string | null, Map<string, V>>>();
  return (r) => {
    let bySource = done.get(r[12]);
    if (!bySource) {
      bySource = new Map();
      done.set(r[12], bySource);
    }
    let byState = bySource.get(r[11]);
    if (!byState) {
      byState = new Map();
      bySource.set(r[11], byState);
    }
    let v = byState.get(r[10]);
    if (v === undefined) {
      const e = eventState({ state: r[10], stateSource: r[11], inferredState: r[12] });
      v = encode(e.state, e.stateSource);
      byState.set(r[10], v);
    }
    return v;
  };
}

/**
 * One field of an event as a CSV cell's value: null is empty, provenance is `sha256:locator` and
 * other lists items, joined by `;`, other objects their JSON.
 */
export function eventCsvValue(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) {
    return (value as unknown[])
      .map((s) =>
        s !== null && typeof s === 'object' && 'sha256' in s && 'locator' in s
          ? `${String(s.sha256)}:${String(s.locator)}`
          : typeof s === 'string'
            ? s
            : JSON.stringify(s),
      )
      .join(';');
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return value;
  }
  return JSON.stringify(value);
}

/** The sources of a row as `provenance` lists them, when the row names only its two edges. */
function edgeSources(r: AccessRow, names: AccessNames): { sha256: string; line: number }[] | null {
  if (r[20] !== null) return null;
  const out: { sha256: string; line: number }[] = [];
  const b = r[16] === null || r[17] === null ? undefined : names.sha256.get(r[16]);
  if (b !== undefined) out.push({ sha256: b, line: r[17]! });
  const e = r[18] === null || r[19] === null ? undefined : names.sha256.get(r[18]);
  if (e !== undefined && !(b === e && r[17] === r[19])) out.push({ sha256: e, line: r[19]! });
  return out;
}

/** The device-state reader the line writers consult. */
type StateReader = ReturnType<typeof deviceStateReader>;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

/** One access row written as its JSON line (the text `JSON.stringify` gives its record, and `\n`). */
function jsonAccessLine(
  names: AccessNames,
  states: StateReader,
): (out: ByteText, r: AccessRow) => void {
  const unknownState = JSON.stringify(unknownDeviceState());
  const unknownBytes = utf8(`,"deviceState":${unknownState}}\n`);
  const device = encodedCache((id: number) =>
    utf8(`,"device":${JSON.stringify(names.device.get(id) ?? '')}`),
  );
  const app = encodedCache((id: number) => {
    const a = names.app.get(id);
    return utf8(
      `,"app":${JSON.stringify(a?.identifier ?? '')},"appName":${JSON.stringify(a?.name ?? null)}`,
    );
  });
  const category = encodedCache((raw: string) =>
    utf8(`,"category":${JSON.stringify(toCategory(raw))},"raw":`),
  );
  const raw = encodedCache((t: string) => utf8(JSON.stringify(t)));
  const state = stateText((st, src) =>
    utf8(`,"state":${JSON.stringify(st)},"stateSource":${JSON.stringify(src)}`),
  );
  const sha = encodedCache((s: string) => utf8(`{"sha256":${JSON.stringify(s)},"locator":"line `));
  const instant = instantBytes();
  const idStart = utf8('{"id":"s:');
  const idOpen = utf8('{"id":');
  const quote = utf8('"');
  const kind = utf8('","kind":"access"');
  const kindAfterId = utf8(',"kind":"access"');
  const start = utf8(',"start":');
  const end = utf8(',"end":');
  const nul = utf8('null');
  const duration = utf8(',"durationSeconds":');
  const proxy = utf8(',"proxy":');
  const tag = utf8(',"attributionTag":');
  const known = [utf8(',"durationKnown":false'), utf8(',"durationKnown":true')];
  const sourcesOpen = utf8(',"sources":');
  const noSources = utf8('[]');
  const open = utf8('[');
  const between = utf8('"},');
  const close = utf8('"}]');
  const deviceState = utf8(',"deviceState":');
  const lineEnd = utf8('}\n');
  const forbidInKey = [QUOTE, BACKSLASH];
  const time = (out: ByteText, ms: number | null, off: number | null): void => {
    if (ms === null) {
      out.bytes(nul);
      return;
    }
    out.bytes(quote);
    instant(out, ms, off ?? 0);
    out.bytes(quote);
  };
  return (out, r) => {
    // The id: `s:<device>:<key>`, quoted as is when the key needs no escape.
    const mark = out.pos;
    out.bytes(idStart);
    out.number(r[0]);
    out.bytes(COLON);
    if (out.plain(r[1], forbidInKey)) out.bytes(kind);
    else {
      out.pos = mark;
      out.bytes(idOpen);
      out.text(JSON.stringify(sessionId(r[0], r[1])));
      out.bytes(kindAfterId);
    }
    out.bytes(device(r[0]));
    out.bytes(app(r[2]));
    out.bytes(category(r[3]));
    out.bytes(raw(r[4]));
    out.bytes(start);
    time(out, r[5], r[6]);
    out.bytes(end);
    time(out, r[7], r[8]);
    out.bytes(duration);
    if (r[9] === null) out.bytes(nul);
    else if (Number.isFinite(r[9])) writeSeconds(out, r[9]);
    else out.text(JSON.stringify(msToSeconds(r[9])));
    out.bytes(state(r));
    out.bytes(proxy);
    if (r[13] === null) out.bytes(nul);
    else out.text(JSON.stringify(JSON.parse(r[13])));
    out.bytes(tag);
    if (r[14] === null) out.bytes(nul);
    else out.text(JSON.stringify(r[14]));
    out.bytes(known[r[15] === 1 ? 1 : 0]!);
    out.bytes(sourcesOpen);
    const edges = edgeSources(r, names);
    if (edges === null) out.text(JSON.stringify(provenance(r, names)));
    else if (edges.length === 0) out.bytes(noSources);
    else {
      out.bytes(open);
      out.bytes(sha(edges[0]!.sha256));
      out.number(edges[0]!.line);
      if (edges.length > 1) {
        out.bytes(between);
        out.bytes(sha(edges[1]!.sha256));
        out.number(edges[1]!.line);
      }
      out.bytes(close);
    }
    if (!states.tracks(r[0])) {
      out.bytes(unknownBytes);
      return;
    }
    out.bytes(deviceState);
    out.text(deviceStateJson(states.at(r[0], r[5]), unknownState));
    out.bytes(lineEnd);
  };
}

/** One access row written as its CSV row over `columns` (fields of other kinds stay empty). */
function csvAccessLine(
  names: AccessNames,
  columns: readonly CsvColumn[],
  states: StateReader,
): (out: ByteText, r: AccessRow) => void {
  const unknownState = JSON.stringify(unknownDeviceState());
  const kindOf = new Map(columns.map((c) => [c.name, c.kind]));
  // A cell as the CSV table writes it: text guarded against formulas, then quoted when needed.
  const cellOf =
    (field: (typeof ACCESS_FIELDS)[number]) =>
    (v: string | number | boolean | null): string => {
      if (v === null) return '';
      return csvField(kindOf.get(field) === 'text' ? guardFormula(String(v)) : v);
    };
  const cell = Object.fromEntries(ACCESS_FIELDS.map((f) => [f, cellOf(f)])) as Record<
    (typeof ACCESS_FIELDS)[number],
    (v: string | number | boolean | null) => string
  >;
  const device = encodedCache((id: number) => utf8(cell.device(names.device.get(id) ?? '')));
  const app = encodedCache((id: number) => utf8(cell.app(names.app.get(id)?.identifier ?? '')));
  const appName = encodedCache((id: number) => utf8(cell.appName(names.app.get(id)?.name ?? null)));
  const category = encodedCache((raw: string) => utf8(cell.category(toCategory(raw))));
  const raw = encodedCache((t: string) => utf8(cell.raw(t)));
  const state = stateText(
    (st, src) => [utf8(cell.state(st)), utf8(cell.stateSource(src))] as const,
  );
  const kind = utf8(cell.kind('access'));
  const instant = instantBytes();
  // Times and numbers the tool formats hold no comma, quote or line break: a value cell is the text.
  const plainStart = kindOf.get('start') === 'value';
  const plainEnd = kindOf.get('end') === 'value';
  const plainDuration = kindOf.get('durationSeconds') === 'value';
  const durationKnown = [utf8(cell.durationKnown(false)), utf8(cell.durationKnown(true))];
  const unknownCell = utf8(cell.deviceState(unknownState));
  // A source's sha256 written as is when, first in the cell or after `;`, it needs no guard and
  // no quotes; null when it does.
  const textSources = kindOf.get('sources') === 'text';
  const sha = encodedCache((s: string) =>
    /[",\r\n;]/.test(s) || (textSources && needsFormulaGuard(s)) || s === ''
      ? null
      : utf8(`${s}:line `),
  );
  const semicolon = utf8(';');
  const comma = utf8(',');
  const lineEnd = utf8('\r\n');
  const forbidInKey = [QUOTE, COMMA];
  const sPrefix = utf8('s:');
  // Where each column's cell comes from: an access field, or nothing (another kind's field).
  const at = columns.map((c) => (ACCESS_FIELDS as readonly string[]).indexOf(c.name));
  const sourcesText = (r: AccessRow, edges: { sha256: string; line: number }[] | null): string =>
    edges === null
      ? provenance(r, names)
          .map((x) => `${x.sha256}:${x.locator}`)
          .join(';')
      : edges.map((e) => `${e.sha256}:line ${e.line}`).join(';');
  const field = (out: ByteText, f: number, r: AccessRow): void => {
    switch (f) {
      case 0: {
        const mark = out.pos;
        out.bytes(sPrefix);
        out.number(r[0]);
        out.bytes(COLON);
        // The id starts with `s`: no guard; quoted only for a key with a quote or comma.
        if (!out.plain(r[1], forbidInKey)) {
          out.pos = mark;
          out.text(cell.id(sessionId(r[0], r[1])));
        }
        return;
      }
      case 1:
        return out.bytes(kind);
      case 2:
        return out.bytes(device(r[0]));
      case 3:
        return out.bytes(app(r[2]));
      case 4:
        return out.bytes(appName(r[2]));
      case 5:
        return out.bytes(category(r[3]));
      case 6:
        return out.bytes(raw(r[4]));
      case 7:
        if (r[5] === null) return;
        if (plainStart) return instant(out, r[5], r[6] ?? 0);
        return out.text(cell.start(instantText(r[5], r[6] ?? 0)));
      case 8:
        if (r[7] === null) return;
        if (plainEnd) return instant(out, r[7], r[8] ?? 0);
        return out.text(cell.end(instantText(r[7], r[8] ?? 0)));
      case 9:
        if (r[9] === null) return;
        if (plainDuration && Number.isFinite(r[9])) return writeSeconds(out, r[9]);
        return out.text(cell.durationSeconds(msToSeconds(r[9])));
      case 10:
        return out.bytes(state(r)[0]);
      case 11:
        return out.bytes(state(r)[1]);
      case 12:
        if (r[13] === null) return;
        return out.text(cell.proxy(eventCsvValue(JSON.parse(r[13]))));
      case 13:
        if (r[14] === null) return;
        return out.text(cell.attributionTag(r[14]));
      case 14:
        return out.bytes(durationKnown[r[15] === 1 ? 1 : 0]!);
      case 15: {
        const edges = edgeSources(r, names);
        if (edges !== null && edges.length === 0) return;
        const first = edges === null ? null : sha(edges[0]!.sha256);
        const second = edges === null || edges.length < 2 ? undefined : sha(edges[1]!.sha256);
        if (first === null || second === null) return out.text(cell.sources(sourcesText(r, edges)));
        out.bytes(first);
        out.number(edges![0]!.line);
        if (second !== undefined) {
          out.bytes(semicolon);
          out.bytes(second);
          out.number(edges![1]!.line);
        }
        return;
      }
      case 16:
        if (!states.tracks(r[0])) return out.bytes(unknownCell);
        return out.text(cell.deviceState(deviceStateJson(states.at(r[0], r[5]), unknownState)));
      default:
        return;
    }
  };
  const instantText = instantFormatter();
  return (out, r) => {
    for (let i = 0; i < at.length; i += 1) {
      if (i > 0) out.bytes(comma);
      if (at[i]! >= 0) field(out, at[i]!, r);
    }
    out.bytes(lineEnd);
  };
}

/**
 * Streams every stored network snapshot row matching the filter's devices, apps and date range
 * (rolling aggregates: one record per export snapshot, never summed), one SQLite row at a time.
 */
export function* networkEvents(
  session: CaseSession,
  filter: Filter,
): Generator<NetworkEvent, void, undefined> {
  const w = networkWhere(filter);
  const rows = session.db
    .prepare(NETWORK_SQL(whereSql(w)))
    .iterate(...w.params) as IterableIterator<NetworkRow>;
  for (const r of rows) yield toNetworkEvent(r);
}

const recordInstant = (ms: number | null, offsetMin: number | null): string | null =>
  ms === null ? null : offsetMin === null ? formatUtc(ms) : formatInstant(ms, offsetMin);

/** The provenance of a backup record: the artifact file's sha256 and where in it the record is. */
const recordSource = (r: {
  sha256: string;
  sourceLocator: string | null;
  locator: string;
}): PermissionEvent['sources'] => [
  { sha256: r.sha256, locator: r.sourceLocator ? `${r.sourceLocator} › ${r.locator}` : r.locator },
];

/** Streams permission records (TCC, location clients) matching the filter, one row at a time. */
export function* permissionEvents(
  session: CaseSession,
  filter: Filter,
): Generator<PermissionEvent, void, undefined> {
  const { where, params } = permissionFilter(filter);
  for (const r of session.db
    .prepare(PERMISSION_SQL(where))
    .iterate(...params) as IterableIterator<PermissionRowOut>) {
    yield {
      id: `p:${r.id}`,
      kind: 'permission',
      device: r.device,
      app: r.app,
      appName: r.appName,
      origin: r.origin,
      raw: r.raw,
      category: toCategory(r.category),
      status: r.status,
      reason: r.reason,
      time: recordInstant(r.timeMs, r.offsetMin),
      sources: recordSource(r),
    };
  }
}

/** Streams network-usage records (DataUsage, addaily) matching the filter, never summed. */
export function* networkUsageEvents(
  session: CaseSession,
  filter: Filter,
): Generator<NetworkUsageEvent, void, undefined> {
  const { where, params } = usageFilter(filter);
  for (const r of session.db
    .prepare(USAGE_SQL(where))
    .iterate(...params) as IterableIterator<UsageRowOut>) {
    yield {
      id: `u:${r.id}`,
      kind: 'network-usage',
      device: r.device,
      app: r.app,
      appName: r.appName,
      origin: r.origin,
      process: r.process,
      wifiIn: r.wifiIn,
      wifiOut: r.wifiOut,
      cellIn: r.cellIn,
      cellOut: r.cellOut,
      firstSeen: recordInstant(r.firstMs, r.offsetMin),
      lastSeen: recordInstant(r.lastMs, r.offsetMin),
      sources: recordSource(r),
    };
  }
}

/** Streams configuration profiles and profile events matching the filter's devices and dates. */
export function* profileEvents(
  session: CaseSession,
  filter: Filter,
): Generator<ProfileEvent, void, undefined> {
  const { where, params } = profileFilter(filter);
  for (const r of session.db
    .prepare(PROFILE_SQL(where))
    .iterate(...params) as IterableIterator<ProfileRowOut>) {
    const item = toProfileItem(r);
    yield {
      id: item.id,
      kind: 'profile',
      device: r.device,
      identifier: r.identifier,
      displayName: r.displayName,
      organization: r.organization,
      operation: r.operation,
      process: r.process,
      payloadTypes: item.payloadTypes,
      mdm: item.mdm,
      vpn: item.vpn,
      rootCertificate: item.rootCertificate,
      time: recordInstant(r.timeMs, r.offsetMin),
      sources: recordSource(r),
    };
  }
}

const REJECT_SQL = (where: string): string => `
SELECT r.id, d.label AS device, a.identifier AS app, a.display_name AS appName, r.op, r.category,
       r.time_ms AS timeMs, r.time_offset AS offsetMin, r.state, r.raw_state AS rawState,
       r.attribution_tag AS attributionTag, r.proxy, r.line, src.sha256, src.file_name AS fileName
FROM reject_records r JOIN devices d ON d.id = r.device_id JOIN apps a ON a.id = r.app_id
JOIN sources src ON src.id = r.source_id
${where}
ORDER BY r.time_ms, r.id`;

/** Streams Android rejected app-op attempts matching the filter (devices, apps, categories, dates). */
export function* rejectEvents(
  session: CaseSession,
  filter: Filter,
): Generator<RejectEvent, void, undefined> {
  const w = recordWhere(filter, 'r.time_ms', { apps: true, categories: true, kind: 'reject' });
  for (const r of session.db
    .prepare(REJECT_SQL(whereSql(w)))
    .iterate(...w.params) as IterableIterator<{
    id: number;
    device: string;
    app: string;
    appName: string | null;
    op: string;
    category: string;
    timeMs: number;
    offsetMin: number;
    state: RejectEvent['state'];
    rawState: string | null;
    attributionTag: string | null;
    proxy: string | null;
    line: number;
    sha256: string;
  }>) {
    yield {
      id: `r:${r.id}`,
      kind: 'reject',
      device: r.device,
      app: r.app,
      appName: r.appName,
      category: toCategory(r.category),
      raw: r.op,
      time: formatInstant(r.timeMs, r.offsetMin),
      state: r.state,
      stateSource: r.rawState === null ? null : 'reported',
      proxy: r.proxy === null ? null : (JSON.parse(r.proxy) as RejectEvent['proxy']),
      attributionTag: r.attributionTag,
      sources: [{ sha256: r.sha256, locator: `line ${r.line}` }],
    };
  }
}

const USAGE_EVENT_SQL = (where: string): string => `
SELECT r.id, d.label AS device, a.identifier AS app, a.display_name AS appName, r.type,
       r.class_name AS className, r.instance_id AS instanceId, r.time_ms AS timeMs,
       r.time_offset AS offsetMin, r.line, src.sha256
FROM usage_records r JOIN devices d ON d.id = r.device_id LEFT JOIN apps a ON a.id = r.app_id
JOIN sources src ON src.id = r.source_id
${where}
ORDER BY r.time_ms, r.id`;

/** Streams Android usage events (usagestats) matching the filter's devices, apps and dates. */
export function* usageEvents(
  session: CaseSession,
  filter: Filter,
): Generator<UsageEvent, void, undefined> {
  const w = recordWhere(filter, 'r.time_ms', { apps: true, categories: false, kind: 'usage' });
  for (const r of session.db
    .prepare(USAGE_EVENT_SQL(whereSql(w)))
    .iterate(...w.params) as IterableIterator<{
    id: number;
    device: string;
    app: string | null;
    appName: string | null;
    type: string;
    className: string | null;
    instanceId: string | null;
    timeMs: number;
    offsetMin: number;
    line: number;
    sha256: string;
  }>) {
    yield {
      id: `e:${r.id}`,
      kind: 'usage',
      device: r.device,
      app: r.app,
      appName: r.appName,
      type: r.type,
      className: r.className,
      instanceId: r.instanceId,
      time: formatInstant(r.timeMs, r.offsetMin),
      sources: [{ sha256: r.sha256, locator: `line ${r.line}` }],
    };
  }
}

/** Streams aggregated Android app-op history buckets matching the filter's devices, apps, categories and dates. */
export function* opHistoryEvents(
  session: CaseSession,
  filter: Filter,
): Generator<OpHistoryEvent, void, undefined> {
  const w = recordWhere(filter, 'COALESCE(r.end_ms, r.begin_ms)', { apps: true, categories: true });
  const sql = `
SELECT r.id, d.label AS device, a.identifier AS app, a.display_name AS appName, r.op, r.category,
       r.attribution_tag AS attributionTag, r.state, r.raw_state AS rawState, r.begin_ms AS beginMs,
       r.end_ms AS endMs, r.time_offset AS offsetMin, r.access_count AS accessCount,
       r.reject_count AS rejectCount, r.duration_ms AS durationMs, r.line, src.sha256
FROM op_history_records r JOIN devices d ON d.id = r.device_id LEFT JOIN apps a ON a.id = r.app_id
JOIN sources src ON src.id = r.source_id
${whereSql(w)}
ORDER BY COALESCE(r.begin_ms, r.end_ms), r.id`;
  for (const r of session.db.prepare(sql).iterate(...w.params) as IterableIterator<{
    id: number;
    device: string;
    app: string | null;
    appName: string | null;
    op: string;
    category: string;
    attributionTag: string | null;
    state: OpHistoryEvent['state'];
    rawState: string | null;
    beginMs: number | null;
    endMs: number | null;
    offsetMin: number | null;
    accessCount: number | null;
    rejectCount: number | null;
    durationMs: number | null;
    line: number;
    sha256: string;
  }>) {
    yield {
      id: `h:${r.id}`,
      kind: 'op-history',
      device: r.device,
      app: r.app,
      appName: r.appName,
      category: toCategory(r.category),
      raw: r.op,
      attributionTag: r.attributionTag,
      state: r.state,
      rawState: r.rawState,
      begin: recordInstant(r.beginMs, r.offsetMin),
      end: recordInstant(r.endMs, r.offsetMin),
      accessCount: r.accessCount,
      rejectCount: r.rejectCount,
      durationSeconds: r.durationMs === null ? null : msToSeconds(r.durationMs),
      sources: [{ sha256: r.sha256, locator: `line ${r.line}` }],
    };
  }
}
