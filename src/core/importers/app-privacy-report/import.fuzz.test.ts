import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ImportOutcome } from '../../../contract/records';
import { LineReader } from '../../db/line-store';
import { importFile } from '../../services/import-run';
import { accessPair, intervalId, networkLine } from '../../testing/apr-fixture';
import { fuzzing, fuzzOptions } from '../../testing/fuzz';
import { tempCase } from '../../testing/temp-case';
import { EARLIEST_REPORT_MS } from './timestamp';

/** The values an arbitrary generates. */
type Infer<A> = A extends fc.Arbitrary<infer T> ? T : never;

// Real-shaped exports (reference §3): access edges sorted by time, then network rows, with the
// apps, categories, offsets and values seen in real files.
const APPS = [
  'com.tencent.xin',
  '5Q4J53EFRC.com.sbb.ch',
  'com.apple.mobileslideshow',
  'net.whatsapp.WhatsApp',
];
const CATEGORIES = ['photos', 'camera', 'microphone', 'contacts', 'location', 'screenRecording'];
const OFFSETS = [-240, 0, 60, 120, 330, 480];
const FROM = Date.UTC(2022, 0, 1);
const TO = Date.UTC(2025, 5, 1);

const interval = fc.record({
  app: fc.constantFrom(...APPS),
  category: fc.constantFrom(...CATEGORIES),
  ms: fc.integer({ min: FROM, max: TO }),
  durationMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 6 * 3_600_000 })),
  offsetMin: fc.constantFrom(...OFFSETS),
  endOffsetMin: fc.constantFrom(...OFFSETS),
  shape: fc.constantFrom('pair', 'pair', 'pair', 'begin', 'end'),
  extra: fc.constantFrom({}, { accessCount: 0 }, { outOfProcess: true }),
});
const network = fc.record({
  app: fc.constantFrom(...APPS),
  domain: fc.constantFrom(
    'api.example.com',
    '203.209.230.39',
    '::ffff:178.197.215.15',
    'D3097B24-netseer-ipaddr-assoc.xz.fbcdn.net',
  ),
  firstMs: fc.integer({ min: FROM, max: TO }),
  spanMs: fc.integer({ min: 0, max: 7 * 86_400_000 }),
  offsetMin: fc.constantFrom(...OFFSETS),
  hits: fc.integer({ min: 1, max: 6702 }),
  domainType: fc.constantFrom(1, 2),
  context: fc.constantFrom('', '', 'youtube.com'),
  legacy: fc.boolean(),
});

/** Builds the lines of one export. */
function exportLines(
  intervals: Infer<typeof interval>[],
  rows: Infer<typeof network>[],
  salt: number,
): string[] {
  const edges: { ms: number; line: string }[] = [];
  intervals.forEach((iv, i) => {
    const [b, e] = accessPair({ ...iv, id: intervalId(i, salt) });
    if (iv.shape !== 'end') edges.push({ ms: iv.ms, line: b });
    if (iv.shape !== 'begin') edges.push({ ms: iv.ms + iv.durationMs, line: e });
  });
  edges.sort((a, b) => a.ms - b.ms);
  return [
    ...edges.map((e) => e.line),
    ...rows.map((r, i) =>
      networkLine({
        ...r,
        domain: `${i}.${r.domain}`,
        lastMs: r.firstMs + r.spanMs,
        domainOwner: r.domainType === 1 ? 'Example Ads Inc.' : '',
      }),
    ),
  ];
}

const NUMBERS = ['99999999999999999999', '9007199254740993', '-1', '1.5', '1e400', '-0', '"7"'];
const DATES = [
  '0002-05-01T02:10:00.000+02:00',
  '0099-12-31T23:59:59.000Z',
  '2024-05-01T02:10:60.000+02:00',
  '2024-13-01T02:10:00.000+02:00',
  '2023-02-29T02:10:00.000+02:00',
  '2024-05-01T24:00:00.000+02:00',
  '2024-05-01T02:10:00.000+15:00',
  '9999-12-31T23:59:59.999Z',
  '2024-05-01',
];
const VALUES = ['null', 'true', '[]', '{}', '0', '""', '"x"', '[[[[1]]]]', '"intervalEnd"'];
/** A replacement value for a field: extreme numbers and dates most often, other types too. */
const rawValue = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NUMBERS) },
  { weight: 3, arbitrary: fc.constantFrom(...DATES.map((d) => JSON.stringify(d))) },
  { weight: 1, arbitrary: fc.constantFrom(...VALUES) },
  {
    weight: 2,
    arbitrary: fc.integer({ min: 60, max: 200_000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
  },
);
const fraction = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

/** A change to one line (`at` picks the line, `key` one of its fields, as fractions). */
const lineMutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fraction }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fraction }),
  fc.record({ kind: fc.constant('move' as const), at: fraction, to: fraction }),
  fc.record({ kind: fc.constant('cut' as const), at: fraction, keep: fraction }),
  fc.record({
    kind: fc.constant('flip' as const),
    at: fraction,
    pos: fraction,
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('field' as const),
      at: fraction,
      key: fraction,
      raw: rawValue,
    }),
  },
  fc.record({
    kind: fc.constant('insert' as const),
    at: fraction,
    pos: fraction,
    bytes: fc.constantFrom([0x00], [0xff], [0xc3], [0xed, 0xa0, 0x80], [0x0d], [0x0a], [0x22]),
  }),
);
type LineMutation = Infer<typeof lineMutation>;

