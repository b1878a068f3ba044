import { toCategory, type Category } from '../../../contract/categories';
import type { ImportWarning, WarningCode } from '../../../contract/warnings';
import type {
  AccessEdgeRecord,
  ImportRecord as ParsedItem,
  NetworkRecord,
} from '../../model/import-records';
import { readLineBatches, type SourceLine } from '../../formats/text/line-reader';
import { readReportTimestamp } from './timestamp';

/** A file is refused only when none of its first this-many non-empty lines is a report record. */
export const SNIFF_LINES = 20;

type Json = Record<string, unknown>;
type Format = 'v4' | 'beta2';

const V4_ACCESS_KEYS = new Set(['type', 'accessor', 'category', 'identifier', 'kind', 'timeStamp']);
const V4_NETWORK_KEYS = new Set([
  'type',
  'bundleID',
  'domain',
  'domainOwner',
  'domainType',
  'initiatedType',
  'context',
  'hits',
  'timeStamp',
  'firstTimeStamp',
  'contextVerificationType',
  'domainClassification',
]);

// Beta exports name the service instead of the category (reference §4).
const TCC_SERVICE_CATEGORY: Record<string, Category> = {
  kTCCServicePhotos: 'photos',
  kTCCServicePhotosAdd: 'photos',
  kTCCServiceAddressBook: 'contacts',
  kTCCServiceCamera: 'camera',
  kTCCServiceMicrophone: 'microphone',
  kTCCServiceMediaLibrary: 'mediaLibrary',
  kTCCServiceCalendar: 'calendar',
};
const STREAM_CATEGORY: Record<string, Category> = {
  'com.apple.privacy.accounting.stream.location': 'location',
  'com.apple.privacy.accounting.stream.replay-kit': 'screenRecording',
};

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Real rows nest two levels deep; anything past this is refused before it is parsed. */
export const MAX_NESTING = 64;

/**
 * True when a parsed JSON value nests arrays or objects more than `limit` deep. Walks with its
 * own stack (JSON.parse itself does not recurse), so a line nested thousands deep never reaches
 * code that recurses over it (writing its warning or its unknown keys).
 */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 1 }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const { v, depth } = top;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push({ v: child, depth: depth + 1 });
    }
  }
  return false;
}

/** A string for a message, quoted and cut to 60 characters. */
const quote = (v: string): string => JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);

/** A short, safe rendering of a JSON value for a message: never the whole of an array or object. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return `the string ${quote(v)}`;
  if (typeof v === 'number') return String(v);
  if (v === null || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return typeof v;
}

function pickExtra(obj: Json, known: Set<string>): Json {
  const extra: Json = {};
  for (const k of Object.keys(obj)) {
    // defineProperty keeps a key such as "__proto__" as data instead of changing the prototype.
    if (!known.has(k))
      Object.defineProperty(extra, k, {
        value: obj[k],
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return extra;
}

/** Whether a parsed JSON value is a record of the release or beta report formats. */
function recordFormat(value: unknown): Format | 'beta-marker' | null {
  if (!isObject(value)) return null;
  if (typeof value._marker === 'string') return 'beta-marker';
  if (value.type === 'access' || value.type === 'networkActivity') return 'v4';
  return null;
}

class LineWarnings {
  readonly pending: ImportWarning[] = [];
  add(line: number | null, code: WarningCode, message: string): void {
    this.pending.push({ line, locator: line === null ? 'file' : `line ${line}`, code, message });
  }
  drainInto(out: ParsedItem[]): void {
    for (const w of this.pending) out.push({ type: 'warning', warning: w });
    this.pending.length = 0;
  }
}

function jsonError(text: string, l: SourceLine): { code: WarningCode; message: string } {
  try {
    JSON.parse(text);
    return { code: 'MALFORMED_LINE', message: `Line ${l.line} is not a JSON object.` };
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    if (!l.terminated) {
      return {
        code: 'TRUNCATED_LINE',
        message: `Line ${l.line} is cut off (the file ends without a newline inside a record): ${reason}`,
      };
    }
    return { code: 'MALFORMED_LINE', message: `Line ${l.line} is not valid JSON: ${reason}` };
  }
}

type EdgeOrReason = AccessEdgeRecord | { code: WarningCode; message: string };

interface EdgeLayout {
  /** The category as written and the category it maps to, or null when absent. */
  category(obj: Json): { raw: string; category: Category } | null;
  /** The warning for a `kind` that is neither begin nor end. */
  badKind: WarningCode;
  timestamp(obj: Json): string | null;
  extra(obj: Json, accessor: Json): Json;
}

