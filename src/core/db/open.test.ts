import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CASE_APPLICATION_ID,
  createCaseDatabase,
  migrate,
  migrationStepName,
  openCaseDatabase,
  schemaVersion,
  upgradePlan,
  type UpgradeStep,
} from './open';
import { MIGRATIONS } from './migrations';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'snoopscope-db-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('case database', () => {
  it('creates a WAL-mode case with every migration recorded and STRICT tables', () => {
    const db = createCaseDatabase(join(dir, 'a.snoopcase'), 'a');
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('application_id', { simple: true })).toBe(CASE_APPLICATION_ID);
    expect(schemaVersion(db)).toBe(MIGRATIONS.at(-1)?.version);
    const loose = db
      .prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND sql NOT LIKE '%STRICT%' AND name NOT LIKE 'sqlite_%'",
      )
      .all();
    expect(loose).toEqual([]);
    db.close();
  });

  it('refuses to overwrite an existing file', () => {
    const path = join(dir, 'exists.snoopcase');
    writeFileSync(path, 'hello');
    expect(() => createCaseDatabase(path, 'x')).toThrow(/already exists/);
  });

  it('refuses files that are not cases, with a clear message', () => {
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'just text, longer than the sqlite header would need to be.....');
    expect(() => openCaseDatabase(text)).toThrow(/not an SQLite database/);
    const other = join(dir, 'other.db');
    new Database(other).exec('CREATE TABLE t (x)');
    expect(() => openCaseDatabase(other)).toThrow(/not a Snoopscope case/);
    expect(() => openCaseDatabase(join(dir, 'nope.snoopcase'))).toThrow(/No case file/);
  });

  it('applies each migration in its own transaction and stops on failure without losing the file', () => {
    const path = join(dir, 'm.snoopcase');
    createCaseDatabase(path, 'm').close();
    const db = new Database(path);
    const broken = [
      ...MIGRATIONS,
      {
        version: 99,
        name: 'broken',
        up: 'CREATE TABLE z (a INTEGER) STRICT; INSERT INTO nowhere VALUES (1);',
      },
    ];
    expect(() => migrate(db, broken)).toThrow(/Migration 0099-broken failed and was rolled back/);
    expect(db.prepare("SELECT name FROM sqlite_schema WHERE name = 'z'").get()).toBeUndefined();
    expect(schemaVersion(db)).toBe(MIGRATIONS.at(-1)?.version);
    db.close();
    expect(existsSync(path)).toBe(true);
    openCaseDatabase(path).close();
  });

  it('refuses a case written by a newer schema', () => {
    const path = join(dir, 'new.snoopcase');
    const db = createCaseDatabase(path, 'n');
    db.prepare('INSERT INTO schema_migrations VALUES (500, ?, ?)').run('future', Date.now());
    db.close();
    expect(() => openCaseDatabase(path)).toThrow(/newer version of Snoopscope/);
  });

  it('lets two connections (app and CLI) use the case at once and names a busy writer', () => {
    const path = join(dir, 'shared.snoopcase');
    const a = createCaseDatabase(path, 's');
    const b = openCaseDatabase(path);
    b.pragma('busy_timeout = 50');
    const committed = b.prepare('SELECT COUNT(*) AS n FROM case_meta').get();
    a.exec('BEGIN IMMEDIATE');
    a.prepare("INSERT INTO case_meta VALUES ('k', 'v')").run();
    expect(b.prepare('SELECT COUNT(*) AS n FROM case_meta').get()).toEqual(committed);
    let code: unknown;
    try {
      b.exec('BEGIN IMMEDIATE');
    } catch (e) {
      code = (e as { code?: string }).code;
    }
    expect(code).toBe('SQLITE_BUSY');
    a.exec('COMMIT');
    a.close();
    b.close();
  });
});

describe('the steps of an upgrade', () => {
  /** An empty case at schema 26, as that version left it. */
  function oldCase(): string {
    const path = join(dir, 'old.snoopcase');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma(`application_id = ${CASE_APPLICATION_ID}`);
    migrate(
      db,
      MIGRATIONS.filter((m) => m.version <= 26),
    );
    db.exec('DELETE FROM derived_pending');
    db.close();
    return path;
  }

  // The migrations after 26 (those written since are checked by their descriptions alone), the
  // steps they make with the rebuild, and the derived tables they ask to rebuild.
  const later = MIGRATIONS.filter((m) => m.version > 26);
  const count = later.length + 1;
  const rebuilt = [...new Set(later.flatMap((m) => m.rebuilds ?? []))].sort();

  it('are read on a read-only connection without writing, and announced in order', () => {
    const path = oldCase();
    const ro = openCaseDatabase(path, { readonly: true });
    const plan = upgradePlan(ro);
    ro.close();
    expect(plan.migrations.map((m) => m.version)).toEqual(later.map((m) => m.version));
    expect(plan.migrations.slice(0, 4).map((m) => m.version)).toEqual([27, 28, 29, 30]);
    expect(plan).toMatchObject({ steps: count });
    expect([...plan.rebuilds].sort()).toEqual(rebuilt);
    const seen: UpgradeStep[] = [];
    openCaseDatabase(path, { progress: { onStep: (s) => seen.push(s) } }).close();
    expect(seen).toEqual([
      { index: 1, count, phase: 'migrations', name: 'adding the summary by app and category' },
      {
        index: 2,
        count,
        phase: 'migrations',
        name: 'adding durations to the summary by app and category',
      },
      {
        index: 3,
        count,
        phase: 'migrations',
        name: 'adding half-hour columns to the timeline summary',
      },
      {
        index: 4,
        count,
        phase: 'migrations',
        name: 'removing an index the evidence lookups no longer need',
      },
      ...later.slice(4).map((m, i) => ({
        index: i + 5,
        count,
        phase: 'migrations',
        name: migrationStepName(m),
      })),
      { index: count, count, phase: 'rebuilding', name: 'rebuilding the timeline summary' },
    ]);
  });

  it('stop between two steps when cancelled, keeping those done', () => {
    const path = oldCase();
    let steps = 0;
    expect(() =>
      openCaseDatabase(path, {
        progress: { onStep: () => (steps += 1), isCancelled: () => steps === 3 },
      }),
    ).toThrow(new RegExp(`stopped before step 3 of ${count}; the steps before it are kept`));
    const db = new Database(path, { readonly: true });
    expect(schemaVersion(db)).toBe(28);
    db.close();
  });

  it('roll the rebuild of the summaries back when stopped once it has begun', () => {
    const path = oldCase();
    let phase = '';
    expect(() =>
      openCaseDatabase(path, {
        progress: {
          onStep: (s) => (phase = s.phase),
          isCancelled: () => phase === 'rebuilding',
        },
      }),
    ).toThrow(new RegExp(`stopped before step ${count} of ${count}\\b`));
    const db = new Database(path, { readonly: true });
    expect(schemaVersion(db)).toBe(MIGRATIONS.at(-1)?.version);
    expect(
      (db.prepare('SELECT name FROM derived_pending').all() as { name: string }[])
        .map((r) => r.name)
        .sort(),
    ).toEqual(rebuilt);
    db.close();
  });

  it('are refused, not run, by a connection that must not upgrade (a worker)', () => {
    const path = oldCase();
    expect(() => openCaseDatabase(path, { upgrade: 'refuse' })).toThrow(
      /was written by an earlier version of Snoopscope and must be upgraded first/,
    );
    const db = new Database(path, { readonly: true });
    expect(schemaVersion(db)).toBe(26);
    db.close();
    openCaseDatabase(path).close();
    openCaseDatabase(path, { upgrade: 'refuse' }).close();
  });
});
