import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAudit } from '../db/audit';
import { accessLine, accessPair, networkLine } from '../testing/apr-fixture';
import { repairedStatsCells } from '../db/session-stats-apply';
import { summariesAndRebuilt } from '../testing/session-summaries';
import { tempCase, type TempCase } from '../testing/temp-case';
import { fileClock, importFile } from './import-run';

const T0 = Date.UTC(2024, 4, 1, 0, 10);
let t: TempCase;
beforeEach(() => {
  t = tempCase();
});
afterEach(() => {
  // The incrementally maintained rollup and session stats must always equal ones rebuilt from
  // the sessions.
  const { kept, rebuilt } = summariesAndRebuilt(t.session.db);
  expect(kept).toEqual(rebuilt);
  expect(repairedStatsCells()).toBe(0);
  t.cleanup();
});

const run = (path: string, deviceId = t.deviceId) =>
  importFile({ db: t.session.db, path, deviceId });
const count = (table: string): number =>
  (t.session.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
// Stored edges: each session row holds up to two.
const edgeCount = (): number =>
  (
    t.session.db
      .prepare(
        'SELECT COALESCE(SUM((start_ms IS NOT NULL) + (end_ms IS NOT NULL)), 0) AS n FROM access_sessions',
      )
      .get() as { n: number }
  ).n;
const sessions = () =>
  t.session.db
    .prepare(
      'SELECT interval_key AS k, start_ms AS s, end_ms AS e, duration_ms AS d, open, conflict FROM access_sessions ORDER BY interval_key',
    )
    .all() as {
    k: string;
    s: number | null;
    e: number | null;
    d: number | null;
    open: number;
    conflict: number;
  }[];

describe('importing an App Privacy Report', () => {
  it('pairs edges by identifier into sessions with durations, keeps zero-length ones, flags open ones', async () => {
    const path = t.write('a.ndjson', [
      accessLine({
        app: 'x',
        category: 'photos',
        id: 'LONE-END',
        kind: 'intervalEnd',
        ms: T0 - 5000,
        offsetMin: 120,
      }),
      ...accessPair({
        app: 'x',
        category: 'photos',
        id: 'P1',
        ms: T0,
        durationMs: 61_000,
        offsetMin: 120,
      }),
      ...accessPair({
        app: 'y',
        category: 'contacts',
        id: 'ZERO',
        ms: T0 + 100_000,
        durationMs: 0,
        offsetMin: 120,
      }),
      accessLine({
        app: 'z',
        category: 'location',
        id: 'LONE-BEGIN',
        kind: 'intervalBegin',
        ms: T0 + 200_000,
        offsetMin: 120,
      }),
      networkLine({ app: 'x', domain: 'a.example.com', firstMs: T0, lastMs: T0 + 1000, hits: 3 }),
    ]);
    const o = await run(path);
    expect(o.status).toBe('imported');
    expect(o.counts).toEqual({
      lines: 7,
      access: 6,
      network: 1,
      sessions: 4,
      openSessions: 2,
      records: 0,
    });
    expect(sessions()).toEqual([
      { k: 'LONE-BEGIN', s: T0 + 200_000, e: null, d: null, open: 1, conflict: 0 },
      { k: 'LONE-END', s: null, e: T0 - 5000, d: null, open: 1, conflict: 0 },
      { k: 'P1', s: T0, e: T0 + 61_000, d: 61_000, open: 0, conflict: 0 },
      { k: 'ZERO', s: T0 + 100_000, e: T0 + 100_000, d: 0, open: 0, conflict: 0 },
    ]);
    const details = t.session.queries.session(`s:${t.deviceId}:P1`);
    expect(details.edges.map((e) => [e.kind, e.line, e.source.sha256])).toEqual([
      ['begin', 2, o.sha256],
      ['end', 3, o.sha256],
    ]);
    expect(details.edges[0]?.rawLine).toContain('"P1"');
    expect(t.session.queries.session(`s:${t.deviceId}:LONE-END`).openReason).toBe('missing-begin');
  });

  it('drops and counts exact duplicate lines', async () => {
    const [b, e] = accessPair({ app: 'x', category: 'photos', id: 'D', ms: T0, durationMs: 1000 });
    const net = networkLine({ app: 'x', domain: 'a.com', firstMs: T0, lastMs: T0 });
    const o = await run(t.write('d.ndjson', [b, b, e, net, net]));
    expect(o.duplicateLines).toBe(2);
    expect(o.counts.access).toBe(3);
    expect(edgeCount()).toBe(2);
    expect(count('network_observations')).toBe(1);
    expect(sessions()).toHaveLength(1);
  });

  it('stores overlapping weekly exports once and pairs a begin in one export with its end in the next', async () => {
    const shared = accessPair({
      app: 'x',
      category: 'photos',
      id: 'SHARED',
      ms: T0,
      durationMs: 2000,
    });
    const spanning = accessPair({
      app: 'x',
      category: 'location',
      id: 'SPAN',
      ms: T0 + 10_000,
      durationMs: 3_600_000,
    });
    const week1 = t.write('w1.ndjson', [
      ...shared,
      spanning[0],
      networkLine({ app: 'x', domain: 'a.com', firstMs: T0, lastMs: T0, hits: 5 }),
    ]);
    const week2 = t.write('w2.ndjson', [
      ...shared,
      spanning[1],
      networkLine({ app: 'x', domain: 'a.com', firstMs: T0, lastMs: T0 + 5000, hits: 2 }),
    ]);
    const o1 = await run(week1);
    expect(o1.counts.openSessions).toBe(1);
    const o2 = await run(week2);
    expect(o2.status).toBe('imported');
    expect(o2.alreadyStored).toBe(2);
    expect(o2.counts).toMatchObject({ sessions: 2, openSessions: 0 });
    expect(edgeCount()).toBe(4);
    expect(sessions().map((s) => [s.k, s.d, s.open])).toEqual([
      ['SHARED', 2000, 0],
      ['SPAN', 3_600_000, 0],
    ]);
    const span = t.session.queries.session(`s:${t.deviceId}:SPAN`);
    expect(span.edges.map((e) => e.source.sha256)).toEqual([o1.sha256, o2.sha256]);
    const sharedDetails = t.session.queries.session(`s:${t.deviceId}:SHARED`);
    expect(sharedDetails.edges[0]?.alsoIn.map((a) => a.sha256)).toEqual([o2.sha256]);
    // Network rows are per-export snapshots: both kept, never summed; "latest" picks the newer export.
    expect(
      t.session.queries
        .network({}, 'all')
        .map((n) => n.hits)
        .sort(),
    ).toEqual([2, 5]);
    expect(t.session.queries.network({}, 'latest').map((n) => n.hits)).toEqual([2]);
  });

  it('pairs when the later export is imported first', async () => {
    const [b, e] = accessPair({ app: 'x', category: 'photos', id: 'REV', ms: T0, durationMs: 500 });
    await run(t.write('later.ndjson', [e]));
    expect(sessions()[0]).toMatchObject({ open: 1, s: null });
    await run(t.write('earlier.ndjson', [b]));
    expect(sessions()).toEqual([{ k: 'REV', s: T0, e: T0 + 500, d: 500, open: 0, conflict: 0 }]);
  });

  it('keeps both versions of an edge whose bytes differ and flags the session', async () => {
    const [b, e] = accessPair({ app: 'x', category: 'photos', id: 'C', ms: T0, durationMs: 500 });
    await run(t.write('one.ndjson', [b, e]));
    const changed = e.replace('"intervalEnd"', '"intervalEnd","accessCount":0');
    const o = await run(t.write('two.ndjson', [b, changed]));
    expect(o.warnings.map((w) => [w.code, w.line])).toEqual([['EDGE_CONFLICT', 2]]);
    expect(sessions()[0]?.conflict).toBe(1);
    expect(t.session.sourceWarnings(o.sourceId!)).toHaveLength(1);
  });

  it('treats a second import of the same bytes as a no-op', async () => {
    const path = t.write(
      'same.ndjson',
      accessPair({ app: 'x', category: 'photos', id: 'S', ms: T0, durationMs: 1 }),
    );
    const first = await run(path);
    const auditBefore = count('audit_log');
    const again = await run(path);
    expect(again).toMatchObject({
      status: 'already-imported',
      sha256: first.sha256,
      sourceId: first.sourceId,
    });
    expect(count('sources')).toBe(1);
    expect(count('audit_log')).toBe(auditBefore);
  });

  it('names the UTC offsets its times carry, across a daylight-saving change and network rows', async () => {
    const path = t.write('zones.ndjson', [
      ...accessPair({
        app: 'x',
        category: 'photos',
        id: 'W',
        ms: T0,
        durationMs: 1,
        offsetMin: 60,
      }),
      ...accessPair({
        app: 'x',
        category: 'photos',
        id: 'S',
        ms: T0 + 3_600_000,
        durationMs: 1,
        offsetMin: 120,
      }),
      networkLine({ app: 'x', domain: 'a.example', firstMs: T0, lastMs: T0, offsetMin: -330 }),
    ]);
    const o = await run(path);
    expect(o.status).toBe('imported');
    expect(o.timeZone).toEqual({ zone: null, offsets: [-330, 60, 120], source: 'file' });
    // A second import stores nothing, so it names no clock.
    expect((await run(path)).timeZone).toBeUndefined();
  });

  it('refuses a file that is not a report and leaves the case unchanged', async () => {
    await run(
      t.write(
        'ok.ndjson',
        accessPair({ app: 'x', category: 'photos', id: 'OK', ms: T0, durationMs: 1 }),
      ),
    );
    const before = [
      'sources',
      'edge_occurrences',
      'access_sessions',
      'apps',
      'audit_log',
      'source_warnings',
    ].map(count);
    const o = await run(
      t.write(
        'notes.txt',
        Array.from({ length: 30 }, (_, i) => `note ${i}`),
      ),
    );
    expect(o.status).toBe('refused');
    // No importer recognises it: the message says what it looks like and what each looked for.
    expect(o.error).toMatch(/notes\.txt looks like plain text.*It looked for.*"type":"access"/);
    expect(
      [
        'sources',
        'edge_occurrences',
        'access_sessions',
        'apps',
        'audit_log',
        'source_warnings',
      ].map(count),
    ).toEqual(before);
  });

  it('reads on when a damaged first line hides the next records from the sniffed head', async () => {
    // The first line ends just before 64 KiB, so the head holds only the start of the next one.
    const damaged = `q${'['.repeat(65_480)}`;
    const o = await run(
      t.write('cut.ndjson', [
        damaged,
        ...accessPair({ app: 'x', category: 'photos', id: 'CUT', ms: T0, durationMs: 1 }),
      ]),
    );
    expect(o.status).toBe('imported');
    expect(o.counts.sessions).toBe(1);
  });

  it('refuses binary formats up front with a message naming them', async () => {
    const o = await run(t.write('x.db', 'SQLite format 3\0' + '\0'.repeat(200)));
    expect(o).toMatchObject({ status: 'refused', error: expect.stringMatching(/SQLite/) });
  });

  it('reports an unreadable path without throwing', async () => {
    const o = await run(`${t.dir}/missing.ndjson`);
    expect(o.status).toBe('refused');
    expect(o.error).toMatch(/Cannot read/);
    // A folder holding no export is not recognised, and the message names what was looked for.
    expect((await run(t.dir)).error).toMatch(
      /is a folder of \d+ entr.*It looked for.*App Privacy Report/,
    );
  });

  it('rolls back completely when cancelled', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) =>
      accessLine({ app: 'x', category: 'photos', id: `K${i}`, kind: 'intervalBegin', ms: T0 + i }),
    );
    const path = t.write('big.ndjson', lines);
    let calls = 0;
    const o = await importFile({
      db: t.session.db,
      path,
      deviceId: t.deviceId,
      isCancelled: () => ++calls > 1,
    });
    expect(o.status).toBe('cancelled');
    expect(count('sources')).toBe(0);
    expect(edgeCount()).toBe(0);
    expect(t.session.db.inTransaction).toBe(false);
  });

  it('never modifies the source file nor creates files beside it', async () => {
    const path = t.write(
      'evidence.ndjson',
      accessPair({ app: 'x', category: 'photos', id: 'E', ms: T0, durationMs: 1 }),
    );
    const before = {
      hash: createHash('sha256').update(readFileSync(path)).digest('hex'),
      mtime: statSync(path).mtimeMs,
    };
    const listing = readdirSync(t.dir).sort();
    const o = await run(path);
    expect(o.sha256).toBe(before.hash);
    expect(createHash('sha256').update(readFileSync(path)).digest('hex')).toBe(before.hash);
    expect(statSync(path).mtimeMs).toBe(before.mtime);
    expect(readdirSync(t.dir).sort()).toEqual(listing);
  });

  it('records every import in a hash-chained audit log that detects tampering', async () => {
    await run(
      t.write(
        'a1.ndjson',
        accessPair({ app: 'x', category: 'photos', id: 'A1', ms: T0, durationMs: 1 }),
      ),
    );
    await run(
      t.write(
        'a2.ndjson',
        accessPair({ app: 'x', category: 'photos', id: 'A2', ms: T0, durationMs: 1 }),
      ),
    );
    const check = verifyAudit(t.session.db);
    expect(check.intact).toBe(true);
    const actions = (
      t.session.db.prepare('SELECT action FROM audit_log ORDER BY seq').all() as {
        action: string;
      }[]
    ).map((r) => r.action);
    expect(actions).toEqual(['case-created', 'device-created', 'import', 'import']);
    t.session.db
      .prepare(
        "UPDATE audit_log SET details = replace(details, 'a1.ndjson', 'zz.ndjson') WHERE seq = 3",
      )
      .run();
    expect(verifyAudit(t.session.db)).toMatchObject({ intact: false, firstBroken: 3 });
  });
});