/** Reads the fields every access row has, in either layout. */
function readEdge(obj: Json, l: SourceLine, layout: EdgeLayout, nowMs: number): EdgeOrReason {
  const accessor = isObject(obj.accessor) ? obj.accessor : null;
  const app = accessor ? str(accessor.identifier) : null;
  if (!app) {
    return {
      code: 'INVALID_FIELD',
      message: `Line ${l.line}: access row without accessor.identifier.`,
    };
  }
  const cat = layout.category(obj);
  if (!cat)
    return { code: 'INVALID_FIELD', message: `Line ${l.line}: access row without category.` };
  const intervalKey = str(obj.identifier);
  if (!intervalKey) {
    return { code: 'INVALID_FIELD', message: `Line ${l.line}: access row without identifier.` };
  }
  const kind = obj.kind;
  if (kind !== 'intervalBegin' && kind !== 'intervalEnd') {
    return {
      code: layout.badKind,
      message:
        layout.badKind === 'BETA_UNPAIRABLE'
          ? `Line ${l.line}: beta access row of kind ${describeValue(kind)} does not say whether it begins or ends an interval; skipped.`
          : `Line ${l.line}: unknown access kind ${describeValue(kind)}.`,
    };
  }
  const rawTs = layout.timestamp(obj);
  if (!rawTs) {
    return {
      code: 'INVALID_TIMESTAMP',
      message: `Line ${l.line}: access row without a timestamp; skipped.`,
    };
  }
  const ts = readReportTimestamp(rawTs, nowMs);
  if (!ts.ok) {
    return {
      code: 'INVALID_TIMESTAMP',
      message: `Line ${l.line}: access row skipped: its timestamp ${quote(rawTs)} ${ts.reason}.`,
    };
  }
  return {
    type: 'access-edge',
    line: l.line,
    rawLine: l.text,
    app,
    rawCategory: cat.raw,
    category: cat.category,
    intervalKey,
    edge: kind === 'intervalBegin' ? 'begin' : 'end',
    tsMs: ts.ms,
    offsetMin: ts.offsetMin,
    rawTs,
    extra: layout.extra(obj, accessor!),
  };
}

const ACCESSOR_KEYS = new Set(['identifier', 'identifierType']);

const V4_LAYOUT: EdgeLayout = {
  category: (obj) => {
    const raw = str(obj.category);
    return raw ? { raw, category: toCategory(raw) } : null;
  },
  badKind: 'INVALID_FIELD',
  timestamp: (obj) => str(obj.timeStamp),
  extra: (obj, accessor) => {
    const extra = pickExtra(obj, V4_ACCESS_KEYS);
    if (accessor.identifierType !== undefined) extra.identifierType = accessor.identifierType;
    const more = pickExtra(accessor, ACCESSOR_KEYS);
    if (Object.keys(more).length > 0) extra.accessorExtra = more;
    return extra;
  },
};

const BETA2_KEYS = new Set(['accessor', 'category', 'identifier', 'kind', 'timestamp']);

// Beta exports may name the service (or stream) instead of the category (reference §4).
const BETA2_LAYOUT: EdgeLayout = {
  category: (obj) => {
    const named = str(obj.category);
    if (named) return { raw: named, category: toCategory(named) };
    const raw = str(obj.tccService) ?? str(obj.stream);
    return raw
      ? { raw, category: TCC_SERVICE_CATEGORY[raw] ?? STREAM_CATEGORY[raw] ?? 'other' }
      : null;
  },
  badKind: 'BETA_UNPAIRABLE',
  timestamp: (obj) => str(obj.timestamp) ?? str(obj.timeStamp),
  extra: (obj) => pickExtra(obj, BETA2_KEYS),
};

/** Parses one v4 `access` row into an edge, or returns a warning reason. */
export function parseV4Access(obj: Json, l: SourceLine, nowMs = Date.now()): EdgeOrReason {
  return readEdge(obj, l, V4_LAYOUT, nowMs);
}

function optionalTime(
  obj: Json,
  key: string,
  l: SourceLine,
  warn: LineWarnings,
  nowMs: number,
): { ms: number; offsetMin: number } | null {
  const v = obj[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') {
    warn.add(
      l.line,
      'INVALID_TIMESTAMP',
      `Line ${l.line}: ${key} is ${describeValue(v)}, not a timestamp; stored as unknown.`,
    );
    return null;
  }
  const ts = readReportTimestamp(v, nowMs);
  if (!ts.ok) {
    warn.add(
      l.line,
      'INVALID_TIMESTAMP',
      `Line ${l.line}: ${key} ${quote(v)} ${ts.reason}; stored as unknown.`,
    );
    return null;
  }
  return { ms: ts.ms, offsetMin: ts.offsetMin };
}

