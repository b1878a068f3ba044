import type { Db } from '../db/open';
import { parseSessionId } from '../services/session-ids';
import { CSV_NEEDS_QUOTES } from '../services/csv';
import { KEEP_TEXT } from './redaction';

/** Tables of records with a source and a locator, by id prefix. */
const RECORD_TABLES: Record<string, { table: string; locator: string }> = {
  p: { table: 'permission_records', locator: 'r.locator' },
  u: { table: 'network_usage_records', locator: 'r.locator' },
  m: { table: 'profile_records', locator: 'r.locator' },
  r: { table: 'reject_records', locator: "'line ' || r.line" },
  e: { table: 'usage_records', locator: "'line ' || r.line" },
  n: { table: 'network_observations', locator: "'line ' || r.line" },
};

/** Where a record was read: its source file (name and sha256) and its place in that file. */
export interface EvidenceLocation {
  sha256: string;
  fileName: string;
  /** `line N`, `<table> rowid N`, `<section> line N` … as the importer recorded it. */
  locator: string;
}

/**
 * A lookup of where one record id was read: a session gives its begin and end edges, any other
 * record its one row; an unknown or malformed id gives nothing. The statements are prepared once.
 */
export function evidenceLocator(db: Db): (id: string) => EvidenceLocation[] {
  const session = db.prepare(
    `SELECT bs.sha256 AS bSha, bs.file_name AS bName, s.b_line AS bLine,
            es.sha256 AS eSha, es.file_name AS eName, s.e_line AS eLine
     FROM access_sessions s LEFT JOIN sources bs ON bs.id = s.b_source_id
     LEFT JOIN sources es ON es.id = s.e_source_id WHERE s.device_id = ? AND s.interval_key = ?`,
  );
  const records = new Map(
    Object.entries(RECORD_TABLES).map(([prefix, t]) => [
      prefix,
      db.prepare(
        `SELECT src.sha256 AS sha, src.file_name AS name, ${t.locator} AS locator
         FROM ${t.table} r JOIN sources src ON src.id = r.source_id WHERE r.id = ?`,
      ),
    ]),
  );
  return (id) => {
    if (id.startsWith('s:')) {
      let key: { deviceId: number; intervalKey: string };
      try {
        key = parseSessionId(id);
      } catch {
        return [];
      }
      const r = session.get(key.deviceId, key.intervalKey) as
        | {
            bSha: string | null;
            bName: string | null;
            bLine: number | null;
            eSha: string | null;
            eName: string | null;
            eLine: number | null;
          }
        | undefined;
      if (!r) return [];
      const out: EvidenceLocation[] = [];
      if (r.bSha && r.bName !== null && r.bLine !== null)
        out.push({ sha256: r.bSha, fileName: r.bName, locator: `line ${r.bLine}` });
      if (r.eSha && r.eName !== null && r.eLine !== null)
        out.push({ sha256: r.eSha, fileName: r.eName, locator: `line ${r.eLine}` });
      return out;
    }
    const m = /^([pumren]):(\d+)$/.exec(id);
    const stmt = m ? records.get(m[1]!) : undefined;
    if (!m || !stmt) return [];
    const r = stmt.get(Number(m[2])) as
      { sha: string; name: string; locator: string | null } | undefined;
    return r && r.locator !== null ? [{ sha256: r.sha, fileName: r.name, locator: r.locator }] : [];
  };
}

/**
 * A lookup of where record ids come from: `sha256:locator` of each record's source (a session
 * gives its begin and end lines), for the provenance columns of a bundle's CSVs, without repeats
 * and at most `limit` of them. `rewrite` is applied to each locator (a bundle's redaction).
 */
export function evidenceSourceLookup(
  db: Db,
  rewrite: (text: string) => string = (t) => t,
): (ids: readonly string[], limit?: number) => string[] {
  const locate = evidenceLocator(db);
  return (ids, limit = 50) => {
    const out: string[] = [];
    const seen = new Set<string>();
    for (const id of ids) {
      if (out.length >= limit) break;
      for (const l of locate(id)) {
        const v = `${l.sha256}:${rewrite(l.locator)}`;
        if (!seen.has(v) && out.length < limit) {
          seen.add(v);
          out.push(v);
        }
      }
    }
    return out;
  };
}