describe('moving and removing sources', () => {
  it('moves a source to another device with everything derived from it and re-pairs both devices', async () => {
    const b = t.session.createDevice({ label: 'Phone B' });
    const [sb, se] = accessPair({ app: 'x', category: 'photos', id: 'M', ms: T0, durationMs: 100 });
    const o1 = await run(
      t.write('m1.ndjson', [
        sb,
        networkLine({ app: 'x', domain: 'a.com', firstMs: T0, lastMs: T0 }),
      ]),
    );
    await run(t.write('m2.ndjson', [se]));
    expect(sessions()).toEqual([expect.objectContaining({ k: 'M', open: 0 })]);
    t.session.moveSource(o1.sourceId!, b.id);
    const rows = t.session.db
      .prepare(
        'SELECT device_id AS d, interval_key AS k, open, start_ms AS s, end_ms AS e FROM access_sessions ORDER BY device_id',
      )
      .all();
    expect(rows).toEqual([
      { d: t.deviceId, k: 'M', open: 1, s: null, e: T0 + 100 },
      { d: b.id, k: 'M', open: 1, s: T0, e: null },
    ]);
    expect(t.session.queries.network({ devices: [b.id] })).toHaveLength(1);
    expect(t.session.queries.network({ devices: [t.deviceId] })).toHaveLength(0);
    t.session.moveSource(o1.sourceId!, t.deviceId);
    expect(sessions()).toEqual([expect.objectContaining({ k: 'M', open: 0, d: 100 })]);
    expect(verifyAudit(t.session.db).intact).toBe(true);
  });

  it('removes a source but keeps edges another export also holds', async () => {
    const shared = accessPair({ app: 'x', category: 'photos', id: 'KEEP', ms: T0, durationMs: 10 });
    const only = accessPair({ app: 'y', category: 'camera', id: 'GONE', ms: T0, durationMs: 10 });
    const o1 = await run(t.write('r1.ndjson', [...shared, ...only]));
    const o2 = await run(t.write('r2.ndjson', shared));
    t.session.removeSource(o1.sourceId!);
    expect(sessions().map((s) => [s.k, s.open])).toEqual([['KEEP', 0]]);
    const details = t.session.queries.session(`s:${t.deviceId}:KEEP`);
    expect(details.edges.map((e) => [e.source.sha256, e.line])).toEqual([
      [o2.sha256, 1],
      [o2.sha256, 2],
    ]);
    expect(count('edge_occurrences')).toBe(0);
    expect(
      (t.session.db.prepare('SELECT identifier FROM apps').all() as { identifier: string }[]).map(
        (a) => a.identifier,
      ),
    ).toEqual(['x']);
    t.session.removeSource(o2.sourceId!);
    expect(
      ['edge_occurrences', 'access_sessions', 'network_observations', 'sources'].map(count),
    ).toEqual([0, 0, 0, 0]);
  });
});

describe('fileClock', () => {
  it('lists each offset once, ascending, and at most twelve of a crafted file’s many', () => {
    expect(fileClock([120, 60, 120])).toEqual({ zone: null, offsets: [60, 120], source: 'file' });
    const many = Array.from({ length: 200 }, (_, i) => 840 - i * 15);
    expect(fileClock(many).offsets).toEqual(many.slice(-12).reverse());
  });
});
