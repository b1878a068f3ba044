import type { Filter } from '../../contract/filter';
import type { CompareRequest } from '../../contract/records';
import type { Finding } from '../../contract/findings';
import { EVIDENCE_CAP, findingsWithEvidence, storedFindingParams } from '../findings';
import { ofDevice, placesEdges, storedEvidencePieces } from '../findings/stored';
import { leanEvidenceKeys, LeanScratch, type LeanKeys } from '../findings/stored-evidence-items';
import { listAnnotations } from '../services/annotations';
import { maskIdentifier } from '../../contract/mask';
import type { CaseSession } from '../services/case-service';
import type { Db } from '../db/open';
import { parseSessionId } from '../services/session-ids';
import { ByteText } from '../services/event-text';
import { bundleAudit } from './audit-manifest';
import { buildComparison, comparisonFiles } from './comparison';
import {
  csvNeed,
  ESCAPED,
  evidencePlacesMany,
  evidenceSourceLookup,
  PLAIN,
  placeBytes,
  QUOTED,
  type CsvNeed,
  type EvidencePlaceBytes,
  type EvidencePlaces,
  type PlaceBytes,
} from './evidence-sources';
import { createRedactor, KEEP_TEXT, type Redactor } from './redaction';
import { exportTimings, type ExportTimings } from './export-timings';
import {
  detailedFindings,
  EVIDENCE_SHOWN,
  renderReportPdf,
  type ReportFinding,
} from '../report/report-pdf';
import { reportKeyFindings } from '../report/report-key-findings';
import { excerptDeviceStates } from '../report/pdf/excerpt-states';
import { keyFindingIds } from '../report/pdf/answer-model';
import {
  CSV_NEEDS_QUOTES,
  csvColumns,
  csvField,
  csvTable,
  guardFormula,
  needsFormulaGuard,
  type CsvValue,
} from '../services/csv';

/** Columns of `findings.csv`. */
export const FINDINGS_CSV_COLUMNS = [
  'id',
  'rule',
  'severity',
  'device',
  'app',
  'app_name',
  'category',
  'count',
  'first_local',
  'last_local',
  'title',
  'caveat',
  'evidence',
  'evidence_sources',
  'evidence_locations',
] as const;

const FINDINGS_CSV = csvTable(
  csvColumns(FINDINGS_CSV_COLUMNS, ['count', 'first_local', 'last_local']),
);

/** One cell of `findings.csv`, as its table writes it (text cells guarded against formulas). */
function findingsCell(column: number, value: CsvValue): string {
  if (value === null || value === undefined) return '';
  return csvField(
    FINDINGS_CSV.columns[column]!.kind === 'text' ? guardFormula(String(value)) : value,
  );
}

/**
 * The bytes of `findings.csv` rows, built in one buffer and handed out a piece at a time; bytes
 * written earlier in the piece can be written again (an evidence id in its second cell).
 */
class RowBytes extends ByteText {
  /** The bytes from `start` to `end` of this piece, written again. */
  again(start: number, end: number): void {
    this.room(end - start);
    this.buf.copyWithin(this.pos, start, end);
    this.pos += end - start;
  }

  /** The bytes `start` to `end` of `from`, copied. */
  copy(from: Buffer, start: number, end: number): void {
    this.room(end - start);
    this.pos += from.copy(this.buf, this.pos, start, end);
  }

  /** The bytes of this piece from `start` on, as Latin-1 text. */
  latin1(start: number): string {
    return this.buf.toString('latin1', start, this.pos);
  }

  /**
   * The piece written so far, copied out: the buffer, grown to hold a finding's whole row
   * (hundreds of KB), stays for the next rows rather than each piece keeping one of its own while
   * it waits to be deflated.
   */
  override take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return out;
  }

  /** Takes out the byte at `at`, moving the bytes after it back by one. */
  drop(at: number): void {
    this.buf.copyWithin(at, at + 1, this.pos);
    this.pos -= 1;
  }
}

/**
 * A text cell made of many pieces joined by `sep`, as `findingsCell` writes the joined text: for
 * tests of the cells `findings.csv` writes piece by piece.
 */
export function joinedTextCell(pieces: readonly string[], sep: string): string {
  const out = new RowBytes(1024);
  writeJoinedCell(
    out,
    pieces.length,
    (i) => pieces[i]!,
    null,
    sep,
    pieces.some((p) => CSV_NEEDS_QUOTES.test(p)),
  );
  return out.take().toString('utf8');
}