/**
 * Each record id with where it was read, in words a reader can follow without the case: the
 * source file name and the places in it, e.g. `apr.ndjson line 3, line 9` (places in another file
 * follow after `; `); an id the case cannot place says so. `rewrite` is applied to file names and
 * locators (a bundle's redaction).
 */
export function describeEvidence(
  locate: (id: string) => EvidenceLocation[],
  rewrite: (text: string) => string = (t) => t,
): (id: string) => string {
  return (id) => {
    const byFile = new Map<string, string[]>();
    for (const l of locate(id)) {
      const file = rewrite(l.fileName);
      const places = byFile.get(file) ?? [];
      places.push(rewrite(l.locator));
      byFile.set(file, places);
    }
    if (byFile.size === 0) return 'no source recorded in the case';
    return [...byFile].map(([file, places]) => `${file} ${places.join(', ')}`).join('; ');
  };
}

/**
 * `describeEvidence` for many ids at once, in their order: the sessions' places come from one
 * query per device over their interval keys and the sources from one map, so a finding with
 * thousands of evidence ids costs a few queries rather than one each.
 */
export function describeEvidenceMany(
  db: Db,
  rewrite: (text: string) => string = (t) => t,
): (ids: readonly string[]) => string[] {
  const locate = evidenceLocator(db);
  const one = describeEvidence(locate, rewrite);
  const sources = new Map(
    (
      db.prepare('SELECT id, sha256, file_name AS name FROM sources').all() as {
        id: number;
        sha256: string;
        name: string;
      }[]
    ).map((r) => [r.id, r]),
  );
  const places = db.prepare(
    `SELECT j.key AS i, s.b_source_id AS b, s.b_line AS bLine, s.e_source_id AS e, s.e_line AS eLine
     FROM json_each(?) j CROSS JOIN access_sessions s ON s.device_id = ? AND s.interval_key = j.value`,
  );
  const files = new Map<string, string>();
  const file = (name: string): string => {
    let f = files.get(name);
    if (f === undefined) {
      f = rewrite(name);
      files.set(name, f);
    }
    return f;
  };
  const rows = new Map(
    Object.entries(RECORD_TABLES).map(([prefix, t]) => [
      prefix,
      db.prepare(
        `SELECT j.key AS i, src.file_name AS name, ${t.locator} AS locator
         FROM json_each(?) j CROSS JOIN ${t.table} r ON r.id = j.value JOIN sources src ON src.id = r.source_id`,
      ),
    ]),
  );
  return (ids) => {
    const out = new Array<string>(ids.length);
    const byDevice = new Map<number, { keys: string[]; at: number[] }>();
    // Other records by table: their ids and where they stand in `ids`.
    const byTable = new Map<string, { ids: number[]; at: number[] }>();
    ids.forEach((id, i) => {
      let key: { deviceId: number; intervalKey: string } | null = null;
      if (id.startsWith('s:')) {
        try {
          key = parseSessionId(id);
        } catch {
          key = null;
        }
      }
      if (!key) {
        const m = /^([pumren]):(\d+)$/.exec(id);
        if (m && rows.has(m[1]!)) {
          let t = byTable.get(m[1]!);
          if (!t) {
            t = { ids: [], at: [] };
            byTable.set(m[1]!, t);
          }
          t.ids.push(Number(m[2]));
          t.at.push(i);
          out[i] = 'no source recorded in the case';
        } else out[i] = one(id);
        return;
      }
      let d = byDevice.get(key.deviceId);
      if (!d) {
        d = { keys: [], at: [] };
        byDevice.set(key.deviceId, d);
      }
      d.keys.push(key.intervalKey);
      d.at.push(i);
      out[i] = 'no source recorded in the case';
    });
    // As `describeEvidence` for a record: its file and its one place.
    for (const [prefix, t] of byTable)
      for (const r of rows.get(prefix)!.all(JSON.stringify(t.ids)) as {
        i: number;
        name: string;
        locator: string | null;
      }[])
        if (r.locator !== null) out[t.at[r.i]!] = `${file(r.name)} ${rewrite(r.locator)}`;
    for (const [deviceId, d] of byDevice)
      for (const r of places.all(JSON.stringify(d.keys), deviceId) as {
        i: number;
        b: number | null;
        bLine: number | null;
        e: number | null;
        eLine: number | null;
      }[]) {
        // As `describeEvidence`: the places of each file in the order found, files joined by `; `.
        const byFile = new Map<string, string[]>();
        for (const [source, line] of [
          [r.b, r.bLine],
          [r.e, r.eLine],
        ] as const) {
          const src = source === null ? undefined : sources.get(source);
          if (!src || !src.sha256 || line === null) continue;
          const name = file(src.name);
          const list = byFile.get(name) ?? [];
          list.push(rewrite(`line ${line}`));
          byFile.set(name, list);
        }
        if (byFile.size > 0)
          out[d.at[r.i]!] = [...byFile].map(([f, p]) => `${f} ${p.join(', ')}`).join('; ');
      }
    return out;
  };
}

