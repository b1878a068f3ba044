import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Filter } from '../../contract/filter';
import { listAudit, verifyAudit } from '../db/audit';
import { accessPair, networkLine } from '../testing/apr-fixture';
import { tempCase, type TempCase } from '../testing/temp-case';
import { AppError } from '../model/errors';
import { annotate, listAnnotations, listTags, parseTarget } from './annotations';
import { recordWhere, sessionWhere } from './filter-sql';
import { importFile } from './import-run';

let t: TempCase;
const H = 3_600_000;
const DAY = Date.UTC(2024, 4, 1);

beforeEach(async () => {
  t = tempCase();
  const lines = [
    ...accessPair({ app: 'com.a', category: 'photos', id: 'A1', ms: DAY + H, durationMs: 60_000 }),
    ...accessPair({
      app: 'com.a',
      category: 'photos',
      id: 'A2',
      ms: DAY + 2 * H,
      durationMs: 5_000,
    }),
    ...accessPair({
      app: 'com.b',
      category: 'camera',
      id: 'B1',
      ms: DAY + 3 * H,
      durationMs: 9_000,
    }),
    networkLine({ app: 'com.a', domain: 'a.example', firstMs: DAY, lastMs: DAY + H, hits: 3 }),
    networkLine({ app: 'com.b', domain: 'b.example', firstMs: DAY, lastMs: DAY + H, hits: 4 }),
  ];
  await importFile({ db: t.session.db, path: t.write('r.ndjson', lines), deviceId: t.deviceId });
});
afterEach(() => t.cleanup());

const sid = (key: string) => `s:${t.deviceId}:${key}`;
const db = () => t.session.db;
const networkIds = () =>
  (db().prepare('SELECT id FROM network_observations ORDER BY id').all() as { id: number }[]).map(
    (r) => `n:${r.id}`,
  );

function expectCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe(code);
    return;
  }
  throw new Error('expected a throw');
}

describe('annotate', () => {
  it('stars, tags and notes a session, merging tags and keeping them unique and sorted', () => {
    const a = annotate(db(), { target: sid('A1'), star: true, addTags: ['night', 'wechat'] });
    expect(a).toMatchObject({
      target: sid('A1'),
      kind: 'access',
      star: true,
      tags: ['night', 'wechat'],
      note: null,
    });
    expect(Number.isNaN(Date.parse(a.updatedAt))).toBe(false);
    const b = annotate(db(), {
      target: sid('A1'),
      addTags: ['alpha', 'night'],
      removeTags: ['wechat'],
      note: 'Seen at 01:00',
    });
    expect(b).toMatchObject({ star: true, tags: ['alpha', 'night'], note: 'Seen at 01:00' });
    expect(listAnnotations(db(), { targets: [sid('A1')] })).toEqual([b]);
  });

  it('clears the star and the note, and deletes an annotation left empty', () => {
    annotate(db(), { target: sid('A1'), star: true, addTags: ['x'], note: 'n' });
    expect(annotate(db(), { target: sid('A1'), note: null })).toMatchObject({ note: null });
    expect(annotate(db(), { target: sid('A1'), note: '   ' }).note).toBeNull();
    expect(annotate(db(), { target: sid('A1'), star: false }).star).toBe(false);
    const last = annotate(db(), { target: sid('A1'), removeTags: ['x'] });
    expect(last).toMatchObject({ star: false, tags: [], note: null });
    expect(listAnnotations(db())).toEqual([]);
    expect(db().prepare('SELECT COUNT(*) AS n FROM annotation_tags').get()).toEqual({ n: 0 });
  });

  it('annotates network records and findings by id; refuses unknown or malformed targets', () => {
    const [n1] = networkIds();
    expect(annotate(db(), { target: n1!, star: true }).kind).toBe('network');
    const f = 'f:night-access:1:com.a:photos';
    expect(annotate(db(), { target: f, addTags: ['report'] }).kind).toBe('finding');
    expect(annotate(db(), { target: 'f:profiling-domains:1::', star: true }).kind).toBe('finding');
    expectCode(() => annotate(db(), { target: sid('NOPE'), star: true }), 'NOT_FOUND');
    expectCode(() => annotate(db(), { target: 'p:999', star: true }), 'NOT_FOUND');
    expectCode(() => annotate(db(), { target: 'x:1', star: true }), 'NOT_FOUND');
    expectCode(() => annotate(db(), { target: 'f:no-such-rule:1:a:photos' }), 'NOT_FOUND');
    expect(
      listAnnotations(db())
        .map((a) => a.target)
        .sort(),
    ).toEqual([f, 'f:profiling-domains:1::', n1].sort());
  });

  it('parses every record id prefix', () => {
    expect(parseTarget('p:1').kind).toBe('permission');
    expect(parseTarget('u:2').kind).toBe('network-usage');
    expect(parseTarget('m:3').kind).toBe('profile');
    expect(parseTarget('r:4').kind).toBe('reject');
    expect(parseTarget('e:5').kind).toBe('usage');
    expect(parseTarget('n:6').kind).toBe('network');
    expect(parseTarget('s:1:a:b')).toEqual({ kind: 'access', deviceId: 1, intervalKey: 'a:b' });
  });

  it('appends one audit entry per change with before and after, and none for a no-op', () => {
    const start = listAudit(db()).length;
    annotate(db(), { target: sid('A1'), addTags: ['x'] });
    annotate(db(), { target: sid('A1'), addTags: ['x'] });
    annotate(db(), { target: sid('A1'), removeTags: ['x'] });
    const entries = listAudit(db()).filter((e) => e.action === 'annotation');
    expect(listAudit(db()).length - start).toBe(2);
    expect(entries[0]!.details).toMatchObject({ target: sid('A1'), after: null });
    expect(entries[0]!.details.before).toMatchObject({ tags: ['x'] });
    expect(entries[1]!.details).toMatchObject({ before: null });
    expect(verifyAudit(db()).intact).toBe(true);
  });

  it('writes nothing when the target does not exist', () => {
    const start = listAudit(db()).length;
    expectCode(() => annotate(db(), { target: sid('NOPE'), star: true }), 'NOT_FOUND');
    expect(listAudit(db()).length).toBe(start);
  });
});