/**
 * Reads a whole-number field (`hits`, `domainType`, …): absent or null is unknown without a
 * warning; anything but a whole number from 0 to 2^53 − 1 (the largest SQLite and JSON both keep
 * exactly) is unknown with a warning naming the line and the field.
 */
function optionalCount(obj: Json, key: string, l: SourceLine, warn: LineWarnings): number | null {
  const v = obj[key];
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  const why =
    typeof v !== 'number'
      ? 'not a number'
      : !Number.isInteger(v)
        ? 'not a whole number'
        : v < 0
          ? 'negative'
          : 'too large to be stored exactly';
  warn.add(
    l.line,
    'INVALID_FIELD',
    `Line ${l.line}: ${key} is ${describeValue(v)}, which is ${why}; stored as unknown.`,
  );
  return null;
}

/** Parses one network row (v4, or beta 2 which has the same keys without `type`). */
export function parseNetwork(
  obj: Json,
  l: SourceLine,
  warn: LineWarnings,
  nowMs = Date.now(),
): NetworkRecord | { code: WarningCode; message: string } {
  const app = str(obj.bundleID);
  if (!app)
    return { code: 'INVALID_FIELD', message: `Line ${l.line}: network row without bundleID.` };
  const domain = str(obj.domain);
  if (!domain)
    return { code: 'INVALID_FIELD', message: `Line ${l.line}: network row without domain.` };
  const owner = str(obj.domainOwner);
  const context = str(obj.context);
  let first = optionalTime(obj, 'firstTimeStamp', l, warn, nowMs);
  let last = optionalTime(obj, 'timeStamp', l, warn, nowMs);
  if (first && last && first.ms > last.ms) {
    // Which of the two is wrong cannot be told; neither is kept as a bound.
    warn.add(
      l.line,
      'INVALID_TIMESTAMP',
      `Line ${l.line}: firstTimeStamp is after timeStamp; both are stored as unknown.`,
    );
    first = null;
    last = null;
  }
  return {
    type: 'network',
    line: l.line,
    rawLine: l.text,
    app,
    domain,
    domainOwner: owner === null || owner === '' ? null : owner,
    domainType: optionalCount(obj, 'domainType', l, warn),
    initiatedType: str(obj.initiatedType),
    context: context === null || context === '' ? null : context,
    hits: optionalCount(obj, 'hits', l, warn),
    first,
    last,
    contextVerificationType: optionalCount(obj, 'contextVerificationType', l, warn),
    domainClassification: optionalCount(obj, 'domainClassification', l, warn),
    extra: pickExtra(obj, V4_NETWORK_KEYS),
  };
}

/** Parses a beta 2 access line (`kind` intervalBegin/intervalEnd, lower-case `timestamp`). */
function parseBeta2Access(obj: Json, l: SourceLine, nowMs: number): EdgeOrReason {
  return readEdge(obj, l, BETA2_LAYOUT, nowMs);
}

const BETA1_REFUSAL =
  'This is an iOS 15 beta 1 "Record App Activity" export (metadata version 2). Its access rows are ' +
  'all of kind "event" and do not say which one begins and which one ends an interval, so they ' +
  'cannot be paired into sessions; this format is not imported. Export a new report from iOS 15 or later.';

/**
 * Reads App Privacy Report lines one at a time: release NDJSON (v4, every field variant) and the
 * iOS 15 beta 2 format; the beta 1 format is recognised and refused with a message naming it.
 * Each call appends records, warnings with line numbers, or a single refusal to `out`.
 */
export class AprLineReader {
  private readonly warn = new LineWarnings();
  private format: Format | null = null;
  private betaSection: 'access' | 'network' = 'access';
  private nonEmpty = 0;
  /** Set once the file is refused; nothing more is read. */
  refused = false;

  /** `nowMs`: the import time; timestamps more than a day after it are refused. */
  constructor(
    private readonly describeHead: () => string,
    private readonly nowMs = Date.now(),
  ) {}

  /** Receives the line reader's own warnings (BOM, CRLF, NUL, too long). */
  addWarning(w: ImportWarning): void {
    this.warn.pending.push(w);
  }

  private refuse(out: ParsedItem[], message?: string): void {
    this.refused = true;
    out.push({
      type: 'refusal',
      message:
        message ??
        `Not an App Privacy Report: none of the first ${SNIFF_LINES} non-empty lines is a report record; the file looks like ${this.describeHead()}.`,
    });
  }