/**
 * Where the interval key of a session id starts, less one (the colon after the device number), or
 * -1 when `parseSessionId` would refuse the id: `s:`, ASCII digits, `:`, then one character or
 * more (line breaks included). The same test without a match object or an exception for each of millions.
 */
export function sessionIdColon(id: string): number {
  if (id.charCodeAt(0) !== 0x73 || id.charCodeAt(1) !== 0x3a) return -1;
  let i = 2;
  for (let c = id.charCodeAt(i); c >= 0x30 && c <= 0x39; c = id.charCodeAt(i)) i += 1;
  if (i === 2 || id.charCodeAt(i) !== 0x3a || i + 1 >= id.length) return -1;
  return i;
}

/** Where a finding's evidence was read: each id's place in words, and its sources' provenance. */
export interface EvidencePlaces {
  /** Each id's place, as `describeEvidence` words it, in the order of the ids. */
  where: string[];
  /** `sha256:locator` of the ids' sources, as `evidenceSourceLookup` lists them (at most `limit`). */
  sources: string[];
}

/**
 * The words of evidence places given each session id's edges as read from the case: `edges` holds
 * four values per id (begin source id and line, end source id and line; NaN where the row has
 * none, or where the id is no session the case holds). Records of other kinds are read here, one
 * query per table. File names and locators are rewritten once each.
 */
export type PlaceWords = (ids: readonly string[], edges: Float64Array) => EvidencePlaces;

/** Where UTF-8 bytes go: a buffer of text being built. */
export interface ByteSink {
  bytes(b: Uint8Array): void;
  text(s: string): void;
  /** A number as `String` writes it. */
  number(n: number): void;
}

/**
 * {@link EvidencePlaces} of one finding, each id's place written as bytes when asked: a finding of
 * thousands of ids needs no string per id.
 */
export interface EvidencePlaceBytes {
  /** As {@link EvidencePlaces.sources}. */
  sources: string[];
  /** The place of the id at `i`, as {@link EvidencePlaces.where} gives it. */
  whereAt(i: number): string;
  /**
   * Writes the place of the id at `i` (the text of `whereAt(i)`) into `out` as UTF-8, and says
   * what a CSV cell holding it needs: {@link PLAIN}, {@link QUOTED} (a comma or a line break), or
   * {@link ESCAPED} (a double quote: the caller discards what was written and escapes the text).
   */
  write(out: ByteSink, i: number): CsvNeed;
}

/**
 * Ids given as a number of session ids, which then need not be made (a session's place comes from
 * its edges alone), followed by other ids.
 */
export interface SessionsThen {
  sessions: number;
  extra: readonly string[];
}

/** {@link PlaceWords} whose answer writes each place as bytes on demand. */
export type PlaceBytes = (
  ids: readonly string[] | SessionsThen,
  edges: Float64Array,
) => EvidencePlaceBytes;

