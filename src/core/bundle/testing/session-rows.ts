import fc from 'fast-check';
import type { Db } from '../../db/open';

/**
 * Text that tries every branch of the encoders: quotes, commas, line breaks, formula starts,
 * control characters, lone surrogates and ordinary words.
 */
export const evidenceText = fc.oneof(
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
/** Instants of a study, and any the formatters must get right. */
export const instantArb = fc.oneof(
  fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2026, 0, 1) }),
  fc.integer({ min: -9e15, max: 9e15 }),
);
/** UTC offsets in minutes: plausible ones and any integers. */
export const offsetArb = fc.oneof(
  fc.integer({ min: -900, max: 900 }),
  fc.integer({ min: -200_000, max: 200_000 }),
);
const proxy = fc.oneof(
  fc
    .record({
      uid: maybe(fc.integer()),
      packageName: maybe(evidenceText),
      attributionTag: maybe(evidenceText),
    })
    .map((p) => JSON.stringify(p)),
  fc.jsonValue().map((v) => JSON.stringify(v)),
);
const session = fc.record({
  device: fc.nat(2),
  key: evidenceText,
  app: fc.nat(3),
  category: fc.constantFrom('photos', 'location', 'camera', 'other', 'weird,cat', '=cmd'),
  raw: evidenceText,
  start: maybe(instantArb),
  startOffset: maybe(offsetArb),
  end: maybe(instantArb),
  endOffset: maybe(offsetArb),
  anchor: fc.integer({ min: 0, max: 5 }),
  minute: fc.integer({ min: 0, max: 1439 }),
  open: fc.constantFrom(0, 1),
  conflict: fc.constantFrom(0, 1),
  duration: maybe(fc.integer()),
  state: fc.constantFrom('foreground', 'background', 'unknown'),
  stateSource: fc.constantFrom(null, 'reported', 'inferred'),
  inferred: fc.constantFrom(null, 'foreground', 'background'),
  proxy: maybe(proxy),
  tag: maybe(evidenceText),
  durationKnown: fc.constantFrom(0, 1),
  bSource: maybe(fc.nat(4)),
  bLine: maybe(fc.nat(3)),
  eSource: maybe(fc.nat(4)),
  eLine: maybe(fc.nat(3)),
  more: fc.array(fc.record({ kind: fc.nat(1), source: fc.nat(3), line: fc.nat(5) }), {
    maxLength: 3,
  }),
});
/** Devices, apps, sources and sessions with every kind of awkward value. */
export const sessionCaseArb = fc.record({
  labels: fc.array(evidenceText, { minLength: 3, maxLength: 3 }),
  apps: fc.array(fc.record({ id: evidenceText, name: maybe(evidenceText) }), {
    minLength: 4,
    maxLength: 4,
  }),
  shas: fc.array(evidenceText, { minLength: 4, maxLength: 4 }),
  sessions: fc.array(session, { maxLength: 25 }),
});

/** One generated case. */
export type SessionCaseInput = typeof sessionCaseArb extends fc.Arbitrary<infer T> ? T : never;

/** A evidenceText made unique by its index (SQLite's unique checks stop at a NUL character). */
const unique = (t: string, i: number): string => `${t.replaceAll('\u0000', '')}#${i}`;

/**
 * Replaces the case's contents (foreign keys off: a session may name a source the case no longer
 * holds) with the generated devices, apps, sources and sessions. */
export function fillSessionCase(db: Db, x: SessionCaseInput): void {
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
         local_day, duration_ms, open, conflict, state, state_source, inferred_state, proxy, attribution_tag,
         duration_known)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
        s.minute,
        s.duration,
        s.open,
        s.conflict,
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

/**
 * `count` closed photo sessions of 5 s, one every `stepMs` from `fromMs`, over three devices and
 * four apps in turn: the plain rows a test of slices or threads needs in bulk.
 */
export function spreadSessions(
  count: number,
  stepMs: number,
  fromMs: number,
): SessionCaseInput['sessions'] {
  return Array.from({ length: count }, (_, i) => ({
    device: i % 3,
    key: `k${i}`,
    app: i % 4,
    category: 'photos',
    raw: 'Photos',
    start: fromMs + i * stepMs,
    startOffset: 60,
    end: fromMs + i * stepMs + 5_000,
    endOffset: 60,
    anchor: fromMs + i * stepMs,
    minute: 0,
    open: 0,
    conflict: 0,
    duration: 5_000,
    state: 'unknown',
    stateSource: null,
    inferred: null,
    proxy: null,
    tag: null,
    durationKnown: 1,
    bSource: 0,
    bLine: i,
    eSource: 0,
    eLine: i + 1,
    more: [],
  }));
}
