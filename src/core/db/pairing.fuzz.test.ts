import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDayNumber, localMinuteOfDay } from '../../contract/time';
import { fuzzOptions } from '../testing/fuzz';
import { tempCase, type TempCase } from '../testing/temp-case';
import type { Db } from './open';
import {
  SessionStore,
  type IntervalRow,
  type ReportedColumns,
  type SessionRecord,
  type StoredEdge,
} from './pairing';

let t: TempCase;
let db: Db;
const sources: number[] = [];
const apps: number[] = [];

beforeAll(() => {
  t = tempCase();
  db = t.session.db;
  const source = db.prepare(
    `INSERT INTO sources (device_id, importer_id, importer_version, original_path, file_name, size, sha256, imported_at)
     VALUES (?, 'test', '1', ?, ?, 1, ?, 0)`,
  );
  for (const n of [1, 2])
    sources.push(Number(source.run(t.deviceId, `/x/${n}`, `${n}`, `h${n}`).lastInsertRowid));
  const app = db.prepare('INSERT INTO apps (device_id, identifier) VALUES (?, ?)');
  for (const n of [1, 2, 3])
    apps.push(Number(app.run(t.deviceId, `com.example.app${n}`).lastInsertRowid));
});

afterAll(() => t.cleanup());

const text = fc.string({ maxLength: 12, unit: 'grapheme' });
const ms = fc.integer({ min: -2_000_000_000_000, max: 4_000_000_000_000 });
const offset = fc.integer({ min: -720, max: 840 });

const edgeArb = fc.record({
  tsMs: ms,
  offsetMin: offset,
  rawTs: text,
  source: fc.integer({ min: 0, max: 1 }),
  line: fc.integer({ min: 1, max: 1_000_000 }),
  rawLine: text,
  rawHeld: fc.boolean(),
});

const reportedArb: fc.Arbitrary<ReportedColumns> = fc.record({
  state: fc.constantFrom('foreground', 'background', 'unknown'),
  stateSource: fc.constantFrom('reported', null),
  rawState: fc.option(text),
  attributionTag: fc.option(text),
  proxy: fc.option(text),
  durationKnown: fc.boolean(),
});

const shared = fc.record({
  app: fc.integer({ min: 0, max: 2 }),
  category: fc.constantFrom('photos', 'camera', 'location'),
  rawCategory: text,
});

/** Every column of a session row as written, by name (the id aside). */
function rowOf(id: number): Record<string, unknown> {
  const row = db.prepare('SELECT * FROM access_sessions WHERE id = ?').get(id) as Record<
    string,
    unknown
  >;
  delete row.id;
  return row;
}

/** The row a record stands for, every column spelled out (what the writer always stored). */
function expectedRow(r: SessionRecord): Record<string, unknown> {
  const anchor = (r.begin ?? r.end)!;
  const edge = (e: StoredEdge | null) => ({
    ms: e?.tsMs ?? null,
    offset: e?.offsetMin ?? null,
    rawTs: e?.rawTs ?? null,
    source: e?.sourceId ?? null,
    line: e?.line ?? null,
    raw: e && !e.rawHeld ? e.rawLine : null,
  });
  const b = edge(r.begin);
  const e = edge(r.end);
  const p = r.reported;
  return {
    device_id: r.deviceId,
    interval_key: r.intervalKey,
    app_id: anchor.appId,
    category: anchor.category,
    raw_category: anchor.rawCategory,
    start_ms: b.ms,
    start_offset: b.offset,
    b_raw_ts: b.rawTs,
    b_source_id: b.source,
    b_line: b.line,
    b_raw_line: b.raw,
    end_ms: e.ms,
    end_offset: e.offset,
    e_raw_ts: e.rawTs,
    e_source_id: e.source,
    e_line: e.line,
    e_raw_line: e.raw,
    anchor_ms: anchor.tsMs,
    anchor_offset: anchor.offsetMin,
    anchor_minute: localMinuteOfDay(anchor.tsMs, anchor.offsetMin),
    local_day: localDayNumber(anchor.tsMs, anchor.offsetMin),
    duration_ms: r.begin && r.end ? r.end.tsMs - r.begin.tsMs : null,
    open: r.begin && r.end ? 0 : 1,
    conflict: r.conflict ? 1 : 0,
    state: p?.state ?? 'unknown',
    state_source: p?.stateSource ?? null,
    raw_state: p?.rawState ?? null,
    attribution_tag: p?.attributionTag ?? null,
    proxy: p?.proxy ?? null,
    duration_known: p ? (p.durationKnown ? 1 : 0) : 1,
    inferred_state: null,
  };
}