  push(l: SourceLine, out: ParsedItem[]): void {
    this.warn.drainInto(out);
    const text = l.text.trim();
    if (text === '') return;
    this.nonEmpty += 1;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    if (nestedDeeperThan(value, MAX_NESTING)) {
      out.push(
        lineWarning(l, {
          code: 'MALFORMED_LINE',
          message: `Line ${l.line} nests arrays or objects more than ${MAX_NESTING} levels deep; skipped.`,
        }),
      );
      if (this.format === null && this.nonEmpty >= SNIFF_LINES) this.refuse(out);
      return;
    }
    if (!isObject(value)) {
      // Beta network blocks may be pretty-printed; their lines are not records on their own.
      if (this.format === 'beta2' && /^[{}[\],]+$/.test(text)) return;
      const e = jsonError(text, l);
      out.push(lineWarning(l, e));
      if (this.format === null && this.nonEmpty >= SNIFF_LINES) this.refuse(out);
      return;
    }
    if (this.format === null) {
      const f = recordFormat(value);
      if (f === null) {
        out.push(
          lineWarning(l, {
            code: 'UNKNOWN_RECORD_TYPE',
            message: `Line ${l.line}: not an App Privacy Report record.`,
          }),
        );
        if (this.nonEmpty >= SNIFF_LINES) this.refuse(out);
        return;
      }
      if (f === 'beta-marker') {
        if (value.version === 2) {
          this.refuse(out, BETA1_REFUSAL);
          return;
        }
        this.format = 'beta2';
        out.push({
          type: 'warning',
          warning: {
            line: null,
            locator: 'file',
            code: 'BETA_FORMAT',
            message: `This is an iOS 15 beta "Record App Activity" export (metadata version ${describeValue(value.version)}); it is read with the beta 2 layout.`,
          },
        });
        return;
      }
      this.format = 'v4';
    }
    if (this.format === 'beta2') {
      if (typeof value._marker === 'string') {
        if (value.recordType === 'networkActivity') this.betaSection = 'network';
        return;
      }
      const rec =
        this.betaSection === 'network' || 'domain' in value
          ? parseNetwork(value, l, this.warn, this.nowMs)
          : parseBeta2Access(value, l, this.nowMs);
      this.emit(rec, l, out);
      return;
    }
    const type = value.type;
    if (type === 'access') this.emit(parseV4Access(value, l, this.nowMs), l, out);
    else if (type === 'networkActivity')
      this.emit(parseNetwork(value, l, this.warn, this.nowMs), l, out);
    else {
      out.push(
        lineWarning(l, {
          code: 'UNKNOWN_RECORD_TYPE',
          message: `Line ${l.line}: unknown record type ${describeValue(type ?? null)}; skipped.`,
        }),
      );
    }
  }

  private emit(
    rec: AccessEdgeRecord | NetworkRecord | { code: WarningCode; message: string },
    l: SourceLine,
    out: ParsedItem[],
  ): void {
    this.warn.drainInto(out);
    if ('type' in rec) out.push(rec);
    else out.push(lineWarning(l, rec));
  }

  /** Called at the end of the file. */
  finish(out: ParsedItem[]): void {
    this.warn.drainInto(out);
    if (this.format === null && !this.refused) this.refuse(out);
  }
}

function lineWarning(l: SourceLine, e: { code: WarningCode; message: string }): ParsedItem {
  return {
    type: 'warning',
    warning: { line: l.line, locator: `line ${l.line}`, code: e.code, message: e.message },
  };
}

/** Streams an App Privacy Report export as batches of parsed items (one batch per chunk read). */
export async function* parseAppPrivacyReport(
  chunks: AsyncIterable<Uint8Array>,
  describeHead: () => string,
  nowMs = Date.now(),
): AsyncGenerator<ParsedItem[]> {
  const reader = new AprLineReader(describeHead, nowMs);
  let last: SourceLine | null = null;
  for await (const batch of readLineBatches(chunks, { warn: (w) => reader.addWarning(w) })) {
    const out: ParsedItem[] = [];
    for (const l of batch) {
      reader.push(l, out);
      if (reader.refused) {
        yield out;
        return;
      }
    }
    last = batch[batch.length - 1] ?? last;
    if (last) out.push({ type: 'progress', lines: last.line, bytes: last.bytesRead });
    yield out;
  }
  const out: ParsedItem[] = [];
  reader.finish(out);
  yield out;
}