/** Text a CSV cell holds as it is. */
export const PLAIN = 0;
/** Text a CSV cell holds in quotes: a comma, CR or LF, and no double quote. */
export const QUOTED = 1;
/** Text a CSV cell holds quoted with its double quotes doubled. */
export const ESCAPED = 2;
/** What a CSV cell holding a text needs (the most any of its pieces needs). */
export type CsvNeed = typeof PLAIN | typeof QUOTED | typeof ESCAPED;

/** What a CSV cell holding `text` needs. */
export function csvNeed(text: string): CsvNeed {
  if (text.includes('"')) return ESCAPED;
  return CSV_NEEDS_QUOTES.test(text) ? QUOTED : PLAIN;
}

/** Text to write as bytes, with what a cell holding it needs. */
interface Piece {
  text: string;
  bytes: Buffer;
  need: CsvNeed;
}

/** Where a place goes piece by piece: as text, or as bytes. */
interface PieceSink {
  piece(p: Piece): void;
  text(s: string): void;
  number(n: number): void;
}

const pieceOf = (text: string): Piece => ({
  text,
  bytes: Buffer.from(text, 'utf8'),
  need: csvNeed(text),
});

/** The words and the bytes forms of evidence places over `db`'s sources and records. */
function placeReader(
  db: Db,
  rewrite: (text: string) => string,
  limit: number,
): { words: PlaceWords; bytes: PlaceBytes } {
  // Each source with its rewritten file name, made once when first needed.
  const sources = new Map(
    (
      db.prepare('SELECT id, sha256, file_name FROM sources').raw().all() as [
        number,
        string,
        string,
      ][]
    ).map(([id, sha256, name]) => [id, { sha256, name, file: null as Piece | null }]),
  );
  const rows = new Map(
    Object.entries(RECORD_TABLES).map(([prefix, t]) => [
      prefix,
      db
        .prepare(
          `SELECT j.key, src.sha256, src.file_name, ${t.locator}
           FROM json_each(?) j CROSS JOIN ${t.table} r ON r.id = j.value JOIN sources src ON src.id = r.source_id`,
        )
        .raw(),
    ]),
  );
  const remember = <K, V>(f: (k: K) => V): ((k: K) => V) => {
    const m = new Map<K, V>();
    return (k) => {
      let v = m.get(k);
      if (v === undefined) {
        v = f(k);
        if (m.size < 100_000) m.set(k, v);
      }
      return v;
    };
  };
  const filePiece = remember((text: string) => pieceOf(text));
  const file = remember((name: string) => filePiece(rewrite(name)));
  // A line's place is made each time, never kept: at study scale nearly every line is met once
  // (two per session), so a map of them only missed, and the objects it kept made the heap
  // allocate every later one in the old generation (the export's memory grew by 250 MB at 10M).
  const line = (n: number): { text: string; need: CsvNeed } => {
    const given = `line ${n}`;
    const text = rewrite(given);
    return { text, need: text === given ? PLAIN : csvNeed(text) };
  };
  // Without a rewrite, a line's place is written as its word and its number: no string is made
  // for each of the (at study scale) tens of millions of places.
  const keep = rewrite === KEEP_TEXT;
  const LINE = pieceOf('line ');
  const writeLine = (sink: PieceSink, n: number): CsvNeed => {
    if (keep) {
      sink.piece(LINE);
      sink.number(n);
      return PLAIN;
    }
    const l = line(n);
    sink.text(l.text);
    return l.need;
  };
  const NONE = pieceOf('no source recorded in the case');
  const SPACE = pieceOf(' ');
  const SAME_FILE = pieceOf(', ');
  const OTHER_FILE = pieceOf('; ');
  // The bytes of `<file> line `, kept with the source once written.
  type Source = { sha256: string; name: string; file: Piece | null; line?: Buffer };
  const SAME_LINE = Buffer.from(', line ');
  // An edge counts when its source is known, has a hash, and the line is given.
  const edgeSource = (source: number, n: number): Source | null => {
    if (Number.isNaN(source) || Number.isNaN(n)) return null;
    const s = sources.get(source);
    return s !== undefined && s.sha256 !== '' ? s : null;
  };
  const fileOf = (s: Source): Piece => (s.file ??= file(s.name));
  const read = (
    ids: readonly string[] | SessionsThen,
    edges: Float64Array,
  ): {
    whereAt: (i: number) => string;
    write: (out: ByteSink, i: number) => CsvNeed;
    sources: string[];
  } => {
    // A record's place and its one provenance value, by its place in `ids`; sessions' come
    // from their edges.
    const records = new Map<number, { where: Piece; given: string }>();
    const byTable = new Map<string, { ids: number[]; at: number[] }>();
    const listed = 'sessions' in ids ? ids.extra : ids;
    // Where the listed ids begin among all.
    const first = 'sessions' in ids ? ids.sessions : 0;
    const count = first + listed.length;
    listed.forEach((id, j) => {
      const i = first + j;
      // A session id (or any id starting with `s`, which no record table has): its place comes
      // from its edges. Tested by its first letter, not parsed: a finding has millions of them.
      if (id.charCodeAt(0) === 0x73) return;
      const m = /^([pumren]):(\d+)$/.exec(id);
      if (!m || !rows.has(m[1]!)) return;
      let t = byTable.get(m[1]!);
      if (!t) {
        t = { ids: [], at: [] };
        byTable.set(m[1]!, t);
      }
      t.ids.push(Number(m[2]));
      t.at.push(i);
    });
    for (const [prefix, t] of byTable)
      for (const [k, sha, name, locator] of rows.get(prefix)!.all(JSON.stringify(t.ids)) as [
        number,
        string,
        string,
        string | null,
      ][]) {
        if (locator === null) continue;
        const place = rewrite(locator);
        records.set(t.at[k]!, {
          where: pieceOf(`${file(name).text} ${place}`),
          given: `${sha}:${place}`,
        });
      }
    // As `describeEvidence`: the places of each file in the order found, files joined by `; `.
    // The place of the id at `at`, handed to `sink` piece by piece; returns what a CSV cell
    // holding it needs. Its text and its bytes are both written from this one walk.
    const place = (sink: PieceSink, at: number): CsvNeed => {
      const bLine = edges[at * 4 + 1]!;
      const eLine = edges[at * 4 + 3]!;
      const bs = edgeSource(edges[at * 4]!, bLine);
      const es = edgeSource(edges[at * 4 + 2]!, eLine);
      if (bs && es) {
        const fb = fileOf(bs);
        const fe = fileOf(es);
        // Most sessions begin and end in one file: as bytes, with lines not rewritten, `<file>
        // line <b>, line <e>` is written straight from the file's bytes and the two numbers.
        if (sink === asBytes && keep && fb.text === fe.text) {
          const out = target!;
          out.bytes((bs.line ??= Buffer.concat([fb.bytes, SPACE.bytes, LINE.bytes])));
          out.number(bLine);
          out.bytes(SAME_LINE);
          out.number(eLine);
          return Math.max(fb.need, QUOTED) as CsvNeed;
        }
        sink.piece(fb);
        sink.piece(SPACE);
        let need: CsvNeed = Math.max(fb.need, writeLine(sink, bLine)) as CsvNeed;
        if (fb.text === fe.text) {
          sink.piece(SAME_FILE);
          need = Math.max(need, QUOTED) as CsvNeed;
        } else {
          sink.piece(OTHER_FILE);
          sink.piece(fe);
          sink.piece(SPACE);
          need = Math.max(need, fe.need) as CsvNeed;
        }
        return Math.max(need, writeLine(sink, eLine)) as CsvNeed;
      }
      const s = bs ?? es;
      if (s) {
        const f = fileOf(s);
        sink.piece(f);
        sink.piece(SPACE);
        return Math.max(f.need, writeLine(sink, bs ? bLine : eLine)) as CsvNeed;
      }
      const w = records.get(at)?.where ?? NONE;
      sink.piece(w);
      return w.need;
    };
    const parts: string[] = [];
    const asText: PieceSink = {
      piece: (p) => parts.push(p.text),
      text: (t) => parts.push(t),
      number: (n) => parts.push(String(n)),
    };
    const whereAt = (at: number): string => {
      parts.length = 0;
      place(asText, at);
      return parts.join('');
    };
    // One sink for every call, pointed at the buffer of the call.
    let target: ByteSink | null = null;
    const asBytes: PieceSink = {
      piece: (p) => target!.bytes(p.bytes),
      text: (t) => target!.text(t),
      number: (n) => target!.number(n),
    };
    const write = (out: ByteSink, at: number): CsvNeed => {
      target = out;
      return place(asBytes, at);
    };
    const out: string[] = [];
    const seen = new Set<string>();
    const note = (v: string): void => {
      if (!seen.has(v) && out.length < limit) {
        seen.add(v);
        out.push(v);
      }
    };
    for (let i = 0; i < count && out.length < limit; i += 1) {
      const given = records.get(i)?.given;
      if (given !== undefined) note(given);
      for (let edge = 0; edge < 4; edge += 2) {
        const s = edgeSource(edges[i * 4 + edge]!, edges[i * 4 + edge + 1]!);
        if (s) note(`${s.sha256}:${line(edges[i * 4 + edge + 1]!).text}`);
      }
    }
    return { whereAt, write, sources: out };
  };
  return {
    words: (ids, edges) => {
      const r = read(ids, edges);
      return {
        where: Array.from({ length: ids.length }, (_, i) => r.whereAt(i)),
        sources: r.sources,
      };
    },
    bytes: read,
  };
}