/** A change to the whole file after the lines are joined. */
const fileMutation = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  fc.record({
    kind: fc.constant('truncate' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
);
const ENCODINGS = [
  'utf8',
  'utf8',
  'utf8',
  'bom',
  'crlf',
  'bom+crlf',
  'utf16le',
  'utf16be-bom',
] as const;

const index = (at: number, n: number): number => Math.min(n - 1, Math.floor(at * n));

function mutateLine(lines: Buffer[], m: LineMutation): void {
  if (lines.length === 0) return;
  const i = index(m.at, lines.length);
  const line = lines[i]!;
  switch (m.kind) {
    case 'delete':
      lines.splice(i, 1);
      return;
    case 'duplicate':
      lines.splice(i, 0, line);
      return;
    case 'move': {
      lines.splice(i, 1);
      lines.splice(index(m.to, lines.length + 1), 0, line);
      return;
    }
    case 'cut':
      lines[i] = line.subarray(0, Math.floor(m.keep * line.length));
      return;
    case 'flip': {
      const copy = Buffer.from(line);
      if (copy.length > 0) copy[index(m.pos, copy.length)] = m.byte;
      lines[i] = copy;
      return;
    }
    case 'field': {
      let obj: unknown;
      try {
        obj = JSON.parse(line.toString('utf8'));
      } catch {
        return;
      }
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return;
      const record = obj as Record<string, unknown>;
      // The accessor's identifier counts as a field of its own.
      const nested =
        typeof record.accessor === 'object' &&
        record.accessor !== null &&
        !Array.isArray(record.accessor);
      const keys = [...Object.keys(record), ...(nested ? ['accessor.identifier'] : [])];
      const key = keys[index(m.key, keys.length)]!;
      const holder =
        key === 'accessor.identifier' ? (record.accessor as Record<string, unknown>) : record;
      holder[key === 'accessor.identifier' ? 'identifier' : key] = '\u0000RAW\u0000';
      try {
        lines[i] = Buffer.from(JSON.stringify(record).replace('"\\u0000RAW\\u0000"', m.raw));
      } catch {
        // A line an earlier mutation nested too deep for this test's own JSON.stringify.
      }
      return;
    }
    case 'insert': {
      const p = index(m.pos, line.length + 1);
      lines[i] = Buffer.concat([line.subarray(0, p), Buffer.from(m.bytes), line.subarray(p)]);
      return;
    }
    default: {
      const never: never = m;
      throw new Error(`unknown mutation ${String(never)}`);
    }
  }
}

/** The file's bytes: the lines joined, the whole-file change applied, then the encoding. */
function fileBytes(
  lines: Buffer[],
  finalNewline: boolean,
  whole: Infer<typeof fileMutation>,
  encoding: (typeof ENCODINGS)[number],
): Buffer {
  const eol = Buffer.from(encoding.includes('crlf') ? '\r\n' : '\n');
  const parts: Buffer[] = [];
  lines.forEach((l, i) => {
    parts.push(l);
    if (i < lines.length - 1 || finalNewline) parts.push(eol);
  });
  let bytes = Buffer.concat(parts);
  if (whole.kind === 'truncate') bytes = bytes.subarray(0, Math.floor(whole.at * bytes.length));
  if (whole.kind === 'flip' && bytes.length > 0) {
    bytes = Buffer.from(bytes);
    bytes[index(whole.at, bytes.length)] = whole.byte;
  }
  switch (encoding) {
    case 'bom':
    case 'bom+crlf':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
    case 'utf16le':
      return Buffer.from(bytes.toString('utf8'), 'utf16le');
    case 'utf16be-bom':
      return Buffer.concat([
        Buffer.from([0xfe, 0xff]),
        Buffer.from(bytes.toString('utf8'), 'utf16le').swap16(),
      ]);
    default:
      return bytes;
  }
}

/** The lines as the importer sees them: BOM dropped, split at LF, a final CR dropped. */
function readerLines(bytes: Buffer): string[] {
  let b = bytes;
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) b = b.subarray(3);
  const out: string[] = [];
  let start = 0;
  for (;;) {
    const nl = b.indexOf(0x0a, start);
    const end = nl === -1 ? b.length : nl;
    let line = b.subarray(start, end);
    if (nl !== -1 && line.length > 0 && line[line.length - 1] === 0x0d)
      line = line.subarray(0, line.length - 1);
    if (nl !== -1 || line.length > 0) out.push(line.toString('latin1'));
    if (nl === -1) return out;
    start = nl + 1;
  }
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('App Privacy Report import of damaged exports (property)', () => {
  it(
    'never throws, stores every unchanged record, keeps the case intact and the input as it was',
    async () => {
      const now = Date.now();
      await fc.assert(
        fc.asyncProperty(
          fc.array(interval, { minLength: 0, maxLength: 25 }),
          fc.array(network, { maxLength: 10 }),
          fc.integer({ min: 0, max: 2 ** 30 }),
          fc.array(lineMutation, { maxLength: 6 }),
          fileMutation,
          fc.constantFrom(...ENCODINGS),
          fc.boolean(),
          async (intervals, rows, salt, mutations, whole, encoding, finalNewline) => {
            const good = exportLines(intervals, rows, salt);
            const lines = good.map((l) => Buffer.from(l, 'utf8'));
            for (const m of mutations) mutateLine(lines, m);
            const bytes = fileBytes(lines, finalNewline, whole, encoding);
            const t = tempCase();
            try {
              const path = join(t.dir, 'App_Privacy_Report_v4_2024-05-08T10_00_00.ndjson');
              writeFileSync(path, bytes);
              const outcome: ImportOutcome = await importFile({
                db: t.session.db,
                path,
                deviceId: t.deviceId,
              });
              const db = t.session.db;
              expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
              expect(sha(readFileSync(path))).toBe(sha(bytes));
              expect(['imported', 'refused']).toContain(outcome.status);

              // What the importer must find: original lines that are still whole lines of the file.
              const utf16 = encoding.startsWith('utf16');
              const seen = utf16 ? [] : readerLines(bytes);
              const goodLatin1 = new Set(
                good.map((l) => Buffer.from(l, 'utf8').toString('latin1')),
              );
              const unchanged = new Map<string, number[]>();
              seen.forEach((l, i) => {
                if (goodLatin1.has(l)) unchanged.set(l, [...(unchanged.get(l) ?? []), i + 1]);
              });

              if (outcome.status === 'refused') {
                // Refused only when none of the first 20 non-empty lines is a report record.
                const head = seen.filter((l) => l.trim() !== '').slice(0, 20);
                expect(head.filter((l) => unchanged.has(l))).toEqual([]);
                expect(db.prepare('SELECT COUNT(*) AS n FROM sources').get()).toEqual({ n: 0 });
                return;
              }
              // Raw lines as stored: in the row, or in the source's blocks of lines.
              const lines = new LineReader(db);
              const edges = db
                .prepare(
                  `SELECT b_raw_line AS l, b_source_id AS s, b_line AS n FROM access_sessions
                   UNION ALL SELECT e_raw_line, e_source_id, e_line FROM access_sessions
                   UNION ALL SELECT raw_line, NULL, NULL FROM edge_occurrences
                   UNION ALL SELECT raw_line, NULL, NULL FROM network_observations`,
                )
                .all() as { l: string | null; s: number | null; n: number | null }[];
              const stored = new Set(
                edges.flatMap((r) => {
                  const text = r.l ?? (r.s === null || r.n === null ? null : lines.get(r.s, r.n));
                  return text === null ? [] : [Buffer.from(text, 'utf8').toString('latin1')];
                }),
              );
              const damaged = mutations.length > 0 || whole.kind !== 'none';
              for (const [line, at] of unchanged) {
                if (stored.has(line)) continue;
                // An edge may be left out only because a damaged line gave its interval a
                // partner it contradicts (ending before it begins); the warning says so.
                const why = outcome.warnings.filter(
                  (w) =>
                    w.line !== null &&
                    at.includes(w.line) &&
                    /would (end before|begin after)/.test(w.message),
                );
                expect(
                  damaged && why.length > 0,
                  `line ${at.join(', ')} was not stored: ${line}`,
                ).toBe(true);
              }
              if (!damaged) {
                expect(outcome.warnings.filter((w) => w.line !== null)).toEqual([]);
                expect(outcome.counts.access + outcome.counts.network).toBe(good.length);
              }
              const absurd = db
                .prepare(
                  `SELECT COUNT(*) AS n FROM access_sessions WHERE duration_ms < 0
                     OR start_ms < ? OR end_ms < ? OR start_ms > ? OR end_ms > ?`,
                )
                .get(
                  EARLIEST_REPORT_MS,
                  EARLIEST_REPORT_MS,
                  now + 2 * 86_400_000,
                  now + 2 * 86_400_000,
                );
              expect(absurd).toEqual({ n: 0 });
            } finally {
              t.cleanup();
            }
          },
        ),
        fuzzOptions(300),
      );
    },
    fuzzing() ? 0 : 60_000,
  );
});
