import { toCategory, type Category } from '../../../contract/categories';
import { parseIsoWithOffset } from '../../../contract/time';
import type { ImportWarning, WarningCode } from '../../../contract/warnings';
import type { AccessEdgeRecord, NetworkRecord, ParsedItem } from '../importer';
import { readLines, type SourceLine } from '../line-reader';

/** A file is refused only when none of its first this-many non-empty lines is a report record. */
export const SNIFF_LINES = 20;
const PROGRESS_EVERY = 4096;

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

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : null);

function pickExtra(obj: Json, known: Set<string>): Json {
  const extra: Json = {};
  for (const [k, v] of Object.entries(obj)) if (!known.has(k)) extra[k] = v;
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
  *drain(): Generator<ParsedItem> {
    while (this.pending.length > 0) yield { type: 'warning', warning: this.pending.shift()! };
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

/** Parses one v4 `access` row into an edge, or returns a warning reason. */
export function parseV4Access(
  obj: Json,
  l: SourceLine,
): AccessEdgeRecord | { code: WarningCode; message: string } {
  const accessor = obj.accessor;
  const app = isObject(accessor) ? str(accessor.identifier) : null;
  if (!app) return { code: 'INVALID_FIELD', message: `Line ${l.line}: access row without accessor.identifier.` };
  const rawCategory = str(obj.category);
  if (!rawCategory) return { code: 'INVALID_FIELD', message: `Line ${l.line}: access row without category.` };
  const intervalKey = str(obj.identifier);
  if (!intervalKey) return { code: 'INVALID_FIELD', message: `Line ${l.line}: access row without identifier.` };
  const kind = obj.kind;
  if (kind !== 'intervalBegin' && kind !== 'intervalEnd') {
    return { code: 'INVALID_FIELD', message: `Line ${l.line}: unknown access kind ${JSON.stringify(kind)}.` };
  }
  const rawTs = str(obj.timeStamp);
  const ts = rawTs ? parseIsoWithOffset(rawTs) : null;
  if (!rawTs || !ts) {
    return {
      code: 'INVALID_TIMESTAMP',
      message: `Line ${l.line}: access row with a missing or unreadable timeStamp ${JSON.stringify(obj.timeStamp)}.`,
    };
  }
  const extra = pickExtra(obj, V4_ACCESS_KEYS);
  if (isObject(accessor)) {
    if (accessor.identifierType !== undefined) extra.identifierType = accessor.identifierType;
    const more = pickExtra(accessor, new Set(['identifier', 'identifierType']));
    if (Object.keys(more).length > 0) extra.accessorExtra = more;
  }
  return {
    type: 'access-edge',
    line: l.line,
    rawLine: l.text,
    app,
    rawCategory,
    category: toCategory(rawCategory),
    intervalKey,
    edge: kind === 'intervalBegin' ? 'begin' : 'end',
    tsMs: ts.ms,
    offsetMin: ts.offsetMin,
    rawTs,
    extra,
  };
}

function optionalTime(
  obj: Json,
  key: string,
  l: SourceLine,
  warn: LineWarnings,
): { ms: number; offsetMin: number } | null {
  const v = obj[key];
  if (v === undefined || v === null) return null;
  const parsed = typeof v === 'string' ? parseIsoWithOffset(v) : null;
  if (!parsed) {
    warn.add(l.line, 'INVALID_TIMESTAMP', `Line ${l.line}: unreadable ${key} ${JSON.stringify(v)}; kept as unknown.`);
  }
  return parsed;
}

/** Parses one network row (v4, or beta 2 which has the same keys without `type`). */
export function parseNetwork(
  obj: Json,
  l: SourceLine,
  warn: LineWarnings,
): NetworkRecord | { code: WarningCode; message: string } {
  const app = str(obj.bundleID);
  if (!app) return { code: 'INVALID_FIELD', message: `Line ${l.line}: network row without bundleID.` };
  const domain = str(obj.domain);
  if (!domain) return { code: 'INVALID_FIELD', message: `Line ${l.line}: network row without domain.` };
  const owner = str(obj.domainOwner);
  const context = str(obj.context);
  return {
    type: 'network',
    line: l.line,
    rawLine: l.text,
    app,
    domain,
    domainOwner: owner === null || owner === '' ? null : owner,
    domainType: int(obj.domainType),
    initiatedType: str(obj.initiatedType),
    context: context === null || context === '' ? null : context,
    hits: int(obj.hits),
    first: optionalTime(obj, 'firstTimeStamp', l, warn),
    last: optionalTime(obj, 'timeStamp', l, warn),
    contextVerificationType: int(obj.contextVerificationType),
    domainClassification: int(obj.domainClassification),
    extra: pickExtra(obj, V4_NETWORK_KEYS),
  };
}

/** Parses a beta 2 access line (`kind` intervalBegin/intervalEnd, lower-case `timestamp`). */
function parseBeta2Access(obj: Json, l: SourceLine): AccessEdgeRecord | { code: WarningCode; message: string } {
  const accessor = obj.accessor;
  const app = isObject(accessor) ? str(accessor.identifier) : null;
  if (!app) return { code: 'INVALID_FIELD', message: `Line ${l.line}: access row without accessor.identifier.` };
  const tcc = str(obj.tccService);
  const rawCategory = str(obj.category) ?? tcc ?? str(obj.stream);
  if (!rawCategory) return { code: 'INVALID_FIELD', message: `Line ${l.line}: access row without category.` };
  const category =
    str(obj.category) !== null
      ? toCategory(rawCategory)
      : (TCC_SERVICE_CATEGORY[rawCategory] ?? STREAM_CATEGORY[rawCategory] ?? 'other');
  const intervalKey = str(obj.identifier);
  if (!intervalKey) return { code: 'INVALID_FIELD', message: `Line ${l.line}: access row without identifier.` };
  const kind = obj.kind;
  if (kind !== 'intervalBegin' && kind !== 'intervalEnd') {
    return {
      code: 'BETA_UNPAIRABLE',
      message: `Line ${l.line}: beta access row of kind ${JSON.stringify(kind)} does not say whether it begins or ends an interval; skipped.`,
    };
  }
  const rawTs = str(obj.timestamp) ?? str(obj.timeStamp);
  const ts = rawTs ? parseIsoWithOffset(rawTs) : null;
  if (!rawTs || !ts) {
    return { code: 'INVALID_TIMESTAMP', message: `Line ${l.line}: access row with an unreadable timestamp.` };
  }
  return {
    type: 'access-edge',
    line: l.line,
    rawLine: l.text,
    app,
    rawCategory,
    category,
    intervalKey,
    edge: kind === 'intervalBegin' ? 'begin' : 'end',
    tsMs: ts.ms,
    offsetMin: ts.offsetMin,
    rawTs,
    extra: pickExtra(obj, new Set(['accessor', 'category', 'identifier', 'kind', 'timestamp'])),
  };
}

const BETA1_REFUSAL =
  'This is an iOS 15 beta 1 "Record App Activity" export (metadata version 2). Its access rows are ' +
  'all of kind "event" and do not say which one begins and which one ends an interval, so they ' +
  'cannot be paired into sessions; this format is not imported. Export a new report from iOS 15 or later.';

/**
 * Streams an App Privacy Report export: release NDJSON (v4, every field variant) and the
 * iOS 15 beta 2 format; the beta 1 format is recognised and refused with a message naming it.
 * Yields records, warnings with line numbers, progress, or a single refusal.
 */
export async function* parseAppPrivacyReport(
  chunks: AsyncIterable<Uint8Array>,
  describeHead: () => string,
): AsyncGenerator<ParsedItem> {
  const warn = new LineWarnings();
  let format: Format | null = null;
  let betaSection: 'access' | 'network' = 'access';
  let nonEmpty = 0;
  let lastProgress = 0;
  let lastLine: SourceLine | null = null;

  for await (const l of readLines(chunks, {
    warn: (w) => warn.pending.push(w),
  })) {
    lastLine = l;
    yield* warn.drain();
    if (l.line - lastProgress >= PROGRESS_EVERY) {
      lastProgress = l.line;
      yield { type: 'progress', lines: l.line, bytes: l.bytesRead };
    }
    const text = l.text.trim();
    if (text === '') continue;
    nonEmpty += 1;

    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    if (!isObject(value)) {
      // Beta network blocks may be pretty-printed; their lines are not records on their own.
      if (format === 'beta2' && /^[{}[\],]+$/.test(text)) continue;
      const e = jsonError(text, l);
      warn.add(l.line, e.code, e.message);
      yield* warn.drain();
      if (format === null && nonEmpty >= SNIFF_LINES) {
        yield refusal(describeHead);
        return;
      }
      continue;
    }

    if (format === null) {
      const f = recordFormat(value);
      if (f === null) {
        warn.add(l.line, 'UNKNOWN_RECORD_TYPE', `Line ${l.line}: not an App Privacy Report record.`);
        yield* warn.drain();
        if (nonEmpty >= SNIFF_LINES) {
          yield refusal(describeHead);
          return;
        }
        continue;
      }
      if (f === 'beta-marker') {
        if (value.version === 2) {
          yield { type: 'refusal', message: BETA1_REFUSAL };
          return;
        }
        format = 'beta2';
        warn.add(
          null,
          'BETA_FORMAT',
          `This is an iOS 15 beta "Record App Activity" export (metadata version ${String(value.version)}); it is read with the beta 2 layout.`,
        );
        yield* warn.drain();
        continue;
      }
      format = 'v4';
    }

    if (format === 'beta2') {
      if (typeof value._marker === 'string') {
        if (value.recordType === 'networkActivity') betaSection = 'network';
        continue;
      }
      const rec =
        betaSection === 'network' || 'domain' in value
          ? parseNetwork(value, l, warn)
          : parseBeta2Access(value, l);
      yield* emit(rec, l, warn);
      continue;
    }

    const type = value.type;
    if (type === 'access') {
      yield* emit(parseV4Access(value, l), l, warn);
    } else if (type === 'networkActivity') {
      yield* emit(parseNetwork(value, l, warn), l, warn);
    } else {
      warn.add(
        l.line,
        'UNKNOWN_RECORD_TYPE',
        `Line ${l.line}: unknown record type ${JSON.stringify(type ?? null).slice(0, 80)}; skipped.`,
      );
      yield* warn.drain();
    }
  }
  yield* warn.drain();
  if (format === null) {
    yield refusal(describeHead);
    return;
  }
  if (lastLine) yield { type: 'progress', lines: lastLine.line, bytes: lastLine.bytesRead };
}

function* emit(
  rec: AccessEdgeRecord | NetworkRecord | { code: WarningCode; message: string },
  l: SourceLine,
  warn: LineWarnings,
): Generator<ParsedItem> {
  yield* warn.drain();
  if ('type' in rec) yield rec;
  else yield { type: 'warning', warning: { line: l.line, locator: `line ${l.line}`, code: rec.code, message: rec.message } };
}

function refusal(describeHead: () => string): ParsedItem {
  return {
    type: 'refusal',
    message: `Not an App Privacy Report: none of the first ${SNIFF_LINES} non-empty lines is a report record; the file looks like ${describeHead()}.`,
  };
}