/** {@link PlaceWords} over `db`'s sources and records, rewritten by `rewrite`. */
export function placeWords(
  db: Db,
  rewrite: (text: string) => string = (t) => t,
  limit = 50,
): PlaceWords {
  return placeReader(db, rewrite, limit).words;
}

/** {@link PlaceBytes} over `db`'s sources and records, rewritten by `rewrite`. */
export function placeBytes(
  db: Db,
  rewrite: (text: string) => string = (t) => t,
  limit = 50,
): PlaceBytes {
  return placeReader(db, rewrite, limit).bytes;
}

/** A session row's edges as the places index gives them: begin source and line, end source and line. */
type EdgeRow = [number | null, number | null, number | null, number | null];

/** Copies a row's edges into `edges` at `at` (four values; NaN for each one missing). */
function putEdges(edges: Float64Array, at: number, row: EdgeRow): void {
  for (let k = 0; k < 4; k += 1) edges[at * 4 + k] = row[k] ?? NaN;
}

/**
 * `describeEvidenceMany` and `evidenceSourceLookup` in one pass: each session id's edges are read
 * once, through one query per device over the ids' interval keys (one per table for other
 * records), and file names, locators and hashes are rewritten once each; both answers are the
 * same text as those give. A finding with thousands of evidence ids costs a few queries.
 */