/**
 * Writes a text cell made of `count` pieces joined by `sep` into `out`, exactly as `findingsCell`
 * writes the joined text, without joining it: piece `i` is `first(i)`, or with `second` given
 * `first(i) + ' at ' + second(i)`. `special` says whether any piece holds a comma, quote or line
 * break (a caller that has tested the parts knows it without building the pieces).
 */
function writeJoinedCell(
  out: RowBytes,
  count: number,
  first: (i: number) => string,
  second: ((i: number) => string) | null,
  sep: string,
  special: boolean,
): void {
  if (count === 0) return;
  const pieceAt = (i: number): string => (second ? `${first(i)} at ${second(i)}` : first(i));
  // The formula guard looks at the first character of the joined text.
  let start = '';
  for (let i = 0; i < count && start.length < 2; i += 1) start += (i > 0 ? sep : '') + pieceAt(i);
  const quote = (count > 1 && CSV_NEEDS_QUOTES.test(sep)) || special;
  const escape = (t: string): string => (quote && t.includes('"') ? t.replace(/"/g, '""') : t);
  const between = Buffer.from(escape(sep), 'utf8');
  if (quote) out.bytes(QUOTE);
  if (needsFormulaGuard(start)) out.bytes(APOSTROPHE);
  for (let i = 0; i < count; i += 1) {
    if (i > 0) out.bytes(between);
    out.text(escape(first(i)));
    if (second) {
      out.bytes(AT);
      out.text(escape(second(i)));
    }
  }
  if (quote) out.bytes(QUOTE);
}

const QUOTE = Buffer.from('"');
const APOSTROPHE = Buffer.from("'");
const CRLF = Buffer.from('\r\n');
const AT = Buffer.from(' at ');
const BETWEEN_PLACES = Buffer.from(' | ');
const SPACE = Buffer.from(' ');

// How many evidence ids are joined into one string at a time.
const IDS_JOINED = 256;

/**
 * Writes the `evidence`, `evidence_sources` and `evidence_locations` cells of a row whose ids need
 * no quotes and are ASCII, and whose places hold no double quote, as bytes: the ids are joined and
 * encoded once (a few hundred at a time) and each is copied into the places cell; each place is
 * written from its parts, and the places cell is quoted when one of them holds a comma. Returns
 * false, having written nothing, for any other row.
 */
function writePlainEvidence(
  out: RowBytes,
  ids: readonly string[],
  places: EvidencePlaceBytes,
  sourcesCell: string,
): boolean {
  if (ids.length === 0) {
    out.text(`,${sourcesCell},`);
    return true;
  }
  const mark = out.pos;
  let idsAt = mark;
  // In batches: one string of a finding's thousands of ids would be too large for the young
  // generation of the heap, and stay until a full collection.
  for (let b = 0; b < ids.length; b += IDS_JOINED) {
    if (b > 0) out.bytes(SPACE);
    const joined = ids.slice(b, b + IDS_JOINED).join(' ');
    // The separator is no special character: the joined ids are special when one of them is.
    if (CSV_NEEDS_QUOTES.test(joined)) {
      out.pos = mark;
      return false;
    }
    if (b === 0) {
      // The formula guard looks at the first character of the joined text.
      if (needsFormulaGuard(joined)) out.bytes(APOSTROPHE);
      idsAt = out.pos;
    }
    const at = out.pos;
    out.text(joined);
    // Every character is ASCII exactly when each takes one byte: then id i starts where the
    // lengths before it say.
    if (out.pos - at !== joined.length) {
      out.pos = mark;
      return false;
    }
  }
  out.text(`,${sourcesCell},`);
  return writeLocations(
    out,
    mark,
    ids.length,
    idsAt,
    (i) => ids[i]!.length,
    needsFormulaGuard(`${ids[0]!} at `),
    places,
  );
}

/**
 * Writes the `evidence_locations` cell of `count` ids whose text was written from `idsAt` on, each
 * `length(i)` bytes and one byte apart: each id copied, then ` at ` and its place; quoted when a
 * place holds a comma. Returns false, having taken out everything from `mark` on, when a place
 * holds a double quote.
 */
function writeLocations(
  out: RowBytes,
  mark: number,
  count: number,
  idsAt: number,
  length: (i: number) => number,
  guard: boolean,
  places: EvidencePlaceBytes,
): boolean {
  // Most places cells hold a comma (`line 1, line 2`): the quote is written first and taken out
  // again when no place needed it.
  const cellAt = out.pos;
  out.bytes(QUOTE);
  if (guard) out.bytes(APOSTROPHE);
  let need: CsvNeed = PLAIN;
  let from = idsAt;
  for (let i = 0; i < count; i += 1) {
    if (i > 0) out.bytes(BETWEEN_PLACES);
    const end = from + length(i);
    out.again(from, end);
    from = end + 1;
    out.bytes(AT);
    const n = places.write(out, i);
    if (n === ESCAPED) {
      out.pos = mark;
      return false;
    }
    if (n > need) need = n;
  }
  if (need === QUOTED) out.bytes(QUOTE);
  else out.drop(cellAt);
  return true;
}

/**
 * A finding's ids (its sessions' ids, then any others) read as byte ranges of its stored evidence
 * column (see `leanEvidenceKeys`), with their places.
 */
export interface LeanEvidence {
  column: Buffer;
  keys: LeanKeys;
  places: EvidencePlaceBytes;
}

/**
 * A finding's evidence read from its stored column as byte ranges (at most the engine's cap of
 * ids), with the places kept with it worded by `words`; null for a finding computed afresh or a
 * column in another form (see `leanEvidenceKeys`), whose ids are then read as text. Each answer
 * holds until the next one is asked for.
 */
export function leanEvidenceOf(db: Db, words: PlaceBytes): (f: Finding) => LeanEvidence | null {
  // One buffer for every column, and one set of arrays for where their ids and places are, each
  // answer valid until the next: arrays of each finding's own (hundreds of KB) outlive a young
  // generation collection while its row is written, which makes the heap collect its old
  // generation several times as often.
  const column = { bytes: Buffer.alloc(0) };
  const scratch = new LeanScratch();
  let edges = new Float64Array(0);
  return (f) => {
    const pieces = storedEvidencePieces(db, f);
    if (pieces === null || !ofDevice(pieces[0] ?? '', f.deviceId)) return null;
    let length = 0;
    for (const p of pieces) {
      // Only an ASCII column is read here: its text written as Latin-1 is its bytes.
      if (Buffer.byteLength(p, 'utf8') !== p.length) return null;
      length += p.length;
    }
    if (column.bytes.length < length)
      column.bytes = Buffer.allocUnsafe(Math.max(length, column.bytes.length * 2));
    let at = 0;
    for (const p of pieces) at += column.bytes.write(p, at, 'latin1');
    const bytes = column.bytes.subarray(0, at);
    const keys = leanEvidenceKeys(bytes, EVIDENCE_CAP, scratch);
    if (!keys?.places) return null;
    if (edges.length < keys.count * 4)
      edges = new Float64Array(Math.max(keys.count * 4, edges.length * 2));
    const view = placesEdges(keys.places, keys.count, keys.sessions, edges);
    return { column: bytes, keys, places: words(keys, view) };
  };
}

/**
 * Writes the `evidence`, `evidence_sources` and `evidence_locations` cells of a row whose ids are
 * those of a lean stored column, from the column's bytes: no string is made for a session's id.
 * The first id is a session's, which starts with `s` (no formula guard), and no id holds a CSV
 * special character, as `leanEvidenceKeys` checked. Returns false, having written nothing, when no
 * session leads, when the redaction would rewrite an id, or when a place holds a double quote;
 * the caller then writes the row from the ids' text.
 */
function writeLeanEvidence(
  out: RowBytes,
  lean: LeanEvidence,
  redactor: Redactor,
  sourcesCell: string,
): boolean {
  const { column, keys, places } = lean;
  // A row led by another id than a session's is left to the text path (its formula guard).
  if (keys.sessions === 0) return false;
  const mark = out.pos;
  for (let i = 0; i < keys.count; i += 1) {
    if (i > 0) out.bytes(SPACE);
    if (i < keys.sessions) out.bytes(keys.prefix);
    out.copy(column, keys.starts[i]!, keys.ends[i]!);
  }
  // Every id as one text (ASCII) for the redaction's test: an id it would rewrite is in it.
  if (redactor.text !== KEEP_TEXT && redactor.mentions(out.latin1(mark))) {
    out.pos = mark;
    return false;
  }
  out.text(`,${sourcesCell},`);
  const prefix = keys.prefix.length;
  return writeLocations(
    out,
    mark,
    keys.count,
    mark,
    (i) => (i < keys.sessions ? prefix : 0) + keys.ends[i]! - keys.starts[i]!,
    false,
    places,
  );
}

/** {@link EvidencePlaces} in the form `findings.csv` writes, each place written from its text. */
function placesAsBytes(places: EvidencePlaces | EvidencePlaceBytes): EvidencePlaceBytes {
  if ('write' in places) return places;
  return {
    sources: places.sources,
    whereAt: (i) => places.where[i]!,
    write: (out, i) => {
      const w = places.where[i]!;
      out.text(w);
      return csvNeed(w);
    },
  };
}

/**
 * `findings.csv` as UTF-8, in pieces of about `chunkBytes` bytes: findings already redacted, their
 * evidence ids with the sources' sha256 and locators, and each id beside its source file name and
 * locator (readable without the case). Each finding's whole evidence is read when its row is
 * written, never all of them at once, and written as bytes without joining its thousands of ids
 * with their places.
 */
export function* findingsCsvBytes(
  findings: readonly {
    shown: Finding;
    evidence: () => readonly string[];
    /** The evidence as byte ranges of its stored column, when it is in that form. */
    lean?: () => LeanEvidence | null;
  }[],
  placesOf: (index: number, ids: readonly string[]) => EvidencePlaces | EvidencePlaceBytes,
  redactor: Redactor,
  chunkBytes = 64 * 1024,
): Generator<Buffer> {
  const out = new RowBytes(chunkBytes);
  out.text(FINDINGS_CSV.header());
  for (const [index, { shown: f, evidence: read, lean: readLean }] of findings.entries()) {
    const cells =
      [f.id, f.rule, f.severity, f.device, f.app, f.appName, f.category, f.count, f.first]
        .concat([f.last, f.title, f.caveat])
        .map((v, i) => findingsCell(i, v))
        .join(',') + ',';
    const lean = readLean?.();
    if (lean) {
      const rowAt = out.pos;
      out.text(cells);
      if (writeLeanEvidence(out, lean, redactor, findingsCell(13, lean.places.sources.join(';')))) {
        out.bytes(CRLF);
        if (out.full()) yield out.take();
        continue;
      }
      out.pos = rowAt;
    }
    const evidence = read();
    const places = placesAsBytes(placesOf(index, evidence));
    const ids = evidence.map(redactor.text);
    out.text(cells);
    const sourcesCell = findingsCell(13, places.sources.join(';'));
    if (!writePlainEvidence(out, ids, places, sourcesCell)) {
      const idsSpecial = ids.some((id) => CSV_NEEDS_QUOTES.test(id));
      const wheres = ids.map((_, i) => places.whereAt(i));
      writeJoinedCell(out, ids.length, (i) => ids[i]!, null, ' ', idsSpecial);
      out.text(`,${sourcesCell},`);
      // `<id> at <where>` holds a comma, quote or line break exactly when its id or place does.
      writeJoinedCell(
        out,
        ids.length,
        (i) => ids[i]!,
        (i) => wheres[i]!,
        ' | ',
        idsSpecial || wheres.some((w) => CSV_NEEDS_QUOTES.test(w)),
      );
    }
    out.bytes(CRLF);
    if (out.full()) yield out.take();
  }
  if (out.pos > 0) yield out.take();
}

/** Columns of `annotations.csv`. */
export const ANNOTATIONS_CSV_COLUMNS = [
  'target',
  'kind',
  'star',
  'tags',
  'note',
  'updated_utc',
  'sources',
] as const;

const ANNOTATIONS_CSV = csvTable(csvColumns(ANNOTATIONS_CSV_COLUMNS, ['star', 'updated_utc']));

/**
 * The findings whose accesses the report draws: those it details, then those its page 1 leads
 * with that are not among them (a key finding's hour strip is drawn from its findings' accesses;
 * in a large case it may rank below the findings detailed). By their ids as the report shows them.
 */
export function excerptFindings<T extends Finding>(
  findings: readonly T[],
  keyFindings: readonly { findingId: string; findingIds?: readonly string[] }[],
): T[] {
  const out = detailedFindings(findings);
  const chosen = new Set(out);
  const leading = new Set(keyFindings.flatMap(keyFindingIds));
  for (const f of findings)
    if (leading.has(f.id) && !chosen.has(f)) {
      chosen.add(f);
      out.push(f);
    }
  return out;
}

/**
 * The accesses behind each finding the report details (at most 2,000 each), for its timeline
 * excerpts: one query per finding over its evidence keys, in evidence order.
 */
function excerptsOf(
  session: CaseSession,
  findings: readonly Finding[],
  evidenceOf: (f: Finding) => readonly string[],
): Record<string, { ms: number; durationMs: number }[]> {
  const stmt = session.db.prepare(
    `SELECT s.anchor_ms AS ms, COALESCE(s.duration_ms, 0) AS durationMs
     FROM json_each(?) j CROSS JOIN access_sessions s
       ON s.device_id = json_extract(j.value, '$[0]') AND s.interval_key = json_extract(j.value, '$[1]')
     ORDER BY j.key`,
  );
  const out: Record<string, { ms: number; durationMs: number }[]> = {};
  for (const f of findings) {
    const keys: [number, string][] = [];
    for (const id of evidenceOf(f)) {
      if (!id.startsWith('s:') || keys.length >= 2000) continue;
      try {
        const key = parseSessionId(id);
        keys.push([key.deviceId, key.intervalKey]);
      } catch {
        // Not a session id: nothing to draw.
      }
    }
    if (keys.length === 0) continue;
    const marks = stmt.all(JSON.stringify(keys)) as { ms: number; durationMs: number }[];
    if (marks.length > 0) out[f.id] = marks;
  }
  return out;
}

export interface ExtrasOptions {
  version: string;
  fingerprint: string;
  unmask: boolean;
  redaction: { contexts: boolean; apps: string[] };
  examiner?: string;
  /** Devices or periods to compare: a report section and the comparison CSVs. */
  comparison?: CompareRequest;
  /** The stage clock (by default, stage times on stderr when `SNOOPSCOPE_EXPORT_TIMINGS=1`). */
  timings?: ExportTimings;
}

/**
 * Files a bundle holds beside events.csv and network.csv: `report.pdf`, the findings (with the
 * case's rule parameters), the examiner's annotations and, when asked, the comparison
 * (`comparison.csv`, `comparison-columns.csv`). Pass the same redaction, unmasking and comparison
 * to `exportBundle`, which records the comparison's request in the manifest: both rewrite free
 * text through the same redactor, so every file uses one alias for one app.
 */
export async function bundleExtras(
  session: CaseSession,
  filter: Filter,
  o: ExtrasOptions,
): Promise<{ name: string; content: Iterable<string | Uint8Array> | Uint8Array }[]> {
  const redactor = createRedactor(session.db, o.redaction, { unmask: o.unmask });
  const { text, maybe } = redactor;
  const clock = o.timings ?? exportTimings();
  // The findings with the first evidence ids the report lists; each one's whole evidence is read
  // when findings.csv writes its row (see `findingsWithEvidence`).
  const { findings, evidenceOf, evidenceWithEdges } = clock.stage('findings', () =>
    findingsWithEvidence(session.db, filter, storedFindingParams(session.db), EVIDENCE_SHOWN),
  );
  // Each finding's places are read a finding at a time, a few queries each.
  const placesOf = evidencePlacesMany(session.db, text);
  // The stored findings keep where each session was read: findings.csv words those places
  // rather than searching the sessions for each of (at study scale) tens of millions of ids.
  const words = placeBytes(session.db, text);
  const leanOf = leanEvidenceOf(session.db, words);
  let read: { index: number; edges: Float64Array | null } = { index: -1, edges: null };
  const csvPlaces = (index: number, ids: readonly string[]): EvidencePlaces | EvidencePlaceBytes =>
    read.index === index && read.edges !== null ? words(ids, read.edges) : placesOf(ids);
  const shown = findings.map((f, index) => ({
    evidence: () => {
      const { ids, edges } = evidenceWithEdges(f);
      read = { index, edges };
      return ids;
    },
    // A stored column of session ids is written from its bytes, without a string for each id.
    lean: () => leanOf(f),
    shown: {
      ...f,
      id: text(f.id),
      device: text(f.device),
      app: maybe(f.app),
      appName: maybe(f.appName),
      title: text(f.title),
      caveat: text(f.caveat),
      evidence: f.evidence.map(text),
      details: redactor.deep(f.details),
    } satisfies Finding,
  }));
  const reportFindings = clock.stage('evidence places', () =>
    shown.map(({ shown: f }, i): ReportFinding => ({
      ...f,
      evidenceWhere: placesOf(findings[i]!.evidence.slice(0, EVIDENCE_SHOWN)).where,
      // findings.csv lists the whole evidence, at most the engine's cap.
      evidenceListed: Math.min(
        EVIDENCE_CAP,
        f.evidence.length + Number(findings[i]!.details.evidenceTruncated ?? 0),
      ),
    })),
  );
  const annotations = listAnnotations(session.db, {});
  const findingById = new Map(findings.map((f) => [f.id, f]));
  const sourcesOf = evidenceSourceLookup(session.db, text);
  const info = session.info();
  const mask = (v: string | null): string | null => (o.unmask ? v : maskIdentifier(v));
  // One computation feeds the report and the CSVs, so the two cannot disagree.
  const comparison = o.comparison
    ? clock.stage('comparison', () => buildComparison(session, o.comparison!, { redactor }))
    : undefined;
  // The findings the report details, by their redacted text (the order it sorts in).
  const original = new Map<ReportFinding, Finding>(reportFindings.map((f, i) => [f, findings[i]!]));
  const keyFindings = clock.stage('key findings', () =>
    reportKeyFindings(session.db, filter.devices, { text, maybe }),
  );
  const excerpts = clock.stage('excerpts', () =>
    excerptsOf(
      session,
      excerptFindings(reportFindings, keyFindings).map((f) => original.get(f)!),
      evidenceOf,
    ),
  );
  const excerptStates = clock.stage('excerpt states', () =>
    excerptDeviceStates(session.db, findings, excerpts, text),
  );
  const audit = clock.stage('audit', () => bundleAudit(session.db, redactor));
  const summary = clock.stage('summary', () => session.queries.summary(filter));
  const heatmap = clock.stage('heatmap', () => session.queries.heatmap(filter));
  const report = await clock.stage('report.pdf', () =>
    renderReportPdf({
      caseName: text(info.name),
      examiner: o.examiner === undefined ? undefined : text(o.examiner),
      exportedAt: new Date(),
      toolVersion: o.version,
      fingerprint: o.fingerprint,
      devices: info.devices.map((d) => ({
        ...d,
        label: text(d.label),
        model: maybe(d.model),
        osVersion: maybe(d.osVersion),
        identifiers: {
          udid: mask(d.identifiers.udid),
          serial: mask(d.identifiers.serial),
          imei: mask(d.identifiers.imei),
          phoneNumber: mask(d.identifiers.phoneNumber),
        },
      })),
      filterText:
        Object.keys(filter).length === 0
          ? 'none (the whole case)'
          : JSON.stringify(redactor.deep(filter)),
      summary: summary.map((x) => ({
        ...x,
        device: text(x.device),
        app: text(x.app),
        appName: maybe(x.appName),
      })),
      findings: reportFindings,
      sources: session.sources().map((s) => ({
        ...s,
        fileName: text(s.fileName),
        path: text(s.path),
      })),
      heatmap,
      excerpts: Object.fromEntries(
        Object.entries(excerpts).map(([id, marks]) => [text(id), marks]),
      ),
      excerptStates,
      redaction: {
        contexts: o.redaction.contexts,
        apps: redactor.apps,
        identifiersMasked: !o.unmask,
      },
      audit: {
        entries: audit.total,
        intact: audit.check.intact,
        message: audit.check.message,
        redacted: audit.redactedEntries.length,
        unverifiable: audit.unverifiableEntries,
      },
      comparison,
      keyFindings,
    }),
  );
  return [
    { name: 'report.pdf', content: report },
    {
      name: 'findings.csv',
      content: findingsCsvBytes(shown, csvPlaces, redactor),
    },
    {
      name: 'annotations.csv',
      content: [
        ANNOTATIONS_CSV.header(),
        ...annotations.map((a) =>
          ANNOTATIONS_CSV.row([
            text(a.target),
            a.kind,
            a.star,
            a.tags.map(text).join(' '),
            maybe(a.note),
            a.updatedAt,
            sourcesOf(
              a.kind === 'finding'
                ? ((f) => (f ? evidenceOf(f) : []))(findingById.get(a.target))
                : [a.target],
            ).join(';'),
          ]),
        ),
      ],
    },
    ...(comparison ? comparisonFiles(comparison) : []),
  ];
}