/** What a write leaves in the case: its rows (ids aside) and every summary. */
function snapshot(): unknown[] {
  const rows = db
    .prepare('SELECT * FROM access_sessions ORDER BY interval_key')
    .all()
    .map((r) => ({ ...(r as object), id: undefined }));
  const tables = ['session_rollup', 'session_day_hours', 'session_stats'].map((name) =>
    db.prepare(`SELECT * FROM ${name}`).all(),
  );
  const meta = db.prepare("SELECT value FROM case_meta WHERE key = 'max_session_ms'").all();
  return [rows, ...tables, meta];
}

/** Runs `f` in a savepoint that is rolled back, returning what it left in the case. */
function rolledBack(f: () => void): unknown[] {
  db.exec('SAVEPOINT probe');
  try {
    f();
    return snapshot();
  } finally {
    db.exec('ROLLBACK TO probe; RELEASE probe');
  }
}

describe('SessionStore inserts (property)', () => {
  it('write every column of a record of any shape as the full row would', () => {
    fc.assert(
      fc.property(
        shared,
        fc.option(edgeArb),
        fc.option(edgeArb),
        fc.option(reportedArb),
        fc.boolean(),
        (s, begin, end, reported, conflict) => {
          fc.pre(begin !== null || end !== null);
          const edge = (e: typeof begin): StoredEdge | null =>
            e && {
              tsMs: e.tsMs,
              offsetMin: e.offsetMin,
              rawTs: e.rawTs,
              sourceId: sources[e.source]!,
              line: e.line,
              rawLine: e.rawLine,
              rawHeld: e.rawHeld,
              appId: apps[s.app]!,
              category: s.category,
              rawCategory: s.rawCategory,
            };
          const r: SessionRecord = {
            id: null,
            deviceId: t.deviceId,
            intervalKey: 'k',
            begin: edge(begin),
            end: edge(end),
            conflict,
            ...(reported ? { reported } : {}),
          };
          db.exec('SAVEPOINT probe');
          try {
            const store = new SessionStore(db, () => null);
            const id = store.insert(r);
            expect(id).not.toBeNull();
            expect(rowOf(id!)).toEqual(expectedRow(r));
            // The same interval again is refused and leaves the row as it was.
            expect(store.insert(r)).toBeNull();
            expect(rowOf(id!)).toEqual(expectedRow(r));
          } finally {
            db.exec('ROLLBACK TO probe; RELEASE probe');
          }
        },
      ),
      fuzzOptions(200),
    );
  });

  it('store an access read with both edges as the same row and summaries as its two edges', () => {
    fc.assert(
      fc.property(
        shared,
        edgeArb,
        fc.integer({ min: 0, max: 100_000_000 }),
        reportedArb,
        (s, e, durationMs, reported) => {
          const row: IntervalRow = {
            deviceId: t.deviceId,
            intervalKey: 'k',
            appId: apps[s.app]!,
            category: s.category,
            rawCategory: s.rawCategory,
            startMs: e.tsMs,
            durationMs,
            offsetMin: e.offsetMin,
            rawTs: e.rawTs,
            sourceId: sources[e.source]!,
            line: e.line,
            rawLine: e.rawHeld ? null : e.rawLine,
          };
          const edge = (tsMs: number): StoredEdge => ({
            tsMs,
            offsetMin: e.offsetMin,
            rawTs: e.rawTs,
            sourceId: sources[e.source]!,
            line: e.line,
            rawLine: e.rawLine,
            rawHeld: e.rawHeld,
            appId: apps[s.app]!,
            category: s.category,
            rawCategory: s.rawCategory,
          });
          const viaInterval = rolledBack(() => {
            const store = new SessionStore(db, () => null);
            expect(store.insertInterval(row, reported)).not.toBeNull();
            store.flush();
          });
          const viaEdges = rolledBack(() => {
            const store = new SessionStore(db, () => null);
            const id = store.insert({
              id: null,
              deviceId: t.deviceId,
              intervalKey: 'k',
              begin: edge(e.tsMs),
              end: edge(e.tsMs + durationMs),
              conflict: false,
              reported,
            });
            expect(id).not.toBeNull();
            store.flush();
          });
          expect(viaInterval).toEqual(viaEdges);
        },
      ),
      fuzzOptions(100),
    );
  });
});