export function evidencePlacesMany(
  db: Db,
  rewrite: (text: string) => string = (t) => t,
  limit = 50,
): (ids: readonly string[]) => EvidencePlaces {
  const words = placeWords(db, rewrite, limit);
  // Each key is found through the sessions' UNIQUE (device, interval key) index, then its row.
  const places = db
    .prepare(
      `SELECT j.key, s.b_source_id, s.b_line, s.e_source_id, s.e_line
       FROM json_each(?) j CROSS JOIN access_sessions s
         ON s.device_id = ? AND s.interval_key = j.value`,
    )
    .raw();
  return (ids) => {
    const edges = new Float64Array(ids.length * 4).fill(NaN);
    const byDevice = new Map<number, { keys: string[]; at: number[] }>();
    ids.forEach((id, i) => {
      const colon = sessionIdColon(id);
      if (colon < 0) return;
      const deviceId = Number(id.slice(2, colon));
      let d = byDevice.get(deviceId);
      if (!d) {
        d = { keys: [], at: [] };
        byDevice.set(deviceId, d);
      }
      d.keys.push(id.slice(colon + 1));
      d.at.push(i);
    });
    for (const [deviceId, d] of byDevice)
      for (const [k, ...row] of places.all(JSON.stringify(d.keys), deviceId) as [
        number,
        ...EdgeRow,
      ][])
        putEdges(edges, d.at[k]!, row);
    return words(ids, edges);
  };
}
