import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatInstant } from '../contract/time';
import { CaseSession } from '../core/services/case-service';
import { accessEvents, accessEventText, instantFormatter } from '../core/services/events-query';
import { fuzzOptions } from '../core/testing/fuzz';
import { csvRecord, eventsCsvTable } from './events-command';

// Text that tries every branch of the encoders: quotes, commas, line breaks, formula starts,
// control characters, lone surrogates and ordinary words.
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    'a,b',
    '"q"',
    '=1+2',
    '-x',
    "'x",
    '\n',
    '\r\nz',
    '\u0000',
    '@',
    '＝',
    ' x',
    'photos',
  ),
);
const maybe = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { nil: null });
const instant = fc.oneof(
  fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2026, 0, 1) }),
  fc.integer({ min: -9e15, max: 9e15 }),
);
const offset = fc.oneof(
  fc.integer({ min: -900, max: 900 }),
  fc.integer({ min: -200_000, max: 200_000 }),
);
const proxy = fc.oneof(
  fc
    .record({ uid: maybe(fc.integer()), packageName: maybe(text), attributionTag: maybe(text) })
    .map((p) => JSON.stringify(p)),
  fc.jsonValue().map((v) => JSON.stringify(v)),
);
const session = fc.record({
  device: fc.nat(2),
  key: text,
  app: fc.nat(3),
  category: fc.constantFrom('photos', 'location', 'camera', 'other', 'weird,cat', '=cmd'),
  raw: text,
  start: maybe(instant),
  startOffset: maybe(offset),
  end: maybe(instant),
  endOffset: maybe(offset),
  anchor: fc.integer({ min: 0, max: 5 }),
  duration: maybe(fc.integer()),
  state: fc.constantFrom('foreground', 'background', 'unknown'),
  stateSource: fc.constantFrom(null, 'reported', 'inferred'),
  inferred: fc.constantFrom(null, 'foreground', 'background'),
  proxy: maybe(proxy),
  tag: maybe(text),
  durationKnown: fc.constantFrom(0, 1),
  bSource: maybe(fc.nat(4)),
  bLine: maybe(fc.nat(3)),
  eSource: maybe(fc.nat(4)),
  eLine: maybe(fc.nat(3)),
  more: fc.array(fc.record({ kind: fc.nat(1), source: fc.nat(3), line: fc.nat(5) }), {
    maxLength: 3,
  }),
});
const caseArb = fc.record({
  labels: fc.array(text, { minLength: 3, maxLength: 3 }),
  apps: fc.array(fc.record({ id: text, name: maybe(text) }), { minLength: 4, maxLength: 4 }),
  shas: fc.array(text, { minLength: 4, maxLength: 4 }),
  sessions: fc.array(session, { maxLength: 25 }),
});

let dir: string;
let c: CaseSession;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'snoopscope-events-text-'));
  c = CaseSession.create(join(dir, 'case.snoopcase'));
  // Sessions may name a source the case no longer holds, as after a source was removed.
  c.db.pragma('foreign_keys = OFF');
});
afterAll(() => {
  c.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A text made unique by its index (SQLite's unique checks stop at a NUL character). */
const unique = (t: string, i: number): string => `${t.replaceAll('\u0000', '')}#${i}`;

/** Replaces the case's contents with the generated devices, apps, sources and sessions. */
function fill(x: fc.TypeOf<typeof caseArb>): void {
  const db = c.db;
  db.transaction(() => {
    for (const t of ['edge_occurrences', 'access_sessions', 'apps', 'sources', 'devices'])
      db.prepare(`DELETE FROM ${t}`).run();
    const devices = x.labels.map((label, i) =>
      Number(
        db
          .prepare("INSERT INTO devices (label, platform, created_at) VALUES (?, 'android', 0)")
          .run(unique(label, i)).lastInsertRowid,
      ),
    );
    const apps = x.apps.map((a, i) =>
      Number(
        db
          .prepare('INSERT INTO apps (device_id, identifier, display_name) VALUES (?, ?, ?)')
          .run(devices[i % devices.length], unique(a.id, i), a.name).lastInsertRowid,
      ),
    );
    // The last generated source is never stored: a session may name a source no longer in the case.
    const sources = x.shas.map((sha, i) =>
      i === 3
        ? 9_999
        : Number(
            db
              .prepare(
                `INSERT INTO sources (device_id, importer_id, importer_version, original_path, file_name, size, sha256, imported_at)
                 VALUES (?, 'x', '1', 'x', 'x', 0, ?, 0)`,
              )
              .run(devices[0], unique(sha, i)).lastInsertRowid,
          ),
    );
    const insert = db.prepare(
      `INSERT INTO access_sessions (device_id, interval_key, app_id, category, raw_category, start_ms, start_offset,
         b_source_id, b_line, end_ms, end_offset, e_source_id, e_line, anchor_ms, anchor_offset, anchor_minute,
         local_day, duration_ms, open, state, state_source, inferred_state, proxy, attribution_tag, duration_known)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, ?, 0, ?, ?, ?, ?, ?, ?)`,
    );
    const more = db.prepare(
      'INSERT OR IGNORE INTO edge_occurrences (session_id, kind, source_id, line) VALUES (?, ?, ?, ?)',
    );
    const seen = new Set<string>();
    x.sessions.forEach((s, i) => {
      const key = unique(s.key, i);
      if (seen.has(`${s.device}\u0000${key}`)) return;
      seen.add(`${s.device}\u0000${key}`);
      const id = insert.run(
        devices[s.device],
        key,
        apps[s.app],
        s.category,
        s.raw,
        s.start,
        s.startOffset,
        s.bSource === null ? null : sources[s.bSource % 4],
        s.bLine,
        s.end,
        s.endOffset,
        s.eSource === null ? null : sources[s.eSource % 4],
        s.eLine,
        s.anchor,
        s.duration,
        s.state,
        s.stateSource,
        s.inferred,
        s.proxy,
        s.tag,
        s.durationKnown,
      ).lastInsertRowid;
      for (const m of s.more) more.run(id, m.kind, sources[m.source], m.line);
    });
  })();
}

describe('access events written from the rows', () => {
  it('are the JSON lines and CSV rows of the records, byte for byte', () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 1, max: 300 }), (x, chunk) => {
        fill(x);
        const records = [...accessEvents(c, {})];
        const json = records.map((r) => JSON.stringify(r) + '\n').join('');
        expect([...accessEventText(c, {}, { format: 'jsonl' }, chunk)].join('')).toBe(json);
        for (const kinds of [['access'], ['access', 'network', 'reject', 'usage']] as const) {
          const table = eventsCsvTable(kinds);
          const csv = records.map((r) => csvRecord(r, table)).join('');
          expect(
            [...accessEventText(c, {}, { format: 'csv', columns: table.columns }, chunk)].join(''),
          ).toBe(csv);
        }
      }),
      fuzzOptions(60),
    );
  });

  it('formats instants as formatInstant does', () => {
    const format = instantFormatter();
    fc.assert(
      fc.property(
        fc.oneof(instant, fc.double({ min: -1e16, max: 1e16 }), fc.constantFrom(NaN, -0)),
        fc.oneof(offset, fc.double({ min: -2000, max: 2000 })),
        (ms, off) => {
          expect(format(ms, off)).toBe(formatInstant(ms, off));
        },
      ),
      fuzzOptions(500),
    );
  });
});
