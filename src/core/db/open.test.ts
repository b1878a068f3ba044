import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CASE_APPLICATION_ID,
  createCaseDatabase,
  migrate,
  openCaseDatabase,
  schemaVersion,
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