describe('listAnnotations', () => {
  it('lists by tag and by targets, and counts tags', () => {
    annotate(db(), { target: sid('A1'), addTags: ['night'] });
    annotate(db(), { target: sid('B1'), addTags: ['night', 'camera'] });
    annotate(db(), { target: sid('A2'), star: true });
    expect(
      listAnnotations(db(), { tag: 'night' })
        .map((a) => a.target)
        .sort(),
    ).toEqual([sid('A1'), sid('B1')].sort());
    expect(listAnnotations(db(), { tag: 'night', targets: [sid('B1'), sid('A2')] })).toHaveLength(
      1,
    );
    expect(listAnnotations(db(), { targets: [] })).toEqual([]);
    expect(listAnnotations(db())).toHaveLength(3);
    expect(listTags(db())).toEqual([
      { tag: 'camera', count: 1 },
      { tag: 'night', count: 2 },
    ]);
  });
});

describe('filtering by tag and star', () => {
  const keys = (filter: Filter) =>
    t.session.queries
      .timeline({ filter, width: 1000 })
      .sessions.map((s) => s.id.split(':')[2])
      .sort();

  beforeEach(() => {
    annotate(db(), { target: sid('A1'), addTags: ['night'] });
    annotate(db(), { target: sid('B1'), addTags: ['camera'], star: true });
    annotate(db(), { target: sid('A2'), star: true });
  });

  it('selects timeline sessions by any of the tags, by star, and by both', () => {
    expect(keys({})).toEqual(['A1', 'A2', 'B1']);
    expect(keys({ tags: ['night'] })).toEqual(['A1']);
    expect(keys({ tags: ['night', 'camera'] })).toEqual(['A1', 'B1']);
    expect(keys({ starred: true })).toEqual(['A2', 'B1']);
    expect(keys({ starred: true, tags: ['night'] })).toEqual([]);
    expect(keys({ tags: ['unused'] })).toEqual([]);
    expect(keys({ tags: ['night'], categories: ['photos'] })).toEqual(['A1']);
  });

  it('filters the summary', () => {
    const rows = t.session.queries.summary({ starred: true });
    expect(rows.map((r) => [r.app, r.category, r.sessions]).sort()).toEqual([
      ['com.a', 'photos', 1],
      ['com.b', 'camera', 1],
    ]);
    expect(t.session.queries.summary({ tags: ['night'] })).toMatchObject([
      { app: 'com.a', category: 'photos', sessions: 1 },
    ]);
  });

  it('filters network rows by their own annotations', () => {
    const [n1] = networkIds();
    const timeline = (filter: Filter) => t.session.queries.timeline({ filter, width: 1000 });
    expect(timeline({ starred: true }).network).toHaveLength(0);
    annotate(db(), { target: n1!, star: true });
    expect(timeline({ starred: true }).network.map((n) => n.hits)).toEqual([3]);
  });

  it('builds record clauses from the id kind, and matches nothing without one', () => {
    const w = recordWhere({ tags: ['x'] }, 'r.time_ms', {
      apps: false,
      categories: false,
      kind: 'permission',
    });
    expect(w.clauses.at(-1)).toMatch(/^r\.id IN \(SELECT a\.row_id FROM annotations a/);
    expect(w.params).toEqual(['permission', 'x']);
    expect(
      recordWhere({ starred: true }, 'r.time_ms', { apps: false, categories: false }).clauses,
    ).toEqual(['0']);
    expect(recordWhere({}, 'r.time_ms', { apps: false, categories: false }).clauses).toEqual([]);
    expect(sessionWhere({ starred: false }, 0).clauses).toEqual([]);
  });
});
